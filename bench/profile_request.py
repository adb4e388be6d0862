"""Where a request's time goes: the app's own cost per menu step or SMS keyword, without HTTP.

    .venv/bin/python bench/profile_request.py [menu|sms|bare] [requests] [--no-reads]

Builds the app as a `hotline serve` worker does (create_app() from the environment, the demo commune
loaded), calls its WSGI entry directly with voice_latency's signed requests (so the server's own cost is
left out and the figure is the app's), prints the mean time per request, then the same requests under
cProfile with the top functions by cumulative time (the profiler inflates Python-heavy code; read the
shares, not the times). The bare Flask endpoint of voice_latency is measured the same way for scale.

--no-reads (sms): the keyword's reading (the resident, the village's warnings, the reply-cap count) is
replaced by a fixed answer, and what is left is measured: the signed form, the durable inbox row and the
TwiML reply, the floor of an SMS webhook that answers each message once.
"""
from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import voice_latency as vl  # noqa: E402


def environ(url: str, form: dict, signature: str) -> tuple[dict, bytes]:
    path, _, query = url.partition("?")
    body = urlencode(form).encode()
    return {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "5000", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_TWILIO_SIGNATURE": signature, "HTTP_HOST": "127.0.0.1:5000", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
            "wsgi.run_once": False}, body


def build(kind: str, tmp: Path):
    if kind == "bare":
        from flask import Flask, Response
        app, document = Flask("bare"), vl.bare_twiml()

        @app.post("/<path:p>")
        def constant(p):
            return Response(document, mimetype="text/xml")
        return app
    os.environ.update({k: v for k, v in vl.environment(tmp).items() if k.startswith(("HOTLINE_", "TWILIO_"))})
    from hotline.app import create_app
    from hotline.core import db as storage
    from hotline import demo
    app = create_app(background=False)
    demo.load(storage.connect(os.environ["HOTLINE_DB"]))
    vl.senders(Path(os.environ["HOTLINE_DB"]), vl.RESIDENTS)
    return app


def without_reads() -> None:
    """An SMS keyword with its reading replaced by a fixed answer (what the inbox row and reply need remain)."""
    from sms import commands, inbound

    answer = ("alerts", "none", "no warnings")
    inbound._context = lambda db, config, phone: commands.Context(db, config, phone, None, False)
    inbound._act = lambda ctx, body, parsed: answer
    inbound._limit = lambda db, config, ctx, phone, reply, queue_reply, outcome: (reply, "replied")


def send(app, requests: list) -> float:
    def start_response(status, headers, exc_info=None):
        assert status.startswith("200"), status
    started = time.perf_counter()
    for env, body in requests:
        b"".join(app({**env, "wsgi.input": io.BytesIO(body)}, start_response))
    return (time.perf_counter() - started) / len(requests) * 1000


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "menu"
    total = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 2000
    scenario = "sms" if kind == "sms" else "menu"
    with tempfile.TemporaryDirectory() as folder:
        app = build(kind, Path(folder))
        if "--no-reads" in sys.argv:
            without_reads()
            kind += " without reads"
        batches = [[environ(*vl.signed(scenario, i, f"{run}{os.getpid()}")) for i in range(total)]
                   for run in range(4)]      # new MessageSids each batch: no replays
        send(app, batches[0])                # warm up
        figures = [send(app, batch) for batch in batches[1:3]]
        print(f"{kind}: {min(figures):.3f} ms per request in the app (best of {len(figures)} × {total})")
        profile = cProfile.Profile()
        profile.runcall(send, app, batches[3])
        from hotline.domain import calls
        calls.flush()       # the call log's queued steps, while their database still exists
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
    print(out.getvalue())


if __name__ == "__main__":
    main()
