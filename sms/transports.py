"""SMS transports: Twilio's REST API and the commune's Android gateway (registered by name at import)."""
from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime, timedelta, timezone

import requests
from android_sms_gateway import APIClient, Message, MessagesQueryFilter, QueryPagination, TextMessage
from android_sms_gateway.errors import APIError
from android_sms_gateway.http import RequestsHttpClient
from twilio.base.exceptions import TwilioRestException

from hotline import twilio_api
from hotline.phones import mask
from hotline.text import nfc
from hotline.transports import SMS_TRANSPORTS, TransportError

from .inbound import allowed_destination

log = logging.getLogger(__name__)
CLOCK_SKEW = timedelta(seconds=5)    # the provider's clock against ours, for look-ups by time


def _check(config, to: str) -> None:
    if not allowed_destination(config, to):
        raise TransportError(f"{mask(to)}: country not in HOTLINE_SMS_ALLOWED_COUNTRIES", "country_not_allowed")


def _network(e: requests.RequestException) -> TransportError:
    """A timeout may hide a request the provider accepted: "timeout" makes the worker look it up, not resend."""
    code = "timeout" if isinstance(e, requests.Timeout) else "connection"
    return TransportError(type(e).__name__, code, transient=True)


def _since(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc) - CLOCK_SKEW


class TwilioSMS:
    """Twilio's Messages API through the real SDK; delivery reports come back to /sms/status."""

    name = "twilio"

    def __init__(self, config):
        self.config = config
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = twilio_api.client(self.config)
        return self._client

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> str:
        _check(self.config, to)
        params = {"to": to, "body": body, "status_callback": status_callback or self.config.absolute("/sms/status")}
        if self.config["TWILIO_MESSAGING_SERVICE_SID"]:
            params["messaging_service_sid"] = self.config["TWILIO_MESSAGING_SERVICE_SID"]
        elif self.config["TWILIO_FROM"]:
            params["from_"] = self.config["TWILIO_FROM"]
        else:
            raise TransportError("set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID", "not_configured", transient=True)
        try:
            return self.client.messages.create(**params).sid
        except TwilioRestException as e:
            transient = e.status == 429 or e.status >= 500
            raise TransportError(e.msg, str(e.code or e.status), transient=transient) from None
        except requests.RequestException as e:
            raise _network(e) from None

    def find_sms(self, to: str, body: str, since: str) -> str | None:
        """Look the message up by To and DateSent>, as the real API allows, and match the body."""
        wanted = nfc(body)
        try:
            for m in self.client.messages.list(to=to, date_sent_after=_since(since), limit=100):
                # A trial account prefixes its notice; Twilio never shortens a body.
                if (m.direction or "").startswith("outbound") and nfc(m.body or "").endswith(wanted):
                    return m.sid
        except TwilioRestException as e:
            raise TransportError(e.msg, str(e.code or e.status), transient=True) from None
        except requests.RequestException as e:
            raise _network(e) from None
        return None


class _TimeoutSession(requests.Session):
    """requests has no default timeout; a phone that dropped off the Wi-Fi must not hang the worker."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(*args, **kwargs)


class GatewaySMS:
    """"SMS Gateway for Android" in local-server mode, through its PyPI client (android-sms-gateway).

    Our message ids begin with a digest of (to, body), so find_sms can recognise a message it sent
    before a crash from the gateway's own list, which reports ids and recipients but not texts.
    """

    name = "android-gateway"

    def __init__(self, config):
        self.config = config
        self._client = None

    @property
    def client(self) -> APIClient:
        url, password = self.config["HOTLINE_GATEWAY_URL"], self.config["HOTLINE_GATEWAY_PASSWORD"]
        if not (url and password):
            raise TransportError("set HOTLINE_GATEWAY_URL and HOTLINE_GATEWAY_PASSWORD", "not_configured",
                                 transient=True)
        if self._client is None:
            http = RequestsHttpClient(_TimeoutSession(self.config.number("HOTLINE_GATEWAY_TIMEOUT")))
            self._client = APIClient(self.config["HOTLINE_GATEWAY_LOGIN"], password, base_url=url, http=http)
        return self._client

    @staticmethod
    def digest(to: str, body: str) -> str:
        return "ll" + hashlib.sha256(f"{to}\n{nfc(body)}".encode()).hexdigest()[:20]

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> str:
        """status_callback is not used: the app reports sms:sent/delivered/failed to /sms/gateway."""
        _check(self.config, to)
        message = Message(phone_numbers=[to], text_message=TextMessage(text=body), with_delivery_report=True,
                          id=self.digest(to, body) + uuid.uuid4().hex[:10])
        return self._call(lambda: self.client.send(message)).id

    def find_sms(self, to: str, body: str, since: str) -> str | None:
        prefix = self.digest(to, body)
        query = MessagesQueryFilter(from_=_since(since))
        try:
            states = self._call(lambda: self.client.get_messages(query=query, pagination=QueryPagination(limit=100)))
        except TransportError as e:
            if e.code == "404":      # an app too old to list messages: nothing to reconcile against
                log.warning("the gateway cannot list messages (update the app); resending may duplicate")
                return None
            raise
        for state in states:
            if state.id.startswith(prefix) and any(r.phone_number == to for r in state.recipients):
                return state.id
        return None

    @staticmethod
    def _call(fn):
        try:
            return fn()
        except APIError as e:
            status = e.status_code or 0
            if status in (401, 403):
                log.error("the gateway refused our login: check HOTLINE_GATEWAY_LOGIN / _PASSWORD")
            # Auth errors stay transient: messages wait for the operator to fix the password, not fail.
            transient = status in (401, 403, 408, 429) or status >= 500 or status == 0
            raise TransportError(str(e), str(status or "gateway"), transient=transient) from None
        except requests.RequestException as e:
            raise _network(e) from None


SMS_TRANSPORTS["twilio"] = TwilioSMS
SMS_TRANSPORTS["android-gateway"] = GatewaySMS
