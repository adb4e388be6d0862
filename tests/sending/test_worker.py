"""The worker against the fake Twilio API: pacing, retries, permanent failures, expiry and cancellation."""
from __future__ import annotations

import time

import pytest

from hotline.domain import alerts, inbox, outbox, places, residents
from hotline.domain.alerts import broadcast
from hotline.core import clock
from hotline.sending.sender import Pacer
from tests.conftest import BA_LAN, ONG_TU, OPERATOR, rows, wait_until
from tests.sending.conftest import Recorder


def _publish(db, config, villages=None, level=3, **kwargs):
    ids = [places.find_village(db, v)["id"] for v in villages] if villages else None
    alert_id = alerts.create(db, "flood", level, "Nuoc len", ids, **kwargs, actor=OPERATOR)
    alerts.publish(db, config, alert_id, actor=OPERATOR)
    return f"alert:{alert_id}"


def _done(db, ref):
    return lambda: broadcast.progress(db, ref)["queued"] == 0


def test_it_sends_each_row_once_through_twilio_and_records_the_provider_id(twilio_app, file_db, fake_twilio,
                                                                           start_worker):
    ref = _publish(file_db, twilio_app.config, ["Yên Nông"])
    start_worker(twilio_app.config)
    wait_until(_done(file_db, ref))
    sms = rows(file_db, ref, "sms")
    assert {r["state"] for r in sms} == {"sent"}
    assert sorted(m["to"] for m in fake_twilio.messages) == sorted(r["to_phone"] for r in sms)
    assert {r["provider_id"] for r in sms} == {m["sid"] for m in fake_twilio.messages}
    calls = rows(file_db, ref, "call")
    assert sorted(c["to"] for c in fake_twilio.calls) == sorted(r["to_phone"] for r in calls)
    assert all(c["url"].startswith("https://hotline.example.vn/voice/alert/") for c in fake_twilio.calls)
    assert {c["machine_detection"] for c in fake_twilio.calls} == {"DetectMessageEndpoint"}


def test_it_sends_replies_reminders_and_notices_too(twilio_app, file_db, fake_twilio, start_worker):
    outbox.enqueue(file_db, "sms", BA_LAN, "reply", body="Da nhan")
    outbox.enqueue(file_db, "sms", ONG_TU, "reminder", body="Lop hoc mai")
    start_worker(twilio_app.config)
    wait_until(lambda: len(fake_twilio.messages) == 2)
    assert {(m["to"], m["body"]) for m in fake_twilio.messages} == {(BA_LAN, "Da nhan"), (ONG_TU, "Lop hoc mai")}


@pytest.mark.parametrize("rate", [5, 10])
def test_it_paces_sms_to_the_provisioned_rate_within_ten_percent(twilio_app, file_db, fake_twilio, start_worker,
                                                                 rate):
    fake_twilio.rate = rate   # the fake answers 429 above this
    twilio_app.config["HOTLINE_SMS_RATE"] = str(rate)
    ref = _publish(file_db, twilio_app.config, ["Yên Nông", "Yên Bái", "Đồng Tâm"])
    start_worker(twilio_app.config)
    wait_until(lambda: broadcast.progress(file_db, ref)["queued"] == 0 or None, timeout=60)
    sent = sorted(m["created"] for m in fake_twilio.messages)
    measured = (len(sent) - 1) / (sent[-1] - sent[0])
    assert abs(measured - rate) / rate <= 0.10, measured
    assert len(sent) == len({m["to"] for m in fake_twilio.messages}) == len(rows(file_db, ref, "sms"))
    assert sum(r["attempts"] > 1 for r in rows(file_db, ref, "sms")) <= 1   # paced under the limit, not by 429s


def test_it_retries_429_and_5xx_with_backoff_and_never_duplicates(twilio_app, file_db, fake_twilio, start_worker):
    fake_twilio.fail_next(2, 503, 20503)
    fake_twilio.fail_next(1, 429, 20429)
    ref = _publish(file_db, twilio_app.config, ["Bến Đò"])
    start_worker(twilio_app.config)
    wait_until(_done(file_db, ref))
    sms = rows(file_db, ref, "sms")
    assert {r["state"] for r in sms} == {"sent"}
    assert sorted(m["to"] for m in fake_twilio.messages) == sorted(r["to_phone"] for r in sms)
    assert max(r["attempts"] for r in rows(file_db, ref)) >= 2


def test_a_rate_above_the_providers_is_slowed_by_429s_yet_everyone_gets_it_once(twilio_app, file_db, fake_twilio,
                                                                                start_worker):
    fake_twilio.rate = 5
    twilio_app.config["HOTLINE_SMS_RATE"] = "20"
    ref = _publish(file_db, twilio_app.config, ["Yên Nông", "Yên Bái"])
    start_worker(twilio_app.config)
    wait_until(_done(file_db, ref), timeout=60)
    sms = rows(file_db, ref, "sms")
    assert {r["state"] for r in sms} == {"sent"}
    assert sorted(m["to"] for m in fake_twilio.messages) == sorted(r["to_phone"] for r in sms)
    assert any(r["attempts"] > 1 for r in sms)


def test_permanent_errors_end_the_recipient_and_21610_opts_the_number_out(twilio_app, file_db, fake_twilio,
                                                                          start_worker):
    fake_twilio.invalid_numbers.add(ONG_TU)
    fake_twilio.unsubscribed.add(BA_LAN)
    ref = _publish(file_db, twilio_app.config, ["Yên Nông"])
    start_worker(twilio_app.config)
    wait_until(_done(file_db, ref))
    by_phone = {r["to_phone"]: r for r in rows(file_db, ref, "sms")}
    assert (by_phone[ONG_TU]["state"], by_phone[ONG_TU]["error_code"], by_phone[ONG_TU]["attempts"]) == \
        ("failed", "21211", 1)
    assert (by_phone[BA_LAN]["state"], by_phone[BA_LAN]["error_code"]) == ("failed", "21610")
    assert residents.by_phone(file_db, BA_LAN)["opted_out_at"]


def test_it_applies_a_delivery_report_that_outran_its_commit_of_the_provider_id(twilio_app, file_db, fake_twilio,
                                                                                  start_worker):
    sid = "SM" + "b" * 32
    inbox.delivery_report(file_db, sid, "delivered")      # the callback came first: no row has this id yet
    row_id = outbox.enqueue(file_db, "sms", ONG_TU, "alert", body="Lu")
    file_db.execute("UPDATE outbox SET state = 'sent', provider_id = ? WHERE id = ?", [sid, row_id])
    start_worker(twilio_app.config)
    wait_until(lambda: file_db["outbox"].get(row_id)["state"] == "delivered")


def test_nothing_is_sent_after_expiry(twilio_app, file_db, fake_twilio, start_worker):
    twilio_app.config["HOTLINE_SMS_RATE"] = "5"
    expires = clock.parse(alerts.stamp(time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 2))))
    ref = _publish(file_db, twilio_app.config, None, expires_at=expires.isoformat())
    start_worker(twilio_app.config)
    wait_until(_done(file_db, ref), timeout=30)
    states = [r["state"] for r in rows(file_db, ref, "sms")]
    assert "expired" in states and "sent" in states
    assert all(r["claimed_at"] < r["not_after"] for r in rows(file_db, ref) if r["state"] == "sent")
    assert all(m["created"] <= expires.timestamp() + 1.0 for m in fake_twilio.messages)   # one HTTP round trip
    assert len(fake_twilio.messages) == states.count("sent")


def test_a_cancel_mid_broadcast_stops_what_was_not_yet_sent(twilio_app, file_db, fake_twilio, start_worker):
    twilio_app.config["HOTLINE_SMS_RATE"] = "10"
    ref = _publish(file_db, twilio_app.config, None)
    start_worker(twilio_app.config)
    wait_until(lambda: len(fake_twilio.messages) >= 5)
    alerts.cancel(file_db, twilio_app.config, int(ref.split(":")[1]), actor=OPERATOR)
    cancelled_at = time.time()
    time.sleep(0.5)
    sms = rows(file_db, ref, "sms")
    assert {r["state"] for r in sms} == {"sent", "cancelled"}
    original = [m for m in fake_twilio.messages if not m["body"].startswith("HUY")]
    assert len(original) == sum(r["state"] == "sent" for r in sms) < len(sms)
    assert sum(m["created"] > cancelled_at for m in original) <= 1   # at most the one already in flight


def _pacer(rate):
    clock, waits = [0.0], []

    def wait(seconds):
        waits.append(round(seconds, 3))
        clock[0] += seconds

    pacer = Pacer(rate, clock=lambda: clock[0], wait=wait, guard=0.0)
    return pacer, clock, waits


def test_the_pacer_spaces_sends_by_their_cost():
    pacer, clock, waits = _pacer(10)
    for cost in (1, 1, 2, 1):
        pacer.wait(cost)
    assert waits == [0.1, 0.1, 0.2]


def test_after_idling_the_pacer_owes_at_most_half_a_second_of_sends():
    pacer, clock, waits = _pacer(10)
    pacer.wait()
    clock[0] += 60
    for _ in range(8):
        pacer.wait()
    assert waits == [0.1, 0.1]   # the one due now and half a second's worth at once, then evenly spaced


def test_the_pacer_catches_up_after_a_stall_but_never_exceeds_the_rate_in_a_second():
    pacer, clock, waits = _pacer(10)
    sends = []
    for i in range(40):
        pacer.wait()
        sends.append(clock[0])
        if i == 5:
            clock[0] += 0.5   # the database was busy for half a second
    assert max(sum(1 for t in sends if start <= t < start + 1.0) for start in sends) <= 10
    # Evenly spaced, 40 sends take 3.9 s; the stall cost half a second, of which the window let 0.4 s be
    # made up (its first second had room for 4 more).
    assert round(sends[-1] - sends[0], 3) == 4.0


def test_the_worker_paces_sms_by_segments_a_two_segment_text_costing_two(demo_db, config, paced):
    config["HOTLINE_SMS_RATE"] = "10"
    body = "Lu " * 60          # 180 characters: two GSM-7 segments
    for i in range(4):
        outbox.enqueue(demo_db, "sms", BA_LAN, "alert", body=body, dedupe_key=f"long:{i}", segments=2)
    channel, waits = paced(config, "sms")
    assert [channel.step(demo_db, Recorder()) for _ in range(4)] == ["sent"] * 4
    assert waits == [0.2, 0.2, 0.2]   # 10 segments a second: one two-segment text every 0.2 s


def test_the_worker_paces_calls_by_the_call_rate_not_the_sms_rate(demo_db, config, paced):
    config.update(HOTLINE_SMS_RATE="10", HOTLINE_CALL_RATE="2")
    for i in range(3):
        outbox.enqueue(demo_db, "call", BA_LAN, "alert", url=f"/voice/alert/1?r={i}", dedupe_key=f"call:{i}")
    channel, waits = paced(config, "call")
    assert [channel.step(demo_db, Recorder()) for _ in range(3)] == ["sent"] * 3
    assert waits == [0.5, 0.5]
