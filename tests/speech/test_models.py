"""`hotline models fetch`: download, SHA-256 check (pinned or given), unpack; a clear error offline."""
import hashlib
import io
import threading
import zipfile

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from hotline.core import prompts
from hotline.cli.main import main
from hotline.speech import models

NAME = "vosk-model-small-vn-0.4"
SHIPPED = dict(models.PINNED)


@pytest.fixture(autouse=True)
def unpinned(monkeypatch):
    """The archives here are small stand-ins, not the real models: the shipped pins would refuse them."""
    monkeypatch.setattr(models, "PINNED", {})


def model_zip(name=NAME, extra=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(f"{name}/am/final.mdl", b"model")
        z.writestr(f"{name}/conf/mfcc.conf", "--sample-frequency=16000\n")
        for path, data in (extra or {}).items():
            z.writestr(path, data)
    return buffer.getvalue()


@pytest.fixture
def mirror():
    files = {}

    @Request.application
    def app(request):
        name = request.path.rsplit("/", 1)[-1]
        return Response(files[name], content_type="application/zip") if name in files else Response("no", 404)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield files, f"http://127.0.0.1:{server.server_port}/vosk/models"
    server.shutdown()
    server.server_close()


def fetch(tmp_path, *args):
    return CliRunner().invoke(main, ["models", "fetch", "--dir", str(tmp_path / "models"), *args])


def test_it_downloads_unpacks_and_pins_the_hash(mirror, tmp_path):
    files, url = mirror
    files[f"{NAME}.zip"] = data = model_zip()
    result = fetch(tmp_path, "--base-url", url)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "models" / NAME / "am" / "final.mdl").read_bytes() == b"model"
    digest = hashlib.sha256(data).hexdigest()
    assert f"{digest}  {NAME}.zip" in (tmp_path / "models" / "SHA256SUMS").read_text()
    assert prompts.say("voice.cli.model_pinned", digest=digest) in result.output
    again = fetch(tmp_path, "--base-url", url)
    assert again.exit_code == 0 and prompts.say("voice.cli.model_verified", digest=digest) in again.output


def test_a_download_that_does_not_match_the_pin_is_refused(mirror, tmp_path):
    files, url = mirror
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "SHA256SUMS").write_text(f"{'0' * 64}  {NAME}.zip\n")
    files[f"{NAME}.zip"] = model_zip()
    result = fetch(tmp_path, "--base-url", url)
    assert result.exit_code == 1 and "SHA-256" in result.output
    assert not (tmp_path / "models" / NAME).exists()
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["SHA256SUMS"]   # nothing half-installed


def test_a_given_sha256_is_checked(mirror, tmp_path):
    files, url = mirror
    files[f"{NAME}.zip"] = data = model_zip()
    assert fetch(tmp_path, "--base-url", url, "--sha256", "ab" * 32).exit_code == 1
    assert fetch(tmp_path, "--base-url", url, "--sha256", hashlib.sha256(data).hexdigest()).exit_code == 0


def test_offline_it_says_so_and_how_to_install_by_hand(tmp_path):
    result = fetch(tmp_path, "--base-url", "http://127.0.0.1:9/vosk/models")
    assert result.exit_code == 1
    assert "Không tải được http://127.0.0.1:9/vosk/models/vosk-model-small-vn-0.4.zip" in result.output
    assert "--file" in result.output


def test_a_zip_brought_by_hand_is_installed(tmp_path):
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(model_zip())
    result = fetch(tmp_path, "--file", str(archive))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "models" / NAME / "conf" / "mfcc.conf").exists()


def test_a_zip_escaping_the_folder_is_refused(tmp_path):
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(model_zip(extra={"../evil.txt": b"x"}))
    assert fetch(tmp_path, "--file", str(archive)).exit_code == 1
    assert not (tmp_path / "evil.txt").exists()


def test_the_large_model_is_optional(mirror, tmp_path):
    files, url = mirror
    files[f"{NAME}.zip"] = model_zip()
    files["vosk-model-vn-0.4.zip"] = model_zip("vosk-model-vn-0.4")
    assert fetch(tmp_path, "--base-url", url).exit_code == 0
    assert not (tmp_path / "models" / "vosk-model-vn-0.4").exists()
    assert fetch(tmp_path, "--base-url", url, "--large").exit_code == 0
    assert (tmp_path / "models" / "vosk-model-vn-0.4" / "am").is_dir()


def test_the_small_model_ships_pinned_and_a_stand_in_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "PINNED", SHIPPED)
    assert len(SHIPPED[f"{NAME}.zip"]) == 64
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(model_zip())
    result = fetch(tmp_path, "--file", str(archive))
    assert result.exit_code == 1 and "SHA-256" in result.output
    assert not (tmp_path / "models" / NAME).exists() and not (tmp_path / "models" / "SHA256SUMS").exists()


@pytest.mark.parametrize("file_name", ["..zip", "...zip", "models.zip", "vosk-model-..zip", "vosk-model-x..y.zip",
                                       "vosk-model-vn-0.4 .zip", "Vosk-Model-vn.zip", "vosk-model-vn\\x.zip"])
def test_only_a_model_name_is_installed_and_nothing_outside_models_is_replaced(tmp_path, file_name):
    keep = tmp_path / "keep.txt"
    keep.write_text("an operator's file")
    (tmp_path / "models").mkdir()
    archive = tmp_path / "in" / file_name
    archive.parent.mkdir()
    archive.write_bytes(model_zip(file_name.removesuffix(".zip")))
    result = fetch(tmp_path, "--file", str(archive))
    assert result.exit_code == 1 and "không phải tên một mô hình Vosk" in result.output
    assert keep.read_text() == "an operator's file" and [p.name for p in (tmp_path / "models").iterdir()] == []


def _zip_with(members):
    import warnings

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")                  # a name twice is what the test is about
        for info, data in members:
            z.writestr(info, data)
    return buffer.getvalue()


def _link(name, target):
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o120777 << 16)         # a symbolic link, as `zip --symlinks` stores it
    return info, target


@pytest.mark.parametrize("members", [
    [(f"{NAME}/am/final.mdl", b"m"), ("/etc/evil", b"x")],
    [(f"{NAME}/am/final.mdl", b"m"), (f"{NAME}/../../evil", b"x")],
    [(f"{NAME}/am/final.mdl", b"m"), (f"{NAME}\\..\\..\\evil", b"x")],
    [(f"{NAME}/am/final.mdl", b"m"), ("other-model/x", b"x")],
    [(f"{NAME}/am/final.mdl", b"m"), _link(f"{NAME}/conf", "/etc")],
    [(f"{NAME}/am/final.mdl", b"m"), (f"{NAME}/am/final.mdl", b"again")],
    [(f"{NAME}/c:/evil", b"x")],
])
def test_an_archive_reaching_outside_its_model_is_refused_whole(tmp_path, members):
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(_zip_with(members))
    result = fetch(tmp_path, "--file", str(archive))
    assert result.exit_code == 1 and "không phải một mô hình Vosk" in result.output
    assert [p.name for p in (tmp_path / "models").iterdir()] == []
    assert not (tmp_path / "evil").exists() and not list(tmp_path.rglob("evil"))


def test_an_archive_unpacking_to_more_than_a_model_ever_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "MAX_UNPACKED", 1 << 20)
    archive = tmp_path / f"{NAME}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{NAME}/am/final.mdl", b"\0" * (2 << 20))         # 2 MB that deflate to 2 KB
    archive.write_bytes(buffer.getvalue())
    assert len(buffer.getvalue()) < 10_000
    result = fetch(tmp_path, "--file", str(archive))
    assert result.exit_code == 1 and not (tmp_path / "models" / NAME).exists()
    monkeypatch.setattr(models, "MAX_MEMBERS", 3)
    archive.write_bytes(model_zip(extra={f"{NAME}/{n}": b"x" for n in "abcd"}))
    assert fetch(tmp_path, "--file", str(archive)).exit_code == 1


def test_a_link_left_where_the_model_goes_is_replaced_not_followed(tmp_path):
    elsewhere = tmp_path / "operator"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("keep")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / NAME).symlink_to(elsewhere)
    archive = tmp_path / f"{NAME}.zip"
    archive.write_bytes(model_zip())
    assert fetch(tmp_path, "--file", str(archive)).exit_code == 0
    assert (elsewhere / "notes.txt").read_text() == "keep"
    assert not (tmp_path / "models" / NAME).is_symlink()
    assert (tmp_path / "models" / NAME / "am" / "final.mdl").read_bytes() == b"model"
