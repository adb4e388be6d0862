"""The alert report: per alert and per village, who was reached, SMS and calls apart (JSON-able, for CLI and admin)."""
from __future__ import annotations

# Counts of outbox rows, kept apart per channel: one resident is one SMS and maybe one call, so a sum of
# the two would count people twice and hide that the calls failed while the texts went through.
STATES = ("sent", "delivered", "failed", "skipped_opted_out", "expired", "cancelled", "queued")
CHANNELS = ("sms", "call")


def _blank() -> dict:
    """recipients (people); per channel the rows by state; calls also acknowledged (pressed 1) and machine."""
    return {"recipients": 0, "sms": dict.fromkeys(STATES, 0),
            "call": {**dict.fromkeys(STATES, 0), "acknowledged": 0, "machine": 0}}


def _add(counts: dict, channel: str, state: str, error: str | None, n: int) -> None:
    """Delivered rows count as sent too; a skip is opted_out (or another reason, counted as cancelled)."""
    key = {"claimed": "queued", "skipped": "skipped_opted_out" if error == "opted_out" else "cancelled"}.get(state, state)
    bucket = counts[channel]
    if key in bucket:
        bucket[key] += n
    if state == "delivered":
        bucket["sent"] += n
        if channel == "call" and error == "machine":
            bucket["machine"] += n


def report(db, alert: dict) -> dict:
    ref = f"alert:{alert['id']}"
    totals, villages = _blank(), {}
    for row in db.query(
            "SELECT COALESCE(v.name, '') AS village, o.channel, o.state, o.error, COUNT(*) AS n"
            " FROM outbox o LEFT JOIN residents r ON r.id = o.resident_id LEFT JOIN villages v ON v.id = r.village_id"
            " WHERE o.ref = ? GROUP BY 1, 2, 3, 4", [ref]):
        for counts in (totals, villages.setdefault(row["village"], _blank())):
            _add(counts, row["channel"], row["state"], row["error"], row["n"])
    for row in db.query(
            "SELECT COALESCE(v.name, '') AS village, COUNT(DISTINCT o.resident_id) AS people,"
            " COUNT(DISTINCT k.resident_id) AS acked"
            " FROM outbox o LEFT JOIN residents r ON r.id = o.resident_id LEFT JOIN villages v ON v.id = r.village_id"
            " LEFT JOIN alert_acks k ON k.alert_id = :id AND k.resident_id = o.resident_id AND k.channel = 'call'"
            " WHERE o.ref = :ref GROUP BY 1", {"id": alert["id"], "ref": ref}):
        for counts in (totals, villages[row["village"]]):
            counts["recipients"] += row["people"]
            counts["call"]["acknowledged"] += row["acked"]
    keep = ("id", "kind", "level", "text", "status", "msg_type", "scope", "flags", "supersedes_id",
            "superseded_by", "source", "starts_at", "expires_at", "published_at", "ended_at")
    return {"alert": {k: alert[k] for k in keep}, "totals": totals,
            "villages": [{"village": name, **counts} for name, counts in sorted(villages.items())]}
