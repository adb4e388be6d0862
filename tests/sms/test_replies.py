"""Every reply fits one unaccented SMS with realistic values (guides: two); long texts from people are cut to fit."""
import re

import pytest

from hotline.core import prompts
from hotline.core.segments import count
from sms.replies import fitted, local_time, render, when

NAME = "Nguyễn Thị Thanh Hương"             # a long but ordinary full name
VILLAGE = "Đồng Tâm"                         # the longest village names have 8 letters
VILLAGES = "Yên Nông, Yên Bái, Đồng Tâm, Bến Đò"
LESSON = {"code": "QR7", "topic": "Thanh toán điện tử và mã QR", "when": "19h30 28/11",
          "place": "Nhà văn hóa thôn Đồng Tâm", "position": 12}
FLOOD = ("Mưa lớn kéo dài, nước sông Hồng đang lên nhanh. Các hộ vùng trũng thôn Yên Nông kê cao đồ đạc, "
         "di chuyển người già và trẻ em đến nhà văn hóa thôn trước 17 giờ hôm nay. Không đi qua ngầm tràn, "
         "không vớt củi trên sông. Khi cần giúp đỡ gọi trưởng thôn hoặc 112.")

# Values as they really occur; alert texts are the one unbounded value and are cut to fit.
VALUES = {
    "sms.help": {}, "sms.unknown": {}, "sms.empty": {}, "sms.too_long": {}, "sms.rate_limited": {},
    "sms.register.usage": {"villages": VILLAGES},
    "sms.register.no_village": {"given": "Xóm Bãi", "villages": VILLAGES},
    "sms.register.registered": {"name": NAME, "village": VILLAGE},
    "sms.register.updated": {"name": NAME, "village": VILLAGE},
    "sms.register.no_name": {},
    "sms.register.ask_village": {},
    "sms.alerts.none": {"village": VILLAGE}, "sms.alerts.none_commune": {},
    "sms.lessons.list": {"lines": "VN2 VNeID 8h00 27/11; DV4 Dịch vụ công trực tuyến 19h30 1/12"},
    "sms.lessons.none": {},
    **{f"sms.lessons.{k}": LESSON for k in ("enrolled", "waitlisted", "already_enrolled", "full",
                                              "lesson_cancelled", "closed", "unknown_code", "cancelled",
                                              "not_enrolled", "cancel_usage")},
    "sms.guides.menu": {},
    "sms.opt_out.opted_out": {},
    "sms.opt_in.opted_in": {}, "sms.opt_in.already_in": {}, "sms.opt_in.unknown": {},
    "sms.accents.on": {}, "sms.accents.off": {},
}
CUT_TO_FIT = {"sms.alerts.one": {"level": 5, "text": FLOOD}, "sms.alerts.many": {"level": 5, "others": 12, "text": FLOOD}}
REPLIES = sorted(k for k, v in prompts.catalogue().items()
                 if k.startswith("sms.") and not k.startswith("sms.cli.") and isinstance(v, str))
GUIDES = sorted(k for k in prompts.catalogue() if k.startswith("guides.") and k.endswith(".sms"))


def test_every_reply_has_realistic_values_here():
    assert set(REPLIES) == set(VALUES) | set(CUT_TO_FIT)


@pytest.mark.parametrize("key", sorted(VALUES))
def test_it_fits_every_reply_in_one_unaccented_sms(key):
    text = render(key, **VALUES[key])
    assert count(text).encoding == "GSM-7", text
    assert count(text).segments == 1, f"{key}: {len(text)} characters: {text}"


@pytest.mark.parametrize("key", sorted(VALUES))
def test_every_reply_with_accents_fits_two_sms(key):
    text = render(key, accents=True, **VALUES[key])
    assert count(text).segments <= 2, f"{key}: {count(text)}"


@pytest.mark.parametrize("key", sorted(CUT_TO_FIT))
def test_it_cuts_a_long_alert_at_a_word_to_fit_one_sms(key):
    text = fitted(key, False, "text", **CUT_TO_FIT[key])
    assert count(text).segments == 1 and count(text).encoding == "GSM-7"
    assert text.endswith("...") and len(text) > 140          # cut, not emptied
    assert "Mua lon keo dai, nuoc song Hong dang len nhanh." in text


# What HOC <code> can answer; a number without a village gets sms.register.ask_village after it (sms/commands.py).
ENROLMENT = ("enrolled", "waitlisted", "already_enrolled", "full", "lesson_cancelled", "closed", "unknown_code")


@pytest.mark.parametrize("outcome", ENROLMENT)
def test_every_enrolment_reply_and_the_village_question_fit_one_unaccented_sms_uncut(outcome):
    hint = " " + render("sms.register.ask_village")
    text = fitted(f"sms.lessons.{outcome}", False, "place", tail=hint, **LESSON)
    assert text == render(f"sms.lessons.{outcome}", **LESSON) + hint
    assert count(text).encoding == "GSM-7" and count(text).segments == 1, f"{len(text)} characters: {text}"


@pytest.mark.parametrize("outcome", ENROLMENT)
def test_with_accents_the_village_question_fits_two_sms_or_is_left_off(outcome):
    hint = " " + render("sms.register.ask_village", accents=True)
    text = fitted(f"sms.lessons.{outcome}", True, "place", tail=hint, **LESSON)
    assert count(text).segments <= 2, count(text)
    assert text.endswith(hint) or text == fitted(f"sms.lessons.{outcome}", True, "place", **LESSON)


def test_with_accents_the_place_is_shortened_for_the_village_question_but_never_cut_away():
    hint = " " + render("sms.register.ask_village", accents=True)
    demo = {**LESSON, "code": "VN2", "topic": "VNeID", "when": "8h00 27/11", "place": "Nhà văn hóa thôn Yên Nông"}
    shortened = fitted("sms.lessons.enrolled", True, "place", tail=hint, **demo)
    assert shortened.endswith(hint) and "Nhà văn hóa thôn" in shortened and count(shortened).segments == 2
    longest = fitted("sms.lessons.enrolled", True, "place", tail=hint, **LESSON)
    assert hint not in longest and LESSON["place"] in longest


# A place as long as people really write them: it has to be cut even in one unaccented SMS.
LONG_PLACE = "Hội trường nhà văn hóa thôn Yên Nông, cạnh trạm y tế xã, đối diện chợ và trường mầm non Hoa Sen"
DEMO_LESSON = {**LESSON, "code": "VN2", "topic": "VNeID", "when": "8h00 27/11", "place": "Nhà văn hóa thôn Yên Nông"}


@pytest.mark.parametrize("accents, lesson, ask_village", [
    (False, {**LESSON, "place": LONG_PLACE}, False),
    (True, DEMO_LESSON, True),         # HOC from a number with no village: the place makes room for the question
])
def test_a_cut_place_before_the_templates_full_stop_ends_in_three_dots_not_four(accents, lesson, ask_village):
    tail = " " + render("sms.register.ask_village", accents=accents) if ask_village else ""
    text = fitted("sms.lessons.enrolled", accents, "place", tail=tail, **lesson)
    assert "...." not in text, text
    assert re.search(rf"\w\.\.\. So[aạ]n HUY {lesson['code']} ", text), text    # cut at a word, then our sentence
    assert count(text).segments == (2 if accents else 1) and text.endswith(tail)


def test_typography_in_an_officials_text_does_not_make_the_sms_ucs2():
    text = fitted("sms.alerts.one", False, "text", level=4,
                  text="“Nước lên” – di chuyển ngay… 🌊 cầu treo\u00a0đóng, phí 0₫")
    assert text == 'Canh bao cap 4: "Nuoc len" - di chuyen ngay...  cau treo dong, phi 0d'
    assert count(text).encoding == "GSM-7"


def test_a_short_alert_is_left_whole():
    assert fitted("sms.alerts.one", False, "text", level=3, text="Nước đang rút, bà con dọn dẹp.") \
        == "Canh bao cap 3: Nuoc dang rut, ba con don dep."


def test_an_accented_reply_is_cut_to_fit_two_ucs2_sms():
    text = fitted("sms.alerts.one", True, "text", level=5, text=FLOOD)
    assert count(text).encoding == "UCS-2" and count(text).segments == 2
    assert text.startswith("Cảnh báo cấp 5: Mưa lớn")


@pytest.mark.parametrize("key", GUIDES)
def test_every_guide_fits_two_unaccented_sms(key):
    text = prompts.sms(key)
    assert count(text).encoding == "GSM-7"
    assert count(text).segments <= 2, f"{key}: {count(text)}"


def test_there_are_guides_to_send():
    assert {"guides.vneid.sms", "guides.dvc.sms", "guides.qr.sms", "guides.lua_dao.sms"} <= set(GUIDES)


@pytest.mark.parametrize("text, encoding, units, segments", [
    (prompts.sms("sms.help"), "GSM-7", len(prompts.sms("sms.help")), 1),
    (prompts.sms("sms.help", accents=True), "UCS-2", len(prompts.sms("sms.help", accents=True)), 2),
    ("Soạn ĐK", "UCS-2", 7, 1),
    ("Soan DK [Lan] ~ Yen Nong", "GSM-7", 27, 1),     # [ ] ~ are GSM-7 extension characters: two septets each
])
def test_it_counts_what_residents_pay_for(text, encoding, units, segments):
    c = count(text)
    assert (c.encoding, c.units, c.segments) == (encoding, units, segments)


@pytest.mark.parametrize("utc, zone, shown", [
    ("2026-11-27T01:00:00.000000Z", "Asia/Ho_Chi_Minh", "8h00 27/11"),
    ("2026-11-30T17:30:00.000000Z", "Asia/Ho_Chi_Minh", "0h30 1/12"),    # after midnight, Vietnam time
    ("2026-11-27T01:00:00.000000Z", "Not/AZone", "8h00 27/11"),          # unknown zone: Vietnam's fixed UTC+7
])
def test_it_writes_times_as_posters_do(utc, zone, shown):
    assert when(utc, zone) == shown
    assert local_time(utc, zone).utcoffset().total_seconds() == 7 * 3600
