"""Recordings decoded with numpy (no audioop) and resampled; hotline.sending.recordings fetches them from Twilio.

Twilio records calls as 8 kHz WAV (16-bit PCM, or G.711 μ-law from some carriers); Vosk wants
16-bit PCM at the model's rate. audioop is gone in Python 3.13, so μ-law is expanded by table.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np


class AudioError(Exception):
    """A recording that cannot be fetched or decoded: the menu falls back to the keypad."""


@dataclass
class Audio:
    samples: np.ndarray   # float32 in [-1, 1], mono
    rate: int


def _mulaw_table() -> np.ndarray:
    codes = ~np.arange(256, dtype=np.uint8)
    sign, exponent, mantissa = codes & 0x80, (codes >> 4) & 0x07, codes & 0x0F
    magnitude = ((mantissa.astype(np.int32) << 3) + 0x84) << exponent.astype(np.int32)
    return np.where(sign != 0, 0x84 - magnitude, magnitude - 0x84).astype(np.int16)


def _alaw_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.uint8) ^ 0x55
    sign, exponent, mantissa = codes & 0x80, (codes >> 4) & 0x07, (codes & 0x0F).astype(np.int32)
    magnitude = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << (exponent.astype(np.int32) - 1))
    return np.where(sign != 0, magnitude, -magnitude).astype(np.int16)


MULAW = _mulaw_table()
ALAW = _alaw_table()


def chunks(data: bytes):
    """(id, payload) for each RIFF chunk of a WAV file."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("not a WAV file")
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        yield cid, data[pos + 8:pos + 8 + size]
        pos += 8 + size + (size & 1)


def decode(data: bytes) -> Audio:
    """PCM 8/16/24/32-bit, float, μ-law or A-law WAV → mono float samples."""
    fmt = payload = None
    for cid, body in chunks(data):
        if cid == b"fmt ":
            fmt = body
        elif cid == b"data":
            payload = body
    if fmt is None or payload is None or len(fmt) < 16:
        raise AudioError("WAV without fmt or data")
    tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == 0xFFFE and len(fmt) >= 26:      # WAVE_FORMAT_EXTENSIBLE: the real tag is in the GUID
        tag = struct.unpack("<H", fmt[24:26])[0]
    if tag == 7:
        pcm = MULAW[np.frombuffer(payload, np.uint8)] / 32768.0
    elif tag == 6:
        pcm = ALAW[np.frombuffer(payload, np.uint8)] / 32768.0
    elif tag == 1 and bits == 16:
        pcm = np.frombuffer(payload[: len(payload) // 2 * 2], "<i2") / 32768.0
    elif tag == 1 and bits == 8:
        pcm = (np.frombuffer(payload, np.uint8).astype(np.float32) - 128) / 128.0
    elif tag == 1 and bits == 24:
        raw = np.frombuffer(payload[: len(payload) // 3 * 3], np.uint8).reshape(-1, 3).astype(np.int32)
        pcm = ((raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)) << 8 >> 8) / 8388608.0
    elif tag == 1 and bits == 32:
        pcm = np.frombuffer(payload[: len(payload) // 4 * 4], "<i4") / 2147483648.0
    elif tag == 3 and bits == 32:
        pcm = np.frombuffer(payload[: len(payload) // 4 * 4], "<f4").astype(np.float64)
    else:
        raise AudioError(f"unsupported WAV encoding {tag}/{bits}")
    if channels < 1 or rate < 1000:
        raise AudioError("bad WAV header")
    pcm = pcm[: len(pcm) // channels * channels].reshape(-1, channels).mean(axis=1)
    return Audio(pcm.astype(np.float32), rate)


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Band-limited resampling: a windowed-sinc low-pass before decimating, linear interpolation."""
    if rate == target or len(samples) == 0:
        return samples
    if target < rate:
        cutoff = 0.5 * target / rate * 0.9
        taps = np.arange(-32, 33)
        kernel = np.sinc(2 * cutoff * taps) * np.hamming(len(taps))
        samples = np.convolve(samples, kernel / kernel.sum(), mode="same").astype(np.float32)
    n = int(round(len(samples) * target / rate))
    return np.interp(np.arange(n) * rate / target, np.arange(len(samples)), samples).astype(np.float32)


def pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def wav(samples: np.ndarray, rate: int, info: dict[str, str] | None = None) -> bytes:
    """16-bit mono WAV, with an optional LIST/INFO chunk (e.g. {"ICMT": "…"})."""
    data = pcm16(samples)
    body = b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    body += b"data" + struct.pack("<I", len(data)) + data + (b"\0" if len(data) & 1 else b"")
    if info:
        entries = b""
        for key, value in info.items():
            text = value.encode("utf-8") + b"\0"
            entries += key.encode("ascii") + struct.pack("<I", len(text)) + text + (b"\0" if len(text) & 1 else b"")
        body += b"LIST" + struct.pack("<I", 4 + len(entries)) + b"INFO" + entries
    return b"RIFF" + struct.pack("<I", len(body)) + body


def info(data: bytes) -> dict[str, str]:
    """The LIST/INFO entries of a WAV file (empty when there are none)."""
    found = {}
    for cid, body in chunks(data):
        if cid == b"LIST" and body[:4] == b"INFO":
            pos = 4
            while pos + 8 <= len(body):
                key, size = body[pos:pos + 4].decode("ascii", "replace"), struct.unpack("<I", body[pos + 4:pos + 8])[0]
                found[key] = body[pos + 8:pos + 8 + size].rstrip(b"\0").decode("utf-8", "replace")
                pos += 8 + size + (size & 1)
    return found


def to_wav_8k(audio_bytes: bytes) -> bytes:
    """Any supported WAV → 8 kHz mono 16-bit PCM WAV (the telephone rate)."""
    audio = decode(audio_bytes)
    return wav(resample(audio.samples, audio.rate, 8000), 8000, info(audio_bytes) or None)


def duration(audio_bytes: bytes) -> float:
    audio = decode(audio_bytes)
    return len(audio.samples) / audio.rate
