"""What both SMS transports share: the destination rule and look-up times."""
from __future__ import annotations

from datetime import datetime, timedelta

from hotline.core import clock
from hotline.core.phones import mask
from hotline.sending.transports import TransportError

from hotline.domain.inbox import allowed_destination

CLOCK_SKEW = timedelta(seconds=5)    # the provider's clock against ours, for look-ups by time


def check_destination(config, to: str) -> None:
    """Outbound SMS only to allowed countries: a permanent refusal, before any request leaves."""
    if not allowed_destination(config, to):
        raise TransportError(f"{mask(to)}: country not in HOTLINE_SMS_ALLOWED_COUNTRIES", "country_not_allowed")


def since_utc(text: str) -> datetime:
    return clock.parse(text) - CLOCK_SKEW
