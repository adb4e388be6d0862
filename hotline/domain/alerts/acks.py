"""A resident's acknowledgement of a warning: "1, heard clearly" on its call-out (reporting.py counts them)."""
from __future__ import annotations

from hotline.core.db import now


def acknowledge(db, alert_id: int, resident_id: int, channel: str = "call") -> bool:
    """Once per resident and warning, the first answer kept: pressing 1 again changes nothing. True the first time."""
    return db.execute("INSERT OR IGNORE INTO alert_acks (alert_id, resident_id, channel, acked_at) VALUES (?, ?, ?, ?)",
                      [alert_id, resident_id, channel, now()]).rowcount == 1
