"""Menu-step latency under load: `hotline serve` (waitress, 8 threads) beside a bare Flask endpoint.

    .venv/bin/python bench/voice_latency.py            # short form (600 requests per level)
    HOTLINE_FULL=1 .venv/bin/python bench/voice_latency.py   # 3000 per level

Both servers run as separate processes on 127.0.0.1 with the same waitress settings; an asyncio
client keeps 50 and then 200 signed menu-step requests in flight (the main menu answered with a
key, a guide step, a repeat, a silence, menu 1 reading the database: what a caller's keypress costs). Prints a Markdown table.
"""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from twilio.request_validator import RequestValidator  # noqa: E402

PUBLIC = "https://hotline.example.vn"
TOKEN = "bench-token-0123456789"
STEPS = [("/voice/menu/main", {"ev": "key", "n": "0"}, {"Digits": "2"}),
         ("/voice/guides/vneid", {"step": "2"}, {}),
         ("/voice/guides/vneid", {"step": "2", "ev": "key", "n": "0"}, {"Digits": "*"}),
         ("/voice/menu/main", {"ev": "silence", "n": "1"}, {}),
         ("/voice/warnings", {}, {})]                     # reads the resident, village and warnings
BARE = textwrap.dedent('''
    import sys
    from flask import Flask, Response
    from waitress import serve
    app = Flask("bare")
    TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/x" finishOnKey="" numDigits="1">'
             '<Say language="vi-VN">Mời bác chọn.</Say></Gather></Response>')
    @app.post("/<path:p>")
    def constant(p):
        return Response(TWIML, mimetype="text/xml")
    serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=8, ident="bare", _quiet=True)
''')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on {port} did not start")


def start_servers(tmp: Path):
    env = {**os.environ, "HOTLINE_DB": str(tmp / "bench.db"), "HOTLINE_INSTANCE": str(tmp / "var"),
           "HOTLINE_PUBLIC_URL": PUBLIC, "TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_LOG_LEVEL": "WARNING",
           "HOTLINE_ASR": "off"}
    hotline = [sys.executable, "-c", "from hotline.cli import main; main()"]
    subprocess.run(hotline + ["demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    app_port, bare_port = free_port(), free_port()
    procs = [subprocess.Popen(hotline + ["serve", "--port", str(app_port), "--threads", "8"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
             subprocess.Popen([sys.executable, "-c", BARE, str(bare_port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    wait_for(app_port)
    wait_for(bare_port)
    return procs, app_port, bare_port


def signed(i: int):
    path, query, form = STEPS[i % len(STEPS)]
    url = path + ("?" + urlencode(query) if query else "")
    form = {"CallSid": f"CA{i:032d}", "From": "+84912100000", "To": "+84240000000", **form}
    return url, form, RequestValidator(TOKEN).compute_signature(PUBLIC + url, form)


async def load(port: int, in_flight: int, total: int) -> list[float]:
    requests = [signed(i) for i in range(total)]
    latencies: list[float] = []
    queue = iter(requests)
    # A new connection per request, as separate calls reach us: with keep-alive, connections above
    # waitress's connection_limit (100) would starve until the client drops an idle one.
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
        await asyncio.gather(*(worker() for _ in range(in_flight)))
    return latencies


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def main() -> None:
    total = 3000 if os.environ.get("HOTLINE_FULL") == "1" else 600
    with tempfile.TemporaryDirectory() as tmp:
        procs, app_port, bare_port = start_servers(Path(tmp))
        try:
            asyncio.run(load(app_port, 10, 100))     # warm up both
            asyncio.run(load(bare_port, 10, 100))
            print(f"| in flight | endpoint | requests | p50 ms | p99 ms | req/s | p99 vs bare |")
            print("| --- | --- | --- | --- | --- | --- | --- |")
            for in_flight in (50, 200):
                rows = {}
                for name, port in (("bare Flask constant TwiML", bare_port), ("hotline menu step", app_port)):
                    started = time.perf_counter()
                    lat = asyncio.run(load(port, in_flight, total))
                    rows[name] = (pct(lat, 50), pct(lat, 99), total / (time.perf_counter() - started))
                bare_p99 = rows["bare Flask constant TwiML"][1]
                for name, (p50, p99, rate) in rows.items():
                    print(f"| {in_flight} | {name} | {total} | {p50:.1f} | {p99:.1f} | {rate:.0f} | "
                          f"{p99 / bare_p99:.2f}× |")
        finally:
            for p in procs:
                p.terminate()
                p.wait(timeout=10)


if __name__ == "__main__":
    main()
