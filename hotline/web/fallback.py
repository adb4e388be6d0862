"""The static fallback: TwiML files that answer callers when the main app is down.

They are built from prompts/fallback.toml and served by something that is not the app (the TLS
proxy, a Twilio TwiML Bin, or fallback/serve.py), so they work when the app or its database does not.
"""
from __future__ import annotations

from pathlib import Path

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from hotline.core import prompts


def voice_twiml(duty_numbers: list[str]) -> str:
    response = VoiceResponse()
    response.say(prompts.say("fallback.voice"), language="vi-VN")
    if duty_numbers:
        response.say(prompts.say("fallback.voice_dial"), language="vi-VN")
        dial = response.dial(timeout=25)
        for number in duty_numbers:
            dial.number(number)
    response.say(prompts.say("fallback.goodbye"), language="vi-VN")
    response.hangup()
    return str(response)


def sms_twiml() -> str:
    response = MessagingResponse()
    response.message(prompts.say("fallback.sms"))
    return str(response)


def build(target: str | Path, duty_numbers: list[str]) -> list[Path]:
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("voice.xml", voice_twiml(duty_numbers)), ("sms.xml", sms_twiml())):
        path = target / name
        path.write_text(text, "utf-8")
        written.append(path)
    return written
