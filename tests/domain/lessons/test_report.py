"""The coverage report against figures worked out by hand (see the table in each test)."""
import pytest

from hotline.domain import lessons, places, residents
from hotline.domain.lessons import report as lessons_report
from tests.conftest import OPERATOR

BEFORE = "2025-01-01T00:00:00.000000Z"
AFTER = "2026-12-31T00:00:00.000000Z"

# name: (village, gender, birth_year, elderly flag, associations)
PEOPLE = {
    "r1": ("A", "F", 1950, False, ["women"]),          # 76: elderly by age
    "r2": ("A", "M", 1980, False, ["farmers"]),
    "r3": ("A", "F", 2010, False, []),                 # 16: not an adult
    "r4": ("A", "F", None, False, ["women", "youth"]),  # no birth year: counted as adult
    "r5": ("B", "M", 1960, False, []),                 # 66: elderly by age
    "r6": ("B", "F", 1990, False, ["youth"]),
    "r7": ("B", "M", 1985, False, ["farmers"]),
    "r8": ("B", "F", 1970, False, ["women"]),
    "r9": ("A", "M", 1940, True, []),                  # flagged elderly
}


@pytest.fixture
def commune(db):
    commune_id = places.ensure_commune(db, "Thắng Lợi")
    village = {"A": places.ensure_village(db, commune_id, "Yên Nông", 1),
               "B": places.ensure_village(db, commune_id, "Bến Đò", 4)}
    for code in ("women", "farmers", "youth"):
        places.ensure_association(db, code, code)
    ids = {}
    for n, (name, (v, gender, born, elderly, groups)) in enumerate(PEOPLE.items()):
        row, _ = residents.register(db, f"+8491200{n:04d}", "admin", name=name, village_id=village[v],
                                    gender=gender, birth_year=born, elderly=elderly)
        residents.set_associations(db, row["id"], groups)
        ids[name] = row["id"]

    def lesson(starts_at, capacity=10, **kw):
        return lessons.create(db, "vneid", "Nhà văn hóa", starts_at, capacity, **kw, actor=OPERATOR)

    def enrol(lesson_id, *names, when=BEFORE):
        for name in names:
            lessons.enrol(db, lesson_id, ids[name], now=when)

    def attend(lesson_id, *names):
        assert lessons.mark_attendance(db, lesson_id, [ids[n] for n in names], now=AFTER,
                                       actor=OPERATOR)["outcome"] == "marked"

    l1 = lesson("2026-03-10T01:00:00.000000Z", village_id=village["A"])
    enrol(l1, "r1", "r2", "r3")
    attend(l1, "r1", "r2", "r3")
    l2 = lesson("2026-06-10T01:00:00.000000Z", capacity=3, village_id=village["B"])
    enrol(l2, "r9")
    lessons.cancel_enrolment(db, l2, ids["r9"], now=BEFORE)           # cancelled: not counted
    enrol(l2, "r2", "r4", "r5", "r6")                                  # r6 only waits: not counted
    attend(l2, "r2", "r5")                                             # r4 enrolled, did not come
    l3 = lesson("2026-07-10T01:00:00.000000Z")
    enrol(l3, "r7")
    lessons.cancel_lesson(db, l3, now=BEFORE,
                          actor=OPERATOR)                          # a cancelled lesson counts for nobody
    l4 = lesson("2025-12-15T01:00:00.000000Z")                         # last year
    enrol(l4, "r8", when="2024-01-01T00:00:00.000000Z")
    attend(l4, "r8")
    for code, target in (("women", 4), ("farmers", 2), ("youth", 1)):
        lessons_report.set_target(db, "association", code, "2026", target=target)
    lessons_report.set_target(db, "village", "yen nong", "2026", share=0.5)
    lessons_report.set_target(db, "village", "Bến Đò", "2026", share=0.3)
    return db


def test_it_counts_people_enrolled_and_trained_per_association_against_target(commune):
    report = lessons_report.report(commune, "2026")
    assert report["totals"] == {"residents": 9, "adults": 8, "enrolled": 5, "attended": 4}
    assert report["lessons"] == {"scheduled": 2, "cancelled": 1}
    rows = {a["code"]: (a["members"], a["enrolled"], a["attended"], a["target"], a["progress"])
            for a in report["associations"]}
    assert rows == {"women": (3, 2, 1, 4, 0.25), "farmers": (2, 1, 1, 2, 0.5), "youth": (2, 1, 0, 1, 0.0)}


def test_it_measures_each_village_against_its_share_of_adults(commune):
    rows = {v["name"]: (v["adults"], v["enrolled"], v["attended"], v["share_attended"], v["target_share"],
                        v["target_people"], v["progress"]) for v in lessons_report.report(commune, "2026")["villages"]}
    # Yên Nông: adults r1 r2 r4 r9 (r3 is 16); half of 4 = 2 trained needed, r1 and r2 came.
    # Bến Đò: adults r5–r8; 30% of 4 rounds up to 2 people, r5 came.
    assert rows == {"Yên Nông": (4, 3, 2, 0.5, 0.5, 2, 1.0), "Bến Đò": (4, 1, 1, 0.25, 0.3, 2, 0.5)}


def test_it_reports_the_women_and_elderly_reached(commune):
    reach = lessons_report.report(commune, "2026")["reach"]
    # women r1 r3 r4 r6 r8: r1 r3 trained, r4 enrolled; elderly r1 r5 r9: r1 r5 trained. 4 people trained.
    assert reach["women"] == {"total": 5, "enrolled": 3, "attended": 2, "coverage": 0.4, "share_of_attendees": 0.5}
    assert reach["elderly"] == {"total": 3, "enrolled": 2, "attended": 2, "coverage": 0.6667,
                                "share_of_attendees": 0.5}


def test_it_reports_any_period_and_targets_belong_to_theirs(commune):
    quarter = lessons_report.report(commune, "2026-Q1")
    assert (quarter["totals"]["enrolled"], quarter["totals"]["attended"]) == (3, 3)
    assert {a["code"]: a["target"] for a in quarter["associations"]} == {"women": None, "farmers": None,
                                                                        "youth": None}
    last_year = lessons_report.report(commune, "2025")
    assert last_year["totals"]["attended"] == 1 and last_year["reach"]["women"]["attended"] == 1


@pytest.mark.parametrize("period, start, end", [
    ("2026", "2025-12-31T17:00:00.000000Z", "2026-12-31T17:00:00.000000Z"),
    ("2026-Q4", "2026-09-30T17:00:00.000000Z", "2026-12-31T17:00:00.000000Z"),
    ("2026-02", "2026-01-31T17:00:00.000000Z", "2026-02-28T17:00:00.000000Z"),
    ("2026-12", "2026-11-30T17:00:00.000000Z", "2026-12-31T17:00:00.000000Z"),
])
def test_a_period_is_in_local_time(period, start, end):
    assert lessons_report.bounds(period) == (start, end)


@pytest.mark.parametrize("bad", ["26", "2026-13", "2026-Q5", "last year"])
def test_it_refuses_a_period_it_cannot_read(bad):
    with pytest.raises(ValueError):
        lessons_report.period_of(bad)


def test_the_report_is_json_ready(commune):
    import json

    assert json.loads(json.dumps(lessons_report.report(commune, "2026"))) == lessons_report.report(commune, "2026")
