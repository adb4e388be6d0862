"""Announcements recorded by officials: drafts, publishing to menu 4 (and menu 1 as a warning), approval, fan-out."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from . import officials, outbox, places, prompts, segments
from .db import now as utc_now, transaction

KINDS = ("announcement", "warning")
# Who also gets a voice call-out (everyone in the audience gets the SMS notice): the same people
# the alerts policy calls, because they are the ones a text does not reach.
CALL_FLAGS = ("elderly", "cannot_read", "prefers_voice")
SMS_SEGMENTS = 2
FAN_OUT_HOURS = 24


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
            "sms_text": row["sms_text"] or sms_notice(db, row, config["TWILIO_FROM"])})
        queued = _fan_out(db, config, announcement_id) if state == "queued" else 0
    return {"outcome": "published", "fan_out": state, "queued": queued, "alert_id": get(db, announcement_id)["alert_id"]}


def approve(db, announcement_id: int, official_id: int, config=None) -> dict:
    """A second official lets the fan-out go. outcome: approved | own | not_allowed | not_awaiting | not_found.

    Pass the app's config (needed to publish a warning's alert); the CLI and worker's is used otherwise.
    """
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
        queued = _fan_out(db, config or _default_config(), announcement_id)
    return {"outcome": "approved", "queued": queued}


def awaiting_approval(db, official_id: int) -> list[dict]:
    """Published announcements whose fan-out waits for someone other than their author, that this official may approve."""
    rows = db.query("SELECT * FROM announcements WHERE status = 'published' AND fan_out = 'awaiting_approval'"
                    " AND official_id IS NOT ? ORDER BY published_at", [official_id])
    return [r for r in rows if officials.may_address(db, official_id, r["village_id"])]


def sms_notice(db, row: dict, hotline_number: str | None) -> str:
    """The SMS notice: who, for where, the transcript's start if any, and how to listen (≤ 2 GSM-7 segments)."""
    official = officials.get(db, row["official_id"]) if row["official_id"] else None
    values = {"who": official["name"] if official else "", "place": audience_name(db, row["village_id"]),
              "number": _national(hotline_number)}
    key = "officials.sms.notice_number" if hotline_number else "officials.sms.notice"
    text = prompts.sms(key, excerpt="", **values)
    words = (row["text"] or "").split()
    while words:  # longest start of the transcript that still fits
        candidate = prompts.sms(key, excerpt=" ".join(words) + ". ", **values)
        if segments.count(candidate).segments <= SMS_SEGMENTS:
            return candidate
        words = words[: max(0, len(words) - max(1, len(words) // 8))]
    return text


def audience_name(db, village_id: int | None) -> str:
    village = places.village(db, village_id) if village_id else None
    return village["name"] if village else prompts.say("officials.whole_commune")


def _fan_out(db, config, announcement_id: int) -> int:
    row = get(db, announcement_id)
    if row["kind"] == "warning":
        return _publish_alert(db, config, row)
    not_after = (datetime.now(timezone.utc) + timedelta(hours=FAN_OUT_HOURS)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    ref = f"announcement:{row['id']}"
    for resident in _audience(db, row["village_id"]):
        channels = ["sms"] + (["call"] if any(resident[f] for f in CALL_FLAGS) and row["audio_path"] else [])
        for channel in channels:
            outbox.enqueue(
                db, channel, resident["phone"], "announcement", resident_id=resident["id"],
                body=row["sms_text"] if channel == "sms" else row["text"],
                url=row["callout_url"] if channel == "call" else None, ref=ref,
                dedupe_key=f"{ref}:{resident['id']}:{channel}", not_after=not_after,
                segments=segments.count(row["sms_text"]).segments if channel == "sms" else None)
    # Opted-out residents are recorded as skipped by the outbox: only what will really go is counted.
    queued = db.execute("SELECT COUNT(*) FROM outbox WHERE ref = ? AND state = 'queued'", [ref]).fetchone()[0]
    db["announcements"].update(row["id"], {"queued": queued, "fanned_out_at": utc_now()})
    return queued


def _publish_alert(db, config, row: dict) -> int:
    """A recorded flood warning becomes an alert (menu 1, SMS and call-out by the alerts policy)."""
    from . import alerts  # imported late: announcements (menu 4) must not depend on the alerts machinery

    text = row["text"] or prompts.say("officials.warning_text", level=row["level"] or 1,
                                      place=audience_name(db, row["village_id"]))
    alert_id = row["alert_id"] or alerts.create(
        db, "flood", row["level"] or 1, text, village_ids=None if row["village_id"] is None else [row["village_id"]],
        audio_path=row["audio_path"])
    db["announcements"].update(row["id"], {"alert_id": alert_id, "fanned_out_at": utc_now()})
    result = alerts.publish(db, config, alert_id) or {}
    queued = int(result.get("queued", 0)) if isinstance(result, dict) else 0
    db["announcements"].update(row["id"], {"queued": queued})
    return queued


def _audience(db, village_id: int | None) -> list[dict]:
    return list(db.query("SELECT * FROM residents WHERE village_id IS NOT NULL AND (:village IS NULL OR"
                         " village_id = :village) ORDER BY id", {"village": village_id}))


def _national(number: str | None) -> str:
    return "0" + number[3:] if number and number.startswith("+84") else number or ""


def _default_config():
    from .config import Config

    return Config.from_env()
