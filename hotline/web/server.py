"""`hotline serve`: gunicorn with pre-forked workers, each serving one request at a time.

Why processes and not threads: a webhook reads and writes SQLite, and every SQLite call lets go of
Python's GIL. With a thread per request (waitress, 8 threads) those hand-overs became the cost: an SMS
request measured about 75 context switches and 2.5–3 ms of CPU in the server, against 0.6 ms of work,
and the SMS p99 was 10–20× a bare endpoint's. One request per process keeps the GIL uncontended, so a
request costs what its work costs (docs/benchmarks.md). Threads per worker (--threads > 1) remain for
deployments that expect many slow speech steps (each downloads a recording from Twilio).

Workers are plain WSGI processes behind nginx or caddy (docs/operations.md), which buffer slow
clients, as gunicorn's sync workers expect.
"""
from __future__ import annotations

import gc
import os

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """Two per core: one can wait on the disk or the network while the other computes."""
    return max(2, 2 * (os.cpu_count() or 1))


class Server(BaseApplication):
    """The app factory under gunicorn: each worker builds its own app and connections; the speech model was
    loaded by the parent before the fork (`hotline serve`), so the workers share its memory."""

    def __init__(self, factory, options: dict):
        """factory: () -> the Flask app (hotline.app.create_app), called in each worker."""
        self.factory, self.options = factory, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:        # control_socket_disable is newer than some gunicorns
                self.cfg.set(key, value)

    def load(self):
        app = self.factory()
        # Everything loaded so far (Flask, twilio, phonenumbers' metadata, the prompt catalogue) lives as
        # long as the worker: out of the garbage collector's sight, its full collections stay short.
        gc.freeze()
        return app


def options(host: str, port: int, workers: int, threads: int, log_level: str) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": 60,              # a speech step may download a recording; Twilio itself gives up at 15 s
        "graceful_timeout": 20,     # SIGTERM: finish the requests in hand, flush the call log, exit
        "accesslog": None,          # request lines hold numbers in query strings; our own logs are masked
        "errorlog": "-",
        "loglevel": log_level.lower(),
        "proc_name": "loa-lang",
        "control_socket_disable": True,     # gunicorn 27's control socket would be a file in $HOME
        # Workers' heartbeat files: in memory, and writable under systemd's ProtectSystem=strict.
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
    }


def run(factory, host: str, port: int, workers: int, threads: int, log_level: str) -> None:
    Server(factory, options(host, port, workers, threads, log_level)).run()
