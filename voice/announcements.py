"""Menu 4: the latest published announcements for the caller's village and the commune."""
from __future__ import annotations

from hotline.domain.officials import announcements
from hotline.core import prompts
from hotline.domain import residents
from hotline.core.db import get_db

from voice import menus
from voice.blueprint import bp
from voice.webhook import CallInput, call_webhook

URL = "/voice/announcements"


def menu(db, caller: str | None) -> menus.Menu:
    resident = residents.by_phone(db, caller) if caller else None
    latest = announcements.latest(db, resident["village_id"] if resident else None)
    intro = [prompts.say("voice.announcements.intro")] if latest else [prompts.say("voice.announcements.none")]
    for a in latest:
        intro.append(prompts.say("voice.announcements.from_village" if a["village_id"] else
                                 "voice.announcements.from_commune"))
        intro.append(menus.Recording(a.get("audio_path"), a.get("text")))
    return menus.Menu("announcements", URL, intro, [], [prompts.say("voice.menu.repeat_hint")])


@bp.post("/announcements")
@call_webhook
def announcements_menu(call: CallInput):
    return menus.handle(menu(get_db(), call.caller), call)
