"""Voicemail audio that failed to download is retried by the worker on a growing schedule, then given up."""
import pytest
from click.testing import CliRunner

from hotline.core import clock, db as storage, prompts
from hotline.domain import voicemail
from hotline.sending import worker
from hotline.cli.main import main
from tests.conftest import BA_LAN
from tests.voice.conftest import Caller, speech_wav
from hotline.speech import audio
from hotline.sending import recordings, voicemail_fetch

NEVER = "Mon 00:00-00:00"
SID = "RE" + "4" * 32


@pytest.fixture
def phone_app(make_app, twilio_settings, monkeypatch):
    monkeypatch.setattr(recordings, "BACKOFF_S", 0)     # each download's own quick retries, without sleeping
    extra = {k: v for k, v in twilio_settings.items() if k.startswith(("TWILIO_", "HOTLINE_TWILIO"))}
    return make_app(**extra, HOTLINE_OFFICE_HOURS=NEVER)


@pytest.fixture
def the_worker():
    """worker.run_jobs with the voicemail jobs only (the others render audio or send, not tested here)."""
    return lambda db, config, now: worker.run_jobs(db, config, now, (voicemail.retention_job, voicemail_fetch.retry_job))


def _leave_voicemail(app, fake_twilio) -> dict:
    """bà Lan leaves a message whose recording Twilio cannot serve yet; the download after the call fails."""
    url = f"https://api.twilio.com/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/{SID}"
    said = Caller(app, BA_LAN, lambda words: url).call("0", "con muốn hỏi về lớp học")
    assert said[-2].text.startswith("Loa Làng đã ghi lời nhắn.")
    voicemail_fetch.wait_for_fetches()
    return _row(app)


def _row(app) -> dict:
    database = storage.connect(app.config["HOTLINE_DB"])
    try:
        [row] = voicemail.listing(database, include_handled=True)
    finally:
        database.conn.close()
    return row


def _voicemail_list(app, cli_env):
    env = {**cli_env, "HOTLINE_DB": app.config["HOTLINE_DB"], "HOTLINE_INSTANCE": app.config["HOTLINE_INSTANCE"]}
    return CliRunner().invoke(main, ["voicemail", "list"], env=env)


def _downloads(fake_twilio) -> int:
    return sum(1 for method, path in fake_twilio.requests if method == "GET" and path.endswith(f"{SID}.wav"))


def _minutes(earlier: str, later: str) -> float:
    return round((clock.parse(later) - clock.parse(earlier)).total_seconds() / 60, 3)


def test_it_retries_a_failed_download_and_stores_the_audio_once(phone_app, fake_twilio, the_worker, app_db):
    row = _leave_voicemail(phone_app, fake_twilio)
    assert (row["fetch"], row["fetch_attempts"], row["fetch_error"], row["audio_path"]) == ("retrying", 1, "HTTP 404",
                                                                                          None)
    # A minute after the failed try, not the minute after the call that record() schedules in case no try reports.
    assert clock.shift(row["created_at"], minutes=1) < row["fetch_next_at"] <= clock.shift(clock.now(), minutes=1)
    tried = _downloads(fake_twilio)

    fake_twilio.add_recording(SID, speech_wav("con muốn hỏi về lớp học"))
    the_worker(app_db, phone_app.config, clock.shift(row["fetch_next_at"], seconds=-1))
    assert _downloads(fake_twilio) == tried and _row(phone_app)["fetch"] == "retrying"    # not due yet

    the_worker(app_db, phone_app.config, row["fetch_next_at"])
    row = _row(phone_app)
    name = f"{row['recording_sid']}.wav"      # the simulator's RecordingSid, as Twilio posts it
    assert (row["fetch"], row["audio_path"], row["fetch_next_at"]) == ("stored", f"recordings/voicemail/{name}", None)
    folder = phone_app.config.path("HOTLINE_INSTANCE") / "recordings" / "voicemail"
    assert [p.name for p in folder.iterdir()] == [name]
    assert (folder / name).read_bytes()[:4] == b"RIFF"
    assert fake_twilio.recordings == {}                    # Twilio's copy deleted once ours is safe
    tried = _downloads(fake_twilio)
    the_worker(app_db, phone_app.config, clock.shift(row["created_at"], days=2))
    assert _downloads(fake_twilio) == tried                # stored: never fetched again


def test_a_download_that_keeps_failing_stops_after_the_limit_and_is_shown_as_failed(phone_app, fake_twilio,
                                                                                    the_worker, app_db, cli_env):
    row = _leave_voicemail(phone_app, fake_twilio)
    waits = []
    for _ in range(voicemail.ATTEMPTS + 1):     # bounded: a schedule that never ends fails below, not hangs
        if row["fetch"] != "retrying":
            break
        at = row["fetch_next_at"]
        the_worker(app_db, phone_app.config, at)
        row = _row(phone_app)
        if row["fetch_next_at"]:
            waits.append(_minutes(at, row["fetch_next_at"]))
    assert waits == list(voicemail.RETRY_MINUTES[1:])     # the first wait (1 min) follows the try after the call
    assert (row["fetch"], row["fetch_attempts"], row["fetch_next_at"]) == ("failed", voicemail.ATTEMPTS, None)
    assert row["fetch_failed_at"] and row["recording_url"]   # kept: an official can still find it at Twilio
    tried = _downloads(fake_twilio)
    the_worker(app_db, phone_app.config, clock.shift(row["created_at"], days=20))
    assert _downloads(fake_twilio) == tried

    listed = _voicemail_list(phone_app, cli_env)
    failed = prompts.say("voice.voicemail_audio.failed", attempts=voicemail.ATTEMPTS)
    assert listed.exit_code == 0 and f"! {failed} (HTTP 404)" in listed.output


def test_the_list_shows_a_download_waiting_for_its_retry(phone_app, fake_twilio, cli_env):
    row = _leave_voicemail(phone_app, fake_twilio)
    listed = _voicemail_list(phone_app, cli_env)
    retrying = prompts.say("voice.voicemail_audio.retrying", attempts=1, limit=voicemail.ATTEMPTS,
                           next=clock.local(row["fetch_next_at"]).strftime("%Y-%m-%d %H:%M"))
    assert listed.exit_code == 0 and f"! {retrying} (HTTP 404)" in listed.output


def test_the_worker_fetches_a_voicemail_whose_first_download_never_reported(phone_app, fake_twilio, the_worker,
                                                                            app_db):
    url = fake_twilio.add_recording(SID, speech_wav("alo"))
    voicemail.record(app_db, "CA1", BA_LAN, None, SID, url, 3)     # the server stopped before downloading
    row = _row(phone_app)
    assert row["fetch"] == "fetching" and _minutes(row["created_at"], row["fetch_next_at"]) == 1
    the_worker(app_db, phone_app.config, row["fetch_next_at"])
    assert _row(phone_app)["audio_path"] == f"recordings/voicemail/{SID}.wav"


def test_a_crafted_recording_url_is_never_fetched_the_recording_of_its_sid_is(phone_app, fake_twilio):
    from tests.fakes.elsewhere import elsewhere

    fake_twilio.add_recording(SID, speech_wav("alo"))
    with elsewhere() as (host, seen):
        crafted = f"https://{host}\\@api.twilio.com/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/{SID}"
        Caller(phone_app, BA_LAN, lambda words: crafted).call("0", "con muốn hỏi về lớp học")
        voicemail_fetch.wait_for_fetches()
    assert seen == []
    assert _row(phone_app)["audio_path"] == f"recordings/voicemail/{SID}.wav"
    assert ("DELETE", f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/{SID}.json") in fake_twilio.requests


def test_a_stored_voicemail_is_readable_by_its_owner_only(phone_app, fake_twilio, the_worker, app_db):
    import os
    import stat

    old = os.umask(0o022)
    try:
        fake_twilio.add_recording(SID, speech_wav("alo"))
        Caller(phone_app, BA_LAN, lambda words: fake_twilio.add_recording(SID, speech_wav(words))).call("0", "alo")
        voicemail_fetch.wait_for_fetches()
    finally:
        os.umask(old)
    stored = phone_app.config.path("HOTLINE_INSTANCE") / _row(phone_app)["audio_path"]
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600


def test_an_error_page_is_not_kept_as_a_voicemail(phone_app, fake_twilio):
    fake_twilio.add_recording(SID, b"<html>502 Bad Gateway</html>", "text/html")
    row = _leave_voicemail(phone_app, fake_twilio)
    assert (row["fetch"], row["fetch_error"], row["audio_path"]) == ("retrying", "not audio", None)
    assert not (phone_app.config.path("HOTLINE_INSTANCE") / "recordings" / "voicemail").exists()
    assert fake_twilio.recordings                          # Twilio's copy kept until ours is safe


def test_a_voicemail_left_through_the_simulator_is_stored_by_the_worker_after_the_simulator_hung_up(
        make_app, the_worker, app_db, monkeypatch):
    """Local mode (no Twilio account), the README's default speech (auto, not script): bà Lan's message is
    found by its RecordingSid in the simulator's store, as the worker's retries (or the URL built from the sid)
    look for it, and the simulator's copy is deleted once ours is safe, as Twilio's would be."""
    from hotline.sim.speech import folder, recording_store

    app = make_app(HOTLINE_OFFICE_HOURS=NEVER, HOTLINE_ASR="auto")
    monkeypatch.setattr("voice.operator.fetch_later", lambda *a: None)   # the server stopped before the download
    with recording_store(app.config) as store:
        said = Caller(app, BA_LAN, store.record).call("0", "con muốn hỏi về lớp học")
    assert said[-2].text.startswith("Loa Làng đã ghi lời nhắn.")
    row = _row(app)
    assert row["recording_url"].endswith(f"/Recordings/{row['recording_sid']}")    # Twilio's shape: the sid last
    assert row["fetch"] == "fetching"
    the_worker(app_db, app.config, row["fetch_next_at"])
    row = _row(app)
    assert (row["fetch"], row["fetch_error"]) == ("stored", None)
    kept = app.config.path("HOTLINE_INSTANCE") / row["audio_path"]
    assert audio.info(kept.read_bytes()) == {"ICMT": "con muốn hỏi về lớp học"}
    assert list(folder(app.config).iterdir()) == []


# The schedule on its own, on an in-memory database.

def _failing(db, retention_days: float) -> tuple[list[str], list[float]]:
    """Every try fails, each 30 s after it was due: (outcomes, minutes from each failed try to the next)."""
    vm = voicemail.record(db, "CA2", BA_LAN, None, "RE2", "https://api.twilio.com/x/RE2", 5)
    due, outcomes, waits = db.execute("SELECT created_at FROM voicemails WHERE id = ?", [vm]).fetchone()[0], [], []
    while (not outcomes or outcomes[-1] == "retrying") and len(outcomes) <= voicemail.ATTEMPTS:
        tried = clock.shift(due, seconds=30)
        outcomes.append(voicemail.fetch_failed(db, vm, "HTTP 503", tried, retention_days))
        due = db.execute("SELECT fetch_next_at FROM voicemails WHERE id = ?", [vm]).fetchone()[0]
        if due:
            waits.append(_minutes(tried, due))
    return outcomes, waits


def test_it_retries_on_the_schedule_then_gives_up(db):
    outcomes, waits = _failing(db, retention_days=30)
    assert outcomes == ["retrying"] * len(voicemail.RETRY_MINUTES) + ["failed"]
    assert waits == list(voicemail.RETRY_MINUTES)          # counted from each failed try, not from when it was due


def test_it_schedules_no_retry_the_retention_would_delete_at_once(db):
    # 15 minutes of retention: tries at 0.5, 2 and 7.5 minutes; the next (at 38) would be past it
    assert _failing(db, retention_days=15 / 1440)[0] == ["retrying", "retrying", "failed"]


def test_a_late_failure_never_undoes_a_stored_copy(db):
    vm = voicemail.record(db, "CA3", BA_LAN, None, "RE3", "https://api.twilio.com/x/RE3", 5)
    voicemail.stored(db, vm, "recordings/voicemail/RE3.wav")
    assert voicemail.fetch_failed(db, vm, "HTTP 404", clock.now(), 30) == "stored"
    [row] = voicemail.listing(db)
    assert (row["fetch"], row["audio_path"], row["fetch_error"]) == ("stored", "recordings/voicemail/RE3.wav", None)
    assert voicemail.due_fetches(db, "2999-01-01T00:00:00.000000Z") == []


def test_voicemails_that_failed_before_the_upgrade_are_due_at_once():
    database = storage.connect(":memory:")
    storage.migrate(database, target=11)
    database["voicemails"].insert_all([
        {"call_sid": "CA4", "phone": BA_LAN, "recording_sid": "RE4", "recording_url": "https://api.twilio.com/x/RE4",
         "fetch_error": "HTTP 404", "created_at": "2026-11-25T08:00:00.000000Z"},
        {"call_sid": "CA5", "phone": BA_LAN, "recording_sid": "RE5", "recording_url": "https://api.twilio.com/x/RE5",
         "audio_path": "recordings/voicemail/RE5.wav", "created_at": "2026-11-25T09:00:00.000000Z"}])
    storage.migrate(database, target=12)
    assert [r["recording_sid"] for r in voicemail.due_fetches(database, clock.now())] == ["RE4"]
    rows = {r["recording_sid"]: r for r in voicemail.listing(database)}
    assert (rows["RE4"]["fetch"], rows["RE4"]["fetch_attempts"], rows["RE4"]["fetch_next_at"]) == (
        "retrying", 1, "2026-11-25T08:00:00.000000Z")
    assert (rows["RE5"]["fetch"], rows["RE5"]["fetch_next_at"]) == ("stored", None)
    database.conn.close()
