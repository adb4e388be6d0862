"""Web admin sessions kept on the server (admin_sessions, migration 0015).

Flask's cookie is signed but stateless: a copied cookie would outlive logout. So the cookie carries only a
random id, and a session is live while its row here is not ended and was seen in the last idle_hours.
"""
from __future__ import annotations

import hashlib
import secrets

from hotline.core.clock import shift
from hotline.core.db import now as utc_now, transaction

TOUCH_SECONDS = 60      # seen_at is written at most once a minute: one small write, not one per click
KEEP_DAYS = 30          # ended and idle rows stay this long: who was logged in when


def start(db, official_id: int, now: str | None = None) -> str:
    """A new session for the official; the returned id goes into the signed cookie and nowhere else."""
    token, now = secrets.token_urlsafe(32), now or utc_now()
    with transaction(db):
        db.execute("DELETE FROM admin_sessions WHERE seen_at < ?", [shift(now, days=-KEEP_DAYS)])
        db["admin_sessions"].insert({"id": _key(token), "official_id": official_id, "created_at": now,
                                     "seen_at": now})
    return token


def official_id(db, token: str | None, idle_hours: float, now: str | None = None) -> int | None:
    """The official of a live session (not ended, seen within idle_hours), None for any other token."""
    if not token:
        return None
    now = now or utc_now()
    row = db.execute("SELECT official_id, seen_at FROM admin_sessions WHERE id = ? AND ended_at IS NULL"
                     " AND seen_at > ?", [_key(token), shift(now, hours=-idle_hours)]).fetchone()
    if row is None:
        return None
    if row[1] < shift(now, seconds=-TOUCH_SECONDS):
        with transaction(db):
            db.execute("UPDATE admin_sessions SET seen_at = ? WHERE id = ?", [now, _key(token)])
    return row[0]


def end(db, token: str | None, why: str) -> None:
    if token:
        with transaction(db):
            db.execute("UPDATE admin_sessions SET ended_at = ?, ended_why = ? WHERE id = ? AND ended_at IS NULL",
                       [utc_now(), why, _key(token)])


def end_all(db, official_id: int, why: str) -> int:
    """Every live session of the official (a new password, a disabled account); how many were ended."""
    with transaction(db):
        return db.execute("UPDATE admin_sessions SET ended_at = ?, ended_why = ? WHERE official_id = ?"
                          " AND ended_at IS NULL", [utc_now(), why, official_id]).rowcount


def _key(token: str) -> str:
    # Stored hashed: a copy of the database (a backup) holds no cookie that would open the admin.
    return hashlib.sha256(token.encode()).hexdigest()
