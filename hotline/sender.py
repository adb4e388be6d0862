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
from datetime import timedelta

from . import delivery, residents
from .alerts import parse, stamp
from .db import now as utc_now, transaction
from .phones import mask
from .transports import TransportError

log = logging.getLogger(__name__)
PERMANENT_OPT_OUT = "21610"     # the recipient unsubscribed at the carrier: stop for good
CLOCK_SKEW = timedelta(seconds=5)
# The provider may have accepted a request whose answer we never got: settle it by look-up, not by resending.
AMBIGUOUS = ("timeout", "exception")
NEXT_DUE = ("SELECT * FROM outbox INDEXED BY outbox_next WHERE channel = ? AND state = 'queued' AND next_attempt_at <= ?"
            " AND (not_after IS NULL OR not_after > ?) ORDER BY priority DESC, id LIMIT 1")


class Pacer:
    """Spaces sends so `rate` units per second are met but never exceeded; an idle gap gives no burst.

    It aims `margin` under the rate: a provider counting in a strict one-second window would
    otherwise answer 429 whenever network jitter brings two sends a millisecond closer.
    """

    def __init__(self, rate: float, clock=time.monotonic, wait=None, margin: float = 0.03):
        self.interval, self.clock = 1.0 / (rate * (1 - margin)), clock
        self.wait_fn = wait or threading.Event().wait
        self.next = None

    def wait(self, cost: float = 1.0) -> None:
        now = self.clock()
        self.next = now if self.next is None else max(self.next, now)
        if self.next > now:
            self.wait_fn(self.next - now)
        self.next += cost * self.interval


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


def send(db, config, transport, row: dict) -> str:
    """Claim, hand to the provider, record the outcome: sent | retry | failed | gone."""
    if claim(db, row, transport.name) is None:
        return "gone"
    try:
        if row["channel"] == "sms":
            provider_id = transport.send_sms(row["to_phone"], row["body"], config.absolute("/sms/status"))
        else:
            provider_id = transport.place_call(row["to_phone"], row["url"], config.absolute("/voice/callout/status"))
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
        due = stamp(parse(now) + timedelta(seconds=min(60.0, 0.5 * 2 ** (attempts - 1))))
        state, outcome = "queued", "retry"
    else:
        due, state, outcome = None, "failed", "failed"
    with transaction(db):
        db.execute("UPDATE outbox SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at), error_code = ?,"
                   " error = ?, updated_at = ? WHERE id = ? AND state = 'claimed'",
                   [state, due, error.code, str(error)[:200], now, row["id"]])
        if error.code == PERMANENT_OPT_OUT:
            residents.opt_out(db, row["to_phone"], "carrier")
    log.info("outbox #%s to %s: %s (%s)", row["id"], mask(row["to_phone"]), outcome, error.code)
    return outcome


def reconcile(db, transport, channel: str) -> int:
    """Settle every claimed row of this channel with the provider; returns how many are still unsettled."""
    unsettled = 0
    for row in list(db.query("SELECT * FROM outbox WHERE channel = ? AND state = 'claimed'", [channel])):
        since = (parse(row["claimed_at"]) - CLOCK_SKEW).strftime("%Y-%m-%dT%H:%M:%SZ")
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
