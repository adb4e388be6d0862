"""Pre-rendered prompts: gTTS (tested at the HTTP level), espeak-ng, <Say>; the cache; /audio; never on a call."""
import base64
import json
import socket
import subprocess
import threading
import time
import types

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from hotline.core import db as storage
from hotline.cli.main import main
from tests.conftest import BA_LAN
from tests.voice.conftest import Caller, parse, spoken
from hotline.speech import audio
from voice import render, tts

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 400


class FakeGoogle:
    """Google Translate's batchexecute endpoint as gTTS calls it, on 127.0.0.1."""

    def __init__(self, mode="audio"):
        self.mode, self.requests = mode, []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @Request.application
    def app(self, request):
        self.requests.append(request.get_data(as_text=True))
        if self.mode == "error":
            return Response("unavailable", 503)
        if self.mode == "no_audio":       # a 200 without the audio line: gTTS writes nothing
            return Response(")]}'\n\n[[\"wrb.fr\",\"other\",null]]\n")
        payload = base64.b64encode(MP3).decode()
        line = json.dumps([["wrb.fr", "jQ1olc", json.dumps([payload])]], separators=(",", ":"))
        return Response(")]}'\n\n" + line + "\n")

    def url(self, tld="com", path=""):
        return f"http://127.0.0.1:{self.server.server_port}/{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def google(monkeypatch):
    fakes = []

    def start(mode="audio"):
        fake = FakeGoogle(mode)
        fakes.append(fake)
        monkeypatch.setattr("gtts.tts._translate_url", fake.url)
        return fake
    yield start
    for fake in fakes:
        fake.stop()


@pytest.fixture
def app(make_app):
    return make_app(HOTLINE_TTS_THROTTLE="0")


def _render(app, **kwargs):
    with app.app_context():
        return render.render(storage.get_db(), app.config, **kwargs)


def test_gtts_renders_every_prompt_once_and_calls_play_it_from_the_cache(app, google):
    fake = google("audio")
    report = _render(app)
    assert len(fake.requests) >= report.rendered["gtts"] > 100       # long texts take several requests
    assert report.said == 0 and "espeak" not in report.rendered
    assert "vi" in fake.requests[0]                                   # lang=vi in the RPC
    assert _render(app).rendered == {}                                # only what changed
    root = parse(app.test_client().post("/voice/menu/main", data={}, headers=_signed(app, "/voice/menu/main", {})))
    urls = [el.text for el in root.iter("Play")]
    assert urls and all(u.startswith("https://hotline.example.vn/audio/") and u.endswith(".mp3") for u in urls)
    assert root.find(".//Say") is None


def _signed(app, path, form):
    from hotline.web.webhooks import sign

    return {"X-Twilio-Signature": sign(app.config, app.config.absolute(path), form)}


@pytest.mark.parametrize("mode", ["no_audio", "error"])
def test_when_gtts_fails_espeak_renders_an_8khz_wav(app, google, mode):
    fake = google(mode)
    report = _render(app)
    assert report.rendered.get("gtts", 0) == 0 and report.rendered["espeak"] > 100
    assert "gtts" in report.errors
    assert len(fake.requests) == render.GTTS_GIVE_UP_AFTER        # gives up on Google after 3 in a row
    with app.app_context():
        name = tts.cached(app.config, "Mời bác chọn.")
        data = (tts.cache_dir(app.config) / name).read_bytes()
    assert name.endswith(".wav") and audio.decode(data).rate == 8000 and audio.duration(data) > 0.3
    assert not list(tts.cache_dir(app.config).glob("*.mp3"))       # no empty mp3 left behind


def test_the_empty_gtts_answer_is_detected(google, app):
    google("no_audio")
    with pytest.raises(RuntimeError, match="no audio"):
        render.gtts_render("Mời bác chọn.", app.config)


def test_gtts_is_throttled_and_has_a_timeout(app, google, monkeypatch):
    google("audio")
    seen = []
    original = render.gtts_render

    def spy(text, config):
        from gtts import gTTS

        seen.append(gTTS(text, lang="vi", timeout=config.number("HOTLINE_TTS_TIMEOUT")).timeout)
        return original(text, config)
    monkeypatch.setattr(render, "gtts_render", spy)
    monkeypatch.setitem(render.RENDERERS, "gtts", spy)
    sleeps = []
    monkeypatch.setattr(render, "time", types.SimpleNamespace(sleep=sleeps.append, monotonic=time.monotonic))
    app.config["HOTLINE_TTS_THROTTLE"] = "0.5"
    _render(app)
    assert set(seen) == {10.0}
    rendered = sum(1 for _ in tts.cache_dir(app.config).glob("*.mp3"))
    assert len(sleeps) == rendered and max(sleeps) <= 0.5 and sum(s > 0.3 for s in sleeps) > 50


def test_without_any_engine_the_text_is_said_by_twilio_in_vietnamese(app, monkeypatch):
    app.config["HOTLINE_TTS_ENGINES"] = "espeak"
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    report = _render(app)
    assert report.said > 100 and report.rendered == {}
    root = parse(app.test_client().post("/voice/menu/main", data={}, headers=_signed(app, "/voice/menu/main", {})))
    assert {el.get("language") for el in root.iter("Say")} == {"vi-VN"}


def test_a_changed_text_is_rendered_again_and_stale_clips_pruned(app, monkeypatch):
    app.config["HOTLINE_TTS_ENGINES"] = "espeak"
    first = _render(app)
    from hotline.core import prompts

    catalogue = dict(prompts.catalogue())
    catalogue["voice.main.intro"] = "Mời bác chọn một mục."
    monkeypatch.setattr(prompts, "catalogue", lambda *a: catalogue)
    second = _render(app, prune=True)
    assert second.rendered == {"espeak": 1} and second.pruned == 1
    assert second.skipped == sum(first.rendered.values()) - 1


def test_audio_is_served_with_long_cache_headers_and_an_etag(app):
    folder = tts.cache_dir(app.config)
    folder.mkdir(parents=True)
    name = tts.digest("Mời bác chọn.", "gtts", "vi")
    (folder / f"{name}.mp3").write_bytes(MP3)
    client = app.test_client()
    with client.get(f"/audio/{name}.mp3") as r:
        assert r.status_code == 200 and r.mimetype == "audio/mpeg" and r.data == MP3
        assert r.headers["ETag"] == f'"{name}"'
        assert "max-age=31536000" in r.headers["Cache-Control"] and "immutable" in r.headers["Cache-Control"]
    with client.get(f"/audio/{name}.mp3", headers={"If-None-Match": f'"{name}"'}) as r:
        assert r.status_code == 304
    for bad in [f"/audio/{name}.ogg", "/audio/../../etc/passwd.mp3", f"/audio/{'0' * 32}.mp3", "/audio/x.wav"]:
        with client.get(bad) as r:
            assert r.status_code == 404, bad


def test_the_render_command_shows_progress_and_a_summary(cli_env):
    env = {**cli_env, "HOTLINE_TTS_ENGINES": "espeak"}
    result = CliRunner().invoke(main, ["prompts", "render"], env=env)
    assert result.exit_code == 0, result.output
    assert "Đang tạo âm thanh" in result.output and "(espeak:" in result.output
    again = CliRunner().invoke(main, ["prompts", "render"], env=env)
    assert "Đã tạo 0 tệp âm thanh" in again.output


def test_nothing_on_a_callers_path_renders_or_touches_the_network(app, monkeypatch):
    """A whole call, every branch, with sockets and subprocesses forbidden and gTTS booby-trapped."""
    def forbidden(*args, **kwargs):
        raise AssertionError("network or subprocess on the call path")
    monkeypatch.setattr(socket.socket, "connect", forbidden)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr("gtts.tts.gTTS.write_to_fp", forbidden)
    caller = Caller(app, BA_LAN)
    for answers in (["1", "1", "#"], ["2", "2", "1", "3", "#"], ["3", "*", "#"], ["4", "#"], ["0", ""], ["", "", ""]):
        events = caller.call(*answers)
        assert not [e for e in events if e.kind == "error"] and spoken(events)


def test_the_worker_renders_a_newly_published_warning_within_a_minute(app):
    """…and indexes it at once: the simulators show bà Lan's warning in words, not a clip's file name."""
    from tests.voice.conftest import add_alert
    from hotline.sim.speech import caption

    app.config["HOTLINE_TTS_ENGINES"] = "espeak"
    text = "Nước sông lên nhanh, bà con Yên Nông di chuyển ngay."
    add_alert(app, text, ["Yên Nông"])
    with app.app_context():
        assert tts.cached(app.config, text) is None
        render.new_warnings_job(storage.get_db(), app.config, storage.now())
        render._background.join(30)          # rendered beside the worker's loop, not in it
        clip = tts.cached(app.config, text)
        assert clip.endswith(".wav")
        assert caption(app.config, f"{app.config.public_url}/audio/{clip}") == text
    played = [e.text for e in Caller(app, BA_LAN).call("#") if e.kind == "play"]
    assert played[0].endswith(clip) and caption(app.config, played[0]) == text


def test_the_index_keeps_every_clip_a_render_or_the_worker_wrote(app):
    app.config["HOTLINE_TTS_ENGINES"] = "espeak"
    folder = tts.cache_dir(app.config)
    render.render_texts(app.config, ["Mời bác chọn."])
    _render(app)                                 # a full render keeps the worker's line and adds its own
    index = render.read_index(folder)
    assert index[tts.cached(app.config, "Mời bác chọn.")] == "Mời bác chọn."
    assert len(index) == len(list(folder.glob("*.wav")))
    render.render_texts(app.config, ["Nước   sông lên."])
    assert render.read_index(folder)[tts.cached(app.config, "Nước   sông lên.")] == "Nước sông lên."


def test_a_compiled_menu_follows_the_audio_cache(app):
    """Menus are compiled once per wording and cache listing: a clip rendered later is played at once."""
    from hotline.core import prompts
    from voice import menus

    def main_menu():
        response = app.test_client().post("/voice/menu/main", data={}, headers=_signed(app, "/voice/menu/main", {}))
        return response.get_data()

    intro = prompts.say("voice.main.intro")
    first = main_menu()
    compiled = len(menus._documents)
    assert main_menu() == first and len(menus._documents) == compiled      # the same document, from memory
    assert f"<Say language=\"vi-VN\">{intro}</Say>".encode() in first
    folder = tts.cache_dir(app.config)
    folder.mkdir(parents=True, exist_ok=True)
    clip = f"{tts.digest(intro, 'gtts', 'vi')}.mp3"
    (folder / clip).write_bytes(MP3)
    after = main_menu()
    assert f"/audio/{clip}</Play>".encode() in after and intro.encode() not in after
