"""The dashboard shows who needs a call: voicemails to call back and check-in answers asking for help."""
from hotline import voicemail
from hotline.db import get_db, now
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
