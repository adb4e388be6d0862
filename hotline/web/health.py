"""GET /health: healthy or not for anyone (monitoring); what works and what is switched off only for
this machine (no proxy between) or a logged-in official, since the details map the install for an attacker."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, session

from hotline.domain.officials import sessions as admin_sessions
from hotline.domain.alerts import geocodes
from hotline.core.db import get_db, schema_version
from hotline.web.peers import on_this_machine

bp = Blueprint("health", __name__)


def register_check(app, name: str, check) -> None:
    """check() -> dict with at least "ok"; channels add theirs (speech model, TTS engines, gateway)."""
    app.extensions.setdefault("hotline.web.health", {})[name] = check


@bp.get("/health")
def health():
    report = {}
    try:
        db = get_db()
        db.execute("SELECT 1").fetchone()
        report["database"] = {"ok": True, "schema_version": schema_version(db)}
    except Exception as e:  # health must answer even when the database is broken
        report["database"] = {"ok": False, "error": type(e).__name__}
    healthy = report["database"]["ok"]
    status = 200 if healthy else 503
    if not (on_this_machine(request) or (healthy and _official_session(db))):
        return jsonify({"ok": healthy}), status
    report["sms_transport"] = {"ok": True, "name": current_app.config.sms_transport}
    report["twilio"] = {"ok": True, "configured": current_app.config.twilio_configured}
    report["cap"] = geocodes.status(current_app.config)
    for name, check in current_app.extensions.get("hotline.web.health", {}).items():
        try:
            report[name] = check()
        except Exception as e:  # one broken part (the worker's check reads the database) is said, not a 500
            report[name] = {"ok": False, "error": type(e).__name__}
    return jsonify({"ok": healthy, **report}), status


def _official_session(db) -> bool:
    """A live web admin session (the official's own cookie); disabled officials have none left."""
    hours = current_app.config.number("HOTLINE_SESSION_HOURS")
    return admin_sessions.official_id(db, session.get("sid"), hours) is not None
