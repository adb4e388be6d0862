"""Callers' answers made of real speech: a word cut out of a real sentence, on a quiet telephone line."""
import numpy as np

from hotline.speech import audio

RATE = 8000
# Bình reads "Anh chỉ muốn được nhìn nhận như là một huấn luyện viên." (clip1): "một" is 1.25–1.63 s in.
MOT = ("clip1", 1.25, 1.63)


def line(seconds: float, level: float = 0.002, seed: int = 7) -> np.ndarray:
    """A quiet line: the hiss under every real recording."""
    return (np.random.default_rng(seed).standard_normal(int(seconds * RATE)) * level).astype(np.float32)


def spoken(vi_clips, clip: str, start: float = 0.0, end: float | None = None, seconds: float = 3.0,
           at: float = 0.5) -> bytes:
    """A recording of `seconds` whose speech is clip[start:end], beginning `at` seconds in (8 kHz WAV)."""
    samples = audio.decode(vi_clips[clip][0]).samples
    speech = samples[int(start * RATE): None if end is None else int(end * RATE)]
    out = line(max(seconds, at + len(speech) / RATE))
    out[int(at * RATE): int(at * RATE) + len(speech)] += speech
    return audio.wav(out, RATE)


def noise(seconds: float = 3.0, level: float = 0.2) -> bytes:
    return audio.wav(line(seconds, level, seed=11), RATE)


def hum(seconds: float = 3.0) -> bytes:
    return audio.wav((0.2 * np.sin(2 * np.pi * 50 * np.arange(int(seconds * RATE)) / RATE)).astype(np.float32), RATE)


def silence(seconds: float = 3.0) -> bytes:
    return audio.wav(np.zeros(int(seconds * RATE), np.float32), RATE)
