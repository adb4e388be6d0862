"""The prompt catalogue: every key used exists, placeholders match, and no Vietnamese hides in code."""
import ast
import re
from pathlib import Path

import pytest

from hotline.core import prompts
from hotline.core.text import key, nfc
from tests.conftest import OPERATOR

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = [p for d in ("hotline", "voice", "sms") for p in (ROOT / d).rglob("*.py")]
SCANNED = PRODUCT + [p for d in ("admin", "bench", "fallback", "tools") for p in (ROOT / d).rglob("*.py")]
PROMPT_CALLS = {"say", "sms", "raw"}


def _prompt_calls():
    for path in PRODUCT:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in PROMPT_CALLS and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "prompts" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                yield path.relative_to(ROOT), node


CALLS = list(_prompt_calls())


def test_the_catalogue_loads_and_is_nfc():
    catalogue = prompts.catalogue()
    assert len(catalogue) > 10
    for k, v in catalogue.items():
        if isinstance(v, str):
            assert v == nfc(v), k


@pytest.mark.parametrize("where, node", CALLS, ids=[f"{p}:{n.lineno}" for p, n in CALLS])
def test_every_key_used_in_code_exists_with_matching_placeholders(where, node):
    template = prompts.raw(node.args[0].value)
    if node.func.attr == "raw" or any(k.arg is None for k in node.keywords):
        return  # **values: checked where the values are built
    given = {k.arg for k in node.keywords} - {"accents"}
    assert given == prompts.placeholders(template), node.args[0].value


def test_a_missing_key_or_value_is_an_error():
    with pytest.raises(prompts.MissingPrompt):
        prompts.say("voice.no_such_prompt")
    with pytest.raises(KeyError):
        prompts.say("core.cli.imported", imported=1)


def test_sms_text_is_unaccented_unless_asked():
    assert prompts.sms("sms.help").isascii()
    assert not prompts.sms("sms.help", accents=True).isascii()


def test_every_csv_reason_has_words(demo_db):
    from hotline.domain import registers

    reasons = {k.rsplit(".", 1)[1] for k in prompts.catalogue() if k.startswith("csv.reason.")}
    report = registers.import_csv(demo_db, "phone,village,elderly,gender,birth_year,associations\n"
                                           "12,,,,,\n0912555001,Nowhere,,,,\n0912555001,,maybe,,,\n"
                                           "0912555001,,,x,,\n0912555001,,,,12,\n0912555001,,,,,chess\n",
                                 actor=OPERATOR)
    assert {e.reason for e in report.errors} <= reasons


# Letters only Vietnamese uses (ă â đ ê ô ơ ư and the tone-marked vowels of Latin Extended Additional),
# and combining tone marks; "é" alone is also GSM-7 and French, so it does not count.
VIETNAMESE = re.compile("[\u0102\u0103\u00c2\u00e2\u0110\u0111\u00ca\u00ea\u00d4\u00f4\u01a0\u01a1"
                        "\u01af\u01b0\u0128\u0129\u0168\u0169\u1ea0-\u1ef9\u0300-\u0323]")


@pytest.mark.parametrize("path", SCANNED, ids=[str(p.relative_to(ROOT)) for p in SCANNED])
def test_no_vietnamese_text_in_code(path):
    """Strings, docstrings and comments alike: every Vietnamese word lives in prompts/."""
    found = [(n, line.strip()) for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if VIETNAMESE.search(line)]
    assert found == [], "Vietnamese text belongs in prompts/"


@pytest.mark.parametrize("text, folded", [
    ("Đồng Tâm", "dong tam"), ("ĐĂNG KÝ", "dang ky"), ("Hướng  dẫn ", "huong dan"),
    ("cảnh báo lũ", "canh bao lu"), ("e\u0301", "e"),
])
def test_folding_strips_accents_and_d_stroke(text, folded):
    assert key(text) == folded
