"""Pre-render what the hotline says into the audio cache: gTTS, else espeak-ng, else leave it to <Say>.

Run by `hotline prompts render` (after editing prompts/ or publishing a warning), never while a caller
waits; until then a new text is read by <Say language="vi-VN">. Files are named
by a hash of (text, engine, voice), so only new or changed texts are rendered.
"""
from __future__ import annotations

import fcntl
import io
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from hotline.domain import alerts, places
from hotline.domain.officials import announcements
from hotline.core import prompts

from hotline.speech import audio
from voice import guides, lessons, menus, officials_spoken, tts, villages

log = logging.getLogger(__name__)
INDEX = "index.tsv"
GTTS_GIVE_UP_AFTER = 3      # consecutive failures: Google is unreachable, stop trying for this run
# What other menus say that is known ahead: fn(db, config) -> texts they say through voice.tts.speak.
SOURCES = (lessons.spoken_texts, officials_spoken.spoken_texts)


@dataclass
class Report:
    rendered: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    said: int = 0                                   # left to <Say language="vi-VN">
    errors: dict[str, str] = field(default_factory=dict)
    pruned: int = 0


def texts(db, config) -> list[str]:
    """Every text a call can say that is known ahead: prompts, menus, guides, villages, warnings, announcements."""
    from voice.lessons import list_menu
    from voice.routes import main_menu
    from voice.warnings import _village_alerts_menu, village_question

    found = [v for k, v in prompts.catalogue().items() if k.startswith("voice.") and isinstance(v, str)
             and not k.startswith(("voice.cli.", "voice.words.")) and not prompts.placeholders(v)]
    found += menus.spoken(main_menu()) + menus.spoken(guides.list_menu()) + [prompts.say("core.voice.sorry")]
    for guide in guides.GUIDES:
        for number in range(1, len(prompts.raw(f"guides.{guide}.steps")) + 1):
            found += menus.spoken(guides.step_menu(guide, number))
    found += villages.spoken(db, *village_question())
    for village in [None, *places.villages(db)]:
        if village:
            for offer in (True, False):
                found += menus.spoken(_village_alerts_menu(db, village, offer))
            found.append(prompts.say("voice.warnings.registered", village=village["name"]))
        found += _published(db, village and village["id"])
        found += menus.spoken(list_menu(db, config, village and village["id"]))
    for source in SOURCES:
        found += list(source(db, config))
    unique = dict.fromkeys(t for t in found if isinstance(t, str) and t.strip())
    return list(unique)


def _published(db, village_id: int | None, now: str | None = None) -> list[str]:
    """The warnings and announcements a caller from this village (None: the commune) may hear now."""
    return ([a["text"] for a in alerts.active_for_village(db, village_id, now)]
            + [a["text"] for a in announcements.latest(db, village_id) if a.get("text")])


def gtts_render(text: str, config) -> bytes:
    from gtts import gTTS

    buffer = io.BytesIO()
    gTTS(text, lang="vi", timeout=config.number("HOTLINE_TTS_TIMEOUT")).write_to_fp(buffer)
    data = buffer.getvalue()
    # A 200 without audio writes nothing: an empty "mp3" would play as silence on a call.
    if len(data) < 64 or not (data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0)):
        raise RuntimeError(f"gTTS returned no audio ({len(data)} bytes)")
    return data


def espeak_render(text: str, config) -> bytes:
    binary = shutil.which("espeak-ng")
    if not binary:
        raise RuntimeError("espeak-ng is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.wav"
        subprocess.run([binary, "-v", "vi", "-s", "150", "-w", str(out), text], check=True, timeout=60,
                       capture_output=True)
        data = out.read_bytes()
    if audio.duration(data) < 0.2:
        raise RuntimeError("espeak-ng produced no audio")
    return audio.to_wav_8k(data)


RENDERERS = {"gtts": gtts_render, "espeak": espeak_render}


def render(db, config, force: bool = False, prune: bool = False, progress=None) -> Report:
    wanted = texts(db, config)
    report = render_texts(config, wanted, force, progress)
    folder = tts.cache_dir(config)
    if prune:
        report.pruned = _prune(folder, wanted)
    _index(folder, {name: t for t in wanted if (name := tts.cached(config, t))})
    return report


def new_warnings_job(db, config, now: str) -> None:
    """The worker's minute job: a warning or announcement published since the last run gets its clip."""
    wanted = [t for village in [None, *places.villages(db)] for t in _published(db, village and village["id"], now)]
    missing = [t for t in dict.fromkeys(wanted) if not tts.cached(config, t)]
    global _background
    if missing and (_background is None or not _background.is_alive()):
        # gTTS may take its timeout several times over: never hold up the worker's loop for it.
        _background = threading.Thread(target=_render_quietly, args=(config, missing), daemon=True)
        _background.start()


_background: threading.Thread | None = None


def _render_quietly(config, missing: list[str]) -> None:
    try:
        report = render_texts(config, missing)
    except Exception:  # e.g. the cache folder is not writable: calls use <Say>; the log says why
        log.exception("rendering new warnings failed")
        return
    log.info("rendered %d new warning/announcement clips %s", sum(report.rendered.values()), report.rendered)


def render_texts(config, wanted: list[str], force: bool = False, progress=None) -> Report:
    folder = tts.cache_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    engines = tts._engines(config["HOTLINE_TTS_ENGINES"])
    report, gtts_failures, last_gtts = Report(), 0, 0.0
    for text in progress(wanted) if progress else wanted:
        if not force and tts.cached(config, text):
            report.skipped += 1
            continue
        for engine in engines:
            if engine == "gtts" and gtts_failures >= GTTS_GIVE_UP_AFTER:
                continue
            if engine == "gtts":
                time.sleep(max(0.0, last_gtts + config.number("HOTLINE_TTS_THROTTLE") - time.monotonic()))
                last_gtts = time.monotonic()
            try:
                data = RENDERERS[engine](text, config)
            except Exception as e:  # an engine failing is expected offline: record why, try the next one
                report.errors[engine] = f"{type(e).__name__}: {e}"[:200]
                gtts_failures += engine == "gtts"
                continue
            gtts_failures = 0 if engine == "gtts" else gtts_failures
            voice, ext = tts.ENGINES[engine]
            name = f"{tts.digest(text, engine, voice)}.{ext}"
            _index(folder, {name: text})        # words first: a clip that can be played can be captioned
            _write(folder / name, data)
            report.rendered[engine] = report.rendered.get(engine, 0) + 1
            break
        else:
            report.said += 1
    return report


def _index(folder: Path, added: dict[str, str]) -> None:
    """index.tsv: clip → text, for people (and the simulators) reading a call's <Play>s.

    Every clip written adds its line (the worker's new warnings too, not only `hotline prompts render`);
    lines of clips no longer in the folder go. The folder's lock keeps a render and the worker from
    writing over each other's lines."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        present = set(os.listdir(folder)) | set(added)
        entries = {name: text for name, text in read_index(folder).items() if name in present}
        entries.update((name, " ".join(text.split())) for name, text in added.items())
        lines = [f"{name}\t{text}" for name, text in sorted(entries.items())]
        _write(folder / INDEX, ("\n".join(lines) + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def read_index(folder: Path) -> dict[str, str]:
    """index.tsv as {clip file name: text}; empty before anything was rendered."""
    try:
        lines = (folder / INDEX).read_text("utf-8").splitlines()
    except FileNotFoundError:
        return {}
    return {clip: text for clip, _, text in (line.partition("\t") for line in lines) if text}


def _write(path: Path, data: bytes) -> None:
    """Atomic: a caller's <Play> never fetches a half-written file."""
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _prune(folder: Path, wanted: list[str]) -> int:
    keep = {f"{tts.digest(t, e, v)}.{x}" for t in wanted for e, (v, x) in tts.ENGINES.items()}
    stale = [p for p in folder.iterdir() if p.is_file() and p.name not in keep and p.name != INDEX]
    for p in stale:
        p.unlink()
    return len(stale)
