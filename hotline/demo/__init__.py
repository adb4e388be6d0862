"""The demo commune (prompts/demo/*.toml), loaded by `hotline demo`: a leaf nothing else imports.

Each loader is idempotent and reads its own prompts/demo/<area>.toml; all run in one transaction, in this
order (officials and lessons name the commune's villages and associations).
"""
from __future__ import annotations

from hotline.core.db import transaction
from hotline.demo import commune, lessons, officials

LOADERS = (commune.load, officials.load, lessons.load)


def is_empty(db) -> bool:
    return db.execute("SELECT COUNT(*) FROM residents").fetchone()[0] == 0


def load(db) -> dict:
    """Every loader, in one transaction; the commune's name and how many residents it has."""
    with transaction(db):
        summary = LOADERS[0](db)
        for loader in LOADERS[1:]:
            loader(db)
    return summary
