"""Shared fixtures: personas, the app on a copy of the template database, signed webhooks, the fakes, officials
logged in to the admin, and the sending worker in a thread."""
from __future__ import annotations

import logging
import os
import re
import threading
import time

import pytest

from hotline.app import create_app, run_worker
from hotline.core import db as storage, logs
from hotline import demo
from hotline.core.config import SETTINGS, Config
from hotline.domain import officials, places
from hotline.domain.officials.permissions import Actor
from hotline.sim.phone import Webhooks
from tests.fakes.sms_gateway import FakeGateway
from tests.fakes.twilio_api import FakeTwilio
from tests.template import Template

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


@pytest.fixture(scope="session")
def template():
    """The database every test starts from, built once per session (per xdist worker): tests/template.py."""
    built = Template()
    yield built
    built.close()


@pytest.fixture
def make_app(settings, template):
    """make_app(**extra): an app on the test settings plus extra ones, with the demo commune loaded (a copy of the
    template; a second app on the same database loads the demo again, as `hotline demo` would)."""
    def make(**extra):
        config = {**settings, **extra}
        copied = template.copy_to(config["HOTLINE_DB"])
        app = create_app(config)
        app.jinja_env.bytecode_cache = template.jinja_cache
        if not copied:
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
def db(template):
    """An in-memory database, migrated (a copy of the template's), for domain tests without Flask."""
    database = template.empty_in_memory()
    yield database
    database.conn.close()


@pytest.fixture
def demo_db(db, template):
    """The same database, now holding the demo commune (the template's, copied over it)."""
    template.load_demo_into(db)
    return db


@pytest.fixture(autouse=True)
def close_write_locks():
    """Each test's database leaves an open `-writer` lock file behind (one per file for the process's life, as
    the server wants): closed after the test, else a long session runs out of the descriptors select() can take."""
    yield
    Template.close_write_locks()


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_gateway():
    fake = FakeGateway().start()
    yield fake
    fake.stop()


@pytest.fixture
def gateway_settings(settings, fake_gateway):
    return {**settings, "HOTLINE_SMS_TRANSPORT": "android-gateway", "HOTLINE_GATEWAY_URL": fake_gateway.url,
            "HOTLINE_GATEWAY_LOGIN": fake_gateway.login, "HOTLINE_GATEWAY_PASSWORD": fake_gateway.password,
            "HOTLINE_GATEWAY_SIGNING_KEY": fake_gateway.signing_key}


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


# --- the domain on the demo commune, and the sending worker -------------------------------------------------------
@pytest.fixture
def config(tmp_path):
    return Config.from_env({}, HOTLINE_PUBLIC_URL=PUBLIC_URL, HOTLINE_INSTANCE=str(tmp_path / "var"))


@pytest.fixture
def village(demo_db):
    return lambda name: places.find_village(demo_db, name)["id"]


def rows(db, ref, channel=None):
    return list(db.query("SELECT o.*, r.name FROM outbox o LEFT JOIN residents r ON r.id = o.resident_id"
                         " WHERE ref = ? AND (? IS NULL OR channel = ?) ORDER BY o.id", [ref, channel, channel]))


class RunningWorker:
    """`hotline worker` (hotline.app.run_worker) in a thread, stopped at the end of the test."""

    def __init__(self, config):
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
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


# --- officials in the web admin: a client that logs in the way a browser does ---------------------------------------
PASSWORD = "mat-khau-tu-2026"
CHAIRMAN_PHONE = "+84912500001"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CONFIRM = re.compile(r'name="confirm" value="([^"]+)"')


def csrf_of(response) -> str:
    return CSRF.search(response.get_data(as_text=True)).group(1)


class Browser:
    """The test client plus the page's CSRF token, as a browser holds them."""

    def __init__(self, client):
        self.client, self.token = client, None

    def get(self, path, **kw):
        response = self.client.get(path, **kw)
        found = CSRF.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, path, data=None, **kw):
        if self.token is None:
            self.get("/admin/login")
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kw)

    def confirmed(self, path, data=None):
        """A form that sends to households asks first (publish, update, approve): post it, confirm what it shows."""
        shown = self.post(path, data)
        found = CONFIRM.search(shown.get_data(as_text=True))
        assert shown.status_code == 200 and found, shown.status_code
        return self.post(path, {**(data or {}), "confirm": found.group(1)})

    def login(self, phone=ONG_TU, password=PASSWORD):
        self.get("/admin/login")
        response = self.post("/admin/login", {"phone": phone, "password": password})
        self.get("/admin/")
        return response


def _official(app, name, role, phone, village, pin, association=None) -> int:
    """The official with a known web password (the demo commune may already hold them)."""
    with app.app_context():
        db = storage.get_db()
        existing = officials.by_phone(db, phone)
        if existing:
            officials.set_password(db, existing["id"], PASSWORD, actor=OPERATOR)
            return existing["id"]
        villages = None if village is None else [places.find_village(db, village)["id"]]
        return officials.add(db, name, role, phone, villages, pin, password=PASSWORD, association=association,
                             actor=OPERATOR)


@pytest.fixture
def ong_tu(app):
    """ông Tư, village head of Yên Nông: may address Yên Nông only."""
    return _official(app, "Nguyễn Văn Tư", "village_head", ONG_TU, "Yen Nong", "2468")


@pytest.fixture
def chairman(app):
    """The commune chairman: may address the whole commune."""
    return _official(app, "Lê Quang Thắng", "commune_chairman", CHAIRMAN_PHONE, None, "1357")


@pytest.fixture
def chi_hoa_official(app):
    """chị Hoa leads the Women's Union in Yên Nông and may approve announcements there."""
    return _official(app, "Trần Thị Hoa", "association_leader", CHI_HOA, "Yen Nong", "5678", "women")


@pytest.fixture
def web(client):
    """A logged-out browser."""
    return Browser(client)


@pytest.fixture
def tu(web, ong_tu):
    """A browser logged in as ông Tư."""
    web.login()
    return web


@pytest.fixture
def chair(web, chairman):
    web.login(CHAIRMAN_PHONE)
    return web


# --- real Vietnamese speech (issue 17) -----------------------------------------------------------------------
@pytest.fixture(scope="session")
def whisper_model():
    """The real Whisper base model, installed by `hotline models fetch whisper`'s own code from the wheels the test
    extra installs (once per venv, hash-checked each session), and loaded once per session (per xdist worker)."""
    import fcntl
    import importlib.util
    import sys
    from pathlib import Path

    from hotline.speech import install, whisper

    if importlib.util.find_spec(install.PACKAGES[0]) is None or importlib.util.find_spec(install.PACKAGES[1]) is None:
        pytest.skip("the Whisper model wheels are not installed (pip install -e '.[test]' installs them)")
    folder = Path(sys.prefix) / "share" / "models"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".fetch-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)    # each xdist worker comes here: one fetches, the others wait, then check
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
