"""Communes, villages, households and associations."""
from __future__ import annotations

from hotline.core.text import best_match


def villages(db) -> list[dict]:
    return list(db.query("SELECT * FROM villages ORDER BY keypad, name"))


def village(db, village_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM villages WHERE id = ?", [village_id]))
    return rows[0] if rows else None


def find_village(db, text: str) -> dict | None:
    """The village a resident meant, whatever the accents, case and spacing of its name; None if none is close."""
    candidates = {v["name"]: v for v in villages(db)}
    return best_match(text, candidates)


def village_by_keypad(db, key: int) -> dict | None:
    rows = list(db.query("SELECT * FROM villages WHERE keypad = ?", [key]))
    return rows[0] if rows else None


def ensure_commune(db, name: str) -> int:
    db["communes"].insert({"name": name}, ignore=True)
    return next(db.query("SELECT id FROM communes WHERE name = ?", [name]))["id"]


def ensure_village(db, commune_id: int, name: str, keypad: int | None = None) -> int:
    db["villages"].insert({"commune_id": commune_id, "name": name, "keypad": keypad}, ignore=True)
    row = next(db.query("SELECT id FROM villages WHERE commune_id = ? AND name = ?", [commune_id, name]))
    if keypad is not None:
        db.execute("UPDATE villages SET keypad = ? WHERE id = ?", [keypad, row["id"]])
    return row["id"]


def ensure_household(db, village_id: int, name: str, low_lying: bool = False) -> int:
    db["households"].insert({"village_id": village_id, "name": name, "low_lying": int(low_lying)}, ignore=True)
    return next(db.query("SELECT id FROM households WHERE village_id = ? AND name = ?", [village_id, name]))["id"]


def associations(db) -> list[dict]:
    return list(db.query("SELECT * FROM associations ORDER BY id"))


def ensure_association(db, code: str, name: str) -> int:
    db["associations"].insert({"code": code, "name": name}, ignore=True)
    return next(db.query("SELECT id FROM associations WHERE code = ?", [code]))["id"]
