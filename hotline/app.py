"""The composition root: the web app with every channel, and the worker with every job and transport.

Nothing joins the machine by being imported: what runs is listed here (docs/architecture.md).
"""
from __future__ import annotations

import admin
import sms
import voice
from hotline.web import health
from hotline.web.factory import HotlineApp, base_app


def create_app(test_config: dict | None = None, background: bool = True) -> HotlineApp:
    """The app; background=False starts no thread and loads the speech model now, for the server's parent
    process to share with the workers it forks."""
    app = base_app(test_config)
    app.register_blueprint(health.bp)
    voice.init_app(app, background)
    sms.init_app(app)
    admin.init_app(app)      # the web admin and the browser simulator
    return app
