"""Login throttle: growing waits per account and address, a looser limit per address; in SQLite, so every
server process agrees (login_attempts, migration 0010).

Failures are never counted per account alone: that would let anyone lock the commune chairman out by typing
wrong passwords for his number. Only the address that guessed waits; from anywhere else he logs in as usual.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from hotline.core.clock import parse, shift
from hotline.core.db import now as utc_now, transaction

REMEMBER_HOURS = 24     # failures of one account from one address count this long (unless it logs in)
# Several officials often share one commune-office connection, so an address gets more room across all
# the numbers typed there than one number gets from it.
PER_ADDRESS_FACTOR = 4


@dataclass(frozen=True)
class Limits:
    free: int                # failures per account and address before each further try waits
    max_wait_min: float      # the waits double from 1 minute up to this
    window_min: float        # per address: free * PER_ADDRESS_FACTOR failures in this window, then wait

    @classmethod
    def of(cls, config) -> "Limits":
        return cls(int(config.number("HOTLINE_LOGIN_ATTEMPTS")), config.number("HOTLINE_LOGIN_MAX_WAIT_MIN"),
                   config.number("HOTLINE_LOGIN_WINDOW_MIN"))


def wait_seconds(db, ip: str, account: str, limits: Limits, now: str | None = None) -> int:
    """0 = this try may be checked; otherwise how long until it may (a try in between is not even checked)."""
    now = now or utc_now()
    untils = []
    count, last = db.execute("SELECT COUNT(*), MAX(at) FROM login_attempts WHERE account = ? AND ip = ? AND at > ?",
                             [account, ip, shift(now, hours=-REMEMBER_HOURS)]).fetchone()
    if count >= limits.free:
        untils.append(shift(last, minutes=min(limits.max_wait_min, 2.0 ** (count - limits.free))))
    # The oldest failure that keeps the address at its limit: when it leaves the window, one more try is free.
    oldest = db.execute("SELECT at FROM login_attempts WHERE ip = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                        [ip, shift(now, minutes=-limits.window_min),
                         limits.free * PER_ADDRESS_FACTOR - 1]).fetchone()
    if oldest:
        untils.append(shift(oldest[0], minutes=limits.window_min))
    waits = [(parse(until) - parse(now)).total_seconds() for until in untils]
    return max([0, *(math.ceil(w) for w in waits)])


def failed(db, ip: str, account: str, limits: Limits, now: str | None = None) -> None:
    now = now or utc_now()
    with transaction(db):
        db["login_attempts"].insert({"ip": ip, "account": account, "at": now})
        # Old rows say nothing any more: keep the table small.
        keep = max(REMEMBER_HOURS * 60, limits.window_min)
        db.execute("DELETE FROM login_attempts WHERE at <= ?", [shift(now, minutes=-keep)])


def succeeded(db, ip: str, account: str) -> None:
    """The right password from this address: its past typos for this number are forgiven. Only here: the
    chairman logging in at the office must not wipe a guesser's waits elsewhere."""
    with transaction(db):
        db.execute("DELETE FROM login_attempts WHERE account = ? AND ip = ?", [account, ip])
