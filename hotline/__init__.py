"""Loa Lang: the app factory. Channels (voice/, sms/) are blueprints over this core."""
from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from . import db, logs
from .config import Config


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, opened only when the request carries one: providers' webhooks (and a
    first visit to the admin) get a fresh empty session without building a signing serializer."""

    def open_session(self, app, request):
        if "HTTP_COOKIE" not in request.environ or self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


class HotlineApp(Flask):
    config_class = Config
    session_interface = CookieSessions()


def create_app(test_config: dict | None = None, background: bool = True) -> HotlineApp:
    """The app; background=False starts no thread (the server's parent process, before it forks workers)."""
    app = HotlineApp(__name__)
    app.config.update(Config.from_env())
    if test_config:
        app.config.update(test_config)
    logs.install(app.config["HOTLINE_LOG_LEVEL"])
    logs.register_secret(app.config["TWILIO_AUTH_TOKEN"])
    logs.register_secret(app.config.auth_token())
    app.config["SECRET_KEY"] = app.config.secret_key()
    logs.register_secret(app.config["SECRET_KEY"])

    database = db.connect(app.config["HOTLINE_DB"])
    db.migrate(database)
    database.conn.close()
    app.teardown_appcontext(db.close_db)

    from . import health
    import sms
    import voice

    app.register_blueprint(health.bp)
    voice.init_app(app, background)
    sms.init_app(app)
    __import__("admin").init_app(app)  # the web admin and browser simulator
    return app
