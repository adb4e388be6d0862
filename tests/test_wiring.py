"""Nothing joins the machine by being imported: through the public entry points alone, in a fresh interpreter,
`hotline worker` runs every periodic job and an SMS "2" after a check-in reaches the check-in handler."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

from hotline import demo
from hotline.core import clock, db as storage
from hotline.core.config import Config
from hotline.domain import alerts, lessons, officials, places, residents, voicemail
from hotline.domain.officials import announcements
from hotline.sending.recordings import local_folder
from hotline.sim.speech import speech_wav
from tests.conftest import BA_LAN, CHI_HOA, ONG_TU, OPERATOR

HOTLINE = [sys.executable, "-c", "from hotline.cli.main import main; main()"]
LONG_AGO = "2026-01-01T00:00:00.000000Z"


def _resident(db, phone):
    return residents.by_phone(db, phone)["id"]


def _work_for_every_job(db, config, clip: bytes) -> dict:
    """Something for each periodic job to do; returns what to look for once it ran."""
    yen_nong = places.find_village(db, "Yên Nông")["id"]
    # alerts.expire: a published warning whose end has passed
    ended = alerts.create(db, "flood", 2, "Nuoc da rut", [yen_nong], actor=OPERATOR)
    alerts.publish(db, config, ended, actor=OPERATOR)
    db.execute("UPDATE alerts SET expires_at = ? WHERE id = ?", [LONG_AGO, ended])
    # render.new_warnings_job: a warning just published, not yet rendered
    words = "Nước sông Hồng lên nhanh, bà con Yên Nông chuẩn bị di dời."
    fresh = alerts.create(db, "flood", 3, words, [yen_nong], actor=OPERATOR)
    alerts.publish(db, config, fresh, actor=OPERATOR)
    # reminders.queue_due: a lesson in three hours with someone enrolled
    start = datetime.now(timezone.utc) + timedelta(hours=3)
    lesson = lessons.create(db, "smartphone", "Nhà văn hóa", clock.stamp(start), 5, actor=OPERATOR)
    lessons.enrol(db, lesson, _resident(db, CHI_HOA), now=clock.stamp(start - timedelta(days=3)))
    # announcements.drop_stale_drafts: a draft an official left two days ago
    tu = officials.by_phone(db, ONG_TU)
    draft = announcements.create(db, tu["id"], yen_nong, None, "Hop thon", actor=OPERATOR)
    db.execute("UPDATE announcements SET created_at = ? WHERE id = ?", [LONG_AGO, draft])
    # transcripts.transcribe_job: a recording of real speech without its words yet
    recording = config.path("HOTLINE_INSTANCE") / "recordings" / "announcements" / "real.wav"
    recording.parent.mkdir(parents=True, exist_ok=True)
    recording.write_bytes(clip)
    heard = announcements.create(db, tu["id"], yen_nong, str(recording), actor=OPERATOR)
    # voicemail_fetch.retry_job: a voicemail whose audio is due for a retry (the simulator's, in local mode)
    sid = "RE" + "a" * 32
    local_folder(config).mkdir(parents=True, exist_ok=True)
    (local_folder(config) / f"{sid}.wav").write_bytes(speech_wav("xin goi lai"))
    retried = voicemail.record(db, "CA1", BA_LAN, _resident(db, BA_LAN), sid, f"https://api.twilio.com/x/{sid}", 3)
    db.execute("UPDATE voicemails SET fetch_next_at = ? WHERE id = ?", [LONG_AGO, retried])
    # voicemail.retention_job: audio kept longer than the retention
    old_audio = config.path("HOTLINE_INSTANCE") / "recordings" / "voicemail" / "RE-old.wav"
    old_audio.parent.mkdir(parents=True, exist_ok=True)
    old_audio.write_bytes(b"RIFF")
    old = voicemail.record(db, "CA2", BA_LAN, None, "RE" + "b" * 32, "https://api.twilio.com/x/old", 3)
    voicemail.stored(db, old, "recordings/voicemail/RE-old.wav")
    db.execute("UPDATE voicemails SET created_at = ?, fetch_next_at = NULL WHERE id = ?", [LONG_AGO, old])
    # inbox.housekeeping: a text received long ago
    db.execute("INSERT INTO sms_inbox (transport, provider_id, from_phone, body, body_length, command, outcome,"
               " reply_status, received_at) VALUES ('twilio', 'SMold', ?, 'HELP', 4, 'help', 'answered', 'replied', ?)",
               [BA_LAN, LONG_AGO])
    return {"ended": ended, "words": words, "lesson": lesson, "draft": draft, "retried": retried,
            "old_audio": old_audio, "heard": heard}


def _done(db, config, work) -> dict:
    index = config.path("HOTLINE_INSTANCE") / "audio-cache" / "index.tsv"
    return {
        "alerts.expire": alerts.get(db, work["ended"])["status"] == "expired",
        "render.new_warnings_job": index.exists() and work["words"] in index.read_text("utf-8"),
        "reminders.queue_due": db.execute("SELECT COUNT(*) FROM outbox WHERE purpose = 'reminder'").fetchone()[0] > 0,
        "announcements.drop_stale_drafts": announcements.get(db, work["draft"])["status"] == "cancelled",
        "transcripts.transcribe_job": bool(announcements.get(db, work["heard"])["text"]),
        "voicemail_fetch.retry_job": db.execute("SELECT audio_path FROM voicemails WHERE id = ?",
                                                [work["retried"]]).fetchone()[0] is not None,
        "voicemail.retention_job": not work["old_audio"].exists(),
        "inbox.housekeeping": db.execute("SELECT COUNT(*) FROM sms_inbox WHERE provider_id = 'SMold'"
                                         ).fetchone()[0] == 0,
    }


def test_the_worker_command_runs_every_periodic_job(tmp_path, whisper_settings, vi_clips):
    env = {**os.environ, "HOTLINE_DB": str(tmp_path / "hotline.db"), "HOTLINE_INSTANCE": str(tmp_path / "var"),
           "HOTLINE_TTS_ENGINES": "espeak", "HOTLINE_PUBLIC_URL": "https://hotline.example.vn", **whisper_settings}
    config = Config.from_env(env)
    db = storage.connect(config["HOTLINE_DB"])
    storage.migrate(db)
    demo.load(db)
    clip, _ = next(iter(vi_clips.values()))
    work = _work_for_every_job(db, config, clip)
    worker = subprocess.Popen(HOTLINE + ["worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(_done(db, config, work).values()):
            time.sleep(0.5)
        done = _done(db, config, work)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, said = worker.communicate(timeout=30)
        db.conn.close()
    assert [job for job, ran in done.items() if not ran] == [], said.decode()[-2000:]


CHECKIN_SCRIPT = """
import sys
from hotline.app import create_app
from hotline.core.db import get_db
from hotline.domain import places
from hotline.domain.alerts import checkins
from hotline.domain.officials.permissions import Actor
from hotline.sim.phone import Webhooks, send_sms

app = create_app({"TESTING": True, "HOTLINE_DB": sys.argv[1], "HOTLINE_INSTANCE": sys.argv[2],
                  "HOTLINE_PUBLIC_URL": "https://hotline.example.vn", "HOTLINE_SECRET_KEY": "k"})
with app.app_context():
    village = places.find_village(get_db(), "Yên Nông")["id"]
    checkins.start(get_db(), app.config, [village], actor=Actor.operator())
status, replies = send_sms(Webhooks(app.config, client=app.test_client()), sys.argv[3], "2")
print(status, replies[0] if replies else "")
"""


def test_an_sms_2_after_a_checkin_reaches_the_checkin_handler_from_the_public_entry_point(tmp_path):
    from hotline.core import prompts

    path = tmp_path / "hotline.db"
    db = storage.connect(path)
    storage.migrate(db)
    demo.load(db)
    db.conn.close()
    done = subprocess.run([sys.executable, "-c", CHECKIN_SCRIPT, str(path), str(tmp_path / "var"), BA_LAN],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"200 {prompts.sms('alerts.sms.checkin_thanks_help')}"
    db = storage.connect(path)
    answers = [tuple(r) for r in db.execute("SELECT answer, channel FROM checkin_answers")]
    db.conn.close()
    assert answers == [("help", "sms")]
