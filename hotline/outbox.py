"""The outbox: every outbound SMS and call is a row first, sent later by a transport."""
from __future__ import annotations

from .db import now
from .phones import mask

TERMINAL = ("delivered", "failed", "expired", "cancelled", "skipped")


def enqueue(db, channel: str, to_phone: str, purpose: str, *, body: str | None = None, url: str | None = None,
            resident_id: int | None = None, ref: str | None = None, dedupe_key: str | None = None,
            not_after: str | None = None, segments: int | None = None, state: str = "queued",
            error: str | None = None, emergency: bool = False, priority: int = 0) -> int | None:
    """Queue one message or call; None when dedupe_key was already queued (never twice).

    A resident who opted out gets only replies to their own messages and emergency warnings:
    anything else is recorded as skipped, with the reason, and never sent. Higher priority is
    sent first (migration 0008; replies get 9 by trigger).
    """
    stamp = now()
    if purpose != "reply" and not emergency and state == "queued" and _opted_out(db, to_phone):
        state, error = "skipped", "opted_out"
    cursor = db.execute(
        "INSERT OR IGNORE INTO outbox (channel, to_phone, resident_id, body, url, purpose, ref, dedupe_key,"
        " not_after, segments, state, error, next_attempt_at, priority, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [channel, to_phone, resident_id, body, url, purpose, ref, dedupe_key, not_after, segments, state, error,
         stamp, priority, stamp, stamp])
    return cursor.lastrowid if cursor.rowcount else None


def listing(db, state: str | None = None, limit: int = 50) -> list[dict]:
    return list(db.query(
        "SELECT * FROM outbox WHERE (:state IS NULL OR state = :state) ORDER BY id DESC LIMIT :limit",
        {"state": state, "limit": limit}))


def describe(row: dict) -> str:
    """One line for the CLI, with the number masked."""
    what = row["body"] if row["channel"] == "sms" else row["url"]
    return f"#{row['id']} {row['channel']} {mask(row['to_phone'])} {row['state']} {row['purpose']}: {what}"


def _opted_out(db, phone: str) -> bool:
    row = db.execute("SELECT opted_out_at FROM residents WHERE phone = ?", [phone]).fetchone()
    return bool(row and row[0])
