"""Announcements: the latest for a village (its own and the commune's)."""
from __future__ import annotations


def latest(db, village_id: int | None, limit: int = 3) -> list[dict]:
    return list(db.query(
        "SELECT * FROM announcements WHERE status = 'published' AND (village_id IS NULL OR village_id = :village)"
        " ORDER BY published_at DESC LIMIT :limit", {"village": village_id, "limit": limit}))
