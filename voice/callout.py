"""Voice call-outs: the alert and check-in calls' TwiML, their status callbacks, and the Twilio call transport.

A call-out plays the warning twice inside a keypad <Gather> ("1 heard clearly, 2 hear again"), then
once more for each 2 until it has been read MAX_PLAYS times in all; a Gather that times out falls
through to the goodbye, as Twilio does. An answering machine (AnsweredBy machine_end_*, we ask for
DetectMessageEndpoint) gets the message after its beep.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain import alerts, delivery
from hotline.domain.alerts import checkins
from hotline.core import prompts
from hotline.core.db import get_db, now as utc_now
from hotline.web.webhooks import twilio_signed, twiml

from voice.menus import apologise
from voice.tts import play_file, speak

bp = Blueprint("callout", __name__, url_prefix="/voice")
bp.register_error_handler(Exception, apologise)
log = logging.getLogger(__name__)
MAX_PLAYS = 3     # readings of the warning on one call, the two of the first Gather included
FIRST_PLAYS = 2


def _message(parent, alert: dict) -> None:
    if alert["audio_path"] and play_file(parent, alert["audio_path"]):
        return
    speak(parent, prompts.say("alerts.voice.message", kind=prompts.say(f"alerts.kind.{alert['kind']}"),
                              level=alert["level"], text=alert["text"]))


def _plays() -> int:
    """Readings so far (?n=); our own signed URL, so anything else counts as the limit reached."""
    value = request.args.get("n", "")
    return int(value) if value.isdigit() else MAX_PLAYS


def _resident() -> int | None:
    value = request.args.get("r", "")
    return int(value) if value.isdigit() else None


@bp.post("/alert/<int:alert_id>")
@twilio_signed
def alert_call(alert_id):
    response = VoiceResponse()
    alert = alerts.latest_version(get_db(), alert_id) if alerts.get(get_db(), alert_id) else None
    if alert is None or alert["status"] in ("cancelled", "cancel"):
        speak(response, prompts.say("alerts.voice.cancelled"))
        return twiml(response)
    if alert["status"] == "expired" or alert["expires_at"] <= utc_now():
        speak(response, prompts.say("alerts.voice.ended"))
        return twiml(response)
    speak(response, prompts.say("alerts.voice.intro"))
    if request.form.get("AnsweredBy", "").startswith("machine_end"):
        _message(response, alert)   # after the beep: no one can press a key, so no Gather
        speak(response, prompts.say("alerts.voice.again"))
        _message(response, alert)
        return twiml(response)
    first = min(FIRST_PLAYS, MAX_PLAYS)
    return twiml(_ask(response, alert_id, alert, plays=first, repeat=first))


def _ask(response, alert_id: int, alert: dict, plays: int, repeat: int):
    """`plays`: readings so far on this call, these included; it travels in the action's ?n=."""
    action = url_for("callout.alert_answer", alert_id=alert_id, r=_resident(), n=plays)
    gather = response.gather(num_digits=1, timeout=8, finish_on_key="", action=action, method="POST")
    for i in range(repeat):
        if i:
            speak(gather, prompts.say("alerts.voice.again"))
        _message(gather, alert)
    speak(gather, prompts.say("alerts.voice.ask"))
    speak(response, prompts.say("alerts.voice.goodbye"))   # reached only when the Gather times out
    return response


@bp.post("/alert/<int:alert_id>/answer")
@twilio_signed
def alert_answer(alert_id):
    db, response = get_db(), VoiceResponse()
    digits, plays = request.form.get("Digits", ""), _plays()
    if not alerts.get(db, alert_id):
        speak(response, prompts.say("alerts.voice.cancelled"))
        return twiml(response)
    if digits == "1":
        resident = _resident()
        if resident is not None:
            db.execute("INSERT OR IGNORE INTO alert_acks (alert_id, resident_id, channel, acked_at)"
                       " VALUES (?, ?, 'call', ?)", [alert_id, resident, utc_now()])
        speak(response, prompts.say("alerts.voice.thanks"))
        return twiml(response)
    if plays >= MAX_PLAYS:
        speak(response, prompts.say("alerts.voice.goodbye"))
        return twiml(response)
    # 2 (hear again) or any other key: once more, then the question again.
    return twiml(_ask(response, alert_id, alerts.latest_version(db, alert_id), plays + 1, repeat=1))


@bp.post("/checkin/<int:checkin_id>")
@twilio_signed
def checkin_call(checkin_id):
    return twiml(_ask_checkin(checkin_id, _resident(), times=2))


def _ask_checkin(checkin_id: int, resident: int | None, times: int) -> VoiceResponse:
    """The question in keypad <Gather>s; silence after the last one says goodbye rather than hanging up mute."""
    response = VoiceResponse()
    action = url_for("callout.checkin_answer", checkin_id=checkin_id, r=resident)
    for _ in range(times):
        gather = response.gather(num_digits=1, timeout=8, finish_on_key="", action=action, method="POST")
        speak(gather, prompts.say("alerts.voice.checkin_ask"))
    speak(response, prompts.say("alerts.voice.goodbye"))
    return response


@bp.post("/checkin/<int:checkin_id>/answer")
@twilio_signed
def checkin_answer(checkin_id):
    response, resident = VoiceResponse(), _resident()
    outcome = "invalid"
    if resident is not None:
        outcome = checkins.record(get_db(), current_app.config, checkin_id, resident, request.form.get("Digits", ""),
                                  "call")
    if outcome == "invalid":
        return twiml(_ask_checkin(checkin_id, resident, times=1))
    speak(response, prompts.say(f"alerts.voice.checkin_{outcome}"))
    return twiml(response)


@bp.post("/callout/status")
@twilio_signed
def status():
    form = request.form
    outcome = delivery.call_status(get_db(), current_app.config, form.get("CallSid", ""), form.get("CallStatus", ""),
                                   form.get("AnsweredBy"), form.get("CallDuration"))
    log.info("call %s %s: %s", form.get("CallSid", "?"), form.get("CallStatus", "?"), outcome)
    return "", 204
