"""The officials' phone flow, shared parts: its blueprint, who is on the line, and the keypad question it asks."""
from __future__ import annotations

import functools
import logging

from flask import Blueprint, current_app
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain.officials import announcements, permissions
from hotline.domain import officials
from hotline.core import prompts
from hotline.core.db import get_db

from voice import menus, steps, tts
from voice.webhook import CallInput, apologise

bp = Blueprint("officials", __name__, url_prefix="/voice")
log = logging.getLogger(__name__)

MENU_URL = "/voice/officials/menu"
PIN_URL = "/voice/officials/pin"
# The resident's hotline, with the officials' hook stepped over (an official may listen as anyone does).
RESIDENT_URL = "/voice/incoming?as=resident"


# Never a 500 on a call (Twilio would read its own English error): the voice channel's one handler.
bp.register_error_handler(Exception, apologise)


def official(call: CallInput) -> dict | None:
    """The official who gave the right PIN on this call, from the number they gave it from (they called us)."""
    if call.outbound or call.caller is None:
        return None
    return officials.on_call(get_db(), call.call_sid, call.caller)


def acting(me: dict) -> permissions.Actor:
    """The official on the line, as the domain's permission checks and audit trail take them."""
    return permissions.Actor.of(me, "phone")


def session_lost(call: CallInput) -> VoiceResponse:
    """Back to the start of the call, where a registered number is asked for its PIN again."""
    return say_then(call, [prompts.say("officials.voice.session_lost")], "/voice/incoming")


def draft(official_row: dict, call: CallInput) -> dict | None:
    """The announcement named in ?a=, if it is this official's and still a draft."""
    row = announcements.get(get_db(), call.number("a"))
    if not row or row["official_id"] != official_row["id"] or row["status"] != "draft":
        return None
    return row


def with_draft(view):
    """For each publishing step: the view gets (call, official, draft); a lost session or a stale draft goes back."""
    @functools.wraps(view)
    def wrapper(call: CallInput):
        me = official(call)
        if me is None:
            return session_lost(call)
        row = draft(me, call)
        return steps.go(call, MENU_URL) if row is None else view(call, me, row)
    return wrapper


def say_then(call: CallInput, texts: list[str], url: str) -> VoiceResponse:
    """The words, then what `url` answers, in the same response (steps.go)."""
    return steps.go(call, url, lead=texts)


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


def answer(call: CallInput, url: str, texts: list[str]) -> tuple[VoiceResponse | None, str, int]:
    """The answer to a question asked with ask(): (TwiML to send, key, failures) when the question must be
    asked again (first time, * or silence) or the official pressed # for their menu; else (None, key, failures)."""
    event, key = call.event, (call.digits or "")[:1]
    failures = call.number("n")
    if event is None or key == "*":
        return ask(url, texts, failures), key, failures
    if key == "#":
        return steps.go(call, MENU_URL), key, failures
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
