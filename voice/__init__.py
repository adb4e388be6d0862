"""Voice channel: calls in (menus, guides, operator, voicemail), prompts as pre-rendered audio, speech by Vosk."""
from __future__ import annotations

from .routes import bp
from . import announcements, guides, lessons, menus, operator, warnings  # noqa: F401  (their routes join bp)
from . import officials_spoken  # noqa: F401  (the officials' lines join voice.render.SOURCES)
from . import transcripts  # noqa: F401  (its job joins hotline.worker.PERIODIC_JOBS: announcements', voicemails' words)


def init_app(app, background: bool = True) -> None:
    from hotline.health import register_check

    from . import asr, media, tts

    app.register_blueprint(bp)
    from . import callout   # alert and check-in call-outs (the alerts work)
    app.register_blueprint(callout.bp)
    app.register_blueprint(media.bp)
    __import__("voice.officials").officials.init_app(app)   # officials record announcements by phone
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


bp.register_error_handler(Exception, menus.apologise)
