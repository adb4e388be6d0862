"""The alert report: per alert and per village, who was reached and how (JSON-able, for CLI and admin)."""
from __future__ import annotations

COLUMNS = ("recipients", "queued", "sent", "delivered", "failed", "acknowledged",
           "skipped_opted_out", "expired", "cancelled")


def _blank() -> dict:
    return {**dict.fromkeys(COLUMNS, 0), "sms": dict.fromkeys(COLUMNS[1:5], 0),
            "call": dict.fromkeys(COLUMNS[1:5] + ("machine",), 0)}


def _add(counts: dict, channel: str, state: str, error: str | None, n: int) -> None:
    """Delivered rows count as sent too; a skip is opted_out (or another reason, counted as cancelled)."""
    key = {"claimed": "queued", "skipped": "skipped_opted_out" if error == "opted_out" else "cancelled"}.get(state, state)
    for bucket in (counts, counts[channel]):
        if key in bucket:
            bucket[key] += n
        if state == "delivered":
            bucket["sent"] += n
    if channel == "call" and state == "delivered" and error == "machine":
        counts["call"]["machine"] += n


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
        villages[row["village"]]["recipients"] = row["people"]
        villages[row["village"]]["acknowledged"] = row["acked"]
        totals["recipients"] += row["people"]
        totals["acknowledged"] += row["acked"]
    keep = ("id", "kind", "level", "text", "status", "msg_type", "scope", "flags", "supersedes_id",
            "superseded_by", "source", "starts_at", "expires_at", "published_at", "ended_at")
    return {"alert": {k: alert[k] for k in keep}, "totals": totals,
            "villages": [{"village": name, **counts} for name, counts in sorted(villages.items())]}
