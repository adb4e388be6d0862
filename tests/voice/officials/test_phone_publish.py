"""Officials by phone: audience and kind, publishing and fan-out, approval, downloads, bad requests."""
import pytest

from hotline.domain.officials import announcements
from hotline.domain import officials
from hotline.core import prompts
from hotline.core.db import get_db
from tests.conftest import BA_LAN, ONG_TU, OPERATOR
from tests.voice.officials.flow import (CHAIRMAN, CHAIRMAN_PIN, TU_PIN, every_announcement, outbox_rows, published, say,
                                  village)
from voice import callout


# --- audience and kind ----------------------------------------------------------------------


def test_a_village_head_is_refused_a_village_they_may_not_address(phone, app):
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "hop thon", "1", "2", "9", "1", "1", "2")
    assert tu.heard(say("not_allowed", place="Yên Bái"))
    assert tu.heard(say("not_allowed", place=prompts.say("officials.whole_commune")))
    assert not tu.heard(say("audience_commune"))  # never offered the whole commune
    (row,) = published(app)
    assert row["village_id"] == village(app, "Yên Nông")


def test_the_commune_chairman_may_address_the_whole_commune(phone, app):
    chairman = phone(CHAIRMAN).call(CHAIRMAN_PIN + "#", "1", "tiem phong", "1", "9", "1", "2")
    assert chairman.heard(say("audience_commune"))
    (row,) = published(app)
    assert row["village_id"] is None
    with app.app_context():
        assert [a["id"] for a in announcements.latest(get_db(), village(app, "Bến Đò"))] == [row["id"]]


def test_a_flood_warning_with_its_level_reaches_menu_1(phone, app):
    from hotline.domain import alerts

    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "nuoc len nhanh", "1", "1", "2", "4", "1")
    (row,) = published(app)
    assert row["kind"] == "warning" and row["level"] == 4 and row["alert_id"]
    assert tu.heard(say("published_warning"))
    with app.app_context():
        active = alerts.active_for_village(get_db(), village(app, "Yên Nông"))
        assert [(a["id"], a["level"], a["audio_path"]) for a in active] == [(row["alert_id"], 4, row["audio_path"])]
        assert alerts.active_for_village(get_db(), village(app, "Bến Đò")) == []
    lan = phone(BA_LAN).call("")  # bà Lan, in Yên Nông, hears the recording before the menu
    assert any("/audio/file/" in url for url in lan.played)


def test_a_level_outside_1_to_5_is_asked_again(phone, app):
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "nuoc len", "1", "1", "2", "7", "3", "1")
    assert tu.heard(say("level_invalid"))
    (row,) = published(app)
    assert row["level"] == 3


# --- fan-out and approval ---------------------------------------------------------------------


def test_publishing_with_fan_out_queues_sms_notices_and_call_outs(phone, app):
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "hop thon", "1", "1", "1", "1")
    (row,) = published(app)
    rows = outbox_rows(app, f"announcement:{row['id']}")
    assert {r["channel"] for r in rows} == {"sms", "call"}
    assert tu.heard(say("queued", count=len(rows)))
    assert all(callout.url_for(r) == f"/voice/announcement/{row['id']}" for r in rows if r["channel"] == "call")


def test_the_call_out_plays_the_recording_and_offers_it_again(phone, app, hooks):
    phone(ONG_TU).call(TU_PIN + "#", "1", "hop thon", "1", "1", "1", "1")
    (row,) = published(app)
    from hotline.sim.phone import Call

    answers = iter(["1", ""])
    events = Call(hooks, BA_LAN, lambda kind, attrs: next(answers)).run(f"/voice/announcement/{row['id']}")
    plays = [e for e in events if e.kind == "play"]
    assert len(plays) == 2 and all("/audio/file/" in e.text for e in plays)
    assert prompts.say("officials.callout.thanks") in [e.text for e in events if e.kind == "say"]


def test_a_call_out_for_a_withdrawn_or_unknown_announcement_says_so(hooks):
    status, body = hooks.post("/voice/announcement/999", {"CallSid": "CA1", "To": BA_LAN})
    assert status == 200 and prompts.say("officials.callout.gone") in body and "<Hangup" in body


@pytest.fixture
def approval(officials_settings):
    officials_settings["HOTLINE_ANNOUNCEMENT_APPROVAL"] = "1"


def test_with_approval_required_another_official_approves_by_phone(approval, phone, app):
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "hop thon", "1", "1", "1", "1")
    (row,) = published(app)
    assert tu.heard(say("awaiting_approval")) and outbox_rows(app, f"announcement:{row['id']}") == []
    again = phone(ONG_TU).call(TU_PIN + "#")
    assert not again.heard(say("pending", count=1))  # not their own
    chairman = phone(CHAIRMAN).call(CHAIRMAN_PIN + "#", "2", "1")
    assert chairman.heard(say("pending", count=1)) and chairman.heard(say("approve_intro", who="Nguyễn Văn Tư",
                                                                             place="Yên Nông"))
    assert any("/audio/file/" in url for url in chairman.played)
    rows = outbox_rows(app, f"announcement:{row['id']}")
    assert rows and chairman.heard(say("queued", count=len(rows))) and chairman.heard(say("nothing_pending"))
    with app.app_context():
        assert announcements.get(get_db(), row["id"])["approved_by"] == officials.by_phone(get_db(), CHAIRMAN)["id"]


def test_a_warning_waits_for_approval_before_it_is_sent(approval, phone, app):
    from hotline.domain import alerts

    phone(ONG_TU).call(TU_PIN + "#", "1", "nuoc len", "1", "1", "2", "3", "1")
    (row,) = published(app)
    with app.app_context():
        assert alerts.active_for_village(get_db(), village(app, "Yên Nông")) == []
    phone(CHAIRMAN).call(CHAIRMAN_PIN + "#", "2", "1")
    with app.app_context():
        (alert,) = alerts.active_for_village(get_db(), village(app, "Yên Nông"))
        assert alert["level"] == 3 and announcements.get(get_db(), row["id"])["alert_id"] == alert["id"]


# --- downloads --------------------------------------------------------------------------------


@pytest.fixture
def failing_recordings(fake_twilio):
    """Answers the next recording downloads with these HTTP statuses (Twilio has hiccups)."""
    from flask import request

    statuses = []

    @fake_twilio.app.before_request
    def fail():
        if "/Recordings/" in request.path and statuses:
            return {"code": 20500, "message": "Injected"}, statuses.pop(0)

    return statuses


def test_a_download_that_fails_once_is_retried(failing_recordings, phone, app, fake_twilio):
    failing_recordings.append(500)
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "hop thon", "1", "1", "1", "2")
    assert len([p for m, p in fake_twilio.requests if "/Recordings/" in p]) == 2
    assert tu.heard(say("published")) and len(published(app)) == 1


def test_a_download_that_keeps_failing_is_apologised_for_and_nothing_is_published(failing_recordings, phone, app):
    failing_recordings.extend([500] * 10)
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "hop thon")
    assert tu.heard(say("download_failed")) and tu.said.count(say("menu")) == 2
    assert tu.errors == [] and every_announcement(app) == []


def test_a_recording_without_a_sid_is_not_fetched(hooks, app, phone, fake_twilio):
    tu = phone(ONG_TU).call(TU_PIN + "#")
    status, body = hooks.post("/voice/officials/recorded", {**tu.call_obj.params,
                                                           "RecordingUrl": "https://evil.example.com/r.wav"})
    assert status == 200 and say("download_failed") in body and every_announcement(app) == []


@pytest.mark.parametrize("crafted", ["https://{host}\\@api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{sid}",
                                     "http://{host}/2010-04-01/Accounts/{account}/Recordings/{sid}"])
def test_the_recording_is_fetched_by_its_sid_and_the_posted_host_gets_nothing(hooks, app, phone, fake_twilio,
                                                                             crafted):
    import numpy as np

    from tests.fakes.elsewhere import elsewhere
    from hotline.speech import audio

    sid = "RE" + "7c" * 16
    fake_twilio.add_recording(sid, audio.wav(0.3 * np.sin(np.arange(16000) / 8.0), 8000, {"ICMT": "hop thon"}))
    tu = phone(ONG_TU).call(TU_PIN + "#")
    with elsewhere() as (host, seen):
        status, body = hooks.post("/voice/officials/recorded", {
            **tu.call_obj.params, "RecordingSid": sid,
            "RecordingUrl": crafted.format(host=host, account=fake_twilio.account_sid, sid=sid)})
    assert status == 200 and say("download_failed") not in body
    assert seen == []
    assert ("GET", f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/{sid}.wav") in fake_twilio.requests
    assert len(every_announcement(app)) == 1


# --- bad requests -----------------------------------------------------------------------------


@pytest.mark.parametrize("path, form", [
    ("/voice/officials/review?a=abc", {}),
    ("/voice/officials/review?a=999999", {"Digits": "1"}),
    ("/voice/officials/audience?a=&ev=key&n=x", {"Digits": "1"}),
    ("/voice/officials/level?a=1&ev=key", {"Digits": "9"}),
    ("/voice/officials/send?a=1&ev=key", {}),
    ("/voice/officials/approve?a=zz&after=-4", {"Digits": "1"}),
    ("/voice/officials/record?n=minus", {}),
    ("/voice/officials/recorded", {}),
    ("/voice/officials/pin", {"Digits": ""}),
    ("/voice/announcement/0?ev=again", {"Digits": "x"}),
])
def test_malformed_requests_in_a_verified_call_get_valid_twiml(phone, hooks, path, form):
    import xml.etree.ElementTree as ET

    tu = phone(ONG_TU).call(TU_PIN + "#")
    status, body = hooks.post(path, {**tu.call_obj.params, **form})
    assert status == 200 and ET.fromstring(body).tag == "Response"
    assert prompts.say("core.voice.sorry") not in body  # handled, not caught by the error handler


def test_an_official_cannot_touch_another_officials_draft(phone, app, hooks):
    phone(CHAIRMAN).call(CHAIRMAN_PIN + "#", "1", "tiem phong")  # the chairman's draft, left at listen back
    (draft,) = every_announcement(app)
    tu = phone(ONG_TU).call(TU_PIN + "#")
    for path in (f"/voice/officials/send?a={draft['id']}&ev=key", f"/voice/officials/review?a={draft['id']}&ev=key"):
        status, body = hooks.post(path, {**tu.call_obj.params, "Digits": "3"})
        assert status == 200 and "/voice/officials/menu" in body
    assert [a["status"] for a in every_announcement(app)] == ["draft"]


def test_withdrawing_a_recorded_warning_cancels_its_alert(phone, app):
    from hotline.domain import alerts

    phone(ONG_TU).call(TU_PIN + "#", "1", "nuoc len", "1", "1", "2", "3", "1")
    (row,) = published(app)
    with app.app_context():
        assert announcements.withdraw(get_db(), app.config, row["id"], actor=OPERATOR)["outcome"] == "withdrawn"
        assert alerts.active_for_village(get_db(), village(app, "Yên Nông")) == []
        assert announcements.latest(get_db(), village(app, "Yên Nông")) == []
