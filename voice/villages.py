"""Which village? Asked by keypad three villages a page, key 4 for the others, when a commune has more than four.

Residents' menus offer at most four choices, and most communes have 5 to 15 villages. Up to four, each
village keeps its own keypad number, as always. Past four, the villages go three a page in a stable
order (their keypad numbers, then the others by name) and 4 turns the page; the last page's 4 goes back
to the first. Every page understands every village's spoken name, so a caller who says it never pages.
"""
from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from hotline.domain import places
from hotline.core import prompts
from hotline.core.text import key

from voice import menus, steps
from voice.webhook import CallInput

KEYS = "1234"           # a resident's menu has four keys: three villages a page when they do not all fit, 4 turns it
TURN = "page"           # the value of that fourth key


def ordered(db) -> list[dict]:
    """Villages with a keypad number first, in its order, then the rest by name: the same order on every call."""
    return sorted(places.villages(db), key=lambda v: (v["keypad"] is None, v["keypad"] or 0, key(v["name"]), v["id"]))


def pages(villages: list[dict], keys: str = KEYS) -> list[list[tuple[str, dict]]]:
    """(digit, village) on each page. As many as there are keys share one page: a village keeps its keypad
    number when it is one of the keys, one without (or whose number another took first) gets the lowest free
    digit. More go a page at a time on all the keys but the last, which turns the page (residents: three and 4;
    officials, whose 9 is the whole commune: seven and 8)."""
    if len(villages) > len(keys):
        size = len(keys) - 1
        return [list(zip(keys, villages[start:start + size])) for start in range(0, len(villages), size)]
    own: dict[str, dict] = {}
    for v in villages:
        if str(v["keypad"]) in tuple(keys) and str(v["keypad"]) not in own:      # a digit, not "12" in "1234…"
            own[str(v["keypad"])] = v
    placed = {v["id"] for v in own.values()}
    rest = [v for v in villages if v["id"] not in placed]
    own.update(zip((d for d in keys if d not in own), rest))
    return [sorted(own.items(), key=lambda item: item[0])] if own else []


def menus_for(db, name: str, url: str, question: str, option_key: str) -> list[menus.Menu]:
    """Every page of the question, as menus. The question is said on the first page; option_key is the prompt
    that names a village; the page travels in the URL as p (left out on the first, so its URL is as before)."""
    villages = ordered(db)
    book = pages(villages)
    said = {v["id"]: menus.Option(d, prompts.say(option_key, village=v["name"]), str(v["id"]), (v["name"],))
            for page in book for d, v in page}
    result = []
    for number, page in enumerate(book or [[]], 1):
        options = [said[v["id"]] for _, v in page]
        if len(book) > 1:
            last = number == len(book)
            options.append(menus.option("voice.villages.first" if last else "voice.villages.more", KEYS[-1], TURN,
                                        "first_villages" if last else "more_villages"))
        here = {o.value for o in options}
        elsewhere = tuple(menus.Option("", "", o.value, o.words) for o in said.values() if o.value not in here)
        result.append(menus.Menu(name, page_url(url, number), [question] if number == 1 else [], options,
                                 understood=elsewhere))
    return result


def page_asked(count: int, call: CallInput) -> int:
    """The page this request is on (?p=, 1 when absent or not a number), wrapped into 1..count."""
    return (max(1, call.number("p")) - 1) % max(1, count) + 1


def page_url(url: str, number: int) -> str:
    return url if number <= 1 else menus.with_params(url, p=number)


def ask(db, call: CallInput, name: str, url: str, question: str, option_key: str) -> menus.Choice | VoiceResponse:
    """Show or answer the page the request is on: a Choice of a village (its id as value), or the TwiML to send
    (the next page, a repeat, a re-prompt, #, 0, goodbye: menus.handle's rules on every page)."""
    book = menus_for(db, name, url, question, option_key)
    number = page_asked(len(book), call)
    result = menus.handle(book[number - 1], call)
    if isinstance(result, menus.Choice) and result.option.value == TURN:
        return steps.go(call, page_url(url, number % len(book) + 1))
    return result


def spoken(db, name: str, url: str, question: str, option_key: str) -> list[str]:
    """What every page says, for `hotline prompts render`."""
    return [text for menu in menus_for(db, name, url, question, option_key) for text in menus.spoken(menu)]
