"""Word error rate: how far a transcript is from what was said, in words (NFC, lower case, no punctuation)."""
from __future__ import annotations

import re

from hotline.core.text import nfc

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(nfc(text).lower())


def errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, words in the reference): word-level Levenshtein."""
    ref, hyp = words(reference), words(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1], len(ref)


def rate(pairs) -> float:
    """Corpus WER over (reference, hypothesis) pairs: all errors over all reference words."""
    totals = [errors(r, h) for r, h in pairs]
    return sum(e for e, _ in totals) / max(1, sum(n for _, n in totals))
