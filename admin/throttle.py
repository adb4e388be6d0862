"""Login rate limit: failed attempts per account and per address, in SQLite so every process agrees."""
from __future__ import annotations

from hotline.clock import shift
from hotline.db import now as utc_now, transaction

# Several officials often share one commune-office connection, so an address gets more room
# than one account before it is refused.
PER_ADDRESS_FACTOR = 4


def blocked(db, ip: str, account: str, limit: int, window_min: float, now: str | None = None) -> bool:
    since = shift(now or utc_now(), minutes=-window_min)
    by_account = db.execute("SELECT COUNT(*) FROM login_attempts WHERE account = ? AND at > ?",
                            [account, since]).fetchone()[0]
    by_ip = db.execute("SELECT COUNT(*) FROM login_attempts WHERE ip = ? AND at > ?", [ip, since]).fetchone()[0]
    return by_account >= limit or by_ip >= limit * PER_ADDRESS_FACTOR


def failed(db, ip: str, account: str, window_min: float, now: str | None = None) -> None:
    now = now or utc_now()
    with transaction(db):
        db["login_attempts"].insert({"ip": ip, "account": account, "at": now})
        # Old rows say nothing any more: keep the table small.
        db.execute("DELETE FROM login_attempts WHERE at <= ?", [shift(now, minutes=-window_min * 2)])


def succeeded(db, account: str) -> None:
    with transaction(db):
        db.execute("DELETE FROM login_attempts WHERE account = ?", [account])
