"""`hotline models fetch`: download, SHA-256 check (pinned or given), unpack; a clear error offline."""
import hashlib
import io
import threading
import zipfile

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from hotline import prompts
from hotline.cli import main

NAME = "vosk-model-small-vn-0.4"


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
