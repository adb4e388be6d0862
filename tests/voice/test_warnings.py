"""Menu 1 and warning-first: bà Lan hears Yên Nông's warning before the menu; anh Minh registers by phone."""
import numpy as np
import pytest

from hotline.domain import residents
from tests.conftest import ANH_MINH, BA_LAN, CHI_HOA
from tests.voice.conftest import Caller, add_alert, seconds_before, spoken
from hotline.speech import audio

FLOOD = "Mưa lớn, nước sông Hồng đang lên. Bà con kê cao đồ đạc và di chuyển tới nhà văn hóa thôn."


def _incoming(app, phone):
    from hotline.sim.phone import Webhooks

    hooks = Webhooks(app.config, client=app.test_client())
    status, body = hooks.post("/voice/incoming", {"CallSid": "CA" + "7" * 32, "From": phone, "To": "+84240000000"})
    assert status == 200
    import xml.etree.ElementTree as ET

    return ET.fromstring(body)


def test_a_registered_caller_hears_the_warning_first_within_8_seconds(keypad_app):
    add_alert(keypad_app, FLOOD, ["Yên Nông"])
    root = _incoming(keypad_app, BA_LAN)
    with keypad_app.app_context():
        assert seconds_before(root, lambda el: el.text == FLOOD) <= 8
    said = [el.text for el in root.iter("Say")]
    assert said.index(FLOOD) < said.index("Mời bác chọn.")
    assert "Loa Làng xin chào. Đây là đường dây thông tin của xã." not in said


def test_the_8_second_rule_counts_pre_rendered_clips_by_their_real_length(keypad_app):
    """With the greeting rendered as a long clip, the test would notice the warning starting late."""
    from voice import tts

    add_alert(keypad_app, FLOOD, ["Yên Nông"])
    with keypad_app.app_context():
        intro = "Cảnh báo khẩn cho thôn mình."
        name = f"{tts.digest(intro, 'espeak', 'vi')}.wav"
        folder = tts.cache_dir(keypad_app.config)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(audio.wav(np.zeros(8000 * 9, np.float32), 8000))
        root = _incoming(keypad_app, BA_LAN)
        assert root[0].tag == "Play" and root[0].text.endswith(name)
        assert seconds_before(root, lambda el: el.text == FLOOD) == pytest.approx(9.0)


def test_an_officials_recording_is_played_when_the_warning_has_one(keypad_app, tmp_path):
    recording = tmp_path / "var" / "recordings" / "alerts" / "lu.wav"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(audio.wav(np.zeros(800, np.float32), 8000))
    add_alert(keypad_app, FLOOD, ["Yên Nông"], audio_path="recordings/alerts/lu.wav")
    root = _incoming(keypad_app, BA_LAN)
    url = root.find("Play").text
    assert url.startswith("https://hotline.example.vn/audio/file/") and url.endswith("recordings/alerts/lu.wav")
    with keypad_app.test_client().get(url.removeprefix("https://hotline.example.vn")) as served:
        assert served.status_code == 200 and served.data[:4] == b"RIFF"
    assert keypad_app.test_client().get(url.removeprefix("https://hotline.example.vn").replace(
        "/file/", "/file/0")).status_code == 404


def test_a_missing_recording_falls_back_to_the_text(keypad_app):
    add_alert(keypad_app, FLOOD, ["Yên Nông"], audio_path="recordings/alerts/gone.wav")
    assert FLOOD in [el.text for el in _incoming(keypad_app, BA_LAN).iter("Say")]


@pytest.mark.parametrize("phone, village_alert, hears", [
    (BA_LAN, ["Bến Đò"], False),          # another village's warning is not hers
    (BA_LAN, None, True),                 # a commune-wide warning is
    (ANH_MINH, None, False),              # an unknown caller has no village yet: menu 1 asks for it
])
def test_warning_first_only_for_the_callers_village(keypad_app, phone, village_alert, hears):
    add_alert(keypad_app, FLOOD, village_alert)
    said = [el.text for el in _incoming(keypad_app, phone).iter("Say")]
    assert (FLOOD in said) == hears


def test_menu_1_reads_the_villages_warnings_again_for_a_registered_caller(keypad_app):
    add_alert(keypad_app, FLOOD, ["Yên Nông"])
    said = spoken(Caller(keypad_app, CHI_HOA).call("1", "1"))
    assert said.count(FLOOD) == 3       # first, in menu 1, and again after "1"
    assert "Nghe lại cảnh báo, bấm 1." in said


@pytest.mark.parametrize("answers, village", [
    (["1", "2", "1"], "Yên Bái"),
    (["1", "4", "1"], "Bến Đò"),
])
def test_an_unknown_caller_chooses_a_village_and_registers_with_1(keypad_app, answers, village):
    caller = Caller(keypad_app, ANH_MINH)
    said = spoken(caller.call(*answers))
    assert "Bác ở thôn nào?" in said and "Thôn Yên Nông, bấm 1." in said
    assert f"Bác có muốn nhận cảnh báo qua điện thoại cho thôn {village} không?" in said
    assert f"Đã đăng ký. Khi có cảnh báo cho thôn {village}, Loa Làng sẽ báo cho bác." in said
    assert said[-6] == "Mời bác chọn."             # back to the main menu
    resident = residents.by_phone(caller.db(), ANH_MINH)
    assert resident["consent_source"] == "phone" and resident["consent_at"]
    with keypad_app.app_context():
        from hotline.domain import places
        from hotline.core.db import get_db

        assert places.village(get_db(), resident["village_id"])["name"] == village


def test_an_unknown_caller_hears_that_villages_warning_before_the_offer(keypad_app):
    add_alert(keypad_app, FLOOD, ["Đồng Tâm"])
    said = spoken(Caller(keypad_app, ANH_MINH).call("1", "3", "2"))
    assert said.index(FLOOD) < said.index("Bác có muốn nhận cảnh báo qua điện thoại cho thôn Đồng Tâm không?")


def test_pressing_2_does_not_register(keypad_app):
    caller = Caller(keypad_app, ANH_MINH)
    said = spoken(caller.call("1", "2", "2"))
    assert "Dạ, Loa Làng không đăng ký số này." in said
    assert residents.by_phone(caller.db(), ANH_MINH) is None


@pytest.mark.parametrize("withheld", ["anonymous", "+266696687"])     # what Twilio posts as From
def test_a_caller_with_a_withheld_number_hears_the_warnings_without_a_registration_offer(keypad_app, withheld):
    add_alert(keypad_app, FLOOD, ["Yên Bái"])
    said = spoken(Caller(keypad_app, withheld).call("1", "2", "1"))
    assert said.count(FLOOD) == 2                                            # 1 hears it again
    assert not [s for s in said if "Bác có muốn nhận cảnh báo" in s or "Xin lỗi" in s]


def test_an_unknown_caller_can_say_the_village_name(speech_app, recorder):
    caller = Caller(speech_app, ANH_MINH, recorder)
    said = spoken(caller.call("1", "", "ben do", "", "có"))
    assert "Đã đăng ký. Khi có cảnh báo cho thôn Bến Đò, Loa Làng sẽ báo cho bác." in said
    assert residents.by_phone(caller.db(), ANH_MINH)["consent_source"] == "phone"


def test_with_rendered_audio_the_warning_still_starts_within_8_seconds(make_app):
    """The same check with real espeak-ng clips, timed by their length, for what plays before the warning."""
    from hotline.core import db as storage
    from voice import render

    app = make_app(HOTLINE_TTS_ENGINES="espeak")
    add_alert(app, FLOOD, ["Yên Nông"])
    with app.app_context():
        report = render.render(storage.get_db(), app.config)
        assert report.rendered.get("espeak", 0) > 100
        root = _incoming(app, BA_LAN)
        assert [el.tag for el in root][:2] == ["Play", "Play"]
        warning = [el.text for el in root.iter("Play")][1]
        assert seconds_before(root, lambda el: el.text == warning) <= 8
        assert warning.endswith(".wav") and (render.tts.cache_dir(app.config) / warning.rsplit("/", 1)[1]).exists()


def test_a_warning_with_a_control_character_still_gives_every_caller_a_menu(keypad_app):
    """A warning stored before forms refused them (pasted from a spreadsheet: \x0b is Excel's line break)."""
    add_alert(keypad_app, "Lũ lên nhanh.\x0bBà con\x00 di dời ngay.\ufffe")     # the whole commune
    for phone in (BA_LAN, ANH_MINH, CHI_HOA):
        said = Caller(keypad_app, phone).call("1", "1")       # anh Minh: menu 1, then his village
        assert any("Lũ lên nhanh.Bà con di dời ngay." == text for text in spoken(said)), phone
