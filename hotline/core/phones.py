"""Phone numbers: E.164 for storage, masked for logs."""
from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

# Vietnam's 2018 renumbering: 11-digit mobile numbers lost a digit (0169 xxx xxxx -> 039 xxx xxxx).
# People still write the old ones, and old paper registers are full of them.
OLD_MOBILE_PREFIXES = {
    # Viettel
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38", "169": "39",
    # MobiFone
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
    # VinaPhone
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    # Vietnamobile
    "186": "56", "188": "58",
    # Gmobile
    "199": "59",
}


class InvalidPhone(ValueError):
    """A number we cannot store; .reason is a short code the channel turns into words."""

    def __init__(self, reason: str, raw: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


@lru_cache(maxsize=4096)          # the same few numbers write and call again and again; parsing is the cost
def normalise(raw: str, region: str = "VN") -> str:
    """"0912 345 678", "84912345678", "+84 912-345-678", "01693456789" -> "+84…" (E.164)."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("empty", raw)
    if re.search(r"[^\d\s().+\-]", text):
        raise InvalidPhone("not_a_number", raw)
    digits = re.sub(r"\D", "", text)
    if len(digits) < 8:
        raise InvalidPhone("too_short", raw)
    international = text.startswith("+") or text.startswith("00")
    if text.startswith("00"):
        digits = digits[2:]
    national = None
    if digits.startswith("84") and (international or len(digits) in (11, 12)):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    elif not international and len(digits) in (9, 10):
        national = digits
    if national is not None:
        if len(national) == 10 and national[:3] in OLD_MOBILE_PREFIXES:
            national = OLD_MOBILE_PREFIXES[national[:3]] + national[3:]
        candidate = "+84" + national
    elif international:
        candidate = "+" + digits
    else:
        raise InvalidPhone("not_a_number", raw)
    try:
        parsed = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone("not_a_number", raw) from None
    if not phonenumbers.is_valid_number(parsed):
        too_short = len(str(parsed.national_number)) < 9 and parsed.country_code == 84
        raise InvalidPhone("too_short" if too_short else "invalid", raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def country_code(e164: str) -> str | None:
    """"+84912345678" -> "84"; None for what does not parse as a number."""
    try:
        return str(phonenumbers.parse(e164).country_code)
    except phonenumbers.NumberParseException:
        return None


def is_vietnamese(e164: str) -> bool:
    return e164.startswith("+84")


def is_mobile(e164: str) -> bool:
    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def mask(number: str) -> str:
    """+84912345678 -> +8491****678: enough to tell numbers apart in a log, not to call one."""
    if not number:
        return ""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:5] + "*" * (len(number) - 8) + number[-3:]
