"""The officials' phone flow, shared parts: its blueprint, who is on the line, and the keypad question it asks."""
from __future__ import annotations

import functools
import logging

from flask import Blueprint, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain.officials import announcements, permissions
from hotline.domain import officials
from hotline.core import prompts
from hotline.core.db import get_db
from hotline.web.webhooks import twiml

from voice import menus, tts

bp = Blueprint("officials", __name__, url_prefix="/voice")
log = logging.getLogger(__name__)

MENU_URL = "/voice/officials/menu"
PIN_URL = "/voice/officials/pin"
# The resident's hotline, with the officials' hook stepped over (an official may listen as anyone does).
RESIDENT_URL = "/voice/incoming?as=resident"


# Never a 500 on a call (Twilio would read its own English error): the voice channel's one handler.
bp.register_error_handler(Exception, menus.apologise)


def official() -> dict | None:
    """The official who gave the right PIN on this call, from the number they gave it from."""
    return officials.on_call(get_db(), request.form.get("CallSid", ""), request.form.get("From", ""))


def acting(me: dict) -> permissions.Actor:
    """The official on the line, as the domain's permission checks and audit trail take them."""
    return permissions.Actor.of(me, "phone")


def session_lost() -> VoiceResponse:
    response = VoiceResponse()
    tts.speak(response, prompts.say("officials.voice.session_lost"))
    response.redirect("/voice/incoming")
    return response


def draft(official_row: dict) -> dict | None:
    """The announcement named in ?a=, if it is this official's and still a draft."""
    try:
        row = announcements.get(get_db(), int(request.args.get("a", "")))
    except ValueError:
        return None
    if not row or row["official_id"] != official_row["id"] or row["status"] != "draft":
        return None
    return row


def with_draft(view):
    """For each publishing step: the view gets (official, draft); a lost session or a stale draft goes back."""
    @functools.wraps(view)
    def wrapper():
        me = official()
        if me is None:
            return twiml(session_lost())
        row = draft(me)
        return twiml(menus.redirect(MENU_URL)) if row is None else view(me, row)
    return wrapper


def say_then(texts: list[str], url: str | None, hang_up: bool = False) -> VoiceResponse:
    response = VoiceResponse()
    for text in texts:
        tts.speak(response, text)
    if url:
        response.redirect(url)
    elif hang_up:
        response.hangup()
    return response


def ask(url: str, texts: list[str], failures: int = 0, lead: list[str] = ()) -> VoiceResponse:
    """One keypad question (a single key, # included); silence falls through to a counted re-ask."""
    response = VoiceResponse()
    timeout = int(float(current_app.config.get("HOTLINE_GATHER_TIMEOUT", 5)))
    gather = response.gather(input="dtmf", num_digits=1, timeout=timeout, finish_on_key="",
                             action=menus.with_params(url, ev="key", n=failures))
    for text in [*lead, *texts]:
        tts.speak(gather, text)
    response.redirect(menus.with_params(url, ev="silence", n=failures))
    return response


def answer(url: str, texts: list[str]) -> tuple[VoiceResponse | None, str, int]:
    """The answer to a question asked with ask(): (TwiML to send, key, failures) when the question must be
    asked again (first time, * or silence) or the official pressed # for their menu; else (None, key, failures)."""
    event, key = request.args.get("ev"), request.form.get("Digits", "")[:1]
    failures = menus.number(request.args.get("n"))
    if event is None or key == "*":
        return ask(url, texts, failures), key, failures
    if key == "#":
        return menus.redirect(MENU_URL), key, failures
    if event == "silence" or not key:
        return retry(url, texts, failures + 1, not_heard()), key, failures
    return None, key, failures


def retry(url: str, texts: list[str], failures: int, lead: str) -> VoiceResponse:
    """Ask again with a reason first; the third miss ends the call politely."""
    if failures >= menus.MAX_FAILURES:
        return menus.goodbye()
    return ask(url, texts, failures, [lead])


def not_heard() -> str:
    return prompts.say("voice.menu.not_heard")


def invalid() -> str:
    return prompts.say("voice.menu.invalid")
