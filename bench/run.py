"""`make bench`: run every benchmark in bench/ and rewrite docs/benchmarks.md with the machine and date.

    .venv/bin/python bench/run.py            # 5 runs of each, medians quoted (about 12 minutes)
    BENCH_QUICK=1 .venv/bin/python bench/run.py   # 1 short run of each (under a minute)
    .venv/bin/python bench/run.py --crash    # `make crash`: the crash test in its full form, crash section only

Each benchmark is a script that prints one JSON line of figures with --json; it runs as its own
subprocess (fresh servers, fresh model) BENCH_RUNS times and every figure is the median of the runs.
The crash section is kept from the last `make crash` when the benchmarks are rerun, and vice versa.
"""
from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import crash_section, sections   # noqa: E402  (bench/report.py: the Markdown)

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
QUICK = os.environ.get("BENCH_QUICK") == "1"
RUNS = int(os.environ.get("BENCH_RUNS", 1 if QUICK else 5))   # p99 ratios on 2 shared cores are noisy
SCRIPTS = ("voice_latency", "broadcast", "asr_speed", "speech")
CRASH_BEGIN, CRASH_END = "<!-- crash:begin -->", "<!-- crash:end -->"
CRASH_ENV = {"HOTLINE_CRASH_KILLS": "50", "HOTLINE_CRASH_RECIPIENTS": "10000", "HOTLINE_CRASH_SMS_RATE": "1000",
             "HOTLINE_CRASH_CALL_RATE": "200", "HOTLINE_CRASH_LATENCY": "0.002"}


def machine() -> dict:
    def first(path: str, prefix: str) -> str:
        try:
            return next(line.split(":", 1)[1].strip() for line in open(path) if line.startswith(prefix))
        except (OSError, StopIteration):
            return "?"
    memory_kb = first("/proc/meminfo", "MemTotal").split()[0]
    os_name = _os_release()
    return {"cpu": first("/proc/cpuinfo", "model name"), "cores": os.cpu_count(),
            "memory_gb": round(int(memory_kb) / 1024 / 1024, 1) if memory_kb.isdigit() else "?",
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "os": f"{os_name}, Linux {platform.release()}", "load": os.getloadavg()[0],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def _os_release() -> str:
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def run_script(name: str) -> dict:
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "bench" / f"{name}.py"), "--json"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "BENCH_QUICK": "1" if QUICK else "0"})
    if done.returncode:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
        raise SystemExit(f"bench/{name}.py failed")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  {name}: {time.monotonic() - started:.0f} s", flush=True)
    return figures


def medians(runs: list[dict]) -> dict:
    """The median of each number; a text (what the recogniser heard) is the last run's."""
    keys = {k for r in runs for k in r}
    values = {k: [r[k] for r in runs if k in r] for k in keys}
    return {k: statistics.median(v) if all(isinstance(x, (int, float)) for x in v) else v[-1] for k, v in values.items()}


def kept(text: str, begin: str, end: str) -> str | None:
    match = re.search(re.escape(begin) + ".*?" + re.escape(end), text, flags=re.S)
    return match.group(0) if match else None


def write(body: str, crash: str | None) -> None:
    DOC.write_text(body.rstrip("\n") + "\n\n" + (crash or crash_section(None, machine())) + "\n", "utf-8")


def crash() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "crash.json"
        env = {**os.environ, **{k: os.environ.get(k, v) for k, v in CRASH_ENV.items()},
               "HOTLINE_CRASH_REPORT": str(report)}
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                               "tests/sending/test_exactly_once.py"], cwd=ROOT, env=env)
        figures = json.loads(report.read_text()) if report.exists() else None
    if figures is None:
        raise SystemExit("the crash test stopped before it could report (see above)")
    figures.update(passed=done.returncode == 0, wall_s=time.monotonic() - started,
                   kills_wanted=int(env["HOTLINE_CRASH_KILLS"]))
    text = DOC.read_text("utf-8") if DOC.exists() else "# Benchmarks\n"
    section = crash_section(figures, machine())
    old = kept(text, CRASH_BEGIN, CRASH_END)
    DOC.write_text(text.replace(old, section) if old else text.rstrip("\n") + "\n\n" + section + "\n", "utf-8")
    print(json.dumps(figures, indent=1))
    print(f"docs/benchmarks.md: crash section rewritten ({'passed' if figures['passed'] else 'FAILED'})")
    raise SystemExit(done.returncode)


def main() -> None:
    if "--crash" in sys.argv:
        crash()
    info = machine()
    print(f"bench: {RUNS} run(s) of {', '.join(SCRIPTS)}{' (quick)' if QUICK else ''}", flush=True)
    results: dict[str, list[dict]] = {name: [] for name in SCRIPTS}
    for n in range(RUNS):
        print(f"run {n + 1}/{RUNS}", flush=True)
        for name in SCRIPTS:
            results[name].append(run_script(name))
    summary = {name: medians(runs) for name, runs in results.items()}
    old = DOC.read_text("utf-8") if DOC.exists() else ""
    write(sections(info, summary, results, RUNS, QUICK), kept(old, CRASH_BEGIN, CRASH_END))
    print("docs/benchmarks.md rewritten")


if __name__ == "__main__":
    main()
