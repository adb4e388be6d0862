"""SMS webhooks: verify → parse → domain → reply."""
from __future__ import annotations

import logging

from flask import Blueprint, request
from twilio.twiml.messaging_response import MessagingResponse

from hotline import prompts
from hotline.db import get_db, now
from hotline.phones import mask
from hotline.webhooks import twilio_signed, twiml

bp = Blueprint("sms", __name__, url_prefix="/sms")
log = logging.getLogger(__name__)


@bp.post("/incoming")
@twilio_signed
def incoming():
    log.info("sms from %s", mask(request.form.get("From", "")))
    response = MessagingResponse()
    response.message(prompts.sms("sms.help"))
    return twiml(response)


@bp.post("/status")
@twilio_signed
def status():
    sid, state = request.form.get("MessageSid", ""), request.form.get("MessageStatus", "")
    get_db().execute("UPDATE outbox SET state = ?, updated_at = ? WHERE provider_id = ?", [state, now(), sid])
    return "", 204
