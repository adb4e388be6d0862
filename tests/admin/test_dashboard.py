"""The dashboard shows who needs a call: voicemails to call back and check-in answers asking for help."""
from hotline.domain import voicemail
from hotline.core.db import get_db, now
from tests.conftest import BA_LAN, ONG_TU


def test_voicemails_wait_on_the_dashboard_until_called_back(app, tu, tmp_path):
    kept = tmp_path / "var" / "voicemail" / "RE1.wav"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"RIFF-voicemail")
    with app.app_context():
        db = get_db()
        lan = db.execute("SELECT id FROM residents WHERE phone = ?", [BA_LAN]).fetchone()[0]
        vm = voicemail.record(db, "CA1", BA_LAN, lan, "RE1", "https://api.twilio.com/rec/RE1", 12)
        voicemail.stored(db, vm, str(kept))
    page = tu.get("/admin/").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in page and f"tel:{BA_LAN}" in page
    with tu.client.get(f"/admin/voicemails/{vm}/audio") as audio:
        assert audio.status_code == 200 and audio.data == b"RIFF-voicemail"
    assert tu.post(f"/admin/voicemails/{vm}/handled").status_code == 302
    assert f"tel:{BA_LAN}" not in tu.get("/admin/").get_data(as_text=True)
    assert tu.post(f"/admin/voicemails/{vm}/handled").status_code == 409


def test_people_who_asked_for_help_are_listed_first_thing(app, tu):
    with app.app_context():
        db = get_db()
        tu_id = db.execute("SELECT id FROM residents WHERE phone = ?", [ONG_TU]).fetchone()[0]
        checkin = db["checkins"].insert({"status": "open", "created_at": now(),
                                         "expires_at": "2999-01-01T00:00:00.000000Z"}).last_pk
        db["checkin_answers"].insert({"checkin_id": checkin, "resident_id": tu_id, "answer": "help",
                                      "channel": "sms", "answered_at": now()})
    section = tu.get("/admin/").get_data(as_text=True).split('id="help"')[1].split("</section>")[0]
    assert f"tel:{ONG_TU}" in section and "Nguyễn Văn Tư" in section


def test_voicemails_whose_audio_is_retried_or_given_up_say_so(app, tu):
    from hotline.core import clock, prompts

    with app.app_context():
        db = get_db()
        retried = voicemail.record(db, "CA2", BA_LAN, None, "RE2", "https://api.twilio.com/rec/RE2", 8)
        voicemail.fetch_failed(db, retried, "HTTP 503", "2026-11-25T01:00:00.000000Z", 30)
        failed = voicemail.record(db, "CA3", ONG_TU, None, "RE3", "https://api.twilio.com/rec/RE3", 9)
        for _ in range(voicemail.ATTEMPTS):
            voicemail.fetch_failed(db, failed, "HTTP 404", clock.now(), 30)
    section = tu.get("/admin/").get_data(as_text=True).split('id="voicemails"')[1].split("</section>")[0]
    retrying = prompts.say("voice.voicemail_audio.retrying", attempts=1, limit=voicemail.ATTEMPTS,
                           next="25/11 08:01")                     # Vietnam time of the next try
    assert f'title="HTTP 503">{retrying}</span>' in section
    gave_up = prompts.say("voice.voicemail_audio.failed", attempts=voicemail.ATTEMPTS)
    assert f'title="HTTP 404">{gave_up}</span>' in section
    assert "<audio" not in section
