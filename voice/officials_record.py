"""Recording an announcement: after the beep, kept locally as 8 kHz mono WAV, listened back; the worker transcribes
it (hotline/sending/transcripts.py)."""
from __future__ import annotations

import logging
import uuid
from pathlib import Path

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain.officials import announcements, permissions
from hotline.core import private, prompts
from hotline.core.db import get_db
from hotline.speech import audio
from hotline.sending import recordings

from voice import menus, steps, tts
from voice.officials_audience import first_village
from voice.officials_session import MENU_URL, acting, bp, draft, official, say_then, session_lost, with_draft
from voice.webhook import CallInput, Recorded, call_webhook

log = logging.getLogger(__name__)
RECORD_URL = "/voice/officials/record"
SILENCE_S = 10          # this long without a word ends the recording, as # does
MAX_EMPTY = 2           # empty recordings before we go back to the officials' menu


@bp.post("/officials/record")
@call_webhook
def record(call: CallInput):
    if official(call) is None:
        return session_lost(call)
    config, draft_id = current_app.config, call.query.get("a")
    empties = call.number("n")
    seconds = int(config.number("HOTLINE_RECORDING_SECONDS"))
    response = VoiceResponse()
    tts.speak(response, record_prompt(config))
    response.record(max_length=seconds, finish_on_key="#", play_beep=True, timeout=SILENCE_S, trim="trim-silence",
                    action=menus.with_params("/voice/officials/recorded", a=draft_id))
    # Reached only when nothing was recorded: Twilio does not call the action of an empty recording.
    tts.speak(response, prompts.say("officials.voice.record_empty"))
    again = menus.with_params(RECORD_URL, a=draft_id, n=empties + 1)
    response.redirect(MENU_URL if empties + 1 >= MAX_EMPTY else again)
    return response


@bp.post("/officials/recorded")
@call_webhook
def recorded(call: CallInput):
    me = official(call)
    if me is None:
        return session_lost(call)
    config, db = current_app.config, get_db()
    recording = call.recording or Recorded("", "")
    try:
        wav = audio.to_wav_8k(recordings.download(config, recording.sid, recording.url,
                                                  seconds=config.number("HOTLINE_RECORDING_SECONDS")))
        seconds = audio.duration(wav)
    except audio.AudioError as e:
        log.warning("announcement recording not kept: %s", e)
        return say_then(call, [prompts.say("officials.voice.download_failed")], MENU_URL)
    path = _keep(config, wav)
    previous = draft(me, call)  # a re-recording replaces the draft named in ?a=
    try:
        if previous:
            announcements.update_draft(db, previous["id"], audio_path=str(path), duration_s=round(seconds),
                                       actor=acting(me))
            _forget(previous["audio_path"])
            announcement_id = previous["id"]
        else:
            announcement_id = announcements.create(db, me["id"], first_village(db, me), str(path),
                                                   duration_s=round(seconds), actor=acting(me))
    except permissions.Forbidden as refused:   # their role or villages changed during the call: nothing is kept
        _forget(str(path))
        words = "no_village" if refused.reason in ("village", "commune") else "not_your_role"
        return say_then(call, [prompts.say(f"officials.voice.{words}")], MENU_URL)
    return steps.go(call, menus.with_params("/voice/officials/review", a=announcement_id))


@bp.post("/officials/review")
@call_webhook
@with_draft
def review(call: CallInput, me, row):
    """Listen back (again on *), then publish, record again or cancel."""
    intro = [prompts.say("officials.voice.listen_back"), menus.Recording(row["audio_path"], row["text"])]
    menu = menus.Menu("officials.review", menus.with_params("/voice/officials/review", a=row["id"]), intro,
                      review_options(), [prompts.say("officials.voice.listen_again")])
    result = menus.handle(menu, call)
    if isinstance(result, VoiceResponse):
        return result
    choice = result.option.value
    if choice == "cancel":
        announcements.cancel(get_db(), row["id"], actor=acting(me))
        return say_then(call, [prompts.say("officials.voice.cancelled")], MENU_URL)
    target = "/voice/officials/audience" if choice == "publish" else RECORD_URL
    return steps.go(call, menus.with_params(target, a=row["id"]))


def record_prompt(config) -> str:
    """"After the beep …", with the longest recording in whole minutes."""
    return prompts.say("officials.voice.record", minutes=max(1, round(config.number("HOTLINE_RECORDING_SECONDS") / 60)))


def review_options() -> list[menus.Option]:
    return [menus.Option("1", prompts.say("officials.voice.publish"), "publish"),
            menus.Option("2", prompts.say("officials.voice.rerecord"), "rerecord"),
            menus.Option("3", prompts.say("officials.voice.cancel"), "cancel")]


def _keep(config, wav: bytes) -> Path:
    """Our own copy: the product must not depend on Twilio keeping the recording."""
    folder = config.path("HOTLINE_INSTANCE").resolve() / "recordings" / "announcements"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.wav"
    private.write(path, wav)
    return path


def _forget(path: str | None) -> None:
    if path and Path(path).is_file():
        Path(path).unlink()

