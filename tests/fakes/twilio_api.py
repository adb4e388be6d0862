"""A fake Twilio REST API on 127.0.0.1 that the real twilio client talks to (HOTLINE_TWILIO_API_URL).

It checks basic auth and required fields like the real API, answers in Twilio's JSON shapes,
supports the look-ups the exactly-once reconciliation needs (Messages and Calls by To and time),
can enforce a send rate (429 / 20429 above it), and can be told to fail.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from datetime import datetime, timezone
from email.utils import format_datetime

from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

API = "/2010-04-01/Accounts/<account>"


def _rfc2822(ts: float) -> str:
    return format_datetime(datetime.fromtimestamp(ts, timezone.utc), usegmt=True)


def _iso(value: str) -> float:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


class FakeTwilio:
    def __init__(self, account_sid: str = "AC" + "1" * 32, auth_token: str = "fake-token-0123456789",
                 rate: float | None = None, call_rate: float | None = None):
        # Like Twilio, messages (MPS) and calls (CPS) are limited separately.
        self.account_sid, self.auth_token, self.rate, self.call_rate = account_sid, auth_token, rate, call_rate
        self.messages: list[dict] = []
        self.calls: list[dict] = []
        self.recordings: dict[str, tuple[bytes, str]] = {}
        self.drip: dict[str, float] = {}     # recording sid -> seconds between repeats of its bytes, sent forever
        self.requests: list[tuple[str, str]] = []
        self.invalid_numbers: set[str] = set()
        self.unsubscribed: set[str] = set()
        self.failures: deque = deque()       # (http status, twilio code) answered before the next creates
        self.accepted_times: deque = deque()
        self.accepted_calls: deque = deque()
        self.latency = 0.0                   # seconds between creating a message/call and answering (crash window)
        self.lock = threading.Lock()
        self.app = self._build()
        self.server = None

    # --- control -------------------------------------------------------------------------
    def start(self) -> "FakeTwilio":
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        # A short poll: shutdown() waits for the loop to look again (half a second at the default, every test).
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def fail_next(self, count: int = 1, status: int = 500, code: int = 20500) -> None:
        self.failures.extend([(status, code)] * count)

    def add_recording(self, sid: str, audio: bytes, content_type: str = "audio/x-wav") -> str:
        """Store audio and return the RecordingUrl Twilio would send (without extension)."""
        self.recordings[sid] = (audio, content_type)
        return f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}"

    def sent_to(self, number: str) -> list[dict]:
        return [m for m in self.messages if m["to"] == number]

    # --- the API -------------------------------------------------------------------------
    def _build(self) -> Flask:
        app = Flask("fake_twilio")
        fake = self

        @app.before_request
        def authenticate():
            fake.requests.append((request.method, request.path))
            auth = request.authorization
            if not auth or auth.username != fake.account_sid or auth.password != fake.auth_token:
                return fake._error(401, 20003, "Authenticate")
            if request.view_args and request.view_args.get("account") not in (None, fake.account_sid):
                return fake._error(404, 20404, "The requested resource was not found")

        @app.post(f"{API}/Messages.json")
        def create_message(account):
            form = request.form
            if not form.get("To") or not form.get("Body"):
                return fake._error(400, 21604, "A 'To' phone number and a 'Body' are required.")
            if not (form.get("From") or form.get("MessagingServiceSid")):
                return fake._error(400, 21603, "A 'From' phone number is required.")
            refused = fake._refuse(form["To"])
            if refused:
                return refused
            with fake.lock:
                now = time.time()
                message = {"sid": "SM" + uuid.uuid4().hex, "account_sid": account, "to": form["To"],
                           "from": form.get("From") or "", "messaging_service_sid": form.get("MessagingServiceSid"),
                           "body": form["Body"], "status": "queued", "num_segments": "1", "direction": "outbound-api",
                           "status_callback": form.get("StatusCallback"), "created": now,
                           "date_created": _rfc2822(now), "date_sent": _rfc2822(now), "date_updated": _rfc2822(now),
                           "error_code": None, "error_message": None, "api_version": "2010-04-01"}
                fake.messages.append(message)
            time.sleep(fake.latency)
            return fake._resource(message, 201)

        @app.get(f"{API}/Messages.json")
        def list_messages(account):
            rows = fake._filter(fake.messages, "DateSent")
            return jsonify(fake._page("messages", rows))

        @app.get(f"{API}/Messages/<sid>.json")
        def fetch_message(account, sid):
            return fake._find(fake.messages, sid)

        @app.post(f"{API}/Calls.json")
        def create_call(account):
            form = request.form
            if not form.get("To") or not form.get("From"):
                return fake._error(400, 21201, "A 'To' and a 'From' phone number are required.")
            if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
                return fake._error(400, 21205, "Url parameter is required.")
            refused = fake._refuse(form["To"], calls=True)
            if refused:
                return refused
            with fake.lock:
                now = time.time()
                call = {"sid": "CA" + uuid.uuid4().hex, "account_sid": account, "to": form["To"],
                        "from": form["From"], "url": form.get("Url"), "status": "queued",
                        "status_callback": form.get("StatusCallback"),
                        "machine_detection": form.get("MachineDetection"), "created": now,
                        "start_time": _rfc2822(now), "date_created": _rfc2822(now), "direction": "outbound-api",
                        "api_version": "2010-04-01"}
                fake.calls.append(call)
            time.sleep(fake.latency)
            return fake._resource(call, 201)

        @app.get(f"{API}/Calls.json")
        def list_calls(account):
            return jsonify(fake._page("calls", fake._filter(fake.calls, "StartTime")))

        @app.get(f"{API}/Calls/<sid>.json")
        def fetch_call(account, sid):
            return fake._find(fake.calls, sid)

        @app.get(f"{API}/Recordings/<name>")
        def recording(account, name):
            sid = name.split(".")[0]
            if sid not in fake.recordings:
                return fake._error(404, 20404, "The requested resource was not found")
            audio, content_type = fake.recordings[sid]
            if sid in fake.drip:             # a server that never stops sending (and gives no length)
                def drip():
                    while True:
                        yield audio
                        time.sleep(fake.drip[sid])
                return Response(drip(), content_type=content_type)
            return Response(audio, content_type=content_type)

        @app.delete(f"{API}/Recordings/<name>")
        def delete_recording(account, name):     # Twilio's DELETE Recording: 204, then it is gone
            fake.recordings.pop(name.split(".")[0], None)
            return Response(status=204)

        return app

    def _refuse(self, to: str, calls: bool = False):
        """Forced failures, rate limit, invalid and unsubscribed numbers, in Twilio's codes."""
        rate, accepted = (self.call_rate, self.accepted_calls) if calls else (self.rate, self.accepted_times)
        with self.lock:
            if self.failures:
                status, code = self.failures.popleft()
                return self._error(status, code, "Injected failure")
            if rate:
                now = time.monotonic()
                while accepted and now - accepted[0] > 1.0:
                    accepted.popleft()
                if len(accepted) >= rate:
                    return self._error(429, 20429, "Too Many Requests")
                accepted.append(now)
        if to in self.invalid_numbers or not to.startswith("+"):
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self.unsubscribed and not calls:     # 21610 is Messaging's: a STOP does not block calls
            return self._error(400, 21610, "Attempt to send to unsubscribed recipient")
        return None

    def _filter(self, rows: list[dict], time_field: str) -> list[dict]:
        args = request.args
        out = [r for r in rows if not args.get("To") or r["to"] == args["To"]]
        if args.get(f"{time_field}>"):
            out = [r for r in out if r["created"] >= _iso(args[f"{time_field}>"])]
        if args.get(f"{time_field}<"):
            out = [r for r in out if r["created"] <= _iso(args[f"{time_field}<"])]
        return sorted(out, key=lambda r: r["created"], reverse=True)

    def _page(self, key: str, rows: list[dict]) -> dict:
        size = int(request.args.get("PageSize", 50))
        return {key: [self._public(r) for r in rows[:size]], "page": 0, "page_size": size, "start": 0,
                "end": min(size, len(rows)) - 1, "uri": request.full_path, "first_page_uri": request.full_path,
                "next_page_uri": None, "previous_page_uri": None}

    def _find(self, rows, sid):
        for row in rows:
            if row["sid"] == sid:
                return self._resource(row, 200)
        return self._error(404, 20404, "The requested resource was not found")

    @staticmethod
    def _public(row: dict) -> dict:
        return {k: v for k, v in row.items() if k != "created"}

    def _resource(self, row, status):
        return jsonify(self._public(row)), status

    @staticmethod
    def _error(status: int, code: int, message: str):
        body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status}
        return jsonify(body), status
