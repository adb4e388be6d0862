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

from hotline.domain import inbox
from hotline.core.db import get_db

from sms import inbound
from hotline.sending.android_gateway import STATES, GatewaySMS
from sms.routes import bp

log = logging.getLogger(__name__)


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
    # Bytes, not str: compare_digest refuses non-ASCII text, and a forged header may hold any.
    return hmac.compare_digest(sign(key, body, timestamp).encode(), signature.strip().lower().encode("utf-8"))


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


def parse_event(body: bytes) -> tuple[str, object]:
    """(kind, payload) of a signed body; ValueError with the reason for anything the app could never fix by
    sending it again: not JSON, nested past Python's recursion limit, lone surrogates, wrong types."""
    try:
        event = json.loads(body)
    except RecursionError:
        raise ValueError("malformed event: nested too deeply") from None
    except ValueError:          # not UTF-8, not JSON, an integer of more digits than Python converts
        raise ValueError("malformed event: not JSON") from None
    if not isinstance(event, dict) or not GatewaySMS.is_text(event.get("event")):
        raise ValueError("malformed event: no event name")
    return event["event"], event.get("payload") or {}


@bp.post("/gateway")
@gateway_signed
def gateway():
    """400 for what can never be handled: the app retries any other failure (503) until it succeeds."""
    try:
        kind, payload = parse_event(request.get_data(cache=True))
        if kind == "sms:received":
            message = GatewaySMS.parse_inbound(payload)
        elif kind in STATES:
            report = GatewaySMS.parse_status(kind, payload)
        else:       # system:ping, mms:… : acknowledged so the app stops retrying
            return jsonify(ok=True, ignored=kind)
    except ValueError as e:
        return jsonify(ok=False, error=str(e)), 400
    if kind == "sms:received":
        result = inbound.receive(get_db(), current_app.config, message, queue_reply=True,
                                 hooks=current_app.extensions["sms.hooks"])
        return jsonify(ok=True, command=result.command, reply=result.reply_status, replayed=result.replayed)
    inbox.delivery_report(get_db(), *report)
    return jsonify(ok=True)
