"""This commune's official administrative unit codes (HOTLINE_CAP_GEOCODES) as CAP <geocode>s, out and in.

The codes are those of the national list of administrative units kept by the statistics office
(GSO; Decision 124/2004/QD-TTg, reissued whenever units are merged): 2 digits for a province,
3 for a district, 5 for a commune. Villages have no national code, so they travel by name only.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

SETTING = "HOTLINE_CAP_GEOCODES"
DIGITS = {"commune": 5, "district": 3, "province": 2}
# CAP leaves valueName to the sender ("acronyms in capitals, no periods"), and we know of none published
# for these codes. One name per level, in the form of our VN_RISK_LEVEL parameter: it names the
# list (GSO) and the level, so a receiver can tell a 3-digit district from a province without guessing
# from the length, and the names stay the same when the codes themselves are reissued.
VALUE_NAMES = {"commune": "VN_GSO_COMMUNE", "district": "VN_GSO_DISTRICT", "province": "VN_GSO_PROVINCE"}
LEVEL_OF = {name.lower(): level for level, name in VALUE_NAMES.items()}
# Errors of the setting already logged by this process: every export and import reads it, and one
# line saying the feature is off is enough (/health keeps saying it).
_REPORTED: set[str] = set()


def parse_setting(text: str) -> dict[str, str]:
    """'commune=04378,district=135,province=15' -> {level: code}; {} when empty; ValueError saying what is wrong.

    The commune is required; district and province are optional (districts were abolished in 2025).
    """
    codes: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        level, _, code = (s.strip() for s in part.partition("="))
        if level not in DIGITS:
            raise ValueError(f"{SETTING}: {part!r} is not commune=, district= or province=")
        if level in codes:
            raise ValueError(f"{SETTING}: {level} is given twice")
        if not (code.isascii() and code.isdigit() and len(code) == DIGITS[level]):
            raise ValueError(f"{SETTING}: the {level} code must be {DIGITS[level]} digits, not {code!r}")
        codes[level] = code
    if codes and "commune" not in codes:
        raise ValueError(f"{SETTING}: the commune code is missing (commune=NNNNN)")
    return codes


def ours(config) -> dict[str, str]:
    """The commune's codes, or {} when the setting is empty or wrong (then CAP works by names alone; logged once)."""
    try:
        return parse_setting(config.get(SETTING, ""))
    except ValueError as e:
        if str(e) not in _REPORTED:
            _REPORTED.add(str(e))
            log.error("%s; CAP geocodes are off", e)
        return {}


def status(config) -> dict:
    """The CAP section of /health."""
    try:
        codes = parse_setting(config.get(SETTING, ""))
    except ValueError as e:
        return {"ok": False, "geocodes": "off", "error": str(e)}
    return {"ok": True, "geocodes": codes or "off"}


def for_export(codes: dict[str, str]) -> list[tuple[str, str]]:
    """The (valueName, value) pairs every exported <area> carries: the commune's code alone.

    CAP 1.2 reads several geocodes in one <area> as the union of their areas, so adding the district
    and province codes would claim the whole province; a receiver that knows the list finds them anyway.
    """
    return [(VALUE_NAMES["commune"], codes["commune"])] if codes else []


def covering(codes: dict[str, str], geocodes: list[tuple[str, str]]) -> str | None:
    """Which of our units an incoming <area>'s geocodes include: "commune", "district" or "province" (the
    most specific), "other" for codes of levels we know of which none is ours, None when it cannot tell.

    Any one of our codes makes the area ours: CAP reads an area as the union of its geocodes. "other"
    means another unit's area, whatever names its areaDesc shares with our places. None: no geocode
    of a level in the setting (no setting, or only other code lists).
    """
    found, judged = [], False
    for name, value in geocodes:
        level = LEVEL_OF.get(name.strip().lower())
        if level is None or level not in codes:
            continue
        value = value.strip()
        if value.isascii() and value.isdigit():  # senders often drop the leading zero ("4378", "1")
            value = value.zfill(DIGITS[level])
        judged = True
        if value == codes[level]:
            found.append(level)
    mine = [level for level in DIGITS if level in found]   # DIGITS runs from the commune up
    return mine[0] if mine else ("other" if judged else None)
