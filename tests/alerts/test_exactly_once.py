"""Exactly once across crashes: a worker process SIGKILLed at random moments, restarted, never sends twice.

Short form in CI (20 kills); HOTLINE_FULL=1 runs 60 kills over a larger broadcast.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from hotline import alerts, broadcast, places, residents
from tests.alerts.conftest import rows

FULL = os.environ.get("HOTLINE_FULL") == "1"
KILLS = 60 if FULL else 20
EXTRA_RESIDENTS = 2000 if FULL else 800


def _spawn(env):
    return subprocess.Popen([sys.executable, "-c", "from hotline.cli import main; main()", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_a_worker_killed_at_random_moments_reaches_everyone_exactly_once(twilio_app, file_db, fake_twilio, tmp_path):
    ben_do = places.find_village(file_db, "Bến Đò")["id"]
    for i in range(EXTRA_RESIDENTS):
        residents.register(file_db, f"+8491{7000000 + i}", "csv", village_id=ben_do, elderly=i % 9 == 0)
    alert_id = alerts.create(file_db, "flood", 4, "Nuoc len nhanh", None)
    alerts.publish(file_db, twilio_app.config, alert_id)
    ref = f"alert:{alert_id}"
    fake_twilio.latency = 0.01   # the message exists at Twilio before the worker hears back: the crash window
    env = {**os.environ, **{k: str(v) for k, v in twilio_app.config.items()
                            if k.startswith(("HOTLINE_", "TWILIO_"))},
           "HOTLINE_SMS_RATE": "60", "HOTLINE_CALL_RATE": "20", "HOTLINE_LOG_LEVEL": "WARNING"}
    rng = random.Random(int(os.environ.get("HOTLINE_SEED", time.time())))
    caught_claimed = kills = 0
    for _ in range(KILLS):
        before = broadcast.progress(file_db, ref)["done"]
        worker = _spawn(env)
        started = time.monotonic()
        # Wait until this worker is sending (imports take a moment), then kill it at a random point.
        while broadcast.progress(file_db, ref)["done"] == before and time.monotonic() - started < 20:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.6))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
        caught_claimed += bool(file_db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'claimed'").fetchone()[0])
        if broadcast.progress(file_db, ref)["queued"] == 0:
            break
    worker = _spawn(env)   # the last one runs to the end
    try:
        deadline = time.monotonic() + 120
        while broadcast.progress(file_db, ref)["queued"] and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    expected = Counter((r["channel"], r["to_phone"]) for r in rows(file_db, ref))
    got = Counter([("sms", m["to"]) for m in fake_twilio.messages] + [("call", c["to"]) for c in fake_twilio.calls])
    duplicates = {k: n for k, n in got.items() if n > 1}
    missing = set(expected) - set(got)
    assert duplicates == {} and missing == set()
    assert {r["state"] for r in rows(file_db, ref)} == {"sent"}
    assert {r["provider_id"] for r in rows(file_db, ref, "sms")} == {m["sid"] for m in fake_twilio.messages}
    assert kills == KILLS
    assert caught_claimed >= 1, "no kill landed between claim and confirm: the test did not exercise reconciling"
