"""The main menu, by keypad, walked the way Twilio runs it: options, repeat, back, silence, wrong keys."""
import pytest

from hotline.domain import calls
from tests.conftest import ANH_MINH, BA_LAN
from tests.voice.conftest import Caller, parse, spoken

MAIN = ["Mời bác chọn.", "Nghe cảnh báo lũ và thời tiết, bấm 1.", "Nghe hướng dẫn dịch vụ, bấm 2.",
        "Nghe lớp học kỹ năng số, bấm 3.", "Nghe thông báo mới, bấm 4.", "Gặp cán bộ trực, bấm 0."]


def test_it_greets_and_offers_four_options_as_action_then_key(keypad_app, hooks):
    root = parse(keypad_app.test_client().post(
        "/voice/incoming", data={"CallSid": "CA1", "From": BA_LAN},
        headers={"X-Twilio-Signature": _sign(keypad_app, "/voice/incoming", {"CallSid": "CA1", "From": BA_LAN})}))
    gather = root.find("Gather")
    assert gather.get("finishOnKey") == "" and gather.get("numDigits") == "1" and gather.get("input") == "dtmf"
    assert [s.text for s in gather.iter("Say")] == MAIN
    assert root.find("Record") is None                # no recogniser: keypad only
    assert root.find("Redirect").text.endswith("ev=silence&n=0")


def _sign(app, path, form):
    from hotline.web.webhooks import sign

    return sign(app.config, app.config.absolute(path), form)


@pytest.mark.parametrize("key, first_words", [
    ("1", "Hiện thôn Yên Nông không có cảnh báo nào."),
    ("2", "Bác muốn nghe hướng dẫn nào?"),
    ("3", ("Hiện chưa có lớp học nào sắp mở.", "Các lớp học kỹ năng số sắp tới.")),
    ("4", "Hiện chưa có thông báo mới."),
    ("0", "Bây giờ ngoài giờ làm việc."),
])
def test_each_key_opens_its_branch(keypad_app, key, first_words):
    said = spoken(Caller(keypad_app, BA_LAN).call(key))
    assert said[:len(MAIN) + 1] == ["Loa Làng xin chào. Đây là đường dây thông tin của xã.", *MAIN]
    assert said[len(MAIN) + 1] in ((first_words,) if isinstance(first_words, str) else first_words)


@pytest.mark.parametrize("answers, expected_mains", [
    (["*"], 2),                      # * repeats the menu
    (["2", "#"], 2),                 # # from a sub-menu goes back to the main menu
    (["#"], 2),                      # # on the main menu is the main menu
])
def test_star_repeats_and_hash_goes_back(keypad_app, answers, expected_mains):
    said = spoken(Caller(keypad_app, BA_LAN).call(*answers))
    assert said.count("Mời bác chọn.") == expected_mains


@pytest.mark.parametrize("answers, leads, hung_up_politely", [
    ([""], ["Bác chưa chọn."], False),
    (["", ""], ["Bác chưa chọn.", "Bác chưa chọn."], False),
    (["", "", ""], ["Bác chưa chọn.", "Bác chưa chọn."], True),
    (["7"], ["Phím đó không có trong danh sách."], False),
    (["7", "9", "5"], ["Phím đó không có trong danh sách."] * 2, True),
    (["", "8", ""], ["Bác chưa chọn.", "Phím đó không có trong danh sách."], True),
])
def test_silence_and_wrong_keys_reprompt_then_offer_help_then_say_goodbye(keypad_app, answers, leads,
                                                                        hung_up_politely):
    caller = Caller(keypad_app, BA_LAN)
    events = caller.call(*answers)
    said = spoken(events)
    assert [s for s in said if s in ("Bác chưa chọn.", "Phím đó không có trong danh sách.")] == leads
    offer = "Để gặp cán bộ trực, bấm 0. Để về danh sách chính, bấm phím thăng."
    assert (offer in said) == (len(answers) >= 2)
    goodbye = "Loa Làng cảm ơn bác đã gọi. Khi cần, bác cứ gọi lại. Chào bác."
    assert (said[-1] == goodbye) == hung_up_politely
    # The first silence never ends the call: after it the menu is offered again.
    if answers[0] == "":
        assert said.index("Bác chưa chọn.") < len(said) - 1


def test_help_after_two_failures_reaches_the_operator_with_0(keypad_app):
    said = spoken(Caller(keypad_app, BA_LAN).call("", "", "0"))
    assert "Bây giờ ngoài giờ làm việc." in said


def test_every_step_is_in_the_call_log(keypad_app):
    caller = Caller(keypad_app, ANH_MINH)
    caller.call("", "9", "2", "#")
    steps = calls.steps(caller.db(), caller.sid)
    assert [(s["menu"], s["event"], s["outcome"]) for s in steps] == [
        ("main", "shown", None), ("main", "silence", "retry"), ("main", "invalid", "retry"),
        ("main", "key", "guides"), ("guides", "shown", None), ("guides", "key", "main"), ("main", "shown", None)]
    assert all(s["elapsed_ms"] is not None for s in steps[1:])
