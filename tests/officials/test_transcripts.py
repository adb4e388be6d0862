"""Transcripts: with a speech model the recording's words become the announcement's text and its SMS notice."""
import pytest

from hotline.domain.officials import announcements
from hotline.core.config import Config
from hotline.core.db import get_db
from tests.conftest import ONG_TU, OPERATOR
from voice import officials_record

TU_PIN = "2468"


@pytest.fixture
def officials_settings(twilio_settings):
    # The deterministic recogniser behind the same interface as Vosk: it reads the words the recorder put in.
    return {**twilio_settings, "HOTLINE_ASR": "script", "HOTLINE_DEMO": "1"}


def _wait():
    for thread in list(officials_record.TRANSCRIBING):
        thread.join(timeout=10)


def test_the_transcript_becomes_the_text_and_the_sms_notice(phone, app):
    phone(ONG_TU).call(TU_PIN + "#", "1", "Chieu nay hop thon luc nam gio")  # hangs up while listening back
    _wait()
    with app.app_context():
        db = get_db()
        (row,) = db.query("SELECT * FROM announcements")
        assert row["text"] == "Chieu nay hop thon luc nam gio"
        result = announcements.publish(db, app.config, row["id"], fan_out=True, actor=OPERATOR)
        sms = db.execute("SELECT body FROM outbox WHERE ref = ? AND channel = 'sms' LIMIT 1",
                         [f"announcement:{row['id']}"]).fetchone()[0]
    assert result["queued"] and "Chieu nay hop thon luc nam gio" in sms


def test_a_re_recording_is_not_overwritten_by_the_first_transcript(app, tmp_path):
    from hotline.speech import asr, audio

    with app.app_context():
        db = get_db()
        first, second = str(tmp_path / "1.wav"), str(tmp_path / "2.wav")
        draft = announcements.create(db, 1, None, first, actor=OPERATOR)
        announcements.update_draft(db, draft, audio_path=second, actor=OPERATOR)
        recogniser = asr.get_recogniser(app.config)
        officials_record._transcribe(app.config["HOTLINE_DB"], recogniser, draft, first,
                                     audio.wav([0.0] * 800, 8000, {"ICMT": "cu"}))
        officials_record._transcribe(app.config["HOTLINE_DB"], recogniser, draft, second,
                                     audio.wav([0.0] * 800, 8000, {"ICMT": "moi"}))
        assert announcements.get(db, draft)["text"] == "moi"


def test_without_a_speech_model_nothing_is_transcribed(app):
    config = Config.from_env({}, HOTLINE_ASR="off")
    assert officials_record.transcribe_later(config, 1, "x.wav", b"") is None
