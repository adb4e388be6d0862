"""The web admin for officials (/admin). The browser phone simulator (/simulator) is hotline.sim.browser."""
from __future__ import annotations

from datetime import timedelta

from admin import csrf, forms, framing, pages, web  # noqa: F401  (pages add their routes to web.bp)
from admin.words import t
from hotline.domain import officials
from hotline.core import phones


def init_app(app) -> None:

    app.add_template_global(t, "t")
    app.add_template_global(csrf.token, "csrf_token")
    app.add_template_global(forms.local_time, "local_time")
    app.add_template_global(officials.may_manage, "may_manage_officials")
    app.add_template_global(web.may, "may")
    app.add_template_global(web.has_role, "has_role")
    app.add_template_filter(phones.mask, "mask")
    # The session cookie travels only over TLS when the public address is https.
    app.config.update(
        SESSION_COOKIE_SECURE=app.config.public_url.startswith("https://"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config.number("HOTLINE_SESSION_HOURS")),
    )
    app.register_blueprint(web.bp)
    app.after_request(framing.forbid)   # app-wide: Flask's own error pages are HTML too
