"""What the officials' phone menus say that is known ahead, for `hotline prompts render` (voice.render.SOURCES).

Their fixed lines and every menu's options, and the lines made from the registry and the villages: each
enabled official's welcome and audience pages (the way voice.villages.spoken gives residents' village pages),
each place's confirmation and refusal. Never what changes with each call: a PIN, a count, the recorded words.
"""
from __future__ import annotations

from hotline.domain.officials import announcements
from hotline.domain import officials, places
from hotline.core import prompts

from voice import menus
from voice.officials import menu_options
from voice.officials_approve import approve_options
from voice.officials_audience import book, lines
from voice.officials_publish import kind_options, send_options
from voice.officials_record import record_prompt, review_options

LEVELS = range(1, 6)       # disaster risk levels, as the level question asks them


def spoken_texts(db, config) -> list[str]:
    found = [v for k, v in prompts.catalogue().items() if k.startswith(("officials.voice.", "officials.callout."))
             and isinstance(v, str) and not prompts.placeholders(v)]
    found += [record_prompt(config),
              _say("pin_locked", minutes=int(config.number("HOTLINE_PIN_LOCK_MINUTES")))]
    options = [*menu_options(True), *review_options(), *kind_options(), *send_options("announcement"),
               *send_options("warning"), *approve_options()]
    found += [menus.option_line(o) for o in options]
    for village_id in [None, *(v["id"] for v in places.villages(db))]:
        place = announcements.audience_name(db, village_id)
        found += [_say("not_allowed", place=place), _say("confirm_announcement", place=place)]
        found += [_say("confirm_warning", level=level, place=place) for level in LEVELS]
    for me in officials.listing(db, include_disabled=False):
        pages = book(db, me)
        found.append(_say("welcome", name=me["name"]))
        found += [text for number in range(1, max(1, len(pages)) + 1) for text in lines(me, pages, number)]
    return found


def _say(key: str, **values) -> str:
    return prompts.say(f"officials.voice.{key}", **values)
