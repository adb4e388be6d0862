"""The audit trail: who created, published, updated, cancelled, approved or withdrew what, when, and from where."""
from __future__ import annotations

import json

from hotline.core import clock, prompts
from hotline.domain import places
from hotline.core.db import now as utc_now

# The details a line says, in this order (prompts/audit.toml [detail]); others stay in the JSON only.
SHOWN = ("kind", "level", "audience", "fan_out", "queued", "new_id", "cancel_id", "checkin_id", "code", "capacity",
         "marked", "imported", "updated", "refused", "rows", "name", "role")


def record(db, actor, action: str, subject: str, subject_id: int | None, **detail) -> int:
    """One row, inside the caller's transaction: a change never lacks its row, a rolled-back one leaves none.

    detail must never hold a phone number or a secret: the trail is shown to every official who opens the page."""
    return db["audit_log"].insert({
        "at": utc_now(), "official_id": actor.official_id, "actor": actor.name, "channel": actor.channel,
        "action": action, "subject": subject, "subject_id": subject_id,
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None}).last_pk


def audience(db, village_ids) -> list[str] | str:
    """Village names as they are now (a name may change later; the trail keeps this one), or "commune"."""
    if not village_ids:
        return "commune"
    names = {v["id"]: v["name"] for v in places.villages(db)}
    return [names.get(v, str(v)) for v in village_ids]


def trail(db, subjects: list[tuple[str, int]]) -> list[dict]:
    """The rows about these (subject, id) pairs, oldest first, with their detail parsed."""
    if not subjects:
        return []
    rows = db.query(
        "SELECT * FROM audit_log WHERE EXISTS (SELECT 1 FROM json_each(:pairs) p"
        " WHERE json_extract(p.value, '$[0]') = audit_log.subject"
        " AND json_extract(p.value, '$[1]') = audit_log.subject_id) ORDER BY at, id",
        {"pairs": json.dumps([list(s) for s in subjects])})
    return [{**r, "detail": json.loads(r["detail"]) if r["detail"] else {}} for r in rows]


def line(row: dict) -> str:
    """One row in words: when, who, from which channel, what, and its details."""
    words = [_detail(name, row["detail"][name]) for name in SHOWN if row["detail"].get(name) is not None]
    return prompts.say("audit.line", when=clock.local(row["at"]).strftime("%H:%M %d/%m/%Y"), who=row["actor"],
                       channel=prompts.say(f"audit.channels.{row['channel']}"),
                       action=prompts.say(f"audit.actions.{row['action']}"),
                       detail="".join(prompts.say("audit.separator") + w for w in words))


def _detail(name: str, value) -> str:
    if name == "audience":
        value = prompts.say("audit.whole_commune") if value == "commune" else ", ".join(value)
    elif name == "role":
        value = prompts.say(f"officials.roles.{value}")
    elif name == "kind":
        value = prompts.say(f"audit.kinds.{value}")
    elif name == "fan_out":
        value = prompts.say(f"audit.fan_out.{value}")
    return prompts.say(f"audit.detail.{name}", **{name: value})
