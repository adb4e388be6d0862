"""Voice call-outs through Twilio's Calls API: place a call that fetches its TwiML from us, and look one up."""
from __future__ import annotations

from datetime import datetime

from hotline.core import clock
from hotline.sending import transports, twilio_api


class TwilioCalls:
    """Outbound calls through Twilio's REST API (the real SDK); SMS through Twilio is twilio_sms.TwilioSMS."""

    name = "twilio"

    def __init__(self, config):
        self.config, self.client = config, twilio_api.client(config, timeout=15)

    def place_call(self, to, url, status_callback=None):
        if not self.config["TWILIO_FROM"]:   # calls wait for the operator rather than fail
            raise transports.TransportError("set TWILIO_FROM (the caller ID)", "not_configured", transient=True)
        return twilio_api.call(lambda: self.client.calls.create(
            to=to, from_=self.config["TWILIO_FROM"], url=url, method="POST", status_callback=status_callback,
            status_callback_event=["initiated", "ringing", "answered", "completed"], status_callback_method="POST",
            machine_detection="DetectMessageEndpoint", timeout=30).sid)

    def find_call(self, to, since):
        calls = twilio_api.call(lambda: self.client.calls.list(to=to, start_time_after=_when(since), limit=20))
        return calls[0].sid if calls else None


def _when(since: str) -> datetime:
    return clock.parse(since).replace(microsecond=0)
