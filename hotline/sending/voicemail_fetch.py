"""Voicemail audio: downloaded from Twilio once the caller has been answered, and again by the worker when that fails.

hotline.domain.voicemail keeps the schedule (RETRY_MINUTES) and the outcome; this is the channel's half: the
download itself, in a thread after the call and in the worker's minute job for the retries.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from hotline.core import clock, private
from hotline.domain import voicemail
from hotline.core.db import connect

from hotline.speech import audio
from hotline.sending import recordings

log = logging.getLogger(__name__)
_fetching: list[threading.Thread] = []
BACKGROUND_DEADLINE_S = 60


def fetch_later(config, vm_id: int, sid: str, posted: str) -> None:
    """Download after we have answered: Twilio's action waits for us, the caller hears nothing meanwhile."""
    def run():
        database = connect(config["HOTLINE_DB"])
        try:
            fetch(database, config, vm_id, sid, posted)
        finally:
            database.conn.close()
    thread = threading.Thread(target=run, name=f"voicemail-{vm_id}", daemon=True)
    _fetching[:] = [t for t in _fetching if t.is_alive()] + [thread]
    thread.start()


def wait_for_fetches(timeout: float = 30) -> None:
    for thread in list(_fetching):
        thread.join(timeout)


def fetch(db, config, vm_id: int, sid: str, posted: str, at: str | None = None) -> bool:
    """Keep a local copy, so the message outlives Twilio's copy and obeys our retention.

    sid: the RecordingSid (the address is built from it); posted: the RecordingUrl, used only by the simulator.
    at: the moment of this try (the worker's clock); a failure schedules the next try from it."""

    try:
        # In the background: more time than a menu step has, for a minute of audio on a slow line.
        data = recordings.download(config, sid, posted, seconds=voicemail.LONGEST_SECONDS, deadline_s=BACKGROUND_DEADLINE_S)
    except audio.AudioError as e:
        outcome = voicemail.fetch_failed(db, vm_id, str(e), at or clock.now(),
                                         config.number("HOTLINE_AUDIO_RETENTION_DAYS"))
        log.warning("voicemail %s: audio not downloaded (%s); %s", vm_id, e, outcome)
        return False
    relative = Path("recordings") / "voicemail" / f"{sid}.{recordings.audio_kind(data)}"   # a checked sid: a safe name
    target = config.path("HOTLINE_INSTANCE") / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    private.write(target, data)
    voicemail.stored(db, vm_id, relative.as_posix())
    recordings.delete(config, sid, posted)     # our copy obeys HOTLINE_AUDIO_RETENTION_DAYS; Twilio's would not
    return True


def retry_job(db, config, now: str) -> None:
    """The worker's minute job: failed (or never finished) downloads are tried again when they are due."""
    for row in voicemail.due_fetches(db, now):
        fetch(db, config, row["id"], row["recording_sid"] or "", row["recording_url"] or "", at=now)
