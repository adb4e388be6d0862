"""Calls we place: where each one is answered (url_for, from its outbox row), the alert and check-in calls' TwiML,
and their status callbacks.

The domain queues a call as a purpose and a reference (alert:12, lesson:3 …); only this channel knows its
routes, so the worker gets the URLs from here (hotline.app hands urls to it). A call-out plays the warning twice inside a keypad <Gather> ("1 heard clearly, 2 hear again"), then
once more for each 2 until it has been read MAX_PLAYS times in all; a Gather that times out falls
through to the goodbye, as Twilio does. An answering machine (AnsweredBy machine_end_*, we ask for
DetectMessageEndpoint) gets the message after its beep.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain import alerts, delivery
from hotline.domain.alerts import acks, checkins
from hotline.core import prompts
from hotline.core.db import get_db, now as utc_now

from voice.menus import with_params
from voice.tts import play_file, speak
from voice.webhook import CallInput, apologise, call_webhook

bp = Blueprint("callout", __name__, url_prefix="/voice")
bp.register_error_handler(Exception, apologise)
log = logging.getLogger(__name__)
MAX_PLAYS = 3     # readings of the warning on one call, the two of the first Gather included
FIRST_PLAYS = 2
STATUS_URL = "/voice/callout/status"


def url_for(row: dict) -> str | None:
    """Where a call we place fetches its words, from its outbox row; None when no route of ours answers it.
    A row queued with a URL (before the domain stopped writing them) keeps that URL."""
    if row.get("url"):
        return row["url"]
    kind, _, ref = (row["ref"] or "").partition(":")
    if row["purpose"] == "callback":
        return "/voice/incoming?callback=1"         # the resident hears the hotline, their warning first
    if kind in ("alert", "checkin") and ref.isdigit():
        return with_params(f"/voice/{kind}/{ref}", r=row["resident_id"])   # r: whose "1" it is
    if kind == "announcement" and ref.isdigit():
        return f"/voice/announcement/{ref}"
    if kind == "lesson":
        return f"/voice/lessons/notice/{row['id']}"  # the row's own text (hotline.domain.lessons.reminders)
    return None


def urls(row: dict) -> tuple[str, str] | None:
    """(answer, status callback) of a call the worker places; None when no route answers it."""
    answer = url_for(row)
    return (answer, STATUS_URL) if answer else None


def _message(parent, alert: dict) -> None:
    if alert["audio_path"] and play_file(parent, alert["audio_path"]):
        return
    speak(parent, prompts.say("alerts.voice.message", kind=prompts.say(f"alerts.kind.{alert['kind']}"),
                              level=alert["level"], text=alert["text"]))


def _plays(call: CallInput) -> int:
    """Readings so far (?n=); our own signed URL, so anything else counts as the limit reached."""
    value = call.arg("n")
    return int(value) if value.isdigit() else MAX_PLAYS


def _resident(call: CallInput) -> int | None:
    value = call.arg("r")
    return int(value) if value.isdigit() else None


@bp.post("/alert/<int:alert_id>")
@call_webhook
def alert_call(call: CallInput, alert_id):
    response = VoiceResponse()
    alert = alerts.latest_version(get_db(), alert_id) if alerts.get(get_db(), alert_id) else None
    if alert is None or alert["status"] in ("cancelled", "cancel"):
        speak(response, prompts.say("alerts.voice.cancelled"))
        return response
    if alert["status"] == "expired" or alert["expires_at"] <= utc_now():
        speak(response, prompts.say("alerts.voice.ended"))
        return response
    speak(response, prompts.say("alerts.voice.intro"))
    if call.answered_by.startswith("machine_end"):
        _message(response, alert)   # after the beep: no one can press a key, so no Gather
        speak(response, prompts.say("alerts.voice.again"))
        _message(response, alert)
        return response
    first = min(FIRST_PLAYS, MAX_PLAYS)
    return _ask(response, call, alert_id, alert, plays=first, repeat=first)


def _ask(response, call: CallInput, alert_id: int, alert: dict, plays: int, repeat: int):
    """`plays`: readings so far on this call, these included; it travels in the action's ?n=."""
    action = with_params(f"/voice/alert/{alert_id}/answer", r=_resident(call), n=plays)
    gather = response.gather(num_digits=1, timeout=8, finish_on_key="", action=action, method="POST")
    for i in range(repeat):
        if i:
            speak(gather, prompts.say("alerts.voice.again"))
        _message(gather, alert)
    speak(gather, prompts.say("alerts.voice.ask"))
    speak(response, prompts.say("alerts.voice.goodbye"))   # reached only when the Gather times out
    return response


@bp.post("/alert/<int:alert_id>/answer")
@call_webhook
def alert_answer(call: CallInput, alert_id):
    db, response = get_db(), VoiceResponse()
    if not alerts.get(db, alert_id):
        speak(response, prompts.say("alerts.voice.cancelled"))
        return response
    if call.digits == "1":
        resident = _resident(call)
        if resident is not None:
            acks.acknowledge(db, alert_id, resident, "call")
        speak(response, prompts.say("alerts.voice.thanks"))
        return response
    if _plays(call) >= MAX_PLAYS:
        speak(response, prompts.say("alerts.voice.goodbye"))
        return response
    # 2 (hear again) or any other key: once more, then the question again.
    return _ask(response, call, alert_id, alerts.latest_version(db, alert_id), _plays(call) + 1, repeat=1)


@bp.post("/checkin/<int:checkin_id>")
@call_webhook
def checkin_call(call: CallInput, checkin_id):
    return _ask_checkin(checkin_id, _resident(call), times=2)


def _ask_checkin(checkin_id: int, resident: int | None, times: int) -> VoiceResponse:
    """The question in keypad <Gather>s; silence after the last one says goodbye rather than hanging up mute."""
    response = VoiceResponse()
    action = with_params(f"/voice/checkin/{checkin_id}/answer", r=resident)
    for _ in range(times):
        gather = response.gather(num_digits=1, timeout=8, finish_on_key="", action=action, method="POST")
        speak(gather, prompts.say("alerts.voice.checkin_ask"))
    speak(response, prompts.say("alerts.voice.goodbye"))
    return response


@bp.post("/checkin/<int:checkin_id>/answer")
@call_webhook
def checkin_answer(call: CallInput, checkin_id):
    response, resident = VoiceResponse(), _resident(call)
    outcome = "invalid"
    if resident is not None:
        outcome = checkins.record(get_db(), current_app.config, checkin_id, resident, call.digits or "", "call")
    if outcome == "invalid":
        return _ask_checkin(checkin_id, resident, times=1)
    speak(response, prompts.say(f"alerts.voice.checkin_{outcome}"))
    return response


@bp.post("/callout/status")
@call_webhook
def status(call: CallInput):
    outcome = delivery.call_status(get_db(), current_app.config, call.call_sid, call.status,
                                   call.answered_by or None, call.duration)
    log.info("call %s %s: %s", call.call_sid or "?", call.status or "?", outcome)
    return "", 204
