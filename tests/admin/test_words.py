"""Every word of the admin comes from prompts/admin.toml: keys exist, placeholders match, no Vietnamese in code."""
import re
from pathlib import Path

import pytest

from hotline.core import prompts
from tests.core.test_prompts import VIETNAMESE

ADMIN = Path(__file__).resolve().parents[2] / "admin"
TEMPLATES = sorted((ADMIN / "templates").rglob("*.html"))
CODE = sorted(ADMIN.rglob("*.py")) + sorted((ADMIN / "static").glob("*.js"))
CALL = re.compile(r"""\bt\(\s*["']([\w.]+)["']""")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def _calls():
    for path in TEMPLATES + [p for p in CODE if p.suffix == ".py"]:
        text = path.read_text("utf-8")
        for m in CALL.finditer(text):
            if m.group(1).endswith((".", "_")):
                continue  # built from a value: test_dynamic_keys_have_words_for_every_value
            yield path.name, m.group(1), _arguments(text, m.end())


def _arguments(text: str, start: int) -> str:
    """The rest of the call up to its closing parenthesis (arguments may call functions themselves)."""
    depth = 1
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i]
    raise AssertionError("unclosed t(")


CALLS = list(_calls())


def test_the_admin_uses_many_keys():
    assert len(CALLS) > 150


@pytest.mark.parametrize("where, key, args", CALLS, ids=[f"{w}:{k}" for w, k, _ in CALLS])
def test_every_literal_key_exists_with_its_placeholders(where, key, args):
    template = prompts.raw(key)
    assert isinstance(template, str)
    given = set(re.findall(r"(?<![=!<>])\b(\w+)\s*=(?!=)", args))
    assert given == prompts.placeholders(template), key


def test_dynamic_keys_have_words_for_every_value():
    """Keys built from a value (admin.flags.<flag>, admin.alerts.states.<status> …) cover every value."""
    from hotline.domain import alerts, residents
    from hotline.domain.officials import permissions

    for flag in residents.FLAGS:
        prompts.raw(f"admin.flags.{flag}")
    for status in ("draft", "published", "superseded", "cancelled", "cancel", "expired"):
        prompts.raw(f"admin.alerts.states.{status}")
    for kind in alerts.KINDS:
        prompts.raw(f"alerts.kind.{kind}")
    for state in ("queued", "sent", "delivered", "failed", "skipped", "cancelled", "expired", "done"):
        prompts.raw(f"admin.progress.{state}")
    for status in ("enrolled", "waitlisted", "attended", "cancelled"):
        prompts.raw(f"admin.lessons.states.{status}")
    for outcome in ("enrolled", "waitlisted", "already_enrolled", "full", "lesson_cancelled", "closed",
                    "unknown_lesson"):
        prompts.raw(f"admin.lessons.outcomes.enrol_{outcome}")
    for outcome in ("published", "not_found", "not_draft", "no_audio"):
        prompts.raw(f"admin.announcements.outcomes.publish_{outcome}")
    for outcome in ("approved", "not_awaiting", "not_found"):
        prompts.raw(f"admin.announcements.outcomes.approve_{outcome}")
    for outcome in ("withdrawn", "not_published"):
        prompts.raw(f"admin.announcements.outcomes.withdraw_{outcome}")
    for reason in permissions.REASONS:
        prompts.raw(f"admin.errors.forbidden_{reason}")
    for flag in alerts.FLAGS:
        prompts.raw(f"admin.alerts.only_{flag}")
    for period in ("year", "quarter", "month"):
        prompts.raw(f"admin.coverage.period_{period}")
    for reason in ("empty", "not_a_number", "too_short", "invalid"):
        prompts.raw(f"admin.errors.phone_{reason}")


@pytest.mark.parametrize("path", CODE, ids=[p.name for p in CODE])
def test_no_vietnamese_in_admin_code(path):
    assert VIETNAMESE.findall(path.read_text("utf-8")) == []     # comments and docstrings too


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.name for p in TEMPLATES])
def test_templates_hold_no_words_of_their_own(path):
    outside = JINJA.sub("", path.read_text("utf-8"))
    assert not VIETNAMESE.search(outside)
