"""How many SMS segments a text costs: GSM-7 (with its extension table) or UCS-2."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# GSM 03.38 basic character set, one row per 16 codes (0x00-0x7f, in the standard's order), and the
# extension table whose characters take two septets. Written as escapes like TYPOGRAPHY below: the accented
# letters here are the standard's (French, Spanish, German, Greek), not words of ours.
GSM7_BASIC = set(
    "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\x1b\u00c6\u00e6\u00df\u00c9"
    " !\"#\u00a4%&'()*+,-./"
    "0123456789:;<=>?"
    "\u00a1ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7"
    "\u00bfabcdefghijklmno"
    "pqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0"
)
GSM7_EXTENDED = set("^{}\\[~]|\u20ac\f")
# Typography that word processors and phones slip into officials' texts. One such character makes
# the whole SMS UCS-2: 70 characters a segment instead of 160, so a warning costs two or three SMS.
TYPOGRAPHY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'",
                            "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u202f": " ",
                            "\u2022": "-", "\u20ab": "d", "\u00b0": "o", "\t": " "})


def gsm7(text: str) -> str:
    """Unaccented text made pure GSM-7: typography replaced, anything else (emoji) left out."""
    text = text.translate(TYPOGRAPHY)
    return "".join(c for c in text if c in GSM7_BASIC or c in GSM7_EXTENDED)


@dataclass(frozen=True)
class Count:
    encoding: str        # "GSM-7" or "UCS-2"
    units: int           # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


@lru_cache(maxsize=4096)          # replies and warnings are counted for each of many recipients
def count(text: str) -> Count:
    """160 septets fit one GSM-7 segment (153 per part when split); UCS-2: 70 (67 per part)."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, part = 160, 153
        encoding = "GSM-7"
    else:
        # Characters outside the BMP (emoji) take two UTF-16 code units.
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
        encoding = "UCS-2"
    segments = 1 if units <= single else -(-units // part)
    return Count(encoding, units, segments if text else 0)
