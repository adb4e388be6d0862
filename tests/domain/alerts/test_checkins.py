"""Safety check-ins: 1 safe, 2 need help, by SMS and by call; the village head hears of every "help" at once."""
from __future__ import annotations

import pytest

from hotline.domain import alerts, outbox, places, residents
from hotline.domain.alerts import checkins
from hotline.core import db as storage, prompts
from hotline.sim.phone import Call, HangUp, send_sms
from tests.conftest import ANH_MINH, BA_LAN, CHI_HOA, ONG_TU, OPERATOR, rows

CAO_THINH = "+84703353408"   # Bến Đò, elderly, cannot read


def test_it_asks_by_sms_everyone_and_calls_those_who_need_voice(demo_db, config, village):
    result = checkins.start(demo_db, config, [village("Yên Nông")], actor=OPERATOR)
    sms, calls = rows(demo_db, f"checkin:{result['id']}", "sms"), rows(demo_db, f"checkin:{result['id']}", "call")
    assert len(sms) == 11 and sms[0]["body"].startswith("Xa hoi tham")
    assert {c["name"] for c in calls} == {"Nguyễn Thị Lan", "Lê Thị Mai", "Lê Văn Sáu", "Đỗ Thị Hằng"}


@pytest.mark.parametrize("reply, outcome", [("1", "safe"), ("2", "help"), (" 2 ", "help"), ("3", "invalid")])
def test_an_sms_answer_is_recorded(demo_db, config, village, reply, outcome):
    checkins.start(demo_db, config, [village("Yên Nông")], actor=OPERATOR)
    assert checkins.answer(demo_db, CHI_HOA, reply, config) == outcome


def test_without_an_open_check_in_a_bare_number_is_not_claimed(demo_db, config, village):
    assert checkins.answer(demo_db, CHI_HOA, "1", config) is None
    checkins.start(demo_db, config, [village("Bến Đò")], actor=OPERATOR)
    assert checkins.answer(demo_db, CHI_HOA, "1", config) is None       # not asked: another village
    assert checkins.answer(demo_db, ANH_MINH, "2", config) is None      # a stranger
    assert checkins.sms_hook(demo_db, config, CHI_HOA, "2") is None


def test_need_help_texts_the_village_head_at_once_and_lists_it(demo_db, config, village):
    from hotline.domain import officials

    if officials.by_phone(demo_db, ONG_TU) is None:   # the demo commune may already have him
        officials.add(demo_db, "Nguyen Van Tu", "village_head", ONG_TU, [village("Yên Nông")], "4826", actor=OPERATOR)
    checkin = checkins.start(demo_db, config, [village("Yên Nông")], actor=OPERATOR)["id"]
    assert checkins.answer(demo_db, CHI_HOA, "2", config) == "help"
    assert checkins.answer(demo_db, CHI_HOA, "2", config) == "help"   # asked twice: the head is told once
    notices = rows(demo_db, f"checkin:{checkin}:heads")
    assert [(n["to_phone"], n["state"], n["priority"]) for n in notices] == [
        (ONG_TU, "queued", outbox.PRIORITY["help"])]
    assert "Tran Thi Hoa" in notices[0]["body"] and CHI_HOA in notices[0]["body"]
    assert [(h["name"], h["village"]) for h in checkins.needing_help(demo_db, checkin)] == [("Trần Thị Hoa", "Yên Nông")]
    checkins.answer(demo_db, CHI_HOA, "1", config)   # later safe: off the list
    assert checkins.needing_help(demo_db, checkin) == []


def test_without_registered_heads_the_setting_names_them(demo_db, config, village):
    config["HOTLINE_VILLAGE_HEADS"] = "Ben Do=0912 999 001; Ben Do=not a number; Yen Nong = +84912999002"
    checkin = checkins.start(demo_db, config, [village("Bến Đò")], actor=OPERATOR)["id"]
    checkins.answer(demo_db, CAO_THINH, "2", config)
    assert [n["to_phone"] for n in rows(demo_db, f"checkin:{checkin}:heads")] == ["+84912999001"]


@pytest.mark.parametrize("level, state", [(3, "skipped"), (4, "queued")])
def test_opted_out_residents_are_asked_only_after_an_emergency_alert(demo_db, config, village, level, state):
    residents.opt_out(demo_db, BA_LAN, "sms")
    alert_id = alerts.create(demo_db, "flood", level, "Lu", [village("Yên Nông")], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    checkin = checkins.start(demo_db, config, [village("Yên Nông")], alert_id=alert_id, actor=OPERATOR)["id"]
    assert {r["state"] for r in rows(demo_db, f"checkin:{checkin}") if r["to_phone"] == BA_LAN} == {state}


def _ended(db, config, alert_id, end):
    if end != "draft":
        alerts.publish(db, config, alert_id, actor=OPERATOR)
    if end == "cancelled":
        return alerts.cancel(db, config, alert_id,
                             actor=OPERATOR)          # the Cancel notice itself is no warning to follow
    if end == "superseded":
        alerts.update(db, config, alert_id, level=4, actor=OPERATOR)
    if end == "expired":
        alerts.expire(db, config, "2999-01-01T00:00:00.000000Z")
    return None


@pytest.mark.parametrize("end, status", [("draft", "draft"), ("cancelled", "cancelled"), ("superseded", "superseded")])
def test_a_check_in_never_follows_a_warning_residents_were_not_or_no_longer_told(demo_db, config, village, end,
                                                                                   status):
    alert_id = alerts.create(demo_db, "flood", 3, "Lu", [village("Yên Nông")], actor=OPERATOR)
    cancel_id = _ended(demo_db, config, alert_id, end)
    for refused, state in [(alert_id, status)] + ([(cancel_id, "cancel")] if cancel_id else []):
        with pytest.raises(checkins.CheckinRefused) as e:
            checkins.start(demo_db, config, [village("Yên Nông")], alert_id=refused, actor=OPERATOR)
        assert (e.value.reason, e.value.detail) == ("not_published", state)
    assert demo_db["checkins"].count == 0 and rows(demo_db, "checkin:1") == []


@pytest.mark.parametrize("end", ["published", "expired"])
def test_a_check_in_follows_a_warning_that_went_out_even_once_it_ended(demo_db, config, village, end):
    alert_id = alerts.create(demo_db, "flood", 3, "Lu", [village("Yên Nông")], actor=OPERATOR)
    _ended(demo_db, config, alert_id, end)
    assert checkins.follows(demo_db, alert_id)["status"] == end
    assert checkins.start(demo_db, config, [village("Yên Nông")], alert_id=alert_id, actor=OPERATOR)["queued"] > 0


def test_a_check_in_after_an_unknown_alert_is_refused_and_one_after_none_is_not(demo_db, config, village):
    with pytest.raises(checkins.CheckinRefused) as e:
        checkins.start(demo_db, config, [village("Yên Nông")], alert_id=999, actor=OPERATOR)
    assert e.value.reason == "unknown_alert" and demo_db["checkins"].count == 0
    assert checkins.follows(demo_db, None) is None


def test_a_reply_of_2_through_the_sms_webhook_reaches_the_check_in(app, hooks):
    db = storage.connect(app.config["HOTLINE_DB"])
    checkin = checkins.start(db, app.config, [places.find_village(db, "Yên Nông")["id"]], actor=OPERATOR)["id"]
    status, replies = send_sms(hooks, CHI_HOA, "2")
    assert status == 200 and replies == [prompts.sms("alerts.sms.checkin_thanks_help")]
    assert [h["name"] for h in checkins.needing_help(db, checkin)] == ["Trần Thị Hoa"]


@pytest.mark.parametrize("keys, outcome", [(["1"], "safe"), (["2"], "help"), (["7", "2"], "help"), (["", ""], None)])
def test_a_check_in_call_records_the_key_pressed(app, hooks, keys, outcome):
    db = storage.connect(app.config["HOTLINE_DB"])
    checkin = checkins.start(db, app.config, [places.find_village(db, "Yên Nông")["id"]], actor=OPERATOR)["id"]
    lan = residents.by_phone(db, BA_LAN)["id"]
    script = list(keys)

    def press(kind, attrs):
        if not script:
            raise HangUp
        return script.pop(0)

    Call(hooks, BA_LAN, press).run(f"/voice/checkin/{checkin}?r={lan}")
    answer = db.execute("SELECT answer FROM checkin_answers WHERE checkin_id = ? AND resident_id = ?",
                        [checkin, lan]).fetchone()
    assert (answer[0] if answer else None) == outcome
