"""From one step of a call to the next: in the same response (go), or by a <Redirect> only the provider can follow.

Each request is a pause on the line. A key that moves the caller on, or acts, is answered by the next step
there and then: go() calls the route that would have answered the <Redirect>, with the same call and nothing
pressed, and sends its document. Every action and redirect URL in our documents is a path of ours, so a
document means the same wherever the provider fetched it from.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from hotline.web.webhooks import Compiled, xml
from voice import tts
from voice.webhook import CallInput

MAX_HOPS = 8                # routes one request may answer: more would be a loop, a bug rather than a caller
_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Response>'


def go(call: CallInput, url: str, lead: list[str] = ()) -> VoiceResponse:
    """What our route at `url` answers, sent now instead of a <Redirect> to it: one round trip where a redirect
    costs two. `lead` is said first and in full, outside the next step's <Gather> (no key cuts it short)."""
    result = None
    if call.hops < MAX_HOPS:
        try:
            endpoint, values = current_app.url_map.bind("hotline").match(urlsplit(url).path, method="POST")
        except HTTPException:      # not a route of ours (a bug): the provider is sent there, and refused
            endpoint = None
        answer = getattr(current_app.view_functions.get(endpoint), "answer", None)     # voice.webhook.call_webhook
        if answer is not None:
            result = answer(call.at(url), **values)
    if result is None:
        result = redirect(url)
    return then(lead, result) if lead else result


def then(lead: list[str], result: VoiceResponse) -> Compiled:
    """The lead words, then the whole of another document (which may be a menu sent from memory)."""
    first = VoiceResponse()
    for text in lead:
        tts.speak(first, text)
    return Compiled(_HEAD + _body(xml(first)) + _body(xml(result)) + "</Response>")


def _body(document: str) -> str:
    """The verbs of a document webhooks.xml wrote: between <Response> and </Response>; nothing if it is empty."""
    if not document.startswith(_HEAD):
        return ""
    return document[len(_HEAD):-len("</Response>")]


@lru_cache(maxsize=1024)
def redirect(url: str) -> Compiled:
    """A bare <Redirect> to one of our own routes (relative: no setting in it), written once per URL."""
    response = VoiceResponse()
    response.redirect(url)
    return Compiled(xml(response))
