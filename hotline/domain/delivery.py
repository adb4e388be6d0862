"""Call status callbacks, applied monotonically: a late "ringing" never undoes "completed".

Calls that end busy, unanswered or failed are queued again at growing intervals
(HOTLINE_CALL_RETRY_MINUTES) up to HOTLINE_CALL_RETRIES times, never past the row's not_after.
"""
from __future__ import annotations

from hotline.core import clock
from hotline.core.db import now as utc_now, transaction

CALL_RANK = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3, "answered": 3,
             "completed": 4, "busy": 4, "no-answer": 4, "failed": 4, "canceled": 4}
RETRY = ("busy", "no-answer", "failed")


def record_attempt(db, outbox_id: int, provider_id: str) -> None:
    """The worker notes each call it placed (inside its own transaction)."""
    attempt = db.execute("SELECT COUNT(*) FROM call_attempts WHERE outbox_id = ?", [outbox_id]).fetchone()[0] + 1
    db.execute("INSERT OR IGNORE INTO call_attempts (provider_id, outbox_id, attempt, status, rank, updated_at)"
               " VALUES (?, ?, ?, 'queued', 0, ?)", [provider_id, outbox_id, attempt, utc_now()])


def call_status(db, config, sid: str, status: str, answered_by: str | None = None,
                duration: str | None = None) -> str:
    """Apply one call status callback. Outcome: stale | progress | delivered | retry | failed | unknown."""
    rank = CALL_RANK.get(status)
    if rank is None:
        return "unknown"
    with transaction(db):
        attempt = next(db.query("SELECT * FROM call_attempts WHERE provider_id = ?", [sid]), None)
        if attempt is None:
            return "unknown"
        if rank <= attempt["rank"]:
            return "stale"
        db.execute("UPDATE call_attempts SET status = ?, rank = ?, answered_by = COALESCE(?, answered_by),"
                   " duration = COALESCE(?, duration), updated_at = ? WHERE provider_id = ?",
                   [status, rank, answered_by, duration, utc_now(), sid])
        if rank < 4:
            return "progress"
        row = next(db.query("SELECT * FROM outbox WHERE id = ?", [attempt["outbox_id"]]))
        if row["provider_id"] != sid or row["state"] not in ("sent", "claimed"):
            return "stale"   # an earlier attempt, or the row already ended (cancelled, expired)
        return _final(db, config, row, attempt["attempt"], status, answered_by)


def _final(db, config, row: dict, attempt: int, status: str, answered_by: str | None) -> str:
    now = utc_now()
    if status == "completed":
        machine = (answered_by or "").startswith("machine") or answered_by == "fax"
        db.execute("UPDATE outbox SET state = 'delivered', error = ?, updated_at = ? WHERE id = ?",
                   ["machine" if machine else None, now, row["id"]])
        return "delivered"
    delays = [float(m) for m in str(config["HOTLINE_CALL_RETRY_MINUTES"]).split(",") if m.strip()] or [5.0]
    retries = int(config.number("HOTLINE_CALL_RETRIES"))
    if status in RETRY and attempt <= retries:
        due = clock.shift(now, minutes=delays[min(attempt, len(delays)) - 1])
        if row["not_after"] is None or due < row["not_after"]:
            db.execute("UPDATE outbox SET state = 'queued', next_attempt_at = ?, error = ?, updated_at = ?"
                       " WHERE id = ?", [due, status, now, row["id"]])
            return "retry"
    db.execute("UPDATE outbox SET state = 'failed', error = ?, updated_at = ? WHERE id = ?", [status, now, row["id"]])
    return "failed"
