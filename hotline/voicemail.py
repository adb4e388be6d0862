"""Voicemails left for the operator: stored with caller and time, listed for call-back, purged on retention."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from .clock import stamp
from .db import now


def record(db, call_sid: str, phone: str, resident_id: int | None, recording_sid: str, recording_url: str,
           duration_s: int | None) -> int:
    """Idempotent by recording sid (Twilio retries a slow action)."""
    db.execute("INSERT OR IGNORE INTO voicemails (call_sid, phone, resident_id, recording_sid, recording_url,"
               " duration_s, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
               [call_sid, phone, resident_id, recording_sid, recording_url, duration_s, now()])
    return db.execute("SELECT id FROM voicemails WHERE recording_sid = ?", [recording_sid]).fetchone()[0]


def stored(db, voicemail_id: int, audio_path: str | None, error: str | None = None) -> None:
    db.execute("UPDATE voicemails SET audio_path = ?, fetch_error = ? WHERE id = ?", [audio_path, error, voicemail_id])


def listing(db, include_handled: bool = False) -> list[dict]:
    return list(db.query(
        "SELECT v.*, r.name, vi.name AS village FROM voicemails v LEFT JOIN residents r ON r.id = v.resident_id"
        " LEFT JOIN villages vi ON vi.id = r.village_id WHERE (:all OR v.handled_at IS NULL) ORDER BY v.created_at",
        {"all": int(include_handled)}))


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
        db.execute("UPDATE voicemails SET audio_path = NULL, recording_url = NULL, purged_at = ? WHERE id = ?",
                   [now(), row["id"]])
        purged += 1
    return purged


def retention_job(db, config, now: str) -> None:
    """The worker's minute job: residents' voicemail audio never outlives HOTLINE_AUDIO_RETENTION_DAYS."""
    purge(db, config.path("HOTLINE_INSTANCE"), config.number("HOTLINE_AUDIO_RETENTION_DAYS"))


def _register_job() -> None:
    from . import worker

    if retention_job not in worker.PERIODIC_JOBS:
        worker.PERIODIC_JOBS.append(retention_job)


_register_job()
