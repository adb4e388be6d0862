"""Menu 1: warnings for the caller's village, said first when one is active; registration by phone."""
from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from hotline.domain import alerts, calls, places, residents
from hotline.core import prompts
from hotline.core.db import get_db

from voice import menus, steps, villages
from voice.blueprint import bp
from voice.webhook import CallInput, call_webhook

URL = "/voice/warnings"


def spoken_alerts(db, village_id: int | None) -> list:
    """Each active warning: the official's recording when there is one, else its text."""
    items = []
    for alert in alerts.active_for_village(db, village_id):
        items.append(menus.Recording(alert.get("audio_path"), alert["text"]))
    return items


def warn_first(response: VoiceResponse, db, resident, call: CallInput) -> bool:
    """A registered caller whose village has an active warning hears it before anything else."""
    if not resident or not resident["village_id"]:
        return False
    items = spoken_alerts(db, resident["village_id"])
    if not items:
        return False
    menus.say(response, prompts.say("voice.warning_intro"))
    for item in items:
        menus.say(response, item)
    calls.set_outcome(db, call.call_sid, "warning_heard")
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
@call_webhook
def warnings_menu(call: CallInput):
    db = get_db()
    resident = residents.by_phone(db, call.caller) if call.caller else None
    if resident and resident["village_id"]:
        village = places.village(db, resident["village_id"])
        return _answer(db, call, village, _village_alerts_menu(db, village, offer=False))
    result = villages.ask(db, call, *village_question())
    if isinstance(result, menus.Choice):
        return steps.go(call, menus.with_params(f"{URL}/village", v=result.option.value))
    return result


@bp.post("/warnings/village")
@call_webhook
def village_warnings(call: CallInput):
    db = get_db()
    village = places.village(db, call.number("v"))
    if village is None:
        return steps.go(call, URL)
    resident = residents.by_phone(db, call.caller) if call.caller else None
    offer = not (resident and resident["village_id"]) and call.caller is not None
    return _answer(db, call, village, _village_alerts_menu(db, village, offer))


def _answer(db, call: CallInput, village, menu: menus.Menu):
    result = menus.handle(menu, call)
    if not isinstance(result, menus.Choice):
        return result
    value = result.option.value
    if value == "again":
        return menus.show(menu)
    if value == "yes":
        residents.register(db, call.caller, "phone", village_id=village["id"])
        calls.set_outcome(db, call.call_sid, "registered")
        said = prompts.say("voice.warnings.registered", village=village["name"])
    else:
        said = prompts.say("voice.warnings.not_registered")
    return steps.go(call, menus.MAIN_URL, lead=[said])
