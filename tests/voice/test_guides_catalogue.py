"""The service guides in prompts/guides.toml: the ids other channels use, steps, and the SMS budget."""
import pytest

from hotline.core import prompts, segments
from hotline.core.text import fold

GUIDES = ["vneid", "dvc", "qr", "lua_dao"]


@pytest.mark.parametrize("guide", GUIDES)
def test_it_has_a_title_and_short_spoken_steps(guide):
    assert prompts.say(f"guides.{guide}.title")
    steps = prompts.raw(f"guides.{guide}.steps")
    assert 3 <= len(steps) <= 8
    # One step is one breath for an elderly listener: about 15 seconds of speech at most.
    assert all(isinstance(s, str) and 10 < len(s) <= 220 for s in steps), guide


@pytest.mark.parametrize("guide", GUIDES)
def test_its_sms_form_fits_two_unaccented_gsm7_segments(guide):
    count = segments.count(fold(prompts.say(f"guides.{guide}.sms")))
    assert count.encoding == "GSM-7" and count.segments <= 2


@pytest.mark.parametrize("guide, must_say", [
    ("vneid", ["công an xã", "mức 2", "Đăng nhập", "Ví giấy tờ"]),
    ("dvc", ["dịch vụ công", "Nộp hồ sơ", "Tra cứu hồ sơ"]),
    ("qr", ["Quét mã QR", "tên người nhận"]),
    ("lua_dao", ["OTP", "Công an không bao giờ", "chuyển tiền"]),
])
def test_it_covers_what_the_issue_asks(guide, must_say):
    text = " ".join(prompts.raw(f"guides.{guide}.steps"))
    for phrase in must_say:
        assert fold(phrase).lower() in fold(text).lower(), phrase
