"""A second official approves, by phone, the fan-out of an announcement another official published."""
from __future__ import annotations

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain.officials import announcements, permissions
from hotline.core import prompts
from hotline.core.db import get_db

from voice import menus, steps
from voice.officials_session import MENU_URL, acting, bp, official, say_then, session_lost
from voice.webhook import CallInput, call_webhook

APPROVE_URL = "/voice/officials/approve"


@bp.post("/officials/approve")
@call_webhook
def approve(call: CallInput):
    """One waiting announcement at a time (after=: the last one dealt with): listen, then approve or skip."""
    me, db = official(call), get_db()
    if me is None:
        return session_lost(call)
    after = call.number("after")
    waiting = [a for a in announcements.awaiting_approval(db, acting(me)) if a["id"] > after]
    chosen = call.number("a")
    row = next((a for a in waiting if a["id"] == chosen), None) if chosen else (waiting[0] if waiting else None)
    if row is None:
        return say_then(call, [prompts.say("officials.voice.nothing_pending")], MENU_URL)
    intro = [prompts.say("officials.voice.approve_intro", who=announcements.author_name(db, row),
                         place=announcements.audience_name(db, row["village_id"])),
             menus.Recording(row["audio_path"], row["text"])]
    menu = menus.Menu("officials.approve", menus.with_params(APPROVE_URL, a=row["id"], after=after), intro,
                      approve_options(), [prompts.say("officials.voice.listen_again")])
    result = menus.handle(menu, call)
    if isinstance(result, VoiceResponse):
        return result
    following = menus.with_params(APPROVE_URL, after=row["id"])
    if result.option.value == "back":
        return steps.go(call, MENU_URL)
    if result.option.value == "skip":
        return steps.go(call, following)
    try:
        outcome = announcements.approve(db, row["id"], current_app.config, actor=acting(me))
    except permissions.Forbidden:   # their villages or role changed since the list was read
        outcome = {"outcome": "not_allowed"}
    words = [prompts.say("officials.voice.approved")] if outcome["outcome"] == "approved" else [
        prompts.say("officials.voice.not_published")]
    if outcome["outcome"] == "approved":
        words.append(prompts.say("officials.voice.queued", count=outcome["queued"]))
    return say_then(call, words, following)


def approve_options() -> list[menus.Option]:
    return [menus.Option("1", prompts.say("officials.voice.approve"), "approve"),
            menus.Option("2", prompts.say("officials.voice.skip"), "skip"),
            menus.Option("3", prompts.say("officials.voice.back"), "back")]
