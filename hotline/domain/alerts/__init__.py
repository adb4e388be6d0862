"""Alerts (warnings): create, publish, update, cancel; and what is active for a village now.

Lifecycle: draft → published → superseded (by an update) | cancelled | expired. An update or a cancel
is a new row that references the earlier alert (CAP msgType Update / Cancel); the earlier one stops
being active everywhere at once: hotline menu 1 and the SMS keyword read active_for_village(), and
its pending sends are marked cancelled in the same transaction.
"""
from __future__ import annotations

import json
from datetime import datetime

from hotline.domain import audit
from hotline.domain.alerts import broadcast
from hotline.core import clock
from hotline.domain.officials import permissions
from hotline.core.db import now as utc_now, transaction

KINDS = ("flood", "storm", "landslide", "general")
FLAGS = ("low_lying", "elderly")
DEFAULT_HOURS = 24


class InvalidAlert(ValueError):
    """reason: bad_kind | bad_level | empty_text | bad_flag | unknown_village | bad_time | ends_before_start
    | not_draft | ended."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


def active_for_village(db, village_id: int | None, now: str | None = None) -> list[dict]:
    """Published, started, unexpired alerts that reach this village (commune-wide ones included), newest first."""
    now = now or utc_now()
    return list(db.query(
        "SELECT a.* FROM alerts a WHERE a.status = 'published' AND a.starts_at <= :now AND a.expires_at > :now"
        " AND (a.scope = 'commune' OR EXISTS (SELECT 1 FROM alert_villages av"
        "      WHERE av.alert_id = a.id AND av.village_id = :village))"
        " ORDER BY a.level DESC, a.published_at DESC", {"now": now, "village": village_id}))


def stamp(value) -> str:
    """A datetime or ISO text (naive = Vietnam time) as our UTC text format."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidAlert("bad_time", value) from None
    return clock.stamp(value, naive=clock.VIETNAM)


def target(alert: dict) -> permissions.Target:
    """What acting on this alert touches: its villages, or the whole commune."""
    return permissions.Target(permissions.audience(alert["village_ids"]))


def create(db, kind: str, level: int, text: str, village_ids=None, flags=None, starts_at=None, expires_at=None,
           audio_path: str | None = None, *, actor, hours: float = DEFAULT_HOURS) -> int:
    """A draft alert; village_ids None = the whole commune. Expiry defaults to `hours` after the start."""
    row = _validated(db, kind, level, text, village_ids, flags, starts_at, expires_at, hours)
    with transaction(db):
        permissions.require(db, actor, "alert.create", permissions.Target(permissions.audience(village_ids)))
        alert_id = _insert(db, row, village_ids, audio_path)
        audit.record(db, actor, "alert.create", "alert", alert_id, kind=kind, level=level,
                     audience=audit.audience(db, village_ids))
    return alert_id


def _insert(db, row: dict, village_ids, audio_path: str | None = None, lineage: dict | None = None) -> int:
    alert_id = db["alerts"].insert({**row, "audio_path": audio_path, "status": "draft", "created_at": utc_now(),
                                    **(lineage or {})}).last_pk
    for village_id in village_ids or []:
        db["alert_villages"].insert({"alert_id": alert_id, "village_id": village_id}, ignore=True)
    return alert_id


def _validated(db, kind, level, text, village_ids, flags, starts_at, expires_at, hours) -> dict:
    if kind not in KINDS:
        raise InvalidAlert("bad_kind", str(kind))
    if not isinstance(level, int) or not 1 <= level <= 5:
        raise InvalidAlert("bad_level", str(level))
    if not (text or "").strip():
        raise InvalidAlert("empty_text")
    flags = sorted(set(flags or []))
    if set(flags) - set(FLAGS):
        raise InvalidAlert("bad_flag", ",".join(sorted(set(flags) - set(FLAGS))))
    for village_id in village_ids or []:
        if not db.execute("SELECT 1 FROM villages WHERE id = ?", [village_id]).fetchone():
            raise InvalidAlert("unknown_village", str(village_id))
    starts = stamp(starts_at) if starts_at else utc_now()
    expires = stamp(expires_at) if expires_at else clock.shift(starts, hours=hours)
    if expires <= starts:
        raise InvalidAlert("ends_before_start")
    return {"kind": kind, "level": level, "text": text.strip(), "scope": "villages" if village_ids else "commune",
            "flags": ",".join(flags), "starts_at": starts, "expires_at": expires}


def get(db, alert_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM alerts WHERE id = ?", [alert_id]))
    if not rows:
        return None
    alert = rows[0]
    alert["village_ids"] = [r["village_id"] for r in db.query(
        "SELECT village_id FROM alert_villages WHERE alert_id = ? ORDER BY village_id", [alert_id])]
    alert["flag_list"] = [f for f in alert["flags"].split(",") if f]
    return alert


def _require(db, alert_id: int) -> dict:
    alert = get(db, alert_id)
    if alert is None:
        raise LookupError(f"no alert {alert_id}")
    return alert


def listing(db, status: str | None = None, limit: int = 50) -> list[dict]:
    return list(db.query("SELECT * FROM alerts WHERE (:status IS NULL OR status = :status) ORDER BY id DESC"
                         " LIMIT :limit", {"status": status, "limit": limit}))


def latest_version(db, alert_id: int) -> dict:
    """Follow updates to the newest version (a call answered after an update plays the update)."""
    alert = _require(db, alert_id)
    while alert["superseded_by"]:
        alert = _require(db, alert["superseded_by"])
    return alert


def publish(db, config, alert_id: int, *, actor) -> dict:
    """Queue every recipient's SMS and call in one transaction; see broadcast.queue_alert."""
    with transaction(db):
        alert = _require(db, alert_id)
        permissions.require(db, actor, "alert.publish", target(alert))
        result = _publish(db, config, alert)
        audit.record(db, actor, "alert.publish", "alert", alert_id, level=alert["level"],
                     audience=audit.audience(db, alert["village_ids"]), queued=result["queued"])
        return result


def _publish(db, config, alert: dict) -> dict:
    if alert["status"] != "draft":
        raise InvalidAlert("not_draft", alert["status"])
    if alert["expires_at"] <= utc_now():
        raise InvalidAlert("ended", "expired")
    db.execute("UPDATE alerts SET status = 'published', published_at = ? WHERE id = ?", [utc_now(), alert["id"]])
    return broadcast.queue_alert(db, config, get(db, alert["id"]))


def update(db, config, alert_id: int, *, actor, **changes) -> int:
    """A draft is edited in place; a published alert is superseded by a new, published version.

    Both the alert as it was and as it will be must be within the actor's reach."""
    with transaction(db):
        old = _require(db, alert_id)
        fields = {k: changes.get(k, old[k]) for k in ("kind", "level", "text", "starts_at", "expires_at", "audio_path")}
        village_ids = changes.get("village_ids", old["village_ids"] if old["scope"] == "villages" else None)
        flags = changes.get("flags", old["flag_list"])
        permissions.require(db, actor, "alert.update", target(old))
        permissions.require(db, actor, "alert.update", permissions.Target(permissions.audience(village_ids)))
        if old["status"] not in ("draft", "published"):
            raise InvalidAlert("ended", old["status"])
        row = _validated(db, fields["kind"], fields["level"], fields["text"], village_ids, flags,
                         fields["starts_at"], fields["expires_at"], DEFAULT_HOURS)
        said = {"level": row["level"], "audience": audit.audience(db, village_ids)}
        if old["status"] == "draft":
            db["alerts"].update(alert_id, {**row, "audio_path": fields["audio_path"]})
            db.execute("DELETE FROM alert_villages WHERE alert_id = ?", [alert_id])
            for village_id in village_ids or []:
                db["alert_villages"].insert({"alert_id": alert_id, "village_id": village_id})
            audit.record(db, actor, "alert.update", "alert", alert_id, **said)
            return alert_id
        new_id = _insert(db, row, village_ids, fields["audio_path"], {"msg_type": "update", "supersedes_id": alert_id})
        _end(db, alert_id, "superseded", new_id)
        result = _publish(db, config, get(db, new_id))
        audit.record(db, actor, "alert.update", "alert", alert_id, new_id=new_id, queued=result["queued"], **said)
    return new_id


def cancel(db, config, alert_id: int, *, actor) -> int:
    """Cancel an alert (or a draft): pending sends stop; who already got it is told. Returns the cancel's id."""
    with transaction(db):
        old = _require(db, alert_id)
        permissions.require(db, actor, "alert.cancel", target(old))
        if old["status"] not in ("draft", "published"):
            raise InvalidAlert("ended", old["status"])
        row = _validated(db, old["kind"], old["level"], old["text"], old["village_ids"] or None, old["flag_list"],
                         old["starts_at"], max(old["expires_at"], utc_now()), DEFAULT_HOURS)
        lineage = {"msg_type": "cancel", "supersedes_id": alert_id}
        cancel_id = _insert(db, row, old["village_ids"] or None, None, lineage)
        db.execute("UPDATE alerts SET status = 'cancel', published_at = ? WHERE id = ?", [utc_now(), cancel_id])
        _end(db, alert_id, "cancelled", cancel_id)
        if old["status"] == "published":
            broadcast.queue_cancel_notice(db, config, get(db, cancel_id), old)
        audit.record(db, actor, "alert.cancel", "alert", alert_id, cancel_id=cancel_id, level=old["level"],
                     audience=audit.audience(db, old["village_ids"]))
    return cancel_id


def _end(db, alert_id: int, status: str, successor: int) -> None:
    db.execute("UPDATE alerts SET status = ?, superseded_by = ?, ended_at = ? WHERE id = ?",
               [status, successor, utc_now(), alert_id])
    broadcast.stop_pending(db, f"alert:{alert_id}", status)


def expire(db, config, now: str) -> int:
    """Periodic job: published alerts past their expiry become 'expired' (their pending rows too)."""
    ended = [r["id"] for r in db.query(
        "SELECT id FROM alerts WHERE status = 'published' AND expires_at <= ?", [now])]
    with transaction(db):
        for alert_id in ended:
            db.execute("UPDATE alerts SET status = 'expired', ended_at = ? WHERE id = ?", [now, alert_id])
            broadcast.stop_pending(db, f"alert:{alert_id}", "expired")
    return len(ended)


def lineage(db, alert_id: int) -> list[int]:
    """Every version of this warning, first to last: the original, its updates, and a cancel."""
    alert = _require(db, alert_id)
    while alert["supersedes_id"]:
        alert = _require(db, alert["supersedes_id"])
    ids = [alert["id"]]
    while alert["superseded_by"]:
        alert = _require(db, alert["superseded_by"])
        ids.append(alert["id"])
    return ids


def trail(db, alert_id: int) -> list[dict]:
    """The audit trail of this warning through all its versions, and of the check-ins that followed it."""
    ids = lineage(db, alert_id)
    checkins = [r[0] for r in db.execute("SELECT id FROM checkins WHERE alert_id IN (SELECT value FROM json_each(?))",
                                         [json.dumps(ids)])]
    return audit.trail(db, [("alert", i) for i in ids] + [("checkin", i) for i in checkins])


def report(db, alert_id: int) -> dict:
    """Per alert and per village: recipients, sent, delivered, failed, acknowledged, skipped; and who did what."""
    from hotline.domain.alerts.reporting import report as build

    return {**build(db, _require(db, alert_id)), "audit": trail(db, alert_id)}
