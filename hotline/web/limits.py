"""How much a sender may send us: every request body is capped before it is read (docs/security.md).

The cap is set on the request before anything reads its body: a Content-Length over it is refused with 413
without reading a byte, and a chunked body (no length) is read up to the cap and refused with 413 past it.
"""
from __future__ import annotations

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

KB = 1024
VOICE_BYTES = 16 * KB        # /voice/*: Twilio's call parameters are about 2 KB
# /sms/*: Twilio's longest Body is 1,600 characters; one of 4 UTF-8 bytes, percent-encoded, is 12
# bytes, so 19.2 KB, plus the other parameters. The gateway's JSON (\uXXXX escapes) is smaller.
SMS_BYTES = 32 * KB
FORM_BYTES = 64 * KB         # admin forms and the browser simulator
UPLOAD_BYTES = 2 * KB * KB   # the residents register as CSV (about 20,000 rows)

UPLOADS = {"admin.residents_import"}


def body_limit(path: str, endpoint: str | None) -> int:
    if path.startswith("/voice/"):
        return VOICE_BYTES
    if path.startswith("/sms/"):
        return SMS_BYTES
    return UPLOAD_BYTES if endpoint in UPLOADS else FORM_BYTES


def cap_body() -> None:
    """before_request, first of all: the limit for this route; a declared length over it is refused at once,
    before any check reads a byte (a signed request included: its signature covers the body)."""
    limit = request.max_content_length = body_limit(request.path, request.endpoint)
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge()
    elif request.environ.get("wsgi.input_terminated"):
        # Chunked, no length: werkzeug's stream stops at the cap but returns what it read, so a body cut there
        # would pass for the whole one. Read it now (at most the cap): anything after it is a 413.
        if len(request.get_data(cache=True)) >= limit:
            request.stream.read(1)        # past the cap: werkzeug raises RequestEntityTooLarge
