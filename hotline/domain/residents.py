"""Residents: registration, consent and opt-out, and the CSV register kept by village heads."""
from __future__ import annotations

from hotline.domain import outbox
from hotline.core.db import now, transaction
from hotline.core.phones import InvalidPhone, normalise

FLAGS = ("elderly", "low_lying", "prefers_voice", "cannot_read", "sms_accents")
EDITABLE = ("name", "village_id", "household_id", "gender", "birth_year") + FLAGS


def by_phone(db, phone: str) -> dict | None:
    rows = list(db.query("SELECT * FROM residents WHERE phone = ?", [phone]))
    return rows[0] if rows else None


def get(db, resident_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM residents WHERE id = ?", [resident_id]))
    return rows[0] if rows else None


def wants_accents(resident: dict | None, commune_default: bool) -> bool:
    """Accented SMS (UCS-2, twice the cost): the resident's own choice if they made one, else the commune's."""
    if resident is not None and resident["sms_accents_chosen"]:
        return bool(resident["sms_accents"])
    return commune_default


def accents_chosen(existing: dict | None, values: dict, chosen: bool = False) -> dict:
    """values plus sms_accents_chosen when this write is a choice of accents: the resident asked (chosen),
    the flag is turned on, or it changes. A form or register row that repeats 0 is not a choice: the
    commune's HOTLINE_SMS_ACCENTS still decides for that resident."""
    if "sms_accents" not in values:
        return values
    was = existing["sms_accents"] if existing else 0
    if chosen or values["sms_accents"] or values["sms_accents"] != was:
        return {**values, "sms_accents_chosen": 1}
    return values


def register(db, phone: str, consent_source: str, accents_choice: bool = False, **fields) -> tuple[dict, str]:
    """Create or update the resident with this number; outcome "registered" or "updated".

    accents_choice: the resident set sms_accents themselves (CO DAU / KHONG DAU), see accents_chosen()."""
    phone = normalise(phone)
    values = {k: v for k, v in fields.items() if k in EDITABLE and v is not None}
    for flag in FLAGS:
        if flag in values:
            values[flag] = int(bool(values[flag]))
    stamp = now()
    with transaction(db):
        existing = by_phone(db, phone)
        values = accents_chosen(existing, values, accents_choice)
        if existing:
            if values:
                db["residents"].update(existing["id"], {**values, "updated_at": stamp})
            outcome, resident_id = "updated", existing["id"]
        else:
            row = {**values, "phone": phone, "consent_source": consent_source, "consent_at": stamp,
                   "created_at": stamp, "updated_at": stamp}
            resident_id = db["residents"].insert(row).last_pk
            outcome = "registered"
    return get(db, resident_id), outcome


def set_associations(db, resident_id: int, codes: list[str]) -> None:
    with transaction(db):
        db.execute("DELETE FROM memberships WHERE resident_id = ?", [resident_id])
        for code in codes:
            row = next(db.query("SELECT id FROM associations WHERE code = ?", [code]), None)
            if row is None:
                raise ValueError(f"unknown association {code}")
            db["memberships"].insert({"resident_id": resident_id, "association_id": row["id"]}, ignore=True)


def association_codes(db, resident_id: int) -> list[str]:
    return [r["code"] for r in db.query(
        "SELECT a.code FROM memberships m JOIN associations a ON a.id = m.association_id"
        " WHERE m.resident_id = ? ORDER BY a.id", [resident_id])]


def opt_out(db, phone: str, channel: str) -> str:
    """Stop everything but emergency warnings, what is already queued too. "opted_out" or "already_out"."""
    with transaction(db):
        resident = by_phone(db, phone)
        if resident is None:
            stamp = now()
            # Record the refusal even for a stranger, so a later import cannot message them.
            db["residents"].insert({"phone": phone, "consent_source": channel, "opted_out_at": stamp,
                                    "opted_out_channel": channel, "created_at": stamp, "updated_at": stamp})
        elif resident["opted_out_at"]:
            return "already_out"
        else:
            db["residents"].update(resident["id"], {"opted_out_at": now(), "opted_out_channel": channel,
                                                    "updated_at": now()})
        outbox.cancel_for_opt_out(db, phone)    # a guide asked for in a call, a retry: not only later sends
    return "opted_out"


def opt_in(db, phone: str, channel: str) -> str:
    with transaction(db):
        resident = by_phone(db, phone)
        if resident is None or not resident["opted_out_at"]:
            return "already_in" if resident else "unknown"
        db["residents"].update(resident["id"], {"opted_out_at": None, "opted_out_channel": None,
                                                "consent_source": channel, "consent_at": now(),
                                                "updated_at": now()})
    return "opted_in"


def listing(db, village_id: int | None = None, search: str | None = None) -> list[dict]:
    sql = ("SELECT r.*, v.name AS village FROM residents r LEFT JOIN villages v ON v.id = r.village_id"
           " WHERE (:village IS NULL OR r.village_id = :village)"
           " AND (:search IS NULL OR r.name LIKE :like OR r.phone LIKE :like) ORDER BY v.keypad, r.name")
    like = f"%{search}%" if search else None
    return list(db.query(sql, {"village": village_id, "search": search, "like": like}))


def is_valid_phone(raw: str) -> str | None:
    """The reason a number is refused, or None."""
    try:
        normalise(raw)
    except InvalidPhone as e:
        return e.reason
    return None
