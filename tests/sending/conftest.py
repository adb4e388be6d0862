"""Sending fixtures: the app configured for the fake Twilio, a recording transport, the worker's sender paced."""
from __future__ import annotations

import pytest

from hotline.sending.transports import LocalTransport


@pytest.fixture
def twilio_app(make_app, twilio_settings):
    """The app configured for Twilio, its REST calls landing on the fake; demo commune loaded."""
    return make_app(**twilio_settings, HOTLINE_SMS_RATE="50", HOTLINE_CALL_RATE="50")


@pytest.fixture
def file_db(twilio_app):
    from hotline.core import db as storage

    database = storage.connect(twilio_app.config["HOTLINE_DB"])
    yield database
    database.conn.close()


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
