"""Digital-skills lessons: schedule, enrolment with capacity and an ordered waitlist, cancellation.

Outcomes are facts ("enrolled", "full" …); channels choose the words. Every enrolment change is one
BEGIN IMMEDIATE transaction, so the last seat goes to one person."""
from __future__ import annotations

from hotline.domain import audit
from hotline.core import clock, prompts
from hotline.domain.officials import permissions
from hotline.domain.lessons import reminders
from hotline.core.db import now as utc_now, transaction
from hotline.core.text import fold

SEATED = ("enrolled", "attended")
# Codes are typed on keypads and read off posters: no look-alikes (O/0, I/L/1, Z/2, S/5, B/8, G/6).
CODE_LETTERS = "ACDEHKMNPQRTUVXY"
CODE_DIGITS = "234679"


class LessonError(ValueError):
    """Bad lesson data; .reason is a short code the CLI or admin turns into words."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


def topics() -> dict[str, dict]:
    """Topic id -> {name, prefix, …} from prompts/lessons.toml."""
    ids = {k.split(".")[2] for k in prompts.catalogue() if k.startswith("lessons.topics.")}
    return {t: {"name": prompts.say(f"lessons.topics.{t}.name"), "prefix": prompts.raw(f"lessons.topics.{t}.prefix")}
            for t in sorted(ids)}


def normalise_code(text: str) -> str:
    """ " vn 3", "Vn-3", "VN3" -> "VN3" (accents folded, spaces and punctuation dropped)."""
    return "".join(c for c in fold(text or "").upper() if c.isalnum())


def _free_code(db, prefix: str) -> str:
    used = {r["code"] for r in db.query("SELECT code FROM lessons")}
    pairs = [prefix] + [a + b for a in CODE_LETTERS for b in CODE_LETTERS if a + b != prefix]
    for pair in pairs:
        for digit in CODE_DIGITS:
            if pair + digit not in used:
                return pair + digit
    raise LessonError("no_free_code")


def target(lesson: dict) -> permissions.Target:
    """What acting on this lesson touches: its village (None = the commune) and its host association."""
    village = lesson["village_id"]
    return permissions.Target(None if village is None else (village,), association_id=lesson["association_id"])


def create(db, topic: str, place: str, starts_at: str, capacity: int, *, actor, village_id: int | None = None,
           association: str | None = None, instructor: str | None = None, duration_min: int = 90,
           waitlist: int | None = None, code: str | None = None) -> int:
    """Schedule a lesson; starts_at is UTC text. association: women | farmers | youth | None (the commune)."""
    known = topics()
    if topic not in known:
        raise LessonError("unknown_topic", topic)
    if int(capacity) < 1:
        raise LessonError("bad_capacity", str(capacity))
    if waitlist is not None and int(waitlist) < 0:
        raise LessonError("bad_waitlist", str(waitlist))
    if not (place or "").strip():
        raise LessonError("no_place")
    try:
        clock.parse(starts_at)
    except (AttributeError, ValueError):
        raise LessonError("bad_start", str(starts_at)) from None
    with transaction(db):
        association_id = None
        if association:
            row = next(db.query("SELECT id FROM associations WHERE code = ?", [association]), None)
            if row is None:
                raise LessonError("unknown_association", association)
            association_id = row["id"]
        permissions.require(db, actor, "lesson.create",
                            target({"village_id": village_id, "association_id": association_id}))
        if code:
            code = normalise_code(code)
            if by_code(db, code):
                raise LessonError("code_taken", code)
        else:
            code = _free_code(db, known[topic]["prefix"])
        lesson_id = db["lessons"].insert({
            "code": code, "topic": topic, "place": place.strip(), "village_id": village_id, "starts_at": starts_at,
            "duration_min": int(duration_min), "capacity": int(capacity), "waitlist": waitlist,
            "association_id": association_id, "instructor": instructor, "created_at": utc_now()}).last_pk
        audit.record(db, actor, "lesson.create", "lesson", lesson_id, code=code, capacity=int(capacity),
                     audience=audit.audience(db, [village_id] if village_id else None))
        return lesson_id


def get(db, lesson_id: int) -> dict | None:
    return next(db.query(_LESSON_SQL + " WHERE l.id = ?", [lesson_id]), None)


def by_code(db, code: str) -> dict | None:
    return next(db.query(_LESSON_SQL + " WHERE l.code = ?", [normalise_code(code)]), None)


_LESSON_SQL = (
    "SELECT l.*, v.name AS village, a.code AS association, a.name AS association_name,"
    " (SELECT COUNT(*) FROM enrolments e WHERE e.lesson_id = l.id AND e.status IN ('enrolled', 'attended')) AS seated,"
    " (SELECT COUNT(*) FROM enrolments e WHERE e.lesson_id = l.id AND e.status = 'waitlisted') AS waiting,"
    " (SELECT COUNT(*) FROM enrolments e WHERE e.lesson_id = l.id AND e.status = 'attended') AS attended"
    " FROM lessons l LEFT JOIN villages v ON v.id = l.village_id LEFT JOIN associations a ON a.id = l.association_id")


def upcoming(db, village_id: int | None = None, now: str | None = None, limit: int = 10) -> list[dict]:
    """Scheduled lessons that have not started, the caller's village first, then by start."""
    return list(db.query(
        _LESSON_SQL + " WHERE l.status = 'scheduled' AND l.starts_at > :now"
        " ORDER BY (l.village_id IS NOT :village), l.starts_at LIMIT :limit",
        {"now": now or utc_now(), "village": village_id, "limit": limit}))


def listing(db, since: str | None = None, status: str | None = None) -> list[dict]:
    """Every lesson starting at or after since (default: all), soonest first."""
    return list(db.query(
        _LESSON_SQL + " WHERE l.starts_at >= :since AND (:status IS NULL OR l.status = :status)"
        " ORDER BY l.starts_at, l.id", {"since": since or "", "status": status}))


def enrolment(db, lesson_id: int, resident_id: int) -> dict | None:
    return next(db.query("SELECT * FROM enrolments WHERE lesson_id = ? AND resident_id = ?",
                         [lesson_id, resident_id]), None)


def waitlist_position(db, enrolment: dict) -> int | None:
    """1 for the next person to get a seat; None unless waitlisted."""
    if enrolment["status"] != "waitlisted":
        return None
    return db.execute("SELECT COUNT(*) FROM enrolments WHERE lesson_id = ? AND status = 'waitlisted'"
                      " AND queue_no <= ?", [enrolment["lesson_id"], enrolment["queue_no"]]).fetchone()[0]


def offer(db, lesson: dict, resident_id: int | None) -> dict:
    """What this resident may do about the lesson now: dict(offer, left, position). offer: cancel (they hold a seat,
    or a place on the waitlist: position), enrol (seats left), waitlist (full, its waitlist open), or none."""
    mine = enrolment(db, lesson["id"], resident_id) if resident_id else None
    left = max(0, lesson["capacity"] - lesson["seated"])
    if mine and mine["status"] in ("enrolled", "waitlisted"):
        return {"offer": "cancel", "left": left, "position": waitlist_position(db, mine)}
    if left:
        return {"offer": "enrol", "left": left, "position": None}
    waitlist_open = lesson["waitlist"] is None or lesson["waiting"] < lesson["waitlist"]
    return {"offer": "waitlist" if waitlist_open else "none", "left": 0, "position": None}


def enrol(db, lesson_id: int, resident_id: int, channel: str | None = None, now: str | None = None) -> dict:
    """dict(outcome, lesson, position): enrolled | waitlisted (position N) | already_enrolled | full |
    lesson_cancelled | closed (already started) | unknown_lesson."""
    stamp = now or utc_now()
    with transaction(db):
        lesson = get(db, lesson_id)
        if lesson is None:
            return {"outcome": "unknown_lesson", "lesson": None, "position": None}
        if lesson["status"] == "cancelled":
            return {"outcome": "lesson_cancelled", "lesson": lesson, "position": None}
        if lesson["starts_at"] <= stamp:
            return {"outcome": "closed", "lesson": lesson, "position": None}
        existing = enrolment(db, lesson_id, resident_id)
        if existing and existing["status"] != "cancelled":
            return {"outcome": "already_enrolled", "lesson": lesson, "status": existing["status"],
                    "position": waitlist_position(db, existing)}
        if lesson["seated"] < lesson["capacity"]:
            status = "enrolled"
        elif lesson["waitlist"] is None or lesson["waiting"] < lesson["waitlist"]:
            status = "waitlisted"
        else:
            return {"outcome": "full", "lesson": lesson, "position": None}
        queue_no = db.execute("SELECT COALESCE(MAX(queue_no), 0) + 1 FROM enrolments WHERE lesson_id = ?",
                              [lesson_id]).fetchone()[0]
        row = {"status": status, "queue_no": queue_no, "channel": channel, "updated_at": stamp,
               "enrolled_at": stamp if status == "enrolled" else None, "promoted_at": None, "cancelled_at": None}
        if existing:
            db["enrolments"].update(existing["id"], row)
        else:
            db["enrolments"].insert({**row, "lesson_id": lesson_id, "resident_id": resident_id, "created_at": stamp})
        mine = enrolment(db, lesson_id, resident_id)
        return {"outcome": status, "lesson": get(db, lesson_id), "position": waitlist_position(db, mine)}


def enrol_in_person(db, lesson_id: int, resident_id: int, *, actor) -> dict:
    """An official enrols someone who asked in person (the admin): enrol()'s outcomes, once the lesson is theirs.

    Residents enrolling themselves by SMS or phone go through enrol() and enrol_by_code(): they act for themselves."""
    with transaction(db):
        lesson = get(db, lesson_id)
        if lesson is None:
            return {"outcome": "unknown_lesson", "lesson": None, "position": None}
        permissions.require(db, actor, "lesson.enrol", target(lesson))
        result = enrol(db, lesson_id, resident_id, channel="admin" if actor.channel == "web" else actor.channel)
        if result["outcome"] in ("enrolled", "waitlisted"):
            audit.record(db, actor, "lesson.enrol", "lesson", lesson_id, code=lesson["code"], rows=1)
        return result


def enrol_by_code(db, resident_id: int, code: str, channel: str | None = None, now: str | None = None) -> dict:
    """The SMS/voice seam: enrol()'s outcomes, or unknown_code. "closed" = the lesson has already started."""
    lesson = by_code(db, code)
    if lesson is None:
        return {"outcome": "unknown_code", "lesson": None, "position": None}
    return enrol(db, lesson["id"], resident_id, channel, now)


def cancel_enrolment(db, lesson_id: int, resident_id: int, now: str | None = None) -> dict:
    """dict(outcome, lesson, promoted): cancelled | not_enrolled. A freed seat goes to the waitlist, in order."""
    stamp = now or utc_now()
    with transaction(db):
        lesson = get(db, lesson_id)
        existing = enrolment(db, lesson_id, resident_id) if lesson else None
        if existing is None or existing["status"] not in ("enrolled", "waitlisted"):
            return {"outcome": "not_enrolled", "lesson": lesson, "promoted": []}
        db["enrolments"].update(existing["id"], {"status": "cancelled", "cancelled_at": stamp, "updated_at": stamp})
        reminders.withdraw(db, lesson_id, resident_id)
        promoted = promote(db, lesson_id, stamp)
        return {"outcome": "cancelled", "lesson": get(db, lesson_id), "promoted": promoted}


def cancel_by_code(db, resident_id: int, code: str, now: str | None = None) -> dict:
    lesson = by_code(db, code)
    if lesson is None:
        return {"outcome": "unknown_code", "lesson": None, "promoted": []}
    return cancel_enrolment(db, lesson["id"], resident_id, now)


def promote(db, lesson_id: int, now: str | None = None) -> list[dict]:
    """Give free seats to the waitlist in order of arrival and tell each promoted person."""
    stamp = now or utc_now()
    promoted = []
    with transaction(db):
        lesson = get(db, lesson_id)
        if lesson is None or lesson["status"] != "scheduled" or lesson["starts_at"] <= stamp:
            return []
        free = lesson["capacity"] - lesson["seated"]
        for row in list(db.query("SELECT * FROM enrolments WHERE lesson_id = ? AND status = 'waitlisted'"
                                 " ORDER BY queue_no LIMIT ?", [lesson_id, max(free, 0)])):
            db["enrolments"].update(row["id"], {"status": "enrolled", "enrolled_at": stamp, "promoted_at": stamp,
                                                "updated_at": stamp})
            reminders.notify(db, row["resident_id"], "promoted", lesson, f"{row['queue_no']}")
            promoted.append(enrolment(db, lesson_id, row["resident_id"]))
    return promoted


def set_capacity(db, lesson_id: int, capacity: int, *, actor) -> list[dict]:
    """More seats promote the waitlist; fewer never unseat anyone already enrolled."""
    if int(capacity) < 1:
        raise LessonError("bad_capacity", str(capacity))
    with transaction(db):
        lesson = get(db, lesson_id)
        if lesson is None:
            return []
        permissions.require(db, actor, "lesson.capacity", target(lesson))
        db["lessons"].update(lesson_id, {"capacity": int(capacity)})
        audit.record(db, actor, "lesson.capacity", "lesson", lesson_id, code=lesson["code"], capacity=int(capacity))
        return promote(db, lesson_id)


def cancel_lesson(db, lesson_id: int, now: str | None = None, *, actor) -> dict:
    """Cancel a lesson and announce it to everyone enrolled or waiting; reminders not yet sent are withdrawn."""
    stamp = now or utc_now()
    with transaction(db):
        lesson = get(db, lesson_id)
        if lesson is None:
            return {"outcome": "unknown_lesson", "notified": 0}
        permissions.require(db, actor, "lesson.cancel", target(lesson))
        if lesson["status"] == "cancelled":
            return {"outcome": "already_cancelled", "notified": 0}
        db["lessons"].update(lesson_id, {"status": "cancelled", "cancelled_at": stamp})
        people = [r["resident_id"] for r in db.query(
            "SELECT resident_id FROM enrolments WHERE lesson_id = ? AND status IN ('enrolled', 'waitlisted')"
            " ORDER BY queue_no", [lesson_id])]
        reminders.withdraw(db, lesson_id)
        notified = sum(1 for r in people if reminders.notify(db, r, "cancelled", lesson) is not None)
        audit.record(db, actor, "lesson.cancel", "lesson", lesson_id, code=lesson["code"], rows=len(people))
    return {"outcome": "cancelled", "notified": notified, "people": len(people)}


def roster(db, lesson_id: int) -> list[dict]:
    """Everyone on the lesson's list, seated first then the waitlist in order, with names and numbers."""
    return list(db.query(
        "SELECT e.*, r.name, r.phone, r.gender, r.elderly, v.name AS village FROM enrolments e"
        " JOIN residents r ON r.id = e.resident_id LEFT JOIN villages v ON v.id = r.village_id"
        " WHERE e.lesson_id = ? ORDER BY CASE e.status WHEN 'attended' THEN 0 WHEN 'enrolled' THEN 0"
        " WHEN 'waitlisted' THEN 1 ELSE 2 END, e.queue_no", [lesson_id]))


def of_resident(db, resident_id: int, now: str | None = None) -> list[dict]:
    """A resident's enrolments (enrolled or waitlisted) in lessons that have not started."""
    return list(db.query(
        "SELECT l.*, e.status AS enrolment, e.queue_no FROM enrolments e JOIN lessons l ON l.id = e.lesson_id"
        " WHERE e.resident_id = ? AND e.status IN ('enrolled', 'waitlisted') AND l.status = 'scheduled'"
        " AND l.starts_at > ? ORDER BY l.starts_at", [resident_id, now or utc_now()]))


def mark_attendance(db, lesson_id: int, resident_ids: list[int], present: bool = True, by: str | None = None,
                    now: str | None = None, *, actor) -> dict:
    """Mark who came (dict(outcome, marked, walk_ins)); present=False takes a mark back. by: who marked, as
    the roster shows it (default: the actor's name).

    Someone who came without a seat is a walk-in: trained all the same."""
    stamp = now or utc_now()
    by = by or actor.name
    with transaction(db):
        lesson = get(db, lesson_id)
        if lesson is None:
            return {"outcome": "unknown_lesson", "marked": 0, "walk_ins": 0}
        permissions.require(db, actor, "lesson.attendance", target(lesson))
        if lesson["status"] == "cancelled":
            return {"outcome": "lesson_cancelled", "marked": 0, "walk_ins": 0}
        if lesson["starts_at"] > stamp:
            return {"outcome": "not_started", "marked": 0, "walk_ins": 0}
        marked = walk_ins = 0
        for resident_id in resident_ids:
            existing = enrolment(db, lesson_id, resident_id)
            if not present:
                if existing and existing["status"] == "attended":
                    _unmark(db, existing, by, stamp)
                    marked += 1
                continue
            if existing and existing["status"] == "attended":
                continue
            change = {"status": "attended", "attended_at": stamp, "marked_by": by, "updated_at": stamp}
            if existing is None:
                queue_no = db.execute("SELECT COALESCE(MAX(queue_no), 0) + 1 FROM enrolments WHERE lesson_id = ?",
                                      [lesson_id]).fetchone()[0]
                db["enrolments"].insert({**change, "lesson_id": lesson_id, "resident_id": resident_id,
                                         "queue_no": queue_no, "channel": "walk_in", "created_at": stamp})
            else:
                db["enrolments"].update(existing["id"], change)
            walk_ins += existing is None or existing["status"] != "enrolled"
            marked += 1
        if marked:
            audit.record(db, actor, "lesson.attendance", "lesson", lesson_id, code=lesson["code"], marked=marked,
                         present=present)
    return {"outcome": "marked", "marked": marked, "walk_ins": walk_ins}


def _unmark(db, row: dict, by: str | None, stamp: str) -> None:
    """Back to what the row was before the mark: a walk-in had no row, a waitlist place gets no seat."""
    if row["channel"] == "walk_in" and row["enrolled_at"] is None:
        db.execute("DELETE FROM enrolments WHERE id = ?", [row["id"]])
        return
    db["enrolments"].update(row["id"], {"status": "cancelled" if row["cancelled_at"] else "enrolled"
                                        if row["enrolled_at"] else "waitlisted", "attended_at": None,
                                        "marked_by": by, "updated_at": stamp})


