"""The confirmation before anything goes to households: the second POST carries what the official saw, in short.

A subject changed since the confirmation page (a draft's level raised at the terminal, say) no longer matches,
so it is shown again instead of being sent."""
from __future__ import annotations

import hashlib
import json


def digest(row: dict, fields: tuple[str, ...]) -> str:
    shown = [row[name] for name in fields]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
