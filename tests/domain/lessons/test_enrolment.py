"""Enrolment by code: the outcome table, the waitlist served in order, and the promoted person told."""
import pytest

from hotline.domain import lessons, residents
from tests.conftest import BA_LAN, CHI_HOA, ONG_TU, OPERATOR
from tests.domain.lessons.conftest import resident_id
from voice import callout

PAST = "2020-01-01T01:00:00.000000Z"


def _outbox(db, **where):
    clauses = " AND ".join(f"{k} = :{k}" for k in where) or "1"
    return list(db.query(f"SELECT * FROM outbox WHERE {clauses} ORDER BY id", where))


@pytest.mark.parametrize("setup, code, outcome, position", [
    ("empty", "{code}", "enrolled", None),
    ("empty", " {lower} ", "enrolled", None),                  # case, spaces
    ("one_seat_taken", "{code}", "waitlisted", 1),
    ("one_seat_taken_one_waiting", "{code}", "waitlisted", 2),
    ("seat_and_waitlist_taken", "{code}", "full", None),
    ("self_enrolled", "{code}", "already_enrolled", None),
    ("cancelled", "{code}", "lesson_cancelled", None),
    ("empty", "XX9", "unknown_code", None),
    ("past", "{code}", "closed", None),
])
def test_it_answers_every_enrolment_outcome(demo_db, new_lesson, people, setup, code, outcome, position):
    waitlist = 1 if setup == "seat_and_waitlist_taken" else None
    lesson = new_lesson(capacity=1, waitlist=waitlist, starts_at=PAST if setup == "past" else None)
    others = [resident_id(demo_db, p) for p in ("+84915123757", "+84916131676")]
    if setup.startswith("one_seat_taken") or setup == "seat_and_waitlist_taken":
        lessons.enrol(demo_db, lesson["id"], others[0])
    if setup in ("one_seat_taken_one_waiting", "seat_and_waitlist_taken"):
        lessons.enrol(demo_db, lesson["id"], others[1])
    if setup == "self_enrolled":
        lessons.enrol(demo_db, lesson["id"], people["ba_lan"])
    if setup == "cancelled":
        lessons.cancel_lesson(demo_db, lesson["id"], actor=OPERATOR)

    result = lessons.enrol_by_code(demo_db, people["ba_lan"], code.format(code=lesson["code"],
                                                                           lower=lesson["code"].lower()))
    assert (result["outcome"], result["position"]) == (outcome, position)
    if outcome != "unknown_code":
        assert result["lesson"]["code"] == lesson["code"]


def test_it_says_already_enrolled_with_the_waitlist_place(demo_db, new_lesson, people):
    lesson = new_lesson(capacity=1)
    lessons.enrol(demo_db, lesson["id"], people["ong_tu"])
    lessons.enrol(demo_db, lesson["id"], people["ba_lan"])
    again = lessons.enrol_by_code(demo_db, people["ba_lan"], lesson["code"])
    assert (again["outcome"], again["status"], again["position"]) == ("already_enrolled", "waitlisted", 1)


@pytest.mark.parametrize("setup, code, outcome", [
    ("enrolled", "{code}", "cancelled"),
    ("waitlisted", "{code}", "cancelled"),
    ("nothing", "{code}", "not_enrolled"),
    ("cancelled_before", "{code}", "not_enrolled"),
    ("nothing", "QQ2", "unknown_code"),
])
def test_it_answers_every_cancellation_outcome(demo_db, new_lesson, people, setup, code, outcome):
    lesson = new_lesson(capacity=1)
    if setup == "waitlisted":
        lessons.enrol(demo_db, lesson["id"], people["ong_tu"])
    if setup in ("enrolled", "waitlisted", "cancelled_before"):
        lessons.enrol(demo_db, lesson["id"], people["ba_lan"])
    if setup == "cancelled_before":
        lessons.cancel_by_code(demo_db, people["ba_lan"], lesson["code"])
    assert lessons.cancel_by_code(demo_db, people["ba_lan"], code.format(code=lesson["code"]))["outcome"] == outcome


def test_it_promotes_the_waitlist_in_order_and_tells_the_promoted_person(demo_db, new_lesson, people):
    lesson = new_lesson(capacity=1)
    first, second, third = people["ong_tu"], people["chi_hoa"], people["ba_lan"]
    for who in (first, second, third):
        lessons.enrol(demo_db, lesson["id"], who)

    result = lessons.cancel_by_code(demo_db, first, lesson["code"])

    assert [p["resident_id"] for p in result["promoted"]] == [second]
    assert lessons.enrol_by_code(demo_db, third, lesson["code"])["position"] == 1
    [notice] = _outbox(demo_db, ref=f"lesson:{lesson['id']}")
    # chị Hoa reads SMS: an unaccented text with the lesson's code, to her number, never twice.
    assert (notice["channel"], notice["to_phone"], notice["purpose"]) == ("sms", CHI_HOA, "notice")
    assert lesson["code"] in notice["body"] and notice["body"].isascii()
    assert notice["dedupe_key"] and notice["not_after"] == lesson["starts_at"]


def test_it_calls_a_promoted_person_who_prefers_voice(demo_db, new_lesson, people):
    lesson = new_lesson(capacity=1)
    lessons.enrol(demo_db, lesson["id"], people["ong_tu"])
    lessons.enrol(demo_db, lesson["id"], people["ba_lan"])        # bà Lan prefers voice
    lessons.cancel_by_code(demo_db, people["ong_tu"], lesson["code"])
    [notice] = _outbox(demo_db, ref=f"lesson:{lesson['id']}")
    assert (notice["channel"], notice["to_phone"]) == ("call", BA_LAN)
    assert callout.url_for(notice) == f"/voice/lessons/notice/{notice['id']}"    # the row's own text
    assert not notice["body"].isascii()      # spoken, so with its accents


def test_a_promoted_person_who_cancels_before_the_notice_leaves_is_not_told(demo_db, new_lesson, people):
    lesson = new_lesson(capacity=1)
    for who in (people["ong_tu"], people["chi_hoa"], people["ba_lan"]):
        lessons.enrol(demo_db, lesson["id"], who)
    lessons.cancel_by_code(demo_db, people["ong_tu"], lesson["code"])      # chị Hoa gets the seat …
    lessons.cancel_by_code(demo_db, people["chi_hoa"], lesson["code"])     # … and gives it up at once
    rows = {(r["to_phone"], r["state"]) for r in _outbox(demo_db, ref=f"lesson:{lesson['id']}")}
    assert rows == {(CHI_HOA, "cancelled"), (BA_LAN, "queued")}


def test_more_seats_promote_the_waitlist(demo_db, new_lesson, people):
    lesson = new_lesson(capacity=1)
    for who in (people["ong_tu"], people["chi_hoa"], people["ba_lan"]):
        lessons.enrol(demo_db, lesson["id"], who)
    promoted = lessons.set_capacity(demo_db, lesson["id"], 3, actor=OPERATOR)
    assert [p["resident_id"] for p in promoted] == [people["chi_hoa"], people["ba_lan"]]
    assert lessons.get(demo_db, lesson["id"])["waiting"] == 0


def test_enrolling_again_after_cancelling_goes_to_the_back_of_the_queue(demo_db, new_lesson, people):
    lesson = new_lesson(capacity=1)
    for who in (people["ong_tu"], people["ba_lan"], people["chi_hoa"]):
        lessons.enrol(demo_db, lesson["id"], who)
    lessons.cancel_by_code(demo_db, people["ba_lan"], lesson["code"])
    assert lessons.enrol_by_code(demo_db, people["ba_lan"], lesson["code"])["position"] == 2


def test_a_cancelled_lesson_is_announced_to_everyone_on_its_list(demo_db, new_lesson, people):
    lesson = new_lesson(capacity=1)
    for who in (people["ong_tu"], people["chi_hoa"]):
        lessons.enrol(demo_db, lesson["id"], who)
    gone = residents.by_phone(demo_db, "+84915123757")["id"]
    lessons.enrol(demo_db, lesson["id"], gone)
    lessons.cancel_by_code(demo_db, gone, lesson["code"])

    result = lessons.cancel_lesson(demo_db, lesson["id"], actor=OPERATOR)

    assert result["people"] == 2
    told = {r["to_phone"] for r in _outbox(demo_db, ref=f"lesson:{lesson['id']}", state="queued")}
    assert told == {ONG_TU, CHI_HOA}
    assert lessons.cancel_lesson(demo_db, lesson["id"], actor=OPERATOR)["outcome"] == "already_cancelled"
    assert len(_outbox(demo_db, ref=f"lesson:{lesson['id']}", state="queued")) == 2


def test_what_a_resident_is_offered_follows_their_place_and_the_seats_left(demo_db, new_lesson, people):
    lesson = new_lesson(capacity=1, waitlist=1)

    def offer(who):
        return lessons.offer(demo_db, lessons.get(demo_db, lesson["id"]), who)

    assert offer(people["ba_lan"]) == offer(None) == {"offer": "enrol", "left": 1, "position": None}
    lessons.enrol(demo_db, lesson["id"], people["ong_tu"])                      # the only seat
    assert offer(people["ong_tu"]) == {"offer": "cancel", "left": 0, "position": None}
    assert offer(people["ba_lan"]) == {"offer": "waitlist", "left": 0, "position": None}
    lessons.enrol(demo_db, lesson["id"], people["ba_lan"])                      # first in line
    assert offer(people["ba_lan"]) == {"offer": "cancel", "left": 0, "position": 1}
    assert offer(people["chi_hoa"]) == {"offer": "none", "left": 0, "position": None}   # the waitlist is full too
