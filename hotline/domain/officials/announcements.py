"""Announcements recorded by officials: drafts, publishing to menu 4 (and menu 1 as a warning), approval, fan-out."""
from __future__ import annotations

import os

from hotline.domain import audit
from hotline.domain.officials import fanout, permissions
from hotline.domain.officials.announced import audience_name, author_name, get, target  # noqa: F401  (the API)
from hotline.core.clock import shift
from hotline.core.db import now as utc_now, transaction

KINDS = ("announcement", "warning")
DRAFT_HOURS = 24


def latest(db, village_id: int | None, limit: int = 3) -> list[dict]:
    return list(db.query(
        "SELECT * FROM announcements WHERE status = 'published' AND (village_id IS NULL OR village_id = :village)"
        " ORDER BY published_at DESC LIMIT :limit", {"village": village_id, "limit": limit}))


def listing(db, status: str | None = None, limit: int = 50, announcement_id: int | None = None) -> list[dict]:
    """Newest first, with the author's and the village's names (announcement_id: just that one)."""
    return list(db.query(
        "SELECT a.*, o.name AS official, v.name AS village FROM announcements a"
        " LEFT JOIN officials o ON o.id = a.official_id LEFT JOIN villages v ON v.id = a.village_id"
        " WHERE (:status IS NULL OR a.status = :status) AND (:id IS NULL OR a.id = :id) ORDER BY a.id DESC"
        " LIMIT :limit", {"status": status, "limit": limit, "id": announcement_id}))


def create(db, official_id: int, village_id: int | None, audio_path: str | None, text: str | None = None,
           kind: str = "announcement", level: int | None = None, duration_s: int | None = None, *, actor) -> int:
    """A draft recorded by official_id (the actor, or someone the chairman or operator records for); nothing is
    heard or sent until publish()."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind}")
    row = {"official_id": official_id, "village_id": village_id, "kind": kind, "level": level,
           "audio_path": audio_path, "text": text, "duration_s": duration_s, "status": "draft", "created_at": utc_now()}
    with transaction(db):
        permissions.require(db, actor, "announcement.create", target(row))
        announcement_id = db["announcements"].insert(row).last_pk
        audit.record(db, actor, "announcement.create", "announcement", announcement_id, kind=kind,
                     audience=_audience(db, row))
    return announcement_id


def _audience(db, row: dict):
    return audit.audience(db, None if row["village_id"] is None else [row["village_id"]])


def update_draft(db, announcement_id: int, *, actor, **values) -> str:
    """Change a draft's audio_path, duration_s, village_id, kind or level: "ok" | "not_draft".

    Forbidden when the draft, or what it would become (another audience, a flood warning), is not the actor's."""
    allowed = {k: v for k, v in values.items() if k in ("audio_path", "duration_s", "village_id", "kind", "level")}
    with transaction(db):
        row = get(db, announcement_id)
        if not row or row["status"] != "draft":
            return "not_draft"
        permissions.require(db, actor, "announcement.edit", target(row))
        permissions.require(db, actor, "announcement.edit", target(row, **allowed))
        if "audio_path" in allowed and allowed["audio_path"] != row["audio_path"]:
            allowed.update(text=None, transcribed_at=None)     # new words: the worker transcribes them again
        db["announcements"].update(announcement_id, allowed)
    return "ok"


def untranscribed(db, limit: int = 5) -> list[dict]:
    """Recordings the worker has not transcribed yet, oldest first (drafts and what is on the hotline)."""
    return list(db.query("SELECT id, audio_path FROM announcements WHERE transcribed_at IS NULL AND audio_path IS NOT"
                         " NULL AND status IN ('draft', 'published') ORDER BY id LIMIT ?", [limit]))


def transcribed(db, announcement_id: int, audio_path: str, text: str | None) -> bool:
    """The speech recogniser's text for a recording (the worker; no official acts). It lands only if the recording
    is still the one heard (not re-recorded meanwhile) and no official has typed the words: True if it landed."""
    with transaction(db):
        db.execute("UPDATE announcements SET transcribed_at = ? WHERE id = ? AND audio_path = ?",
                   [utc_now(), announcement_id, audio_path])
        return db.execute("UPDATE announcements SET text = ? WHERE id = ? AND audio_path = ? AND text IS NULL",
                          [(text or "").strip() or None, announcement_id, audio_path]).rowcount == 1


def transcript(db, announcement_id: int, text: str, *, actor) -> str:
    """An official corrects a draft's words (they become the start of the SMS notice): "saved" | "not_draft"."""
    with transaction(db):
        row = get(db, announcement_id)
        if not row or row["status"] != "draft":
            return "not_draft"
        permissions.require(db, actor, "announcement.edit", target(row))
        db["announcements"].update(announcement_id, {"text": text.strip() or None})
        audit.record(db, actor, "announcement.edit", "announcement", announcement_id)
    return "saved"


def cancel(db, announcement_id: int, *, actor) -> str:
    """Drop a draft and its recording: "cancelled" | "not_draft"."""
    with transaction(db):
        row = get(db, announcement_id)
        if not row or row["status"] != "draft":
            return "not_draft"
        permissions.require(db, actor, "announcement.discard", target(row))
        _drop(db, row)
        audit.record(db, actor, "announcement.cancel", "announcement", announcement_id)
    return "cancelled"


def _drop(db, row: dict) -> None:
    db["announcements"].update(row["id"], {"status": "cancelled"})
    if row["audio_path"] and os.path.exists(row["audio_path"]):
        os.remove(row["audio_path"])


def publish(db, config, announcement_id: int, fan_out: bool = False, *, actor) -> dict:
    """Make a draft heard in menu 4 (a warning: also menu 1 via hotline.domain.alerts) and optionally fan it out.

    With HOTLINE_ANNOUNCEMENT_APPROVAL=1 the fan-out (and a warning's alert, which is sent to
    households as soon as it is published) waits for a second official's approve().
    outcome: published | not_found | not_draft | no_audio; Forbidden when it is not the actor's to publish.
    """
    needs_approval = config.flag("HOTLINE_ANNOUNCEMENT_APPROVAL")
    with transaction(db):
        row = get(db, announcement_id)
        if not row:
            return {"outcome": "not_found"}
        permissions.require(db, actor, "announcement.publish", target(row))
        if row["status"] != "draft":
            return {"outcome": "not_draft"}
        if not row["audio_path"] and not row["text"]:
            return {"outcome": "no_audio"}
        sends = fan_out or row["kind"] == "warning"
        state = "none" if not sends else "awaiting_approval" if needs_approval else "queued"
        db["announcements"].update(announcement_id, {
            "status": "published", "published_at": utc_now(), "fan_out": state,
            "sms_text": row["sms_text"] or fanout.sms_notice(db, row, config["TWILIO_FROM"])})
        queued = fanout.send(db, config, announcement_id, actor) if state == "queued" else 0
        if state == "awaiting_approval":
            fanout.ask_for_approval(db, get(db, announcement_id))
        audit.record(db, actor, "announcement.publish", "announcement", announcement_id, kind=row["kind"],
                     level=row["level"], audience=_audience(db, row), fan_out=state, queued=queued)
    return {"outcome": "published", "fan_out": state, "queued": queued, "alert_id": get(db, announcement_id)["alert_id"]}


def approve(db, announcement_id: int, config, *, actor) -> dict:
    """A second official lets the fan-out go. outcome: approved | not_awaiting | not_found; Forbidden for the
    author (reason own) and for anyone the audience is not theirs (a warning: only who may warn there)."""
    with transaction(db):
        row = get(db, announcement_id)
        if not row:
            return {"outcome": "not_found"}
        permissions.require(db, actor, "announcement.approve", target(row))
        if row["status"] != "published" or row["fan_out"] != "awaiting_approval":
            return {"outcome": "not_awaiting"}
        db["announcements"].update(announcement_id, {"approved_by": actor.official_id, "approved_at": utc_now(),
                                                     "fan_out": "queued"})
        queued = fanout.send(db, config, announcement_id, actor)
        audit.record(db, actor, "announcement.approve", "announcement", announcement_id, queued=queued)
    return {"outcome": "approved", "queued": queued}


def withdraw(db, config, announcement_id: int, *, actor) -> dict:
    """Take a published announcement off the hotline; notices and calls not yet sent are cancelled,
    and a warning's alert is cancelled everywhere (hotline.domain.alerts.cancel). outcome: withdrawn | not_published."""
    with transaction(db):
        row = get(db, announcement_id)
        if not row:
            return {"outcome": "not_published"}
        permissions.require(db, actor, "announcement.withdraw", target(row))
        if row["status"] != "published":
            return {"outcome": "not_published"}
        db["announcements"].update(announcement_id, {"status": "withdrawn"})
        cancelled = db.execute("UPDATE outbox SET state = 'cancelled', updated_at = ? WHERE ref = ? AND state = 'queued'",
                               [utc_now(), f"announcement:{announcement_id}"]).rowcount
        if row["alert_id"]:
            from hotline.domain import alerts

            if alerts.get(db, row["alert_id"])["status"] == "published":
                alerts.cancel(db, config, row["alert_id"], actor=actor)
        audit.record(db, actor, "announcement.withdraw", "announcement", announcement_id, rows=cancelled)
    return {"outcome": "withdrawn", "cancelled": cancelled}


def drop_stale_drafts(db, config, now: str, hours: float = DRAFT_HOURS) -> int:
    """The worker's minute job: a draft left behind (the official hung up while listening back) is
    cancelled after `hours` and its recording deleted."""
    stale = list(db.query("SELECT * FROM announcements WHERE status = 'draft' AND created_at < ?",
                          [shift(now, hours=-hours)]))
    with transaction(db):
        for row in stale:
            _drop(db, row)
    return len(stale)


def awaiting_approval(db, actor) -> list[dict]:
    """Published announcements whose fan-out waits for a second official, that this actor may approve."""
    rows = db.query("SELECT * FROM announcements WHERE status = 'published' AND fan_out = 'awaiting_approval'"
                    " AND official_id IS NOT ? ORDER BY published_at", [actor.official_id])
    return [r for r in rows if permissions.may(db, actor, "announcement.approve", target(r))]


def trail(db, announcement_id: int) -> list[dict]:
    """Who recorded, edited, published, approved or withdrew it; and its warning's alert, when it became one."""
    row = get(db, announcement_id)
    subjects = [("announcement", announcement_id)]
    if row and row["alert_id"]:
        from hotline.domain import alerts

        subjects += [("alert", i) for i in alerts.lineage(db, row["alert_id"])]
    return audit.trail(db, subjects)
