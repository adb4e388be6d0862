"""Transcripts off the call: the worker writes what the background recogniser (HOTLINE_ASR_BACKGROUND, Whisper
where its model is) heard in officials' announcements and residents' voicemails.

The worker's first periodic run starts a thread beside its loop that looks every POLL_S for a recording without
words and transcribes it, for as long as the worker runs: an announcement has its words seconds after the call
stored it — usually before the official, who is listening back to it, publishes (its SMS notice starts with
them). Whisper's model is loaded in the worker's own process, on the first transcript: never in a web worker,
never on a caller's path.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from hotline.domain import voicemail
from hotline.domain.officials import announcements
from hotline.core.db import connect

from hotline.speech import asr, audio

log = logging.getLogger(__name__)
BATCH = 5               # recordings a pass takes of each kind before it looks again
POLL_S = 2.0
_thread: threading.Thread | None = None
_stop = threading.Event()


def run_pending(db, config, limit: int = BATCH) -> int:
    """Transcribe what waits (a few of each kind); how many were done. Nothing without a background engine."""
    recogniser = asr.get_transcriber(config)
    if recogniser.engine == "none":
        return 0
    recogniser.warm()       # Whisper's model, once per process: a model that cannot load leaves every row waiting
    done = 0
    for row in announcements.untranscribed(db, limit):
        announcements.transcribed(db, row["id"], row["audio_path"], _text(recogniser, Path(row["audio_path"]),
                                                                          f"announcement #{row['id']}"))
        done += 1
    instance = config.path("HOTLINE_INSTANCE")
    for row in voicemail.untranscribed(db, limit):
        voicemail.transcribed(db, row["id"], row["audio_path"], _text(recogniser, instance / row["audio_path"],
                                                                      f"voicemail #{row['id']}"))
        done += 1
    return done


def _text(recogniser, path: Path, what: str) -> str | None:
    """The words, or None when the file is gone or not audio (logged; not tried again: the row is marked)."""
    try:
        started = time.monotonic()
        text = recogniser.transcribe(path.read_bytes())
    except (OSError, audio.AudioError) as e:
        log.warning("%s not transcribed: %s", what, type(e).__name__)
        return None
    except Exception:   # the engine failed on this recording: marked, so it is not tried again every pass
        log.exception("%s not transcribed", what)
        return None
    log.info("%s transcribed by %s in %.1f s", what, recogniser.engine, time.monotonic() - started)
    return text


def transcribe_job(db, config, now: str) -> None:
    """The worker's periodic job: (re)starts the transcription thread, which lives as long as the worker's loop."""
    global _thread
    if (_thread is None or not _thread.is_alive()) and asr.get_transcriber(config).engine != "none":
        _stop.clear()
        _thread = threading.Thread(target=_work, args=(config, db), name="transcripts", daemon=True)
        _thread.start()


def _work(config, worker_db) -> None:
    db = connect(config["HOTLINE_DB"])
    try:
        while not _stop.is_set() and _open(worker_db):
            if not run_pending(db, config):
                _stop.wait(POLL_S)
    except Exception:   # the next periodic run starts it again; the keypad and the sending never depend on it
        log.exception("transcription stopped")
    finally:
        db.conn.close()


def _open(db) -> bool:
    """The worker closes its connection when it stops: the thread stops with it (and with a test's database)."""
    try:
        db.conn.total_changes
    except sqlite3.ProgrammingError:
        return False
    return True


def stop(timeout: float = 30) -> None:
    """End the thread (tests, and a worker that stops)."""
    _stop.set()
    if _thread is not None:
        _thread.join(timeout)
