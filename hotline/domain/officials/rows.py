"""An official's row as every rule reads it: who they are, and which villages are theirs to address."""
from __future__ import annotations


def get(db, official_id: int) -> dict | None:
    row = next(db.query("SELECT * FROM officials WHERE id = ?", [official_id]), None)
    return _with_villages(db, row)


def reach(official: dict) -> tuple[bool, frozenset[int] | None]:
    """(the whole commune is theirs, the villages they may address; None = every village). A village head
    never has the whole commune, whatever an older row says: they speak for their own villages only."""
    if official["role"] == "commune_chairman" or (official["commune_wide"] and official["role"] != "village_head"):
        return True, None
    return False, frozenset(official["village_ids"])


def _with_villages(db, row: dict | None) -> dict | None:
    if row is None:
        return None
    ids = [r[0] for r in db.execute("SELECT village_id FROM official_villages WHERE official_id = ?"
                                    " ORDER BY village_id", [row["id"]])]
    return {**row, "village_ids": ids}
