"""Exactly once across crashes: a worker process SIGKILLed at random moments, restarted, never sends twice.

Short form in CI (20 kills, 800 residents); HOTLINE_FULL=1 runs 60 kills over 2,000. `make crash` runs
the full form of issue 8 through the environment: HOTLINE_CRASH_KILLS=50, HOTLINE_CRASH_RECIPIENTS=10000,
a fast fake (HOTLINE_CRASH_SMS_RATE), and HOTLINE_CRASH_REPORT=<file> to receive the figures as JSON
(kills, recipients, duplicates, missing, resume times, duration) for bench/run.py --crash.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from hotline.domain import alerts, places
from hotline.domain.alerts import broadcast
from hotline.core import db as storage
from tests.conftest import OPERATOR, rows

FULL = os.environ.get("HOTLINE_FULL") == "1"
KILLS = int(os.environ.get("HOTLINE_CRASH_KILLS", 60 if FULL else 20))
RESIDENTS = int(os.environ.get("HOTLINE_CRASH_RECIPIENTS", 2000 if FULL else 800))
SMS_RATE = os.environ.get("HOTLINE_CRASH_SMS_RATE", "60")
CALL_RATE = os.environ.get("HOTLINE_CRASH_CALL_RATE", "20")
LATENCY = float(os.environ.get("HOTLINE_CRASH_LATENCY", "0.01"))


def _spawn(env):
    return subprocess.Popen([sys.executable, "-c", "from hotline.cli.main import main; main()", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _first_send_after(fake, since: float) -> float | None:
    """Seconds from `since` (a restart) to the first message or call the provider received after it."""
    created = [r["created"] for r in list(fake.messages) + list(fake.calls) if r["created"] >= since]
    return min(created) - since if created else None


def _residents(db, village_id: int, count: int) -> None:
    now = storage.now()
    with storage.transaction(db):
        db["residents"].insert_all(({"phone": f"+8491{7000000 + i}", "village_id": village_id, "elderly": int(i % 9 == 0),
                                     "consent_source": "csv", "created_at": now, "updated_at": now}
                                    for i in range(count)), batch_size=1000)


@pytest.mark.slow
def test_a_worker_killed_at_random_moments_reaches_everyone_exactly_once(twilio_app, file_db, fake_twilio, tmp_path):
    ben_do = places.find_village(file_db, "Bến Đò")["id"]
    _residents(file_db, ben_do, RESIDENTS)
    alert_id = alerts.create(file_db, "flood", 4, "Nuoc len nhanh", None, actor=OPERATOR)
    alerts.publish(file_db, twilio_app.config, alert_id, actor=OPERATOR)
    ref = f"alert:{alert_id}"
    fake_twilio.latency = LATENCY   # the message exists at Twilio before the worker hears back: the crash window
    env = {**os.environ, **{k: str(v) for k, v in twilio_app.config.items()
                            if k.startswith(("HOTLINE_", "TWILIO_"))},
           "HOTLINE_SMS_RATE": SMS_RATE, "HOTLINE_CALL_RATE": CALL_RATE, "HOTLINE_LOG_LEVEL": "WARNING"}
    rng = random.Random(int(os.environ.get("HOTLINE_SEED", time.time())))
    caught_claimed = kills = 0
    resumes: list[float | None] = []
    began = time.monotonic()
    for _ in range(KILLS):
        before = broadcast.progress(file_db, ref)["done"]
        restarted, worker = time.time(), _spawn(env)
        started = time.monotonic()
        # Wait until this worker is sending (imports take a moment), then kill it at a random point.
        while broadcast.progress(file_db, ref)["done"] == before and time.monotonic() - started < 20:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.6))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
        resumes.append(_first_send_after(fake_twilio, restarted))
        caught_claimed += bool(file_db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'claimed'").fetchone()[0])
        if broadcast.progress(file_db, ref)["queued"] == 0:
            break
    left = broadcast.progress(file_db, ref)["queued"]
    restarted, worker = time.time(), _spawn(env)   # the last one runs to the end
    try:
        deadline = time.monotonic() + 600
        while broadcast.progress(file_db, ref)["queued"] and time.monotonic() < deadline:
            time.sleep(0.1)
        if left:
            resumes.append(_first_send_after(fake_twilio, restarted))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    expected = Counter((r["channel"], r["to_phone"]) for r in rows(file_db, ref))
    got = Counter([("sms", m["to"]) for m in fake_twilio.messages] + [("call", c["to"]) for c in fake_twilio.calls])
    duplicates = {k: n for k, n in got.items() if n > 1}
    missing = set(expected) - set(got)
    if os.environ.get("HOTLINE_CRASH_REPORT"):
        measured = [r for r in resumes if r is not None]
        report = {"kills": kills, "recipients": len({phone for _, phone in expected}), "messages": sum(expected.values()),
                  "sms": sum(n for (c, _), n in expected.items() if c == "sms"), "duplicates": len(duplicates),
                  "missing": len(missing), "caught_claimed": caught_claimed, "restarts": len(resumes),
                  "resumed": len(measured), "resume_max_s": max(measured, default=None),
                  "resume_median_s": sorted(measured)[len(measured) // 2] if measured else None,
                  "duration_s": time.monotonic() - began, "sms_rate": SMS_RATE, "call_rate": CALL_RATE}
        with open(os.environ["HOTLINE_CRASH_REPORT"], "w") as f:
            json.dump(report, f)
    assert duplicates == {} and missing == set()
    assert {r["state"] for r in rows(file_db, ref)} == {"sent"}
    assert {r["provider_id"] for r in rows(file_db, ref, "sms")} == {m["sid"] for m in fake_twilio.messages}
    assert kills == KILLS
    assert None not in resumes, "a restarted worker sent nothing"
    assert caught_claimed >= 1, "no kill landed between claim and confirm: the test did not exercise reconciling"
