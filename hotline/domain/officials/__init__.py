"""Officials: who they are, whom they may address, and their PIN and web password."""
from __future__ import annotations

import re
import secrets

from hotline.domain.officials import demo_secrets, permissions, sessions as admin_sessions
from hotline.domain.officials.rows import _with_villages, get, reach  # noqa: F401  (the registry's own API)
from hotline.domain import audit
from hotline.core.clock import shift
from hotline.core.db import now as utc_now, transaction
from hotline.core.hashing import hash_secret, needs_rehash, verify_secret
from hotline.core.phones import mask, normalise

ROLES = ("commune_chairman", "village_head", "association_leader", "instructor")
PIN = re.compile(r"^\d{4,8}$")
MIN_PASSWORD = 8
MAX_ATTEMPTS = 3
LOCK_MINUTES = 30
CALL_HOURS = 4          # a verified call is trusted this long (Twilio ends calls at 4 hours)


class InvalidOfficial(ValueError):
    """reason: bad_role | bad_pin | short_password | duplicate_phone | unknown_village | unknown_association
    | last_chairman (the change would leave no enabled commune chairman to manage officials)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


_DUMMY_HASH = hash_secret(secrets.token_hex(8))


def add(db, name: str, role: str, phone: str, village_ids: list[int] | None, pin: str,
        password: str | None = None, association: str | None = None, *, actor) -> int:
    """A new official; village_ids None = the whole commune (a commune chairman always is; a village head never)."""
    _check_pin(pin)
    return add_hashed(db, name, role, phone, village_ids, hash_secret(pin), _password_hash(password), association,
                      actor=actor)


def add_hashed(db, name, role, phone, village_ids, pin_hash, password_hash, association=None, *, actor) -> int:
    """add() for secrets already hashed (demo data, a restored registry)."""
    if role not in ROLES:
        raise InvalidOfficial("bad_role", role)
    phone = normalise(phone)
    stamp = utc_now()
    with transaction(db):
        permissions.require(db, actor, "official.manage")
        if by_phone(db, phone):
            raise InvalidOfficial("duplicate_phone", mask(phone))     # the detail may reach a log
        association_id = _association_id(db, association) if association else None
        row = {"name": name.strip(), "role": role, "phone": phone, "association_id": association_id,
               "commune_wide": _commune_wide(role, village_ids),
               "pin_hash": pin_hash, "password_hash": password_hash, "created_at": stamp, "updated_at": stamp}
        official_id = db["officials"].insert(row).last_pk
        _set_villages(db, official_id, [] if village_ids is None else village_ids)
        audit.record(db, actor, "official.add", "official", official_id, name=row["name"], role=role,
                     audience=_audience(db, get(db, official_id)))
    return official_id


def _commune_wide(role: str, village_ids) -> int:
    """No villages = the whole commune, except for a village head: they speak for their villages, never the commune."""
    return int(role == "commune_chairman" or (village_ids is None and role != "village_head"))


def _audience(db, official: dict) -> list[str] | str:
    """For the audit trail: "commune", or the names of their villages ([] for none)."""
    if reach(official)[0]:
        return "commune"
    return audit.audience(db, official["village_ids"]) if official["village_ids"] else []


def set_villages(db, official_id: int, village_ids: list[int], *, actor) -> None:
    """The villages an official may address, and nothing else changed."""
    with transaction(db):
        permissions.require(db, actor, "official.manage")
        _set_villages(db, official_id, village_ids)
        official = get(db, official_id)
        audit.record(db, actor, "official.update", "official", official_id, name=official["name"],
                     role=official["role"], audience=_audience(db, official))


def _set_villages(db, official_id: int, village_ids: list[int]) -> None:
    with transaction(db):
        db.execute("DELETE FROM official_villages WHERE official_id = ?", [official_id])
        for village_id in village_ids:
            if not db.execute("SELECT 1 FROM villages WHERE id = ?", [village_id]).fetchone():
                raise InvalidOfficial("unknown_village", str(village_id))
            db["official_villages"].insert({"official_id": official_id, "village_id": village_id}, ignore=True)


def by_phone(db, phone: str) -> dict | None:
    row = next(db.query("SELECT * FROM officials WHERE phone = ?", [phone]), None)
    return _with_villages(db, row)


def listing(db, include_disabled: bool = True) -> list[dict]:
    rows = db.query("SELECT * FROM officials WHERE :all OR disabled = 0 ORDER BY role, name",
                    {"all": int(include_disabled)})
    return [_with_villages(db, r) for r in rows]


def may_address(db, official_id: int, village_id: int | None) -> bool:
    """village_id None = the whole commune, open only to commune-wide officials (hotline.domain.officials.permissions for actions)."""
    official = get(db, official_id)
    if not official or official["disabled"]:
        return False
    commune, mine = reach(official)
    if village_id is None:
        return commune
    if mine is None:
        return db.execute("SELECT 1 FROM villages WHERE id = ?", [village_id]).fetchone() is not None
    return village_id in mine


def addressable_villages(db, official_id: int) -> list[dict]:
    """The villages this official may address, in keypad order."""
    return [v for v in db.query("SELECT * FROM villages ORDER BY keypad, name")
            if may_address(db, official_id, v["id"])]


def check_pin(db, official_id: int, pin: str, max_attempts: int = MAX_ATTEMPTS,
              lock_minutes: float = LOCK_MINUTES, now: str | None = None) -> str:
    """"ok", "wrong" or "locked". The max_attempts-th wrong PIN in a row locks entry for lock_minutes."""
    now = now or utc_now()
    with transaction(db):
        official = get(db, official_id)
        if not official or official["disabled"]:
            return "locked"
        if official["locked_until"] and official["locked_until"] > now:
            return "locked"
        if verify_secret(str(pin or ""), official["pin_hash"]):
            db["officials"].update(official_id, {"failed_pins": 0, "locked_until": None})
            _rehash(db, official, "pin_hash", str(pin))
            return "ok"
        failed = official["failed_pins"] + 1
        if failed >= max_attempts:
            db["officials"].update(official_id, {"failed_pins": 0, "locked_until": shift(now, minutes=lock_minutes)})
            return "locked"
        db["officials"].update(official_id, {"failed_pins": failed, "locked_until": None})
    return "wrong"


def set_pin(db, official_id: int, pin: str, *, actor) -> None:
    _check_pin(pin)
    _update(db, official_id, "official.set_pin", actor, pin_hash=hash_secret(pin), failed_pins=0, locked_until=None)


def set_password(db, official_id: int, password: str, *, actor) -> None:
    """A new web password ends every session of the official: a copied cookie dies with the old password."""
    password_hash = _password_hash(password)     # hashed before the write lock is taken
    with transaction(db):
        _update(db, official_id, "official.set_password", actor, password_hash=password_hash)
        admin_sessions.end_all(db, official_id, "password")


def check_password(db, login_phone: str, password: str) -> dict | None:
    """The official, if the number and password match an enabled account. Same cost either way."""
    try:
        official = by_phone(db, normalise(login_phone))
    except ValueError:
        official = None
    stored = official["password_hash"] if official and official["password_hash"] else _DUMMY_HASH
    matched = verify_secret(password or "", stored)
    if not (matched and official and official["password_hash"] and not official["disabled"]):
        return None
    _rehash(db, official, "password_hash", password)
    return official


def _rehash(db, official: dict, field: str, secret: str) -> None:
    """The right secret under an older, cheaper hash is stored again at today's cost. A published demo hash
    stays as it is, so that an install that stops being a demo still knows it (and refuses it)."""
    stored = official[field]
    if needs_rehash(stored) and not demo_secrets.published(field, stored):
        db["officials"].update(official["id"], {field: hash_secret(secret)})


def update(db, official_id: int, name: str, role: str, phone: str, village_ids: list[int] | None,
           association: str | None = None, *, actor) -> None:
    """Change who an official is and whom they may address (village_ids None = the whole commune)."""
    if role not in ROLES:
        raise InvalidOfficial("bad_role", role)
    phone = normalise(phone)
    with transaction(db):
        permissions.require(db, actor, "official.manage")
        official = get(db, official_id)
        if official is None:
            raise KeyError(official_id)
        other = by_phone(db, phone)
        if other and other["id"] != official_id:
            raise InvalidOfficial("duplicate_phone")
        if official["role"] == "commune_chairman" and role != "commune_chairman" and _last_chairman(db, official_id):
            raise InvalidOfficial("last_chairman")
        association_id = _association_id(db, association) if association else None
        db["officials"].update(official_id, {
            "name": name.strip(), "role": role, "phone": phone, "association_id": association_id,
            "commune_wide": _commune_wide(role, village_ids), "updated_at": utc_now()})
        _set_villages(db, official_id, village_ids or [])
        audit.record(db, actor, "official.update", "official", official_id, name=name.strip(), role=role,
                     audience=_audience(db, get(db, official_id)))


def set_disabled(db, official_id: int, disabled: bool, *, actor) -> str:
    """"disabled" | "enabled" | "last_chairman" (the last enabled chairman stays, or nobody could manage
    officials) | "self" (locking oneself out by a slip of the finger helps nobody)."""
    with transaction(db):
        permissions.require(db, actor, "official.manage")
        official = get(db, official_id)
        if official is None:
            raise KeyError(official_id)
        if disabled and official_id == actor.official_id:
            return "self"
        if disabled and official["role"] == "commune_chairman" and _last_chairman(db, official_id):
            return "last_chairman"
        _update(db, official_id, "official.disable" if disabled else "official.enable", actor, disabled=int(disabled))
        if disabled:
            admin_sessions.end_all(db, official_id, "disabled")
    return "disabled" if disabled else "enabled"


def random_pin(digits: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def new_pin(db, official_id: int, *, actor) -> str:
    """A fresh random PIN, stored hashed (a lock lifted); the caller shows it once and keeps no copy."""
    pin = random_pin()
    set_pin(db, official_id, pin, actor=actor)
    return pin


def may_manage(official: dict | None) -> bool:
    """Only an enabled commune chairman adds, edits and disables officials (and resets their PINs)."""
    return bool(official) and official["role"] == "commune_chairman" and not official["disabled"]


def _last_chairman(db, official_id: int) -> bool:
    return db.execute("SELECT 1 FROM officials WHERE role = 'commune_chairman' AND disabled = 0 AND id != ?",
                      [official_id]).fetchone() is None


def _update(db, official_id: int, action: str, actor, **values) -> None:
    with transaction(db):
        permissions.require(db, actor, "official.manage")
        official = get(db, official_id)
        if not official:
            raise KeyError(official_id)
        db["officials"].update(official_id, {**values, "updated_at": utc_now()})
        audit.record(db, actor, action, "official", official_id, name=official["name"])


def _check_pin(pin: str) -> None:
    if not PIN.match(str(pin or "")):
        raise InvalidOfficial("bad_pin", "4 to 8 digits")


def _password_hash(password: str | None) -> str | None:
    if password is None:
        return None
    if len(password) < MIN_PASSWORD:
        raise InvalidOfficial("short_password", f"at least {MIN_PASSWORD} characters")
    return hash_secret(password)


def _association_id(db, code: str) -> int:
    row = db.execute("SELECT id FROM associations WHERE code = ?", [code]).fetchone()
    if not row:
        raise InvalidOfficial("unknown_association", code)
    return row[0]


def start_call(db, call_sid: str, official_id: int, now: str | None = None) -> None:
    """The right PIN was given on this call: its later webhooks act for the official."""
    now = now or utc_now()
    with transaction(db):
        db.execute("DELETE FROM official_calls WHERE verified_at < ?", [shift(now, minutes=-CALL_HOURS * 60)])
        db.execute("INSERT OR REPLACE INTO official_calls (call_sid, official_id, verified_at) VALUES (?, ?, ?)",
                   [call_sid, official_id, now])


def on_call(db, call_sid: str, phone: str, now: str | None = None) -> dict | None:
    """The official verified on this call, if it is still theirs: same number, enabled, not stale."""
    cutoff = shift(now or utc_now(), minutes=-CALL_HOURS * 60)
    row = db.execute("SELECT official_id FROM official_calls WHERE call_sid = ? AND verified_at >= ?",
                     [call_sid or "", cutoff]).fetchone()
    official = get(db, row[0]) if row else None
    if not official or official["disabled"] or official["phone"] != phone:
        return None
    return official


def locked(db, official_id: int, now: str | None = None) -> bool:
    official = get(db, official_id)
    return bool(official and official["locked_until"] and official["locked_until"] > (now or utc_now()))

