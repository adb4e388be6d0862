"""Whisper (faster-whisper on CTranslate2), offline: a caller's short answer during the call, long recordings after.

Not safe across fork: a model loaded before fork never answers in the child (CTranslate2's worker threads are
not copied; measured: the child's first transcription hangs for good). So each process loads its own copy,
keyed by process id — the server's workers in a thread as they start, the worker process in its transcription
thread — and a process that has not loaded it yet says so (`available` is False) rather than load on a call.

A short answer is not padded to Whisper's 30-second window: the encoder runs on the answer plus PAD_S (a 3 s
answer costs about a tenth of the full window), decoded greedily, with each word's probability.
"""
from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hotline.core.text import fold
from hotline.speech import audio
from hotline.speech.recognition import Recognition, Recogniser

RATE = 16000
PAD_S = 1.0                 # silence after an answer: Whisper ends a sentence better with some
MAX_ANSWER_TOKENS = 48      # a 4-second answer is a few words; a runaway (noise) is cut short
WORDS_PER_S = 8             # faster than anyone speaks (Vietnamese words are syllables): an invented sentence
LANGUAGE = "vi"
_lock = threading.Lock()
_models: dict[tuple, "Loaded"] = {}


@dataclass
class Loaded:
    model: object           # faster_whisper.WhisperModel
    tokenizer: object       # its Tokenizer for Vietnamese transcription
    classes: np.ndarray     # vocabulary id → id of its accent- and case-blind spelling (confidence below)


def load(folder: Path, threads: int) -> Loaded:
    """This process's copy of the model (loaded now if need be: seconds; never call it on a caller's path)."""
    ident = (os.getpid(), str(folder), threads)
    with _lock:
        if ident not in _models:
            from faster_whisper import WhisperModel
            from faster_whisper.tokenizer import Tokenizer
            from faster_whisper.vad import get_vad_model

            model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=threads, num_workers=1)
            tokenizer = Tokenizer(model.hf_tokenizer, True, task="transcribe", language=LANGUAGE)
            get_vad_model()     # the voice-activity model (Silero, ONNX), loaded now rather than on the first call
            _models[ident] = Loaded(model, tokenizer, _classes(model.hf_tokenizer))
        return _models[ident]


def loaded(folder: Path, threads: int) -> Loaded | None:
    return _models.get((os.getpid(), str(folder), threads))


def _classes(hf_tokenizer) -> np.ndarray:
    """Tokens spelled alike but for case and tone marks share a class ("Mot", " mot" with any tone: one answer)."""
    size = hf_tokenizer.get_vocab_size(with_added_tokens=True)
    names: dict[str, int] = {}
    classes = np.empty(size, np.int64)
    for token in range(size):
        text = hf_tokenizer.decode([token])     # U+FFFD: part of a character's UTF-8 bytes, a class of its own
        spelling = fold.__wrapped__(text).lower().strip() if "\ufffd" not in text else f"#{token}"
        classes[token] = names.setdefault(spelling, len(names))
    return classes


class WhisperRecogniser(Recogniser):
    """thorough: the background's (30-second windows, beam search); else the call's (the answer's own length, greedy)."""

    engine = "whisper"

    def __init__(self, folder: Path, threads: int, min_confidence: float, thorough: bool = False):
        self.folder, self.threads, self.min_confidence, self.thorough = folder, threads, min_confidence, thorough
        self.failed = ""

    @property
    def available(self) -> bool:
        return loaded(self.folder, self.threads) is not None

    @property
    def reason(self) -> str:
        return "" if self.available else self.failed or "the speech model is loading"

    def warm(self) -> None:
        try:
            load(self.folder, self.threads)
        except Exception as e:      # said by /health; the menus stay keypad-only
            self.failed = f"Whisper model at {self.folder} failed to load: {type(e).__name__}"
            raise

    def status(self) -> dict:
        return {**super().status(), "model": str(self.folder), "loaded": self.available}

    def recognise(self, audio_bytes: bytes, grammar: list[str]) -> Recognition | None:
        """What the caller said, word by word with probabilities; None when there is no speech in it.

        Whisper has no grammar: it writes what it hears, and the menu (hotline.speech.matching) decides
        whether that names one of its options. grammar is unused, taken for the recogniser interface."""
        w = loaded(self.folder, self.threads)
        if w is None:
            return None
        samples = samples_16k(audio_bytes)[: 29 * RATE]
        speech_s = speech_seconds(samples)
        if not speech_s:
            return None
        ids, steps, score = _greedy(w, samples)
        words = _words(w, ids, steps)
        # More words than the speech could hold is Whisper writing from habit, not hearing (it has "heard" a
        # video outro in a caller's two syllables): no answer, rather than one that may name an option.
        if not words or len(words) > WORDS_PER_S * speech_s + 2:
            return None
        return Recognition(" ".join(word for word, _ in words), float(np.exp(score)), tuple(words))

    def transcribe(self, audio_bytes: bytes) -> str:
        """A whole recording: thorough in the worker (an announcement, a voicemail), quick on a call (a name)."""
        if not self.thorough:
            heard = self.recognise(audio_bytes, [])
            return heard.text if heard else ""
        w = load(self.folder, self.threads)
        # temperature 0 only: the fallback to sampling, when Whisper is unsure, writes a different guess each run.
        segments, _ = w.model.transcribe(samples_16k(audio_bytes), language=LANGUAGE, beam_size=5, vad_filter=True,
                                         condition_on_previous_text=False, temperature=0.0)
        return " ".join(s.text.strip() for s in segments).strip()


def _greedy(w: Loaded, samples: np.ndarray) -> tuple[list[int], list[np.ndarray], float]:
    """The encoder on the answer plus PAD_S (not Whisper's 30 s), then greedy decoding with every step's logits."""
    import ctranslate2

    window = len(samples) + int(PAD_S * RATE)
    features = w.model.feature_extractor(np.pad(samples, (0, window - len(samples))))[:, : window // 160]
    encoded = w.model.model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None])),
                                   to_cpu=False)
    t = w.tokenizer
    result = w.model.model.generate(encoded, [[t.sot, t.language, t.transcribe, t.no_timestamps]], beam_size=1,
                                    max_length=MAX_ANSWER_TOKENS, return_scores=True, return_logits_vocab=True)[0]
    ids = [i for i in result.sequences_ids[0] if i < t.eot]
    return ids, [np.asarray(step, np.float64) for step in result.logits[0]], result.scores[0]


def _words(w: Loaded, ids: list[int], steps: list[np.ndarray]) -> list[tuple[str, float]]:
    """(word, probability): the geometric mean over its tokens of the probability of that token's spelling class."""
    chance = []
    for token, logits in zip(ids, steps):
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        by_class = np.bincount(w.classes, weights=probs[: len(w.classes)])   # past the vocabulary: timestamps
        chance.append(float(by_class[w.classes[token]]))
    words, groups = w.tokenizer.split_to_word_tokens(ids)
    found, position = [], 0
    for word, group in zip(words, groups):
        p = chance[position: position + len(group)]
        position += len(group)
        if any(c.isalnum() for c in word) and p:
            found.append((word.strip(), float(np.exp(np.mean(np.log(np.maximum(p, 1e-9)))))))
    return found


def speech_seconds(samples: np.ndarray) -> float:
    """Silero's voice-activity detector: line noise, hum and silence are no answer (Whisper would invent one)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=300, speech_pad_ms=100))
    return sum(chunk["end"] - chunk["start"] for chunk in found) / RATE


def samples_16k(audio_bytes: bytes) -> np.ndarray:
    """WAV (any encoding voice.audio reads) or MP3 (a voicemail Twilio gave as MP3) → 16 kHz mono float32."""
    if audio_bytes[:4] == b"RIFF":
        decoded = audio.decode(audio_bytes)
        return audio.resample(decoded.samples, decoded.rate, RATE).astype(np.float32)
    from faster_whisper.audio import decode_audio

    try:
        return decode_audio(io.BytesIO(audio_bytes), sampling_rate=RATE)
    except Exception as e:   # PyAV raises its own errors for what is not audio
        raise audio.AudioError(f"undecodable audio: {type(e).__name__}") from e
