"""Our villages in a CAP areaDesc, read by name: which it names, and whether another commune's name claims them.

Names are matched accent-blind and fuzzily; the words (village and unit prefixes, "and", "of") are data
in prompts/alerts.toml [cap.words]. docs/alerts.md has the rule, with examples.
"""
from __future__ import annotations

import re

from hotline.domain import places
from hotline.core import prompts
from hotline.core.text import key


def words(name: str) -> list[str]:
    """A word list from prompts/alerts.toml [cap.words], in key() form."""
    return [key(w) for w in prompts.raw(f"alerts.cap.words.{name}")]


def _prefix(name: str) -> re.Pattern:
    return re.compile(r"^(" + "|".join(map(re.escape, words(name))) + r")\s+")


def _splitter() -> re.Pattern:
    """Splits a group of an areaDesc into names, keeping the marks that say how names relate (None: a comma)."""
    word = "|".join(re.escape(w) for w in words("joiners") + words("belongs"))
    return re.compile(rf"\s*([():]|(?<!\S)(?:{word})(?!\S))\s*|\s*[,/.]\s*")


def match_villages(db, areas: list[str]) -> tuple[list[int], bool]:
    """(our village ids the areaDescs name, whether they name our commune itself).

    Each ";" part of an areaDesc is read on its own. In it, a commune (or ward, or township) followed by
    ":" or "(" owns the villages after it ("commune X: village A, village B", "commune X (village A)"),
    up to the next commune or the closing bracket; any other commune owns the villages before it since
    the last commune, as addresses are written ("village A, village B, commune X", "village A (commune X)",
    "village A of commune X"), unless "and" joins it to them: a list of places. A village another
    commune owns is not ours; one our commune or no commune owns is. Provinces and districts own nothing.
    """
    commune = db.execute("SELECT name FROM communes ORDER BY id LIMIT 1").fetchone()
    ours = key(commune[0]) if commune else None
    village_prefix, commune_prefix = _prefix("village_prefixes"), _prefix("commune_prefixes")
    unit_prefix, split, joiners = _prefix("unit_prefixes"), _splitter(), set(words("joiners"))
    found, named = [], False
    for group in key(" ; ".join(areas)).split(";"):
        tokens = split.split(group)          # name, mark, name, mark, ... name
        owner, in_brackets, unowned = None, False, []   # owner: True ours, False another's, None no commune
        for i in range(0, len(tokens), 2):
            before, after = (tokens[i - 1] if i else None), (tokens[i + 1] if i + 1 < len(tokens) else None)
            if before == ")" and in_brackets:
                owner, in_brackets = None, False
            part = tokens[i].strip()
            if not part or unit_prefix.match(part):
                continue
            if commune_prefix.match(part):
                mine = commune_prefix.sub("", part) == ours
                named |= mine
                if after in ("(", ":"):          # it owns what follows; villages before it stay bare
                    found += unowned
                    owner, in_brackets = mine, after == "("
                else:                              # it owns the villages before it, unless only listed after them
                    if mine or before in joiners:
                        found += unowned
                    owner, in_brackets = None, False
                unowned = []
                continue
            village = places.find_village(db, village_prefix.sub("", part))
            if village is None or owner is False:
                continue
            (found if owner else unowned).append(village["id"])
        found += unowned
    return list(dict.fromkeys(found)), named
