"""SMS channel: keywords in, replies and broadcasts out, through Twilio or a local Android gateway."""
from __future__ import annotations

import logging

from flask import jsonify, request
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import HTTPException

from hotline.core import logs, prompts
from hotline.web.health import register_check
from hotline.web.webhooks import twiml

from sms import gateway  # noqa: F401  (the /sms/gateway route joins the blueprint)
from sms.health import check
from sms.routes import bp

log = logging.getLogger(__name__)


def init_app(app, hooks: tuple, transports: dict) -> None:
    """hooks: tried before the keywords on every inbound text (sms.inbound.receive); transports: the SMS
    transports there are, by the name HOTLINE_SMS_TRANSPORT gives (for /health)."""
    for secret in ("HOTLINE_GATEWAY_PASSWORD", "HOTLINE_GATEWAY_SIGNING_KEY"):
        logs.register_secret(app.config.get(secret))
    app.extensions["sms.hooks"] = tuple(hooks)
    app.register_blueprint(bp)
    register_check(app, "sms", lambda: check(app.config, transports))


@bp.errorhandler(Exception)
def _apologise(error):
    """Never a 500 and never silence: the sender gets a short apology; the gateway is asked to retry."""
    if isinstance(error, HTTPException):
        return error
    log.exception("sms webhook failed")
    if request.path == "/sms/gateway":
        # The app retries a non-2xx delivery with backoff, so a passing fault (a locked database)
        # loses nothing; the message is handled once when it comes back.
        return jsonify(ok=False, error="temporarily unavailable"), 503, {"Retry-After": "10"}
    response = MessagingResponse()
    response.message(prompts.say("core.sms.sorry"))
    return twiml(response)
