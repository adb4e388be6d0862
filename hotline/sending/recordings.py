"""Recordings at Twilio, fetched and deleted by RecordingSid: never at an address a request names.

A <Record> action posts RecordingUrl and RecordingSid. The URL is the sender's to choose, and checking
its host is not enough: "https://evil.example\\@api.twilio.com/…" is Twilio's to urllib.parse but
evil.example's to urllib3, which sent our credentials there. So the address is built here from our own
AccountSid and a RecordingSid that matches Twilio's form, on Twilio's API (or HOTLINE_TWILIO_API_URL).
The exceptions are the call simulator's: its recordings live in a small store on this machine
(hotline.sim.speech). With HOTLINE_ASR=script its loopback origin is taken from the posted URL (the path is
still ours); and in local mode (no Twilio account) a recording the simulator kept is read from its folder by
the sid alone, so a voicemail's retries still find it after the simulator has hung up.

A download is capped in bytes (by the longest recording the menu asked for) and in time (Twilio waits
15 s for our answer), and only audio is returned.
"""
from __future__ import annotations

import ipaddress
import logging
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

from hotline.speech.audio import AudioError

log = logging.getLogger(__name__)
SID = re.compile(r"RE[0-9a-f]{32}")     # fullmatch: "$" would let a trailing newline through
TWILIO_API = "https://api.twilio.com"
ATTEMPTS = 3
BACKOFF_S = 0.3          # the recording can 404 for a moment after Twilio posts its URL
TIMEOUT_S = 3            # per connect and per read
DEADLINE_S = 10          # the whole download, tries included: Twilio waits 15 s for our answer, with room to reply
BYTES_PER_SECOND = 32_000     # 16-bit 16 kHz mono: twice what Twilio's 8 kHz recordings take
HEADER_BYTES = 64 * 1024      # WAV headers and INFO chunks
CHUNK = 64 * 1024


def url(config, sid: str, posted: str = "", suffix: str = ".wav") -> str:
    """Where recording `sid` of our account is; AudioError for a sid that is not Twilio's form."""
    if not SID.fullmatch(sid or ""):
        raise AudioError("not a recording sid")
    return f"{_base(config, posted)}/2010-04-01/Accounts/{config.account_sid()}/Recordings/{sid}{suffix}"


def max_bytes(seconds: float) -> int:
    return int(seconds * BYTES_PER_SECOND) + HEADER_BYTES


def download(config, sid: str, posted: str = "", *, seconds: float, deadline_s: float | None = None) -> bytes:
    """The audio of recording `sid` (at most `seconds` long), retried on 404/429/5xx, all within deadline_s
    (DEADLINE_S on a call's path); AudioError when it fails."""
    if (copy := _kept_by_simulator(config, sid)) is not None:
        return copy.read_bytes()
    target = url(config, sid, posted)
    deadline = time.monotonic() + (deadline_s or DEADLINE_S)
    error = "no attempt"
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(BACKOFF_S * attempt)
        if time.monotonic() >= deadline:
            error = "took too long"
            break
        try:
            status, data = _get(target, _auth(config), max_bytes(seconds), deadline)
        except requests.RequestException as e:
            error = type(e).__name__
            continue
        if status == 200 and data:
            if audio_kind(data) is None:
                error = "not audio"
                break
            return data
        error = f"HTTP {status}"
        if status not in (404, 429) and status < 500:
            break
    log.warning("recording %s could not be fetched: %s", sid, error)
    raise AudioError(error)


def _get(target: str, auth, limit: int, deadline: float) -> tuple[int, bytes]:
    """One GET, read as it arrives: over `limit` bytes or past `deadline` it is an AudioError."""
    with requests.get(target, auth=auth, timeout=TIMEOUT_S, stream=True, headers={"Accept-Encoding": "identity"}) as r:
        if r.status_code != 200:
            return r.status_code, b""
        declared = r.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise AudioError("recording too large")
        body = bytearray()
        # read1, not iter_content: it returns what has arrived, so a server sending a byte at a time cannot
        # hold the read past the deadline (iter_content waits for a whole chunk, each byte resetting the timeout).
        while chunk := r.raw.read1(CHUNK, decode_content=False):
            body += chunk
            if len(body) > limit:
                raise AudioError("recording too large")
            if time.monotonic() > deadline:
                raise AudioError("took too long")
        return 200, bytes(body)


def audio_kind(data: bytes) -> str | None:
    """"wav" or "mp3" by the first bytes (what Twilio serves), None for anything else (an error page …)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


_deleting: list[threading.Thread] = []


def delete(config, sid: str, posted: str = "") -> bool:
    """Delete Twilio's copy of a resident's recording (we keep none, or our own under retention)."""
    if (copy := _kept_by_simulator(config, sid)) is not None:
        copy.unlink(missing_ok=True)       # the simulator's copy goes the way Twilio's would
        return True
    if _simulated(config, posted):
        return False
    try:
        target = url(config, sid, posted, suffix=".json")
        r = requests.delete(target, auth=_auth(config), timeout=TIMEOUT_S)
    except AudioError:
        return False
    except requests.RequestException as e:
        log.warning("recording %s not deleted at Twilio: %s", sid, type(e).__name__)
        return False
    if r.status_code not in (204, 404):
        log.warning("recording %s not deleted at Twilio: HTTP %s", sid, r.status_code)
    return r.status_code in (204, 404)


def delete_later(config, sid: str, posted: str = "") -> None:
    """In the background: the caller is already hearing the next menu."""
    if _kept_by_simulator(config, sid) is not None:
        delete(config, sid, posted)        # a local file: no thread needed
    elif SID.fullmatch(sid or "") and not _simulated(config, posted):
        thread = threading.Thread(target=delete, args=(config, sid, posted), daemon=True)
        _deleting[:] = [t for t in _deleting if t.is_alive()] + [thread]
        thread.start()


def wait_for_deletions(timeout: float = 10) -> None:
    for thread in list(_deleting):
        thread.join(timeout)


def local_folder(config) -> Path:
    """Where the call simulator keeps the recordings it makes (hotline.sim.speech), named by RecordingSid."""
    return config.path("HOTLINE_INSTANCE") / "simulator" / "recordings"


def _kept_by_simulator(config, sid: str) -> Path | None:
    """In local mode (no Twilio account) the simulator is the only phone company there is: its file of recording
    `sid`. With a Twilio account every recording is Twilio's, and None."""
    if config.twilio_configured or not SID.fullmatch(sid or ""):
        return None
    path = local_folder(config) / f"{sid}.wav"
    return path if path.is_file() else None


def _auth(config) -> tuple[str, str]:
    return config.account_sid(), config["TWILIO_AUTH_TOKEN"] or config.auth_token()


def _base(config, posted: str) -> str:
    return _simulated(config, posted) or (config["HOTLINE_TWILIO_API_URL"] or TWILIO_API).rstrip("/")


def _simulated(config, posted: str) -> str | None:
    """With the script recogniser, the origin of a posted URL on this machine (the simulator's store), rebuilt
    from its parsed parts; None otherwise."""
    if (config.get("HOTLINE_ASR") or "").strip().lower() != "script":
        return None
    try:
        parts = urlsplit(posted or "")
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or port is None or not _loopback(host):
        return None
    return f"{parts.scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
