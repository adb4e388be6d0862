"""Transcripts: the worker writes what the recogniser heard in a recorded announcement; it becomes the announcement's
text (on the admin) and the start of its SMS notice. With Whisper, on real Vietnamese speech."""
import uuid

import numpy as np
import pytest

from hotline.core.db import get_db
from hotline.core.text import fold
from hotline.domain.officials import announcements
from hotline.speech import wer
from tests.conftest import ONG_TU, OPERATOR
from hotline.sending import transcripts
from hotline.speech import audio

TU_PIN = "2468"


@pytest.fixture
def officials_settings(twilio_settings):
    # The deterministic recogniser behind the same interface: it reads the words the recorder put in.
    return {**twilio_settings, "HOTLINE_ASR": "script", "HOTLINE_DEMO": "1"}


@pytest.fixture
def whisper_app(make_app, twilio_settings, whisper_settings, settings):
    """Keypad-only menus for the official (HOTLINE_ASR=off), Whisper in the background."""
    extra = {k: v for k, v in twilio_settings.items() if k not in settings}
    return make_app(**{**extra, **whisper_settings, "HOTLINE_ASR": "off", "HOTLINE_DEMO": "1"})


@pytest.fixture
def real_recorder(fake_twilio, vi_clips, recorder):
    """A clip's name records that real speech (as Twilio keeps it: 8 kHz); other words as the usual recorder."""
    def record(words: str) -> str:
        if words in vi_clips:
            return fake_twilio.add_recording("RE" + uuid.uuid4().hex, vi_clips[words][0])
        return recorder(words)
    return record


def _run_worker_job(app) -> int:
    with app.app_context():
        return transcripts.run_pending(get_db(), app.config)


def _only(app) -> dict:
    with app.app_context():
        (row,) = get_db().query("SELECT * FROM announcements")
        return row


def test_an_officials_real_recorded_announcement_gets_a_vietnamese_transcript(whisper_app, client, real_recorder,
                                                                               vi_clips):
    from tests.voice.officials.conftest import Phone

    Phone(whisper_app, whisper_app.test_client(), real_recorder, ONG_TU).call(TU_PIN + "#", "1", "clip1")
    assert _only(whisper_app)["text"] is None               # nothing was transcribed on the call's path
    assert _run_worker_job(whisper_app) == 1
    row = _only(whisper_app)
    truth = vi_clips["clip1"][1]
    assert wer.errors(truth, row["text"])[0] <= len(wer.words(truth)) // 2, row["text"]
    assert row["transcribed_at"] and row["text"] != fold(row["text"])      # Vietnamese spelling, tone marks kept
    assert row["text"] in _admin_page(whisper_app, f"/admin/announcements/{row['id']}")
    with whisper_app.app_context():
        db = get_db()
        result = announcements.publish(db, whisper_app.config, row["id"], fan_out=True, actor=OPERATOR)
        sms = db.execute("SELECT body FROM outbox WHERE ref = ? AND channel = 'sms' LIMIT 1",
                         [f"announcement:{row['id']}"]).fetchone()[0]
    start = " ".join(row["text"].split()[:4])
    assert result["queued"] and fold(start) in sms, sms       # the notice starts with the words, unaccented


def _admin_page(app, path: str) -> str:
    from tests.conftest import Browser, _official

    _official(app, "Nguyễn Văn Tư", "village_head", ONG_TU, "Yen Nong", TU_PIN)
    web = Browser(app.test_client())
    web.login()
    return web.get(path).get_data(as_text=True)


def test_the_transcript_becomes_the_text_and_the_sms_notice(phone, app):
    phone(ONG_TU).call(TU_PIN + "#", "1", "Chieu nay hop thon luc nam gio")  # hangs up while listening back
    _run_worker_job(app)
    with app.app_context():
        db = get_db()
        (row,) = db.query("SELECT * FROM announcements")
        assert row["text"] == "Chieu nay hop thon luc nam gio"
        result = announcements.publish(db, app.config, row["id"], fan_out=True, actor=OPERATOR)
        sms = db.execute("SELECT body FROM outbox WHERE ref = ? AND channel = 'sms' LIMIT 1",
                         [f"announcement:{row['id']}"]).fetchone()[0]
    assert result["queued"] and "Chieu nay hop thon luc nam gio" in sms


def test_the_admin_says_the_words_are_coming_until_the_worker_has_them(phone, app):
    phone(ONG_TU).call(TU_PIN + "#", "1", "Hop thon")
    row = _only(app)
    assert "Máy đang nghe bản ghi âm" in _admin_page(app, f"/admin/announcements/{row['id']}")
    _run_worker_job(app)
    page = _admin_page(app, f"/admin/announcements/{row['id']}")
    assert "Máy đang nghe bản ghi âm" not in page and "Hop thon" in page


def _wav(words: str) -> bytes:
    return audio.wav(np.zeros(800, np.float32), 8000, {"ICMT": words})


def test_a_re_recording_is_transcribed_anew_and_the_first_transcript_never_lands(app, tmp_path):
    first, second = tmp_path / "1.wav", tmp_path / "2.wav"
    first.write_bytes(_wav("cu"))
    second.write_bytes(_wav("moi"))
    with app.app_context():
        db = get_db()
        draft = announcements.create(db, 1, None, str(first), actor=OPERATOR)
        assert _run_worker_job(app) == 1 and announcements.get(db, draft)["text"] == "cu"
        announcements.update_draft(db, draft, audio_path=str(second), actor=OPERATOR)
        assert announcements.get(db, draft)["text"] is None         # the old words are not the new recording's
        assert not announcements.transcribed(db, draft, str(first), "cu")   # a late transcript of the old one
        assert _run_worker_job(app) == 1 and announcements.get(db, draft)["text"] == "moi"


def test_an_officials_own_words_are_never_overwritten_by_the_transcript(app, tmp_path):
    path = tmp_path / "1.wav"
    path.write_bytes(_wav("may nghe sai"))
    with app.app_context():
        db = get_db()
        draft = announcements.create(db, 1, None, str(path), actor=OPERATOR)
        assert announcements.transcript(db, draft, "Họp thôn lúc 19 giờ", actor=OPERATOR) == "saved"
        _run_worker_job(app)
        row = announcements.get(db, draft)
    assert row["text"] == "Họp thôn lúc 19 giờ" and row["transcribed_at"]


def test_without_a_speech_model_nothing_is_transcribed_and_the_recording_waits(make_app, tmp_path):
    app = make_app(HOTLINE_ASR="auto", HOTLINE_VOSK_MODEL=str(tmp_path / "none"),
                   HOTLINE_WHISPER_MODEL=str(tmp_path / "none"))
    path = tmp_path / "1.wav"
    path.write_bytes(_wav("chua co mo hinh"))
    with app.app_context():
        draft = announcements.create(get_db(), 1, None, str(path), actor=OPERATOR)
    assert _run_worker_job(app) == 0
    assert announcements.get(get_db_of(app), draft)["transcribed_at"] is None     # a model fetched later will do it


def get_db_of(app):
    from hotline.core import db as storage

    return storage.connect(app.config["HOTLINE_DB"])


def test_the_worker_transcribes_in_a_thread_beside_its_loop_until_it_stops(app, tmp_path):
    path = tmp_path / "1.wav"
    path.write_bytes(_wav("thong bao"))
    worker_db = get_db_of(app)
    transcripts.transcribe_job(worker_db, app.config, "2026-01-01T00:00:00Z")
    thread = transcripts._thread
    with app.app_context():
        db = get_db()
        draft = announcements.create(db, 1, None, str(path), actor=OPERATOR)     # recorded after it started
        for _ in range(100):
            if announcements.get(db, draft)["text"]:
                break
            thread.join(0.1)
        assert announcements.get(db, draft)["text"] == "thong bao"
    worker_db.conn.close()                   # the worker stopping
    thread.join(10)
    assert not thread.is_alive()
