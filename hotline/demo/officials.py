"""The demo commune's officials (prompts/demo/officials.toml), loaded by `hotline demo`."""
from __future__ import annotations

from hotline.domain import officials, places
from hotline.domain.officials import permissions
from hotline.core import prompts
from hotline.core.phones import normalise


def load(db) -> int:
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
