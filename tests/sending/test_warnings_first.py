"""Warnings first: the worker's send order, and opting out stopping what is already queued (issue 13)."""
from __future__ import annotations

import itertools

from hotline.app import SMS_HOOKS
from hotline.domain import alerts, officials, outbox, residents
from hotline.domain.alerts import checkins
from hotline.core import prompts
from hotline.sending import sender
from hotline.sending.transports import TransportError
from sms.inbound import Message, receive
from tests.conftest import BA_LAN, CHI_HOA, ONG_TU, OPERATOR, rows
from tests.sending.conftest import Recorder, drain

STRANGERS = [f"+8498765{i:04d}" for i in range(30)]    # numbers the commune does not know, texting at once
MESSAGE_IDS = itertools.count(1)


def _text(db, config, phone, body):
    """A text through the Android gateway: the reply is queued in the outbox, as the worker will send it."""
    return receive(db, config, Message("android-gateway", f"msg-{next(MESSAGE_IDS)}", phone, None, body),
                   queue_reply=True, hooks=SMS_HOOKS)


def _warn(db, config, village, level):
    alert_id = alerts.create(db, "flood", level, "Nuoc song len nhanh", [village("Yên Nông")], actor=OPERATOR)
    alerts.publish(db, config, alert_id, actor=OPERATOR)
    return f"alert:{alert_id}"


def test_a_level_5_warning_overtakes_a_flood_of_replies_queued_before_it(demo_db, config, village, paced):
    for phone in STRANGERS:
        _text(demo_db, config, phone, "HELP")
    warning = _warn(demo_db, config, village, 5)
    sms, _ = paced(config, "sms")
    sent = drain(demo_db, sms, Recorder())
    warned = len(rows(demo_db, warning, "sms"))
    assert [r["ref"] for r in sent[:warned]] == [warning] * warned
    assert [r["purpose"] for r in sent[warned:]] == ["reply"] * len(STRANGERS)


def _kind(row, levels) -> str:
    if (row["ref"] or "").endswith(":heads"):
        return "help"
    if row["ref"] in levels:
        return levels[row["ref"]]
    if row["purpose"] == "reply":
        return "help_ack" if row["body"] == prompts.sms("alerts.sms.checkin_thanks_help") else "reply"
    return {"checkin": "checkin", "announcement": "notice", "reminder": "reminder"}[row["purpose"]]


def test_the_worker_sends_in_the_documented_order_whatever_was_queued_first(demo_db, config, village, paced):
    """Queued lowest first, so the ids alone would give the reverse of the order wanted."""
    if officials.by_phone(demo_db, ONG_TU) is None:
        officials.add(demo_db, "Nguyen Van Tu", "village_head", ONG_TU, [village("Yên Nông")], "4826")
    outbox.enqueue(demo_db, "sms", CHI_HOA, "reminder", body="Mai hoc VNeID")
    outbox.enqueue(demo_db, "sms", CHI_HOA, "announcement", body="Hop thon toi nay")
    _text(demo_db, config, STRANGERS[0], "HELP")
    levels = {_warn(demo_db, config, village, 3): "alert"}
    checkins.start(demo_db, config, [village("Yên Nông")], actor=OPERATOR)
    assert _text(demo_db, config, BA_LAN, "2").outcome == "alerts.sms.checkin_thanks_help"
    levels[_warn(demo_db, config, village, 5)] = "emergency"
    sms, _ = paced(config, "sms")
    runs = []
    for row in drain(demo_db, sms, Recorder()):
        if not runs or runs[-1] != _kind(row, levels):
            runs.append(_kind(row, levels))
    assert runs == sorted(outbox.PRIORITY, key=outbox.PRIORITY.get, reverse=True)
    assert runs[:3] == ["help", "emergency", "help_ack"]


def _lan(db):
    """bà Lan's outbox rows: (purpose, ref, channel) -> (state, error)."""
    return {(r["purpose"], r["ref"], r["channel"]): (r["state"], r["error"])
            for r in db.query("SELECT * FROM outbox WHERE to_phone = ? ORDER BY id", [BA_LAN])}


def test_opting_out_cancels_what_is_already_queued_but_emergencies_and_replies(demo_db, config, village):
    outbox.enqueue(demo_db, "sms", BA_LAN, "reminder", body="Mai hoc VNeID", ref="lesson:1")
    outbox.enqueue(demo_db, "sms", BA_LAN, "guide", body="Huong dan VNeID", ref="guide:vneid")
    routine, emergency = _warn(demo_db, config, village, 3), _warn(demo_db, config, village, 5)
    asked = _text(demo_db, config, BA_LAN, "HELP")
    assert _text(demo_db, config, BA_LAN, "TU CHOI").reply == prompts.sms("sms.opt_out.opted_out")
    lan = _lan(demo_db)
    for kept in [("alert", emergency, "sms"), ("alert", emergency, "call")]:
        assert lan.pop(kept) == ("queued", None)
    replies = {k: lan.pop(k) for k in list(lan) if k[0] == "reply"}   # her HELP's answer, then the confirmation
    assert list(replies.values()) == [("queued", None)] * 2 and asked.reply
    assert lan == {("reminder", "lesson:1", "sms"): ("cancelled", "opted_out"),
                   ("guide", "guide:vneid", "sms"): ("cancelled", "opted_out"),
                   ("alert", routine, "sms"): ("cancelled", "opted_out"),
                   ("alert", routine, "call"): ("cancelled", "opted_out")}


def test_an_unsubscribe_at_the_carrier_cancels_the_rest_of_the_queue_too(demo_db, config, village):
    routine = _warn(demo_db, config, village, 3)
    reminder = outbox.enqueue(demo_db, "sms", BA_LAN, "reminder", body="Mai hoc VNeID", ref="lesson:1")
    first = next(r for r in rows(demo_db, routine, "sms") if r["to_phone"] == BA_LAN)

    class Unsubscribed(Recorder):
        def send_sms(self, to, body, status_callback=None):
            raise TransportError("unsubscribed", "21610", transient=False)

    assert sender.send(demo_db, config, Unsubscribed(), first) == "failed"
    assert residents.by_phone(demo_db, BA_LAN)["opted_out_at"]
    call = next(r for r in rows(demo_db, routine, "call") if r["to_phone"] == BA_LAN)
    assert (call["state"], call["error"]) == ("cancelled", "opted_out")
    assert demo_db["outbox"].get(reminder)["state"] == "cancelled"


def test_a_village_head_who_opted_out_still_hears_of_a_resident_in_need(demo_db, config, village, paced):
    if officials.by_phone(demo_db, ONG_TU) is None:
        officials.add(demo_db, "Nguyen Van Tu", "village_head", ONG_TU, [village("Yên Nông")], "4826")
    residents.opt_out(demo_db, ONG_TU, "sms")
    checkin = checkins.start(demo_db, config, [village("Yên Nông")], actor=OPERATOR)["id"]
    assert checkins.answer(demo_db, BA_LAN, "2", config) == "help"
    assert checkins.answer(demo_db, CHI_HOA, "2", config) == "help"
    residents.opt_in(demo_db, ONG_TU, "sms")
    residents.opt_out(demo_db, ONG_TU, "sms")      # and opting out again, with the notices queued, keeps them
    sms, _ = paced(config, "sms")
    transport = Recorder()
    drain(demo_db, sms, transport)
    told = [body for _, to, body in transport.sent if to == ONG_TU]
    assert len(told) == 2 and all(body.startswith("CAN GIUP") for body in told)
    assert {r["state"] for r in rows(demo_db, f"checkin:{checkin}:heads")} == {"sent"}
