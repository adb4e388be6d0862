"""The demo officials' PINs and passwords are public (prompts/demo/officials.toml): refused unless HOTLINE_DEMO=1."""
from __future__ import annotations

from functools import lru_cache

from hotline.core import prompts


def published_secret(config, official: dict, field: str) -> bool:
    """True when an install that is not a demo still holds a demo PIN or password for this official.

    The demo secrets are public (docs/officials.md): they open the officials' menu and the web admin
    only with HOTLINE_DEMO=1. Whatever HOTLINE_PUBLIC_URL says: a loopback address there proves nothing
    (an install behind a proxy or tunnel has one too).
    """
    return not config.flag("HOTLINE_DEMO") and published(field, official.get(field))


def published(field: str, stored: str | None) -> bool:
    """Is this stored hash one of the demo hashes everyone can read in prompts/demo/officials.toml?"""
    return stored in _published_hashes(field)


@lru_cache(maxsize=None)
def _published_hashes(field: str) -> frozenset[str]:
    return frozenset(o[field] for o in prompts.data("demo/officials")["officials"] if o.get(field))
