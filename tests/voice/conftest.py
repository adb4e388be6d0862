"""Voice fixtures: apps with and without speech, a Twilio-walking caller, recordings in the fake Twilio."""
from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest

from hotline.core import db as storage
from hotline.sim.phone import Call, Webhooks, scripted  # noqa: F401  (tests import scripted from here)
from hotline.speech import audio
from hotline.sim.speech import speech_wav  # noqa: F401  (tests import it from here)
from tests.conftest import OPERATOR

PUBLIC = "https://hotline.example.vn"


def parse(response) -> ET.Element:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.get_data(as_text=True))


def spoken(events) -> list[str]:
    return [e.text for e in events if e.kind in ("say", "play")]


@pytest.fixture
def make_app(make_app):
    """The root factory, keypad only unless a test asks for speech."""
    return lambda **extra: make_app(**{"HOTLINE_ASR": "off", **extra})


@pytest.fixture
def keypad_app(make_app):
    return make_app()


@pytest.fixture
def speech_app(make_app, twilio_settings):
    """Speech through the real download path: recordings live in the fake Twilio, words in their INFO chunk."""
    return make_app(**{k: v for k, v in twilio_settings.items() if k.startswith(("TWILIO_", "HOTLINE_TWILIO"))},
                    HOTLINE_ASR="script")


@pytest.fixture
def recorder(fake_twilio):
    """recorder(words) -> RecordingUrl of a recording stored in the fake Twilio, as Twilio would post it."""
    def record(words: str) -> str:
        return fake_twilio.add_recording("RE" + uuid.uuid4().hex, speech_wav(words))
    return record


class Caller:
    """Walks the hotline the way Twilio runs TwiML, as one phone number."""

    def __init__(self, app, phone, recorder=None):
        self.app, self.phone, self.recorder = app, phone, recorder
        self.hooks = Webhooks(app.config, client=app.test_client())

    def call(self, *answers, url="/voice/incoming", **params):
        c = Call(self.hooks, self.phone, scripted(*answers), recorder=self.recorder)
        c.params.update(params)
        self.sid = c.params["CallSid"]
        return c.run(url)

    def db(self):
        return storage.connect(self.app.config["HOTLINE_DB"])


def add_alert(app, text, villages=None, level=3, audio_path=None):
    """A published warning through the alerts domain; villages by name (None = the whole commune)."""
    from hotline.domain import alerts, places

    with app.app_context():
        db = storage.get_db()
        ids = [places.find_village(db, v)["id"] for v in villages] if villages else None
        alert_id = alerts.create(db, "flood", level, text, ids, audio_path=audio_path, actor=OPERATOR)
        alerts.publish(db, app.config, alert_id, actor=OPERATOR)
        return alert_id


def seconds_before(root: ET.Element, is_target) -> float:
    """How long the caller listens before the first element for which is_target(el) is true.

    <Say> is timed by its syllables; a cached <Play> by its real length in the audio cache.
    """
    from voice import tts

    total = 0.0
    for el in root.iter():
        if el.tag not in ("Say", "Play"):
            continue
        if is_target(el):
            return total
        if el.tag == "Say":
            total += tts.estimate_seconds(el.text or "")
        else:
            total += _clip_seconds(el.text)
    raise AssertionError("the target is never played")


def _clip_seconds(url: str) -> float:
    from flask import current_app

    from voice import tts

    path = tts.cache_dir(current_app.config) / url.rsplit("/", 1)[-1]
    return audio.duration(path.read_bytes()) if path.suffix == ".wav" else path.stat().st_size / 4000


@pytest.fixture(scope="session")
def _shared_fake_twilio():
    from tests.fakes.twilio_api import FakeTwilio

    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_twilio(_shared_fake_twilio):
    """One fake Twilio for the voice tests (stopping one takes half a second), emptied for each test."""
    fake = _shared_fake_twilio
    for store in (fake.messages, fake.calls, fake.recordings, fake.drip, fake.requests, fake.failures):
        store.clear()
    return fake
