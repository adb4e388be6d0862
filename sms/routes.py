"""Twilio's SMS webhooks: verify → parse → domain → reply (TwiML)."""
from __future__ import annotations

import logging
import uuid

from flask import Blueprint, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from hotline import inbox
from hotline.db import get_db
from hotline.webhooks import twilio_signed, twiml

from . import inbound

bp = Blueprint("sms", __name__, url_prefix="/sms")
log = logging.getLogger(__name__)


@bp.post("/incoming")
@twilio_signed
def incoming():
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid") or f"missing-{uuid.uuid4().hex}"
    message = inbound.Message("twilio", sid, form.get("From", ""), form.get("To"), form.get("Body", ""))
    result = inbound.receive(get_db(), current_app.config, message)
    response = MessagingResponse()
    if result.reply:
        response.message(result.reply)
    return twiml(response)


@bp.post("/status")
@twilio_signed
def status():
    """Twilio's StatusCallback for messages we sent: the outbox row only ever moves forward."""
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    reported = form.get("MessageStatus") or form.get("SmsStatus") or ""
    state = inbox.TWILIO_STATES.get(reported)
    if not sid or state is None:
        log.warning("status callback without a message id or with unknown status %r", reported)
        return "", 204
    row = inbox.delivery_report(get_db(), sid, state, form.get("ErrorCode") or None, form.get("ErrorMessage") or None)
    if row is None:
        log.info("status %s for %s, not in the outbox (yet): kept until it is", reported, sid)
    return "", 204
