"""Announcements recorded by officials: drafts, publishing to menu 4 (and menu 1 as a warning), approval, fan-out."""
from __future__ import annotations

import os

from . import officials, places, prompts
from .clock import shift
from .db import now as utc_now, transaction

KINDS = ("announcement", "warning")
DRAFT_HOURS = 24


def latest(db, village_id: int | None, limit: int = 3) -> list[dict]:
    return list(db.query(
        "SELECT * FROM announcements WHERE status = 'published' AND (village_id IS NULL OR village_id = :village)"
        " ORDER BY published_at DESC LIMIT :limit", {"village": village_id, "limit": limit}))


def get(db, announcement_id: int) -> dict | None:
    return next(db.query("SELECT * FROM announcements WHERE id = ?", [announcement_id]), None)


def listing(db, status: str | None = None, limit: int = 50) -> list[dict]:
    return list(db.query(
        "SELECT a.*, o.name AS official, v.name AS village FROM announcements a"
        " LEFT JOIN officials o ON o.id = a.official_id LEFT JOIN villages v ON v.id = a.village_id"
        " WHERE :status IS NULL OR a.status = :status ORDER BY a.id DESC LIMIT :limit",
        {"status": status, "limit": limit}))


def create(db, official_id: int, village_id: int | None, audio_path: str | None, text: str | None = None,
           kind: str = "announcement", level: int | None = None, duration_s: int | None = None) -> int:
    """A draft; nothing is heard or sent until publish()."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind}")
    return db["announcements"].insert({
        "official_id": official_id, "village_id": village_id, "kind": kind, "level": level,
        "audio_path": audio_path, "text": text, "duration_s": duration_s, "status": "draft",
        "created_at": utc_now()}).last_pk


def update_draft(db, announcement_id: int, **values) -> str:
    """Change a draft's audio_path, duration_s, village_id, kind or level: "ok" | "not_draft" | "not_allowed"."""
    allowed = {k: v for k, v in values.items() if k in ("audio_path", "duration_s", "village_id", "kind", "level")}
    with transaction(db):
        row = get(db, announcement_id)
        if not row or row["status"] != "draft":
            return "not_draft"
        if "village_id" in allowed and not officials.may_address(db, row["official_id"], allowed["village_id"]):
            return "not_allowed"
        db["announcements"].update(announcement_id, allowed)
    return "ok"


def transcript(db, announcement_id: int, text: str | None = None) -> str | None:
    """Store the transcript (Vosk, or typed on the web) when given; return the current one."""
    if text is not None:
        db["announcements"].update(announcement_id, {"text": text.strip() or None})
    row = get(db, announcement_id)
    return row["text"] if row else None


def cancel(db, announcement_id: int) -> str:
    """Drop a draft and its recording: "cancelled" | "not_draft"."""
    row = get(db, announcement_id)
    if not row or row["status"] != "draft":
        return "not_draft"
    db["announcements"].update(announcement_id, {"status": "cancelled"})
    if row["audio_path"] and os.path.exists(row["audio_path"]):
        os.remove(row["audio_path"])
    return "cancelled"


def publish(db, config, announcement_id: int, fan_out: bool = False) -> dict:
    """Make a draft heard in menu 4 (a warning: also menu 1 via hotline.alerts) and optionally fan it out.

    With HOTLINE_ANNOUNCEMENT_APPROVAL=1 the fan-out (and a warning's alert, which is sent to
    households as soon as it is published) waits for a second official's approve().
    outcome: published | not_found | not_draft | not_allowed | no_audio.
    """
    needs_approval = config.flag("HOTLINE_ANNOUNCEMENT_APPROVAL")
    with transaction(db):
        row = get(db, announcement_id)
        if not row:
            return {"outcome": "not_found"}
        if row["status"] != "draft":
            return {"outcome": "not_draft"}
        if not officials.may_address(db, row["official_id"], row["village_id"]):
            return {"outcome": "not_allowed"}
        if not row["audio_path"] and not row["text"]:
            return {"outcome": "no_audio"}
        sends = fan_out or row["kind"] == "warning"
        state = "none" if not sends else "awaiting_approval" if needs_approval else "queued"
        db["announcements"].update(announcement_id, {
            "status": "published", "published_at": utc_now(), "fan_out": state,
            "callout_url": config.absolute(f"/voice/announcement/{announcement_id}"),
            "sms_text": row["sms_text"] or fanout.sms_notice(db, row, config["TWILIO_FROM"])})
        queued = fanout.send(db, config, announcement_id) if state == "queued" else 0
        if state == "awaiting_approval":
            fanout.ask_for_approval(db, get(db, announcement_id))
    return {"outcome": "published", "fan_out": state, "queued": queued, "alert_id": get(db, announcement_id)["alert_id"]}


def approve(db, announcement_id: int, official_id: int, config) -> dict:
    """A second official lets the fan-out go. outcome: approved | own | not_allowed | not_awaiting | not_found."""
    with transaction(db):
        row = get(db, announcement_id)
        if not row:
            return {"outcome": "not_found"}
        if row["status"] != "published" or row["fan_out"] != "awaiting_approval":
            return {"outcome": "not_awaiting"}
        if row["official_id"] == official_id:
            return {"outcome": "own"}
        if not officials.may_address(db, official_id, row["village_id"]):
            return {"outcome": "not_allowed"}
        db["announcements"].update(announcement_id, {"approved_by": official_id, "approved_at": utc_now(),
                                                     "fan_out": "queued"})
        queued = fanout.send(db, config, announcement_id)
    return {"outcome": "approved", "queued": queued}


def withdraw(db, config, announcement_id: int) -> dict:
    """Take a published announcement off the hotline; notices and calls not yet sent are cancelled,
    and a warning's alert is cancelled everywhere (hotline.alerts.cancel). outcome: withdrawn | not_published."""
    with transaction(db):
        row = get(db, announcement_id)
        if not row or row["status"] != "published":
            return {"outcome": "not_published"}
        db["announcements"].update(announcement_id, {"status": "withdrawn"})
        cancelled = db.execute("UPDATE outbox SET state = 'cancelled', updated_at = ? WHERE ref = ? AND state = 'queued'",
                               [utc_now(), f"announcement:{announcement_id}"]).rowcount
        if row["alert_id"]:
            from . import alerts

            if alerts.get(db, row["alert_id"])["status"] == "published":
                alerts.cancel(db, config, row["alert_id"])
    return {"outcome": "withdrawn", "cancelled": cancelled}


def drop_stale_drafts(db, config, now: str, hours: float = DRAFT_HOURS) -> int:
    """The worker's minute job: a draft left behind (the official hung up while listening back) is
    cancelled after `hours` and its recording deleted."""
    stale = [r["id"] for r in db.query("SELECT id FROM announcements WHERE status = 'draft' AND created_at < ?",
                                       [shift(now, hours=-hours)])]
    return sum(cancel(db, announcement_id) == "cancelled" for announcement_id in stale)


def awaiting_approval(db, official_id: int) -> list[dict]:
    """Published announcements whose fan-out waits for someone other than their author, that this official may approve."""
    rows = db.query("SELECT * FROM announcements WHERE status = 'published' AND fan_out = 'awaiting_approval'"
                    " AND official_id IS NOT ? ORDER BY published_at", [official_id])
    return [r for r in rows if officials.may_address(db, official_id, r["village_id"])]


def author_name(db, row: dict) -> str:
    """Who recorded it, as residents know them ("" once the official is gone from the registry)."""
    author = officials.get(db, row["official_id"]) if row["official_id"] else None
    return author["name"] if author else ""


def audience_name(db, village_id: int | None) -> str:
    village = places.village(db, village_id) if village_id else None
    return village["name"] if village else prompts.say("officials.whole_commune")


def _register_job() -> None:
    from . import worker

    if drop_stale_drafts not in worker.PERIODIC_JOBS:
        worker.PERIODIC_JOBS.append(drop_stale_drafts)


_register_job()

from . import announcements_fanout as fanout  # noqa: E402  (the sending side; it reads rows through this module)
