"""Speech recognition: Vosk offline with a grammar per menu, or Whisper (hotline.speech.whisper), chosen per job.

Two jobs: the caller's answer at a menu (HOTLINE_ASR: Vosk where its model is, else Whisper) and the
background transcripts of announcements and voicemails (HOTLINE_ASR_BACKGROUND: Whisper where its model is).
Without a model the hotline works by keypad only (`available` is False and /health says so).
The "script" recogniser reads the words typed into the simulator from the recording's RIFF INFO
chunk, so simulated calls take the same webhook and download path as real speech.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path

import numpy as np

from hotline.core.text import key, nfc

from hotline.speech import audio
from hotline.speech.recognition import Recognition, Recogniser  # noqa: F401  (the interface, re-exported)

log = logging.getLogger(__name__)
TRANSCRIPT_TAG = "ICMT"     # the INFO chunk entry the simulator writes its words into
_lock = threading.Lock()
_recognisers: dict[tuple, "Recogniser"] = {}
_models: dict[str, object] = {}
_loading: set[tuple] = set()


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


ENGINES = ("vosk", "whisper")
SETTING = {"calls": "HOTLINE_ASR", "background": "HOTLINE_ASR_BACKGROUND"}


def engine_for(config, job: str = "calls") -> str:
    """vosk | whisper | script | off: the setting, or for auto the first engine whose model is here —
    Vosk then Whisper for calls (Vosk's grammar is fast and exact), Whisper then Vosk in the background
    (it writes sentences); the simulator's script recogniser in both when calls use it."""
    mode = (config.get(SETTING[job]) or "auto").strip().lower()
    if mode != "auto":
        return mode
    if job == "background" and engine_for(config, "calls") == "script":
        return "script"
    order = ENGINES if job == "calls" else ENGINES[::-1]
    return next((name for name in order if _model_present(config, name)), "off")


def _model_present(config, name: str) -> bool:
    if name == "vosk":
        folder = Path(config["HOTLINE_VOSK_MODEL"]).expanduser()
        return (folder / "am").is_dir() or (folder / "conf").is_dir()
    from hotline.speech import install

    return install.present(Path(config["HOTLINE_WHISPER_MODEL"]).expanduser())


def build(config, job: str = "calls") -> Recogniser:
    engine = engine_for(config, job)
    if engine == "off":
        if (config.get(SETTING[job]) or "auto").strip().lower() == "off":
            return NoRecogniser(f"{SETTING[job]}=off")
        return NoRecogniser(f"no Vosk model at {config['HOTLINE_VOSK_MODEL']} nor Whisper model at "
                            f"{config['HOTLINE_WHISPER_MODEL']} (hotline models fetch whisper)")
    if engine == "script":
        return ScriptRecogniser()
    if engine == "whisper":
        return _whisper(config, thorough=job == "background")
    if engine != "vosk":
        return NoRecogniser(f"unknown engine {SETTING[job]}={engine}")
    model_dir = Path(config["HOTLINE_VOSK_MODEL"]).expanduser()
    if not _model_present(config, "vosk"):
        return NoRecogniser(f"no Vosk model at {model_dir} (hotline models fetch)")
    try:
        return VoskRecogniser(model_dir, float(config.get("HOTLINE_ASR_MIN_CONFIDENCE", 0.6)))
    except Exception as e:  # a broken model must not take the keypad down with it
        log.error("Vosk model at %s failed to load: %s", model_dir, e)
        return NoRecogniser(f"Vosk model at {model_dir} failed to load: {type(e).__name__}")


def _whisper(config, thorough: bool) -> Recogniser:
    from hotline.speech import install, whisper

    folder = Path(config["HOTLINE_WHISPER_MODEL"]).expanduser()
    if not install.present(folder):
        return NoRecogniser(f"no Whisper model at {folder} (hotline models fetch whisper)")
    return whisper.WhisperRecogniser(folder, int(float(config.get("HOTLINE_WHISPER_THREADS", 2))),
                                     float(config.get("HOTLINE_WHISPER_MIN_CONFIDENCE", 0.5)), thorough)


_SETTINGS = ("HOTLINE_ASR", "HOTLINE_ASR_BACKGROUND", "HOTLINE_VOSK_MODEL", "HOTLINE_WHISPER_MODEL",
             "HOTLINE_ASR_MIN_CONFIDENCE", "HOTLINE_WHISPER_MIN_CONFIDENCE", "HOTLINE_WHISPER_THREADS")


def _ident(config, job: str = "calls") -> tuple:
    return (job, *(config.get(name) for name in _SETTINGS))


def get_recogniser(config=None, job: str = "calls") -> Recogniser:
    """The process-wide recogniser for this configuration (the current app's by default) and job.

    While preload() is still loading the model, callers get keypad-only menus rather than a wait.
    """
    if config is None:
        from flask import current_app

        config = current_app.config
    ident = _ident(config, job)
    recogniser = _recognisers.get(ident)
    if recogniser is None:
        if ident in _loading:
            return NoRecogniser("the speech model is loading")
        recogniser = build(config, job)
        with _lock:
            recogniser = _recognisers.setdefault(ident, recogniser)
    return recogniser


def get_transcriber(config) -> Recogniser:
    """The background job's recogniser (announcements, voicemails); Whisper's model loads on its first use."""
    return get_recogniser(config, "background")


def status(config) -> dict:
    """/health: the calls' recogniser as loaded in this process, and the engine the worker transcribes with."""
    background = get_transcriber(config)
    model = getattr(background, "folder", None) or getattr(background, "model_dir", None)
    return {**get_recogniser(config).status(),
            "background": {"engine": background.engine, "runs_in": "hotline worker",
                           **({"model": str(model)} if model else {}),
                           **({"reason": background.reason} if background.engine == "none" else {})}}


def preload(config) -> threading.Thread | None:
    """Load the calls' model in the background at start, so no caller waits for it (seconds for a real model).

    Also in each of the server's workers after the fork: Whisper's model is loaded per process."""
    ident = _ident(config)
    cached = _recognisers.get(ident)
    if ident in _loading or (cached is not None and cached.available):
        return None

    def load():
        try:
            recogniser = cached or build(config)
            with _lock:
                recogniser = _recognisers.setdefault(ident, recogniser)
            recogniser.warm()       # after it is kept: a model that fails to load says why (its status)
        except Exception:   # a broken model leaves the keypad, never a crashed worker
            log.exception("speech model failed to load")
        finally:
            _loading.discard(ident)
    _loading.add(ident)
    thread = threading.Thread(target=load, name="speech-preload", daemon=True)
    thread.start()
    return thread
