"""The docs keep up with the code: every setting and every command is documented."""
from pathlib import Path

import click
import pytest

from hotline.cli.main import main
from hotline.core.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
DOCS = README + "".join(p.read_text("utf-8") for p in sorted((ROOT / "docs").glob("*.md")))


def _commands(group, prefix="hotline"):
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path, command


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.env for s in SETTINGS])
def test_every_setting_is_in_the_readme_table(setting):
    assert f"| `{setting.env}` |" in README


@pytest.mark.parametrize("path", [p for p, _ in _commands(main)])
def test_every_command_is_documented_and_has_help(path):
    assert f"`{path}" in DOCS, f"{path} is not in README.md or docs/"
    command = dict(_commands(main))[path]
    assert command.help and command.help.strip()


def test_the_readme_has_exactly_the_two_setup_commands():
    assert "make run" in README and "make test" in README
    assert "pytest" in (ROOT / "Makefile").read_text() and "make test" in (ROOT / ".ci" / "run").read_text()


def test_make_check_is_in_the_readme_and_runs_the_long_forms():
    makefile = (ROOT / "Makefile").read_text()
    assert "make check" in README
    assert "\ncheck:" in makefile and "HOTLINE_FULL=1 $(PYTEST)" in makefile
