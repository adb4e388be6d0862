"""A check-in's cost before it starts and its answers by village after: what the alert's admin page shows."""
from __future__ import annotations

from hotline.domain import alerts, residents
from hotline.domain.alerts import checkins
from hotline.core import prompts, segments
from tests.conftest import BA_LAN, CHI_HOA, ONG_TU, OPERATOR, rows


def test_the_preview_counts_the_check_in_question_not_an_alert_text(demo_db, config, village):
    p = checkins.preview(demo_db, config, [village("Yên Nông")])
    question = prompts.sms("alerts.sms.checkin")
    assert p["sms_plain"] == question
    assert p["segments_plain"] == segments.count(question).segments == 1
    assert p["segments_accented"] == segments.count(prompts.sms("alerts.sms.checkin", accents=True)).segments
    started = checkins.start(demo_db, config, [village("Yên Nông")], actor=OPERATOR)
    sent = rows(demo_db, f"checkin:{started['id']}", "sms")
    assert p["recipients"] == len([r for r in sent if r["state"] == "queued"])
    assert p["sms_segments"] == sum(r["segments"] for r in sent if r["state"] == "queued")
    assert p["calls"] == len(rows(demo_db, f"checkin:{started['id']}", "call"))


def test_the_preview_counts_opted_out_residents_only_after_an_emergency(demo_db, config, village):
    residents.opt_out(demo_db, BA_LAN, "sms")
    routine = checkins.preview(demo_db, config, [village("Yên Nông")], level=2)
    emergency = checkins.preview(demo_db, config, [village("Yên Nông")], level=5)
    assert routine["skipped"] == 1 and emergency["skipped"] == 0
    assert emergency["recipients"] == routine["recipients"] + 1


def test_answers_are_counted_by_village_with_those_not_yet_answering(demo_db, config, village):
    alert_id = alerts.create(demo_db, "flood", 3, "Lu", [village("Yên Nông"), village("Bến Đò")], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    checkin = checkins.start(demo_db, config, [village("Yên Nông"), village("Bến Đò")], alert_id=alert_id,
                             actor=OPERATOR)["id"]
    checkins.answer(demo_db, BA_LAN, "1", config)
    checkins.answer(demo_db, ONG_TU, "1", config)
    checkins.answer(demo_db, CHI_HOA, "2", config)
    by_village = {v["village"]: v for v in checkins.by_village(demo_db, checkin)}
    yen_nong, ben_do = by_village["Yên Nông"], by_village["Bến Đò"]
    assert (yen_nong["asked"], yen_nong["safe"], yen_nong["help"], yen_nong["no_answer"]) == (11, 2, 1, 8)
    assert ben_do["safe"] == ben_do["help"] == 0 and ben_do["no_answer"] == ben_do["asked"] > 0

    [listed] = checkins.for_alert(demo_db, alert_id)
    assert listed["id"] == checkin and listed["safe"] == 2 and listed["help"] == 1
    assert listed["total"] == len(rows(demo_db, f"checkin:{checkin}"))
    assert checkins.for_alert(demo_db, alert_id + 1) == []

