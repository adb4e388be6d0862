"""Inbound SMS: the log that makes webhooks idempotent, the per-number reply cap, delivery reports.

Domain only (no flask, no twilio): the SMS routes and the sending worker both use it.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from hotline.domain import residents
from hotline.core.clock import shift
from hotline.core.db import now as utc_now, transaction
from hotline.core.phones import country_code, mask

log = logging.getLogger(__name__)

MAX_BODY = 1600          # Twilio's own limit for one inbound message; longer bodies are answered, not processed

# Provider states, each mapped onto the outbox's: a report only ever moves a row forward, so any
# arrival order ends in the same state. delivered outranks failed because carriers do send a late
# delivery receipt after an "undelivered" (never the other way round).
TWILIO_STATES = {"accepted": "sent", "queued": "sent", "scheduled": "sent", "sending": "sent", "sent": "sent",
                 "delivered": "delivered", "read": "delivered", "undelivered": "failed", "failed": "failed",
                 "canceled": "failed"}
RANK = {"sent": 1, "failed": 2, "delivered": 3}
UNSUBSCRIBED = "21610"   # Twilio: the recipient texted STOP to our number; sending again is refused
COMMUNE_CAPPED = "commune_cap"   # reply_status of a text left unanswered by HOTLINE_SMS_REPLIES_PER_HOUR_TOTAL


def find(db, transport: str, provider_id: str) -> dict | None:
    return next(db.query("SELECT * FROM sms_inbox WHERE transport = ? AND provider_id = ?",
                         [transport, provider_id]), None)


INBOX_COLUMNS = ("transport", "provider_id", "from_phone", "to_phone", "body", "body_length", "command", "outcome",
                 "resident_id", "reply", "reply_status")
_INSERT = (f"INSERT INTO sms_inbox (received_at, {', '.join(INBOX_COLUMNS)})"     # constant: columns, not values
           f" VALUES (?{', ?' * len(INBOX_COLUMNS)})")


def record(db, **row) -> int:
    """The inbox row for one message (INBOX_COLUMNS); its id."""
    if unknown := set(row) - set(INBOX_COLUMNS):
        raise TypeError(f"sms_inbox has no column {sorted(unknown)}")
    values = [row.get(c) for c in INBOX_COLUMNS]
    return db.execute(_INSERT, [utc_now(), *values]).lastrowid


def replies_within(db, phone: str, hours: float = 1.0, now: str | None = None, up_to: int | None = None) -> int:
    """Replies sent (or queued) to this number in the last `hours`; counting stops at up_to when given."""
    since = shift(now or utc_now(), hours=-hours)
    return db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM sms_inbox WHERE from_phone = ? AND received_at > ?"
                      " AND reply IS NOT NULL LIMIT ?)", [phone, since, -1 if up_to is None else up_to]).fetchone()[0]


def outcome_replies_within(db, phone: str, outcomes, hours: float, up_to: int) -> int:
    """Replies to this number in the last `hours` whose text had one of these outcomes (at most up_to)."""
    since = shift(utc_now(), hours=-hours)
    return db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM sms_inbox WHERE from_phone = ? AND received_at > ?"
                      " AND reply IS NOT NULL AND outcome IN (SELECT value FROM json_each(?)) LIMIT ?)",
                      [phone, since, json.dumps(list(outcomes)), up_to]).fetchone()[0]


def commune_replies_within(db, hours: float = 1.0, up_to: int = -1) -> int:
    """Replies to anyone in the last `hours` (the commune-wide cap); counting stops at up_to when given."""
    return db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM sms_inbox WHERE received_at > ? AND reply IS NOT NULL"
                      " LIMIT ?)", [shift(utc_now(), hours=-hours), up_to]).fetchone()[0]


def commune_capped_within(db, hours: float = 1.0, up_to: int = -1) -> int:
    """Texts the commune-wide cap left unanswered in the last `hours`; counting stops at up_to when given."""
    # COMMUNE_CAPPED written as a literal, not a parameter: only then can SQLite use the partial index of
    # these rows (migration 0016).
    since = shift(utc_now(), hours=-hours)
    return db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM sms_inbox WHERE received_at > ?"
                      " AND reply_status = 'commune_cap' LIMIT ?)", [since, up_to]).fetchone()[0]


def listing(db, limit: int = 50) -> list[dict]:
    return list(db.query("SELECT * FROM sms_inbox ORDER BY id DESC LIMIT ?", [limit]))


def last_received(db, transport: str) -> str | None:
    """When the last text came in through this transport (a silent Android gateway shows in /health)."""
    return db.execute("SELECT MAX(received_at) FROM sms_inbox WHERE transport = ?", [transport]).fetchone()[0]


def describe(row: dict) -> str:
    """One line for the CLI, the number masked."""
    reply = row["reply"] if row["reply"] is not None else f"({row['reply_status']})"
    return (f"#{row['id']} {row['received_at'][:19]} {row['transport']} {mask(row['from_phone'])} "
            f"{row['command']}/{row['outcome']}: {row['body'][:60]!r} -> {reply}")


def delivery_report(db, provider_id: str, state: str, error_code: str | None = None,
                    error: str | None = None) -> dict | None:
    """Record a provider's report and move the outbox row forward; the row, or None if not known yet."""
    if state not in RANK:
        raise ValueError(f"unknown delivery state {state!r}")
    with transaction(db):
        db["sms_delivery_reports"].insert({"provider_id": provider_id, "state": state, "error_code": error_code,
                                           "error": error, "received_at": utc_now()})
        return _apply(db, provider_id)


def apply_pending(db) -> int:
    """Apply reports that arrived before their outbox row had a provider id; how many were applied.

    Only the worker records provider ids, so its main loop sweeps (every second), not each webhook.
    """
    waiting = [r["provider_id"] for r in db.query(
        "SELECT DISTINCT r.provider_id FROM sms_delivery_reports r JOIN outbox o ON o.provider_id = r.provider_id"
        " WHERE r.applied_at IS NULL")]
    with transaction(db):
        for provider_id in waiting:
            _apply(db, provider_id)
    return len(waiting)


def _apply(db, provider_id: str) -> dict | None:
    row = next(db.query("SELECT * FROM outbox WHERE provider_id = ?", [provider_id]), None)
    if row is None:
        return None
    reports = list(db.query("SELECT * FROM sms_delivery_reports WHERE provider_id = ? ORDER BY id", [provider_id]))
    best = max(reports, key=lambda r: (RANK[r["state"]], r["id"]))
    current = RANK.get(row["state"], 0)
    stamp = utc_now()
    if RANK[best["state"]] > current:
        failed = best["state"] == "failed"    # a delivery clears an earlier failure's error
        db["outbox"].update(row["id"], {"state": best["state"], "error_code": best["error_code"] if failed else None,
                                        "error": best["error"] if failed else None, "sent_at": row["sent_at"] or stamp,
                                        "updated_at": stamp})
    if any(r["error_code"] == UNSUBSCRIBED for r in reports):
        if residents.opt_out(db, row["to_phone"], "carrier") == "opted_out":
            log.info("%s unsubscribed at the carrier (21610): opted out", mask(row["to_phone"]))
    db.execute("UPDATE sms_delivery_reports SET applied_at = ? WHERE provider_id = ? AND applied_at IS NULL",
               [stamp, provider_id])
    return next(db.query("SELECT * FROM outbox WHERE id = ?", [row["id"]]))


def housekeeping(db, config, now: str) -> None:
    """The worker's minute job: forget inbound texts and reports older than HOTLINE_SMS_LOG_DAYS.

    Inbound texts hold numbers and words people wrote: personal data, kept only as long as needed
    (the gateway retries for two days, so a replay is recognised long before a row goes).
    """
    cutoff = shift(now, hours=-24 * config.number("HOTLINE_SMS_LOG_DAYS"))
    with transaction(db):
        gone = db.execute("DELETE FROM sms_inbox WHERE received_at < ?", [cutoff]).rowcount
        db.execute("DELETE FROM sms_delivery_reports WHERE received_at < ?", [cutoff])
    if gone:
        log.info("forgot %d inbound SMS older than %s", gone, cutoff[:10])


def signature_seen(db, signature: str, window_seconds: float) -> bool:
    """True when this gateway signature was used before (a replay); else remember it for the window."""
    with transaction(db):
        db.execute("DELETE FROM gateway_signatures WHERE seen_at < ?", [shift(utc_now(), hours=-2 * window_seconds / 3600)])
        cursor = db.execute("INSERT OR IGNORE INTO gateway_signatures (signature, seen_at) VALUES (?, ?)",
                            [signature, utc_now()])
    return cursor.rowcount == 0


@dataclass(frozen=True)
class Message:
    """One inbound text, whatever carried it, as the edge parsed it."""

    transport: str          # twilio | android-gateway
    provider_id: str        # MessageSid, or the gateway's message key
    sender: str             # as the provider wrote it
    to: str | None
    body: str


def allowed_destination(config, phone: str) -> bool:
    """Outbound SMS only to the countries in HOTLINE_SMS_ALLOWED_COUNTRIES (calling codes; * = any).

    SMS-pumping fraud sends texts "from" premium foreign numbers to make us answer them.
    """
    allowed = {c.strip().lstrip("+") for c in config["HOTLINE_SMS_ALLOWED_COUNTRIES"].split(",") if c.strip()}
    if "*" in allowed:
        return True
    return country_code(phone) in allowed
