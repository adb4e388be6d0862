"""The prompt catalogue: every word the system says or listens for, loaded from prompts/*.toml."""
from __future__ import annotations

import string
import tomllib
from functools import lru_cache
from pathlib import Path

from hotline.core.segments import gsm7
from hotline.core.text import fold, nfc

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
# prompts/demo/ holds data (the demo commune, lessons, officials), not spoken text.
DATA_DIRS = ("demo",)


class MissingPrompt(KeyError):
    pass


@lru_cache(maxsize=None)
def catalogue(directory: str = str(PROMPTS_DIR)) -> dict[str, object]:
    """Flat {"voice.main_menu": "…"} from every prompts/**/*.toml; the file path is the namespace."""
    flat: dict[str, object] = {}
    root = Path(directory)
    for path in sorted(root.rglob("*.toml")):
        namespace = ".".join(path.relative_to(root).with_suffix("").parts)
        if namespace.split(".")[0] in DATA_DIRS:
            continue
        with path.open("rb") as f:
            _flatten(namespace, tomllib.load(f), flat)
    return flat


def _flatten(prefix: str, node, out: dict) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(f"{prefix}.{k}", v, out)
    elif isinstance(node, str):
        out[prefix] = nfc(node)
    elif isinstance(node, list):
        out[prefix] = [nfc(v) if isinstance(v, str) else v for v in node]
    else:
        out[prefix] = node


def raw(key: str):
    try:
        return catalogue()[key]
    except KeyError:
        raise MissingPrompt(key) from None


def say(key: str, **values) -> str:
    """The text for key with its placeholders filled; unknown keys and missing values raise."""
    template = raw(key)
    if not isinstance(template, str):
        raise TypeError(f"{key} is not a text prompt")
    return nfc(template.format_map(_Strict(key, values)))


def sms(key: str, accents: bool = False, **values) -> str:
    """An SMS text: unaccented and pure GSM-7 by default (160 characters a segment), officials' words too."""
    try:
        return _sms(id(catalogue()), key, accents, tuple(sorted(values.items())))
    except TypeError:       # a value that cannot be a cache key (a list): worded afresh
        text = say(key, **values)
        return text if accents else gsm7(fold(text))


@lru_cache(maxsize=2048)
def _sms(_catalogue: int, key: str, accents: bool, values: tuple) -> str:
    """The same reply (the warnings of the day, help) goes to many people: folded once per wording."""
    text = say(key, **dict(values))
    return text if accents else gsm7(fold(text))


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def data(name: str) -> dict:
    """A data file under prompts/ (e.g. "demo/commune"), parsed and NFC-normalised."""
    with (PROMPTS_DIR / f"{name}.toml").open("rb") as f:
        return _nfc_tree(tomllib.load(f))


def _nfc_tree(node):
    if isinstance(node, dict):
        return {k: _nfc_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_nfc_tree(v) for v in node]
    return nfc(node) if isinstance(node, str) else node


class _Strict(dict):
    def __init__(self, key, values):
        super().__init__(values)
        self.key = key

    def __missing__(self, name):
        raise KeyError(f"prompt {self.key} needs a value for {{{name}}}")
