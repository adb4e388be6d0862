"""The voice channel's edge: a webhook verified, parsed once into a CallInput, and the view's answer sent as TwiML
(or, when a view fails, an apology).

Menus, call-outs and the officials' steps take a CallInput and return a VoiceResponse; none of them reads Flask's
request. The value says what happened on the line, not how a provider worded it: Twilio posts a form (CallSid,
From, Digits, RecordingUrl …); another carrier's webhooks are parsed into the same value.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import wraps
from types import MappingProxyType
from typing import Mapping
from urllib.parse import parse_qsl, urlsplit

from flask import Response, request
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from hotline.core import prompts
from hotline.core.phones import InvalidPhone, normalise
from hotline.web.webhooks import twilio_signed, twiml

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recorded:
    """What the caller said into a <Record>, kept by the provider until we fetch it."""
    sid: str
    url: str
    seconds: int = 0


@dataclass(frozen=True)
class CallInput:
    call_sid: str
    caller: str | None              # the resident on the line, E.164: who called us, or whom we called; None if withheld
    outbound: bool = False          # a call we placed (call-out, call-back)
    digits: str | None = None       # keys pressed; None when none were posted
    recording: Recorded | None = None
    status: str = ""                # the call's state on a status callback: completed, busy, no-answer …
    dial_status: str = ""           # how a <Dial> to the duty officer ended
    answered_by: str = ""           # human, machine_end_beep … on a call we placed
    duration: str | None = None     # the call's seconds, as the provider reported them
    query: Mapping[str, str] = field(default_factory=dict)    # our own URL's state: ev, n, code, v, a …
    hops: int = 0                   # routes answered in this one request (steps.go)

    @property
    def event(self) -> str | None:
        """What our own URL says happened: key, speech, silence; None when the route is just shown."""
        return self.query.get("ev")

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, default)

    def number(self, name: str) -> int:
        """A count or id from our URL's query: 0 for anything missing, garbled or negative."""
        return count(self.query.get(name))

    def at(self, url: str) -> CallInput:
        """The same call arriving at another of our routes with nothing pressed or said (steps.go)."""
        query = _frozen(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        return replace(self, query=query, digits=None, recording=None, hops=self.hops + 1)


def count(value) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def e164(raw: str | None) -> str | None:
    """A number as we store it, or None for a withheld one (Twilio posts "anonymous" or a placeholder)."""
    try:
        return normalise(raw or "")
    except InvalidPhone:
        return None


def from_twilio(args: Mapping[str, str], form: Mapping[str, str]) -> CallInput:
    """Twilio's form (and our URL's query) as a CallInput."""
    outbound = form.get("Direction", "inbound").startswith("outbound")
    digits = form.get("Digits")
    if digits == "hangup":          # a <Record> ended by hanging up, not by a key
        digits = None
    recording = None
    if form.get("RecordingSid") or form.get("RecordingUrl"):
        recording = Recorded(form.get("RecordingSid", ""), form.get("RecordingUrl", ""),
                              count(form.get("RecordingDuration")))
    return CallInput(call_sid=form.get("CallSid", ""), caller=e164(form.get("To" if outbound else "From")),
                     outbound=outbound, digits=digits, recording=recording, status=form.get("CallStatus", ""),
                     dial_status=form.get("DialCallStatus", ""), answered_by=form.get("AnsweredBy", ""),
                     duration=form.get("CallDuration"), query=_frozen(args.items()))


def call_webhook(view):
    """A voice route: the provider's signature checked (403 otherwise), the request parsed once into a CallInput
    that view(call, **url_values) takes, and the VoiceResponse it returns sent as TwiML."""

    @wraps(view)
    def parsed(**values):
        return _send(view(from_twilio(request.args, request.form), **values))

    parsed.answer = view        # steps.go answers a route in the same request, with a CallInput of its own
    return twilio_signed(parsed)


def _send(result):
    return twiml(result) if isinstance(result, VoiceResponse) else result


def apologise(error):
    """Every voice blueprint's error handler: a caller never hears a 500, which Twilio would answer with its
    own English message before hanging up. Said with <Say>, not the audio cache, which may be what failed."""
    if isinstance(error, HTTPException):
        return error
    log.exception("voice webhook %s failed", request.path)
    response = VoiceResponse()
    response.say(prompts.say("core.voice.sorry"), language="vi-VN")
    return Response(str(response), mimetype="text/xml")


def _frozen(pairs) -> Mapping[str, str]:
    return MappingProxyType(dict(pairs))
