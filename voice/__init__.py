"""Voice channel: calls in (menus), calls out (alerts), all as TwiML."""
from __future__ import annotations

import logging

from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from hotline import prompts
from hotline.webhooks import twiml

from .routes import bp

log = logging.getLogger(__name__)


def init_app(app) -> None:
    app.register_blueprint(bp)


@bp.errorhandler(Exception)
def _apologise(error):
    """A caller never hears a 500: Twilio would play its own English error message and hang up."""
    if isinstance(error, HTTPException):
        return error
    log.exception("voice webhook failed")
    response = VoiceResponse()
    response.say(prompts.say("core.voice.sorry"), language="vi-VN")
    return twiml(response)
