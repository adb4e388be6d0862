"""`hotline worker`: sends every queued outbox row, paced, retried, exactly once; runs the periodic jobs.

One thread per channel (SMS paced in segments/s, calls in calls/s), each with its own connection;
the main thread expires what is past its time and runs the periodic jobs about once a minute. Which jobs,
and which transport each channel sends through, the caller says (hotline.app lists them).
Run one worker per database: a lock file in the instance folder refuses a second one.
"""
from __future__ import annotations

import fcntl
import logging
import threading
import time

from hotline.domain import inbox
from hotline.core import clock
from hotline.sending import sender
from hotline.core.db import connect, now as utc_now, transaction

log = logging.getLogger(__name__)
PERIODIC_SECONDS = 60.0
POLL_SECONDS = 0.2


def expire_due(db, now: str) -> int:
    """Queued rows past their not_after never leave: marked expired."""
    with transaction(db):
        return db.execute("UPDATE outbox SET state = 'expired', error = 'expired', updated_at = ?"
                          " WHERE state = 'queued' AND not_after <= ?", [now, now]).rowcount


class ChannelSender(threading.Thread):
    """Sends one channel's rows in priority order at the configured rate."""

    def __init__(self, config, channel: str, transport, stop: threading.Event, on_send=None, call_urls=None):
        """transport: fn(config) -> the channel's Transport, made in the thread that uses it; call_urls: see sender.send."""
        super().__init__(name=f"worker-{channel}", daemon=True)
        self.config, self.channel, self.stop, self.on_send = config, channel, stop, on_send
        self.transport, self.call_urls = transport, call_urls
        rate = config.number("HOTLINE_SMS_RATE" if channel == "sms" else "HOTLINE_CALL_RATE")
        self.pacer = sender.Pacer(rate, wait=stop.wait)
        self.sent = 0

    def run(self):
        db = connect(self.config["HOTLINE_DB"])
        transport = self.transport(self.config)
        try:
            while not self.stop.is_set():
                self.step(db, transport)
        finally:
            db.conn.close()

    def step(self, db, transport) -> str | None:
        if db.execute("SELECT 1 FROM outbox WHERE channel = ? AND state = 'claimed' LIMIT 1",
                      [self.channel]).fetchone() and sender.reconcile(db, transport, self.channel):
            self.stop.wait(5.0)   # the provider cannot confirm yet; nothing of ours is resent meanwhile
            return None
        row = sender.next_due(db, self.channel)
        if row is None:
            self.stop.wait(POLL_SECONDS)
            return None
        self.pacer.wait(row["segments"] or 1 if self.channel == "sms" else 1)
        if self.stop.is_set():
            return None
        outcome = sender.send(db, self.config, transport, row, self.call_urls)
        self.pacer.done()
        self.sent += outcome == "sent"
        if self.on_send:
            self.on_send(self.channel, outcome)
        return outcome


def hold_lock(config, patience: float = 0.0):
    """An exclusive lock on <instance>/worker.lock for this process's lifetime; None if another holds it.

    patience: keep trying that long (the /health check takes the lock for an instant to test it).
    """
    path = config.path("HOTLINE_INSTANCE") / "worker.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "w")
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                return None
            time.sleep(0.1)


def run(config, jobs, transports: dict, stop: threading.Event | None = None, on_send=None, on_tick=None,
        call_urls=None) -> None:
    """Until stop is set (or the process is signalled): two sender threads, expiry and the periodic jobs.

    jobs: fn(db, config, now), each about once a minute; transports: {"sms": fn(config), "call": fn(config)};
    call_urls(row) -> (answer, status callback) of a call (the voice channel's, see sender.send)."""
    stop = stop or threading.Event()
    threads = [ChannelSender(config, channel, transports[channel], stop, on_send, call_urls)
               for channel in ("sms", "call")]
    for thread in threads:
        thread.start()
    db = connect(config["HOTLINE_DB"])
    last_jobs = None
    try:
        while not stop.is_set():
            now = utc_now()
            expire_due(db, now)
            inbox.apply_pending(db)   # delivery reports that arrived before their row had a provider id
            if last_jobs is None or _seconds_between(last_jobs, now) >= PERIODIC_SECONDS:
                run_jobs(db, config, now, jobs)
                last_jobs = now
            if on_tick:
                on_tick(db)
            stop.wait(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        db.conn.close()


def run_jobs(db, config, now: str, jobs) -> None:
    for job in jobs:
        try:
            job(db, config, now)
        except Exception:   # one broken job must not stop the sending; it is logged and tried next minute
            log.exception("periodic job %s failed", getattr(job, "__name__", job))


def status(config, db) -> dict:
    """For /health: is a worker holding the lock, and how much waits (oldest queued row's due time)."""
    lock = hold_lock(config)
    running = lock is None
    if lock is not None:
        lock.close()
    queued, oldest = db.execute("SELECT COUNT(*), MIN(next_attempt_at) FROM outbox WHERE state = 'queued'"
                                " AND next_attempt_at <= ?", [utc_now()]).fetchone()
    return {"ok": running or queued == 0, "running": running, "queued_due": queued, "oldest_due": oldest}


def _seconds_between(earlier: str, later: str) -> float:
    return (clock.parse(later) - clock.parse(earlier)).total_seconds()
