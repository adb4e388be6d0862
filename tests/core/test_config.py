import os

from hotline.app import create_app
from hotline.core.config import SETTINGS, Config


def test_it_reads_every_setting_with_its_default():
    config = Config.from_env({})
    assert {s.env for s in SETTINGS} <= set(config)
    assert config["HOTLINE_DB"] == os.path.join(os.getcwd(), "var", "hotline.db")
    assert config.public_url == "http://127.0.0.1:5000"


def test_relative_folders_are_taken_from_where_the_command_started(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = Config.from_env({"HOTLINE_AUDIO_CACHE": "clips", "HOTLINE_VOSK_MODEL": "~/models/vn"})
    assert config["HOTLINE_INSTANCE"] == str(tmp_path / "var")
    assert config["HOTLINE_DB"] == str(tmp_path / "var" / "hotline.db")
    assert config["HOTLINE_AUDIO_CACHE"] == str(tmp_path / "clips")
    assert config["HOTLINE_VOSK_MODEL"] == os.path.expanduser("~/models/vn")
    monkeypatch.chdir("/")          # a later change of folder (a library, a thread) moves nothing
    assert config.path("HOTLINE_INSTANCE") == tmp_path / "var"


def test_a_relative_test_config_is_resolved_too(settings, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app({**settings, "HOTLINE_INSTANCE": "state", "HOTLINE_AUDIO_CACHE": ""})
    assert app.config["HOTLINE_INSTANCE"] == str(tmp_path / "state")
    assert app.config["HOTLINE_AUDIO_CACHE"] == ""      # empty still means <instance>/audio-cache


def test_it_lets_the_environment_override_defaults():
    config = Config.from_env({"HOTLINE_PUBLIC_URL": "https://loa.example.vn/", "HOTLINE_DB": "/srv/h.db"})
    assert config.public_url == "https://loa.example.vn"
    assert config.absolute("/voice/incoming") == "https://loa.example.vn/voice/incoming"
    assert config["HOTLINE_DB"] == "/srv/h.db"


def test_it_uses_the_outbox_without_twilio_credentials():
    assert Config.from_env({}).sms_transport == "outbox"
    with_twilio = Config.from_env({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t" * 32})
    assert with_twilio.sms_transport == "twilio"
    chosen = Config.from_env({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t" * 32,
                              "HOTLINE_SMS_TRANSPORT": "android-gateway"})
    assert chosen.sms_transport == "android-gateway"


def test_it_generates_a_local_webhook_token_once(tmp_path):
    config = Config.from_env({"HOTLINE_INSTANCE": str(tmp_path / "var")})
    token = config.auth_token()
    assert len(token) == 32
    assert Config.from_env({"HOTLINE_INSTANCE": str(tmp_path / "var")}).auth_token() == token
    assert (tmp_path / "var" / "local_auth_token").stat().st_mode & 0o077 == 0


def test_it_prefers_the_twilio_token_when_configured(tmp_path):
    config = Config.from_env({"HOTLINE_INSTANCE": str(tmp_path), "TWILIO_AUTH_TOKEN": "real-token-123"})
    assert config.auth_token() == "real-token-123"
    assert not (tmp_path / "local_auth_token").exists()


def test_the_app_factory_takes_a_test_config(settings):
    app = create_app(settings)
    assert app.config["HOTLINE_DB"] == settings["HOTLINE_DB"]
    assert app.config.public_url == "https://hotline.example.vn"
    assert app.testing
