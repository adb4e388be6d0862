"""Speech recognition: Vosk offline, one model per process shared by every recogniser, with a grammar per menu.

Without a model the hotline works by keypad only (`available` is False and /health says so).
The "script" recogniser reads the words typed into the simulator from the recording's RIFF INFO
chunk, so simulated calls take the same webhook and download path as real speech.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hotline.core.text import key, nfc

from hotline.speech import audio

log = logging.getLogger(__name__)
TRANSCRIPT_TAG = "ICMT"     # the INFO chunk entry the simulator writes its words into
_lock = threading.Lock()
_recognisers: dict[tuple, "Recogniser"] = {}
_models: dict[str, object] = {}
_loading: set[tuple] = set()


@dataclass(frozen=True)
class Recognition:
    text: str
    confidence: float


class Recogniser:
    """The interface: `available`, `recognise(audio, grammar)`, `transcribe(audio)`."""

    engine = "none"
    available = False
    reason = ""

    def recognise(self, audio_bytes: bytes, grammar: list[str]) -> Recognition | None:
        return None

    def transcribe(self, audio_bytes: bytes) -> str:
        return ""

    def status(self) -> dict:
        mode = "keypad+speech" if self.available else "keypad-only"
        return {"ok": True, "mode": mode, "engine": self.engine, **({"reason": self.reason} if self.reason else {})}


class NoRecogniser(Recogniser):
    def __init__(self, reason: str):
        self.reason = reason


def model_rate(model_dir: Path) -> int:
    """The sample rate the model was trained on (conf/mfcc.conf), 16 kHz when unstated."""
    conf = model_dir / "conf" / "mfcc.conf"
    match = re.search(r"--sample-frequency=(\d+)", conf.read_text()) if conf.exists() else None
    return int(match.group(1)) if match else 16000


def load_model(model_dir: str):
    """The Vosk model, loaded once per process whatever the number of callers (it is read-only and thread-safe)."""
    with _lock:
        if model_dir not in _models:
            import vosk

            vosk.SetLogLevel(-2)   # Kaldi warnings (e.g. a grammar word missing from the model) are ours to log
            _models[model_dir] = vosk.Model(model_dir)
        return _models[model_dir]


class VoskRecogniser(Recogniser):
    engine = "vosk"

    def __init__(self, model_dir: Path, min_confidence: float):
        self.model_dir, self.min_confidence = model_dir, min_confidence
        self.model = load_model(str(model_dir))
        self.rate = model_rate(model_dir)
        self.available = True

    def _pcm(self, audio_bytes: bytes) -> bytes:
        decoded = audio.decode(audio_bytes)
        return audio.pcm16(audio.resample(decoded.samples, decoded.rate, self.rate))

    def _run(self, audio_bytes: bytes, grammar: list[str] | None) -> dict:
        import vosk

        # A KaldiRecognizer is cheap and not thread-safe: one per recognition, all on the shared model.
        if grammar is None:
            rec = vosk.KaldiRecognizer(self.model, self.rate)
        else:
            rec = vosk.KaldiRecognizer(self.model, self.rate, json.dumps(grammar + ["[unk]"], ensure_ascii=False))
        rec.SetWords(True)
        pcm = self._pcm(audio_bytes)
        words = []
        for start in range(0, len(pcm), 8000):
            if rec.AcceptWaveform(pcm[start:start + 8000]):
                words += json.loads(rec.Result()).get("result", [])
        words += json.loads(rec.FinalResult()).get("result", [])
        return {"words": [w for w in words if w.get("word") != "[unk]"]}

    def recognise(self, audio_bytes: bytes, grammar: list[str]) -> Recognition | None:
        words = self._run(audio_bytes, sorted({nfc(g).lower() for g in grammar}))["words"]
        if not words:
            return None
        confidence = float(np.mean([w.get("conf", 0.0) for w in words]))
        text = " ".join(w["word"] for w in words)
        if confidence < self.min_confidence:
            log.info("speech below confidence: %.2f", confidence)
            return None
        return Recognition(text, confidence)

    def transcribe(self, audio_bytes: bytes) -> str:
        return " ".join(w["word"] for w in self._run(audio_bytes, None)["words"])


class ScriptRecogniser(Recogniser):
    """Deterministic: the transcript carried in the WAV, limited to the grammar as Vosk limits it."""

    engine = "script"
    available = True

    def recognise(self, audio_bytes: bytes, grammar: list[str]) -> Recognition | None:
        said = key(self.transcribe(audio_bytes))
        if not said:
            return None
        # Longest phrase first, as a grammar decoder prefers the whole phrase to a part of it.
        for phrase in sorted(grammar, key=len, reverse=True):
            if key(phrase) and re.search(rf"(^| ){re.escape(key(phrase))}( |$)", said):
                return Recognition(phrase, 1.0)
        return None

    def transcribe(self, audio_bytes: bytes) -> str:
        return audio.info(audio_bytes).get(TRANSCRIPT_TAG, "")


def build(config) -> Recogniser:
    mode = (config.get("HOTLINE_ASR") or "auto").strip().lower()
    if mode == "off":
        return NoRecogniser("HOTLINE_ASR=off")
    if mode == "script":
        return ScriptRecogniser()
    model_dir = Path(config["HOTLINE_VOSK_MODEL"]).expanduser()
    if not (model_dir / "am").is_dir() and not (model_dir / "conf").is_dir():
        return NoRecogniser(f"no Vosk model at {model_dir} (hotline models fetch)")
    try:
        return VoskRecogniser(model_dir, float(config.get("HOTLINE_ASR_MIN_CONFIDENCE", 0.6)))
    except Exception as e:  # a broken model must not take the keypad down with it
        log.error("Vosk model at %s failed to load: %s", model_dir, e)
        return NoRecogniser(f"Vosk model at {model_dir} failed to load: {type(e).__name__}")


def _ident(config) -> tuple:
    return config.get("HOTLINE_ASR"), config.get("HOTLINE_VOSK_MODEL"), config.get("HOTLINE_ASR_MIN_CONFIDENCE")


def get_recogniser(config=None) -> Recogniser:
    """The process-wide recogniser for this configuration (the current app's by default).

    While preload() is still loading the model, callers get keypad-only menus rather than a wait.
    """
    if config is None:
        from flask import current_app

        config = current_app.config
    ident = _ident(config)
    recogniser = _recognisers.get(ident)
    if recogniser is None:
        if ident in _loading:
            return NoRecogniser("the speech model is loading")
        recogniser = build(config)
        with _lock:
            recogniser = _recognisers.setdefault(ident, recogniser)
    return recogniser


def preload(config) -> threading.Thread | None:
    """Load the model in the background at start, so no caller waits for it (seconds for a real model)."""
    ident = _ident(config)
    if ident in _recognisers or ident in _loading:
        return None

    def load():
        try:
            recogniser = build(config)
            with _lock:
                _recognisers.setdefault(ident, recogniser)
        finally:
            _loading.discard(ident)
    _loading.add(ident)
    thread = threading.Thread(target=load, name="vosk-preload", daemon=True)
    thread.start()
    return thread
