"""The dependency rule, read from the imports (docs/architecture.md): it cannot drift.

core imports nothing else of ours; speech imports core; domain imports core; sending and web import domain
and core (and speech); the channels (voice, sms, admin) import those and never each other; the composition
roots (hotline.app, hotline.cli), the demo loaders and the simulators are leaves: nothing below them imports them.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("hotline", "voice", "sms", "admin")

# layer -> the layers it may import (itself always allowed)
ALLOWED = {
    "core": set(),
    "speech": {"core"},
    "domain": {"core"},
    "sending": {"core", "speech", "domain"},
    "web": {"core", "speech", "domain"},
    "voice": {"core", "speech", "domain", "sending", "web"},
    "sms": {"core", "speech", "domain", "sending", "web"},
    "admin": {"core", "speech", "domain", "sending", "web"},
    "demo": {"core", "domain"},
    "sim": {"core", "speech", "domain", "sending", "web", "voice", "sms", "admin"},
    "app": {"core", "speech", "domain", "sending", "web", "voice", "sms", "admin", "sim"},
    "cli": {"core", "speech", "domain", "sending", "web", "voice", "sms", "admin", "sim", "demo", "app"},
}


def layer(module: str) -> str | None:
    parts = module.split(".")
    if module == "hotline":
        return "core"             # the package itself: a docstring, nothing imported
    if parts[0] in ("voice", "sms", "admin"):
        return parts[0]
    if parts[0] != "hotline" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ALLOWED else None


def modules():
    for top in OURS:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            yield ".".join(parts), path, is_package


def imports(module: str, path: Path, is_package: bool) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from voice import menus" depends on voice.menus; "from voice.menus import Menu" on voice.menus
            names = [f"{target}.{a.name}" for a in node.names]
            found += [n for n in names if n in MODULES] or [target]
            found += [target] if any(n not in MODULES for n in names) else []
    return [name for name in found if name.split(".")[0] in OURS]


EVERY = list(modules())
MODULES = {m for m, _, _ in EVERY}


@pytest.mark.parametrize("module,path,is_package", EVERY, ids=[m for m, _, _ in EVERY])
def test_each_module_imports_only_what_its_layer_may(module, path, is_package):
    own = layer(module)
    assert own is not None, f"{module} belongs to no layer: place it in docs/architecture.md's map"
    wrong = sorted({name for name in imports(module, path, is_package)
                    if (other := layer(name)) and other != own and other not in ALLOWED[own]})
    assert wrong == [], f"{module} ({own}) may not import {wrong}"


def test_there_are_no_import_circles_between_modules():
    known = {m for m, _, _ in EVERY}
    graph = {m: {n for n in imports(m, p, pkg) if n in known and n != m} for m, p, pkg in EVERY}
    seen, stack, circles = set(), [], []

    def visit(node):
        if node in stack:
            circles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert circles == [], "\n".join(" -> ".join(c) for c in circles)
