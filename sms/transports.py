"""SMS transports, registered by name in hotline.sending.transports.SMS_TRANSPORTS when the channel is imported.

Each has one small interface: send_sms → provider id; find_sms (the worker's look-up after a
crash); parse_inbound → an inbound Message; parse_status → (provider id, outbox state, error).
"""
from __future__ import annotations

from hotline.sending.transports import SMS_TRANSPORTS

from hotline.sending.android_gateway import GatewaySMS
from hotline.sending.twilio_sms import TwilioSMS

SMS_TRANSPORTS["twilio"] = TwilioSMS
SMS_TRANSPORTS["android-gateway"] = GatewaySMS

__all__ = ["GatewaySMS", "TwilioSMS"]
