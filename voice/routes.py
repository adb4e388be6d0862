"""Voice webhooks: verify → parse → domain → TwiML."""
from __future__ import annotations

import logging

from flask import Blueprint, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from hotline import prompts
from hotline.phones import mask
from hotline.webhooks import twilio_signed, twiml

bp = Blueprint("voice", __name__, url_prefix="/voice")
log = logging.getLogger(__name__)


@bp.post("/incoming")
@twilio_signed
def incoming():
    log.info("call from %s", mask(request.form.get("From", "")))
    response = VoiceResponse()
    response.say(prompts.say("voice.welcome"), language="vi-VN")
    return twiml(response)


@bp.post("/status")
@twilio_signed
def status():
    log.info("call %s is %s", request.form.get("CallSid", "?"), request.form.get("CallStatus", "?"))
    return "", 204
