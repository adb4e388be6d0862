"""Key 0: the duty officer in office hours, voicemail otherwise; voicemails stored, listed, purged."""
import re
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from hotline.domain import voicemail
from hotline.cli.main import main
from hotline.core.phones import mask
from tests.conftest import ANH_MINH, BA_LAN
from tests.voice.conftest import Caller, speech_wav, spoken
from voice import operator
from hotline.sending import voicemail_fetch

ALWAYS = "Mon-Sun 00:00-24:00"      # round the clock: "23:59" would close for the last minute
NEVER = "Mon 00:00-00:00"
DUTY = "+84912345001, 0912 345 002"


@pytest.fixture
def phone_app(make_app, twilio_settings):
    def make(hours, duty=DUTY):
        extra = {k: v for k, v in twilio_settings.items() if k.startswith(("TWILIO_", "HOTLINE_TWILIO"))}
        return make_app(**extra, HOTLINE_OFFICE_HOURS=hours, HOTLINE_DUTY_NUMBERS=duty)
    return make


def test_in_office_hours_it_rings_the_duty_officers_together(phone_app):
    caller = Caller(phone_app(ALWAYS), BA_LAN)
    events = caller.call("0", "y")
    dial = next(e for e in events if e.kind == "dial")
    assert dial.text == "+84912345001, +84912345002"
    assert dial.attrs["timeout"] == "20" and dial.attrs["action"] == "/voice/operator/dialled"
    assert dial.attrs["callerId"] == "+84240000000"
    said = spoken(events)
    assert said[-1] == "Cuộc gọi đã xong. Chào bác."


def test_unanswered_it_offers_voicemail_which_is_stored_and_listed(phone_app, fake_twilio, cli_env):
    app = phone_app(ALWAYS)
    recordings = []

    def recorder(words):
        url = fake_twilio.add_recording(f"RE{len(recordings):032d}", speech_wav(words))
        recordings.append(url)
        return url
    caller = Caller(app, BA_LAN, recorder)
    said = spoken(caller.call("0", "n", "con muốn hỏi về lớp học"))
    assert "Cán bộ trực đang bận." in said
    assert said[-1] == "Loa Làng đã ghi lời nhắn. Cán bộ sẽ gọi lại cho bác. Chào bác."
    voicemail_fetch.wait_for_fetches()   # the audio is fetched after the caller has been answered
    [row] = voicemail.listing(caller.db())
    assert row["phone"] == BA_LAN and row["name"] == "Nguyễn Thị Lan" and row["village"] == "Yên Nông"
    assert re.fullmatch(r"recordings/voicemail/RE[0-9a-f]{32}\.wav", row["audio_path"])
    assert (app.config.path("HOTLINE_INSTANCE") / row["audio_path"]).read_bytes()[:4] == b"RIFF"
    assert fake_twilio.recordings == {}          # Twilio's copy is deleted once ours is safe
    env = {**cli_env, "HOTLINE_DB": app.config["HOTLINE_DB"], "HOTLINE_INSTANCE": app.config["HOTLINE_INSTANCE"]}
    listed = CliRunner().invoke(main, ["voicemail", "list"], env=env)
    assert listed.exit_code == 0 and "Nguyễn Thị Lan" in listed.output and BA_LAN not in listed.output
    assert mask(BA_LAN) in listed.output
    done = CliRunner().invoke(main, ["voicemail", "done", str(row["id"])], env=env)
    assert done.exit_code == 0
    assert "Không có lời nhắn nào" in CliRunner().invoke(main, ["voicemail", "list"], env=env).output


def test_the_voicemail_record_is_at_most_60_seconds_with_a_beep(phone_app):
    events = Caller(phone_app(NEVER), ANH_MINH).call("0", "")
    record = next(e for e in events if e.kind == "record")
    assert record.attrs["maxLength"] == "60" and record.attrs["playBeep"] == "true"
    said = spoken(events)
    assert said[-3:] == ["Bây giờ ngoài giờ làm việc.",
                         "Mời bác để lại lời nhắn sau tiếng bíp, dài nhất một phút. Nói xong bác gác máy.",
                         "Bác chưa để lại lời nhắn. Chào bác."]


@pytest.mark.parametrize("hours, duty", [(NEVER, DUTY), (ALWAYS, "")])
def test_out_of_hours_or_without_duty_numbers_it_goes_to_voicemail(phone_app, hours, duty):
    events = Caller(phone_app(hours, duty), BA_LAN).call("0", "")
    assert not [e for e in events if e.kind == "dial"]
    assert "Bây giờ ngoài giờ làm việc." in spoken(events)


def test_a_voicemail_whose_audio_cannot_be_fetched_is_kept_with_the_reason(phone_app, fake_twilio):
    app = phone_app(NEVER)
    caller = Caller(app, BA_LAN, lambda words: fake_twilio.add_recording("RE" + "9" * 32, b"") and
                    f"https://api.twilio.com/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/RE" + "8" * 32)   # never stored: 404
    said = spoken(caller.call("0", "alo"))
    assert said[-1].startswith("Loa Làng đã ghi lời nhắn.")
    voicemail_fetch.wait_for_fetches()
    [row] = voicemail.listing(caller.db())
    assert row["audio_path"] is None and row["fetch_error"] == "HTTP 404" and row["recording_url"]


def test_a_voicemail_with_a_garbled_duration_is_still_kept(phone_app):
    caller = Caller(phone_app(NEVER), BA_LAN)
    status, body = caller.hooks.post("/voice/operator/voicemail", {
        "CallSid": "CA" + "7" * 32, "From": BA_LAN, "RecordingSid": "RE" + "7" * 32,
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE" + "7" * 32,
        "RecordingDuration": "abc"})
    voicemail_fetch.wait_for_fetches()
    assert status == 200 and "Loa Làng đã ghi lời nhắn." in body
    [row] = voicemail.listing(caller.db())
    assert row["phone"] == BA_LAN and row["duration_s"] == 0


def test_retention_deletes_old_audio_and_keeps_the_record(db, tmp_path):
    audio_file = tmp_path / "recordings" / "voicemail" / "RE1.wav"
    audio_file.parent.mkdir(parents=True)
    audio_file.write_bytes(b"RIFF")
    vm = voicemail.record(db, "CA1", BA_LAN, None, "RE1", "https://api.twilio.com/x/RE1", 12)
    voicemail.stored(db, vm, "recordings/voicemail/RE1.wav")
    assert voicemail.purge(db, tmp_path, days=30) == 0 and audio_file.exists()
    later = datetime(2999, 1, 1, tzinfo=timezone.utc)
    assert voicemail.purge(db, tmp_path, days=30, at=later) == 1
    assert not audio_file.exists()
    row = db.execute("SELECT audio_path, recording_url, purged_at, phone FROM voicemails").fetchone()
    assert row[0] is None and row[1] is None and row[2] and row[3] == BA_LAN


@pytest.mark.parametrize("spec, when, expected", [
    ("Mon-Fri 07:30-11:30,13:30-17:00", "2026-11-25T01:00:00+00:00", True),    # Wed 08:00 in Hà Nội
    ("Mon-Fri 07:30-11:30,13:30-17:00", "2026-11-25T05:00:00+00:00", False),   # Wed 12:00: lunch
    ("Mon-Fri 07:30-11:30,13:30-17:00", "2026-11-25T09:59:00+00:00", True),    # Wed 16:59
    ("Mon-Fri 07:30-11:30,13:30-17:00", "2026-11-25T10:00:00+00:00", False),   # Wed 17:00
    ("Mon-Fri 07:30-11:30,13:30-17:00", "2026-11-28T02:00:00+00:00", False),   # Saturday
    ("Mon-Fri 07:30-11:30; Sat 07:30-11:30", "2026-11-28T02:00:00+00:00", True),
    ("Mon-Sun 00:00-24:00", "2026-11-25T16:59:30+00:00", True),                  # Wed 23:59:30: a duty round the clock
    ("Mon-Sun 00:00-23:59", "2026-11-25T16:59:30+00:00", False),
])
def test_office_hours_are_in_local_time(spec, when, expected):
    config = {"HOTLINE_OFFICE_HOURS": spec, "HOTLINE_TIMEZONE": "Asia/Ho_Chi_Minh"}
    assert operator.is_open(config, datetime.fromisoformat(when)) is expected


@pytest.mark.parametrize("spec", ["Mon-Fri", "Xyz 07:00-08:00", "Mon 7h-8h"])
def test_unreadable_office_hours_are_refused(spec):
    with pytest.raises(ValueError):
        operator.office_hours(spec)


def test_the_worker_purges_old_voicemail_audio_every_minute(db, tmp_path):
    from hotline.core.config import Config
    from hotline.sending import worker

    audio_file = tmp_path / "recordings" / "voicemail" / "RE2.wav"
    audio_file.parent.mkdir(parents=True)
    audio_file.write_bytes(b"RIFF")
    vm = voicemail.record(db, "CA2", BA_LAN, None, "RE2", "https://api.twilio.com/x/RE2", 5)
    voicemail.stored(db, vm, "recordings/voicemail/RE2.wav")
    config = Config.from_env({"HOTLINE_INSTANCE": str(tmp_path), "HOTLINE_AUDIO_RETENTION_DAYS": "0"})
    worker.run_jobs(db, config, "2999-01-01T00:00:00.000000Z", [voicemail.retention_job])
    assert not audio_file.exists()
