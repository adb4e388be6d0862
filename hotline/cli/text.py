"""The click type of every free text a command stores (alert texts, names, places): what residents hear and read."""
from __future__ import annotations

import click

from hotline.core import prompts
from hotline.core.text import xml_safe


class SpokenText(click.ParamType):
    """Refuses the characters XML forbids: said in TwiML, one would break the menu for every caller."""

    name = "text"

    def convert(self, value, param, ctx):
        if not xml_safe(value):
            self.fail(prompts.say("core.cli.bad_characters"), param, ctx)
        return value


TEXT = SpokenText()
