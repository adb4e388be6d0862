"""Menu 3: upcoming digital-skills lessons, the caller's village first. (Enrolment: the lessons work.)"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, request

from hotline import lessons, prompts, residents
from hotline.db import get_db
from hotline.webhooks import twilio_signed, twiml

from . import menus
from .routes import bp

URL = "/voice/lessons"
LISTED = 3


def when(starts_at: str, config) -> str:
    """"8 giờ 00 ngày 2 tháng 12", in the commune's time zone."""
    moment = datetime.fromisoformat(starts_at.replace("Z", "+00:00")).astimezone(ZoneInfo(config["HOTLINE_TIMEZONE"]))
    return prompts.say("voice.lessons.when", hour=moment.hour, minute=f"{moment.minute:02d}", day=moment.day,
                       month=moment.month)


def topic(lesson: dict) -> str:
    try:
        return prompts.say(f"voice.lessons.topic.{lesson['topic']}")
    except KeyError:
        return lesson["topic"]


def _village(db) -> int | None:
    resident = residents.by_phone(db, menus.caller())
    return resident["village_id"] if resident else None


def list_menu(db, config, village_id: int | None) -> menus.Menu:
    upcoming = lessons.upcoming(db, village_id, limit=LISTED)
    if not upcoming:
        return menus.Menu("lessons", URL, [prompts.say("voice.lessons.none")], [],
                          [prompts.say("voice.menu.repeat_hint")])
    intro = [prompts.say("voice.lessons.intro")] + [
        prompts.say("voice.lessons.item", topic=topic(x), when=when(x["starts_at"], config), place=x["place"])
        for x in upcoming]
    options = [menus.option("voice.lessons.choose", str(n), x["code"], number=n) for n, x in enumerate(upcoming, 1)]
    return menus.Menu("lessons", URL, intro, options, [prompts.say("voice.menu.repeat_hint")])


def detail_menu(db, config, lesson: dict) -> menus.Menu:
    text = prompts.say("voice.lessons.detail", topic=topic(lesson), code=lesson["code"],
                       when=when(lesson["starts_at"], config), place=lesson["place"])
    return menus.Menu("lessons.detail", menus.with_params(f"{URL}/detail", code=lesson["code"]),
                      [text, prompts.say("voice.lessons.enrol_hint", code=lesson["code"])], [],
                      [prompts.say("voice.menu.repeat_hint")])


@bp.post("/lessons")
@twilio_signed
def lessons_menu():
    db, config = get_db(), current_app.config
    result = menus.handle(list_menu(db, config, _village(db)))
    if isinstance(result, menus.Choice):
        return twiml(menus.redirect(menus.with_params(f"{URL}/detail", code=result.option.value)))
    return twiml(result)


@bp.post("/lessons/detail")
@twilio_signed
def lesson_detail():
    db = get_db()
    lesson = next(db.query("SELECT * FROM lessons WHERE code = ?", [request.args.get("code", "")]), None)
    if lesson is None:
        return twiml(menus.redirect(URL))
    return twiml(menus.handle(detail_menu(db, current_app.config, lesson)))
