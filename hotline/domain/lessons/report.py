"""Quotas and coverage: who enrolled and who was trained, against each association's and village's target.

Counts are of people, not seats: someone who attended three lessons is one person trained.
"Enrolled" means holding a seat (enrolled or attended) in a lesson of the period that was not
cancelled; "attended" means marked present. The population is every resident with a village;
adults are 18 or older at the end of the period (unknown birth year counts as adult, as registers
often lack it); elderly means flagged elderly or 60 or older.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime

from hotline.core.db import now as utc_now
from hotline.core.clock import VIETNAM, stamp

PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")


def period_of(text: str | None = None, today: date | None = None) -> str:
    """"year" | "quarter" | "month" (the current one, local time) or an explicit 2026 | 2026-Q4 | 2026-11."""
    today = today or datetime.now(VIETNAM).date()
    text = (text or "year").strip()
    named = {"year": f"{today.year}", "quarter": f"{today.year}-Q{(today.month - 1) // 3 + 1}",
             "month": f"{today.year}-{today.month:02d}"}
    if text in named:
        return named[text]
    m = PERIOD.match(text)
    if not m or (m.group(3) and not 1 <= int(m.group(3)) <= 12):
        raise ValueError(f"period must be YYYY, YYYY-Qn or YYYY-MM, not {text!r}")
    return text


def bounds(period: str) -> tuple[str, str]:
    """[start, end) of a period in UTC text, the period being in local time."""
    m = PERIOD.match(period_of(period))
    year = int(m.group(1))
    if m.group(2):
        first, months = (int(m.group(2)) - 1) * 3 + 1, 3
    elif m.group(3):
        first, months = int(m.group(3)), 1
    else:
        first, months = 1, 12
    end_year, end_month = year + (first - 1 + months) // 12, (first - 1 + months) % 12 + 1
    start = datetime(year, first, 1, tzinfo=VIETNAM)
    return stamp(start), stamp(datetime(end_year, end_month, 1, tzinfo=VIETNAM))


def set_target(db, kind: str, subject: str | int, period: str, target: int | None = None,
               share: float | None = None) -> int:
    """kind "association" (subject: women | farmers | youth; target people) or "village" (subject: name or id;
    share of adults, 0..1). Setting again replaces."""
    period = period_of(period)
    if kind == "association":
        row = next(db.query("SELECT id FROM associations WHERE code = ?", [subject]), None)
        if row is None or target is None or int(target) < 0:
            raise ValueError(f"association target needs a known association and a number: {subject}, {target}")
        values = {"target": int(target), "share": None}
    elif kind == "village":
        from hotline.domain.places import find_village

        row = (next(db.query("SELECT id FROM villages WHERE id = ?", [subject]), None) if isinstance(subject, int)
               else find_village(db, str(subject)))
        if row is None or share is None or not 0 <= float(share) <= 1:
            raise ValueError(f"village target needs a known village and a share between 0 and 1: {subject}, {share}")
        values = {"target": None, "share": float(share)}
    else:
        raise ValueError(f"unknown target kind {kind}")
    db.execute("INSERT INTO lesson_targets (kind, subject_id, period, target, share, updated_at)"
               " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, subject_id, period)"
               " DO UPDATE SET target = excluded.target, share = excluded.share, updated_at = excluded.updated_at",
               [kind, row["id"], period, values["target"], values["share"], utc_now()])
    return row["id"]


def targets(db, period: str) -> dict[tuple[str, int], dict]:
    return {(t["kind"], t["subject_id"]): t for t in db.query("SELECT * FROM lesson_targets WHERE period = ?",
                                                              [period_of(period)])}


def _ratio(part, whole):
    return round(part / whole, 4) if whole else None


def report(db, period: str | None = None) -> dict:
    """The coverage report (JSON-able) for a period; default: the current year."""
    period = period_of(period)
    start, end = bounds(period)
    year = int(period[:4])
    people = {r["id"]: r for r in db.query(
        "SELECT id, village_id, gender, birth_year, elderly FROM residents WHERE village_id IS NOT NULL")}
    for p in people.values():
        p["adult"] = p["birth_year"] is None or year - p["birth_year"] >= 18
        p["old"] = bool(p["elderly"]) or (p["birth_year"] is not None and year - p["birth_year"] >= 60)
    seats = list(db.query(
        "SELECT e.resident_id, e.status FROM enrolments e JOIN lessons l ON l.id = e.lesson_id"
        " WHERE l.status = 'scheduled' AND l.starts_at >= ? AND l.starts_at < ?"
        " AND e.status IN ('enrolled', 'attended')", [start, end]))
    enrolled = {s["resident_id"] for s in seats} & people.keys()
    attended = {s["resident_id"] for s in seats if s["status"] == "attended"} & people.keys()
    goals = targets(db, period)
    members: dict[int, set] = {}
    for m in db.query("SELECT resident_id, association_id FROM memberships"):
        members.setdefault(m["association_id"], set()).add(m["resident_id"])

    associations = []
    for a in db.query("SELECT * FROM associations ORDER BY id"):
        group = members.get(a["id"], set())
        target = (goals.get(("association", a["id"])) or {}).get("target")
        associations.append({"code": a["code"], "name": a["name"], "members": len(group),
                             "enrolled": len(enrolled & group), "attended": len(attended & group),
                             "target": target, "progress": _ratio(len(attended & group), target)})
    villages = []
    for v in db.query("SELECT * FROM villages ORDER BY keypad, name"):
        adults = {i for i, p in people.items() if p["village_id"] == v["id"] and p["adult"]}
        share = (goals.get(("village", v["id"])) or {}).get("share")
        target_people = None if share is None else math.ceil(round(share * len(adults), 6))
        villages.append({"id": v["id"], "name": v["name"], "adults": len(adults), "enrolled": len(enrolled & adults),
                         "attended": len(attended & adults), "share_attended": _ratio(len(attended & adults), len(adults)),
                         "target_share": share, "target_people": target_people,
                         "progress": _ratio(len(attended & adults), target_people)})

    def reach(group: set) -> dict:
        return {"total": len(group), "enrolled": len(enrolled & group), "attended": len(attended & group),
                "coverage": _ratio(len(attended & group), len(group)),
                "share_of_attendees": _ratio(len(attended & group), len(attended))}

    lessons = dict(db.execute(
        "SELECT status, COUNT(*) FROM lessons WHERE starts_at >= ? AND starts_at < ? GROUP BY status",
        [start, end]).fetchall())
    return {"period": period, "from": start, "until": end,
            "lessons": {"scheduled": lessons.get("scheduled", 0), "cancelled": lessons.get("cancelled", 0)},
            "totals": {"residents": len(people), "adults": sum(p["adult"] for p in people.values()),
                       "enrolled": len(enrolled), "attended": len(attended)},
            "associations": associations, "villages": villages,
            "reach": {"women": reach({i for i, p in people.items() if p["gender"] == "F"}),
                      "elderly": reach({i for i, p in people.items() if p["old"]})}}
