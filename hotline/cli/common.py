"""What every command group shares: the database the settings name, and a phone number typed at the terminal."""
from __future__ import annotations

import click

from hotline.core import db as storage, prompts
from hotline.core.config import Config
from hotline.core.phones import InvalidPhone, normalise


def open_db(config: Config | None = None):
    config = config or Config.from_env()
    database = storage.connect(config["HOTLINE_DB"])
    storage.migrate(database)
    return database


def phone_number(value: str) -> str:
    """A number as typed, in E.164; a usage error that says why it is not one."""
    try:
        return normalise(value)
    except InvalidPhone as e:
        raise click.BadParameter(bad_phone(value, e)) from None


def bad_phone(value: str, error: InvalidPhone) -> str:
    """The number as typed and why it is not one, in the words the CSV import uses."""
    return f"{value}: {prompts.say(f'csv.reason.phone_{error.reason}')}"
