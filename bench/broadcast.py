"""Broadcast benchmarks: queueing 10,000 recipients, pacing at 10/s, the worker's own cost per message.

    .venv/bin/python bench/broadcast.py                 # pacing over 200 messages, overhead over 20,000
    BENCH_QUICK=1 .venv/bin/python bench/broadcast.py   # pacing over 60 messages, overhead over 5,000
    .venv/bin/python bench/broadcast.py --json          # one JSON line of figures (bench/run.py)

1. publish(): one transaction, two set-based INSERT … SELECT, 10,000 residents (30% also called), file
   database in WAL mode as deployed. Target < 1 s.
2. Pacing: the real worker sends through the real twilio client to the fake Twilio API that answers
   429 above 10 messages/s; the rate is measured from the fake's own arrival times. Target ±10%.
3. Overhead: the worker's step (reconcile check, next due row, claim commit, confirm commit) with a
   transport that returns at once, so the provider call is excluded. Target < 1 ms per message.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.domain import alerts, places
from hotline.domain.alerts import broadcast
from hotline.core import db as storage
from hotline import demo
from hotline.app import run_worker  # noqa: E402
from hotline.sending import worker  # noqa: E402
from hotline.core.config import Config  # noqa: E402
from hotline.domain.officials.permissions import Actor  # noqa: E402

OPERATOR = Actor.operator("bench")


def _database(folder: str, extra: int):
    db = storage.connect(f"{folder}/bench.db")
    storage.migrate(db)
    demo.load(db)
    villages = [v["id"] for v in places.villages(db)]
    now = storage.now()
    with storage.transaction(db):
        db["residents"].insert_all(({"phone": f"+8490{1000000 + i:07d}", "village_id": villages[i % len(villages)],
                                     "elderly": int(i % 10 < 3), "low_lying": i % 2, "consent_source": "csv",
                                     "created_at": now, "updated_at": now} for i in range(extra)), batch_size=1000)
    return db


def persist(folder: str) -> dict:
    db = _database(folder, 10_000 - 41)
    config = Config.from_env({}, HOTLINE_DB=f"{folder}/bench.db", HOTLINE_INSTANCE=folder)
    timings = []
    for _ in range(5):
        alert_id = alerts.create(db, "flood", 4, "Nuoc song len nhanh, di den nha van hoa.", None, actor=OPERATOR)
        started = time.perf_counter()
        result = alerts.publish(db, config, alert_id, actor=OPERATOR)
        timings.append(time.perf_counter() - started)
    return {"recipients": result["total"], "median_s": statistics.median(timings), "max_s": max(timings)}


def pacing(folder: str, count: int) -> dict:
    from tests.fakes.twilio_api import FakeTwilio
    from hotline.app import create_app

    fake = FakeTwilio(rate=10).start()
    settings = {"HOTLINE_DB": f"{folder}/pacing.db", "HOTLINE_INSTANCE": f"{folder}/var",
                "HOTLINE_PUBLIC_URL": "https://hotline.example.vn", "TWILIO_ACCOUNT_SID": fake.account_sid,
                "TWILIO_AUTH_TOKEN": fake.auth_token, "TWILIO_FROM": "+84240000000",
                "HOTLINE_TWILIO_API_URL": fake.url, "HOTLINE_SMS_RATE": "10"}
    app = create_app(settings)
    db = storage.connect(settings["HOTLINE_DB"])
    demo.load(db)
    now = storage.now()
    with storage.transaction(db):
        db["residents"].insert_all({"phone": f"+8491{2000000 + i:07d}", "consent_source": "csv",
                                    "created_at": now, "updated_at": now} for i in range(count - 41))
    alert_id = alerts.create(db, "general", 2, "Thu nghiem toc do gui", None, actor=OPERATOR)
    alerts.publish(db, app.config, alert_id, actor=OPERATOR)
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(app.config, stop), daemon=True)
    thread.start()
    while broadcast.progress(db, f"alert:{alert_id}")["queued"]:
        time.sleep(0.2)
    stop.set()
    thread.join()
    fake.stop()
    times = sorted(m["created"] for m in fake.messages)
    rate = (len(times) - 1) / (times[-1] - times[0])
    retried = db.execute("SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND attempts > 1").fetchone()[0]
    return {"messages": len(times), "rate": rate, "error_pct": (rate - 10) / 10 * 100, "retried_429": retried}


class Instant:
    name = "instant"

    def send_sms(self, to, body, status_callback=None):
        return "SM" + to

    def place_call(self, to, url, status_callback=None):
        return "CA" + to


def overhead(folder: str, count: int) -> dict:
    db = storage.connect(f"{folder}/overhead.db")
    storage.migrate(db)
    now = storage.now()
    with storage.transaction(db):
        db["outbox"].insert_all(({"channel": "sms", "to_phone": f"+8493{i:07d}", "body": "Thu nghiem", "purpose": "test",
                                  "segments": 1, "state": "queued", "next_attempt_at": now, "created_at": now,
                                  "updated_at": now} for i in range(count)), batch_size=1000)
    config = Config.from_env({}, HOTLINE_DB=f"{folder}/overhead.db", HOTLINE_INSTANCE=folder, HOTLINE_SMS_RATE="1e9")
    transport = Instant()
    sender_thread = worker.ChannelSender(config, "sms", lambda config: transport, threading.Event())
    started = time.perf_counter()
    for _ in range(count):
        sender_thread.step(db, transport)
    elapsed = time.perf_counter() - started
    sent = db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'sent'").fetchone()[0]
    return {"messages": sent, "per_message_ms": elapsed / count * 1000}


def main() -> None:
    import json

    quick = os.environ.get("BENCH_QUICK") == "1"
    with tempfile.TemporaryDirectory() as folder:
        p = persist(folder)
        pace = pacing(folder, 60 if quick else 200)
        o = overhead(folder, 5_000 if quick else 20_000)
    figures = {"recipients": p["recipients"], "persist_median_ms": p["median_s"] * 1000, "persist_max_ms": p["max_s"] * 1000,
               "pacing_messages": pace["messages"], "pacing_rate": pace["rate"], "pacing_error_pct": pace["error_pct"],
               "pacing_retried_429": pace["retried_429"], "overhead_messages": o["messages"],
               "overhead_ms": o["per_message_ms"]}
    if "--json" in sys.argv:
        print(json.dumps(figures))
        return
    for k, v in figures.items():
        print(f"{k}: {v:.3f}")


if __name__ == "__main__":
    main()
