"""Every setting, read once from the environment, documented here and in the README."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import flask


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    doc: str


# One row per environment variable. The README's configuration table must list every
# row (tests/test_docs.py checks). Keep each area's rows in its own block.
SETTINGS = [
    # --- core ---
    Setting("HOTLINE_DB", "var/hotline.db", "SQLite database file (created and migrated at start)."),
    Setting("HOTLINE_INSTANCE", "var", "Folder for local state: generated webhook token, audio cache, recordings."),
    Setting("HOTLINE_PUBLIC_URL", "http://127.0.0.1:5000",
            "Base URL Twilio and the gateway use to reach us; signatures and absolute URLs in TwiML use it."),
    Setting("HOTLINE_SECRET_KEY", "", "Flask session key for the web admin; generated into the instance folder when empty."),
    Setting("HOTLINE_LOG_LEVEL", "INFO", "Log level; phone numbers and tokens are always masked."),
    Setting("HOTLINE_DEMO", "0",
            "1 = demo mode: the demo officials' published PINs and passwords work, and the browser simulator is "
            "open without login to a browser on this machine. 0 = both refused, whatever HOTLINE_PUBLIC_URL says."),
    # --- twilio ---
    Setting("TWILIO_ACCOUNT_SID", "", "Twilio account SID; empty = run fully locally (outbox)."),
    Setting("TWILIO_AUTH_TOKEN", "",
            "Twilio auth token; signs webhooks. Empty = a local token generated once in the instance folder."),
    Setting("TWILIO_FROM", "", "Caller ID / sender number (E.164) for outbound calls and SMS through Twilio."),
    Setting("TWILIO_MESSAGING_SERVICE_SID", "", "Messaging Service SID; used instead of TWILIO_FROM for SMS when set."),
    Setting("HOTLINE_TWILIO_API_URL", "",
            "Override of the Twilio REST base (https://api.twilio.com), e.g. a local fake in tests."),
    # --- sms ---
    Setting("HOTLINE_SMS_TRANSPORT", "", "outbox | twilio | android-gateway; empty = twilio with credentials, else outbox."),
    Setting("HOTLINE_SMS_ACCENTS", "0",
            "1 = SMS replies keep their accents for everyone (UCS-2: 70 characters per SMS instead of 160)."),
    Setting("HOTLINE_SMS_REPLIES_PER_HOUR", "10",
            "Replies one number gets per hour, then one notice, then silence (auto-responder loops, SMS pumping)."),
    Setting("HOTLINE_SMS_REPLIES_PER_HOUR_TOTAL", "1000",
            "Replies the whole commune gets per hour; then texts are recorded and acted on, not answered "
            "(/health, log). Opt-out/opt-in confirmations and need-help acknowledgements still go."),
    Setting("HOTLINE_SMS_ALLOWED_COUNTRIES", "84",
            "Country calling codes SMS may be sent to, comma-separated; * = any. Replies to others are not sent."),
    Setting("HOTLINE_GATEWAY_URL", "",
            "Android SMS gateway (local-server mode) base URL, e.g. http://192.168.1.20:8080; empty = not used."),
    Setting("HOTLINE_GATEWAY_LOGIN", "sms", "Gateway API user name (shown in the app's Local Server section)."),
    Setting("HOTLINE_GATEWAY_PASSWORD", "", "Gateway API password (shown in the app's Local Server section)."),
    Setting("HOTLINE_GATEWAY_SIGNING_KEY", "",
            "The app's webhook signing key (Settings > Webhooks); empty = every /sms/gateway request is refused."),
    Setting("HOTLINE_GATEWAY_MAX_SKEW", "300", "Seconds a gateway webhook's X-Timestamp may differ from our clock."),
    Setting("HOTLINE_GATEWAY_TIMEOUT", "10", "Seconds before a request to the gateway phone gives up."),
    Setting("HOTLINE_SMS_LOG_DAYS", "90", "Days inbound SMS (number, text, reply) are kept before the worker deletes them."),
    # --- voice ---
    Setting("HOTLINE_VOSK_MODEL", "models/vosk-model-small-vn-0.4",
            "Folder of the Vosk model; missing = keypad only (and /health says so)."),
    Setting("HOTLINE_WHISPER_MODEL", "models/whisper-base",
            "Folder of the Whisper model (`hotline models fetch whisper`); missing = no Whisper."),
    Setting("HOTLINE_ASR", "auto",
            "Speech recogniser for callers' answers at menus: auto (Vosk when its model exists, else Whisper when "
            "its model exists, else keypad only) | vosk | whisper | script | off. "
            "script reads the words typed into the simulator from the recording (docs/voice.md)."),
    Setting("HOTLINE_ASR_BACKGROUND", "auto",
            "Engine the worker transcribes announcements and voicemails with: auto (Whisper when its model exists, "
            "else Vosk; script when HOTLINE_ASR=script) | whisper | vosk | script | off."),
    Setting("HOTLINE_ASR_MIN_CONFIDENCE", "0.6", "Vosk word confidence (0-1) below which speech is not trusted."),
    Setting("HOTLINE_WHISPER_MIN_CONFIDENCE", "0.5",
            "Whisper: probability (0-1) of the words naming an option below which the caller is asked again."),
    Setting("HOTLINE_WHISPER_THREADS", "2", "CPU threads of each process's Whisper model."),
    Setting("HOTLINE_GATHER_TIMEOUT", "5", "Seconds a menu waits for a key before listening for speech."),
    Setting("HOTLINE_AUDIO_CACHE", "", "Folder of pre-rendered prompts; empty = <HOTLINE_INSTANCE>/audio-cache."),
    Setting("HOTLINE_TTS_ENGINES", "gtts,espeak", "Engines `hotline prompts render` tries, in order (gtts, espeak)."),
    Setting("HOTLINE_TTS_TIMEOUT", "10", "Seconds before a gTTS request gives up."),
    Setting("HOTLINE_TTS_THROTTLE", "1.0", "Seconds between gTTS requests (Google rate-limits bursts)."),
    Setting("HOTLINE_TIMEZONE", "Asia/Ho_Chi_Minh", "Local time zone for office hours and spoken dates."),
    Setting("HOTLINE_OFFICE_HOURS", "Mon-Fri 07:30-11:30,13:30-17:00",
            "When the operator (key 0) is dialled; outside them callers leave a voicemail."),
    Setting("HOTLINE_DUTY_NUMBERS", "", "Duty officer numbers (E.164, comma-separated) rung together for key 0."),
    Setting("HOTLINE_DIAL_TIMEOUT", "20", "Seconds the duty officer's phone rings before voicemail."),
    Setting("HOTLINE_CALLBACK", "0",
            "1 = missed-call call-back: a registered resident's call is rejected as busy (free) and called back."),
    Setting("HOTLINE_AUDIO_RETENTION_DAYS", "30", "Days residents' voicemail audio is kept before it is deleted."),
    # --- alerts and broadcasts ---
    Setting("HOTLINE_SMS_RATE", "10", "SMS segments per second the worker sends (the provisioned provider rate)."),
    Setting("HOTLINE_CALL_RATE", "1", "Outbound calls per second the worker places."),
    Setting("HOTLINE_EMERGENCY_LEVEL", "4",
            "Risk level (1-5) from which alerts also reach residents who opted out (policy in docs/alerts.md)."),
    Setting("HOTLINE_ALERT_HOURS", "24", "Default alert expiry, in hours after its start, when none is given."),
    Setting("HOTLINE_CALL_RETRIES", "3", "Call-out retries after busy, no-answer or failed."),
    Setting("HOTLINE_CALL_RETRY_MINUTES", "5,15,30", "Minutes before each call-out retry (growing)."),
    Setting("HOTLINE_SEND_ATTEMPTS", "8", "Attempts on transient errors (429, 5xx, timeouts) before a row fails."),
    Setting("HOTLINE_VILLAGE_HEADS", "",
            "Village heads for check-in help lists when no officials registry exists: 'Yen Nong=+849…;Ben Do=+849…' (names accent-blind)."),
    Setting("HOTLINE_CAP_SENDER", "loalang@localhost", "CAP <sender> of exported alerts (an address of the commune)."),
    Setting("HOTLINE_CAP_GEOCODES", "",
            "The commune's codes in the national list of administrative units, 'commune=NNNNN,district=NNN,"
            "province=NN' (district optional): CAP exports carry the commune's as <geocode>, imports match "
            "all three (docs/alerts.md). Empty = areas by name only; a malformed value is shown in /health."),
    # --- lessons ---
    Setting("HOTLINE_LESSON_REMINDER_AT", "17:00",
            "Local time (Asia/Ho_Chi_Minh) of the reminder the day before a lesson; off = none."),
    Setting("HOTLINE_LESSON_REMINDER_HOURS", "0",
            "Also remind this many hours before a lesson starts (e.g. 2); 0 = no second reminder."),
    # --- officials and admin ---
    Setting("HOTLINE_PIN_ATTEMPTS", "3", "Wrong PINs in a row, by phone, before an official's PIN entry is locked."),
    Setting("HOTLINE_PIN_LOCK_MINUTES", "30", "How long PIN entry stays locked after too many wrong PINs."),
    Setting("HOTLINE_ANNOUNCEMENT_APPROVAL", "0",
            "1 = a second official must approve a recorded announcement or warning before it is sent to households."),
    Setting("HOTLINE_RECORDING_SECONDS", "180", "Longest announcement an official may record by phone, in seconds."),
    Setting("HOTLINE_LOGIN_ATTEMPTS", "5",
            "Web admin: wrong passwords for one number from one address before each further try waits "
            "(1 minute, doubling); one address gets 4 times as many across all numbers in the window."),
    Setting("HOTLINE_LOGIN_MAX_WAIT_MIN", "60", "Web admin: the longest wait between login tries, in minutes."),
    Setting("HOTLINE_LOGIN_WINDOW_MIN", "15", "Web admin: the window of the per-address login limit, in minutes."),
    Setting("HOTLINE_SESSION_HOURS", "12", "Web admin: an official stays logged in this long after the last click."),
    Setting("HOTLINE_SIMULATOR_NUMBERS", "",
            "Reserved test numbers (E.164, comma-separated) the browser simulator may call and text from outside "
            "demo mode: the commune's own test SIMs, never a resident's or an official's. Empty = none."),
]
# Settings that name a file or folder: made absolute once, from the folder the command was started in.
PATHS = ("HOTLINE_DB", "HOTLINE_INSTANCE", "HOTLINE_AUDIO_CACHE", "HOTLINE_VOSK_MODEL", "HOTLINE_WHISPER_MODEL")


class Config(flask.Config):
    """Settings as Flask's config dict (upper-case keys) plus a few derived helpers.

    The same object serves the web app (app.config), the CLI and the worker.
    """

    def __init__(self, root_path=".", defaults=None):
        super().__init__(root_path, defaults)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "Config":
        environ = os.environ if environ is None else environ
        cfg = cls()
        cfg.update({s.env: environ.get(s.env, s.default) for s in SETTINGS})
        cfg.update(overrides)
        cfg.resolve_paths()
        return cfg

    def resolve_paths(self) -> None:
        """Relative paths become absolute against the working directory, once: Flask's send_file would take
        a relative one from the package folder instead (every rendered clip answered 500 with `var`)."""
        for key in PATHS:
            value = str(self.get(key) or "")
            if value and value != ":memory:":
                self[key] = os.path.abspath(os.path.expanduser(value))

    def path(self, key: str) -> Path:
        return Path(self[key]).expanduser()

    def flag(self, key: str) -> bool:
        return str(self.get(key, "")).strip().lower() in {"1", "true", "yes", "on"}

    def number(self, key: str) -> float:
        return float(self[key])

    @property
    def public_url(self) -> str:
        return self["HOTLINE_PUBLIC_URL"].rstrip("/")

    def absolute(self, path: str) -> str:
        return self.public_url + path

    @property
    def twilio_configured(self) -> bool:
        return bool(self["TWILIO_ACCOUNT_SID"] and self["TWILIO_AUTH_TOKEN"])

    @property
    def sms_transport(self) -> str:
        chosen = self["HOTLINE_SMS_TRANSPORT"].strip()
        if chosen:
            return chosen
        return "twilio" if self.twilio_configured else "outbox"

    def auth_token(self) -> str:
        """The token that signs webhooks: Twilio's, or a local one kept in the instance folder."""
        if self["TWILIO_AUTH_TOKEN"]:
            return self["TWILIO_AUTH_TOKEN"]
        path = self.path("HOTLINE_INSTANCE") / "local_auth_token"
        # Read once per folder: every webhook needs it, and the file never changes once written.
        if path not in _TOKENS:
            _TOKENS[path] = _instance_secret(path)
        return _TOKENS[path]

    def account_sid(self) -> str:
        # A local account id keeps URLs and signatures shaped like Twilio's when running offline.
        return self["TWILIO_ACCOUNT_SID"] or "AC" + "0" * 32

    def secret_key(self) -> str:
        if self["HOTLINE_SECRET_KEY"]:
            return self["HOTLINE_SECRET_KEY"]
        return _instance_secret(self.path("HOTLINE_INSTANCE") / "secret_key")


_TOKENS: dict[Path, str] = {}


def _instance_secret(path: Path) -> str:
    """Generated once and kept, so restarts and the CLI simulators agree on it."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its token
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(token)
    return token
