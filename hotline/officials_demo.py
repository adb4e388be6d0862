"""The demo commune's officials (prompts/demo/officials.toml), loaded by `hotline demo`."""
from __future__ import annotations

from . import demo, officials, permissions, places, prompts
from .phones import normalise


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
    """True when a deployment reachable from outside still uses a demo PIN or password.

    The demo secrets are public (docs/officials.md): they open the officials' menu and the web
    admin only on a local or demo install, never once HOTLINE_PUBLIC_URL points elsewhere.
    """
    if config.public_is_local or config.flag("HOTLINE_DEMO"):
        return False
    demo_hashes = {o[field] for o in prompts.data("demo/officials")["officials"] if o.get(field)}
    return official.get(field) in demo_hashes


if load_demo not in demo.EXTRA_LOADERS:
    demo.EXTRA_LOADERS.append(load_demo)
