"""Fixtures for the alerts tests: a config and village ids over the demo commune."""
from __future__ import annotations

import pytest

from hotline import places
from hotline.config import Config
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
    from hotline import create_app, db as storage, demo

    app = create_app({**twilio_settings, "HOTLINE_SMS_RATE": "50", "HOTLINE_CALL_RATE": "50"})
    with app.app_context():
        demo.load(storage.get_db())
    return app


@pytest.fixture
def file_db(twilio_app):
    from hotline import db as storage

    database = storage.connect(twilio_app.config["HOTLINE_DB"])
    yield database
    database.conn.close()


class RunningWorker:
    """hotline.worker.run in a thread, stopped at the end of the test."""

    def __init__(self, config):
        import threading

        from hotline import worker

        self.stop = threading.Event()
        self.thread = threading.Thread(target=worker.run, args=(config, self.stop), daemon=True)
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
