"""What the caller hears: pre-rendered audio (<Play>) when the cache has it, else <Say language="vi-VN">.

Nothing here renders: `hotline prompts render` fills the cache ahead of time (voice/render.py), and
the call path only looks files up, so a caller never waits on gTTS or espeak-ng.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import time
from functools import lru_cache
from pathlib import Path

from flask import current_app

from hotline.core.text import nfc

LANGUAGE = "vi-VN"
# Engines by preference, with the voice each renders and the file it makes.
ENGINES = {"gtts": ("vi", "mp3"), "espeak": ("vi", "wav")}
# Syllables per second of Vietnamese text-to-speech (measured on espeak-ng -v vi and gTTS; slow side).
SYLLABLES_PER_SECOND = 3.0


def cache_dir(config) -> Path:
    return _cache_dir(config["HOTLINE_AUDIO_CACHE"], config["HOTLINE_INSTANCE"])


@lru_cache(maxsize=16)
def _cache_dir(setting: str, instance: str) -> Path:
    return Path(setting or Path(instance) / "audio-cache").expanduser()


def digest(text: str, engine: str, voice: str) -> str:
    """The cache key: a hash of exactly what is said and by which engine and voice."""
    return hashlib.sha256(f"{engine}\0{voice}\0{nfc(text).strip()}".encode("utf-8")).hexdigest()[:32]


def cached(config, text: str) -> str | None:
    """The cached file name ("<hash>.<ext>") for this text from the best engine that has it."""
    return _pick(listing(config), config["HOTLINE_TTS_ENGINES"], text)


def listing(config) -> frozenset:
    """The audio cache's file names now: a new set whenever a clip is added or removed."""
    return _names(str(cache_dir(config)))


@lru_cache(maxsize=4096)
def _pick(names: frozenset, engines: str, text: str) -> str | None:
    """Remembered per folder listing: a new listing is a new key, so a rendered clip is found at once."""
    for engine in _engines(engines):
        voice, ext = ENGINES[engine]
        name = f"{digest(text, engine, voice)}.{ext}"
        if name in names:
            return name
    return None


_listings: dict[str, tuple[int, frozenset]] = {}


def _names(folder: str) -> frozenset:
    """The cache folder's file names, listed again only when the folder changes (one stat per lookup)."""
    try:
        stamp = os.stat(folder).st_mtime_ns
    except FileNotFoundError:
        return frozenset()
    known = _listings.get(folder)
    if known is not None and known[0] == stamp:
        return known[1]
    names = frozenset(os.listdir(folder))
    # Timestamps are coarse: a file added in the same tick would not change the stamp, so a listing
    # is kept only once the folder has been quiet for a second (`hotline prompts render` may be running).
    if time.time() - stamp / 1e9 > 1.0:
        _listings[folder] = (stamp, names)
    return names


def _engines(setting: str) -> list[str]:
    return [e.strip() for e in setting.split(",") if e.strip() in ENGINES]


def speak(parent, text: str):
    """Append <Play> of the pre-rendered text (absolute URL) or <Say language="vi-VN"> to a response or Gather."""
    config = current_app.config
    name = cached(config, text)
    if name:
        parent.play(config.absolute(f"/audio/{name}"))
    else:
        parent.say(nfc(text), language=LANGUAGE)
    return parent


def play_file(parent, path: str | Path) -> bool:
    """Append <Play> of a recording kept under the instance folder (announcements, alerts); False if missing."""
    config = current_app.config
    relative = local_name(config, path)
    if relative is None:
        return False
    parent.play(config.absolute(f"/audio/file/{file_token(config, relative)}/{relative}"))
    return True


def local_name(config, path: str | Path) -> str | None:
    """The path relative to the instance folder, or None when it is outside it or missing."""
    instance = Path(config["HOTLINE_INSTANCE"]).expanduser().resolve()
    full = Path(path).expanduser()
    full = (full if full.is_absolute() else instance / full).resolve()
    if not full.is_file() or instance not in full.parents:
        return None
    return full.relative_to(instance).as_posix()


def file_token(config, relative: str) -> str:
    """Recordings are residents' and officials' voices: their URLs are unguessable, not listed."""
    return hmac.new(config.secret_key().encode(), relative.encode(), hashlib.sha256).hexdigest()[:24]


def estimate_seconds(text: str) -> float:
    """How long a text takes to say, for pacing checks (the warning must start within 8 s)."""
    return len(nfc(text).split()) / SYLLABLES_PER_SECOND


def status(config) -> dict:
    """For /health: how many prompts are pre-rendered (the rest are read by Twilio's <Say>)."""
    folder = cache_dir(config)
    files = [p for p in folder.glob("*.*") if p.suffix[1:] in {x for _, x in ENGINES.values()}] if folder.is_dir() else []
    return {"ok": True, "cached_clips": len(files), "engines": _engines(config["HOTLINE_TTS_ENGINES"])}
