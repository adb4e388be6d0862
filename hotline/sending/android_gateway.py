""""SMS Gateway for Android" in local-server mode, through its PyPI client: send, look up, read its events."""
from __future__ import annotations

import hashlib
import logging
import uuid

import requests
from android_sms_gateway import APIClient, Message as GatewayMessage, MessagesQueryFilter, QueryPagination, TextMessage
from android_sms_gateway.errors import APIError
from android_sms_gateway.http import RequestsHttpClient

from hotline.core.text import nfc
from hotline.sending.transports import TransportError, network_error

from hotline.domain.inbox import Message
from hotline.sending.sms_provider import check_destination, since_utc

log = logging.getLogger(__name__)
STATES = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}


class _TimeoutSession(requests.Session):
    """requests has no default timeout; a phone that dropped off the Wi-Fi must not hang the worker."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(*args, **kwargs)


class GatewaySMS:
    """Our message ids begin with a digest of (to, body), so find_sms can recognise a message it sent
    before a crash in the gateway's own list, which reports ids and recipients but not texts.
    Delivery reports arrive as sms:sent / sms:delivered / sms:failed webhooks at /sms/gateway.
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
        """status_callback is not used: the app reports to the webhooks registered on it."""
        check_destination(self.config, to)
        message = GatewayMessage(phone_numbers=[to], text_message=TextMessage(text=body), with_delivery_report=True,
                                 id=self.digest(to, body) + uuid.uuid4().hex[:10])
        return self._do(lambda: self.client.send(message)).id

    def find_sms(self, to: str, body: str, since: str) -> str | None:
        prefix = self.digest(to, body)
        query = MessagesQueryFilter(from_=since_utc(since))
        try:
            states = self._do(lambda: self.client.get_messages(query=query, pagination=QueryPagination(limit=100)))
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
    def is_text(value) -> bool:
        """A JSON string we can store: JSON's \\ud800 escapes give lone surrogates, which UTF-8 cannot hold."""
        if not isinstance(value, str):
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True

    @classmethod
    def _fields(cls, payload, required: tuple, optional: tuple = ()) -> dict:
        """The named fields as text; ValueError naming the first one missing or of the wrong type."""
        if not isinstance(payload, dict):
            raise ValueError("payload is not an object")
        for name in required + optional:
            if payload.get(name) is not None and not cls.is_text(payload[name]):
                raise ValueError(f"{name} is not text")
        for name in required:       # an empty SMS is still a message; an empty sender or id is none
            if name not in payload or (name != "message" and not payload[name]):
                raise ValueError(f"{name} is required")
        return {name: payload.get(name) for name in required + optional}

    @classmethod
    def parse_inbound(cls, payload: dict) -> Message:
        """An sms:received payload → a message; ValueError when the sender or the text is missing or not text."""
        fields = cls._fields(payload, ("phoneNumber", "message"), ("messageId", "receivedAt"))
        # The app derives messageId from the text, so it repeats when someone sends the same words
        # twice: the key adds the sender and the time received (both fixed across the app's retries).
        key = f"{fields['messageId'] or ''}:{fields['phoneNumber']}:{fields['receivedAt'] or ''}"
        return Message("android-gateway", key, fields["phoneNumber"], None, fields["message"] or "")

    @classmethod
    def parse_status(cls, event: str, payload: dict) -> tuple[str, str, str | None, str | None]:
        """An sms:sent/delivered/failed event → (message id, outbox state, error code, error)."""
        fields = cls._fields(payload, ("messageId",), ("reason",))
        failed = event == "sms:failed"
        return (fields["messageId"], STATES[event], "gateway_failed" if failed else None,
                fields["reason"] if failed else None)

    @staticmethod
    def _do(fn):
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
            raise network_error(e) from None
