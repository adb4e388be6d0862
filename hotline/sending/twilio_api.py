"""The real Twilio REST client, pointed at HOTLINE_TWILIO_API_URL when set (a local fake in tests)."""
from __future__ import annotations

import re

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from hotline.sending.transports import TransportError, network_error

_TWILIO_HOST = re.compile(r"^https://[a-z0-9.\-]*twilio\.com")


class RebasedHttpClient(TwilioHttpClient):
    """Sends what the SDK would send to https://*.twilio.com to base_url instead, path unchanged."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        return super().request(method, rebase(url, self.base_url), *args, **kwargs)


def rebase(url: str, base_url: str | None) -> str:
    return _TWILIO_HOST.sub(base_url.rstrip("/"), url) if base_url else url


def client(config, timeout: float = 10.0) -> Client:
    base = config["HOTLINE_TWILIO_API_URL"]
    http = RebasedHttpClient(base, timeout) if base else TwilioHttpClient(timeout=timeout)
    return Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], http_client=http)


def call(request_fn):
    """Run one REST request: Twilio's refusals and network failures become TransportErrors (429, 5xx and
    the network are transient: the worker retries or looks the message up)."""
    try:
        return request_fn()
    except TwilioRestException as e:
        transient = e.status == 429 or e.status >= 500
        raise TransportError(e.msg, str(e.code or e.status), transient=transient) from None
    except requests.RequestException as e:
        raise network_error(e) from None
