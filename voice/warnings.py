"""Menu 1: warnings for the caller's village, said first when one is active; registration by phone."""
from __future__ import annotations

from flask import request
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain import alerts, calls, places, residents
from hotline.core import prompts
from hotline.core.db import get_db
from hotline.web.webhooks import twilio_signed, twiml

from voice import menus, villages
from voice.blueprint import bp

URL = "/voice/warnings"


def spoken_alerts(db, village_id: int | None) -> list:
    """Each active warning: the official's recording when there is one, else its text."""
    items = []
    for alert in alerts.active_for_village(db, village_id):
        items.append(menus.Recording(alert.get("audio_path"), alert["text"]))
    return items


def warn_first(response: VoiceResponse, db, resident) -> bool:
    """A registered caller whose village has an active warning hears it before anything else."""
    if not resident or not resident["village_id"]:
        return False
    items = spoken_alerts(db, resident["village_id"])
    if not items:
        return False
    menus.say(response, prompts.say("voice.warning_intro"))
    for item in items:
        menus.say(response, item)
    calls.set_outcome(db, request.form.get("CallSid", ""), "warning_heard")
    return True


def village_question() -> tuple:
    """An unknown caller's "which village?" (voice/villages.py pages it past four villages)."""
    return "warnings.village", URL, prompts.say("voice.warnings.ask_village"), "voice.warnings.village_option"


def _village_alerts_menu(db, village: dict, offer: bool) -> menus.Menu:
    items = spoken_alerts(db, village["id"]) or [prompts.say("voice.warnings.none", village=village["name"])]
    url = menus.with_params(f"{URL}/village", v=village["id"])
    if offer:
        return menus.Menu("warnings.register", url, [*items, prompts.say("voice.warnings.offer_register",
                                                                          village=village["name"])], [
            menus.option("voice.warnings.register_yes", "1", "yes", "yes"),
            menus.option("voice.warnings.register_no", "2", "no", "no")])
    return menus.Menu("warnings", url, items, [menus.option("voice.warnings.again", "1", "again", "again")],
                      [prompts.say("voice.menu.repeat_hint")])


@bp.post("/warnings")
@twilio_signed
def warnings_menu():
    db = get_db()
    resident = residents.by_phone(db, menus.caller())
    if resident and resident["village_id"]:
        village = places.village(db, resident["village_id"])
        return twiml(_answer(db, village, _village_alerts_menu(db, village, offer=False)))
    result = villages.ask(db, *village_question())
    if isinstance(result, menus.Choice):
        return twiml(menus.redirect(menus.with_params(f"{URL}/village", v=result.option.value)))
    return twiml(result)


@bp.post("/warnings/village")
@twilio_signed
def village_warnings():
    db = get_db()
    village = places.village(db, menus.number(request.args.get("v")))
    if village is None:
        return twiml(menus.redirect(URL))
    resident = residents.by_phone(db, menus.caller())
    offer = not (resident and resident["village_id"]) and menus.has_number(menus.caller())
    return twiml(_answer(db, village, _village_alerts_menu(db, village, offer)))


def _answer(db, village, menu: menus.Menu):
    result = menus.handle(menu)
    if not isinstance(result, menus.Choice):
        return result
    value = result.option.value
    if value == "again":
        return menus.show(menu)
    response = VoiceResponse()
    if value == "yes":
        residents.register(db, menus.caller(), "phone", village_id=village["id"])
        calls.set_outcome(db, request.form.get("CallSid", ""), "registered")
        menus.say(response, prompts.say("voice.warnings.registered", village=village["name"]))
    else:
        menus.say(response, prompts.say("voice.warnings.not_registered"))
    return menus.redirect(menus.MAIN_URL, response)
