"""The README's defaults, end to end: the commands `make run` and the README run, started in a folder with
no HOTLINE_DB / HOTLINE_INSTANCE / HOTLINE_AUDIO_CACHE (a relative var/ beside them), and once more with an
absolute instance folder. Only espeak-ng is asked to speak: gTTS would need Google."""
import os
import signal
import subprocess
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from hotline.core.config import Config
from hotline.sim.phone import Call, Webhooks, scripted
from tests.conftest import BA_LAN
from tests.web.test_server import HOTLINE, serve
from voice import tts
from hotline.sim.speech import caption

WARNING = "Nước sông Hồng lên nhanh, bà con Yên Nông kê cao đồ đạc, sơ tán ngay."


@pytest.fixture(params=["relative", "absolute"])
def site(request, tmp_path, monkeypatch):
    """The folder the commands start in and their environment: the README's defaults (clean_environment has
    removed every HOTLINE_* setting), an absolute HOTLINE_INSTANCE in the second run."""
    home = tmp_path / "loa-lang"
    home.mkdir()
    monkeypatch.chdir(home)
    env = {**os.environ, "HOTLINE_TTS_ENGINES": "espeak"}
    instance = home / "var"
    if request.param == "absolute":
        instance = tmp_path / "state"
        env["HOTLINE_INSTANCE"] = str(instance)
    return env, instance


def hotline(env, *args, input=None) -> str:
    done = subprocess.run(HOTLINE + list(args), env=env, input=input, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def worker_renders(env, text):
    """`hotline worker` (as `make run` starts it) until its minute job has rendered the text; then SIGTERM."""
    config = Config.from_env(env)
    worker = subprocess.Popen(HOTLINE + ["worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    try:
        deadline = time.monotonic() + 60
        while not tts.cached(config, text):
            assert time.monotonic() < deadline and worker.poll() is None, "the worker rendered nothing"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, errors = worker.communicate(timeout=30)
    assert worker.returncode == 0, errors
    return tts.cached(config, text)


def test_a_warning_the_worker_rendered_is_heard_through_the_server_and_shown_in_words(site):
    env, instance = site
    hotline(env, "init")
    hotline(env, "demo", "--if-empty")
    assert "espeak:" in hotline(env, "prompts", "render")
    created = hotline(env, "alerts", "create", "--level", "3", "--text", WARNING, "--village", "Yên Nông")
    alert_id = created.split("#")[1].split(".")[0]
    hotline(env, "alerts", "publish", alert_id, "--yes")
    clip = worker_renders(env, WARNING)
    assert (instance / "audio-cache" / clip).is_file()

    config = Config.from_env(env)          # the simulator's: same folder, so the same local signing token
    server, port = serve(env)
    try:
        played = [e.text for e in Call(Webhooks(config, base_url=f"http://127.0.0.1:{port}"), BA_LAN,
                                       scripted("#", "")).run() if e.kind == "play"]
        assert played[1].endswith(f"/audio/{clip}")            # bà Lan hears her warning first, in espeak's voice
        assert [caption(config, url) for url in played[:2]] == ["Cảnh báo khẩn cho thôn mình.", WARNING]
        for url in dict.fromkeys(played):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{urlsplit(url).path}", timeout=10) as r:
                assert r.status == 200 and r.headers["Content-Type"] == "audio/wav"
                assert r.read(4) == b"RIFF"
        # bà Lan leaves a voicemail through the terminal simulator; the server downloads it behind the call.
        hotline(env, "call", BA_LAN, "--url", f"http://127.0.0.1:{port}", "--keys", "0,xin gọi lại cho tôi")
        deadline = time.monotonic() + 20
        while "recordings/voicemail/RE" not in (listed := hotline(env, "voicemail", "list")):
            assert time.monotonic() < deadline, listed
            time.sleep(0.2)
        assert "!" not in listed                # no download error, now or for the worker to retry
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0 and "Traceback" not in output, output
    # The terminal simulator (in-process) shows the warning's words, not the clip's name.
    heard = hotline(env, "call", BA_LAN, "--keys", "#,")
    assert f"▶ {WARNING}" in heard and clip not in heard
