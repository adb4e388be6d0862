"""Speech on real Vietnamese at telephone quality: each engine's word error rate and speed, a caller's 3-second
answer with 1 and 4 calls at once, memory, and how intelligible our own synthesised prompts are.

    .venv/bin/python bench/speech.py              # 30 answers per call
    BENCH_QUICK=1 .venv/bin/python bench/speech.py    # 6
    .venv/bin/python bench/speech.py --json       # one JSON line of figures (bench/run.py)

The sentences are six real speakers (tools/vi_speech.py: the vieneu wheel's samples, Apache-2.0), brought to
8 kHz as Twilio records calls. Whisper runs as the hotline runs it: in a call, the answer at its own length and
greedy (hotline.speech.whisper); in the worker, 30-second windows with beam search. A call's answer is a real
"one" (mot) cut from a sentence on a 3-second quiet line; the 4 calls are 4 processes (the server's workers), each
with its own model (CTranslate2 cannot share one across fork), answering at the same moment. Intelligibility
of a synthesis engine is Whisper's error rate on our prompts rendered by it (as `hotline prompts render` does).
"""
from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
import vi_speech  # noqa: E402
from hotline.core import prompts  # noqa: E402
from hotline.core.config import Config  # noqa: E402
from hotline.speech import install, wer, whisper  # noqa: E402
from hotline.speech import audio  # noqa: E402

THREADS = int(os.environ.get("HOTLINE_WHISPER_THREADS", "2"))
MOT = ("clip1", 1.25, 1.63)      # clip1's word "one", said by Binh (tests/speech/answers.py)
PROMPTS = ["voice.welcome", "voice.main.intro", "voice.menu.say_it", "voice.menu.not_heard", "voice.menu.not_understood",
           "voice.menu.goodbye", "voice.warnings.ask_village", "voice.guides.intro", "voice.main.operator",
           "voice.menu.offer_help"]


def memory_mb(pid: int | str = "self") -> dict:
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            found[name.lower()] = int(rest.split()[0]) / 1024
    return found


def model_folder() -> Path:
    """The model where the hotline keeps it, else installed once into the venv (as the tests do)."""
    configured = Path(Config.from_env()["HOTLINE_WHISPER_MODEL"])
    if install.present(configured):
        return configured
    folder = Path(sys.prefix) / "share" / "models"
    if not install.present(folder / install.NAME):
        install.fetch(folder)
    return folder / install.NAME


def answer(clips: dict) -> bytes:
    import numpy as np

    samples = audio.decode(clips[MOT[0]][0]).samples[int(MOT[1] * 8000): int(MOT[2] * 8000)]
    line = (np.random.default_rng(7).standard_normal(3 * 8000) * 0.002).astype(np.float32)
    line[4000: 4000 + len(samples)] += samples
    return audio.wav(line, 8000)


def caller(folder: str, wav: bytes, runs: int, barrier, out) -> None:
    """One server worker: its own model, then `runs` answers, timed (in its own process)."""
    recogniser = whisper.WhisperRecogniser(Path(folder), THREADS, 0.5)
    recogniser.warm()
    recogniser.recognise(wav, [])
    barrier.wait()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        heard = recogniser.recognise(wav, [])
        times.append(time.perf_counter() - started)
    out.put({"times": times, "heard": heard and heard.text, **memory_mb()})


def calls_at_once(folder: Path, wav: bytes, count: int, runs: int) -> dict:
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(count), ctx.Queue()
    workers = [ctx.Process(target=caller, args=(str(folder), wav, runs, barrier, out)) for _ in range(count)]
    for w in workers:
        w.start()
    results = [out.get(timeout=600) for _ in workers]
    for w in workers:
        w.join()
    times = sorted(t for r in results for t in r["times"])
    return {"p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))],
            "max_ms": 1000 * times[-1], "pss_mb": sum(r["pss"] for r in results) / count,
            "rss_mb": sum(r["rss"] for r in results) / count, "heard": results[0]["heard"]}


def accuracy(recognise, clips: dict) -> dict:
    pairs, rtf, heard = [], [], {}
    for name, (wav, text) in clips.items():
        started = time.perf_counter()
        said = recognise(wav)
        rtf.append((time.perf_counter() - started) / audio.duration(wav))
        pairs.append((text, said))
        heard[name] = said
    return {"wer": wer.rate(pairs), "rtf_p50": statistics.median(rtf), "rtf_max": max(rtf), "heard": heard}


def intelligibility(thorough, engine: str) -> dict:
    from voice import render

    config = Config.from_env({"HOTLINE_TTS_TIMEOUT": "5"})
    texts = [prompts.say(k) for k in PROMPTS]
    pairs = []
    for text in texts:
        try:
            data = render.RENDERERS[engine](text, config)
        except Exception as e:     # gTTS needs Google's servers; the build machines cannot reach them
            return {"ok": 0, "error": type(e).__name__}
        if data[:4] != b"RIFF":    # gTTS's MP3, heard at the telephone's 8 kHz as the call plays it
            from faster_whisper.audio import decode_audio
            import io

            data = audio.wav(decode_audio(io.BytesIO(data), sampling_rate=8000), 8000)
        pairs.append((text, thorough.transcribe(data)))
    return {"ok": 1, "wer": wer.rate(pairs), "prompts": len(pairs), "worst": max(pairs, key=lambda p: wer.errors(*p)[0])}


def vosk_figures(clips: dict) -> dict:
    from hotline.speech import asr

    config = Config.from_env()
    folder = Path(config["HOTLINE_VOSK_MODEL"])
    if not (folder / "am").is_dir():
        return {"vosk_present": 0}
    vosk = asr.VoskRecogniser(folder, 0.0)
    result = accuracy(vosk.transcribe, clips)
    return {"vosk_present": 1, "vosk_wer": result["wer"], "vosk_rtf_p50": result["rtf_p50"]}


def main() -> None:
    runs = 6 if os.environ.get("BENCH_QUICK") == "1" else 30
    clips = {c.name: (audio.to_wav_8k(c.wav), c.text) for c in vi_speech.clips()}
    if not clips:
        raise SystemExit("no real-speech clips: make vi-speech")
    folder = model_folder()
    wav = answer(clips)
    # The calls first, each in a fresh process, before this one loads anything.
    one, four = calls_at_once(folder, wav, 1, runs), calls_at_once(folder, wav, 4, runs)
    before = memory_mb()
    started = time.perf_counter()
    quick = whisper.WhisperRecogniser(folder, THREADS, 0.5)
    quick.warm()
    load_s = time.perf_counter() - started
    thorough = whisper.WhisperRecogniser(folder, THREADS, 0.5, thorough=True)
    in_call = accuracy(lambda w: (lambda h: h.text if h else "")(quick.recognise(w, [])), clips)
    background = accuracy(thorough.transcribe, clips)
    after = memory_mb()
    espeak, gtts = intelligibility(thorough, "espeak"), intelligibility(thorough, "gtts")
    figures = {
        "clips": len(clips), "clip_seconds": sum(audio.duration(w) for w, _ in clips.values()), "runs": runs,
        "threads": THREADS, "load_s": load_s,
        "call_wer": in_call["wer"], "call_rtf_p50": in_call["rtf_p50"], "call_rtf_max": in_call["rtf_max"],
        "bg_wer": background["wer"], "bg_rtf_p50": background["rtf_p50"], "bg_rtf_max": background["rtf_max"],
        "answer1_p50_ms": one["p50_ms"], "answer1_p95_ms": one["p95_ms"], "answer1_max_ms": one["max_ms"],
        "answer4_p50_ms": four["p50_ms"], "answer4_p95_ms": four["p95_ms"], "answer4_max_ms": four["max_ms"],
        "answer_heard": one["heard"], "worker_pss_mb": one["pss_mb"], "worker_rss_mb": one["rss_mb"],
        "four_workers_pss_mb": four["pss_mb"] * 4,
        "model_rss_mb": after["rss"] - before["rss"], "process_rss_mb": after["rss"],
        "espeak_ok": espeak["ok"], "espeak_wer": espeak.get("wer"), "espeak_prompts": espeak.get("prompts"),
        "espeak_worst": " → ".join(espeak.get("worst", ())), "gtts_ok": gtts["ok"], "gtts_wer": gtts.get("wer"),
        "gtts_error": gtts.get("error", ""),
        **{f"bg_heard_{k}": v for k, v in background["heard"].items()},
        **{f"call_heard_{k}": v for k, v in in_call["heard"].items()},
        **{f"truth_{k}": t for k, (_, t) in clips.items()},
        **vosk_figures(clips),
    }
    figures = {k: v for k, v in figures.items() if v is not None}
    if "--json" in sys.argv:
        print(json.dumps(figures, ensure_ascii=False))
        return
    for k, v in figures.items():
        print(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}")


if __name__ == "__main__":
    main()
