"""`hotline lessons …`: schedule, list, cancel, roster and attendance, targets and the coverage report."""
from __future__ import annotations

import json
from datetime import datetime

import click

from hotline.core import clock, prompts
from hotline.domain import lessons as domain, places, residents
from hotline.domain.lessons import report as lessons_report, reminders
from hotline.cli.text import TEXT
from hotline.cli.villages import village_id
from hotline.domain.officials.permissions import Actor
from hotline.core.phones import mask

TIME_FORMATS = ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M")


def _db():
    from hotline.cli.common import open_db

    return open_db()


def _local_time(text: str) -> str:
    for fmt in TIME_FORMATS:
        try:
            return clock.stamp(datetime.strptime(text.strip(), fmt), naive=clock.VIETNAM)
        except ValueError:
            continue
    raise click.BadParameter(prompts.say("lessons.cli.bad_time", value=text), param_hint="--at")


def _lesson(db, code: str) -> dict:
    lesson = domain.by_code(db, code)
    if lesson is None:
        raise click.ClickException(prompts.say("lessons.cli.unknown_code", code=code))
    return lesson


def _line(lesson: dict) -> str:
    """In the web admin's words: the topic's and the host's names, local time; only the code stays as typed."""
    host = lesson["association_name"] or lesson["association"] or prompts.say("lessons.cli.host_commune")
    state = f" [{prompts.say('admin.lessons.cancelled')}]" if lesson["status"] == "cancelled" else ""
    waitlist = "∞" if lesson["waitlist"] is None else lesson["waitlist"]
    seats = f"{lesson['seated']}/{lesson['capacity']} +{lesson['waiting']}/{waitlist}"
    topic = prompts.say(f"lessons.topics.{lesson['topic']}.name")
    return (f"{lesson['code']:<4} {reminders.when(lesson['starts_at']):<20} {seats:<11} "
            f"{topic} · {lesson['village'] or '-'} · "
            f"{lesson['place']} · {host} · {lesson['instructor'] or '-'}{state}")


@click.group()
def lessons():
    """Digital-skills lessons: schedule, enrolment, attendance, targets and coverage."""


@lessons.command("create")
@click.option("--topic", required=True, type=click.Choice(sorted(domain.topics())))
@click.option("--place", required=True, type=TEXT, help="Usually the village cultural house.")
@click.option("--at", "at", required=True, help="Local start time: 2026-12-01 08:00 or 01/12/2026 08:00.")
@click.option("--capacity", required=True, type=click.IntRange(1))
@click.option("--village", help="Village name (accent-blind); lessons near a caller are offered first.")
@click.option("--duration", default=90, show_default=True, type=click.IntRange(1), help="Minutes.")
@click.option("--waitlist", type=click.IntRange(0), help="Most people waiting (default: no limit; 0 = none).")
@click.option("--association", type=click.Choice(["women", "farmers", "youth"]), help="Host (default: the commune).")
@click.option("--instructor", type=TEXT)
@click.option("--code", help="SMS code (default: chosen, e.g. VN2).")
def create(topic, place, at, capacity, village, duration, waitlist, association, instructor, code):
    """Schedule a lesson and print its SMS code."""
    db = _db()
    village = village_id(db, village)
    try:
        lesson_id = domain.create(db, topic, place, _local_time(at), capacity,
                                  actor=Actor.operator(), village_id=village,
                                  association=association, instructor=instructor, duration_min=duration,
                                  waitlist=waitlist, code=code)
    except domain.LessonError as e:
        raise click.ClickException(prompts.say(f"lessons.cli.reason.{e.reason}", detail=e.detail)) from None
    click.echo(_line(domain.get(db, lesson_id)))


@lessons.command("list")
@click.option("--all", "everything", is_flag=True, help="Also lessons already held and cancelled ones.")
def list_(everything):
    """Upcoming lessons: code, time, seats taken/capacity, waiting/waitlist, place, host, instructor."""
    db = _db()
    rows = domain.listing(db) if everything else domain.upcoming(db, limit=1000)
    for lesson in rows:
        click.echo(_line(lesson))


@lessons.command("cancel")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def cancel(code, yes):
    """Cancel a lesson; everyone enrolled or waiting is told by SMS or call."""
    db = _db()
    lesson = _lesson(db, code)
    if not yes:
        click.confirm(prompts.say("lessons.cli.confirm_cancel", lesson=_line(lesson)), abort=True)
    result = domain.cancel_lesson(db, lesson["id"], actor=Actor.operator())
    click.echo(prompts.say(f"lessons.cli.cancel.{result['outcome']}", code=lesson["code"],
                           people=result.get("people", 0)))


@lessons.command("capacity")
@click.argument("code")
@click.argument("seats", type=click.IntRange(1))
def capacity(code, seats):
    """Change the seats of a lesson; new seats go to the waitlist in order (they are told)."""
    db = _db()
    promoted = domain.set_capacity(db, _lesson(db, code)["id"], seats, actor=Actor.operator())
    click.echo(_line(_lesson(db, code)))
    click.echo(prompts.say("lessons.cli.promoted", count=len(promoted)))


def _roster(db, lesson):
    click.echo(_line(lesson))
    for n, row in enumerate(domain.roster(db, lesson["id"]), 1):
        state = prompts.say(f"admin.lessons.states.{row['status']}")
        if row["status"] == "waitlisted":
            state += f" #{row['queue_no']}"
        click.echo(f"{n:>3} {state:<14} {mask(row['phone'])} {row['name'] or '-'} · {row['village'] or '-'}")


@lessons.command("roster")
@click.argument("code")
def roster(code):
    """Everyone on a lesson's list: seated first, then the waitlist in order."""
    db = _db()
    _roster(db, _lesson(db, code))


@lessons.command("attendance")
@click.argument("code")
@click.argument("phones", nargs=-1)
@click.option("--all", "everyone", is_flag=True, help="Everyone holding a seat came.")
@click.option("--absent", is_flag=True, help="Take the mark back for these numbers.")
@click.option("--by", help="Who is marking (instructor or official).")
def attendance(code, phones, everyone, absent, by):
    """Mark who came (phone numbers, or --all); people without a seat are recorded as walk-ins."""
    from hotline.cli.common import phone_number as _phone

    db = _db()
    lesson = _lesson(db, code)
    ids = [r["resident_id"] for r in domain.roster(db, lesson["id"]) if r["status"] == "enrolled"] if everyone else []
    for raw in phones:
        phone = _phone(raw)
        resident = residents.by_phone(db, phone)
        if resident is None:
            raise click.ClickException(prompts.say("lessons.cli.unknown_resident", phone=mask(phone)))
        ids.append(resident["id"])
    if ids:
        result = domain.mark_attendance(db, lesson["id"], ids, present=not absent, by=by, actor=Actor.operator())
        click.echo(prompts.say(f"lessons.cli.attendance.{result['outcome']}", marked=result["marked"],
                               walk_ins=result["walk_ins"]))
        if result["outcome"] != "marked":
            raise SystemExit(1)
    _roster(db, domain.get(db, lesson["id"]))


@lessons.command("remind")
def remind():
    """Queue the reminders due now (the worker does this every minute; for cron or a stopped worker)."""
    from hotline.core.config import Config

    click.echo(json.dumps(reminders.queue_due(_db(), Config.from_env())))


def _period(value):
    try:
        return lessons_report.period_of(value)
    except ValueError:
        raise click.BadParameter(prompts.say("lessons.cli.bad_period", value=value), param_hint="--period") from None


@lessons.command("report")
@click.option("--period", help="year (default), quarter, month, or 2026 | 2026-Q4 | 2026-11.")
@click.option("--json", "as_json", is_flag=True, help="JSON for dashboards (the admin's coverage page).")
def report(period, as_json):
    """Enrolled and trained against target, per association and village; women and elderly reached."""
    data = lessons_report.report(_db(), _period(period))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    pct = lambda x: "-" if x is None else f"{x:.0%}"  # noqa: E731
    say = lambda key, **v: click.echo(prompts.say(f"lessons.cli.report.{key}", **v))  # noqa: E731
    say("title", period=data["period"], **data["totals"])
    say("associations")
    for a in data["associations"]:
        say("association", name=a["name"], members=a["members"], enrolled=a["enrolled"], attended=a["attended"],
            target=a["target"] if a["target"] is not None else "-", progress=pct(a["progress"]))
    say("villages")
    for v in data["villages"]:
        say("village", name=v["name"], adults=v["adults"], enrolled=v["enrolled"], attended=v["attended"],
            share=pct(v["share_attended"]), target=pct(v["target_share"]), progress=pct(v["progress"]))
    for group in ("women", "elderly"):
        r = data["reach"][group]
        say(group, attended=r["attended"], total=r["total"], coverage=pct(r["coverage"]),
            share=pct(r["share_of_attendees"]))


@lessons.command("targets")
@click.option("--period", help="year (default), quarter, month, or 2026 | 2026-Q4 | 2026-11.")
@click.option("--association", "association_targets", multiple=True, metavar="CODE=N",
              help="Members to train, e.g. women=40 (repeatable).")
@click.option("--village", "village_targets", multiple=True, metavar="NAME=SHARE",
              help="Share of adults to train, e.g. 'yen nong=30%' or 'yen nong=0.3' (repeatable; accent-blind).")
def targets(period, association_targets, village_targets):
    """Set and show the training targets of a period."""
    db = _db()
    period = _period(period)
    for kind, item in [("association", i) for i in association_targets] + [("village", i) for i in village_targets]:
        subject, _, amount = item.rpartition("=")
        amount = amount.strip()
        try:
            if kind == "association":
                lessons_report.set_target(db, kind, subject.strip(), period, target=int(amount))
            else:
                share = float(amount.rstrip("%")) / (100 if amount.endswith("%") else 1)
                lessons_report.set_target(db, kind, subject.strip(), period, share=share)
        except ValueError:
            raise click.BadParameter(prompts.say(f"lessons.cli.bad_target.{kind}", item=item),
                                     param_hint=f"--{kind}") from None
    # The code as typed in --association, with the association's name.
    names = {("association", a["id"]): f"{a['code']} ({a['name']})" for a in places.associations(db)}
    names.update({("village", v["id"]): v["name"] for v in places.villages(db)})
    click.echo(prompts.say("lessons.cli.targets", period=period))
    rows = [(prompts.say(f"lessons.cli.target_kind.{kind}"), str(names.get((kind, subject), subject)),
             t["target"] if kind == "association" else f"{t['share']:.0%}")
            for (kind, subject), t in sorted(lessons_report.targets(db, period).items())]
    width = max((len(name) for _, name, _ in rows), default=0)
    for label, name, amount in rows:
        click.echo(f"  {label:<5} {name:<{width}} {amount}")
