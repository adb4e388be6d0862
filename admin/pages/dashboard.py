"""The dashboard: active warnings and their sending, this week's lessons, people waiting for a call back."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, redirect, render_template, url_for

from hotline.domain import alerts, lessons, voicemail
from hotline.domain.alerts import broadcast, checkins
from hotline.core.clock import VIETNAM, stamp
from hotline.core.db import get_db, now

from admin.files import send_recording
from admin.web import bp, found


def _week() -> tuple[str, str]:
    """Monday 00:00 to next Monday, Vietnam time, as UTC text."""
    today = datetime.now(VIETNAM).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    return stamp(monday), stamp(monday + timedelta(days=7))


@bp.get("/")
def dashboard():
    db = get_db()
    stamp = now()
    active = [a for a in alerts.listing(db, "published", limit=50) if a["expires_at"] > stamp]
    progress = {a["id"]: broadcast.progress(db, f"alert:{a['id']}") for a in active}
    start, end = _week()
    week = [lesson for lesson in lessons.listing(db, since=start) if lesson["starts_at"] < end]
    return render_template("admin/dashboard.html", active=active, progress=progress, week=week,
                           voicemails=voicemail.listing(db), fetch_attempts=voicemail.ATTEMPTS,
                           checkins=checkins.needing_help(db))


@bp.post("/voicemails/<int:voicemail_id>/handled")
def voicemail_handled(voicemail_id):
    if not voicemail.mark_handled(get_db(), voicemail_id):
        abort(409)
    return redirect(url_for("admin.dashboard"))


@bp.get("/voicemails/<int:voicemail_id>/audio")
def voicemail_audio(voicemail_id):
    row = found(next((v for v in voicemail.listing(get_db(), include_handled=True) if v["id"] == voicemail_id), None))
    return send_recording(row["audio_path"])
