"""SMS channel: keywords in, replies and broadcasts out, through Twilio or a local Android gateway."""
from __future__ import annotations

import logging

from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import HTTPException

from hotline import prompts
from hotline.webhooks import twiml

from .routes import bp

log = logging.getLogger(__name__)


def init_app(app) -> None:
    app.register_blueprint(bp)


@bp.errorhandler(Exception)
def _apologise(error):
    """Never a 500 and never silence: the sender gets a short apology."""
    if isinstance(error, HTTPException):
        return error
    log.exception("sms webhook failed")
    response = MessagingResponse()
    response.message(prompts.say("core.sms.sorry"))
    return twiml(response)
