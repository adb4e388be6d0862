"""Sending one outbox row exactly once: claim → provider → confirm, and reconcile after a crash.

The claim (state 'claimed', claimed_at, attempts + 1) is committed before the provider is called,
so a worker killed at any moment leaves one of three facts: still queued (never sent), claimed
(maybe sent: ask the provider before anything else), or sent (confirmed). A claimed row is looked
up by number, body and time at the provider (find_sms / find_call) and either confirmed with the
provider's id or queued again — never resent blindly.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from datetime import timedelta

from hotline.core import clock
from hotline.domain import delivery, inbox, residents
from hotline.core.db import now as utc_now, transaction
from hotline.core.phones import mask
from hotline.sending.transports import TransportError

log = logging.getLogger(__name__)
CLOCK_SKEW = timedelta(seconds=5)
# The provider may have accepted a request whose answer we never got: settle it by look-up, not by resending.
AMBIGUOUS = ("timeout", "exception")
NEXT_DUE = ("SELECT * FROM outbox INDEXED BY outbox_next WHERE channel = ? AND state = 'queued' AND next_attempt_at <= ?"
            " AND (not_after IS NULL OR not_after > ?) ORDER BY priority DESC, id LIMIT 1")


class Pacer:
    """Sends `rate` units a second: evenly spaced, and never more than `rate` in any window of a second.

    The even schedule may fall behind (a slow provider answer, the database busy for a moment); it
    then catches up at once, but only as far as the one-second window allows, which is the rule a
    provider enforces. The window is kept `guard` longer than a second so that network jitter never
    makes two of our sends look closer to the provider than they were to us. After an idle spell
    little is owed: catching up is limited to `catch_up` seconds of sending.
    """

    def __init__(self, rate: float, clock=time.monotonic, wait=None, guard: float = 0.03, catch_up: float = 0.5):
        self.catch_up = catch_up
        self.rate, self.interval, self.window, self.clock = rate, 1.0 / rate, 1.0 + guard, clock
        self.wait_fn = wait or threading.Event().wait
        self.next = None
        self.recent: deque = deque()   # (time, cost) of the sends in the last window
        self.in_window = 0.0

    def wait(self, cost: float = 1.0) -> None:
        cost = min(cost, self.rate)   # a message longer than a second's budget still goes, alone
        while True:
            now = self.clock()
            while self.recent and now - self.recent[0][0] >= self.window:
                self.in_window -= self.recent.popleft()[1]
            self.next = now if self.next is None else max(self.next, now - self.catch_up)
            earliest = max(self.next, self._window_frees(cost))
            if earliest <= now + 1e-9:
                break
            self.wait_fn(earliest - now)
        self.recent.append((now, cost))
        self.in_window += cost
        self.next += cost * self.interval

    def done(self) -> None:
        """The provider has answered: count the send from now, at or after the moment it arrived there,
        so a slow answer (a first connection, a busy moment) never squeezes the window on its side."""
        if self.recent:
            self.recent[-1] = (self.clock(), self.recent[-1][1])

    def _window_frees(self, cost: float) -> float:
        """When enough of the window's sends have aged out for `cost` more units."""
        excess, freed = self.in_window + cost - self.rate, 0.0
        if excess <= 1e-9:
            return 0.0
        for sent_at, units in self.recent:
            freed += units
            if freed >= excess - 1e-9:
                return sent_at + self.window
        return 0.0


def next_due(db, channel: str, now: str | None = None) -> dict | None:
    now = now or utc_now()
    return next(db.query(NEXT_DUE, [channel, now, now]), None)


def claim(db, row: dict, transport_name: str) -> str | None:
    """Commit the claim before the provider call; None if the row was cancelled, expired or taken."""
    stamp_ = utc_now()
    with transaction(db):
        done = db.execute(
            "UPDATE outbox SET state = 'claimed', claimed_at = ?, attempts = attempts + 1, transport = ?,"
            " updated_at = ? WHERE id = ? AND state = 'queued' AND (not_after IS NULL OR not_after > ?)",
            [stamp_, transport_name, stamp_, row["id"], stamp_]).rowcount
    return stamp_ if done else None


def send(db, config, transport, row: dict, call_urls=None) -> str:
    """Claim, hand to the provider, record the outcome: sent | retry | failed | gone.

    call_urls(row) -> (answer, status callback) or None: where a call is answered, which only the voice channel
    knows (hotline.app hands it over); a call no route answers fails at once, with the reason."""
    if claim(db, row, transport.name) is None:
        return "gone"
    try:
        if row["channel"] == "sms":
            provider_id = transport.send_sms(row["to_phone"], row["body"], config.absolute("/sms/status"))
        else:
            urls = call_urls(row) if call_urls else None
            if urls is None:
                raise TransportError(f"no call script for {row['purpose']} {row['ref']}", "no_script")
            # Paths are made absolute here, with the worker's public URL (an old row may hold an absolute URL).
            answer, status = (config.absolute(u) if u.startswith("/") else u for u in urls)
            provider_id = transport.place_call(row["to_phone"], answer, status)
    except TransportError as e:
        return failed(db, config, row, e)
    except Exception as e:   # a transport bug or a network error it did not wrap: retry, and say so
        log.exception("transport %s raised on outbox #%s", transport.name, row["id"])
        return failed(db, config, row, TransportError(f"{type(e).__name__}: {e}", "exception", transient=True))
    confirm(db, row, provider_id)
    return "sent"


def confirm(db, row: dict, provider_id: str) -> None:
    with transaction(db):
        db.execute("UPDATE outbox SET state = 'sent', provider_id = ?, sent_at = ?, error = NULL, updated_at = ?"
                   " WHERE id = ? AND state = 'claimed'", [provider_id, utc_now(), utc_now(), row["id"]])
        if row["channel"] == "call":
            delivery.record_attempt(db, row["id"], provider_id)


def failed(db, config, row: dict, error: TransportError) -> str:
    attempts = row["attempts"] + 1
    now = utc_now()
    if error.code in AMBIGUOUS:
        db.execute("UPDATE outbox SET error = ?, updated_at = ? WHERE id = ?", [str(error)[:200], now, row["id"]])
        log.warning("outbox #%s to %s: no answer from the provider (%s); will look it up", row["id"],
                    mask(row["to_phone"]), error.code)
        return "unsure"
    if error.transient and attempts < int(config.number("HOTLINE_SEND_ATTEMPTS")):
        # 0.5 s, 1 s, 2 s … capped at a minute: quick through a blip, patient through an outage.
        due = clock.shift(now, seconds=min(60.0, 0.5 * 2 ** (attempts - 1)))
        state, outcome = "queued", "retry"
    else:
        due, state, outcome = None, "failed", "failed"
    with transaction(db):
        db.execute("UPDATE outbox SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at), error_code = ?,"
                   " error = ?, updated_at = ? WHERE id = ? AND state = 'claimed'",
                   [state, due, error.code, str(error)[:200], now, row["id"]])
        if error.code == inbox.UNSUBSCRIBED and row["channel"] == "sms":     # the recipient unsubscribed at the carrier: stop for good
            residents.opt_out(db, row["to_phone"], "carrier")
    log.info("outbox #%s to %s: %s (%s)", row["id"], mask(row["to_phone"]), outcome, error.code)
    return outcome


def reconcile(db, transport, channel: str) -> int:
    """Settle every claimed row of this channel with the provider; returns how many are still unsettled."""
    unsettled = 0
    for row in list(db.query("SELECT * FROM outbox WHERE channel = ? AND state = 'claimed'", [channel])):
        since = (clock.parse(row["claimed_at"]) - CLOCK_SKEW).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            if channel == "sms":
                found = transport.find_sms(row["to_phone"], row["body"], since)
            else:
                found = transport.find_call(row["to_phone"], since)
        except TransportError as e:   # the provider cannot answer now: leave it claimed, never resend blindly
            log.warning("cannot reconcile outbox #%s yet: %s", row["id"], e)
            unsettled += 1
            continue
        if found and not _known(db, row, found):
            confirm(db, row, found)
            log.info("outbox #%s was sent before a restart: confirmed", row["id"])
        else:
            with transaction(db):
                db.execute("UPDATE outbox SET state = 'queued', updated_at = ? WHERE id = ? AND state = 'claimed'",
                           [utc_now(), row["id"]])
    return unsettled


def _known(db, row: dict, provider_id: str) -> bool:
    """An id already confirmed for another row (or an earlier call attempt) is not this row's send."""
    if db.execute("SELECT 1 FROM outbox WHERE provider_id = ? AND id != ?", [provider_id, row["id"]]).fetchone():
        return True
    return bool(db.execute("SELECT 1 FROM call_attempts WHERE provider_id = ?", [provider_id]).fetchone())
