"""Voice webhooks: verify → parse → domain → TwiML. The call starts here and the main menu lives here."""
from __future__ import annotations

import logging
from functools import lru_cache

from flask import current_app, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain import calls, outbox, residents
from hotline.core import prompts
from hotline.core.db import get_db
from hotline.core.phones import mask
from hotline.web.webhooks import twilio_signed, twiml

from voice import menus, tts, warnings
from voice.blueprint import bp

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
@twilio_signed
def incoming():
    db, phone, sid = get_db(), menus.caller(), request.form.get("CallSid", "")
    outbound = request.form.get("Direction", "inbound").startswith("outbound")
    resident = residents.by_phone(db, phone) if phone else None
    log.info("call %s from %s", sid, mask(phone))
    calls.start(db, sid, phone, resident and resident["id"], "callback" if outbound else "inbound")
    for hook in current_app.extensions["voice.incoming_hooks"]:     # the officials' PIN, first (hotline.app)
        response = hook(db, phone)
        if response is not None:
            return twiml(response)
    if not outbound and _wants_callback(resident):
        return twiml(_reject_and_call_back(db, resident, sid))
    response, menu = VoiceResponse(), main_menu()
    if not warnings.warn_first(response, db, resident):
        tts.speak(response, prompts.say("voice.welcome"))
    menus.log_step(menu, "shown")
    return twiml(menus.show(menu, response=response))


@bp.post("/menu/main")
@twilio_signed
def main():
    result = menus.handle(main_menu())
    if isinstance(result, menus.Choice):
        return twiml(menus.redirect(MAIN_TARGETS[result.option.value]))
    return twiml(result)


@bp.post("/status")
@twilio_signed
def status():
    sid, state = request.form.get("CallSid", ""), request.form.get("CallStatus", "")
    log.info("call %s is %s", sid, state)
    if sid and state in ("completed", "busy", "failed", "no-answer", "canceled"):
        calls.finish(get_db(), sid, state)
    return "", 204


def _wants_callback(resident) -> bool:
    return bool(current_app.config.flag("HOTLINE_CALLBACK") and resident and not resident["opted_out_at"])


def _reject_and_call_back(db, resident, sid) -> VoiceResponse:
    """Missed-call call-back: rejecting as busy costs the caller nothing; we ring them back at once."""
    pending = db.execute("SELECT COUNT(*) FROM outbox WHERE to_phone = ? AND purpose = 'callback'"
                         " AND state IN ('queued', 'claimed')", [resident["phone"]]).fetchone()[0]
    if not pending:
        outbox.enqueue(db, "call", resident["phone"], "callback", resident_id=resident["id"],
                       url=current_app.config.absolute("/voice/incoming?callback=1"), ref=f"call:{sid}",
                       dedupe_key=f"callback:{sid}")
    calls.set_outcome(db, sid, "rejected_for_callback")
    response = VoiceResponse()
    response.reject(reason="busy")
    return response
