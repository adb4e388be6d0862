"""Where a request's time goes: cProfile around each request inside waitress, menu step and SMS keyword.

    .venv/bin/python bench/profile_request.py [menu|sms|bare] [requests] [client threads]

Builds the app as `hotline serve` does (create_app() from the environment, waitress, 8 threads), wraps the
WSGI app so every request is profiled in the thread that serves it, sends signed requests (voice_latency's)
from 1 client thread by default, so the times are CPU rather than waits for the GIL, and prints the mean wall time per request in the app and the top
functions by cumulative time. The bare Flask app of voice_latency is profiled the same way for scale.
"""
from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import voice_latency as vl  # noqa: E402


class Profiled:
    def __init__(self, app):
        self.app, self.stats, self.lock, self.count, self.wall = app, None, threading.Lock(), 0, 0.0

    def __call__(self, environ, start_response):
        profile, started = cProfile.Profile(), time.perf_counter()
        body = profile.runcall(lambda: b"".join(self.app(environ, start_response)))
        with self.lock:
            self.count += 1
            self.wall += time.perf_counter() - started
            self.stats = pstats.Stats(profile) if self.stats is None else self.stats.add(profile)
        return [body]


def build(kind: str, tmp: Path):
    if kind == "bare":
        from flask import Flask, Response
        app = Flask("bare")

        @app.post("/<path:p>")
        def constant(p):
            return Response("<?xml version='1.0'?><Response><Say language='vi-VN'>x</Say></Response>",
                            mimetype="text/xml")
        return app
    os.environ.update({k: v for k, v in vl.environment(tmp).items() if k.startswith(("HOTLINE_", "TWILIO_"))})
    from hotline import create_app, db as storage, demo
    app = create_app()
    demo.load(storage.connect(os.environ["HOTLINE_DB"]))
    return app


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "menu"
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    clients = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    from waitress import create_server
    with tempfile.TemporaryDirectory() as folder:
        app = build(kind, Path(folder))
        profiled = Profiled(app.wsgi_app)
        app.wsgi_app = profiled
        server = create_server(app, host="127.0.0.1", port=0, threads=8)
        threading.Thread(target=server.run, daemon=True).start()
        port = server.effective_port
        scenario = "sms" if kind == "sms" else "menu"
        run = f"{time.time_ns() % 10**6:06d}"

        def send(i: int) -> None:
            url, form, signature = vl.signed(scenario, i, run)
            request = urllib.request.Request(f"http://127.0.0.1:{port}{url}", data=urlencode(form).encode(),
                                             headers={"X-Twilio-Signature": signature})
            with urllib.request.urlopen(request) as r:
                assert r.status == 200
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(send, range(total)))
        server.close()
    print(f"{kind}: {profiled.count} requests, {profiled.wall / profiled.count * 1000:.2f} ms wall in the app each")
    out = io.StringIO()
    profiled.stats.stream = out
    profiled.stats.sort_stats("cumulative").print_stats(45)
    print(out.getvalue())


if __name__ == "__main__":
    main()
