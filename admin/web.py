"""The /admin blueprint: every page needs a logged-in official; every form carries the CSRF token.

Who may do what is the domain's decision (hotline.domain.officials.permissions): pages pass actor() to every domain function,
ask may() only to hide what would be refused, and a refusal (permissions.Forbidden) is a 403 page saying why."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from hotline.domain.officials import sessions as admin_sessions, permissions
from hotline.domain import officials
from hotline.core import prompts
from hotline.core.db import get_db

from admin import csrf

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")
PUBLIC = {"admin.login", "admin.static"}


def current_official() -> dict | None:
    """The official of this session, re-read each request so a disabled account is out at once. The
    cookie's id must name a live session on the server (hotline/domain/officials/sessions.py): a copied cookie dies at
    logout, a new password or a disabled account."""
    if "sid" not in session:
        return None
    db = get_db()
    official_id = admin_sessions.official_id(db, session["sid"], current_app.config.number("HOTLINE_SESSION_HOURS"))
    official = officials.get(db, official_id) if official_id is not None else None
    if official is None or official["disabled"]:
        session.pop("sid", None)
        return None
    return official


def actor() -> permissions.Actor:
    """The official of this session, as the domain's checks and the audit trail take them."""
    return permissions.Actor.of(g.official, "web")


def may(action: str, target: permissions.Target = permissions.Target()) -> bool:
    """For templates and pages: whether to show an action (the domain checks again when it is taken)."""
    return permissions.may(get_db(), actor(), action, target)


def has_role(action: str) -> bool:
    return permissions.has_role(get_db(), actor(), action)


def found(row):
    """The row a page is about, or the not-found page (in Vietnamese, like every admin error)."""
    if row is None:
        abort(404)
    return row


def outcome(prefix: str) -> str | None:
    """The prompt key for the ?outcome= a redirect carried; None for one we never send (an old or edited link)."""
    key = f"{prefix}.{request.args.get('outcome', '')}"
    return key if request.args.get("outcome") and key in prompts.catalogue() else None


def safe_next(target: str | None) -> str:
    """Only our own pages: never an open redirect to another site."""
    if target and target.startswith(("/admin", "/simulator")) and not target.startswith("//"):
        return target
    return url_for("admin.dashboard")


@bp.before_request
def guard():
    g.official = current_official()
    if g.official is None and request.endpoint not in PUBLIC:
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("admin.login", next=target))
    csrf.check()
    return None


@bp.errorhandler(400)
def bad_request(error):
    key = "admin.errors.csrf" if getattr(error, "description", "") == "csrf" else "admin.errors.bad_request"
    return render_template("admin/error.html", message_key=key), 400


@bp.errorhandler(403)
def forbidden(_error):
    return render_template("admin/error.html", message_key="admin.errors.forbidden"), 403


@bp.errorhandler(permissions.Forbidden)
def refused(error):
    """A forged or stale form: the domain refused it inside its transaction, so nothing changed."""
    return render_template("admin/error.html", message_key=f"admin.errors.forbidden_{error.reason}",
                           unchanged=True), 403


@bp.errorhandler(404)
def not_found(_error):
    return render_template("admin/error.html", message_key="admin.errors.not_found"), 404


@bp.errorhandler(413)
def too_large(_error):
    """A form or upload over hotline.web.limits' cap: refused before it was read."""
    return render_template("admin/error.html", message_key="admin.errors.too_large"), 413


@bp.errorhandler(409)
def conflict(_error):
    return render_template("admin/error.html", message_key="admin.errors.conflict"), 409
