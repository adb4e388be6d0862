"""Digital-skills lessons: what is coming up."""
from __future__ import annotations

from .db import now as utc_now


def upcoming(db, village_id: int | None = None, now: str | None = None, limit: int = 10) -> list[dict]:
    """Scheduled lessons that have not started, the caller's village first, then by start."""
    return list(db.query(
        "SELECT * FROM lessons WHERE status = 'scheduled' AND starts_at > :now"
        " ORDER BY (village_id IS NOT :village), starts_at LIMIT :limit",
        {"now": now or utc_now(), "village": village_id, "limit": limit}))
