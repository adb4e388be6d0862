"""SMS through Twilio's Messages API (the real SDK): send, look up, and read its webhooks."""
from __future__ import annotations

import uuid


from hotline.domain import inbox
from hotline.sending import twilio_api
from hotline.core.text import nfc
from hotline.sending.transports import TransportError

from hotline.domain.inbox import Message
from hotline.sending.sms_provider import check_destination, since_utc


class TwilioSMS:
    """Delivery reports come back to /sms/status as Twilio's StatusCallback."""

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
        check_destination(self.config, to)
        params = {"to": to, "body": body, "status_callback": status_callback or self.config.absolute("/sms/status")}
        if self.config["TWILIO_MESSAGING_SERVICE_SID"]:
            params["messaging_service_sid"] = self.config["TWILIO_MESSAGING_SERVICE_SID"]
        elif self.config["TWILIO_FROM"]:
            params["from_"] = self.config["TWILIO_FROM"]
        else:
            raise TransportError("set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID", "not_configured", transient=True)
        return twilio_api.call(lambda: self.client.messages.create(**params)).sid

    def find_sms(self, to: str, body: str, since: str) -> str | None:
        """Look the message up by To and DateSent>, as the real API allows, and match the body."""
        wanted = nfc(body)
        for m in twilio_api.call(lambda: self.client.messages.list(to=to, date_sent_after=since_utc(since), limit=100)):
            # A trial account prefixes its notice; Twilio never shortens a body.
            if (m.direction or "").startswith("outbound") and nfc(m.body or "").endswith(wanted):
                return m.sid
        return None

    @staticmethod
    def parse_inbound(form) -> Message:
        """An inbound SMS webhook's form → a message (MessageSid is the idempotency key)."""
        sid = form.get("MessageSid") or form.get("SmsSid") or f"missing-{uuid.uuid4().hex}"
        return Message("twilio", sid, form.get("From", ""), form.get("To"), form.get("Body", ""))

    @staticmethod
    def parse_status(form) -> tuple[str, str, str | None, str | None] | None:
        """A StatusCallback → (message sid, outbox state, error code, error), or None if unusable."""
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        state = inbox.TWILIO_STATES.get(form.get("MessageStatus") or form.get("SmsStatus") or "")
        if not sid or state is None:
            return None
        return sid, state, form.get("ErrorCode") or None, form.get("ErrorMessage") or None

