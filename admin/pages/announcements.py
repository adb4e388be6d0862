"""Announcements recorded by phone: listen, correct the transcript, publish, approve the fan-out."""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, g, redirect, render_template, request, send_file, url_for

from hotline import announcements, broadcast
from hotline.db import get_db

from ..web import bp


def _require(db, announcement_id: int) -> dict:
    row = announcements.get(db, announcement_id)
    if row is None:
        abort(404)
    return row


@bp.get("/announcements")
def announcements_list():
    db = get_db()
    rows = announcements.listing(db, limit=100)
    progress = {r["id"]: broadcast.progress(db, f"announcement:{r['id']}") for r in rows if r["fan_out"] == "queued"}
    waiting = {r["id"] for r in announcements.awaiting_approval(db, g.official["id"])}
    return render_template("admin/announcements.html", rows=rows, progress=progress, may_approve=waiting,
                           outcome=request.args.get("outcome"))


@bp.get("/announcements/<int:announcement_id>/audio")
def announcement_audio(announcement_id):
    """The recording, from the instance folder only, to logged-in officials only."""
    row = _require(get_db(), announcement_id)
    if not row["audio_path"]:
        abort(404)
    instance = current_app.config.path("HOTLINE_INSTANCE").resolve()
    path = Path(row["audio_path"])
    path = (path if path.is_absolute() else Path.cwd() / path).resolve()
    if not path.is_relative_to(instance) or not path.is_file():
        abort(404)
    return send_file(path, mimetype="audio/wav", conditional=True, max_age=0)


@bp.post("/announcements/<int:announcement_id>/transcript")
def announcement_transcript(announcement_id):
    db = get_db()
    row = _require(db, announcement_id)
    if row["status"] != "draft":
        abort(409)
    announcements.transcript(db, announcement_id, request.form.get("text", "")[:2000])
    return redirect(url_for("admin.announcements_list", outcome="saved"))


@bp.post("/announcements/<int:announcement_id>/publish")
def announcement_publish(announcement_id):
    db = get_db()
    _require(db, announcement_id)
    result = announcements.publish(db, current_app.config, announcement_id, fan_out=bool(request.form.get("fan_out")))
    return redirect(url_for("admin.announcements_list", outcome=f"publish_{result['outcome']}"))


@bp.post("/announcements/<int:announcement_id>/approve")
def announcement_approve(announcement_id):
    db = get_db()
    _require(db, announcement_id)
    result = announcements.approve(db, announcement_id, g.official["id"], current_app.config)
    return redirect(url_for("admin.announcements_list", outcome=f"approve_{result['outcome']}"))
