"""A fake "SMS Gateway for Android" in local-server mode, on 127.0.0.1, for the real PyPI client.

It checks what the app's local server checks (basic auth; exactly one message type, a non-empty
text and recipients; simNumber >= 1), answers in its JSON shapes (202 + message state), lists
messages by time, keeps webhook registrations, and builds the webhooks the app would post to us,
signed the app's way: X-Signature = hex HMAC-SHA256(key, body + X-Timestamp).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import deque
from datetime import datetime, timezone

from flask import Flask, jsonify, request
from werkzeug.serving import make_server


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds")


class FakeGateway:
    def __init__(self, login: str = "sms", password: str = "gateway-pass-123", signing_key: str = "sign-key-4567"):
        self.login, self.password, self.signing_key = login, password, signing_key
        self.messages: list[dict] = []
        self.webhooks: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.failures: deque = deque()
        self.lock = threading.Lock()
        self.app = self._build()
        self.server = None

    # --- control -------------------------------------------------------------------------
    def start(self) -> "FakeGateway":
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        self.failures.extend([status] * count)

    def sent_to(self, number: str) -> list[dict]:
        return [m for m in self.messages if number in m["phoneNumbers"]]

    def signed(self, event: str, payload: dict, timestamp: int | None = None, key: str | None = None):
        """(raw body, headers) of a webhook the app would post for event."""
        body = json.dumps({"deviceId": "ffffffffceb0b1db0000018e937c815b", "event": event,
                           "id": uuid.uuid4().hex[:21], "payload": payload, "webhookId": "loalang"}).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        mac = hmac.new((key or self.signing_key).encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
        return body, {"Content-Type": "application/json", "X-Signature": mac, "X-Timestamp": stamp}

    def sms_received(self, phone: str, text: str, message_id: str | None = None, **kwargs):
        payload = {"messageId": message_id or uuid.uuid4().hex[:16], "message": text, "phoneNumber": phone,
                   "simNumber": 1, "receivedAt": "2026-11-25T20:46:11.000+07:00"}
        return self.signed("sms:received", payload, **kwargs)

    def status_event(self, message_id: str, event: str, reason: str | None = None):
        """sms:sent / sms:delivered / sms:failed for a message this fake accepted."""
        message = next(m for m in self.messages if m["id"] == message_id)
        field = {"sms:sent": "sentAt", "sms:delivered": "deliveredAt", "sms:failed": "failedAt"}[event]
        payload = {"messageId": message_id, "phoneNumber": message["phoneNumbers"][0], "simNumber": 1,
                   field: _iso(time.time())}
        if reason:
            payload["reason"] = reason
        return self.signed(event, payload)

    # --- the local server's API ----------------------------------------------------------
    def _build(self) -> Flask:
        app = Flask("fake_gateway")
        fake = self

        @app.before_request
        def authenticate():
            fake.requests.append((request.method, request.full_path.rstrip("?")))
            if request.path == "/health":
                return None
            auth = request.authorization
            if not auth or auth.username != fake.login or auth.password != fake.password:
                return jsonify(message="Unauthorized"), 401
            if request.method == "POST" and fake.failures:
                return jsonify(message="Injected failure"), fake.failures.popleft()

        @app.get("/health")
        def health():
            return jsonify(status="pass", version="1.40.0", releaseId=40, checks={})

        @app.post("/messages")
        @app.post("/message")
        def send():
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                return jsonify(message="invalid JSON"), 400
            kinds = [k for k in ("textMessage", "dataMessage", "message", "mmsMessage") if body.get(k) is not None]
            if len(kinds) != 1:
                return jsonify(message="Must specify exactly one of: textMessage, dataMessage, mmsMessage, or message"), 400
            text = body["textMessage"].get("text") if kinds == ["textMessage"] else body.get("message")
            if not text:
                return jsonify(message="Text message is empty"), 400
            if not body.get("phoneNumbers"):
                return jsonify(message="phoneNumbers is empty"), 400
            if body.get("simNumber") is not None and body["simNumber"] < 1:
                return jsonify(message="simNumber must be >= 1"), 400
            with fake.lock:
                now = time.time()
                message = {"id": body.get("id") or uuid.uuid4().hex[:21], "text": text,
                           "phoneNumbers": list(body["phoneNumbers"]), "state": "Pending", "created": now,
                           "withDeliveryReport": body.get("withDeliveryReport", True), "priority": body.get("priority")}
                if any(m["id"] == message["id"] for m in fake.messages):
                    return jsonify(message="message with this id already exists"), 409
                fake.messages.append(message)
            return jsonify(fake._state(message)), 202

        @app.get("/messages")
        @app.get("/message")
        def listing():
            since = request.args.get("from")
            start = datetime.fromisoformat(since).timestamp() if since else 0
            limit, offset = int(request.args.get("limit", 50)), int(request.args.get("offset", 0))
            rows = sorted((m for m in fake.messages if m["created"] >= start), key=lambda m: -m["created"])
            return jsonify([fake._state(m) for m in rows[offset:offset + limit]]), 200, {"X-Total-Count": str(len(rows))}

        @app.get("/messages/<mid>")
        @app.get("/message/<mid>")
        def state(mid):
            message = next((m for m in fake.messages if m["id"] == mid), None)
            return (jsonify(fake._state(message)), 200) if message else ("", 404)

        @app.get("/webhooks")
        def webhooks():
            return jsonify(list(fake.webhooks.values()))

        @app.post("/webhooks")
        def add_webhook():
            body = request.get_json(silent=True) or {}
            if not body.get("url") or not body.get("event"):
                return jsonify(message="url and event are required"), 400
            hook = {"id": body.get("id") or uuid.uuid4().hex[:21], "url": body["url"], "event": body["event"]}
            fake.webhooks[hook["id"]] = hook
            return jsonify(hook), 201

        @app.delete("/webhooks/<hook_id>")
        def delete_webhook(hook_id):
            fake.webhooks.pop(hook_id, None)
            return "", 204

        return app

    @staticmethod
    def _state(m: dict) -> dict:
        return {"id": m["id"], "deviceId": "ffffffffceb0b1db0000018e937c815b", "state": m["state"],
                "isHashed": False, "isEncrypted": False,
                "recipients": [{"phoneNumber": p, "state": m["state"], "error": None} for p in m["phoneNumbers"]],
                "states": {m["state"]: _iso(m["created"])}}
