"""The outcome table by SMS: HOC, HOC <code>, HUY <code> through the signed /sms/incoming route."""
import re

import pytest

from hotline.domain import lessons, places, residents
from hotline.core import prompts
from hotline.core.segments import count
from hotline.sim.phone import send_sms
from hotline.core.text import fold
from tests.conftest import ANH_MINH, BA_LAN, CHI_HOA, OPERATOR

NGA = "+84986187109"            # holds one of the two seats of QR3 in the demo


@pytest.fixture
def text(hooks):
    def send(phone, body):
        status, replies = send_sms(hooks, phone, body)
        assert status == 200 and len(replies) == 1
        assert replies[0].isascii()                 # unaccented: one GSM-7 segment
        return replies[0]
    return send


def worded(outcome: str, reply: str) -> bool:
    """The reply is the SMS channel's words for this outcome: its longest fixed phrase is in it."""
    template = fold(prompts.raw(f"sms.lessons.{outcome}"))
    phrase = max((p.strip(" .,;:()") for p in re.split(r"\{[^}]+\}", template)), key=len)
    return phrase in reply


def _status(db, phone, code):
    lesson = lessons.by_code(db, code)
    row = next(db.query("SELECT e.status FROM enrolments e JOIN residents r ON r.id = e.resident_id"
                        " WHERE e.lesson_id = ? AND r.phone = ?", [lesson["id"], phone]), None)
    return row and row["status"]


def test_hoc_lists_upcoming_lessons_with_codes_the_senders_village_first(text):
    reply = text(BA_LAN, "hoc")
    assert reply.index("VN2") < reply.index("QR3")       # Yên Nông's lesson before Yên Bái's


def prepare(app_db, setup: str | None) -> None:
    """The lessons a case starts from: tiny = AT6 with its one seat taken and no waitlist; cancelled = DV4 cancelled."""
    if setup == "tiny":
        lesson = lessons.by_code(app_db, "AT6")
        app_db.execute("UPDATE lessons SET capacity = 1, waitlist = 0 WHERE id = ?", [lesson["id"]])
        lessons.enrol(app_db, lesson["id"], residents.by_phone(app_db, CHI_HOA)["id"])
    if setup == "cancelled":
        lessons.cancel_lesson(app_db, lessons.by_code(app_db, "DV4")["id"], actor=OPERATOR)


@pytest.mark.parametrize("setup, body, outcome, status", [
    (None, "HOC VN2", "enrolled", "enrolled"),
    (None, "hoc vn2", "enrolled", "enrolled"),
    (None, "Học VN 2", "enrolled", "enrolled"),
    (None, "HOC QR3", "waitlisted", "waitlisted"),
    ("enrolled", "HOC VN2", "already_enrolled", "enrolled"),
    ("tiny", "HOC AT6", "full", None),
    ("cancelled", "HOC DV4", "lesson_cancelled", None),
    (None, "HOC VN3", "closed", None),
    (None, "HOC XX9", "unknown_code", None),
])
def test_it_answers_every_enrolment_outcome_by_sms(app_db, text, setup, body, outcome, status):
    if setup == "enrolled":
        text(BA_LAN, "HOC VN2")
    prepare(app_db, setup)
    reply = text(BA_LAN, body)
    assert worded(outcome, reply), reply
    code = re.sub(r"\W", "", fold(body).upper())[3:]
    if outcome != "unknown_code":
        assert _status(app_db, BA_LAN, code) == status
    if outcome == "waitlisted":
        assert "1" in reply


@pytest.mark.parametrize("setup, body, outcome", [
    ("enrolled", "HUY VN2", "cancelled"),
    ("waitlisted", "huy qr3", "cancelled"),
    (None, "HUY VN2", "not_enrolled"),
    (None, "HUY XX9", "unknown_code"),
])
def test_it_answers_every_cancellation_outcome_by_sms(app_db, text, setup, body, outcome):
    if setup == "enrolled":
        text(BA_LAN, "HOC VN2")
    if setup == "waitlisted":
        text(BA_LAN, "HOC QR3")
    reply = text(BA_LAN, body)
    assert worded(outcome, reply), reply
    if setup:
        assert _status(app_db, BA_LAN, body.split()[1].upper()) == "cancelled"


def test_a_freed_seat_goes_to_the_first_waiting_and_she_is_told(app_db, text):
    text(CHI_HOA, "HOC QR3")                 # waits first
    text(BA_LAN, "HOC QR3")                  # waits second
    text(NGA, "HUY QR3")                     # a seat frees up
    assert (_status(app_db, CHI_HOA, "QR3"), _status(app_db, BA_LAN, "QR3")) == ("enrolled", "waitlisted")
    [notice] = list(app_db.query("SELECT * FROM outbox WHERE purpose = 'notice' AND to_phone = ?", [CHI_HOA]))
    assert notice["channel"] == "sms" and "QR3" in notice["body"]
    assert worded("already_enrolled", text(BA_LAN, "HOC QR3"))           # already waiting, now first in line
    assert lessons.enrol_by_code(app_db, residents.by_phone(app_db, BA_LAN)["id"], "QR3")["position"] == 1


def test_an_unknown_number_is_registered_on_the_way(app_db, text):
    reply = text(ANH_MINH, "HOC DT7")
    assert worded("enrolled", reply)
    assert residents.by_phone(app_db, ANH_MINH)["consent_source"] == "sms"
    assert _status(app_db, ANH_MINH, "DT7") == "enrolled"


def asks_village(reply: str) -> bool:
    return reply.endswith(" " + prompts.sms("sms.register.ask_village"))


@pytest.mark.parametrize("setup, body, outcome", [
    (None, "HOC DT7", "enrolled"),
    (None, "HOC QR3", "waitlisted"),
    ("tiny", "HOC AT6", "full"),
    ("cancelled", "HOC DV4", "lesson_cancelled"),
    (None, "HOC VN3", "closed"),
    (None, "HOC XX9", "unknown_code"),
])
def test_anh_minhs_first_enrolment_asks_for_his_village_whatever_the_outcome(app_db, text, setup, body, outcome):
    prepare(app_db, setup)
    reply = text(ANH_MINH, body)
    assert worded(outcome, reply) and asks_village(reply), reply
    assert count(reply).segments == 1
    assert residents.by_phone(app_db, ANH_MINH)["village_id"] is None


def test_a_resident_with_a_village_is_not_asked_for_it(text):
    assert not asks_village(text(BA_LAN, "HOC DT7"))


def test_his_later_registration_adds_the_village_to_the_same_resident_and_keeps_his_seat(app_db, text):
    text(ANH_MINH, "HOC DT7")
    assert asks_village(text(ANH_MINH, "HOC VN2"))               # asked again until he answers
    minh = residents.by_phone(app_db, ANH_MINH)
    reply = text(ANH_MINH, "DK Minh Yen Nong")
    assert reply == prompts.sms("sms.register.updated", name="Minh", village="Yên Nông")
    after = residents.by_phone(app_db, ANH_MINH)
    yen_nong = places.find_village(app_db, "yen nong")["id"]
    assert (after["id"], after["name"], after["village_id"]) == (minh["id"], "Minh", yen_nong)
    assert app_db.execute("SELECT count(*) FROM residents WHERE phone = ?", [ANH_MINH]).fetchone()[0] == 1
    assert (_status(app_db, ANH_MINH, "DT7"), _status(app_db, ANH_MINH, "VN2")) == ("enrolled", "enrolled")
    assert not asks_village(text(ANH_MINH, "HOC QR3"))           # then never again


def test_a_number_that_refused_our_messages_is_not_invited_back(app_db, text):
    text(ANH_MINH, "TU CHOI")
    reply = text(ANH_MINH, "HOC DT7")
    assert worded("enrolled", reply) and not asks_village(reply)
