"""Voice channel: calls in (menus, guides, operator, voicemail), prompts as pre-rendered audio, speech by Vosk."""
from __future__ import annotations

from voice.routes import bp
from voice import announcements, guides, lessons, menus, operator, warnings  # noqa: F401  (their routes join bp)
from voice import officials_spoken  # noqa: F401  (the officials' lines join voice.render.SOURCES)


def init_app(app, background: bool = True) -> None:
    from hotline.web.health import register_check

    from hotline.speech import asr
    from voice import media, tts

    app.register_blueprint(bp)
    from voice import callout
    app.register_blueprint(callout.bp)
    app.register_blueprint(media.bp)
    __import__("voice.officials").officials.init_app(app)   # officials record announcements by phone
    register_check(app, "speech", lambda: asr.get_recogniser(app.config).status())
    if not app.config.get("TESTING"):
        if background:
            asr.preload(app.config)
        else:
            # The server's parent, before it forks: a model loaded here is shared by every worker (its pages
            # are only read, so fork's copy-on-write never copies them) instead of loaded once per worker.
            asr.get_recogniser(app.config)
    register_check(app, "prompts_audio", lambda: tts.status(app.config))


bp.register_error_handler(Exception, menus.apologise)
