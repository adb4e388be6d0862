"""The call log: each call, and each step of it (menu, keys, recognised words, timings), for reports."""
from __future__ import annotations

from .db import now


def start(db, sid: str, phone: str, resident_id: int | None, direction: str = "inbound") -> None:
    """Idempotent: Twilio may retry /voice/incoming, and a call-back starts a new sid."""
    db.execute("INSERT OR IGNORE INTO calls (sid, phone, resident_id, direction, started_at) VALUES (?, ?, ?, ?, ?)",
               [sid, phone, resident_id, direction, now()])


def step(db, sid: str, menu: str, event: str, outcome: str | None = None, *, input: str | None = None,
         heard: str | None = None, confidence: float | None = None, elapsed_ms: int | None = None) -> None:
    if not sid:
        return
    # A step can arrive for a call we never saw start (a restart mid-call): keep it anyway.
    db.execute("INSERT OR IGNORE INTO calls (sid, phone, started_at) VALUES (?, '', ?)", [sid, now()])
    db.execute("INSERT INTO call_steps (call_sid, at, menu, event, input, heard, confidence, outcome, elapsed_ms)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [sid, now(), menu, event, input, heard, confidence, outcome, elapsed_ms])


def finish(db, sid: str, status: str) -> None:
    db.execute("UPDATE calls SET ended_at = COALESCE(ended_at, ?), status = ? WHERE sid = ?", [now(), status, sid])


def set_outcome(db, sid: str, outcome: str) -> None:
    db.execute("UPDATE calls SET outcome = ? WHERE sid = ?", [outcome, sid])


def steps(db, sid: str) -> list[dict]:
    return list(db.query("SELECT * FROM call_steps WHERE call_sid = ? ORDER BY id", [sid]))


def summary(db, since: str | None = None) -> dict:
    """Counts for reports: calls, and how often each menu option was chosen by key or by voice."""
    since = since or "0000"
    calls = db.execute("SELECT COUNT(*) FROM calls WHERE started_at >= ?", [since]).fetchone()[0]
    rows = db.query(
        "SELECT menu, outcome, event, COUNT(*) AS n FROM call_steps WHERE at >= ? AND event IN ('key', 'speech')"
        " GROUP BY menu, outcome, event ORDER BY menu, outcome", [since])
    return {"calls": calls, "choices": list(rows)}
