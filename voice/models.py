"""`hotline models fetch`: download a Vosk model for deployments, check its SHA-256, unpack it under models/.

alphacephei.com publishes no checksums, so the expected hashes are pinned in models/SHA256SUMS
(or given with --sha256). A model without a pin is installed and its hash pinned (trust on first
use): commit the updated SHA256SUMS so every other machine verifies against it.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from pathlib import Path

import requests

BASE_URL = "https://alphacephei.com/vosk/models"
MODELS = {"small": "vosk-model-small-vn-0.4", "large": "vosk-model-vn-0.4"}
CHUNK = 1 << 20


class FetchError(Exception):
    """reason is a prompt key under voice.cli; values fill it."""

    def __init__(self, prompt: str, **values):
        super().__init__(prompt)
        self.reason, self.values = prompt, values


def pins(folder: Path) -> dict[str, str]:
    path = folder / "SHA256SUMS"
    if not path.exists():
        return {}
    pairs = (line.split() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#"))
    return {name.lstrip("*"): digest.lower() for digest, name in pairs}


def pin(folder: Path, archive: str, digest: str) -> None:
    with (folder / "SHA256SUMS").open("a") as f:
        f.write(f"{digest}  {archive}\n")


def download(url: str, target: Path, progress=None) -> str:
    """Stream url to target; the SHA-256 of what arrived."""
    digest = hashlib.sha256()
    try:
        with requests.get(url, stream=True, timeout=(10, 60)) as r:
            r.raise_for_status()
            total = int(r.headers.get("Content-Length") or 0)
            with target.open("wb") as f:
                for chunk in r.iter_content(CHUNK):
                    f.write(chunk)
                    digest.update(chunk)
                    if progress:
                        progress(len(chunk), total)
    except requests.RequestException as e:
        raise FetchError("model_offline", url=url, reason=type(e).__name__) from e
    return digest.hexdigest()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(name: str, folder: Path, expected: str | None = None, base_url: str = BASE_URL,
          archive: Path | None = None, progress=None) -> tuple[Path, str, bool]:
    """Install models/<name>/ from the network or a zip brought by hand; (path, sha256, newly pinned)."""
    folder.mkdir(parents=True, exist_ok=True)
    zip_name = f"{name}.zip"
    expected = (expected or pins(folder).get(zip_name) or "").lower() or None
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        local = Path(tmp) / zip_name
        if archive:
            shutil.copyfile(archive, local)
            got = sha256(local)
        else:
            got = download(f"{base_url.rstrip('/')}/{zip_name}", local, progress)
        if expected and got != expected:
            raise FetchError("model_bad_hash", got=got)
        try:
            with zipfile.ZipFile(local) as z:
                unsafe = [n for n in z.namelist() if n.startswith("/") or ".." in Path(n).parts]
                if unsafe:
                    raise FetchError("model_bad_hash", got=got)
                z.extractall(tmp)
        except zipfile.BadZipFile as e:
            raise FetchError("model_bad_hash", got=got) from e
        unpacked = Path(tmp) / name
        if not unpacked.is_dir():
            raise FetchError("model_bad_hash", got=got)
        target = folder / name
        if target.exists():
            shutil.rmtree(target)
        unpacked.rename(target)
    if not expected:
        pin(folder, zip_name, got)
    return target, got, not expected
