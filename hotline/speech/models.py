"""`hotline models fetch`: download a Vosk model for deployments, check its SHA-256, unpack it under models/.

alphacephei.com publishes no checksums. The hashes of the archives we know are pinned here (PINNED, where
they came from: models/README.md); others in models/SHA256SUMS, or given with --sha256. A model with no pin
is installed and its hash pinned (trust on first use): commit the updated SHA256SUMS so every other machine
verifies against it.

An archive is only ever unpacked into a fresh folder under models/, member by member: a member outside its
model's folder, a link, or more files or bytes than any model has refuses the whole archive. Only a name of
a model (NAME) is installed, so nothing outside models/ is ever replaced.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import requests

BASE_URL = "https://alphacephei.com/vosk/models"
MODELS = {"small": "vosk-model-small-vn-0.4", "large": "vosk-model-vn-0.4"}
PINNED = {"vosk-model-small-vn-0.4.zip": "efe5c8494212110471a79befc48c79da679e5b1fc52a4ffb500222ff86d622e5"}
NAME = re.compile(r"vosk-model(-[a-z0-9]+(\.[0-9]+)*)+")     # vosk-model-small-vn-0.4: no separator, no ".."
MAX_MEMBERS = 10_000
MAX_UNPACKED = 4 << 30    # bytes: the largest Vosk models unpack to under 3 GB
CHUNK = 1 << 20


class FetchError(Exception):
    """reason is a prompt key under voice.cli; values fill it."""

    def __init__(self, prompt: str, **values):
        super().__init__(prompt)
        self.reason, self.values = prompt, values


def pins(folder: Path) -> dict[str, str]:
    """The shipped pins, then models/SHA256SUMS for archives we do not know."""
    path = folder / "SHA256SUMS"
    found = {}
    if path.exists():
        pairs = (line.split() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#"))
        found = {name.lstrip("*"): digest.lower() for digest, name in pairs}
    return {**found, **PINNED}


def pin(folder: Path, archive: str, digest: str) -> None:
    with (folder / "SHA256SUMS").open("a") as f:
        f.write(f"{digest}  {archive}\n")


def download(url: str, target: Path, progress=None) -> str:
    """Stream url to target; the SHA-256 of what arrived."""
    try:
        with requests.get(url, stream=True, timeout=(10, 60)) as r:
            r.raise_for_status()
            total = int(r.headers.get("Content-Length") or 0)
            return _copy(r.iter_content(CHUNK), target, lambda n: progress and progress(n, total))
    except requests.RequestException as e:
        raise FetchError("model_offline", url=url, reason=type(e).__name__) from e


def copy(source: Path, target: Path) -> str:
    """A zip brought by hand, copied (at most MAX_UNPACKED bytes: the path may be a device); its SHA-256."""
    with source.open("rb") as f:
        return _copy(iter(lambda: f.read(CHUNK), b""), target)


def _copy(chunks, target: Path, progress=None) -> str:
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as f:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_UNPACKED:
                raise FetchError("model_bad_archive", got="-")
            f.write(chunk)
            digest.update(chunk)
            if progress:
                progress(len(chunk))
    return digest.hexdigest()


def fetch(name: str, folder: Path, expected: str | None = None, base_url: str = BASE_URL,
          archive: Path | None = None, progress=None) -> tuple[Path, str, bool]:
    """Install models/<name>/ from the network or a zip brought by hand; (path, sha256, newly pinned)."""
    if not NAME.fullmatch(name):
        raise FetchError("model_bad_name", name=name)
    folder.mkdir(parents=True, exist_ok=True)
    zip_name = f"{name}.zip"
    expected = (expected or pins(folder).get(zip_name) or "").lower() or None
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        local = Path(tmp) / zip_name
        if archive:
            got = copy(archive, local)
        else:
            got = download(f"{base_url.rstrip('/')}/{zip_name}", local, progress)
        if expected and got != expected:
            raise FetchError("model_bad_hash", got=got)
        unpacked = Path(tmp) / "unpacked"
        unpack(local, unpacked, name, got)
        _replace(folder / name, unpacked / name, Path(tmp))
    if not expected:
        pin(folder, zip_name, got)
    return folder / name, got, not expected


def unpack(archive: Path, into: Path, name: str, digest: str) -> None:
    """Every member of the zip under into/<name>/, written one by one; FetchError("model_bad_archive") for a
    member elsewhere, a link, or more members or bytes than a model has."""
    refused = FetchError("model_bad_archive", got=digest)
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
                raise refused
            for member in members:
                parts = PurePosixPath(member.filename).parts
                link = stat.S_ISLNK(member.external_attr >> 16)
                if (link or "\\" in member.filename or not parts or parts[0] != name
                        or any(p in ("..", ".", "") or ":" in p for p in parts)):
                    raise refused
                target = into.joinpath(*parts)
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with z.open(member) as source, target.open("xb") as out:     # zipfile stops at the declared size
                    shutil.copyfileobj(source, out, CHUNK)
    except (zipfile.BadZipFile, FileExistsError, EOFError, zlib.error) as e:    # damaged, or a member twice
        raise refused from e
    if not (into / name).is_dir():
        raise refused


def _replace(target: Path, new: Path, scratch: Path) -> None:
    """Put new at target; an old folder (or a link someone left there: only the link) goes to scratch."""
    if target.is_symlink() or target.exists():
        target.rename(scratch / "previous")
    new.rename(target)
