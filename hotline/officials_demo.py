"""The demo officials of Thắng Lợi (prompts/demo/officials.toml), loaded by `hotline demo`."""
from __future__ import annotations

from . import demo, officials, places, prompts
from .phones import normalise


def load_demo(db) -> int:
    """The demo officials (prompts/demo/officials.toml); officials already registered are left as they are."""
    added = 0
    for o in prompts.data("demo/officials")["officials"]:
        if officials.by_phone(db, normalise(o["phone"])):
            continue
        villages = None if o["villages"] == "all" else [places.find_village(db, v)["id"] for v in o["villages"]]
        officials.add_hashed(db, o["name"], o["role"], o["phone"], villages, o["pin_hash"], o.get("password_hash"),
                             o.get("association"))
        added += 1
    return added


if load_demo not in demo.EXTRA_LOADERS:
    demo.EXTRA_LOADERS.append(load_demo)
