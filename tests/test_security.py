"""Security checks over the whole product: parameterised SQL, login everywhere, no secrets in git."""
import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = sorted(p for d in ("hotline", "voice", "sms", "admin") for p in (ROOT / d).rglob("*.py"))
SQL_CALLS = {"execute", "executemany", "executescript", "query"}

# Statements composed from code (never from input) at these reviewed places; the values travel as
# parameters. A new composed statement fails the test until it is reviewed and listed here.
COMPOSED_SQL = {
    ("hotline/core/db.py", "connect"): "PRAGMA with an integer constant",
    ("hotline/core/db.py", "migrate"): "PRAGMA user_version with a migration's integer version",
    ("hotline/domain/alerts/broadcast.py", "insert_rows"): "CASE fragments chosen by channel; WHERE from target_sql, parameterised",
    ("hotline/domain/alerts/broadcast.py", "preview"): "VOICE_FLAGS constant; WHERE from target_sql, parameterised",
    ("hotline/domain/calls.py", "*"): "STEP_COLUMNS constant column list",
    ("hotline/domain/lessons/__init__.py", "*"): "the _LESSON_SQL constant SELECT plus constant clauses",
    ("hotline/domain/lessons/reminders.py", "withdraw"): "one 'dedupe_key LIKE ?' per constant pattern",
}


def _composed_sql_sites():
    for path in PRODUCT:
        tree = ast.parse(path.read_text("utf-8"))
        for func in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
            for node in ast.walk(func):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in SQL_CALLS and node.args and _composed(node.args[0])):
                    yield str(path.relative_to(ROOT)), func.name, node.lineno


def _composed(arg):
    return isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (
        isinstance(arg, ast.Call) and getattr(arg.func, "attr", None) in ("format", "join"))


def test_sql_takes_values_only_as_parameters():
    unreviewed = [(f, fn, line) for f, fn, line in _composed_sql_sites()
                  if (f, fn) not in COMPOSED_SQL and (f, "*") not in COMPOSED_SQL]
    assert unreviewed == []


def test_no_composed_sql_interpolates_a_variable_that_is_not_a_constant_or_fragment():
    for path in PRODUCT:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in SQL_CALLS and node.args:
                for part in ast.walk(node.args[0]):
                    # request data and user values always have these names in our code
                    if isinstance(part, ast.Name) and part.id in {"request", "form", "body", "text", "name",
                                                                   "phone", "query", "search"}:
                        raise AssertionError(f"{path}:{node.lineno} builds SQL from {part.id}")


def test_every_admin_page_requires_login(app):
    client = app.test_client()
    open_paths = {"/admin/login", "/admin/static", "/health", "/static", "/audio"}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/admin", "/simulator")) or "GET" not in rule.methods:
            continue
        if any(rule.rule.startswith(p) for p in open_paths):
            continue
        path = rule.build({a: 1 for a in rule.arguments}, append_unknown=False)[1]
        response = client.get(path)
        assert response.status_code in (302, 303, 401, 403), path
        if response.status_code in (302, 303):
            assert "/admin/login" in response.headers["Location"], path


SECRET_PATTERNS = [
    re.compile(r"AC[0-9a-f]{32}"),                                   # a real-looking Twilio account SID
    re.compile(r"SK[0-9a-f]{32}"),                                   # Twilio API key
    re.compile(r"(?i)(auth_token|password|secret)\s*=\s*['\"][A-Za-z0-9+/]{24,}['\"]"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
]
FAKE_SIDS = {"AC" + "0" * 32, "AC" + "1" * 32}


def test_no_secret_is_committed():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in files:
        path = ROOT / name
        if path.suffix in {".db", ".wav", ".mp3", ".zip"}:
            found.append(name)  # databases, audio and models never belong in git
            continue
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_text("utf-8", errors="replace")
        for pattern in SECRET_PATTERNS:
            for match in pattern.finditer(text):
                if match.group(0) not in FAKE_SIDS:
                    found.append(f"{name}: {match.group(0)[:12]}…")
    assert found == []


@pytest.mark.parametrize("ignored", [".venv/", "var/", "models/*/", "*.db", "audio-cache/"])
def test_local_state_is_ignored_by_git(ignored):
    assert ignored in (ROOT / ".gitignore").read_text().split()
