"""Alerts (warnings): what is active for a village now."""
from __future__ import annotations

from .db import now as utc_now


def active_for_village(db, village_id: int | None, now: str | None = None) -> list[dict]:
    """Published, started, unexpired alerts that reach this village (commune-wide ones included), newest first."""
    now = now or utc_now()
    return list(db.query(
        "SELECT a.* FROM alerts a WHERE a.status = 'published' AND a.starts_at <= :now AND a.expires_at > :now"
        " AND (a.scope = 'commune' OR EXISTS (SELECT 1 FROM alert_villages av"
        "      WHERE av.alert_id = a.id AND av.village_id = :village))"
        " ORDER BY a.level DESC, a.published_at DESC", {"now": now, "village": village_id}))
