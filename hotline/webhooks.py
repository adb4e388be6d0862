"""The edge where providers call us: one signature check for every webhook, and TwiML responses."""
from __future__ import annotations

import logging
from functools import wraps

from flask import Response, abort, current_app, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def signed_url() -> str:
    """The URL Twilio signed: our public base (as Twilio sees it, behind any TLS proxy) + path + query."""
    url = current_app.config.public_url + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


def twilio_signed(view):
    """403 and no side effect unless X-Twilio-Signature matches HOTLINE_PUBLIC_URL + path + form."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(current_app.config.auth_token())
        if not signature or not validator.validate(signed_url(), request.form, signature):
            log.warning("rejected unsigned or badly signed request to %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    wrapper.webhook = "twilio"
    return wrapper


def sign(config, url: str, params: dict) -> str:
    """The signature Twilio would send for this URL and form: used by the simulators."""
    return RequestValidator(config.auth_token()).compute_signature(url, params)


def twiml(response) -> Response:
    return Response(str(response), mimetype="text/xml")
