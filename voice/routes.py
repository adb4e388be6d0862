"""Voice webhooks: verify → parse → domain → TwiML. The call starts here and the main menu lives here."""
from __future__ import annotations

import logging
from functools import lru_cache

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain import callbacks, calls, residents
from hotline.core import prompts
from hotline.core.db import get_db
from hotline.core.phones import mask

from voice import menus, steps, tts, warnings
from voice.blueprint import bp
from voice.webhook import CallInput, call_webhook

log = logging.getLogger(__name__)

MAIN_TARGETS = {"warnings": "/voice/warnings", "guides": "/voice/guides", "lessons": "/voice/lessons",
                "announcements": "/voice/announcements"}


def main_menu() -> menus.Menu:
    return _main_menu(id(prompts.catalogue()))


@lru_cache(maxsize=4)
def _main_menu(_catalogue: int) -> menus.Menu:
    """Built once per prompt catalogue: the same words for every caller."""
    return menus.Menu("main", menus.MAIN_URL, [prompts.say("voice.main.intro")], [
        menus.option("voice.main.warnings", "1", "warnings", "warnings"),
        menus.option("voice.main.guides", "2", "guides", "guides"),
        menus.option("voice.main.lessons", "3", "lessons", "lessons"),
        menus.option("voice.main.announcements", "4", "announcements", "announcements"),
    ], [prompts.say("voice.main.operator")])


@bp.post("/incoming")
@call_webhook
def incoming(call: CallInput):
    db = get_db()
    resident = residents.by_phone(db, call.caller) if call.caller else None
    log.info("call %s from %s", call.call_sid, mask(call.caller or ""))
    calls.start(db, call.call_sid, call.caller or "", resident and resident["id"],
                "callback" if call.outbound else "inbound")
    for hook in current_app.extensions["voice.incoming_hooks"]:     # the officials' PIN, first (hotline.app)
        response = hook(db, call)
        if response is not None:
            return response
    if not call.outbound and callbacks.offered(current_app.config, resident):
        return _reject_and_call_back(db, resident, call.call_sid)
    response, menu = VoiceResponse(), main_menu()
    if not warnings.warn_first(response, db, resident, call):
        tts.speak(response, prompts.say("voice.welcome"))
    menus.log_step(menu, call, "shown")
    return menus.show(menu, response=response)


@bp.post("/menu/main")
@call_webhook
def main(call: CallInput):
    result = menus.handle(main_menu(), call)
    if isinstance(result, menus.Choice):
        return steps.go(call, MAIN_TARGETS[result.option.value])
    return result


@bp.post("/status")
@call_webhook
def status(call: CallInput):
    log.info("call %s is %s", call.call_sid, call.status)
    if call.call_sid and call.status in ("completed", "busy", "failed", "no-answer", "canceled"):
        calls.finish(get_db(), call.call_sid, call.status)
    return "", 204


def _reject_and_call_back(db, resident, sid) -> VoiceResponse:
    """Missed-call call-back: rejecting as busy costs the caller nothing; we ring them back at once."""
    callbacks.queue(db, resident, sid)
    calls.set_outcome(db, sid, "rejected_for_callback")
    response = VoiceResponse()
    response.reject(reason="busy")
    return response
