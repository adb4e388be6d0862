"""Menu 2: guides stepped through by keypad and by voice, and the SMS form sent on request."""
import pytest

from hotline.core import prompts, segments
from tests.conftest import ANH_MINH, BA_LAN
from tests.voice.conftest import Caller, spoken

STEPS = prompts.raw("guides.vneid.steps")


def test_it_steps_through_a_guide_with_1_and_says_when_it_ends(keypad_app):
    said = spoken(Caller(keypad_app, BA_LAN).call("2", "1", *["1"] * (len(STEPS) - 1)))
    assert [s for s in said if s in STEPS] == STEPS
    assert [s for s in said if s.startswith("Bước ")] == [f"Bước {n}." for n in range(1, len(STEPS) + 1)]
    assert said[-5:] == ["Đã hết hướng dẫn.", "Nghe lại từ đầu, bấm 1.", "Nghe lại bước này, bấm 2.",
                         "Nhận hướng dẫn qua tin nhắn, bấm 3.",
                         "Nghe lại, bấm phím sao. Về danh sách chính, bấm phím thăng."]


@pytest.mark.parametrize("answers, expected_steps", [
    (["2", "1", "2"], [STEPS[0], STEPS[0]]),          # 2 repeats the step
    (["2", "1", "*"], [STEPS[0], STEPS[0]]),          # so does *
    (["2", "1", "1", "#", "2", "1"], [STEPS[0], STEPS[1], STEPS[0]]),   # # leaves; the guide starts over
])
def test_repeat_and_back(keypad_app, answers, expected_steps):
    said = spoken(Caller(keypad_app, BA_LAN).call(*answers))
    assert [s for s in said if s in STEPS] == expected_steps


def test_the_last_step_offers_to_start_again(keypad_app):
    steps = prompts.raw("guides.lua_dao.steps")
    said = spoken(Caller(keypad_app, BA_LAN).call("2", "4", *["1"] * len(steps)))
    assert [s for s in said if s in steps] == [*steps, steps[0]]


@pytest.mark.parametrize("guide_key, guide", [("1", "vneid"), ("2", "dvc"), ("3", "qr"), ("4", "lua_dao")])
def test_3_sends_the_sms_form_once_per_call(keypad_app, guide_key, guide):
    caller = Caller(keypad_app, BA_LAN)
    said = spoken(caller.call("2", guide_key, "3", "3"))
    assert said.count("Loa Làng đã gửi tin nhắn hướng dẫn cho bác.") == 1
    assert "Tin nhắn hướng dẫn này đã được gửi trong cuộc gọi." in said
    rows = list(caller.db().query("SELECT * FROM outbox WHERE purpose = 'guide'"))
    assert len(rows) == 1
    row = rows[0]
    assert (row["channel"], row["to_phone"], row["state"], row["ref"]) == ("sms", BA_LAN, "queued", f"guide:{guide}")
    assert row["body"] == prompts.sms(f"guides.{guide}.sms") and row["body"].isascii()
    assert row["segments"] == segments.count(row["body"]).segments <= 2
    assert row["resident_id"] is not None


def test_an_unknown_caller_can_have_the_sms_too(keypad_app):
    caller = Caller(keypad_app, ANH_MINH)
    caller.call("2", "3", "3")
    row = caller.db().execute("SELECT to_phone, resident_id FROM outbox WHERE purpose = 'guide'").fetchone()
    assert row == (ANH_MINH, None)


def test_a_caller_with_a_withheld_number_is_told_no_sms_can_be_sent(keypad_app):
    caller = Caller(keypad_app, "anonymous")
    said = spoken(caller.call("2", "3", "3"))
    assert "Số máy của bác đang ẩn, nên Loa Làng không gửi được tin nhắn." in said
    assert "Loa Làng đã gửi tin nhắn hướng dẫn cho bác." not in said
    assert caller.db().execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


@pytest.mark.parametrize("words, first_step", [
    ("lừa đảo", prompts.raw("guides.lua_dao.steps")[0]),
    ("mã QR", prompts.raw("guides.qr.steps")[0]),
    ("số hai", prompts.raw("guides.dvc.steps")[0]),
    ("căn cước", STEPS[0]),
])
def test_a_guide_can_be_chosen_by_voice(speech_app, recorder, words, first_step):
    said = spoken(Caller(speech_app, BA_LAN, recorder).call("2", "", words))
    assert said[-5] == first_step


def test_next_step_and_sms_by_voice(speech_app, recorder):
    caller = Caller(speech_app, BA_LAN, recorder)
    said = spoken(caller.call("2", "1", "", "tiếp theo", "", "nhắn tin"))
    assert STEPS[1] in said and "Loa Làng đã gửi tin nhắn hướng dẫn cho bác." in said
    assert caller.db().execute("SELECT COUNT(*) FROM outbox WHERE purpose = 'guide'").fetchone()[0] == 1
