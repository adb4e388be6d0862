"""Claim → send → confirm, and settling claimed rows after a crash, with a scripted transport."""
from __future__ import annotations

import pytest

from hotline.app import CALL_URLS
from hotline.core import clock
from hotline.domain import outbox
from hotline.sending import sender, worker
from hotline.sending.transports import TransportError
from tests.sending.conftest import Recorder
from tests.conftest import BA_LAN, ONG_TU


class Scripted:
    """A transport whose answers the test decides."""

    name = "scripted"

    def __init__(self, send=None, found=None):
        self.send, self.found, self.sent, self.lookups = send, found, [], []

    def send_sms(self, to, body, status_callback=None):
        if isinstance(self.send, Exception):
            raise self.send
        self.sent.append((to, body))
        return self.send or f"SM{len(self.sent)}"

    place_call = None

    def find_sms(self, to, body, since):
        self.lookups.append((to, body, since))
        if isinstance(self.found, Exception):
            raise self.found
        return self.found


@pytest.fixture
def row(demo_db):
    row_id = outbox.enqueue(demo_db, "sms", BA_LAN, "alert", body="Lu", segments=1)
    return lambda: demo_db["outbox"].get(row_id)


def _claimed(db, row):
    sender.claim(db, row(), "scripted")
    return row()


@pytest.mark.parametrize("found, state, provider", [("SMfound", "sent", "SMfound"), (None, "queued", None)])
def test_a_claimed_row_is_looked_up_before_anything_is_resent(demo_db, row, found, state, provider):
    claimed = _claimed(demo_db, row)
    transport = Scripted(found=found)
    assert sender.reconcile(demo_db, transport, "sms") == 0
    assert (row()["state"], row()["provider_id"]) == (state, provider)
    to, body, since = transport.lookups[0]
    assert (to, body) == (BA_LAN, "Lu") and since < claimed["claimed_at"]   # from the claim, minus clock skew
    assert transport.sent == []


def test_a_provider_that_cannot_answer_leaves_the_row_claimed(demo_db, row):
    _claimed(demo_db, row)
    assert sender.reconcile(demo_db, Scripted(found=TransportError("down", "503", True)), "sms") == 1
    assert row()["state"] == "claimed"


def test_an_id_that_belongs_to_another_row_is_not_this_rows_send(demo_db, row):
    other = outbox.enqueue(demo_db, "sms", BA_LAN, "alert", body="Lu", dedupe_key="other")
    demo_db.execute("UPDATE outbox SET state = 'sent', provider_id = 'SMother' WHERE id = ?", [other])
    _claimed(demo_db, row)
    sender.reconcile(demo_db, Scripted(found="SMother"), "sms")
    assert row()["state"] == "queued"


@pytest.mark.parametrize("error, outcome, state", [
    (TransportError("Too Many Requests", "20429", True), "retry", "queued"),
    (TransportError("Service Unavailable", "20503", True), "retry", "queued"),
    (TransportError("not a valid phone number", "21211", False), "failed", "failed"),
    (TransportError("Read timed out", "timeout", True), "unsure", "claimed"),
    (ConnectionResetError("reset"), "unsure", "claimed"),
])
def test_send_outcomes_by_error(demo_db, config, row, error, outcome, state):
    assert sender.send(demo_db, config, Scripted(send=error), row()) == outcome
    assert row()["state"] == state


def test_transient_errors_back_off_then_give_up_after_the_configured_attempts(demo_db, config, row):
    config["HOTLINE_SEND_ATTEMPTS"] = "3"
    delays = []
    for _ in range(3):
        before = row()
        sender.send(demo_db, config, Scripted(send=TransportError("busy", "20500", True)), before)
        after = row()
        delays.append(after["next_attempt_at"] > before["next_attempt_at"])
        demo_db.execute("UPDATE outbox SET next_attempt_at = created_at WHERE id = ?", [after["id"]])
    assert delays == [True, True, False] and (row()["state"], row()["attempts"]) == ("failed", 3)


def test_a_cancelled_or_expired_row_is_never_claimed(demo_db, row):
    demo_db.execute("UPDATE outbox SET state = 'cancelled' WHERE id = ?", [row()["id"]])
    assert sender.claim(demo_db, row(), "scripted") is None
    late = outbox.enqueue(demo_db, "sms", ONG_TU, "alert", body="Lu", not_after="2001-01-01T00:00:00.000000Z")
    assert sender.claim(demo_db, demo_db["outbox"].get(late), "scripted") is None
    assert worker.expire_due(demo_db, "2002-01-01T00:00:00.000000Z") == 1
    assert demo_db["outbox"].get(late)["state"] == "expired"


@pytest.mark.parametrize("attempts, waits", [
    ("8", [0.5, 1, 2, 4, 8, 16, 32]),                 # the default: eight tries over a minute, not 3.5 s
    ("10", [0.5, 1, 2, 4, 8, 16, 32, 60, 60]),        # at most a minute apart
])
def test_each_retry_waits_twice_as_long_as_the_last_as_documented(demo_db, config, row, attempts, waits):
    config["HOTLINE_SEND_ATTEMPTS"] = attempts
    seen = []
    while row()["state"] == "queued":
        sender.send(demo_db, config, Scripted(send=TransportError("Service Unavailable", "20503", True)), row())
        if row()["state"] == "queued":
            seen.append((clock.parse(row()["next_attempt_at"]) - clock.parse(row()["updated_at"])).total_seconds())
    assert seen == waits and (row()["state"], row()["attempts"]) == ("failed", int(attempts))


def test_the_next_due_row_is_never_one_past_its_expiry(demo_db, config, paced):
    """Even before the worker's expiry sweep marks it: an expired warning outranks nothing."""
    late = outbox.enqueue(demo_db, "sms", ONG_TU, "alert", body="Lu cu", not_after="2001-01-01T00:00:00.000000Z",
                          emergency=True, priority=outbox.PRIORITY["emergency"])
    fresh = outbox.enqueue(demo_db, "sms", BA_LAN, "reminder", body="Lop hoc")
    assert sender.next_due(demo_db, "sms")["id"] == fresh
    channel, _ = paced(config, "sms")
    assert channel.step(demo_db, Recorder()) == "sent"
    assert (demo_db["outbox"].get(fresh)["state"], demo_db["outbox"].get(late)["state"]) == ("sent", "queued")
    assert sender.next_due(demo_db, "sms") is None


def test_a_failing_periodic_job_does_not_stop_the_others(demo_db, config, monkeypatch):
    ran = []

    def broken(db, config, now):
        raise RuntimeError("boom")

    worker.run_jobs(demo_db, config, "2026-01-01T00:00:00.000000Z", [broken, lambda db, config, now: ran.append(now)])
    assert ran == ["2026-01-01T00:00:00.000000Z"]


def test_health_says_whether_a_worker_is_running(client, app):
    assert client.get("/health").get_json()["worker"]["running"] is False
    lock = worker.hold_lock(app.config)
    try:
        assert client.get("/health").get_json()["worker"]["running"] is True
    finally:
        lock.close()


class Calls(Scripted):
    def place_call(self, to, url, status_callback=None):
        self.sent.append((to, url, status_callback))
        return "CA1"


def _place(db, row_id):
    from hotline.core.config import Config

    transport, config = Calls(), Config.from_env({"HOTLINE_PUBLIC_URL": "https://loa.example.vn"})
    outcome = sender.send(db, config, transport, db["outbox"].get(row_id), call_urls=CALL_URLS)
    return outcome, transport.sent


@pytest.mark.parametrize("purpose, ref, path", [
    ("notice", "lesson:7", "/voice/lessons/notice/{id}"),         # the row's own text
    ("alert", "alert:12", "/voice/alert/12?r={resident}"),          # whose "1, heard clearly" it is
    ("checkin", "checkin:3", "/voice/checkin/3?r={resident}"),
    ("announcement", "announcement:5", "/voice/announcement/5"),
    ("callback", "call:CA9", "/voice/incoming?callback=1"),
])
def test_a_queued_call_is_placed_on_the_voice_channels_route_at_the_workers_public_url(demo_db, purpose, ref, path):
    resident = demo_db.execute("SELECT id FROM residents WHERE phone = ?", [BA_LAN]).fetchone()[0]
    row_id = outbox.enqueue(demo_db, "call", BA_LAN, purpose, ref=ref, resident_id=resident)
    outcome, sent = _place(demo_db, row_id)
    url = "https://loa.example.vn" + path.format(id=row_id, resident=resident)
    assert (outcome, sent) == ("sent", [(BA_LAN, url, "https://loa.example.vn/voice/callout/status")])


def test_a_call_queued_with_its_url_before_the_domain_stopped_writing_them_keeps_it(demo_db):
    row_id = outbox.enqueue(demo_db, "call", BA_LAN, "alert", ref="alert:12",
                            url="https://hotline.example.vn/voice/alert/12?r=1")
    assert _place(demo_db, row_id)[1][0][1] == "https://hotline.example.vn/voice/alert/12?r=1"


def test_a_call_no_route_answers_fails_at_once_with_the_reason(demo_db):
    row_id = outbox.enqueue(demo_db, "call", BA_LAN, "test", ref="nothing:1")
    assert _place(demo_db, row_id) == ("failed", [])
    row = demo_db["outbox"].get(row_id)
    assert (row["state"], row["error_code"], row["attempts"]) == ("failed", "no_script", 1)