"""A resident's voicemail in real Vietnamese speech: stored, then transcribed by the worker for the official who
calls back (dashboard, `hotline voicemail list`); the words go when the audio's retention ends."""
import uuid
from datetime import datetime, timezone

from click.testing import CliRunner

from hotline.domain import voicemail
from hotline.cli.main import main
from hotline.speech import wer
from tests.admin.conftest import Browser, _official
from tests.conftest import BA_LAN, ONG_TU
from tests.voice.conftest import Caller, spoken
from hotline.sending import transcripts, voicemail_fetch

OUT_OF_HOURS = "Mon 00:00-00:00"


def test_a_real_voicemail_gets_a_vietnamese_transcript_for_the_call_back(make_app, twilio_settings,
                                                                         whisper_settings, fake_twilio, vi_clips,
                                                                         cli_env):
    twilio = {k: v for k, v in twilio_settings.items() if k.startswith(("TWILIO_", "HOTLINE_TWILIO"))}
    app = make_app(**{**twilio, **whisper_settings, "HOTLINE_ASR": "off", "HOTLINE_OFFICE_HOURS": OUT_OF_HOURS})
    wav, truth = vi_clips["clip2"]
    caller = Caller(app, BA_LAN, lambda words: fake_twilio.add_recording("RE" + uuid.uuid4().hex, wav))
    said = spoken(caller.call("0", "the message"))
    assert said[-1] == "Loa Làng đã ghi lời nhắn. Cán bộ sẽ gọi lại cho bác. Chào bác."
    voicemail_fetch.wait_for_fetches()
    db = caller.db()
    [row] = voicemail.listing(db)
    assert row["audio_path"] and row["transcript"] is None          # not on the call's path
    assert transcripts.run_pending(db, app.config) == 1
    [row] = voicemail.listing(db)
    assert wer.errors(truth, row["transcript"])[0] <= len(wer.words(truth)) // 2, row["transcript"]

    _official(app, "Nguyễn Văn Tư", "village_head", ONG_TU, "Yen Nong", "2468")
    web = Browser(app.test_client())
    web.login()
    assert row["transcript"] in web.get("/admin/").get_data(as_text=True)
    env = {**cli_env, "HOTLINE_DB": app.config["HOTLINE_DB"], "HOTLINE_INSTANCE": app.config["HOTLINE_INSTANCE"]}
    assert row["transcript"] in CliRunner().invoke(main, ["voicemail", "list"], env=env).output

    later = datetime(2999, 1, 1, tzinfo=timezone.utc)
    assert voicemail.purge(db, app.config.path("HOTLINE_INSTANCE"), days=30, at=later) == 1
    assert db.execute("SELECT transcript FROM voicemails").fetchone()[0] is None
