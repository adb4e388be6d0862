"""Announcements recorded by phone: listen, correct the transcript, publish, approve the fan-out."""
from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, request, url_for

from hotline import announcements, broadcast
from hotline.db import get_db
from hotline.text import xml_safe

from ..files import send_recording
from ..web import bp, found, outcome


@bp.get("/announcements")
def announcements_list():
    db = get_db()
    rows = announcements.listing(db, limit=100)
    progress = {r["id"]: broadcast.progress(db, f"announcement:{r['id']}") for r in rows if r["fan_out"] == "queued"}
    waiting = {r["id"] for r in announcements.awaiting_approval(db, g.official["id"])}
    return render_template("admin/announcements.html", rows=rows, progress=progress, may_approve=waiting,
                           outcome=outcome("admin.announcements.outcomes"))


@bp.get("/announcements/<int:announcement_id>/audio")
def announcement_audio(announcement_id):
    """The recording, from the instance folder only, to logged-in officials only."""
    return send_recording(found(announcements.get(get_db(), announcement_id))["audio_path"])


@bp.post("/announcements/<int:announcement_id>/transcript")
def announcement_transcript(announcement_id):
    db = get_db()
    row = found(announcements.get(db, announcement_id))
    if row["status"] != "draft":
        abort(409)
    text = request.form.get("text", "")[:2000]
    if not xml_safe(text):
        return redirect(url_for("admin.announcements_list", outcome="bad_characters"))
    announcements.transcript(db, announcement_id, text)
    return redirect(url_for("admin.announcements_list", outcome="saved"))


@bp.post("/announcements/<int:announcement_id>/publish")
def announcement_publish(announcement_id):
    db = get_db()
    found(announcements.get(db, announcement_id))
    result = announcements.publish(db, current_app.config, announcement_id, fan_out=bool(request.form.get("fan_out")))
    return redirect(url_for("admin.announcements_list", outcome=f"publish_{result['outcome']}"))


@bp.post("/announcements/<int:announcement_id>/approve")
def announcement_approve(announcement_id):
    db = get_db()
    found(announcements.get(db, announcement_id))
    result = announcements.approve(db, announcement_id, g.official["id"], current_app.config)
    return redirect(url_for("admin.announcements_list", outcome=f"approve_{result['outcome']}"))
