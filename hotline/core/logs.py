"""Logging that never writes a phone number in full or a secret."""
from __future__ import annotations

import logging
import re

from hotline.core.phones import mask

# E.164 numbers (also URL-encoded, as in a logged request line: %2B84…), and Vietnamese numbers
# written nationally (0xxxxxxxxx) or as 84xxxxxxxxx, with optional separators.
_PHONE = re.compile(r"(?:(?:\+|%2B)\d[\d\s.\-]{7,15}\d|(?<![\w])(?:0\d{8,10}|84\d{9,10}))(?!\d)", re.I)
_secrets: set[str] = set()
_installed = False


def register_secret(value: str | None) -> None:
    """A value that must never appear in a log line (auth tokens, gateway passwords)."""
    if value and len(value) >= 6:
        _secrets.add(value)


def scrub(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "[secret]")
    return _PHONE.sub(lambda m: mask(re.sub(r"[\s.\-]|%2B", "", m.group(0), flags=re.I)), text)


def install(level: str = "INFO") -> None:
    """Mask at record creation, so every handler (files, pytest's capture, twilio's logger) sees masked text."""
    global _installed
    if not _installed:
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            record = previous(*args, **kwargs)
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a malformed log call: keep it visible, masked
                message = f"{record.msg!r} {record.args!r}"
            record.msg, record.args = scrub(message), ()
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The twilio client logs whole requests (numbers, bodies) at INFO.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
