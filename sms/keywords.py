"""Accent-blind keywords: accented, unaccented, abbreviated and one-typo forms are all understood.

The forms live in prompts/keywords.toml. A message's first one to three words are squashed (accents,
case and spaces gone, d with stroke = d) and compared with every form; forms of four or more letters forgive
one typo (a wrong, missing, extra or swapped letter) — except forms that are everyday words and
count only as the whole message ("DUNG"): a typo of those ("DANG") is someone else's word.
Exact beats typo, then the longer match.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from hotline.core import prompts
from hotline.core.text import distance, nfc, squash

WORD = re.compile(r"\w+")
MAX_SPAN = 3
TYPO_MIN_LETTERS = 4
CODE_COMMANDS = ("lessons", "cancel")    # HOC <code> may be typed glued: "HOCVN3"


@dataclass(frozen=True)
class Command:
    name: str                       # a [command] of keywords.toml, or "unknown" / "empty"
    args: tuple[str, ...] = ()      # the words after the keyword, as written (NFC, punctuation dropped)
    typo: bool = False


@lru_cache(maxsize=None)
def _forms(section: str) -> dict[str, str]:
    """Squashed form -> name, for keywords.<section>.<name> lists."""
    prefix = f"keywords.{section}."
    forms: dict[str, str] = {}
    for k, values in prompts.catalogue().items():
        if k.startswith(prefix):
            for form in values:
                forms.setdefault(squash(form), k[len(prefix):])
    return forms


@lru_cache(maxsize=None)
def _symbol_forms() -> dict[str, str]:
    return {f: n for f, n in _forms("command").items() if not WORD.search(f)}


@lru_cache(maxsize=None)
def _whole_message_forms() -> frozenset[str]:
    return frozenset(squash(f) for f in prompts.raw("keywords.whole_message.forms"))


def typos(a: str, b: str) -> int:
    """Edit distance where swapping two neighbouring letters also counts as one typo."""
    d = distance(a, b, 2)
    if d > 1 and len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]]):
            return 1
    return d


def match(keys: list[str], forms: dict[str, str], whole: frozenset = frozenset()) -> tuple[str, int, bool] | None:
    """(name, words used, typo?) for the best form matching the first words of keys, or None."""
    spans = range(min(MAX_SPAN, len(keys)), 0, -1)           # longest first
    for n in spans:                                           # exact beats typo: a look-up, no comparing
        joined = "".join(keys[:n])
        if joined in forms and not (joined in whole and n != len(keys)):
            return forms[joined], n, False
    for n in spans:
        joined = "".join(keys[:n])
        names = {name for form, name in forms.items()
                 if len(form) >= TYPO_MIN_LETTERS and form not in whole and typos(joined, form) == 1}
        if len(names) > 1:  # one typo away from two different commands: ask rather than guess
            return None
        if names:
            return names.pop(), n, True
    return None


@lru_cache(maxsize=4096)          # most texts are the same few keywords; a Command is immutable
def parse(body: str | None) -> Command:
    text = nfc(body or "").strip()
    if not text:
        return Command("empty")
    words = WORD.findall(text)
    if not words:
        # "?" or "??": a symbol form repeated; anything else without letters or digits is unknown.
        compact = squash(text)
        for form, name in _symbol_forms().items():
            if compact.replace(form, "") == "":
                return Command(name)
        return Command("unknown")
    keys = [squash(w) for w in words]
    found = match(keys, _forms("command"), _whole_message_forms())
    if found:
        name, used, typo = found
        return Command(name, tuple(words[used:]), typo)
    for form, name in _forms("command").items():
        rest = keys[0][len(form):]
        if name in CODE_COMMANDS and keys[0].startswith(form) and any(c.isdigit() for c in rest):
            return Command(name, (rest.upper(), *words[1:]))
    return Command("unknown", tuple(words))


def guide(args: tuple[str, ...]) -> str | None:
    """The guide id named by HD's words (accents optional, keywords.toml [guide]), or None."""
    keys = [squash(w) for w in args]
    found = match(keys, _forms("guide")) if keys else None
    return found[0] if found else None
