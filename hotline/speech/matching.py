"""Does what a caller said name one of the choices they were offered? Accent-blind, with a confidence, never a guess.

A recogniser without a grammar (Whisper) writes whatever it heard; the menu's phrases are looked for in it as
whole words. Spelled exactly (tone marks and all) first, then accent- and case-blind: so a sentence that says
"grandmother" (ba with a grave accent) before naming the guides exactly is the guides, not three (ba), while
"three" alone, heard with the grave accent, is still three (tests/speech/test_matching.py). Two different
choices named at the same level is no choice at all: the caller is asked again, the keypad still open.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from hotline.core.text import key, nfc

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Match:
    choice: object          # what the phrase chooses (a menu Option, or "repeat" / "main" / "operator")
    phrase: str
    confidence: float       # of the words that named it


def choose(text: str, confidence: float, words: tuple, phrases: dict[str, tuple[str, object]]) -> Match | None:
    """phrases: key(phrase) → (phrase, choice), the menu's whole offer. words: (word, probability) when the
    recogniser gives them, else every word of text counts with the utterance's confidence."""
    given = words or [(word, confidence) for word in text.split()]
    heard = [(w, p) for word, p in given for w in _WORD.findall(nfc(word).lower())]
    for spell in (_exact, _blind):
        said = [spell(w) for w, _ in heard]
        hits = []
        for phrase, choice in phrases.values():
            wanted = spell(phrase).split()
            for start in range(len(said) - len(wanted) + 1):
                if wanted and said[start:start + len(wanted)] == wanted:
                    hits.append((start, start + len(wanted), phrase, choice))
        # A phrase inside a longer one that was said ("two" inside "number two") is not a second answer.
        hits = [h for h in hits if not any(o is not h and o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0]
                                           for o in hits)]
        if not hits:
            continue
        if len({getattr(choice, "value", choice) for *_, choice in hits}) > 1:
            return None
        start, end, phrase, choice = max(hits, key=lambda h: (h[1] - h[0], -h[0]))
        probs = np.maximum([p for _, p in heard[start:end]], 1e-9)
        return Match(choice, phrase, float(np.exp(np.mean(np.log(probs)))))
    return None


def _exact(text: str) -> str:
    return " ".join(_WORD.findall(nfc(text).lower()))


def _blind(text: str) -> str:
    return " ".join(_WORD.findall(key(text)))
