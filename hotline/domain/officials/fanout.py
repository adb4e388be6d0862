"""Sending a published announcement to households: SMS notices, voice call-outs, a warning's alert; approval requests."""
from __future__ import annotations

from hotline.domain.officials import announced, permissions
from hotline.domain.alerts import broadcast
from hotline.core import clock, prompts, segments
from hotline.domain import officials, outbox
from hotline.core.db import now as utc_now

# Who also gets a voice call-out (everyone in the audience gets the SMS notice): the same people
# the alerts policy calls, because they are the ones a text does not reach.
CALL_FLAGS = ("elderly", "cannot_read", "prefers_voice")
SMS_SEGMENTS = 2
FAN_OUT_HOURS = 24


def sms_notice(db, row: dict, hotline_number: str | None) -> str:
    """The SMS notice: who, for where, the transcript's start if any, and how to listen (≤ 2 GSM-7 segments)."""
    values = {"who": announced.author_name(db, row), "place": announced.audience_name(db, row["village_id"]),
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


def preview(db, config, row: dict) -> dict:
    """What publishing with fan-out would send (broadcast.preview's keys), for the confirmation before it goes."""
    if row["kind"] == "warning":
        level = row["level"] or 1
        place = announced.audience_name(db, row["village_id"])
        text = prompts.say("officials.warning_text", level=level, place=place)
        return broadcast.preview(db, config, text, None if row["village_id"] is None else [row["village_id"]], [],
                                 kind="flood", level=level)
    people = _audience(db, row["village_id"])
    reached = [p for p in people if not p["opted_out_at"]]
    calls = sum(any(p[f] for f in CALL_FLAGS) for p in reached) if row["audio_path"] else 0
    text = row["sms_text"] or sms_notice(db, row, config["TWILIO_FROM"])
    per_sms = segments.count(text).segments
    return {"recipients": len(reached), "skipped": len(people) - len(reached), "calls": calls,
            "segments_plain": per_sms, "segments_accented": per_sms, "sms_segments": per_sms * len(reached),
            "eta_seconds": broadcast.eta(config, per_sms * len(reached), calls), "emergency": False,
            "sms_plain": text, "sms_accented": text}


def send(db, config, announcement_id: int, actor) -> int:
    """Queue the fan-out (a warning: publish its alert, as the actor); the number of messages and calls that will go."""
    row = announced.get(db, announcement_id)
    if row["kind"] == "warning":
        return _publish_alert(db, config, row, actor)
    not_after = clock.shift(utc_now(), hours=FAN_OUT_HOURS)
    ref = f"announcement:{row['id']}"
    for resident in _audience(db, row["village_id"]):
        channels = ["sms"] + (["call"] if any(resident[f] for f in CALL_FLAGS) and row["audio_path"] else [])
        for channel in channels:
            outbox.enqueue(
                db, channel, resident["phone"], "announcement", resident_id=resident["id"],
                body=row["sms_text"] if channel == "sms" else row["text"], ref=ref,
                dedupe_key=f"{ref}:{resident['id']}:{channel}", not_after=not_after,
                segments=segments.count(row["sms_text"]).segments if channel == "sms" else None)
    # Opted-out residents are recorded as skipped by the outbox: only what will really go is counted.
    queued = db.execute("SELECT COUNT(*) FROM outbox WHERE ref = ? AND state = 'queued'", [ref]).fetchone()[0]
    db["announcements"].update(row["id"], {"queued": queued, "fanned_out_at": utc_now()})
    return queued


def _publish_alert(db, config, row: dict, actor) -> int:
    """A recorded flood warning becomes an alert (menu 1, SMS and call-out by the alerts policy)."""
    from hotline.domain import alerts

    # The SMS says what the keypad chose (level, place) and where to listen: an unreviewed speech
    # transcript is too unreliable for a warning text; the official's own voice is in the recording.
    text = prompts.say("officials.warning_text", level=row["level"] or 1,
                       place=announced.audience_name(db, row["village_id"]))
    alert_id = row["alert_id"] or alerts.create(
        db, "flood", row["level"] or 1, text, village_ids=None if row["village_id"] is None else [row["village_id"]],
        audio_path=row["audio_path"], hours=config.number("HOTLINE_ALERT_HOURS"), actor=actor)
    db["announcements"].update(row["id"], {"alert_id": alert_id, "fanned_out_at": utc_now()})
    result = alerts.publish(db, config, alert_id, actor=actor) or {}
    queued = int(result.get("queued", 0)) if isinstance(result, dict) else 0
    db["announcements"].update(row["id"], {"queued": queued})
    return queued


def _audience(db, village_id: int | None) -> list[dict]:
    return list(db.query("SELECT * FROM residents WHERE village_id IS NOT NULL AND (:village IS NULL OR"
                         " village_id = :village) ORDER BY id", {"village": village_id}))


def _national(number: str | None) -> str:
    return "0" + number[3:] if number and number.startswith("+84") else number or ""


def ask_for_approval(db, row: dict) -> int:
    """Tell the officials who may approve (not the author) that an announcement waits for them, by SMS."""
    text = prompts.sms("officials.sms.approval_needed", who=announced.author_name(db, row),
                       place=announced.audience_name(db, row["village_id"]))
    asked = 0
    for official in officials.listing(db, include_disabled=False):
        # The same rule as approve(): not the author, the audience theirs; a warning only to who may warn there.
        if not permissions.may(db, permissions.Actor.of(official, "phone"), "announcement.approve",
                               announced.target(row)):
            continue
        asked += outbox.enqueue(db, "sms", official["phone"], "notice", body=text, ref=f"announcement:{row['id']}:approval",
                                dedupe_key=f"announcement:{row['id']}:approval:{official['id']}",
                                segments=segments.count(text).segments) is not None
    return asked
