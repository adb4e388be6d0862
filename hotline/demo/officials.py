"""The demo commune's officials (prompts/demo/officials.toml), loaded by `hotline demo`."""
from __future__ import annotations

from functools import lru_cache

from hotline.demo import commune as demo
from hotline.domain import officials, places
from hotline.domain.officials import permissions
from hotline.core import prompts
from hotline.core.phones import normalise


def load_demo(db) -> int:
    """The demo officials (prompts/demo/officials.toml); officials already registered are left as they are."""
    added = 0
    for o in prompts.data("demo/officials")["officials"]:
        if officials.by_phone(db, normalise(o["phone"])):
            continue
        villages = None if o["villages"] == "all" else [places.find_village(db, v)["id"] for v in o["villages"]]
        officials.add_hashed(db, o["name"], o["role"], o["phone"], villages, o["pin_hash"], o.get("password_hash"),
                             o.get("association"), actor=permissions.DEMO)
        added += 1
    return added


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


if load_demo not in demo.EXTRA_LOADERS:
    demo.EXTRA_LOADERS.append(load_demo)
