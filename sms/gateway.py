"""The Android gateway's webhooks (POST /sms/gateway): signed with HMAC-SHA256, fresh, never replayed.

The app ("SMS Gateway for Android", local-server mode) signs each request: X-Signature = hex
HMAC-SHA256(signing key, raw body + X-Timestamp), X-Timestamp = Unix seconds. A request counts only
with a valid signature, a timestamp within HOTLINE_GATEWAY_MAX_SKEW seconds, and a signature not
seen before (a captured request posted again is refused, even inside the window).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from functools import wraps

from flask import abort, current_app, jsonify, request

from hotline import inbox
from hotline.db import get_db

from . import inbound
from .routes import bp

log = logging.getLogger(__name__)
STATES = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}


def sign(key: str, body: bytes, timestamp: str) -> str:
    return hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def verify(key: str, body: bytes, timestamp: str, signature: str, max_skew: float, now: float | None = None) -> bool:
    if not (key and timestamp and signature):
        return False
    try:
        age = (now if now is not None else time.time()) - int(timestamp)
    except ValueError:
        return False
    if abs(age) > max_skew:
        return False
    return hmac.compare_digest(sign(key, body, timestamp), signature.strip().lower())


def gateway_signed(view):
    """403 and no side effect unless the gateway's signature is valid, fresh and new."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        config = current_app.config
        skew = config.number("HOTLINE_GATEWAY_MAX_SKEW")
        signature = request.headers.get("X-Signature", "")
        body = request.get_data(cache=True)
        if not verify(config["HOTLINE_GATEWAY_SIGNING_KEY"], body, request.headers.get("X-Timestamp", ""),
                      signature, skew):
            log.warning("rejected gateway request: missing, wrong or stale signature")
            abort(403)
        if inbox.signature_seen(get_db(), signature.strip().lower(), skew):
            log.warning("rejected gateway request: signature already used (replay)")
            abort(403)
        return view(*args, **kwargs)

    wrapper.webhook = "gateway"
    return wrapper


@bp.post("/gateway")
@gateway_signed
def gateway():
    try:
        event = json.loads(request.get_data(cache=True))
        kind, payload = event["event"], event.get("payload") or {}
        if not isinstance(payload, dict):
            raise TypeError("payload")
    except (ValueError, KeyError, TypeError):
        return jsonify(ok=False, error="malformed event"), 400
    if kind == "sms:received":
        return received(payload)
    if kind in STATES:
        if not payload.get("messageId"):
            return jsonify(ok=False, error="messageId missing"), 400
        failed = kind == "sms:failed"
        inbox.delivery_report(get_db(), payload["messageId"], STATES[kind], "gateway_failed" if failed else None,
                              payload.get("reason") if failed else None)
        return jsonify(ok=True)
    return jsonify(ok=True, ignored=kind)      # system:ping, mms:… : acknowledged so the app stops retrying


def received(payload: dict):
    if not payload.get("phoneNumber") or "message" not in payload:
        return jsonify(ok=False, error="phoneNumber and message are required"), 400
    # The app's messageId is derived from the content and repeats when someone sends the same text
    # twice, so the key adds the sender and the time received (both fixed across the app's retries).
    key = f"{payload.get('messageId', '')}:{payload['phoneNumber']}:{payload.get('receivedAt', '')}"
    message = inbound.Message("android-gateway", key, str(payload["phoneNumber"]), None, str(payload["message"] or ""))
    result = inbound.receive(get_db(), current_app.config, message, queue_reply=True)
    return jsonify(ok=True, command=result.command, reply=result.reply_status, replayed=result.replayed)
