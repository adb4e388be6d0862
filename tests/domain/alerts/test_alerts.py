"""Alerts: targeting, the opt-out policy, and update/cancel superseding everywhere."""
from __future__ import annotations

import pytest

from hotline.domain import alerts, places, residents
from hotline.domain.alerts import broadcast
from hotline.core import segments

from tests.conftest import BA_LAN, CHI_HOA, ONG_TU, OPERATOR, rows
from voice import callout


@pytest.mark.parametrize("villages, flags, expected", [
    (["Yên Nông"], [], 11),
    (["Yên Nông", "Bến Đò"], [], 21),
    (None, [], 41),
    (["Yên Nông"], ["low_lying"], 4),
    (["Yên Nông"], ["elderly"], 4),
    (["Yên Nông"], ["low_lying", "elderly"], 2),
    (None, ["low_lying"], 16),
])
def test_it_targets_villages_and_flags(demo_db, config, village, villages, flags, expected):
    ids = [village(v) for v in villages] if villages else None
    alert_id = alerts.create(demo_db, "flood", 3, "Nuoc len", ids, flags, actor=OPERATOR)
    result = alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    sms = rows(demo_db, f"alert:{alert_id}", "sms")
    assert len(sms) == expected == result["total"] - len(rows(demo_db, f"alert:{alert_id}", "call"))
    assert len({r["to_phone"] for r in sms}) == expected


def test_a_low_lying_warning_reaches_low_lying_people_and_everyone_in_a_low_lying_household(demo_db, config, village):
    """Low-lying is the resident's flag or the household's: a son in his parents' house by the river is at risk."""
    yen_nong = village("Yên Nông")
    by_river = places.ensure_household(demo_db, yen_nong, "Nhà bên sông", low_lying=True)
    on_hill = places.ensure_household(demo_db, yen_nong, "Nhà trên đồi", low_lying=False)
    people = {"+84912555001": {"household_id": by_river},                  # not low-lying himself
              "+84912555002": {"household_id": on_hill, "low_lying": 1},   # her plot floods, not the house
              "+84912555003": {"low_lying": 1},                            # no household recorded
              "+84912555004": {"household_id": on_hill},
              "+84912555005": {}}
    for phone, flags in people.items():
        residents.register(demo_db, phone, "admin", village_id=yen_nong, **flags)
    alert_id = alerts.create(demo_db, "flood", 3, "Nuoc len", [yen_nong], ["low_lying"], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    reached = {r["to_phone"] for r in rows(demo_db, f"alert:{alert_id}", "sms")}
    assert reached & set(people) == {"+84912555001", "+84912555002", "+84912555003"}


def test_it_calls_those_who_are_elderly_cannot_read_or_prefer_voice(demo_db, config, village):
    alert_id = alerts.create(demo_db, "flood", 3, "Nuoc len", [village("Yên Nông")], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    called = {r["name"] for r in rows(demo_db, f"alert:{alert_id}", "call")}
    assert called == {"Nguyễn Thị Lan", "Lê Thị Mai", "Lê Văn Sáu", "Đỗ Thị Hằng"}
    call = rows(demo_db, f"alert:{alert_id}", "call")[0]
    assert callout.url_for(call) == f"/voice/alert/{alert_id}?r={call['resident_id']}"     # whose "1" it is


@pytest.mark.parametrize("level, state, error", [(3, "skipped", "opted_out"), (4, "queued", None), (5, "queued", None)])
def test_it_reaches_opted_out_residents_only_at_the_emergency_level(demo_db, config, village, level, state, error):
    residents.opt_out(demo_db, BA_LAN, "sms")
    alert_id = alerts.create(demo_db, "flood", level, "Nuoc len", [village("Yên Nông")], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    lan = [r for r in rows(demo_db, f"alert:{alert_id}") if r["to_phone"] == BA_LAN]
    assert {(r["channel"], r["state"], r["error"]) for r in lan} == {("sms", state, error), ("call", state, error)}


def test_publishing_twice_is_refused_and_never_queues_twice(demo_db, config, village):
    alert_id = alerts.create(demo_db, "storm", 2, "Gio manh", [village("Bến Đò")], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    with pytest.raises(alerts.InvalidAlert) as e:
        alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    assert e.value.reason == "not_draft"
    assert len(rows(demo_db, f"alert:{alert_id}", "sms")) == 10


def test_an_accent_preferring_resident_gets_the_accented_text_with_its_segments(demo_db, config, village):
    residents.register(demo_db, CHI_HOA, "admin", sms_accents=True)
    alert_id = alerts.create(demo_db, "flood", 3, "Nước sông đang lên", [village("Yên Nông")], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    by_phone = {r["to_phone"]: r for r in rows(demo_db, f"alert:{alert_id}", "sms")}
    assert by_phone[CHI_HOA]["body"].startswith("CẢNH BÁO") and by_phone[CHI_HOA]["segments"] == 2
    assert by_phone[ONG_TU]["body"].isascii() and by_phone[ONG_TU]["segments"] == 1


def test_an_officials_typography_never_makes_the_unaccented_sms_ucs2(demo_db, config, village):
    text = "Nước lên nhanh – “di chuyển” ngay… 😟"       # pasted from a phone or a word processor
    alert_id = alerts.create(demo_db, "flood", 3, text, [village("Yên Nông")], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    body = {r["to_phone"]: r for r in rows(demo_db, f"alert:{alert_id}", "sms")}[ONG_TU]["body"]
    assert segments.count(body) == segments.Count("GSM-7", len(body), 1), body
    assert 'Nuoc len nhanh - "di chuyen" ngay...' in body


@pytest.mark.parametrize("kwargs, reason", [
    ({"kind": "tsunami"}, "bad_kind"), ({"level": 6}, "bad_level"), ({"text": "  "}, "empty_text"),
    ({"flags": ["rich"]}, "bad_flag"), ({"village_ids": [999]}, "unknown_village"),
    ({"expires_at": "2000-01-01T00:00:00Z"}, "ends_before_start"), ({"expires_at": "soon"}, "bad_time"),
])
def test_it_refuses_a_bad_alert_with_the_reason(demo_db, kwargs, reason):
    values = {"kind": "flood", "level": 3, "text": "Lu", **kwargs}
    with pytest.raises(alerts.InvalidAlert) as e:
        alerts.create(demo_db, **values, actor=OPERATOR)
    assert e.value.reason == reason


def test_expiry_defaults_and_naive_times_are_vietnam_time(demo_db):
    alert = alerts.get(demo_db, alerts.create(demo_db, "flood", 3, "Lu", starts_at="2030-01-01T07:00",
                                              hours=6, actor=OPERATOR))
    assert (alert["starts_at"], alert["expires_at"]) == ("2030-01-01T00:00:00.000000Z", "2030-01-01T06:00:00.000000Z")


def test_an_update_supersedes_the_alert_in_menu_1_and_its_pending_sends(demo_db, config, village):
    yen_nong = village("Yên Nông")
    first = alerts.create(demo_db, "flood", 3, "Nuoc len", [yen_nong], actor=OPERATOR)
    alerts.publish(demo_db, config, first, actor=OPERATOR)
    demo_db.execute("UPDATE outbox SET state = 'sent' WHERE ref = ? AND to_phone = ?", [f"alert:{first}", BA_LAN])
    second = alerts.update(demo_db, config, first, level=4, text="Nuoc len nhanh, di so tan", actor=OPERATOR)
    assert [a["id"] for a in alerts.active_for_village(demo_db, yen_nong)] == [second]
    states = {r["state"] for r in rows(demo_db, f"alert:{first}") if r["to_phone"] != BA_LAN}
    assert states == {"cancelled"}
    new = alerts.get(demo_db, second)
    assert (new["msg_type"], new["supersedes_id"], new["level"]) == ("update", first, 4)
    assert alerts.get(demo_db, first)["status"] == "superseded"
    assert all(r["body"].startswith("CAP NHAT") for r in rows(demo_db, f"alert:{second}", "sms"))


def test_a_cancel_stops_pending_sends_and_tells_only_those_already_reached(demo_db, config, village):
    yen_nong = village("Yên Nông")
    alert_id = alerts.create(demo_db, "flood", 3, "Nuoc len", [yen_nong], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    demo_db.execute("UPDATE outbox SET state = 'delivered' WHERE ref = ? AND to_phone = ?",
                    [f"alert:{alert_id}", ONG_TU])
    cancel_id = alerts.cancel(demo_db, config, alert_id, actor=OPERATOR)
    assert alerts.active_for_village(demo_db, yen_nong) == []
    assert {r["state"] for r in rows(demo_db, f"alert:{alert_id}") if r["to_phone"] != ONG_TU} == {"cancelled"}
    notices = rows(demo_db, f"alert:{cancel_id}")
    assert [(n["to_phone"], n["channel"]) for n in notices] == [(ONG_TU, "sms")]
    assert notices[0]["body"].startswith("HUY")
    with pytest.raises(alerts.InvalidAlert):
        alerts.cancel(demo_db, config, alert_id, actor=OPERATOR)


def test_expired_alerts_end_and_their_pending_rows_are_marked_expired(demo_db, config, village):
    alert_id = alerts.create(demo_db, "flood", 3, "Nuoc len", [village("Bến Đò")], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    assert alerts.expire(demo_db, config, "2999-01-01T00:00:00.000000Z") == 1
    assert {r["state"] for r in rows(demo_db, f"alert:{alert_id}")} == {"expired"}
    assert alerts.get(demo_db, alert_id)["status"] == "expired"


def test_the_preview_counts_recipients_segments_and_the_eta(demo_db, config, village):
    residents.opt_out(demo_db, BA_LAN, "sms")
    preview = broadcast.preview(demo_db, config, "Nuoc len", [village("Yên Nông")], [], level=3)
    assert (preview["recipients"], preview["skipped"], preview["calls"]) == (10, 1, 3)
    assert (preview["segments_plain"], preview["segments_accented"]) == (1, 2)
    # 10 one-segment SMS at 10 segments/s, 3 calls at 1/s: the calls take longest.
    assert preview["eta_seconds"] == 3.0


def test_the_report_counts_per_village(demo_db, config, village):
    residents.opt_out(demo_db, BA_LAN, "sms")
    alert_id = alerts.create(demo_db, "flood", 3, "Nuoc len", [village("Yên Nông"), village("Bến Đò")], actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    demo_db.execute("UPDATE outbox SET state = 'delivered' WHERE ref = ? AND to_phone = ?",
                    [f"alert:{alert_id}", ONG_TU])
    demo_db.execute("UPDATE outbox SET state = 'failed' WHERE ref = ? AND channel = 'call' AND state = 'queued'",
                    [f"alert:{alert_id}"])
    report = alerts.report(demo_db, alert_id)
    yen_nong = next(v for v in report["villages"] if v["village"] == "Yên Nông")
    # bà Lan (elderly) opted out: her SMS and her call skipped; ông Tư's SMS delivered; every other call failed.
    assert yen_nong["recipients"] == 11
    assert yen_nong["sms"] == {"sent": 1, "delivered": 1, "failed": 0, "skipped_opted_out": 1, "expired": 0,
                               "cancelled": 0, "queued": 9}
    assert yen_nong["call"] == {"sent": 0, "delivered": 0, "failed": 3, "skipped_opted_out": 1, "expired": 0,
                                "cancelled": 0, "queued": 0, "acknowledged": 0, "machine": 0}
    assert report["totals"]["recipients"] == 21 and report["alert"]["status"] == "published"
    assert report["totals"]["call"]["failed"] == 6 and report["totals"]["sms"]["failed"] == 0


def test_an_alert_past_its_expiry_cannot_be_published(demo_db, config):
    alert_id = alerts.create(demo_db, "flood", 3, "Lu", starts_at="2001-01-01T00:00", expires_at="2001-01-02T00:00",
                             actor=OPERATOR)
    with pytest.raises(alerts.InvalidAlert) as e:
        alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    assert (e.value.reason, alerts.get(demo_db, alert_id)["status"]) == ("ended", "draft")
    assert demo_db["outbox"].count == 0
