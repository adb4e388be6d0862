"""The --village option of every command: names typed as people write them, ids for the domain."""
from __future__ import annotations

import click

from hotline.domain import places
from hotline.core import prompts


def village_ids(db, names) -> list[int]:
    """The villages named (accents, case and spacing optional); an unknown one is a clear usage error."""
    ids = []
    for name in names:
        found = places.find_village(db, name)
        if not found:
            known = ", ".join(v["name"] for v in places.villages(db))
            raise click.BadParameter(prompts.say("core.cli.unknown_village", given=name, villages=known),
                                     param_hint="--village")
        ids.append(found["id"])
    return ids


def village_id(db, name: str | None) -> int | None:
    return village_ids(db, [name])[0] if name else None
