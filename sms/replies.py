"""Reply texts: prompts.sms (GSM-7 unless accents are wanted), shortened to fit (one SMS; two with accents)."""
from __future__ import annotations

import string
from datetime import datetime

from hotline.core import clock, prompts
from hotline.core.segments import count
from hotline.core.text import nfc

ELLIPSIS = "..."


def render(key: str, accents: bool = False, **values) -> str:
    return prompts.sms(key, accents=accents, **values)


def fitted(key: str, accents: bool, shrink: str, segments: int | None = None, tail: str = "", **values) -> str:
    """render() + tail, with values[shrink] cut at a word boundary until the text fits `segments` SMS.

    Alert texts, names and places come from people, so their length is not ours to choose. The tail (a
    sentence of ours, already rendered: how to add a village) is kept whole, or left off when it could
    only fit by cutting the value away entirely: a lesson's place matters more than our question.
    """
    segments = segments or (2 if accents else 1)     # who asked for accents accepted the longer SMS
    text = render(key, accents, **values) + tail
    value, dots = nfc(str(values[shrink])), _ellipsis(key, shrink)
    while count(text).segments > segments and value:
        value = value[: max(0, len(value) - max(4, (len(value) // 10)))].rsplit(" ", 1)[0].rstrip(" ,.;:")
        text = render(key, accents, **{**values, shrink: value + dots if value else ""}) + tail
    if tail and ((values[shrink] and not value) or count(text).segments > segments):
        return fitted(key, accents, shrink, segments, **values)
    return text


def _ellipsis(key: str, field: str) -> str:
    """What a cut value ends with: two dots where the template's own full stop follows it, which makes
    the third ("Yen... Soan HUY", not "Yen.... Soan HUY"), else the whole ellipsis."""
    parts = list(string.Formatter().parse(prompts.raw(key)))
    after = [parts[i + 1][0] if i + 1 < len(parts) else "" for i, part in enumerate(parts) if part[1] == field]
    return ELLIPSIS[:-1] if after and all(a.startswith(".") for a in after) else ELLIPSIS


def local_time(utc_text: str, zone: str) -> datetime:
    """Stored text in the configured zone (Vietnam's UTC+7 when the zone is unknown)."""
    return clock.local(utc_text, clock.zone(zone))


def when(utc_text: str, zone: str) -> str:
    """ "8h00 27/11": how times are written on posters and in texts."""
    t = local_time(utc_text, zone)
    return f"{t.hour}h{t.minute:02d} {t.day}/{t.month}"


def topic(topic_id: str) -> str:
    """The lesson topic's short name (prompts/lessons.toml), or its id if the lessons work has none."""
    name = f"lessons.topics.{topic_id}.short"
    if name not in prompts.catalogue():
        name = f"lessons.topics.{topic_id}.name"
    return prompts.say(name) if name in prompts.catalogue() else topic_id
