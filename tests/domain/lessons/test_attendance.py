"""Attendance marked by instructors and officials, walk-ins included; the demo lessons load once."""
import pytest

from hotline import demo
from hotline.domain import lessons
from hotline.core import prompts
from tests.conftest import OPERATOR

START = "2030-03-05T01:00:00.000000Z"
DURING = "2030-03-05T02:00:00.000000Z"


@pytest.fixture
def held(demo_db, new_lesson, people):
    """A lesson of one seat: ông Tư holds it, chị Hoa waits."""
    row = new_lesson(capacity=1)
    lessons.enrol(demo_db, row["id"], people["ong_tu"], now="2030-03-01T00:00:00.000000Z")
    lessons.enrol(demo_db, row["id"], people["chi_hoa"], now="2030-03-01T00:00:00.000000Z")
    return row


def _statuses(db, lesson_id):
    return {r["resident_id"]: (r["status"], r["channel"]) for r in lessons.roster(db, lesson_id)}


def test_it_marks_who_came_and_records_walk_ins(demo_db, held, people):
    result = lessons.mark_attendance(demo_db, held["id"], [people["ong_tu"], people["chi_hoa"], people["ba_lan"]],
                                     by="Phạm Minh Đức", now=DURING, actor=OPERATOR)
    assert (result["outcome"], result["marked"], result["walk_ins"]) == ("marked", 3, 2)
    assert _statuses(demo_db, held["id"]) == {people["ong_tu"]: ("attended", None),
                                              people["chi_hoa"]: ("attended", None),
                                              people["ba_lan"]: ("attended", "walk_in")}
    assert lessons.get(demo_db, held["id"])["attended"] == 3


def test_marking_twice_counts_once_and_a_mark_can_be_taken_back(demo_db, held, people):
    lessons.mark_attendance(demo_db, held["id"], [people["ong_tu"]], now=DURING, actor=OPERATOR)
    assert lessons.mark_attendance(demo_db, held["id"], [people["ong_tu"]], now=DURING, actor=OPERATOR)["marked"] == 0
    assert lessons.mark_attendance(demo_db, held["id"], [people["ong_tu"]], present=False, now=DURING,
                                   actor=OPERATOR)["marked"] == 1
    assert _statuses(demo_db, held["id"])[people["ong_tu"]][0] == "enrolled"


def test_taking_back_a_mark_restores_a_waitlist_place_and_forgets_a_walk_in(demo_db, held, people):
    everyone = [people["ong_tu"], people["chi_hoa"], people["ba_lan"]]
    lessons.mark_attendance(demo_db, held["id"], everyone, now=DURING, actor=OPERATOR)
    lessons.mark_attendance(demo_db, held["id"], everyone, present=False, now=DURING, actor=OPERATOR)
    statuses = _statuses(demo_db, held["id"])
    assert statuses[people["ong_tu"]][0] == "enrolled"
    assert statuses[people["chi_hoa"]][0] == "waitlisted"       # a mistaken tick gives nobody a seat
    assert people["ba_lan"] not in statuses
    assert lessons.get(demo_db, held["id"])["attended"] == 0


@pytest.mark.parametrize("setup, outcome", [("early", "not_started"), ("cancelled", "lesson_cancelled")])
def test_it_refuses_attendance_before_the_start_or_for_a_cancelled_lesson(demo_db, held, people, setup, outcome):
    if setup == "cancelled":
        lessons.cancel_lesson(demo_db, held["id"], actor=OPERATOR)
    when = "2030-03-04T00:00:00.000000Z" if setup == "early" else DURING
    assert lessons.mark_attendance(demo_db, held["id"], [people["ong_tu"]], now=when,
                                   actor=OPERATOR)["outcome"] == outcome
    assert lessons.get(demo_db, held["id"])["attended"] == 0


def test_the_demo_holds_upcoming_lessons_and_loads_idempotently(demo_db):
    upcoming = lessons.upcoming(demo_db, limit=100)
    data = prompts.data("demo/lessons")
    assert {x["code"] for x in upcoming} == {x["code"] for x in data["lessons"] if x["when"].startswith("in ")}
    before = demo_db.execute("SELECT COUNT(*) FROM enrolments").fetchone()[0]
    demo.load(demo_db)
    assert demo_db.execute("SELECT COUNT(*) FROM enrolments").fetchone()[0] == before
    assert demo_db.execute("SELECT COUNT(*) FROM lessons").fetchone()[0] == len(data["lessons"])
    assert demo_db.execute("SELECT COUNT(*) FROM lesson_targets").fetchone()[0] == len(data["targets"])


def test_a_demo_lesson_that_has_passed_moves_forward_when_the_demo_loads_again(demo_db):
    demo_db.execute("UPDATE lessons SET starts_at = '2020-01-01T01:00:00.000000Z' WHERE code = 'VN2'")
    demo.load(demo_db)
    assert "VN2" in {x["code"] for x in lessons.upcoming(demo_db, limit=100)}


def test_demo_codes_are_unambiguous_on_a_keypad():
    for row in prompts.data("demo/lessons")["lessons"]:
        code = row["code"]
        assert len(code) == 3 and set(code[:2]) <= set(lessons.CODE_LETTERS) and code[2] in lessons.CODE_DIGITS


def test_generated_codes_follow_the_topic_and_never_repeat(db):
    codes = [lessons.get(db, lessons.create(db, "epayment_qr", "Nhà văn hóa", START, 5,
                                            actor=OPERATOR))["code"] for _ in range(8)]
    assert codes[:6] == ["QR2", "QR3", "QR4", "QR6", "QR7", "QR9"]
    assert len(set(codes)) == 8
    assert all(set(c[:2]) <= set(lessons.CODE_LETTERS) and c[2] in lessons.CODE_DIGITS for c in codes)


@pytest.mark.parametrize("fields, reason", [
    ({"topic": "knitting"}, "unknown_topic"),
    ({"capacity": 0}, "bad_capacity"),
    ({"place": " "}, "no_place"),
    ({"starts_at": "tomorrow"}, "bad_start"),
    ({"association": "chess"}, "unknown_association"),
    ({"code": "vn2"}, "code_taken"),
])
def test_it_refuses_a_lesson_it_cannot_hold(demo_db, fields, reason):
    args = {"topic": "vneid", "place": "Nhà văn hóa", "starts_at": START, "capacity": 5, **fields}
    with pytest.raises(lessons.LessonError) as error:
        lessons.create(demo_db, args.pop("topic"), args.pop("place"), args.pop("starts_at"), args.pop("capacity"),
                       **args, actor=OPERATOR)
    assert error.value.reason == reason
