"""CAP 1.2 (OASIS Common Alerting Protocol): export our alerts, import a province's or the nation's.

Every document we write or accept is validated against the vendored OASIS schema
(hotline/domain/alerts/schemas/CAP-v1.2.xsd). Vietnam's risk levels map onto CAP as in SEVERITY; the exact level
also travels as the parameter VN_RISK_LEVEL so a round trip keeps it. With HOTLINE_CAP_GEOCODES set,
areas also travel as the commune's official codes (hotline.domain.alerts.geocodes).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from hotline.domain import alerts, places
from hotline.domain.alerts import areadesc, geocodes
from hotline.core import clock, prompts
from hotline.core.db import now as utc_now, transaction
from hotline.core.text import key

NS = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "CAP-v1.2.xsd"
SEVERITY = {1: ("Minor", "Future"), 2: ("Moderate", "Expected"), 3: ("Severe", "Expected"),
            4: ("Severe", "Immediate"), 5: ("Extreme", "Immediate")}
CATEGORY = {"flood": "Met", "storm": "Met", "landslide": "Geo", "general": "Safety"}
MSG_TYPE = {"alert": "Alert", "update": "Update", "cancel": "Cancel"}
LEVEL_PARAMETER = "VN_RISK_LEVEL"
KINDS = ("flood", "storm", "landslide")
MAX_BYTES = 512 * 1024   # a CAP alert is a few KB; even one carrying its audio inline (<derefUri>) fits
MAX_TEXT = 600           # the alert text an official may type in the admin: an imported draft stays editable there


class InvalidCap(ValueError):
    """reason: too_large | schema | not_cap | status | msg_type | expired | no_area | unknown_reference | too_long;
    detail says more."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


@lru_cache(maxsize=1)
def schema():
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA))


def validate(document: str | bytes) -> list[str]:
    """Schema errors, each one line; [] for a valid CAP 1.2 alert."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as e:
        return [f"not XML: {e}"]
    return [f"{e.path or '/'}: {e.reason or e.message}" for e in schema().iter_errors(root)]


def _cap_time(stamp: str) -> str:
    return clock.local(stamp).strftime("%Y-%m-%dT%H:%M:%S+07:00")


def identifier(db, alert: dict) -> str:
    if alert["cap_identifier"]:
        return alert["cap_identifier"]
    commune = db.execute("SELECT name FROM communes ORDER BY id LIMIT 1").fetchone()
    return f"loalang.{key(commune[0] if commune else 'commune').replace(' ', '-')}.{alert['id']}"


def export(db, config, alert_id: int) -> str:
    """The alert as a CAP 1.2 document (UTF-8 text), valid against the OASIS schema."""
    alert = alerts.get(db, alert_id)
    if alert is None:
        raise LookupError(f"no alert {alert_id}")
    root = ET.Element("alert", xmlns=NS)
    sender = alert["cap_sender"] or config["HOTLINE_CAP_SENDER"]

    def add(parent, tag, text):
        ET.SubElement(parent, tag).text = str(text)

    add(root, "identifier", identifier(db, alert))
    add(root, "sender", sender)
    add(root, "sent", _cap_time(alert["published_at"] or alert["created_at"]))
    add(root, "status", "Draft" if alert["status"] == "draft" else "Actual")
    add(root, "msgType", MSG_TYPE[alert["msg_type"]])
    add(root, "scope", "Public")
    if alert["supersedes_id"]:
        earlier = alerts.get(db, alert["supersedes_id"])
        add(root, "references", ",".join([earlier["cap_sender"] or config["HOTLINE_CAP_SENDER"],
                                          identifier(db, earlier),
                                          _cap_time(earlier["published_at"] or earlier["created_at"])]))
    info = ET.SubElement(root, "info")
    severity, urgency = SEVERITY[alert["level"]]
    event = prompts.say(f"alerts.kind.{alert['kind']}")
    for tag, text in [("language", "vi-VN"), ("category", CATEGORY[alert["kind"]]), ("event", event),
                      ("urgency", urgency), ("severity", severity), ("certainty", "Likely"),
                      ("effective", _cap_time(alert["starts_at"])), ("expires", _cap_time(alert["expires_at"])),
                      ("headline", prompts.say("alerts.cap.headline", kind=event, level=alert["level"])),
                      ("description", alert["text"])]:
        add(info, tag, text)
    parameter = ET.SubElement(info, "parameter")
    add(parameter, "valueName", LEVEL_PARAMETER)
    add(parameter, "value", alert["level"])
    area = ET.SubElement(info, "area")
    names = [places.village(db, v)["name"] for v in alert["village_ids"]]
    commune = db.execute("SELECT name FROM communes ORDER BY id LIMIT 1").fetchone()
    add(area, "areaDesc", ", ".join(names) if names else (commune[0] if commune else prompts.say("alerts.cli.commune")))
    for name, value in geocodes.for_export(geocodes.ours(config)):   # after areaDesc, as the schema orders <area>
        geocode = ET.SubElement(area, "geocode")
        add(geocode, "valueName", name)
        add(geocode, "value", value)
    document = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    errors = validate(document)
    if errors:   # our own output must always be valid; fail loudly rather than send a broken alert on
        raise AssertionError(f"exported CAP is invalid: {errors[0]}")
    return document


def _text(node, tag: str) -> str:
    found = node.find(f"{{{NS}}}{tag}")
    return (found.text or "").strip() if found is not None else ""


def _stamp(value: str) -> str:
    return alerts.stamp(datetime.fromisoformat(value))


def parse(document: str | bytes, now: str | None = None) -> dict:
    """A valid, actionable CAP alert as the values of a local alert; InvalidCap with the reason otherwise."""
    if len(document) > MAX_BYTES:
        raise InvalidCap("too_large", str(len(document)))
    errors = validate(document)
    if errors:
        raise InvalidCap("schema", errors[0])
    root = ET.fromstring(document)
    status, msg_type = _text(root, "status"), _text(root, "msgType")
    if status != "Actual":
        raise InvalidCap("status", status)
    if msg_type not in ("Alert", "Update", "Cancel"):
        raise InvalidCap("msg_type", msg_type)
    infos = root.findall(f"{{{NS}}}info")
    if not infos and msg_type != "Cancel":
        raise InvalidCap("schema", "no <info>")
    info = next((i for i in infos if _text(i, "language").lower().startswith("vi")), infos[0] if infos else None)
    values = {"identifier": _text(root, "identifier"), "sender": _text(root, "sender"), "msg_type": msg_type,
              "references": [r.split(",")[1] for r in _text(root, "references").split() if r.count(",") == 2]}
    if info is None:
        return values
    expires = _text(info, "expires")
    expires_at = _stamp(expires) if expires else None
    if expires_at and expires_at <= (now or utc_now()):
        raise InvalidCap("expired", expires)
    starts = _text(info, "effective") or _text(info, "onset") or _text(root, "sent")
    text = " ".join(t for t in (_text(info, "description") or _text(info, "headline"), _text(info, "instruction")) if t)
    if len(text) > MAX_TEXT:
        raise InvalidCap("too_long", str(len(text)))
    areas = [{"desc": _text(a, "areaDesc"),
              "geocodes": [(_text(g, "valueName"), _text(g, "value")) for g in a.findall(f"{{{NS}}}geocode")]}
             for a in info.findall(f"{{{NS}}}area")]
    return {**values, "kind": _kind(_text(info, "event"), _text(info, "category")), "level": _level(info),
            "text": text or _text(info, "event"), "starts_at": _stamp(starts), "expires_at": expires_at,
            "areas": areas}


def _kind(event: str, category: str) -> str:
    words = f" {key(event)} "
    for kind in KINDS:
        needles = areadesc.words(kind)
        if any(f" {n} " in words or words.strip().startswith(n) for n in needles):
            return kind
    return "landslide" if category == "Geo" else "general"


def _level(info) -> int:
    for parameter in info.findall(f"{{{NS}}}parameter"):
        if _text(parameter, "valueName") == LEVEL_PARAMETER and _text(parameter, "value").isdigit():
            return min(5, max(1, int(_text(parameter, "value"))))
    severity, urgency = _text(info, "severity"), _text(info, "urgency")
    if severity == "Severe":
        return 4 if urgency == "Immediate" else 3
    return {"Extreme": 5, "Moderate": 2, "Minor": 1}.get(severity, 2)


def match_areas(db, config, areas: list[dict]) -> tuple[list[int], bool]:
    """(village ids, whether the whole commune is meant) for parsed <area>s: by our geocodes, else by names.

    An area with our commune's code is ours: the villages its areaDesc names, else the whole commune.
    With our district's or province's code it is the whole commune, unless the areaDesc also names our
    commune beside its villages ("commune X: village A"): a bare village name at that level may be
    another commune's village or the province's own name. A whole commune outranks villages named in
    other areas. Another unit's codes are never ours, whatever names they share with our places.
    Areas without codes we can judge are matched by names alone, as areadesc.match_villages does.
    """
    codes = geocodes.ours(config)
    found, commune_named, whole = [], False, False
    for area in areas:
        unit = geocodes.covering(codes, area["geocodes"])
        if unit == "other":
            continue
        villages, named = areadesc.match_villages(db, [area["desc"]])
        if unit in ("district", "province") and not named:
            villages = []
        found += [v for v in villages if v not in found]
        commune_named |= named
        whole |= unit is not None and not villages
    return ([], True) if whole else (found, commune_named)


def import_alert(db, config, document: str | bytes, whole_commune: bool = False, *, actor) -> dict:
    """Turn a CAP alert into a local draft (or update/cancel the one it references): dict(id, outcome)."""
    values = parse(document)
    ours = [a for ref in values["references"] for a in db.query(
        "SELECT * FROM alerts WHERE cap_identifier = ? ORDER BY id DESC LIMIT 1", [ref])]
    existing = next(db.query("SELECT id FROM alerts WHERE cap_identifier = ?", [values["identifier"]]), None)
    if existing:
        return {"id": existing["id"], "outcome": "duplicate"}
    if values["msg_type"] == "Cancel":
        if not ours:
            raise InvalidCap("unknown_reference", " ".join(values["references"]) or "-")
        target = alerts.latest_version(db, ours[0]["id"])
        cancel_id = alerts.cancel(db, config, target["id"], actor=actor)
        db.execute("UPDATE alerts SET cap_identifier = ?, cap_sender = ?, source = 'cap' WHERE id = ?",
                   [values["identifier"], values["sender"], cancel_id])
        return {"id": cancel_id, "outcome": "cancelled"}
    village_ids, commune_named = match_areas(db, config, values["areas"])
    if not village_ids and not (commune_named or whole_commune):
        raise InvalidCap("no_area", "; ".join(a["desc"] for a in values["areas"]) or "-")
    hours = config.number("HOTLINE_ALERT_HOURS")
    fields = {"kind": values["kind"], "level": values["level"], "text": values["text"], "starts_at": values["starts_at"],
              "expires_at": values["expires_at"] or clock.shift(values["starts_at"], hours=hours)}
    with transaction(db):
        if ours and values["msg_type"] == "Update":
            new_id = alerts.update(db, config, alerts.latest_version(db, ours[0]["id"])["id"], actor=actor,
                                   village_ids=village_ids or None, **fields)
            outcome = "updated"
        else:
            new_id = alerts.create(db, village_ids=village_ids or None, actor=actor, hours=hours, **fields)
            outcome = "imported"
        db.execute("UPDATE alerts SET cap_identifier = ?, cap_sender = ?, source = 'cap' WHERE id = ?",
                   [values["identifier"], values["sender"], new_id])
    return {"id": new_id, "outcome": outcome, "level": values["level"], "village_ids": village_ids}
