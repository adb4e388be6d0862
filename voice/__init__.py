"""Voice channel: calls in (menus, guides, operator, voicemail), prompts as pre-rendered audio, speech by Vosk."""
from __future__ import annotations

import logging

from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from hotline import prompts
from hotline.webhooks import twiml

from .routes import bp
from . import announcements, guides, lessons, operator, warnings  # noqa: F401  (their routes join bp)

log = logging.getLogger(__name__)


def init_app(app) -> None:
    from hotline.health import register_check

    from . import asr, media, tts

    app.register_blueprint(bp)
    from . import callout   # alert and check-in call-outs (the alerts work)
    app.register_blueprint(callout.bp)
    app.register_blueprint(media.bp)
    __import__("voice.officials").officials.init_app(app)   # officials record announcements by phone
    register_check(app, "speech", lambda: asr.get_recogniser(app.config).status())
    if not app.config.get("TESTING"):
        asr.preload(app.config)
    register_check(app, "prompts_audio", lambda: tts.status(app.config))


@bp.errorhandler(Exception)
def _apologise(error):
    """A caller never hears a 500: Twilio would play its own English error message and hang up."""
    if isinstance(error, HTTPException):
        return error
    log.exception("voice webhook failed")
    response = VoiceResponse()
    response.say(prompts.say("core.voice.sorry"), language="vi-VN")
    return twiml(response)
