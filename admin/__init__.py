"""The web admin for officials (/admin) and the browser phone simulator (/simulator)."""
from __future__ import annotations

from datetime import timedelta

from hotline.domain import officials
from hotline.core import phones, prompts


def t(key: str, **values) -> str:
    """Every word on a page comes from prompts/admin.toml: t("admin.nav.alerts")."""
    return prompts.say(key, **values)


def init_app(app) -> None:
    from admin import csrf, forms, framing, pages, web  # noqa: F401  (pages register their routes on import)
    from hotline.sim.browser import bp as simulator_bp

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
    app.register_blueprint(simulator_bp)
    app.after_request(framing.forbid)   # app-wide: Flask's own error pages are HTML too
