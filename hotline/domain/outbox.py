"""The outbox: every outbound SMS and call is a row first, sent later by a transport."""
from __future__ import annotations

from hotline.core.db import now
from hotline.core.phones import mask

TERMINAL = ("delivered", "failed", "expired", "cancelled", "skipped")

# The send order, highest first, on both channels (sender.NEXT_DUE; oldest first within a level). A "need
# help" notice is one SMS to a village head about one person in danger: it waits for nothing, and delays a
# broadcast by one message. Warnings go before anything that answers or informs one person: an SMS flood
# must never hold back a level-5 warning. The resident who said "need help" hears that it was heard
# right after the emergency warnings, before the routine traffic.
PRIORITY = {
    "help": 10,        # a check-in's "need help", told to the village heads (checkins.py)
    "emergency": 9,    # warnings from HOTLINE_EMERGENCY_LEVEL, and the notices that cancel them
    "help_ack": 8,     # "we heard you need help", to the resident who answered 2
    "checkin": 7,      # "are you safe? 1 / 2" after a flood
    "alert": 6,        # warnings below the emergency level
    "reply": 5,        # answers to a text, a guide's SMS asked for in a call, a missed-call call-back
    "notice": 3,       # announcements, approval requests, lesson seat notices
    "reminder": 2,     # lesson reminders
}
# The level of each purpose, unless its caller names another (a need-help notice is a "notice" at "help").
BY_PURPOSE = {"alert": "alert", "checkin": "checkin", "reply": "reply", "guide": "reply", "callback": "reply",
              "announcement": "notice", "notice": "notice", "reminder": "reminder"}


def enqueue(db, channel: str, to_phone: str, purpose: str, *, body: str | None = None, url: str | None = None,
            resident_id: int | None = None, ref: str | None = None, dedupe_key: str | None = None,
            not_after: str | None = None, segments: int | None = None, state: str = "queued",
            error: str | None = None, emergency: bool = False, priority: int | None = None) -> int | None:
    """Queue one message or call; None when dedupe_key was already queued (never twice).

    A resident who opted out gets only replies to their own messages and emergency warnings:
    anything else is recorded as skipped, with the reason, and never sent. Higher priority is
    sent first (PRIORITY; by default the purpose's level).
    """
    stamp = now()
    if priority is None:
        priority = PRIORITY.get(BY_PURPOSE.get(purpose, ""), 0)
    if purpose != "reply" and not emergency and state == "queued" and _opted_out(db, to_phone):
        state, error = "skipped", "opted_out"
    cursor = db.execute(
        "INSERT OR IGNORE INTO outbox (channel, to_phone, resident_id, body, url, purpose, ref, dedupe_key,"
        " not_after, segments, state, error, next_attempt_at, priority, emergency, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [channel, to_phone, resident_id, body, url, purpose, ref, dedupe_key, not_after, segments, state, error,
         stamp, priority, int(emergency), stamp, stamp])
    return cursor.lastrowid if cursor.rowcount else None


def cancel_for_opt_out(db, phone: str) -> int:
    """What is already queued for a number that opts out stops too, but its replies and emergencies."""
    return db.execute("UPDATE outbox SET state = 'cancelled', error = 'opted_out', updated_at = ? WHERE to_phone = ?"
                      " AND state = 'queued' AND purpose != 'reply' AND emergency = 0", [now(), phone]).rowcount


def listing(db, state: str | None = None, limit: int = 50) -> list[dict]:
    return list(db.query(
        "SELECT * FROM outbox WHERE (:state IS NULL OR state = :state) ORDER BY id DESC LIMIT :limit",
        {"state": state, "limit": limit}))


def describe(row: dict) -> str:
    """One line for the CLI, with the number masked."""
    what = row["body"] if row["channel"] == "sms" else row["url"] or f"{row['purpose']} {row['ref']}"
    return f"#{row['id']} {row['channel']} {mask(row['to_phone'])} {row['state']} {row['purpose']}: {what}"


def _opted_out(db, phone: str) -> bool:
    row = db.execute("SELECT opted_out_at FROM residents WHERE phone = ?", [phone]).fetchone()
    return bool(row and row[0])
