"""Every word on an admin page comes from prompts/admin.toml: t("admin.nav.alerts")."""
from __future__ import annotations

from hotline.core import prompts


def t(key: str, **values) -> str:
    return prompts.say(key, **values)
