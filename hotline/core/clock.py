"""Time as the hotline stores it: UTC ISO-8601 text with microseconds and a Z, "2026-11-25T08:30:00.000000Z".

Every stamp has the same width, so stamps sort and compare as text in SQL (`starts_at <= :now`).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
UTC = timezone.utc
# Vietnam has kept UTC+7 without daylight saving since 1975, so a machine without tzdata still gets it right.
FIXED_VIETNAM = timezone(timedelta(hours=7))


def zone(name: str = "Asia/Ho_Chi_Minh") -> tzinfo:
    """The named zone; Vietnam's fixed UTC+7 when the name is unknown or tzdata is missing."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return FIXED_VIETNAM


VIETNAM = zone()


def now() -> str:
    """The current moment as stored text."""
    return stamp(datetime.now(UTC))


def stamp(moment: datetime, naive: tzinfo = UTC) -> str:
    """Any datetime as stored text; a naive one is read in the zone `naive` (UTC unless told)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=naive)
    return moment.astimezone(UTC).strftime(FORMAT)


def parse(text: str) -> datetime:
    """Stored text (or any ISO-8601 text; without an offset it is UTC) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def shift(text: str, **delta: float) -> str:
    """Stored text moved by a timedelta's keywords: shift(now(), hours=-24)."""
    return stamp(parse(text) + timedelta(**delta))


def local(text: str, where: tzinfo = VIETNAM) -> datetime:
    """Stored text as a datetime in local (Vietnam) time."""
    return parse(text).astimezone(where)
