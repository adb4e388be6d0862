"""Key 0: the duty officer in office hours (<Dial>), otherwise or unanswered a voicemail of up to 60 s."""
from __future__ import annotations

import logging
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain import calls, residents, voicemail
from hotline.core import prompts
from hotline.core.db import get_db
from hotline.core.phones import InvalidPhone, normalise
from hotline.sending.voicemail_fetch import fetch_later

from voice import tts
from voice.blueprint import bp
from voice.webhook import CallInput, Recorded, call_webhook

log = logging.getLogger(__name__)
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPAN = re.compile(r"^(\w{3})(?:-(\w{3}))?\s+(.+)$")


def office_hours(spec: str) -> dict[int, list[tuple[time, time]]]:
    """"Mon-Fri 07:30-11:30,13:30-17:00; Sat 07:30-11:30" → {weekday: [(start, end), …]}."""
    hours: dict[int, list] = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        m = _SPAN.match(part)
        if not m or m.group(1).lower() not in DAYS or (m.group(2) and m.group(2).lower() not in DAYS):
            raise ValueError(f"office hours: cannot read {part!r}")
        first = DAYS.index(m.group(1).lower())
        last = DAYS.index(m.group(2).lower()) if m.group(2) else first
        spans = [tuple(_clock(t) for t in span.strip().split("-")) for span in m.group(3).split(",")]
        for day in range(first, last + 1):
            hours.setdefault(day, []).extend(spans)
    return hours


def _clock(text: str) -> time:
    """"07:30" → 07:30; "24:00" is the end of the day, so a duty round the clock is "Mon-Sun 00:00-24:00"."""
    text = text.strip()
    return time.max if text == "24:00" else time.fromisoformat(text)


def is_open(config, at: datetime | None = None) -> bool:
    local = (at or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(config["HOTLINE_TIMEZONE"]))
    try:
        spans = office_hours(config["HOTLINE_OFFICE_HOURS"]).get(local.weekday(), [])
    except ValueError as e:  # a typo in the setting: callers still reach voicemail, and the log says why
        log.error("%s", e)
        return False
    return any(start <= local.time() < end for start, end in spans)


def duty_numbers(config) -> list[str]:
    numbers = []
    for raw in filter(None, (n.strip() for n in config["HOTLINE_DUTY_NUMBERS"].split(","))):
        try:
            numbers.append(normalise(raw))
        except InvalidPhone:
            log.error("HOTLINE_DUTY_NUMBERS has an invalid number; it is skipped")
    return numbers


def leave_voicemail(response: VoiceResponse) -> VoiceResponse:
    tts.speak(response, prompts.say("voice.operator.voicemail"))
    response.record(max_length=voicemail.LONGEST_SECONDS, play_beep=True, timeout=5, finish_on_key="#",
                    action="/voice/operator/voicemail")
    # An empty recording does not call the action: Twilio goes on here.
    tts.speak(response, prompts.say("voice.operator.no_message"))
    response.hangup()
    return response


@bp.post("/operator")
@call_webhook
def operator(call: CallInput):
    config, response = current_app.config, VoiceResponse()
    numbers = duty_numbers(config)
    is_in_hours = is_open(config)
    calls.step(get_db(), call.call_sid, "operator", "dial" if numbers and is_in_hours else "closed")
    if not (numbers and is_in_hours):
        tts.speak(response, prompts.say("voice.operator.closed"))
        return leave_voicemail(response)
    tts.speak(response, prompts.say("voice.operator.connecting"))
    dial = response.dial(timeout=int(config.number("HOTLINE_DIAL_TIMEOUT")), action="/voice/operator/dialled",
                         caller_id=config["TWILIO_FROM"] or None)
    for number in numbers:     # rung together; the first to answer takes the call
        dial.number(number)
    return response


@bp.post("/operator/dialled")
@call_webhook
def dialled(call: CallInput):
    response = VoiceResponse()
    calls.step(get_db(), call.call_sid, "operator", "dialled", call.dial_status)
    if call.dial_status == "completed":
        tts.speak(response, prompts.say("voice.operator.finished"))
        response.hangup()
        return response
    tts.speak(response, prompts.say("voice.operator.no_answer"))
    return leave_voicemail(response)


@bp.post("/operator/voicemail")
@call_webhook
def voicemail_saved(call: CallInput):
    db, config = get_db(), current_app.config
    recording = call.recording or Recorded("", "")
    resident = residents.by_phone(db, call.caller) if call.caller else None
    sid = recording.sid or call.call_sid
    vm_id = voicemail.record(db, call.call_sid, call.caller or "", resident and resident["id"], sid, recording.url,
                             min(recording.seconds, voicemail.LONGEST_SECONDS))
    calls.step(db, call.call_sid, "operator", "voicemail", f"voicemail:{vm_id}")
    fetch_later(config, vm_id, recording.sid, recording.url)
    response = VoiceResponse()
    tts.speak(response, prompts.say("voice.operator.saved"))
    response.hangup()
    return response
