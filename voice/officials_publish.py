"""Publishing a recorded announcement by phone: kind (and a warning's level), send. The audience: officials_audience."""
from __future__ import annotations

import logging

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain.officials import announcements, permissions
from hotline.core import prompts
from hotline.core.db import get_db

from voice import menus, steps
from voice.officials_session import MENU_URL, acting, answer, bp, retry, say_then, with_draft
from voice.webhook import CallInput, call_webhook

log = logging.getLogger(__name__)


def _url(path: str, row: dict) -> str:
    return menus.with_params(f"/voice/officials/{path}", a=row["id"])


@bp.post("/officials/kind")
@call_webhook
@with_draft
def kind(call: CallInput, me, row):
    menu = menus.Menu("officials.kind", _url("kind", row), [prompts.say("officials.voice.kind")], kind_options())
    result = menus.handle(menu, call)
    if isinstance(result, VoiceResponse):
        return result
    chosen = result.option.value
    try:
        announcements.update_draft(get_db(), row["id"], kind=chosen, level=None, actor=acting(me))
    except permissions.Forbidden:   # a flood warning is for the chairman and village heads: asked again
        return say_then(call, [prompts.say("officials.voice.not_allowed_warning")], _url("kind", row))
    return steps.go(call, _url("level" if chosen == "warning" else "send", row))


@bp.post("/officials/level")
@call_webhook
@with_draft
def level(call: CallInput, me, row):
    url, texts = _url("level", row), [prompts.say("officials.voice.level")]
    again, key, failures = answer(call, url, texts)
    if again is not None:
        return again
    if key not in "12345":
        return retry(url, texts, failures + 1, prompts.say("officials.voice.level_invalid"))
    announcements.update_draft(get_db(), row["id"], level=int(key), actor=acting(me))
    return steps.go(call, _url("send", row))


@bp.post("/officials/send")
@call_webhook
@with_draft
def send(call: CallInput, me, row):
    db = get_db()
    place = announcements.audience_name(db, row["village_id"])
    if row["kind"] == "warning":
        intro = prompts.say("officials.voice.confirm_warning", level=row["level"] or 1, place=place)
    else:
        intro = prompts.say("officials.voice.confirm_announcement", place=place)
    result = menus.handle(menus.Menu("officials.send", _url("send", row), [intro], send_options(row["kind"])), call)
    if isinstance(result, VoiceResponse):
        return result
    if result.option.value == "cancel":
        announcements.cancel(db, row["id"], actor=acting(me))
        return say_then(call, [prompts.say("officials.voice.cancelled")], MENU_URL)
    try:
        outcome = announcements.publish(db, current_app.config, row["id"], fan_out=result.option.value == "all",
                                        actor=acting(me))
    except permissions.Forbidden:   # their villages or role changed since they chose: nothing is sent
        outcome = {"outcome": "not_allowed"}
    log.info("announcement #%s by official #%s: %s", row["id"], me["id"], outcome)
    return say_then(call, outcome_words(outcome, row["kind"], place), MENU_URL)


def kind_options() -> list[menus.Option]:
    return [menus.Option("1", prompts.say("officials.voice.kind_announcement"), "announcement"),
            menus.Option("2", prompts.say("officials.voice.kind_warning"), "warning")]


def send_options(kind: str) -> list[menus.Option]:
    """A warning is always sent: no "hotline only" for it."""
    if kind == "warning":
        options = [menus.Option("1", prompts.say("officials.voice.send_warning"), "all")]
    else:
        options = [menus.Option("1", prompts.say("officials.voice.send_all"), "all"),
                   menus.Option("2", prompts.say("officials.voice.send_hotline_only"), "hotline")]
    return options + [menus.Option("3", prompts.say("officials.voice.cancel"), "cancel")]


def outcome_words(outcome: dict, kind: str, place: str) -> list[str]:
    if outcome["outcome"] == "not_allowed":
        return [prompts.say("officials.voice.not_allowed", place=place)]
    if outcome["outcome"] != "published":
        return [prompts.say("officials.voice.not_published")]
    sent_warning = kind == "warning" and outcome["fan_out"] == "queued"  # its alert is live in menu 1
    words = [prompts.say("officials.voice.published_warning" if sent_warning else "officials.voice.published")]
    if outcome["fan_out"] == "queued":
        words.append(prompts.say("officials.voice.queued", count=outcome["queued"]))
    elif outcome["fan_out"] == "awaiting_approval":
        words.append(prompts.say("officials.voice.awaiting_approval"))
    return words
