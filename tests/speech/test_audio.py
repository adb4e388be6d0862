"""Recordings: decoded with numpy (PCM, μ-law, A-law) and resampled (tests/sending/test_recordings.py: fetching)."""
import struct

import numpy as np
import pytest

from hotline.speech import audio


def tone(rate, seconds=0.5, freq=440.0):
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def raw_wav(tag, bits, rate, payload, channels=1):
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * channels * bits // 8, channels * bits // 8, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def mulaw_encode(x):
    """Reference G.711 μ-law encoder (the textbook algorithm), to check our table decoder against."""
    pcm = np.clip((x * 32768).astype(np.int32), -32635, 32635)
    sign = np.where(pcm < 0, 0x80, 0)
    mag = np.abs(pcm) + 0x84
    exponent = np.floor(np.log2(mag)).astype(np.int32) - 7
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)


@pytest.mark.parametrize("name, make", [
    ("pcm16", lambda x: raw_wav(1, 16, 8000, (x * 32767).astype("<i2").tobytes())),
    ("pcm8", lambda x: raw_wav(1, 8, 8000, ((x * 127) + 128).astype(np.uint8).tobytes())),
    ("mulaw", lambda x: raw_wav(7, 8, 8000, mulaw_encode(x).tobytes())),
    ("float32", lambda x: raw_wav(3, 32, 8000, x.astype("<f4").tobytes())),
    ("stereo pcm16", lambda x: raw_wav(1, 16, 8000, np.repeat((x * 32767).astype("<i2"), 2).tobytes(), channels=2)),
])
def test_it_decodes_the_encodings_twilio_and_phones_send(name, make):
    x = tone(8000)
    decoded = audio.decode(make(x))
    assert decoded.rate == 8000 and len(decoded.samples) == len(x)
    assert np.max(np.abs(decoded.samples - x)) < 0.03, name


def test_it_resamples_to_8k_and_keeps_the_tone():
    wav16 = audio.wav(tone(16000, 1.0), 16000)
    out = audio.decode(audio.to_wav_8k(wav16))
    assert out.rate == 8000 and len(out.samples) == 8000
    spectrum = np.abs(np.fft.rfft(out.samples))
    assert abs(np.argmax(spectrum) * 8000 / len(out.samples) - 440) < 2


def test_downsampling_removes_what_8k_cannot_carry():
    high = audio.wav(tone(16000, 1.0, freq=6000), 16000)   # above 4 kHz: would alias to 2 kHz
    out = audio.decode(audio.to_wav_8k(high))
    assert np.sqrt(np.mean(out.samples ** 2)) < 0.05


@pytest.mark.parametrize("data", [b"", b"RIFF\0\0\0\0WAVE", b"ID3\x03mp3 not wav", raw_wav(85, 0, 8000, b"xx")])
def test_it_refuses_what_it_cannot_decode(data):
    with pytest.raises(audio.AudioError):
        audio.to_wav_8k(data)


def test_the_info_chunk_survives_conversion():
    wav = audio.wav(tone(16000), 16000, {"ICMT": "cảnh báo"})
    assert audio.info(audio.to_wav_8k(wav)) == {"ICMT": "cảnh báo"}
