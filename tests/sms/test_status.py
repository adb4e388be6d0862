"""Delivery reports move an outbox row forward only, whatever order they arrive in."""
from itertools import permutations

import pytest

from hotline.domain import inbox, outbox, residents
from hotline.core.db import now
from tests.conftest import BA_LAN, CHI_HOA

SID = "SM" + "a" * 32


def sent_row(db, to=BA_LAN, sid=SID):
    """An outbox row as the worker leaves it after the provider accepted it."""
    row_id = outbox.enqueue(db, "sms", to, "alert", body="Canh bao lu", dedupe_key=f"alert:1:{to}:{sid}")
    db.execute("UPDATE outbox SET state = 'sent', provider_id = ?, sent_at = ? WHERE id = ?", [sid, now(), row_id])
    return row_id


def callback(hooks, status, sid=SID, error=None, to=BA_LAN):
    form = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status, "To": to,
            "From": "+84240000000", "AccountSid": hooks.config.account_sid()}
    if error:
        form["ErrorCode"] = error
    code, _ = hooks.post("/sms/status", form)
    assert code == 204


SEQUENCES = [
    (("queued", "sent", "delivered"), "delivered", None),
    (("sending", "sent", "undelivered"), "failed", "30005"),
    (("sent", "undelivered", "delivered"), "delivered", None),      # a late delivery receipt wins
    (("accepted", "queued", "failed"), "failed", "30008"),
]


@pytest.mark.parametrize("statuses, final, code", SEQUENCES)
def test_any_arrival_order_ends_in_the_same_state(hooks, app_db, statuses, final, code):
    for n, order in enumerate(permutations(statuses)):
        sid = f"SM{n:032d}"
        row_id = sent_row(app_db, sid=sid)
        for status in order:
            callback(hooks, status, sid=sid, error=(code or "30005") if status in ("undelivered", "failed") else None)
        row = app_db["outbox"].get(row_id)
        assert (row["state"], row["error_code"]) == (final, code if final == "failed" else None), order


def test_error_21610_marks_the_number_opted_out(hooks, app_db):
    row_id = sent_row(app_db)
    callback(hooks, "failed", error="21610")
    assert app_db["outbox"].get(row_id)["state"] == "failed"
    ba_lan = residents.by_phone(app_db, BA_LAN)
    assert ba_lan["opted_out_at"] and ba_lan["opted_out_channel"] == "carrier"
    later = outbox.enqueue(app_db, "sms", BA_LAN, "reminder", body="Nhac lich hoc")
    assert app_db["outbox"].get(later)["state"] == "skipped"


def test_a_report_that_outruns_the_worker_is_applied_when_the_row_appears(hooks, app_db):
    callback(hooks, "delivered", sid="SM" + "b" * 32)          # the worker has not recorded the sid yet
    row_id = outbox.enqueue(app_db, "sms", CHI_HOA, "alert", body="Lu")
    app_db.execute("UPDATE outbox SET state = 'sent', provider_id = ? WHERE id = ?", ["SM" + "b" * 32, row_id])
    assert inbox.apply_pending(app_db) == 1
    assert app_db["outbox"].get(row_id)["state"] == "delivered"
    assert inbox.apply_pending(app_db) == 0


def test_a_report_never_moves_a_row_back(hooks, app_db):
    row_id = sent_row(app_db)
    callback(hooks, "delivered")
    for status in ("queued", "sending", "sent", "undelivered"):
        callback(hooks, status, error="30003" if status == "undelivered" else None)
    assert app_db["outbox"].get(row_id)["state"] == "delivered"


@pytest.mark.parametrize("form", [{"MessageStatus": "delivered"}, {"MessageSid": SID, "MessageStatus": "bogus"}])
def test_an_incomplete_callback_is_acknowledged_and_changes_nothing(hooks, app_db, form):
    row_id = sent_row(app_db)
    code, _ = hooks.post("/sms/status", form)
    assert code == 204
    assert app_db["outbox"].get(row_id)["state"] == "sent"
    assert app_db.execute("SELECT COUNT(*) FROM sms_delivery_reports").fetchone()[0] == 0


def test_the_worker_job_forgets_old_texts(app, hooks, app_db):
    from hotline.sending import worker

    hooks.post("/sms/incoming", {"MessageSid": "SM" + "e" * 32, "From": BA_LAN, "Body": "HELP"})
    app_db.execute("UPDATE sms_inbox SET received_at = '2026-01-01T00:00:00.000000Z'")
    hooks.post("/sms/incoming", {"MessageSid": "SM" + "f" * 32, "From": BA_LAN, "Body": "HELP"})
    worker.run_jobs(app_db, app.config, "2026-06-01T00:00:00.000000Z", [inbox.housekeeping])    # 90 days later
    assert [r["provider_id"] for r in inbox.listing(app_db)] == ["SM" + "f" * 32]
