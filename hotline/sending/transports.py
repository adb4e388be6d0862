"""Transports: how an outbox row leaves the machine. Which ones exist is listed in hotline.app."""
from __future__ import annotations

import uuid
from typing import Protocol

import requests


class Transport(Protocol):
    name: str

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> str:
        """Hand the SMS to the provider; returns the provider's id."""

    def place_call(self, to: str, url: str, status_callback: str | None = None) -> str:
        """Start an outbound call that fetches its TwiML from url; returns the provider's id."""

    def find_sms(self, to: str, body: str, since: str) -> str | None:
        """The provider id of an SMS to `to` with this body accepted since `since`, if any.

        The worker asks before resending a row it claimed but never confirmed (a crash between
        the provider's accept and our commit), so a restart never sends twice.
        """

    def find_call(self, to: str, since: str) -> str | None:
        """The same look-up for calls."""


class TransportError(Exception):
    """A send that failed. transient=True means retry later (429, 5xx, timeouts)."""

    def __init__(self, message: str, code: str | None = None, transient: bool = False):
        super().__init__(message)
        self.code, self.transient = code, transient


def network_error(e: requests.RequestException) -> TransportError:
    """A timeout may hide a request the provider accepted: "timeout" makes the worker look it up, not resend."""
    code = "timeout" if isinstance(e, requests.Timeout) else "connection"
    return TransportError(type(e).__name__, code, transient=True)


class LocalTransport:
    """HOTLINE_SMS_TRANSPORT=outbox: nothing leaves the machine; rows stay listable with `hotline outbox`."""

    name = "outbox"

    def __init__(self, config=None):
        self.config = config

    def send_sms(self, to, body, status_callback=None):
        return f"local-{uuid.uuid4().hex}"

    def place_call(self, to, url, status_callback=None):
        return f"local-{uuid.uuid4().hex}"

    def find_sms(self, to, body, since):
        return None  # nothing left the machine, so nothing can have been half-sent

    def find_call(self, to, since):
        return None


def pick(known: dict, name: str, setting: str):
    """The transport class called `name` (a setting's value), or a clear error naming the ones there are."""
    if name not in known:
        raise KeyError(f"unknown {setting} {name!r}; known: {', '.join(sorted(known))}")
    return known[name]
