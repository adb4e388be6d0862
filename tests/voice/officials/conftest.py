"""The officials' phone flow: an app talking to the fake Twilio, a recorder, and a scripted phone."""
import uuid

import numpy as np
import pytest

from hotline.sim.phone import Call, HangUp, Webhooks
from hotline.speech import audio
from tests.fakes.twilio_api import FakeTwilio


@pytest.fixture
def fake_twilio():
    """A fake Twilio of each test's own, not the voice tests' shared one: some tests here change how it answers."""
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def officials_settings(twilio_settings):
    # Keypad only: the speech <Record> after each menu would otherwise take the scripted answers.
    # HOTLINE_DEMO: the demo officials' published PINs work only on a demo or local install.
    return {**twilio_settings, "HOTLINE_ASR": "off", "HOTLINE_DEMO": "1"}


@pytest.fixture
def app(make_app, officials_settings, settings):
    return make_app(**{k: v for k, v in officials_settings.items() if k not in settings})


@pytest.fixture
def recorder(fake_twilio):
    """What the official says becomes a 16 kHz WAV kept by the fake Twilio; its RecordingUrl goes to the action."""

    def record(words: str) -> str:
        t = np.arange(16000 * 2) / 16000
        tone = 0.3 * np.sin(2 * np.pi * 440 * t)
        return fake_twilio.add_recording("RE" + uuid.uuid4().hex, audio.wav(tone, 16000, {"ICMT": words}))

    return record


class Phone:
    """A scripted caller: each answer goes to the next <Gather> or announcement <Record>; then hangs up."""

    def __init__(self, app, client, recorder, caller):
        self.hooks = Webhooks(app.config, client=client)
        self.recorder, self.caller = recorder, caller

    def call(self, *answers, url="/voice/incoming"):
        script = list(answers)

        def answer(kind, attrs):
            if kind == "record" and attrs.get("playBeep") == "false":
                return ""  # a menu's speech window: keys only here
            if not script:
                raise HangUp
            return script.pop(0)

        self.call_obj = Call(self.hooks, self.caller, answer, recorder=self.recorder)
        self.events = self.call_obj.run(url)
        self.unanswered = script
        return self

    @property
    def said(self) -> list[str]:
        return [e.text for e in self.events if e.kind == "say"]

    @property
    def played(self) -> list[str]:
        return [e.text for e in self.events if e.kind == "play"]

    @property
    def errors(self) -> list[str]:
        return [e.text for e in self.events if e.kind == "error"]

    def heard(self, text: str) -> bool:
        return text in self.said


@pytest.fixture
def phone(app, client, recorder):
    return lambda caller: Phone(app, client, recorder, caller)
