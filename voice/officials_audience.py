"""Whom a recorded announcement is for, by keypad: 9 the whole commune, or one of the villages the official may address.

Only those villages are offered, in the order residents hear them (voice/villages.py). Up to eight share one
page and keep their keypad number when it is 1-8 (the demo commune's 1-4, as officials know them); one without,
or past 8, takes the lowest free digit. More than eight (a chairman in a large commune): seven a page, 8 for
the others, the last page's 8 back to the first; 9 is the whole commune on every page. A village head with one
village still hears it named and presses 1, so the keys officials have learned stay the same. The choice is
checked again by announcements.update_draft: a key or page made up by hand never reaches another village.
An official given no village (and not the commune) is told so and whom to ask, and is back at their menu.
"""
from __future__ import annotations

import logging

from hotline.domain.officials import announcements, permissions
from hotline.domain import officials, places
from hotline.core import prompts
from hotline.core.db import get_db

from voice import menus, steps, villages
from voice.officials_session import MENU_URL, acting, answer, bp, invalid, retry, say_then, with_draft
from voice.webhook import CallInput, call_webhook

log = logging.getLogger(__name__)
COMMUNE_KEY = "9"           # the whole commune, on every page, for those who may address it
VILLAGE_KEYS = "12345678"   # the last one turns the page when the villages do not fit on one


def book(db, me: dict) -> list[list[tuple[str, dict]]]:
    """The pages of (digit, village) this official is offered: only the villages they may address."""
    allowed = {v["id"] for v in officials.addressable_villages(db, me["id"])}
    return villages.pages([v for v in villages.ordered(db) if v["id"] in allowed], VILLAGE_KEYS)


def first_village(db, me: dict) -> int | None:
    """A new draft's village: the first one the official hears offered (None: the commune, or nothing offered)."""
    if me["commune_wide"]:
        return None
    pages = book(db, me)
    return pages[0][0][1]["id"] if pages else None


def addresses_nobody(db, me: dict) -> bool:
    """Neither the whole commune nor any village: nothing to offer, the chairman must assign a village first."""
    return not me["commune_wide"] and not book(db, me)


def lines(me: dict, pages: list, number: int) -> list[str]:
    """What page `number` says: the question (first page only), the whole commune, its villages, the turn."""
    texts = [prompts.say("officials.voice.audience")] if number == 1 else []
    if me["commune_wide"]:
        texts.append(prompts.say("officials.voice.audience_commune"))
    texts += [prompts.say("officials.voice.audience_village", village=v["name"], digit=d)
              for d, v in (pages[number - 1] if pages else [])]
    if len(pages) > 1:
        turn = "voice.villages.first" if number == len(pages) else "voice.villages.more"
        texts.append(prompts.say("voice.menu.option", action=prompts.say(turn), digit=VILLAGE_KEYS[-1]))
    return texts


@bp.post("/officials/audience")
@call_webhook
@with_draft
def audience(call: CallInput, me, row):
    db = get_db()
    pages = book(db, me)
    if not pages and not me["commune_wide"]:
        # Their villages were taken away after they recorded: no question without choices; nothing is sent.
        announcements.cancel(db, row["id"], actor=acting(me))
        log.info("official #%s may address no village: draft #%s dropped", me["id"], row["id"])
        return say_then(call, [prompts.say("officials.voice.no_village"), prompts.say("officials.voice.cancelled")],
                        MENU_URL)
    number = villages.page_asked(len(pages), call)
    url = page_url(row, number)
    texts = lines(me, pages, number)
    again, key, failures = answer(call, url, texts)
    if again is not None:
        return again
    if len(pages) > 1 and key == VILLAGE_KEYS[-1]:
        return steps.go(call, page_url(row, number % len(pages) + 1))
    offered = dict(pages[number - 1]) if pages else {}
    if key == COMMUNE_KEY:
        village_id = None
    elif key in offered:
        village_id = offered[key]["id"]
    else:
        # Not on this page. A village's own keypad number gets its name in the refusal, as before; nothing
        # off the page is ever chosen, even a village this official may address.
        other = places.village_by_keypad(db, int(key)) if key.isdigit() else None
        if other is None or officials.may_address(db, me["id"], other["id"]):
            return retry(url, texts, failures + 1, invalid())
        village_id = other["id"]
    try:
        announcements.update_draft(db, row["id"], village_id=village_id, actor=acting(me))
    except permissions.Forbidden:
        place = announcements.audience_name(db, village_id)
        log.info("official #%s may not address %s", me["id"], "the commune" if village_id is None else village_id)
        return retry(url, texts, failures + 1, prompts.say("officials.voice.not_allowed", place=place))
    return steps.go(call, menus.with_params("/voice/officials/kind", a=row["id"]))


def page_url(row: dict, number: int) -> str:
    """The first page's URL is as it always was; later ones carry p."""
    return menus.with_params("/voice/officials/audience", a=row["id"], p=number if number > 1 else None)
