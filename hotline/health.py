"""GET /health: what works and what is switched off, for operators and monitoring."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from . import geocodes
from .db import get_db, schema_version

bp = Blueprint("health", __name__)


def register_check(app, name: str, check) -> None:
    """check() -> dict with at least "ok"; channels add theirs (speech model, TTS engines, gateway)."""
    app.extensions.setdefault("hotline.health", {})[name] = check


@bp.get("/health")
def health():
    report = {}
    try:
        db = get_db()
        db.execute("SELECT 1").fetchone()
        report["database"] = {"ok": True, "schema_version": schema_version(db)}
    except Exception as e:  # health must answer even when the database is broken
        report["database"] = {"ok": False, "error": type(e).__name__}
    report["sms_transport"] = {"ok": True, "name": current_app.config.sms_transport}
    report["twilio"] = {"ok": True, "configured": current_app.config.twilio_configured}
    report["cap"] = geocodes.status(current_app.config)
    for name, check in current_app.extensions.get("hotline.health", {}).items():
        report[name] = check()
    healthy = report["database"]["ok"]
    return jsonify({"ok": healthy, **report}), 200 if healthy else 503
