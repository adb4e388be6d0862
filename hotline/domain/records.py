"""Residents as officials edit them (the admin): every field set or cleared in one transaction, checked and audited.

Residents registering themselves (SMS, a call) go through hotline.domain.residents.register: they act for themselves.
"""
from __future__ import annotations

from hotline.domain import audit, residents
from hotline.domain.officials import permissions
from hotline.core.db import now, transaction

FIELDS = ("name", "village_id", "gender", "birth_year") + residents.FLAGS


def target(village_id: int | None) -> permissions.Target:
    """A resident is their village's; one with no village yet is the commune's (the chairman's)."""
    return permissions.Target(None if village_id is None else (village_id,))


def update(db, resident_id: int, values: dict, associations: list[str], *, actor) -> None:
    """Both the village they are in and the one they move to must be the actor's."""
    row = {k: values.get(k) for k in FIELDS}
    for flag in residents.FLAGS:
        row[flag] = int(bool(row[flag]))
    with transaction(db):
        existing = residents.get(db, resident_id)
        if existing is None:
            raise KeyError(resident_id)
        permissions.require(db, actor, "resident.edit", target(existing["village_id"]))
        permissions.require(db, actor, "resident.edit", target(row["village_id"]))
        _write(db, existing, row, associations)
        audit.record(db, actor, "resident.edit", "resident", resident_id,
                     audience=audit.audience(db, [row["village_id"]] if row["village_id"] else None))


def add(db, phone: str, values: dict, associations: list[str], *, actor) -> dict:
    """A new resident an official registers (their consent source is the admin)."""
    row = {k: values.get(k) for k in FIELDS}
    for flag in residents.FLAGS:
        row[flag] = int(bool(row[flag]))
    with transaction(db):
        permissions.require(db, actor, "resident.edit", target(row["village_id"]))
        resident, _ = residents.register(db, phone, "admin")
        _write(db, resident, row, associations)
        audit.record(db, actor, "resident.add", "resident", resident["id"],
                     audience=audit.audience(db, [row["village_id"]] if row["village_id"] else None))
    return residents.get(db, resident["id"])


def _write(db, existing: dict, row: dict, associations: list[str]) -> None:
    row = residents.accents_chosen(existing, row)
    db["residents"].update(existing["id"], {**row, "updated_at": now()})
    residents.set_associations(db, existing["id"], associations)
