"""Demo lessons (prompts/demo/lessons.toml), dated relative to today so the demo stays upcoming."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from hotline.core import clock, prompts
from hotline.domain import lessons, places, residents
from hotline.domain.lessons import report as lessons_report
from hotline.domain.officials import permissions
from hotline.core.clock import VIETNAM

RELATIVE = re.compile(r"^\s*(?:in (\d+) days?|(\d+) days? ago) at (\d{1,2}):(\d{2})\s*$")


def relative(text: str, today=None) -> str:
    """"in 3 days at 08:00" / "2 days ago at 14:00" (local time) -> UTC text."""
    m = RELATIVE.match(text)
    if not m:
        raise ValueError(f"not a relative time: {text!r}")
    days = int(m.group(1)) if m.group(1) else -int(m.group(2))
    today = today or datetime.now(VIETNAM).date()
    moment = datetime.combine(today + timedelta(days=days), time(int(m.group(3)), int(m.group(4))), VIETNAM)
    return clock.stamp(moment)


def load(db) -> None:
    """Idempotent: a lesson is found by its code; an upcoming one that has since passed is moved forward."""
    data = prompts.data("demo/lessons")
    for row in data["lessons"]:
        starts_at = relative(row["when"])
        lesson = lessons.by_code(db, row["code"])
        if lesson is None:
            village = places.find_village(db, row["village"]) if row.get("village") else None
            lesson_id = lessons.create(
                db, row["topic"], row["place"], starts_at, row["capacity"], actor=permissions.DEMO,
                village_id=village and village["id"],
                association=row.get("association"), instructor=row.get("instructor"),
                duration_min=row.get("duration_min", 90), waitlist=row.get("waitlist"), code=row["code"])
        else:
            lesson_id = lesson["id"]
            if row["when"].startswith("in ") and lesson["starts_at"] <= clock.now():
                db["lessons"].update(lesson_id, {"starts_at": starts_at})
        before = clock.shift(starts_at, days=-7)
        for phone in row.get("enrolled", []) + row.get("attended", []):
            resident = residents.by_phone(db, phone)
            lessons.enrol(db, lesson_id, resident["id"], "demo", now=before)
        attended = [residents.by_phone(db, phone)["id"] for phone in row.get("attended", [])]
        if attended:
            lessons.mark_attendance(db, lesson_id, attended, by="demo", actor=permissions.DEMO)
    for target in data.get("targets", []):
        lessons_report.set_target(db, target["kind"], target["subject"], lessons_report.period_of(target["period"]),
                                  target.get("target"), target.get("share"))

