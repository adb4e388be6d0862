"""Recordings are fetched and deleted by RecordingSid at our own account: never at an address a request names,
never more bytes or time than the recording can need, and only audio."""
import time

import pytest

from hotline.core.config import Config
from tests.fakes import elsewhere as fakes
from tests.speech.test_audio import tone
from hotline.speech import audio
from hotline.sending import recordings

SID = "RE" + "a1" * 16


def _config(fake, **extra):
    return Config.from_env({"TWILIO_ACCOUNT_SID": fake.account_sid, "TWILIO_AUTH_TOKEN": fake.auth_token,
                            "HOTLINE_TWILIO_API_URL": fake.url, **extra})


@pytest.fixture
def no_backoff(monkeypatch):
    monkeypatch.setattr(recordings, "BACKOFF_S", 0)


@pytest.fixture
def elsewhere():
    with fakes.elsewhere() as found:
        yield found


def test_it_downloads_our_accounts_recording_by_its_sid_with_twilio_basic_auth(fake_twilio):
    fake_twilio.add_recording(SID, audio.wav(tone(8000), 8000))
    assert recordings.download(_config(fake_twilio), SID, seconds=5)[:4] == b"RIFF"
    assert fake_twilio.requests == [("GET", f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/{SID}.wav")]


@pytest.mark.parametrize("posted", [
    "https://{host}/2010-04-01/Accounts/AC1/Recordings/{sid}",
    "https://{host}\\@api.twilio.com/2010-04-01/Accounts/AC1/Recordings/{sid}",     # urllib3 reads the host before the \
    "http://{host}/recording",
    "https://api.twilio.com@{host}/2010-04-01/Accounts/AC1/Recordings/{sid}",
])
def test_the_posted_url_never_chooses_where_our_credentials_go(fake_twilio, elsewhere, posted):
    host, seen = elsewhere
    fake_twilio.add_recording(SID, audio.wav(tone(8000), 8000))
    data = recordings.download(_config(fake_twilio), SID, posted.format(host=host, sid=SID), seconds=5)
    assert data[:4] == b"RIFF" and seen == []
    assert ("GET", f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/{SID}.wav") in fake_twilio.requests


def test_without_an_api_url_the_address_is_twilios_own():
    config = Config.from_env({"TWILIO_ACCOUNT_SID": "AC" + "3" * 32, "TWILIO_AUTH_TOKEN": "t"})
    assert recordings.url(config, SID, "https://evil.example/x") == (
        f"https://api.twilio.com/2010-04-01/Accounts/AC{'3' * 32}/Recordings/{SID}.wav")


@pytest.mark.parametrize("sid", ["", "RE1", "RE" + "A" * 32, "RE" + "a" * 31, "RE" + "a" * 33, "CA" + "a" * 32,
                                 f"{SID}/../../Calls", f"{SID}?x=1", f"{SID}\n", "RE" + "g" * 32])
def test_a_sid_not_of_twilios_form_is_never_requested(fake_twilio, sid):
    with pytest.raises(audio.AudioError, match="not a recording sid"):
        recordings.download(_config(fake_twilio), sid, seconds=5)
    assert not recordings.delete(_config(fake_twilio), sid)
    assert fake_twilio.requests == []


def test_it_retries_a_recording_that_is_not_ready_yet(fake_twilio, no_backoff, monkeypatch):
    fake_twilio.add_recording(SID, audio.wav(tone(8000), 8000))
    real = fake_twilio.recordings.pop(SID)
    calls = []
    original = fake_twilio.app.view_functions["recording"]

    def late(account, name):
        calls.append(name)
        if len(calls) == 2:
            fake_twilio.recordings[SID] = real
        return original(account=account, name=name)
    monkeypatch.setitem(fake_twilio.app.view_functions, "recording", late)
    assert recordings.download(_config(fake_twilio), SID, seconds=5)[:4] == b"RIFF"
    assert len(calls) == 2


def test_it_gives_up_with_an_audio_error(fake_twilio, no_backoff):
    with pytest.raises(audio.AudioError, match="404"):
        recordings.download(_config(fake_twilio), SID, seconds=5)


def test_a_recording_longer_than_asked_for_is_refused(fake_twilio):
    fake_twilio.add_recording(SID, audio.wav(tone(16000, seconds=8), 16000))     # 256 KB for a 4-second prompt
    with pytest.raises(audio.AudioError, match="too large"):
        recordings.download(_config(fake_twilio), SID, seconds=4)
    assert recordings.download(_config(fake_twilio), SID, seconds=8)[:4] == b"RIFF"


def test_an_endless_body_without_a_length_is_cut_at_the_cap(fake_twilio):
    fake_twilio.add_recording(SID, b"R" * 65536)
    fake_twilio.drip[SID] = 0             # as fast as it goes, no Content-Length, never ending
    with pytest.raises(audio.AudioError, match="too large"):
        recordings.download(_config(fake_twilio), SID, seconds=1)


def test_a_server_that_drips_forever_is_cut_at_the_deadline(fake_twilio, monkeypatch):
    monkeypatch.setattr(recordings, "DEADLINE_S", 1.0)
    fake_twilio.add_recording(SID, b"R")
    fake_twilio.drip[SID] = 0.05          # a byte each time, far under the read timeout: only the deadline stops it
    started = time.monotonic()
    with pytest.raises(audio.AudioError, match="too long"):
        recordings.download(_config(fake_twilio), SID, seconds=60)
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("body, content_type", [
    (b"<html><body>Service Unavailable</body></html>", "text/html"),
    (b'{"code": 20404}', "application/json"),
    (b"\x00" * 2048, "audio/x-wav"),
])
def test_what_is_not_audio_is_never_returned(fake_twilio, body, content_type):
    fake_twilio.add_recording(SID, body, content_type)
    with pytest.raises(audio.AudioError, match="not audio"):
        recordings.download(_config(fake_twilio), SID, seconds=5)


def test_the_deletion_goes_to_our_account_by_sid(fake_twilio, elsewhere):
    host, seen = elsewhere
    fake_twilio.add_recording(SID, audio.wav(tone(8000), 8000))
    assert recordings.delete(_config(fake_twilio), SID, f"https://{host}\\@api.twilio.com/x/{SID}")
    assert fake_twilio.requests == [("DELETE", f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/{SID}.json")]
    assert fake_twilio.recordings == {} and seen == []


def test_the_simulators_store_on_this_machine_is_used_only_with_the_script_recogniser(elsewhere):
    host, seen = elsewhere
    posted = f"http://{host}/2010-04-01/Accounts/AC1/Recordings/{SID}"
    script = Config.from_env({"HOTLINE_ASR": "script"})
    assert recordings.url(script, SID, posted) == (
        f"http://{host}/2010-04-01/Accounts/{script.account_sid()}/Recordings/{SID}.wav")
    assert recordings.url(script, SID, f"http://evil.example\\@{host}/x").startswith(f"http://{host}/")
    for config, url in [(Config.from_env({"HOTLINE_ASR": "vosk"}), posted),
                        (script, f"http://{host.replace('127.0.0.1', '10.0.0.1')}/x")]:
        assert recordings.url(config, SID, url).startswith("https://api.twilio.com/")
