"""Which numbers the browser simulator may act as, and who used it.

In demo mode (HOTLINE_DEMO=1, a browser on this machine) any number, as on a training laptop. Otherwise a
logged-in official may try the hotline only as one of HOTLINE_SIMULATOR_NUMBERS, the commune's own test
SIMs, and never as an official: a check-in answered "safe" or an opt-out sent from a resident's number by
someone else would be believed. Each such use is recorded (simulator_uses) and logged, masked.
"""
from __future__ import annotations

import logging

from hotline.domain import officials
from hotline.core.db import now, transaction
from hotline.core.phones import InvalidPhone, mask, normalise

log = logging.getLogger(__name__)


def reserved(config) -> list[str]:
    """HOTLINE_SIMULATOR_NUMBERS as E.164, in the order given; an entry that is not a number is left out."""
    numbers = []
    for entry in str(config.get("HOTLINE_SIMULATOR_NUMBERS") or "").split(","):
        if not entry.strip():
            continue
        try:
            number = normalise(entry)
        except InvalidPhone as e:
            log.warning("HOTLINE_SIMULATOR_NUMBERS: %s is not a number (%s); left out", mask(entry.strip()), e.reason)
            continue
        if number not in numbers:
            numbers.append(number)
    return numbers


def refusal(db, config, phone: str) -> str | None:
    """Why the simulator may not act as this number outside demo mode, or None when it may."""
    if phone not in reserved(config):
        return "not_a_test_number"
    if officials.by_phone(db, phone):
        return "official_number"    # listed by mistake: an official's number opens the officials' menu
    return None


def record(db, official_id: int, phone: str, action: str) -> None:
    with transaction(db):
        db["simulator_uses"].insert({"official_id": official_id, "phone": phone, "action": action, "at": now()})
    log.info("simulator: official #%s used test number %s (%s)", official_id, mask(phone), action)
