"""What residents are told about their lessons: seat given, reminders, lesson cancelled.

Everything goes through the outbox with a dedupe key, so each notice is queued exactly once
however often the job runs or restarts; the worker paces and sends it. Each person is reached
on their channel: a call for those who prefer voice or cannot read, an SMS otherwise.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from hotline.domain import outbox
from hotline.core import prompts
from hotline.core.clock import VIETNAM, local, parse, stamp
from hotline.core.db import now as utc_now

# Withdrawn when the person cancels or the lesson is: nobody hears about a seat they gave up.
WITHDRAWABLE = ("remind-day", "remind-soon", "promoted")
EARLIEST_CALL = time(6, 30)   # a "2 hours before" reminder due earlier than this is not sent


def when(starts_at: str) -> str:
    """The lesson's start in local time, as posters write it (the weekday's name from prompts/)."""
    moment = local(starts_at)
    weekday = prompts.raw("lessons.weekdays")[moment.weekday()]
    return prompts.say("lessons.when", time=f"{moment.hour}:{moment.minute:02d}", weekday=weekday,
                       date=f"{moment.day}/{moment.month}")


def values(lesson: dict) -> dict:
    """The placeholders every lesson text may use."""
    return {"topic": prompts.say(f"lessons.topics.{lesson['topic']}.name"), "when": when(lesson["starts_at"]),
            "place": lesson["place"], "code": lesson["code"]}


def channel_for(resident: dict) -> str:
    return "call" if resident["prefers_voice"] or resident["cannot_read"] else "sms"


def notify(db, resident_id: int, kind: str, lesson: dict, suffix: str = "") -> int | None:
    """Queue notice `kind` (promoted | remind-day | remind-soon | cancelled) for one person, once."""
    resident = next(db.query("SELECT * FROM residents WHERE id = ?", [resident_id]), None)
    if resident is None:
        return None
    channel = channel_for(resident)
    name = kind.replace("-", "_")
    body = (prompts.say(f"lessons.notice_call.{name}", **values(lesson)) if channel == "call"
            else prompts.sms(f"lessons.notice.{name}", accents=bool(resident["sms_accents"]), **values(lesson)))
    dedupe = f"lesson:{lesson['id']}:{kind}:{resident_id}" + (f":{suffix}" if suffix else "")
    # A call reads this row's text (call_notice below, through the voice channel's notice route).
    return outbox.enqueue(db, channel, resident["phone"], "reminder" if kind.startswith("remind") else "notice",
                          body=body, resident_id=resident_id, ref=f"lesson:{lesson['id']}", dedupe_key=dedupe,
                          not_after=None if kind == "cancelled" else lesson["starts_at"])


def call_notice(db, outbox_id: int) -> dict | None:
    """The lesson notice a call we placed is about: dict(body, lesson, may_cancel), None when there is no such call.
    may_cancel: "1" may give up the seat, which a notice that the lesson is cancelled, or a lesson no longer
    scheduled, never offers."""
    row = db.execute("SELECT body, ref, dedupe_key FROM outbox WHERE id = ? AND channel = 'call'"
                     " AND ref LIKE 'lesson:%'", [outbox_id]).fetchone()
    if row is None:
        return None
    body, ref, dedupe_key = row
    lesson = next(db.query("SELECT id, code, status FROM lessons WHERE id = ?", [int(ref.split(":")[1])]), None)
    cancelled_notice = dedupe_key.split(":")[2] == "cancelled"
    return {"body": body, "lesson": lesson,
            "may_cancel": bool(lesson) and lesson["status"] == "scheduled" and not cancelled_notice}


def withdraw(db, lesson_id: int, resident_id: int | None = None) -> int:
    """Cancel queued, unsent reminders and seat notices for a lesson (one person, or everyone)."""
    cursor = db.execute(
        "UPDATE outbox SET state = 'cancelled', error = 'withdrawn', updated_at = ?"
        " WHERE ref = ? AND state = 'queued' AND (? IS NULL OR resident_id = ?)"
        " AND (" + " OR ".join("dedupe_key LIKE ?" for _ in WITHDRAWABLE) + ")",
        [utc_now(), f"lesson:{lesson_id}", resident_id, resident_id]
        + [f"lesson:{lesson_id}:{kind}:%" for kind in WITHDRAWABLE])
    return cursor.rowcount


def _clock(text: str) -> time | None:
    text = (text or "").strip()
    if not text or text.lower() in ("off", "0"):
        return None
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def due_times(config, starts_at: str) -> dict[str, datetime]:
    """When each reminder for a lesson starting at starts_at is due (aware datetimes)."""
    start = parse(starts_at)
    due = {}
    day_at = _clock(config.get("HOTLINE_LESSON_REMINDER_AT", "17:00"))
    if day_at:
        due["remind-day"] = datetime.combine(start.astimezone(VIETNAM).date() - timedelta(days=1), day_at, VIETNAM)
    hours = float(config.get("HOTLINE_LESSON_REMINDER_HOURS", "0") or 0)
    if hours > 0:
        soon = start - timedelta(hours=hours)
        if soon.astimezone(VIETNAM).time() >= EARLIEST_CALL:
            due["remind-soon"] = soon
    return due


def queue_due(db, config, now=None) -> dict:
    """The periodic job: queue every reminder that is due and not yet queued. Safe to run any time, often."""
    moment = now if isinstance(now, datetime) else parse(now or utc_now())
    now_text = stamp(moment)
    queued = {"remind-day": 0, "remind-soon": 0}
    horizon = stamp(moment + timedelta(days=2))
    for lesson in list(db.query("SELECT * FROM lessons WHERE status = 'scheduled' AND starts_at > ?"
                                " AND starts_at <= ?", [now_text, horizon])):
        for kind, due in due_times(config, lesson["starts_at"]).items():
            if moment < due:
                continue
            # Whoever enrolled after the reminder was due has just heard the details: no reminder.
            # Already queued ones are skipped here (cheap, every minute); the dedupe key still guarantees once.
            for e in list(db.query(
                    "SELECT e.resident_id, e.queue_no FROM enrolments e WHERE e.lesson_id = :lesson"
                    " AND e.status = 'enrolled' AND e.enrolled_at <= :due AND NOT EXISTS (SELECT 1 FROM outbox o"
                    " WHERE o.dedupe_key = 'lesson:' || e.lesson_id || ':' || :kind || ':' || e.resident_id"
                    " || ':' || e.queue_no)", {"lesson": lesson["id"], "due": stamp(due), "kind": kind})):
                if notify(db, e["resident_id"], kind, lesson, str(e["queue_no"])) is not None:
                    queued[kind] += 1
    return queued
