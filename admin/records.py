"""Residents as the admin edits them: every field may be set or cleared, in one transaction."""
from __future__ import annotations

from hotline import residents
from hotline.db import now, transaction

FIELDS = ("name", "village_id", "gender", "birth_year") + residents.FLAGS


def update(db, resident_id: int, values: dict, associations: list[str]) -> None:
    row = {k: values.get(k) for k in FIELDS}
    for flag in residents.FLAGS:
        row[flag] = int(bool(row[flag]))
    with transaction(db):
        row = residents.accents_chosen(residents.get(db, resident_id), row)
        db["residents"].update(resident_id, {**row, "updated_at": now()})
        residents.set_associations(db, resident_id, associations)
