"""What an announcement is, read from its row: the row, who may act on it, who recorded it, where it is for.

Shared by the lifecycle (announcements) and the sending side (fanout), which import it and not each other.
"""
from __future__ import annotations

from hotline.core import prompts
from hotline.domain import officials, places
from hotline.domain.officials import permissions


def get(db, announcement_id: int) -> dict | None:
    return next(db.query("SELECT * FROM announcements WHERE id = ?", [announcement_id]), None)


def target(row: dict, **changes) -> permissions.Target:
    """What acting on this announcement touches (with a draft's changes applied): audience, author, warning or not."""
    village_id, kind = changes.get("village_id", row["village_id"]), changes.get("kind", row["kind"])
    return permissions.Target(None if village_id is None else (village_id,), author_id=row["official_id"],
                              warning=kind == "warning")


def author_name(db, row: dict) -> str:
    """Who recorded it, as residents know them ("" once the official is gone from the registry)."""
    author = officials.get(db, row["official_id"]) if row["official_id"] else None
    return author["name"] if author else ""


def audience_name(db, village_id: int | None) -> str:
    village = places.village(db, village_id) if village_id else None
    return village["name"] if village else prompts.say("officials.whole_commune")
