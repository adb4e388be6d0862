"""Safety check-ins after a flood: "1 if safe, 2 if you need help", by SMS and by call.

Every "need help" reaches the village head at once: an SMS to each village head (officials with
role village_head for that village; or HOTLINE_VILLAGE_HEADS when no officials are registered),
and the list in `hotline alerts checkins ID` and the admin.
"""
from __future__ import annotations

import logging
from hotline.domain import audit, outbox, places, residents
from hotline.domain.alerts import broadcast
from hotline.core import clock, phones, prompts, segments
from hotline.domain.officials import permissions
from hotline.core.db import now as utc_now, transaction
from hotline.core.text import key

log = logging.getLogger(__name__)
ANSWERS = {"1": "safe", "2": "help"}
DEFAULT_HOURS = 72
# A check-in follows a warning that went out (and may have ended): not a draft, a cancelled or a replaced one.
FOLLOWS = ("published", "expired")


class CheckinRefused(ValueError):
    """reason: unknown_alert | not_published (the alert is a draft, cancelled or superseded; detail: its status)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


def follows(db, alert_id: int | None) -> dict | None:
    """The alert a check-in may follow ({"status", "level"}), None for none; CheckinRefused for any other."""
    if alert_id is None:
        return None
    row = next(db.query("SELECT status, level FROM alerts WHERE id = ?", [alert_id]), None)
    if row is None:
        raise CheckinRefused("unknown_alert", str(alert_id))
    if row["status"] not in FOLLOWS:
        raise CheckinRefused("not_published", row["status"])
    return row


def start(db, config, village_ids=None, flags=None, alert_id: int | None = None, hours: float = DEFAULT_HOURS, *,
          actor) -> dict:
    """Ask the residents of these villages (None = whole commune); SMS to all, a call to those who need voice.

    After an alert only once it went out (follows()); opted-out residents are asked only when that
    alert is at the emergency level. A village head asks their own villages, even after a commune-wide warning.
    """
    now = utc_now()
    expires = clock.shift(now, hours=hours)
    with transaction(db):
        permissions.require(db, actor, "checkin.start", permissions.Target(permissions.audience(village_ids)))
        alert = follows(db, alert_id)     # inside the transaction: a cancel cannot slip in between
        checkin_id = db["checkins"].insert({"alert_id": alert_id, "scope": "villages" if village_ids else "commune",
                                            "flags": ",".join(sorted(flags or [])), "created_at": now,
                                            "expires_at": expires}).last_pk
        for village_id in village_ids or []:
            db["checkin_villages"].insert({"checkin_id": checkin_id, "village_id": village_id})
        plain, accented = prompts.sms("alerts.sms.checkin"), prompts.sms("alerts.sms.checkin", accents=True)
        where, params = broadcast.target_sql(village_ids, flags)
        params.update(ref=f"checkin:{checkin_id}", plain=plain, accented=accented, not_after=expires, start=now,
                      now=now, seg_plain=segments.count(plain).segments, seg_accented=segments.count(accented).segments,
                      emergency=int(bool(alert) and broadcast.is_emergency(config, alert["level"])),
                      priority=outbox.PRIORITY["checkin"])
        broadcast.insert_rows(db, "sms", "checkin", where, params)
        broadcast.insert_rows(db, "call", "checkin", where + " AND " + broadcast.VOICE_FLAGS, params)
        progress = broadcast.progress(db, f"checkin:{checkin_id}")
        audit.record(db, actor, "checkin.start", "checkin", checkin_id, checkin_id=checkin_id, alert_id=alert_id,
                     audience=audit.audience(db, village_ids), queued=progress["queued"])
    return {"id": checkin_id, **progress}


def preview(db, config, village_ids=None, flags=None, level: int = 1) -> dict:
    """What start() would cost: recipients, calls, skips, and the segments of the check-in's own question."""
    texts = prompts.sms("alerts.sms.checkin"), prompts.sms("alerts.sms.checkin", accents=True)
    return broadcast.preview(db, config, texts[0], village_ids, flags, level=level, texts=texts)


def answer(db, phone: str, choice: str, config=None, channel: str = "sms") -> str | None:
    """A bare "1"/"2" from this number: "safe" | "help" | "invalid"; None when no check-in is open for it."""
    resident = residents.by_phone(db, phone)
    if resident is None:
        return None
    open_ = next(db.query(
        "SELECT c.id FROM checkins c JOIN outbox o ON o.ref = 'checkin:' || c.id AND o.resident_id = :r"
        " WHERE c.status = 'open' AND c.expires_at > :now ORDER BY c.id DESC LIMIT 1",
        {"r": resident["id"], "now": utc_now()}), None)
    if open_ is None:
        return None
    return record(db, config, open_["id"], resident["id"], choice, channel)


def record(db, config, checkin_id: int, resident_id: int, choice: str, channel: str) -> str:
    """Keep the latest answer; a new "help" queues an SMS to each of the village's heads at once."""
    outcome = ANSWERS.get(str(choice).strip())
    if outcome is None:
        return "invalid"
    now = utc_now()
    with transaction(db):
        db.execute("INSERT INTO checkin_answers (checkin_id, resident_id, answer, channel, answered_at)"
                   " VALUES (?, ?, ?, ?, ?) ON CONFLICT (checkin_id, resident_id) DO UPDATE SET"
                   " answer = excluded.answer, channel = excluded.channel, answered_at = excluded.answered_at",
                   [checkin_id, resident_id, outcome, channel, now])
        if outcome == "help":
            _tell_heads(db, config, checkin_id, resident_id, now)
    return outcome


def _tell_heads(db, config, checkin_id: int, resident_id: int, now: str) -> None:
    resident = residents.get(db, resident_id)
    village = places.village(db, resident["village_id"]) if resident["village_id"] else None
    body = prompts.sms("alerts.sms.head_help", name=resident["name"] or "-", phone=resident["phone"],
                       village=village["name"] if village else "-", time=broadcast.local_time(now))
    heads = village_heads(db, config, resident["village_id"])
    if not heads:   # the admin and `hotline alerts checkins` still list them; someone must look
        log.warning("check-in %s: no village head to tell of a \"need help\" (%s)", checkin_id,
                    village["name"] if village else "no village")
    for phone in heads:   # emergency: a head who opted out of routine notices still hears of people in need
        outbox.enqueue(db, "sms", phone, "notice", body=body, ref=f"checkin:{checkin_id}:heads",
                       dedupe_key=f"checkin:{checkin_id}:{resident_id}:{phone}",
                       segments=segments.count(body).segments, emergency=True, priority=outbox.PRIORITY["help"])
    db.execute("UPDATE checkin_answers SET notified_at = ? WHERE checkin_id = ? AND resident_id = ?",
               [now, checkin_id, resident_id])


def village_heads(db, config, village_id: int | None) -> list[str]:
    """Phones of the village's heads: from the officials registry when it exists, else HOTLINE_VILLAGE_HEADS."""
    if db["officials"].exists():
        registered = [r["phone"] for r in db.query(
            "SELECT o.phone FROM officials o JOIN official_villages ov ON ov.official_id = o.id"
            " WHERE o.role = 'village_head' AND o.disabled = 0 AND ov.village_id = ? ORDER BY o.id", [village_id])]
        if registered:
            return registered
    village = places.village(db, village_id) if village_id else None
    heads = []
    for pair in str((config or {}).get("HOTLINE_VILLAGE_HEADS", "") or "").split(";"):
        name, _, phone = pair.partition("=")
        if village and phone.strip() and key(name) == key(village["name"]):
            try:    # "0912 999 001" as an operator types it: the SMS needs E.164
                heads.append(phones.normalise(phone))
            except phones.InvalidPhone as e:
                log.error("HOTLINE_VILLAGE_HEADS: %s for %s is not a phone number (%s)",
                          phones.mask(phone.strip()), village["name"], e.reason)
    return heads


def needing_help(db, checkin_id: int | None = None) -> list[dict]:
    """Everyone whose latest answer is "help", oldest first (they have waited longest)."""
    return list(db.query(
        "SELECT a.checkin_id, a.answered_at, a.channel, a.notified_at, r.id AS resident_id, r.name, r.phone,"
        " v.name AS village FROM checkin_answers a JOIN residents r ON r.id = a.resident_id"
        " LEFT JOIN villages v ON v.id = r.village_id WHERE a.answer = 'help'"
        " AND (:id IS NULL OR a.checkin_id = :id) ORDER BY a.answered_at", {"id": checkin_id}))


def summary(db, checkin_id: int) -> dict:
    counts = dict(db.execute("SELECT answer, COUNT(*) FROM checkin_answers WHERE checkin_id = ? GROUP BY answer",
                             [checkin_id]).fetchall())
    return {"id": checkin_id, "safe": counts.get("safe", 0), "help": counts.get("help", 0),
            **broadcast.progress(db, f"checkin:{checkin_id}")}


def for_alert(db, alert_id: int) -> list[dict]:
    """The check-ins that followed this alert, newest first, each with its sending counts and answers by village."""
    rows = db.query("SELECT * FROM checkins WHERE alert_id = ? ORDER BY id DESC", [alert_id])
    return [{**r, **summary(db, r["id"]), "villages": by_village(db, r["id"])} for r in rows]


def by_village(db, checkin_id: int) -> list[dict]:
    """Per village: asked (opted-out skips not counted), safe, need help, no answer yet."""
    return list(db.query(
        "SELECT v.name AS village, COUNT(*) AS asked, COALESCE(SUM(a.answer = 'safe'), 0) AS safe,"
        " COALESCE(SUM(a.answer = 'help'), 0) AS help, COALESCE(SUM(a.answer IS NULL), 0) AS no_answer"
        " FROM (SELECT resident_id FROM outbox WHERE ref = :ref AND state != 'skipped'"
        "       UNION SELECT resident_id FROM checkin_answers WHERE checkin_id = :id) asked"
        " JOIN residents r ON r.id = asked.resident_id LEFT JOIN villages v ON v.id = r.village_id"
        " LEFT JOIN checkin_answers a ON a.checkin_id = :id AND a.resident_id = asked.resident_id"
        " GROUP BY r.village_id ORDER BY v.keypad IS NULL, v.keypad, v.name",
        {"id": checkin_id, "ref": f"checkin:{checkin_id}"}))


def sms_hook(db, config, phone: str, text: str):
    """An inbound-SMS hook (hotline.app gives it to the SMS channel): a bare 1 or 2 answers an open check-in before
    the keywords see it; None lets the keywords handle the text."""
    choice = (text or "").strip()
    if choice not in ANSWERS:
        return None
    outcome = answer(db, phone, choice, config)
    if outcome is None:
        return None
    return (f"alerts.sms.checkin_thanks_{outcome}", {})
