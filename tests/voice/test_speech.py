"""Speech at every menu: a short <Record> after the keypad, downloaded from Twilio, matched to the grammar."""
import pytest

from hotline.domain import calls
from tests.conftest import BA_LAN
from tests.voice.conftest import Caller, spoken
from hotline.sending import recordings

MAIN_INTRO = "Mời bác chọn."


def _main_menu(app):
    from hotline.sim.phone import Webhooks
    import xml.etree.ElementTree as ET

    status, body = Webhooks(app.config, client=app.test_client()).post("/voice/menu/main", {"CallSid": "CA1",
                                                                                          "From": BA_LAN})
    return ET.fromstring(body)


def test_with_a_recogniser_each_menu_listens_briefly_after_the_keypad(speech_app):
    root = _main_menu(speech_app)
    assert [el.tag for el in root] == ["Gather", "Say", "Record", "Redirect"]
    record = root.find("Record")
    assert record.get("maxLength") == "4" and record.get("playBeep") == "false"
    assert record.get("action").endswith("ev=speech&n=0")
    assert root.find("Say").text == "Hoặc bác nói tên mục."


@pytest.mark.parametrize("words, first_heard", [
    ("cảnh báo", "Hiện thôn Yên Nông không có cảnh báo nào."),
    ("lũ", "Hiện thôn Yên Nông không có cảnh báo nào."),
    ("hướng dẫn", "Bác muốn nghe hướng dẫn nào?"),
    ("hai", "Bác muốn nghe hướng dẫn nào?"),
    ("số hai", "Bác muốn nghe hướng dẫn nào?"),
    ("con muốn nghe thông báo", None),                  # the option inside a sentence
    ("tổng đài", "Bây giờ ngoài giờ làm việc."),
    ("huong dan", "Bác muốn nghe hướng dẫn nào?"),      # unaccented text still matches
])
def test_saying_an_option_chooses_it(speech_app, recorder, words, first_heard):
    caller = Caller(speech_app, BA_LAN, recorder)
    said = spoken(caller.call("", words))
    after = said[said.index("Hoặc bác nói tên mục.") + 1]
    if first_heard:
        assert after == first_heard
    else:
        assert after in ("Thông báo mới nhất.", "Hiện chưa có thông báo mới.")
    [step] = [s for s in calls.steps(caller.db(), caller.sid) if s["event"] == "speech"]
    assert step["heard"] and step["confidence"] == 1.0 and step["outcome"]


@pytest.mark.parametrize("words, expected", [
    ("nhắc lại", MAIN_INTRO),           # repeat
    ("quay lại", MAIN_INTRO),           # main menu
])
def test_repeat_and_back_by_voice(speech_app, recorder, words, expected):
    said = spoken(Caller(speech_app, BA_LAN, recorder).call("", words))
    assert said.count(expected) == 2


def test_words_outside_the_menu_reprompt_without_hanging_up(speech_app, recorder):
    caller = Caller(speech_app, BA_LAN, recorder)
    said = spoken(caller.call("", "xin chào", "2"))
    assert "Xin lỗi, Loa Làng chưa nghe rõ." in said
    assert said[-1] != "Loa Làng cảm ơn bác đã gọi. Khi cần, bác cứ gọi lại. Chào bác."
    assert "Bác muốn nghe hướng dẫn nào?" in said
    assert [s["event"] for s in calls.steps(caller.db(), caller.sid)][1] == "not_understood"


def test_silence_at_the_speech_prompt_counts_as_silence(speech_app, recorder):
    said = spoken(Caller(speech_app, BA_LAN, recorder).call("", "", "", "", "", ""))
    assert said.count("Bác chưa chọn.") == 2
    assert said[-1] == "Loa Làng cảm ơn bác đã gọi. Khi cần, bác cứ gọi lại. Chào bác."


@pytest.mark.parametrize("failure", ["404", "500", "undecodable", "empty"])
def test_a_recording_that_cannot_be_used_falls_back_to_the_keypad(speech_app, fake_twilio, monkeypatch, failure):
    monkeypatch.setattr(recordings, "BACKOFF_S", 0)

    def recorder(words):
        sid = "RE" + "5" * 32
        if failure == "undecodable":
            fake_twilio.add_recording(sid, b"ID3\x04not a wav at all", "audio/mpeg")
        elif failure == "empty":
            fake_twilio.add_recording(sid, b"RIFF\x04\x00\x00\x00WAVE")
        elif failure == "500":
            fake_twilio.recordings[sid] = None      # the fake's view fails on it: a 500
        return f"https://api.twilio.com/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/{sid}"
    caller = Caller(speech_app, BA_LAN, recorder)
    events = caller.call("", "hướng dẫn", "2")
    assert not [e for e in events if e.kind == "error"]
    said = spoken(events)
    assert "Bác vui lòng bấm phím." in said
    assert "Bác muốn nghe hướng dẫn nào?" in said           # and the keypad still works
    assert "speech_failed" in [s["event"] for s in calls.steps(caller.db(), caller.sid)]


def test_keypad_only_without_a_model_and_health_says_so(keypad_app, make_app, tmp_path):
    root = _main_menu(keypad_app)
    assert root.find("Record") is None
    app = make_app(HOTLINE_ASR="auto", HOTLINE_VOSK_MODEL=str(tmp_path / "no-model"))
    body = app.test_client().get("/health").get_json()
    assert body["ok"] is True
    assert body["speech"]["mode"] == "keypad-only" and "no Vosk model" in body["speech"]["reason"]


def test_health_says_speech_is_on_with_a_recogniser(speech_app):
    assert speech_app.test_client().get("/health").get_json()["speech"]["mode"] == "keypad+speech"


def test_a_broken_model_folder_leaves_the_keypad_working(make_app, tmp_path):
    broken = tmp_path / "model"
    (broken / "am").mkdir(parents=True)
    app = make_app(HOTLINE_ASR="auto", HOTLINE_VOSK_MODEL=str(broken))
    assert "failed to load" in app.test_client().get("/health").get_json()["speech"]["reason"]
    assert "Bác muốn nghe hướng dẫn nào?" in spoken(Caller(app, BA_LAN).call("2"))


def test_what_a_caller_said_is_deleted_at_twilio_after_recognition(speech_app, recorder, fake_twilio):
    Caller(speech_app, BA_LAN, recorder).call("", "hướng dẫn")
    recordings.wait_for_deletions()
    deleted = [path for method, path in fake_twilio.requests if method == "DELETE"]
    assert len(deleted) == 1 and deleted[0].endswith(".json") and "/Recordings/RE" in deleted[0]
    assert fake_twilio.recordings == {}


@pytest.mark.parametrize("digits, expected", [("2", "Bác muốn nghe hướng dẫn nào?"), ("9", "Phím đó không có trong danh sách.")])
def test_a_key_pressed_while_listening_is_taken_as_the_key(speech_app, recorder, digits, expected):
    from hotline.sim.phone import Webhooks
    import xml.etree.ElementTree as ET

    hooks = Webhooks(speech_app.config, client=speech_app.test_client())
    status, body = hooks.post("/voice/menu/main?ev=speech&n=0", {"CallSid": "CA1", "From": BA_LAN,
                                                               "RecordingUrl": recorder("xin chào"), "Digits": digits})
    root = ET.fromstring(body)
    if root.find("Redirect") is not None and root.find("Gather") is None:
        status, body = hooks.post(root.find("Redirect").text, {"CallSid": "CA1", "From": BA_LAN})
        root = ET.fromstring(body)
    assert expected in [el.text for el in root.iter("Say")]
