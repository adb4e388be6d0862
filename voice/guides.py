"""Menu 2: service guides read step by step (1 next, 2 repeat, 3 SMS, # main menu), SMS form on request."""
from __future__ import annotations

from functools import lru_cache

from twilio.twiml.voice_response import VoiceResponse

from hotline.domain import outbox, residents
from hotline.core import prompts, segments
from hotline.core.db import get_db

from voice import menus, steps
from voice.blueprint import bp
from voice.webhook import CallInput, call_webhook

GUIDES = ("vneid", "dvc", "qr", "lua_dao")
URL = "/voice/guides"


def list_menu() -> menus.Menu:
    options = [menus.Option(str(n), prompts.say(f"guides.{guide}.title"), guide,
                            tuple(prompts.raw(f"voice.words.{guide}")))
               for n, guide in enumerate(GUIDES, 1)]
    return menus.Menu("guides", URL, [prompts.say("voice.guides.intro")], options,
                      [prompts.say("voice.menu.repeat_hint")])


def step_menu(guide: str, number: int) -> menus.Menu:
    return _step_menu(guide, number, id(prompts.catalogue()))


@lru_cache(maxsize=256)
def _step_menu(guide: str, number: int, _catalogue: int) -> menus.Menu:
    """Built once per guide step and prompt catalogue: the same words for every caller."""
    lines = prompts.raw(f"guides.{guide}.steps")
    last = number >= len(lines)
    intro = [prompts.say("voice.guides.step", number=number), lines[number - 1]]
    if last:
        intro.append(prompts.say("voice.guides.finished"))
    forward = (menus.option("voice.guides.restart", "1", "restart", "again") if last
               else menus.option("voice.guides.next", "1", "next", "next"))
    return menus.Menu(f"guide.{guide}", menus.with_params(f"{URL}/{guide}", step=number), intro, [
        forward,
        menus.option("voice.guides.again", "2", "again", "again"),
        menus.option("voice.guides.send_sms", "3", "sms", "sms"),
    ], [prompts.say("voice.menu.repeat_hint")])


def send_sms(db, guide: str, phone: str, call_sid: str) -> bool:
    """Queue the guide's SMS form, worded as the SMS channel sends it; once per guide per call. True if queued."""
    body = prompts.sms(f"guides.{guide}.sms")
    resident = residents.by_phone(db, phone)
    queued = outbox.enqueue(db, "sms", phone, "guide", body=body, resident_id=resident and resident["id"],
                            ref=f"guide:{guide}", dedupe_key=f"guide:{guide}:{call_sid}",
                            segments=segments.count(body).segments)
    return queued is not None


@bp.post("/guides")
@call_webhook
def guides(call: CallInput):
    result = menus.handle(list_menu(), call)
    if isinstance(result, menus.Choice):
        return steps.go(call, menus.with_params(f"{URL}/{result.option.value}", step=1))
    return result


@bp.post("/guides/<guide>")
@call_webhook
def guide_step(call: CallInput, guide):
    if guide not in GUIDES:
        return steps.go(call, URL)
    number = min(max(1, call.number("step")), len(prompts.raw(f"guides.{guide}.steps")))
    menu = step_menu(guide, number)
    result = menus.handle(menu, call)
    if not isinstance(result, menus.Choice):
        return result
    value = result.option.value
    if value in ("next", "restart"):
        return steps.go(call, menus.with_params(f"{URL}/{guide}", step=1 if value == "restart" else number + 1))
    if value == "again":
        return menus.show(menu)
    if call.caller is None:
        lead = prompts.say("voice.guides.sms_no_number")
    elif send_sms(get_db(), guide, call.caller, call.call_sid):
        lead = prompts.say("voice.guides.sms_sent")
    else:
        lead = prompts.say("voice.guides.sms_already")
    return menus.show(menu, lead=[lead], intro=False, response=VoiceResponse())
