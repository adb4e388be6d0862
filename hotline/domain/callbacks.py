"""The missed-call call-back: a registered resident's call is rejected (free for them) and we ring them back."""
from __future__ import annotations

from hotline.domain import outbox

PURPOSE = "callback"


def offered(config, resident: dict | None) -> bool:
    """HOTLINE_CALLBACK is on, the number is a registered resident's, and they have not opted out."""
    return bool(config.flag("HOTLINE_CALLBACK") and resident and not resident["opted_out_at"])


def queue(db, resident: dict, call_sid: str) -> int | None:
    """One call back to the resident for this missed call; None when one is already waiting (calling again while
    it is pending queues no second one) or this call was already handled (a provider's retry)."""
    pending = db.execute("SELECT 1 FROM outbox WHERE to_phone = ? AND purpose = ? AND state IN ('queued', 'claimed')"
                         " LIMIT 1", [resident["phone"], PURPOSE]).fetchone()
    if pending:
        return None
    return outbox.enqueue(db, "call", resident["phone"], PURPOSE, resident_id=resident["id"], ref=f"call:{call_sid}",
                          dedupe_key=f"{PURPOSE}:{call_sid}")
