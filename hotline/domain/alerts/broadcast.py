"""Broadcasts: who an alert reaches, one outbox row per (alert, resident, channel), cost and progress.

Publishing is one set-based INSERT … SELECT per channel inside the caller's transaction, so 10,000
recipients are queued (or skipped, with the reason) atomically in well under a second.
"""
from __future__ import annotations

import json

from hotline.core import clock, prompts, segments
from hotline.core.db import now as utc_now
from hotline.domain.outbox import PRIORITY

VOICE_FLAGS = "(r.elderly = 1 OR r.cannot_read = 1 OR r.prefers_voice = 1)"
STATES = ("queued", "claimed", "sent", "delivered", "failed", "expired", "cancelled", "skipped")


def target_sql(village_ids, flags) -> tuple[str, dict]:
    """FROM/WHERE choosing residents: the villages (None = whole commune) and every flag given."""
    flags = set(flags or [])
    where = ["(:villages IS NULL OR r.village_id IN (SELECT value FROM json_each(:villages)))"]
    if "low_lying" in flags:
        where.append("(r.low_lying = 1 OR h.low_lying = 1)")
    if "elderly" in flags:
        where.append("r.elderly = 1")
    sql = " FROM residents r LEFT JOIN households h ON h.id = r.household_id WHERE " + " AND ".join(where)
    return sql, {"villages": json.dumps(list(village_ids)) if village_ids else None}


def is_emergency(config, level: int) -> bool:
    return level >= int(config.number("HOTLINE_EMERGENCY_LEVEL"))


def alert_texts(alert: dict, key: str = "alerts.sms.alert") -> tuple[str, str]:
    """(unaccented, accented) SMS bodies: residents who asked for accents get the UCS-2 one."""
    values = {"kind": prompts.say(f"alerts.kind.{alert['kind']}"), "level": alert["level"],
              "text": alert["text"], "until": local_time(alert["expires_at"])}
    return prompts.sms(key, **values), prompts.sms(key, accents=True, **values)


def local_time(stamp: str) -> str:
    return clock.local(stamp).strftime("%H:%M %d/%m")


def queue_alert(db, config, alert: dict) -> dict:
    """SMS to every targeted resident, a call as well to those who need voice. Call inside a transaction."""
    now = utc_now()
    ref = f"alert:{alert['id']}"
    emergency = is_emergency(config, alert["level"])
    key = "alerts.sms.update" if alert["msg_type"] == "update" else "alerts.sms.alert"
    plain, accented = alert_texts(alert, key)
    where, params = target_sql(alert["village_ids"] or None, alert["flag_list"])
    params.update(ref=ref, plain=plain, accented=accented, seg_plain=segments.count(plain).segments,
                  seg_accented=segments.count(accented).segments, not_after=alert["expires_at"],
                  start=max(alert["starts_at"], now), now=now, emergency=int(emergency),
                  priority=PRIORITY["emergency" if emergency else "alert"])
    insert_rows(db, "sms", "alert", where, params)
    insert_rows(db, "call", "alert", where + " AND " + VOICE_FLAGS, params)
    return {"alert_id": alert["id"], "ref": ref, "emergency": emergency, **progress(db, ref)}


def insert_rows(db, channel: str, purpose: str, where: str, params: dict) -> None:
    """One row per resident; skipped (reason opted_out) unless an emergency. Dedupe keys make it idempotent.
    A call is its purpose, reference and resident: the voice channel knows which of its routes answers it."""
    body_sql = "CASE WHEN r.sms_accents = 1 THEN :accented ELSE :plain END" if channel == "sms" else ":plain"
    segs = "CASE WHEN r.sms_accents = 1 THEN :seg_accented ELSE :seg_plain END" if channel == "sms" else "NULL"
    opted = "(r.opted_out_at IS NOT NULL AND :emergency = 0)"
    db.execute(
        "INSERT OR IGNORE INTO outbox (channel, to_phone, resident_id, body, purpose, ref, dedupe_key,"
        " not_after, segments, state, error, next_attempt_at, priority, emergency, created_at, updated_at)"
        f" SELECT :channel, r.phone, r.id, {body_sql}, :purpose, :ref, :ref || ':' || r.id || ':' || :channel,"
        f" :not_after, {segs}, CASE WHEN {opted} THEN 'skipped' ELSE 'queued' END,"
        f" CASE WHEN {opted} THEN 'opted_out' END, :start, :priority, :emergency, :now, :now" + where,
        {**params, "channel": channel, "purpose": purpose})


def queue_cancel_notice(db, config, cancel: dict, old: dict) -> None:
    """Tell everyone the cancelled alert already reached (and only them) that it no longer holds."""
    plain, accented = alert_texts(old, "alerts.sms.cancelled")
    ref = f"alert:{cancel['id']}"
    where = (" FROM residents r WHERE r.id IN (SELECT resident_id FROM outbox WHERE ref = :old"
             " AND state IN ('sent', 'delivered'))")
    params = {"old": f"alert:{old['id']}", "ref": ref, "plain": plain, "accented": accented,
              "seg_plain": segments.count(plain).segments, "seg_accented": segments.count(accented).segments,
              "not_after": cancel["expires_at"], "start": utc_now(), "now": utc_now(),
              "emergency": 1, "priority": PRIORITY["emergency"]}
    insert_rows(db, "sms", "alert", where, params)


def stop_pending(db, ref: str, reason: str) -> int:
    """Rows not yet handed to a provider never leave: marked cancelled (or expired) with the reason."""
    state = "expired" if reason == "expired" else "cancelled"
    return db.execute("UPDATE outbox SET state = ?, error = ?, updated_at = ? WHERE ref = ? AND state = 'queued'",
                      [state, reason, utc_now(), ref]).rowcount


def preview(db, config, text: str, village_ids, flags, kind: str = "general", level: int = 3,
            texts: tuple[str, str] | None = None, expires_at: str | None = None) -> dict:
    """What publishing would cost: recipients, calls, opted-out skips, segments and the ETA at our rates.

    texts: the (unaccented, accented) bodies when they are not an alert's, e.g. a check-in's question.
    expires_at: the "until" the SMS says (a draft's own); None = HOTLINE_ALERT_HOURS from now, as a new alert.
    """
    where, params = target_sql(village_ids, flags)
    emergency = is_emergency(config, level)
    row = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(r.opted_out_at IS NOT NULL), 0),"
        f" COALESCE(SUM({VOICE_FLAGS} AND (r.opted_out_at IS NULL OR :e)), 0),"
        " COALESCE(SUM(r.sms_accents = 1 AND (r.opted_out_at IS NULL OR :e)), 0)" + where,
        {**params, "e": int(emergency)}).fetchone()
    total, opted_out, calls, accented_people = row
    skipped = 0 if emergency else opted_out
    until = expires_at or clock.shift(utc_now(), hours=config.number("HOTLINE_ALERT_HOURS"))
    fake = {"id": 0, "kind": kind, "level": level, "text": text, "expires_at": until}
    plain, accented = texts or alert_texts(fake)
    seg_plain, seg_accented = segments.count(plain).segments, segments.count(accented).segments
    sms_segments = (total - skipped - accented_people) * seg_plain + accented_people * seg_accented
    return {"recipients": total - skipped, "skipped": skipped, "calls": calls, "segments_plain": seg_plain,
            "segments_accented": seg_accented, "sms_segments": sms_segments,
            "eta_seconds": eta(config, sms_segments, calls), "emergency": emergency, "sms_plain": plain,
            "sms_accented": accented}


def eta(config, sms_segments: int, calls: int) -> float:
    """Seconds to send it all at the provisioned rates (SMS and calls go side by side)."""
    return round(max(sms_segments / config.number("HOTLINE_SMS_RATE"), calls / config.number("HOTLINE_CALL_RATE")), 1)


def cost(preview: dict) -> dict:
    """What a broadcast costs, from its preview: SMS segments and calls. The one place a price per segment
    and per call will be applied, so every confirmation (admin, CLI) shows the same figure."""
    return {"sms_segments": preview["sms_segments"], "calls": preview["calls"]}


def progress(db, ref: str) -> dict:
    """Counts by state for one broadcast (ref "alert:12"); queued includes rows being sent right now."""
    counts = dict.fromkeys(STATES, 0)
    for state, n in db.execute("SELECT state, COUNT(*) FROM outbox WHERE ref = ? GROUP BY state", [ref]):
        counts[state] = n
    counts["queued"] += counts.pop("claimed")
    counts["total"] = sum(counts.values())
    counts["done"] = counts["total"] - counts["queued"]
    return counts
