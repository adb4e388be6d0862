"""Officials by phone: a registered official's number hears the PIN prompt, then the officials' menu.

Unknown numbers never hear of it: the hook at /voice/incoming answers only for an enabled
official's number, and the resident's hotline goes on as usual for everyone else.
"""
from __future__ import annotations

import logging

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain.officials import announcements, permissions
from hotline.domain import officials
from hotline.domain.officials import demo_secrets
from hotline.core import prompts
from hotline.core.db import get_db
from hotline.core.phones import mask

from voice import menus, steps, tts
from voice import officials_approve, officials_audience, officials_callout  # noqa: F401  (routes join bp)
from voice import officials_publish, officials_record  # noqa: F401  (routes join bp)
from voice.officials_audience import addresses_nobody
from voice.officials_session import MENU_URL, PIN_URL, RESIDENT_URL, acting, bp, official, say_then, session_lost
from voice.webhook import CallInput, call_webhook

log = logging.getLogger(__name__)
PIN_TIMEOUT_S = 8


def incoming_hook(db, call: CallInput) -> VoiceResponse | None:
    """Tried first at /voice/incoming: the PIN prompt for an official's number, None for everyone else."""
    if call.arg("as") == "resident" or call.outbound or call.caller is None:
        return None
    found = officials.by_phone(db, call.caller)
    if not found or found["disabled"] or demo_secrets.published_secret(current_app.config, found, "pin_hash"):
        return None
    log.info("official's number %s calling", mask(call.caller))
    if officials.locked(db, found["id"]):
        return say_then(call, [prompts.say("officials.voice.locked_now")], RESIDENT_URL)
    return pin_prompt()


def pin_prompt(lead: list[str] = ()) -> VoiceResponse:
    """The PIN, ended by #; silence falls through to the resident's hotline."""
    response = VoiceResponse()
    gather = response.gather(input="dtmf", timeout=PIN_TIMEOUT_S, finish_on_key="#", action=PIN_URL)
    for text in [*lead, prompts.say("officials.voice.pin")]:
        tts.speak(gather, text)
    response.redirect(RESIDENT_URL)
    return response


@bp.post("/officials/pin")
@call_webhook
def pin(call: CallInput):
    db, config = get_db(), current_app.config
    found = officials.by_phone(db, call.caller) if call.caller and not call.outbound else None
    if not found or found["disabled"] or demo_secrets.published_secret(config, found, "pin_hash"):
        return steps.go(call, RESIDENT_URL)
    digits = call.digits or ""
    if not digits:  # only # pressed: not an attempt
        return pin_prompt()
    result = officials.check_pin(db, found["id"], digits, max_attempts=int(config.number("HOTLINE_PIN_ATTEMPTS")),
                                 lock_minutes=config.number("HOTLINE_PIN_LOCK_MINUTES"))
    log.info("official #%s PIN %s", found["id"], result)
    if result == "ok":
        officials.start_call(db, call.call_sid, found["id"])
        return menus.show(_menu(db, found), lead=[prompts.say("officials.voice.welcome", name=found["name"])])
    if result == "wrong":
        return pin_prompt([prompts.say("officials.voice.pin_wrong")])
    minutes = int(config.number("HOTLINE_PIN_LOCK_MINUTES"))
    return say_then(call, [prompts.say("officials.voice.pin_locked", minutes=minutes)], RESIDENT_URL)


@bp.post("/officials/menu")
@call_webhook
def menu(call: CallInput):
    me = official(call)
    if me is None:
        return session_lost(call)
    result = menus.handle(_menu(get_db(), me), call)
    if isinstance(result, VoiceResponse):
        return result
    if result.option.value == "record" and addresses_nobody(get_db(), me):
        # Before the recording, not after: three minutes of speech with nowhere to send it would be lost.
        return say_then(call, [prompts.say("officials.voice.no_village")], MENU_URL)
    target = {"record": "/voice/officials/record", "approve": "/voice/officials/approve",
              "resident": RESIDENT_URL}[result.option.value]
    return steps.go(call, target)


def _menu(db, me: dict) -> menus.Menu:
    pending = len(announcements.awaiting_approval(db, acting(me)))
    intro = [prompts.say("officials.voice.menu")]
    if pending:
        intro.append(prompts.say("officials.voice.pending", count=pending))
    records = permissions.has_role(db, acting(me), "announcement.create")
    return menus.Menu("officials", MENU_URL, intro, menu_options(pending > 0, records))


def menu_options(pending: bool, records: bool = True) -> list[menus.Option]:
    """1 only for those whose role records announcements (not instructors); 2 only while some wait for this
    official's approval. The keys stay where they are: an instructor's hotline is 3, as everyone's."""
    options = [menus.Option("1", prompts.say("officials.voice.record_new"), "record")] if records else []
    if pending:
        options.append(menus.Option("2", prompts.say("officials.voice.approve_pending"), "approve"))
    options.append(menus.Option("3", prompts.say("officials.voice.as_resident"), "resident"))
    return options
