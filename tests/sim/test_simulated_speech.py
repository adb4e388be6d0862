"""`hotline call`: words typed at a speech prompt go through the signed Record action and the recording download."""
from click.testing import CliRunner

from hotline.cli.main import main
from hotline.core.config import Config
from tests.conftest import BA_LAN
from hotline.speech import audio
from hotline.sending import recordings
from hotline.sim.speech import folder, recording_store


def test_typed_words_choose_a_menu_option(cli_env):
    result = CliRunner().invoke(main, ["call", BA_LAN, "--keys", ",hướng dẫn,,lừa đảo"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "🎙 hướng dẫn" in result.output and "Bác muốn nghe hướng dẫn nào?" in result.output
    assert "Bước 1." in result.output and "OTP" in result.output


TWILIO = {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "t" * 32}


def test_the_store_serves_recordings_only_with_the_accounts_credentials(settings):
    import requests

    config = Config.from_env({"HOTLINE_INSTANCE": settings["HOTLINE_INSTANCE"], "HOTLINE_ASR": "script", **TWILIO})
    with recording_store(config) as store:
        url = store.record("có")
        assert requests.get(url, timeout=5).status_code == 401
        assert requests.get(url, auth=(config.account_sid(), "wrong"), timeout=5).status_code == 401
        data = recordings.download(config, url.rsplit("/", 1)[1], url, seconds=5)     # the app's own download path
    assert audio.info(data) == {"ICMT": "có"}


def test_local_recordings_are_refused_unless_the_script_recogniser_is_chosen(settings):
    config = Config.from_env({"HOTLINE_INSTANCE": settings["HOTLINE_INSTANCE"], "HOTLINE_ASR": "vosk"})
    with recording_store(config) as store:
        url = store.record("có")
        # Without the script recogniser the address is Twilio's own, whatever the posted URL says.
        assert recordings.url(config, url.rsplit("/", 1)[1], url).startswith("https://api.twilio.com/")


def test_in_local_mode_the_simulators_recording_is_found_by_its_sid_after_it_hung_up(settings):
    """What the worker's voicemail retries need: the store has stopped; only the sid finds the file."""
    config = Config.from_env({"HOTLINE_INSTANCE": settings["HOTLINE_INSTANCE"]})     # HOTLINE_ASR=auto
    with recording_store(config) as store:
        url = store.record("xin gọi lại")
    sid = url.rsplit("/", 1)[-1]
    assert audio.info(recordings.download(config, sid, url, seconds=5)) == {"ICMT": "xin gọi lại"}
    assert audio.info(recordings.download(config, sid, seconds=5)) == {"ICMT": "xin gọi lại"}
    assert recordings.delete(config, sid)
    assert not list(folder(config).iterdir())


def test_typed_words_reach_a_running_server_over_http(settings, cli_env):
    """Against `hotline serve` (waitress): the server downloads the simulator's recording like Twilio's."""
    import threading

    from waitress.server import create_server

    from hotline.app import create_app
    from hotline.core import db as storage
    from hotline import demo

    app = create_app({**settings, "HOTLINE_ASR": "script"})
    with app.app_context():
        demo.load(storage.get_db())
    server = create_server(app, host="127.0.0.1", port=0, threads=4, asyncore_use_poll=True)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}"
        result = CliRunner().invoke(main, ["call", BA_LAN, "--url", url, "--keys", ",thông báo"], env=cli_env)
    finally:
        server.close()
    assert result.exit_code == 0, result.output
    assert "🎙 thông báo" in result.output
    assert "Thông báo mới nhất." in result.output or "Hiện chưa có thông báo mới." in result.output
