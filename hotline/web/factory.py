"""The Flask app every channel joins: its request and session classes, settings, logging, storage, body caps."""
from __future__ import annotations

from io import BytesIO
from urllib.parse import parse_qsl

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" codec error handler)

from hotline.core import db, logs
from hotline.core.config import Config
from hotline.web import limits


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, opened only when the request carries one: providers' webhooks (and a
    first visit to the admin) get a fresh empty session without building a signing serializer."""

    def open_session(self, app, request):
        if "HTTP_COOKIE" not in request.environ or self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


class HotlineRequest(Request):
    """Flask's request. A urlencoded form (every provider's webhook) is parsed with the very call werkzeug
    makes, parse_qsl on the body, without building its general form parser and limited stream for each
    request: a third of what reading a webhook's form cost. Anything else goes the usual way."""

    def _load_form_data(self):
        if "form" in self.__dict__:
            return
        length, limit = self.content_length, self.max_content_length
        if (self.mimetype != "application/x-www-form-urlencoded" or length is None
                or (limit is not None and length > limit)):
            return super()._load_form_data()
        body = getattr(self, "_cached_data", None)
        if body is None:
            body = self.environ["wsgi.input"].read(length)
            if len(body) < length:
                raise BadRequest("the request body ended early")
        try:
            items = parse_qsl(body.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
        except ValueError:       # not UTF-8: werkzeug's parser gives an empty form too
            items = []
        self.__dict__.update(stream=BytesIO(b""), form=ImmutableMultiDict(items), files=ImmutableMultiDict())


class HotlineApp(Flask):
    config_class = Config
    request_class = HotlineRequest
    session_interface = CookieSessions()


def base_app(test_config: dict | None = None) -> HotlineApp:
    """Settings (the environment, then the test config), masked logs, a migrated database, capped bodies."""
    app = HotlineApp("hotline")
    app.config.update(Config.from_env())
    if test_config:
        app.config.update(test_config)
        app.config.resolve_paths()
    logs.install(app.config["HOTLINE_LOG_LEVEL"])
    logs.register_secret(app.config["TWILIO_AUTH_TOKEN"])
    logs.register_secret(app.config.auth_token())
    app.config["SECRET_KEY"] = app.config.secret_key()
    logs.register_secret(app.config["SECRET_KEY"])

    database = db.connect(app.config["HOTLINE_DB"])
    db.migrate(database)
    database.conn.close()
    app.teardown_appcontext(db.close_db)
    app.before_request(limits.cap_body)     # first of all: no body is read before its cap is set
    return app
