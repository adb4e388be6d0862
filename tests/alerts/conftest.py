"""Fixtures for the alerts tests: a config and village ids over the demo commune."""
from __future__ import annotations

import pytest

from hotline.domain import places
from hotline.core.config import Config
from hotline.sending.transports import LocalTransport
from tests.conftest import PUBLIC_URL


@pytest.fixture
def config(tmp_path):
    return Config.from_env({}, HOTLINE_PUBLIC_URL=PUBLIC_URL, HOTLINE_INSTANCE=str(tmp_path / "var"))


@pytest.fixture
def village(demo_db):
    return lambda name: places.find_village(demo_db, name)["id"]


def rows(db, ref, channel=None):
    return list(db.query("SELECT o.*, r.name FROM outbox o LEFT JOIN residents r ON r.id = o.resident_id"
                         " WHERE ref = ? AND (? IS NULL OR channel = ?) ORDER BY o.id", [ref, channel, channel]))


@pytest.fixture
def twilio_app(twilio_settings):
    """The app configured for Twilio, its REST calls landing on the fake; demo commune loaded."""
    from hotline.app import create_app
    from hotline.core import db as storage
    from hotline import demo

    app = create_app({**twilio_settings, "HOTLINE_SMS_RATE": "50", "HOTLINE_CALL_RATE": "50"})
    with app.app_context():
        demo.load(storage.get_db())
    return app


@pytest.fixture
def file_db(twilio_app):
    from hotline.core import db as storage

    database = storage.connect(twilio_app.config["HOTLINE_DB"])
    yield database
    database.conn.close()


class RunningWorker:
    """`hotline worker` (hotline.app.run_worker) in a thread, stopped at the end of the test."""

    def __init__(self, config):
        import threading

        from hotline.app import run_worker

        self.stop = threading.Event()
        self.thread = threading.Thread(target=run_worker, args=(config, self.stop), daemon=True)
        self.thread.start()

    def close(self):
        self.stop.set()
        self.thread.join(timeout=30)


@pytest.fixture
def start_worker():
    started = []

    def start(config):
        started.append(RunningWorker(config))
        return started[-1]

    yield start
    for w in started:
        w.close()


def wait_until(predicate, timeout=30.0, interval=0.05):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


class Recorder:
    """A transport that accepts everything and remembers what it was handed, in order."""

    name = "recorder"

    def __init__(self):
        self.sent = []

    def send_sms(self, to, body, status_callback=None):
        self.sent.append(("sms", to, body))
        return f"SM{len(self.sent):032d}"

    def place_call(self, to, url, status_callback=None):
        self.sent.append(("call", to, url))
        return f"CA{len(self.sent):032d}"


@pytest.fixture
def paced(monkeypatch):
    """paced(config, channel) -> (the worker's ChannelSender, the waits its pacer asked for): the pacer is
    the real one at the rate the sender chose, on a clock that moves only by those waits."""
    import threading

    from hotline.app import CALL_URLS
    from hotline.sending import sender, worker

    real = sender.Pacer

    def make(config, channel):
        now, waits = [0.0], []

        def wait(seconds):
            waits.append(round(seconds, 3))
            now[0] += seconds

        monkeypatch.setattr(sender, "Pacer", lambda rate, **_: real(rate, clock=lambda: now[0], wait=wait, guard=0.0))
        return worker.ChannelSender(config, channel, LocalTransport, threading.Event(), call_urls=CALL_URLS), waits

    return make


def drain(db, channel_sender, transport) -> list[dict]:
    """Step the worker's sender until nothing is due; the rows it sent, in the order it sent them."""
    while channel_sender.step(db, transport) is not None:
        pass
    return [next(db.query("SELECT * FROM outbox WHERE provider_id = ?", [f"{kind.upper()[:2]}{i:032d}"]))
            for i, (kind, _, _) in enumerate(transport.sent, 1)]
