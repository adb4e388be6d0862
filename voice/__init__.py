"""Voice channel: calls in (menus, guides, operator, voicemail), call-outs, officials by phone, pre-rendered audio."""
from __future__ import annotations

from hotline.speech import asr
from hotline.web.health import register_check
from voice import announcements, guides, lessons, operator, routes, warnings  # noqa: F401  (their routes join bp)
from voice import callout, media, officials, tts, webhook
from voice.blueprint import bp


def init_app(app, background: bool = True, incoming_hooks: tuple = ()) -> None:
    """incoming_hooks: fn(db, call: CallInput) -> VoiceResponse | None each, tried first at /voice/incoming
    (hotline.app gives the officials' PIN prompt)."""
    app.extensions["voice.incoming_hooks"] = tuple(incoming_hooks)
    app.register_blueprint(bp)
    app.register_blueprint(callout.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(officials.bp)        # officials record announcements by phone
    register_check(app, "speech", lambda: asr.status(app.config))
    if not app.config.get("TESTING"):
        if background:
            asr.preload(app.config)
        else:
            # The server's parent, before it forks: a Vosk model loaded here is shared by every worker (its pages
            # are only read, so fork's copy-on-write never copies them) instead of loaded once per worker.
            # Whisper's is not loaded here (CTranslate2 hangs after fork): each worker loads its own (preload).
            asr.get_recogniser(app.config)
    register_check(app, "prompts_audio", lambda: tts.status(app.config))


bp.register_error_handler(Exception, webhook.apologise)
