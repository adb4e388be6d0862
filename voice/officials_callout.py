"""The call-out that plays a published announcement to a resident (the worker places it; Twilio fetches this)."""
from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from hotline.domain.officials import announcements
from hotline.core import prompts
from hotline.core.db import get_db

from voice import menus, tts
from voice.officials_session import bp
from voice.webhook import CallInput, call_webhook

AGAIN_TIMEOUT_S = 5


@bp.post("/announcement/<int:announcement_id>")
@call_webhook
def callout(call: CallInput, announcement_id: int):
    db = get_db()
    row = announcements.get(db, announcement_id)
    response = VoiceResponse()
    if not row or row["status"] != "published":
        tts.speak(response, prompts.say("officials.callout.gone"))
        response.hangup()
        return response
    again = call.event == "again"
    if again and call.digits != "1":
        tts.speak(response, prompts.say("officials.callout.thanks"))
        response.hangup()
        return response
    if not again:
        tts.speak(response, prompts.say("officials.callout.intro", who=announcements.author_name(db, row),
                                        place=announcements.audience_name(db, row["village_id"])))
    menus.say(response, menus.Recording(row["audio_path"], row["text"]))
    gather = response.gather(input="dtmf", num_digits=1, timeout=AGAIN_TIMEOUT_S, finish_on_key="",
                             action=menus.with_params(f"/voice/announcement/{announcement_id}", ev="again"))
    tts.speak(gather, prompts.say("officials.callout.again"))
    tts.speak(response, prompts.say("officials.callout.thanks"))
    response.hangup()
    return response
