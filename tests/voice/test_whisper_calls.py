"""Callers speaking real Vietnamese at a menu, heard by Whisper through the real routes (Twilio's recording,
downloaded, recognised, matched to the menu's offer): an answer naming an option routes the call; anything else
asks again with the keypad still open."""
import uuid
import xml.etree.ElementTree as ET

import pytest

from hotline.domain import calls
from tests.conftest import BA_LAN
from tests.speech import answers
from tests.voice.conftest import Caller, spoken

NOT_UNDERSTOOD = "Xin lỗi, Loa Làng chưa nghe rõ."
WARNINGS_HEARD = "Hiện thôn Yên Nông không có cảnh báo nào."
GUIDES_HEARD = "Bác muốn nghe hướng dẫn nào?"


@pytest.fixture
def whisper_app(make_app, twilio_settings, whisper_settings):
    twilio = {k: v for k, v in twilio_settings.items() if k.startswith(("TWILIO_", "HOTLINE_TWILIO"))}
    return make_app(**twilio, **whisper_settings)


@pytest.fixture
def real_recorder(fake_twilio, vi_clips):
    """recorder(name) -> the RecordingUrl of that real recording, kept by the fake Twilio as Twilio keeps it."""
    made = {"một": lambda: answers.spoken(vi_clips, *answers.MOT),
            "a sentence": lambda: answers.spoken(vi_clips, "clip2"),
            "noise": answers.noise, "hum": answers.hum, "line hiss": lambda: answers.noise(level=0.004),
            "silence": answers.silence}

    def record(name: str) -> str:
        return fake_twilio.add_recording("RE" + uuid.uuid4().hex, made[name]())
    return record


def test_with_whisper_and_no_vosk_model_each_menu_listens(whisper_app):
    from hotline.sim.phone import Webhooks

    status, body = Webhooks(whisper_app.config, client=whisper_app.test_client()).post(
        "/voice/menu/main", {"CallSid": "CA1", "From": BA_LAN})
    assert [el.tag for el in ET.fromstring(body)] == ["Gather", "Say", "Record", "Redirect"]
    health = whisper_app.test_client().get("/health").get_json()["speech"]
    assert (health["mode"], health["engine"], health["loaded"]) == ("keypad+speech", "whisper", True)
    assert health["background"]["engine"] == "whisper"


def test_saying_an_option_in_real_speech_chooses_it(whisper_app, real_recorder):
    caller = Caller(whisper_app, BA_LAN, real_recorder)
    said = spoken(caller.call("", "một"))
    assert said[said.index("Hoặc bác nói tên mục.") + 1] == WARNINGS_HEARD
    [step] = [s for s in calls.steps(caller.db(), caller.sid) if s["event"] == "speech"]
    assert step["outcome"] == "warnings" and step["heard"].lower() == "một" and step["confidence"] >= 0.5


@pytest.mark.parametrize("recording", ["a sentence", "noise", "hum", "line hiss", "silence"])
def test_speech_naming_no_option_asks_again_with_the_keypad_open(whisper_app, real_recorder, recording):
    caller = Caller(whisper_app, BA_LAN, real_recorder)
    events = caller.call("", recording, "2")
    said = spoken(events)
    assert said[said.index("Hoặc bác nói tên mục.") + 1] == NOT_UNDERSTOOD
    assert GUIDES_HEARD in said                 # the keypad still worked: 2 after the re-prompt
    steps = calls.steps(caller.db(), caller.sid)
    assert [s["event"] for s in steps][1] == "not_understood" and steps[1]["outcome"] == "retry"


def test_an_unsure_answer_asks_again(make_app, twilio_settings, whisper_settings, real_recorder):
    twilio = {k: v for k, v in twilio_settings.items() if k.startswith(("TWILIO_", "HOTLINE_TWILIO"))}
    strict = make_app(**twilio, **whisper_settings, HOTLINE_WHISPER_MIN_CONFIDENCE="0.99")
    caller = Caller(strict, BA_LAN, real_recorder)
    said = spoken(caller.call("", "một"))
    assert said[said.index("Hoặc bác nói tên mục.") + 1] == NOT_UNDERSTOOD
    step = [s for s in calls.steps(caller.db(), caller.sid) if s["event"] == "not_understood"][0]
    assert step["heard"].lower() == "một" and step["confidence"] < 0.99
