"""Voicemails left for the operator: stored with caller and time, listed for call-back, purged on retention.

Their audio is downloaded from Twilio right after the call; a download that fails is tried again by the
worker (the voice channel's job) after RETRY_MINUTES, then marked as finally failed.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from hotline.core.clock import shift, stamp
from hotline.core.db import now, transaction

# Minutes from a failed download to the next try. A passing fault (Twilio's 5xx, our network or
# credentials) is usually over within hours; the last try is a day and a half after the call.
LONGEST_SECONDS = 60      # the longest message a caller may leave (the <Record>'s maxLength)
RETRY_MINUTES = (1, 5, 30, 120, 480, 1440)
ATTEMPTS = len(RETRY_MINUTES) + 1      # the download right after the call, then one per retry


def record(db, call_sid: str, phone: str, resident_id: int | None, recording_sid: str, recording_url: str,
           duration_s: int | None) -> int:
    """Idempotent by recording sid (Twilio retries a slow action).

    The first retry is due already: should the download after the call never report (the server stopped),
    the worker still fetches the audio."""
    created = now()
    db.execute("INSERT OR IGNORE INTO voicemails (call_sid, phone, resident_id, recording_sid, recording_url,"
               " duration_s, created_at, fetch_next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               [call_sid, phone, resident_id, recording_sid, recording_url, duration_s, created,
                shift(created, minutes=RETRY_MINUTES[0])])
    return db.execute("SELECT id FROM voicemails WHERE recording_sid = ?", [recording_sid]).fetchone()[0]


def stored(db, voicemail_id: int, audio_path: str) -> None:
    db.execute("UPDATE voicemails SET audio_path = ?, fetch_error = NULL, fetch_next_at = NULL WHERE id = ?",
               [audio_path, voicemail_id])


def fetch_failed(db, voicemail_id: int, error: str, at: str, retention_days: float) -> str:
    """Count a failed download: "retrying" (next try scheduled), "failed" (given up) or "stored" (got meanwhile).

    No try is scheduled past the retention: the audio would be deleted as soon as it arrived."""
    with transaction(db):
        row = db.execute("SELECT created_at, fetch_attempts FROM voicemails WHERE id = ? AND audio_path IS NULL"
                         " AND purged_at IS NULL AND fetch_failed_at IS NULL", [voicemail_id]).fetchone()
        if row is None:
            return "stored"
        created, attempts = row[0], row[1] + 1
        next_at = shift(at, minutes=RETRY_MINUTES[attempts - 1]) if attempts < ATTEMPTS else None
        if next_at is not None and next_at < shift(created, days=retention_days):
            db.execute("UPDATE voicemails SET fetch_error = ?, fetch_attempts = ?, fetch_next_at = ? WHERE id = ?",
                       [error, attempts, next_at, voicemail_id])
            return "retrying"
        db.execute("UPDATE voicemails SET fetch_error = ?, fetch_attempts = ?, fetch_next_at = NULL,"
                   " fetch_failed_at = ? WHERE id = ?", [error, attempts, at, voicemail_id])
        return "failed"


def due_fetches(db, at: str, limit: int = 10) -> list[dict]:
    """Downloads to try again now, oldest first; a few at a time, so the worker's minute stays short."""
    return list(db.query(
        "SELECT id, recording_sid, recording_url FROM voicemails WHERE fetch_next_at <= ? AND audio_path IS NULL"
        " AND purged_at IS NULL AND fetch_failed_at IS NULL ORDER BY fetch_next_at LIMIT ?", [at, limit]))


def untranscribed(db, limit: int = 5) -> list[dict]:
    """Stored voicemails the worker has not transcribed yet, oldest first."""
    return list(db.query("SELECT id, audio_path FROM voicemails WHERE transcribed_at IS NULL AND audio_path IS NOT NULL"
                         " AND purged_at IS NULL ORDER BY id LIMIT ?", [limit]))


def transcribed(db, voicemail_id: int, audio_path: str, text: str | None) -> None:
    """What the resident said, as the recogniser heard it (unless the audio was purged meanwhile)."""
    db.execute("UPDATE voicemails SET transcript = ?, transcribed_at = ? WHERE id = ? AND audio_path = ?",
               [(text or "").strip() or None, now(), voicemail_id, audio_path])


def fetch_state(row: dict) -> str:
    """stored | purged | failed | retrying (a download failed, another is scheduled) | fetching (first one)."""
    if row["purged_at"]:
        return "purged"
    if row["audio_path"]:
        return "stored"
    if row["fetch_failed_at"]:
        return "failed"
    return "retrying" if row["fetch_attempts"] else "fetching"


def listing(db, include_handled: bool = False) -> list[dict]:
    """Each row with `fetch`, its audio's fetch_state."""
    rows = db.query(
        "SELECT v.*, r.name, vi.name AS village FROM voicemails v LEFT JOIN residents r ON r.id = v.resident_id"
        " LEFT JOIN villages vi ON vi.id = r.village_id WHERE (:all OR v.handled_at IS NULL) ORDER BY v.created_at",
        {"all": int(include_handled)})
    return [{**row, "fetch": fetch_state(row)} for row in rows]


def mark_handled(db, voicemail_id: int) -> bool:
    cursor = db.execute("UPDATE voicemails SET handled_at = ? WHERE id = ? AND handled_at IS NULL",
                        [now(), voicemail_id])
    return cursor.rowcount == 1


def purge(db, instance: Path, days: float, at: datetime | None = None) -> int:
    """Delete residents' audio older than the retention; the row (who called, when) stays for the record."""
    at = at or datetime.now(timezone.utc)
    cutoff = stamp(at - timedelta(days=days))
    purged = 0
    for row in db.query("SELECT id, audio_path FROM voicemails WHERE created_at < ? AND purged_at IS NULL",
                        [cutoff]):
        if row["audio_path"]:
            (instance / row["audio_path"]).unlink(missing_ok=True)
        # The transcript is the resident's words too: it goes with the audio.
        db.execute("UPDATE voicemails SET audio_path = NULL, recording_url = NULL, transcript = NULL, purged_at = ?"
                   " WHERE id = ?", [now(), row["id"]])
        purged += 1
    return purged


def retention_job(db, config, now: str) -> None:
    """The worker's minute job: residents' voicemail audio never outlives HOTLINE_AUDIO_RETENTION_DAYS."""
    purge(db, config.path("HOTLINE_INSTANCE"), config.number("HOTLINE_AUDIO_RETENTION_DAYS"))
