"""The call log: each call, and each step of it (menu, keys, recognised words, timings), for reports.

Steps are written behind the caller's back: a menu step only appends to a queue, and a background
thread writes the queue in one transaction about every half second, so no keypress waits on a disk
write. A crash can lose the last half second of steps, never a call's start or end (written at once).
"""
from __future__ import annotations

import atexit
import logging
import threading
import time

from hotline.core.db import connect, now, transaction

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.5
STEP_COLUMNS = "call_sid, at, menu, event, input, heard, confidence, outcome, elapsed_ms"
_pending: dict[str, list[tuple]] = {}
_lock = threading.Lock()          # guards _pending
_drain_lock = threading.Lock()    # one writer at a time
_writer: threading.Thread | None = None


def start(db, sid: str, phone: str, resident_id: int | None, direction: str = "inbound") -> None:
    """Idempotent: Twilio may retry /voice/incoming, and a call-back starts a new sid."""
    db.execute("INSERT OR IGNORE INTO calls (sid, phone, resident_id, direction, started_at) VALUES (?, ?, ?, ?, ?)",
               [sid, phone, resident_id, direction, now()])


def step(db, sid: str, menu: str, event: str, outcome: str | None = None, *, input: str | None = None,
         heard: str | None = None, confidence: float | None = None, elapsed_ms: int | None = None) -> None:
    if not sid:
        return
    row = (sid, now(), menu, event, input, heard, confidence, outcome, elapsed_ms)
    path = _path(db)
    if path is None:            # an in-memory database has no other connection to write it
        db.execute(f"INSERT INTO call_steps ({STEP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        return
    queue(path, row)


def queue(path: str, row: tuple) -> None:
    """Queue a step row (STEP_COLUMNS) for the database file at path; no connection needed."""
    with _lock:
        _pending.setdefault(str(path), []).append(row)
    _ensure_writer()


def flush() -> None:
    """Write every queued step now (reports and tests call it before reading)."""
    with _drain_lock:
        with _lock:
            batches = dict(_pending)
            _pending.clear()
        for path, rows in batches.items():
            database = connect(path)
            try:
                with transaction(database):
                    database.conn.executemany(
                        f"INSERT INTO call_steps ({STEP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            except Exception:  # the log must never take calls down; say how much was lost
                log.exception("call log: %d steps could not be written", len(rows))
            finally:
                database.conn.close()


def _ensure_writer() -> None:
    global _writer
    if _writer is None or not _writer.is_alive():
        with _lock:
            if _writer is None or not _writer.is_alive():
                _writer = threading.Thread(target=_write_forever, name="call-log", daemon=True)
                _writer.start()


def _write_forever() -> None:
    while True:
        time.sleep(FLUSH_SECONDS)
        flush()


def _path(db) -> str | None:
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or None
    return None


atexit.register(flush)


def finish(db, sid: str, status: str) -> None:
    db.execute("UPDATE calls SET ended_at = COALESCE(ended_at, ?), status = ? WHERE sid = ?", [now(), status, sid])


def set_outcome(db, sid: str, outcome: str) -> None:
    db.execute("UPDATE calls SET outcome = ? WHERE sid = ?", [outcome, sid])


def steps(db, sid: str) -> list[dict]:
    flush()
    return list(db.query("SELECT * FROM call_steps WHERE call_sid = ? ORDER BY id", [sid]))


def summary(db, since: str | None = None) -> dict:
    """Counts for reports: calls, and how often each menu option was chosen by key or by voice."""
    flush()
    since = since or "0000"
    calls = db.execute("SELECT COUNT(*) FROM calls WHERE started_at >= ?", [since]).fetchone()[0]
    rows = db.query(
        "SELECT menu, outcome, event, COUNT(*) AS n FROM call_steps WHERE at >= ? AND event IN ('key', 'speech')"
        " GROUP BY menu, outcome, event ORDER BY menu, outcome", [since])
    return {"calls": calls, "choices": list(rows)}
