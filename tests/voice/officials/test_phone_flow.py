"""Officials by phone, walked the way Twilio runs the TwiML: the PIN, recording and listening back."""
import os
from pathlib import Path

import pytest

from hotline.domain.officials import announcements
from hotline.domain import officials
from hotline.core import prompts
from hotline.core.db import get_db
from tests.conftest import ANH_MINH, BA_LAN, ONG_TU, OPERATOR
from tests.voice.officials.flow import TU_PIN, every_announcement, published, say, village


# --- PIN ------------------------------------------------------------------------------------


def test_it_offers_the_officials_menu_after_the_right_pin(phone):
    tu = phone(ONG_TU).call(TU_PIN + "#")
    assert tu.heard(say("pin")) and tu.heard(say("menu")) and tu.heard(say("welcome", name="Nguyễn Văn Tư"))
    assert tu.errors == []


@pytest.mark.parametrize("caller", [BA_LAN, ANH_MINH], ids=["ba_lan_resident", "anh_minh_unknown"])
def test_other_numbers_hear_the_resident_hotline_and_never_of_the_officials_menu(phone, caller):
    other = phone(caller).call("2468#", "1")
    assert not any(text.startswith(say("pin")) or text == say("menu") for text in other.said)
    assert prompts.say("voice.main.intro") in other.said


def test_an_official_who_stays_silent_at_the_pin_hears_the_resident_hotline(phone):
    tu = phone(ONG_TU).call("")
    assert tu.heard(say("pin")) and prompts.say("voice.main.intro") in tu.said and not tu.heard(say("menu"))


def test_a_wrong_pin_is_asked_again_and_the_third_locks_the_officials_menu(phone, app):
    tu = phone(ONG_TU).call("1111#", "2222#", "3333#")
    assert tu.said.count(say("pin_wrong")) == 2
    assert tu.heard(say("pin_locked", minutes=30)) and not tu.heard(say("menu"))
    assert prompts.say("voice.main.intro") in tu.said  # still served, as a resident
    again = phone(ONG_TU).call(TU_PIN + "#")  # even the right PIN waits out the lock
    assert again.heard(say("locked_now")) and not again.heard(say("menu"))


def test_a_disabled_official_is_just_a_resident(phone, app):
    with app.app_context():
        assert officials.set_disabled(get_db(), officials.by_phone(get_db(), ONG_TU)["id"], True,
                                      actor=OPERATOR) == "disabled"
    tu = phone(ONG_TU).call(TU_PIN + "#")
    assert not tu.heard(say("pin")) and prompts.say("voice.main.intro") in tu.said


def test_officials_routes_refuse_a_call_that_gave_no_pin(hooks):
    for path in ("/voice/officials/menu", "/voice/officials/record", "/voice/officials/review?a=1",
                 "/voice/officials/send?a=1", "/voice/officials/approve"):
        status, body = hooks.post(path, {"CallSid": "CA" + "9" * 32, "From": ONG_TU, "Digits": "1"})
        assert status == 200 and say("session_lost") in body and "<Record" not in body, path


# --- recording ------------------------------------------------------------------------------


def test_it_records_listens_back_and_publishes_to_the_village(phone, app, client):
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "Chieu nay hop thon", "1", "1", "1", "2")
    (row,) = published(app)
    assert row["village_id"] == village(app, "Yên Nông")
    assert row["kind"] == "announcement" and row["fan_out"] == "none"
    assert tu.heard(say("listen_back")) and tu.heard(say("published"))
    # Listened back from our own copy, served behind an unguessable URL.
    recording = tu.played[0]
    assert "/audio/file/" in recording
    response = client.get(recording.replace("https://hotline.example.vn", ""))
    assert response.status_code == 200 and response.data[:4] == b"RIFF"
    response.close()
    with app.app_context():
        assert [a["id"] for a in announcements.latest(get_db(), village(app, "Yên Nông"))] == [row["id"]]


def test_the_recording_is_kept_locally_as_8khz_mono_wav(phone, app, fake_twilio):
    phone(ONG_TU).call(TU_PIN + "#", "1", "Chieu nay hop thon")  # hangs up while listening back
    from hotline.speech import audio

    (row,) = every_announcement(app)
    kept = Path(row["audio_path"]).read_bytes()
    decoded = audio.decode(kept)
    assert decoded.rate == 8000 and kept[22:24] == b"\x01\x00"  # mono
    assert row["audio_path"].startswith(app.config["HOTLINE_INSTANCE"])
    fetches = [p for m, p in fake_twilio.requests if "/Recordings/" in p]
    assert len(fetches) == 1 and fetches[0].endswith(".wav")
    assert os.stat(row["audio_path"]).st_mode & 0o077 == 0      # the official's voice: the owner's only


def test_an_empty_recording_is_asked_again_then_returns_to_the_menu(phone, app):
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "", "")
    assert tu.said.count(say("record_empty")) == 2
    assert tu.said.count(say("menu")) == 2  # back at the officials' menu
    assert every_announcement(app) == []


def test_re_recording_replaces_the_draft_and_its_file(phone, app):
    phone(ONG_TU).call(TU_PIN + "#", "1", "ban dau", "2", "ban sau", "3")
    (row,) = every_announcement(app)  # still one draft, cancelled at the end
    assert row["status"] == "cancelled"
    assert len(os.listdir(os.path.dirname(row["audio_path"]))) == 0  # the first and the second are gone


def test_listening_again_with_star_replays_the_recording(phone):
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "hop thon", "*", "3")
    assert len(tu.played) == 2 and tu.heard(say("cancelled"))


def test_cancelling_publishes_nothing(phone, app):
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "hop thon", "3")
    assert tu.heard(say("cancelled")) and published(app) == []
