"""Announcements recorded by phone: listen, correct the transcript, publish and approve (after a confirmation of
what goes out), withdraw; and who did what (the audit trail)."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from hotline.domain.officials import announcements, permissions
from hotline.domain import audit
from hotline.domain.alerts import broadcast
from hotline.domain.officials import fanout
from hotline.core.db import get_db
from hotline.core.text import xml_safe

from admin.confirm import digest
from admin.files import send_recording
from admin.web import actor, bp, found, may, outcome


def _allowed(db, rows: list[dict]) -> dict[int, dict]:
    """Per announcement, the buttons this official sees (the domain checks again when one is pressed)."""
    waiting = {r["id"] for r in announcements.awaiting_approval(db, actor())}
    return {r["id"]: {"edit": may("announcement.edit", announcements.target(r)),
                      "publish": may("announcement.publish", announcements.target(r)),
                      "withdraw": may("announcement.withdraw", announcements.target(r)),
                      "approve": r["id"] in waiting} for r in rows}


@bp.get("/announcements")
def announcements_list():
    db = get_db()
    rows = announcements.listing(db, limit=100)
    progress = {r["id"]: broadcast.progress(db, f"announcement:{r['id']}") for r in rows if r["fan_out"] == "queued"}
    return render_template("admin/announcements.html", rows=rows, progress=progress, allowed=_allowed(db, rows),
                           outcome=outcome("admin.announcements.outcomes"))


@bp.get("/announcements/<int:announcement_id>")
def announcement_detail(announcement_id):
    db = get_db()
    row = found(next(iter(announcements.listing(db, announcement_id=announcement_id)), None))
    progress = {row["id"]: broadcast.progress(db, f"announcement:{row['id']}")} if row["fan_out"] == "queued" else {}
    return render_template("admin/announcement.html", a=row, progress=progress, allowed=_allowed(db, [row]),
                           trail=[audit.line(r) for r in announcements.trail(db, announcement_id)],
                           outcome=outcome("admin.announcements.outcomes"))


@bp.get("/announcements/<int:announcement_id>/audio")
def announcement_audio(announcement_id):
    """The recording, from the instance folder only, to logged-in officials only."""
    return send_recording(found(announcements.get(get_db(), announcement_id))["audio_path"])


@bp.post("/announcements/<int:announcement_id>/transcript")
def announcement_transcript(announcement_id):
    db = get_db()
    found(announcements.get(db, announcement_id))
    text = request.form.get("text", "")[:2000]
    if not xml_safe(text):
        return _back(announcement_id, "bad_characters")
    if announcements.transcript(db, announcement_id, text, actor=actor()) != "saved":
        abort(409)
    return _back(announcement_id, "saved")


def seen(row: dict) -> str:
    """What the official confirms about an announcement (admin.confirm)."""
    return digest(row, ("id", "status", "village_id", "kind", "level", "text", "audio_path", "fan_out"))


def _confirm_page(db, row: dict, action: str, fan_out: bool, changed: bool):
    """Before households are messaged: kind, level, audience, reach, segments, calls, cost, time to send."""
    preview = fanout.preview(db, current_app.config, row)
    return render_template("admin/announcement_confirm.html", a=row, action=action, fan_out=fan_out,
                           author=announcements.author_name(db, row),
                           place=announcements.audience_name(db, row["village_id"]), preview=preview,
                           cost=broadcast.cost(preview), confirm=seen(row), changed=changed,
                           waits=action == "publish" and current_app.config.flag("HOTLINE_ANNOUNCEMENT_APPROVAL")), \
        409 if changed else 200


@bp.post("/announcements/<int:announcement_id>/publish")
def announcement_publish(announcement_id):
    """Published on the hotline only: at once. With households messaged (a warning always is): after a confirmation."""
    db = get_db()
    row = found(announcements.get(db, announcement_id))
    fan_out = bool(request.form.get("fan_out"))
    confirm = request.form.get("confirm")
    if row["status"] == "draft" and (fan_out or row["kind"] == "warning") and confirm != seen(row):
        permissions.require(db, actor(), "announcement.publish", announcements.target(row))
        return _confirm_page(db, row, "publish", fan_out, changed=bool(confirm))
    result = announcements.publish(db, current_app.config, announcement_id, fan_out=fan_out, actor=actor())
    return _back(announcement_id, f"publish_{result['outcome']}")


@bp.post("/announcements/<int:announcement_id>/approve")
def announcement_approve(announcement_id):
    """Approving is what sends it to households: the same confirmation first."""
    db = get_db()
    row = found(announcements.get(db, announcement_id))
    confirm = request.form.get("confirm")
    if row["fan_out"] == "awaiting_approval" and confirm != seen(row):
        permissions.require(db, actor(), "announcement.approve", announcements.target(row))
        return _confirm_page(db, row, "approve", True, changed=bool(confirm))
    result = announcements.approve(db, announcement_id, current_app.config, actor=actor())
    return _back(announcement_id, f"approve_{result['outcome']}")


@bp.post("/announcements/<int:announcement_id>/withdraw")
def announcement_withdraw(announcement_id):
    db = get_db()
    found(announcements.get(db, announcement_id))
    result = announcements.withdraw(db, current_app.config, announcement_id, actor=actor())
    return _back(announcement_id, f"withdraw_{result['outcome']}")


def _back(announcement_id: int, result: str):
    return redirect(url_for("admin.announcement_detail", announcement_id=announcement_id, outcome=result))
