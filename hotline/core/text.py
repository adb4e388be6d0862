"""Vietnamese text handling: NFC, accent folding (d with stroke included) and forgiving matching."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
# NFD leaves d with stroke (U+0111, U+0110) whole: it is a letter, not d + a mark, so it is folded by hand.
_FOLD_TABLE = {0x0111: "d", 0x0110: "D"}


# XML 1.0 allows no control character but tab, LF and CR, no lone surrogate, and neither U+FFFE nor U+FFFF.
# One of them in a TwiML document makes Twilio refuse the whole document: every caller hears an error.
NOT_XML = frozenset([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF])
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> bool:
    """False when text holds a character XML forbids: forms and commands refuse it (webhooks.xml drops it)."""
    return _NOT_XML.search(text or "") is None


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


@lru_cache(maxsize=8192)          # keywords, village names and replies are folded again and again
def fold(text: str) -> str:
    """Strip accents and the d stroke, keeping case (tests/core/test_prompts.py has examples)."""
    decomposed = unicodedata.normalize("NFD", nfc(text).translate(_FOLD_TABLE))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def key(text: str) -> str:
    """Accent-, case- and spacing-blind form used for matching: folded, lower case, single spaces."""
    return _SPACES.sub(" ", fold(text).lower()).strip()


def squash(text: str) -> str:
    """key() without spaces, so a name typed run together meets the name written apart."""
    return key(text).replace(" ", "")


def distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance, stopping early once it passes limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def best_match(query: str, candidates: dict, max_typos: int | None = None):
    """The candidate value whose name matches query accent-blind, allowing typos in longer names.

    candidates maps display names to values. Exact (squashed) matches win, then unique
    prefixes, then the closest name within the typo budget; ties give None.
    """
    q = squash(query)
    if not q:
        return None
    names = {squash(name): value for name, value in candidates.items()}
    if q in names:
        return names[q]
    prefixed = [v for n, v in names.items() if n.startswith(q) and len(q) >= 3]
    if len(prefixed) == 1:
        return prefixed[0]
    budget = max_typos if max_typos is not None else (1 if len(q) < 8 else 2)
    scored = sorted((distance(q, n, budget), n) for n in names)
    scored = [s for s in scored if s[0] <= budget]
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return names[scored[0][1]]
