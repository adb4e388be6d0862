"""Twilio's SMS webhooks: verify → parse → domain → reply (TwiML)."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from hotline.domain import inbox
from hotline.core.db import get_db
from hotline.web.webhooks import twilio_signed, twiml

from sms import inbound
from hotline.sending.twilio_sms import TwilioSMS

bp = Blueprint("sms", __name__, url_prefix="/sms")
log = logging.getLogger(__name__)


@bp.post("/incoming")
@twilio_signed
def incoming():
    result = inbound.receive(get_db(), current_app.config, TwilioSMS.parse_inbound(request.form),
                             hooks=current_app.extensions["sms.hooks"])
    response = MessagingResponse()
    if result.reply:
        response.message(result.reply)
    return twiml(response)


@bp.post("/status")
@twilio_signed
def status():
    """Twilio's StatusCallback for messages we sent: the outbox row only ever moves forward."""
    report = TwilioSMS.parse_status(request.form)
    if report is None:
        log.warning("status callback without a message id or with an unknown status: ignored")
        return "", 204
    if inbox.delivery_report(get_db(), *report) is None:
        log.info("status for %s, not in the outbox (yet): kept until it is", report[0])
    return "", 204
