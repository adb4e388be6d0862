"""The edge where providers call us: one signature check for every webhook, and TwiML responses."""
from __future__ import annotations

import hmac
import json
import logging
from functools import wraps

from flask import Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from hotline.core.text import NOT_XML

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
        if not signature or not _valid(current_app.config.auth_token(), signed_url(), signature):
            log.warning("rejected unsigned or badly signed request to %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    wrapper.webhook = "twilio"
    return wrapper


def _valid(token: str, url: str, signature: str) -> bool:
    """Twilio's check: the exact URL first (one HMAC, what Twilio sends us), then the validator's port variants."""
    validator = RequestValidator(token)
    if hmac.compare_digest(validator.compute_signature(url, request.form).encode(), signature.encode()):
        return True
    return validator.validate(url, request.form, signature)


def sign(config, url: str, params: dict) -> str:
    """The signature Twilio would send for this URL and form: used by the simulators."""
    return RequestValidator(config.auth_token()).compute_signature(url, params)


def twiml(response) -> Response:
    return Response(xml(response).encode("utf-8", "xmlcharrefreplace"), mimetype="text/xml")


# The twilio helper serialises through ElementTree, which costs more than the rest of a menu step. This writes
# the same bytes from the same TwiML objects (tests compare it with `str(response)` on generated trees), except
# that characters XML forbids are dropped wherever the text came from (an alert, a transcript, a name): one of
# them would make Twilio refuse the menu for every caller. Dropping them in the same pass costs nothing more.
_DROP = dict.fromkeys(NOT_XML)
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                            "\r": "&#13;", "\n": "&#10;", "\t": "&#09;", **_DROP})
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **_DROP})


class Compiled(VoiceResponse):
    """A finished document, serialised once and sent as is (menus said the same way every time)."""

    def __init__(self, document: str):
        super().__init__()
        self.document = document

    def to_xml(self, xml_declaration=True):
        return self.document if xml_declaration else self.document.split("?>", 1)[1]

    def nest(self, verb):
        raise TypeError("a compiled document is final: build a new VoiceResponse to add verbs")


def xml(node) -> str:
    """`str(node)` for a twilio TwiML tree: the XML declaration and the document, as ElementTree writes it."""
    if isinstance(node, Compiled):
        return node.document
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    _element(node, out)
    return "".join(out)


def _element(node, out: list) -> None:
    text = node.value or None
    if isinstance(text, dict):
        text = json.dumps(text)
    children: list[list] = []                    # [node, tail]: a string verb is the text or the last child's tail
    for verb in node.verbs:
        if isinstance(verb, str):
            if children:
                children[-1][1] = verb
            else:
                text = verb
        else:
            children.append([verb, None])
    out.append("<" + node.name)
    for name in sorted(node.attrs):
        value = node.attrs[name]
        value = str(value).lower() if isinstance(value, bool) else str(value)
        out.append(f' {name}="{value.translate(_ATTRIBUTE)}"')
    if not (text or children):
        out.append(" />")
        return
    out.append(">")
    if text:
        out.append(text.translate(_TEXT))
    for child, tail in children:
        _element(child, out)
        if tail:
            out.append(tail.translate(_TEXT))
    out.append(f"</{node.name}>")
