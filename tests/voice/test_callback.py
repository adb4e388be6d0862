"""Missed-call call-back: bà Lan's call is rejected as busy (free for her) and she is called back."""
from hotline.domain import calls
from tests.conftest import ANH_MINH, BA_LAN
from tests.voice.conftest import Caller, add_alert, spoken


def test_a_registered_resident_is_rejected_as_busy_and_a_call_back_is_queued(make_app):
    app = make_app(HOTLINE_CALLBACK="1")
    caller = Caller(app, BA_LAN)
    assert spoken(caller.call()) == []
    rows = list(caller.db().query("SELECT * FROM outbox WHERE purpose = 'callback'"))
    assert len(rows) == 1
    row = rows[0]
    assert (row["channel"], row["to_phone"], row["state"]) == ("call", BA_LAN, "queued")
    assert (row["purpose"], row["ref"], row["url"]) == ("callback", f"call:{caller.sid}", None)   # voice knows the URL
    assert row["next_attempt_at"] <= row["created_at"]         # due now: the worker rings within a minute
    assert caller.db().execute("SELECT outcome FROM calls WHERE sid = ?", [caller.sid]).fetchone()[0] == \
        "rejected_for_callback"


def test_the_reject_is_busy_so_the_caller_pays_nothing(make_app):
    from hotline.sim.phone import Webhooks
    import xml.etree.ElementTree as ET

    app = make_app(HOTLINE_CALLBACK="1")
    status, body = Webhooks(app.config, client=app.test_client()).post(
        "/voice/incoming", {"CallSid": "CA1", "From": BA_LAN, "Direction": "inbound"})
    assert [(el.tag, el.get("reason")) for el in ET.fromstring(body)] == [("Reject", "busy")]


def test_calling_again_before_the_call_back_does_not_queue_a_second(make_app):
    app = make_app(HOTLINE_CALLBACK="1")
    caller = Caller(app, BA_LAN)
    caller.call()
    caller.call()
    assert caller.db().execute("SELECT COUNT(*) FROM outbox WHERE purpose = 'callback'").fetchone()[0] == 1


def test_unknown_callers_are_answered_normally(make_app):
    caller = Caller(make_app(HOTLINE_CALLBACK="1"), ANH_MINH)
    assert "Mời bác chọn." in spoken(caller.call())
    assert caller.db().execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


def test_the_call_back_itself_plays_the_hotline_with_her_warning_first(make_app):
    app = make_app(HOTLINE_CALLBACK="1")
    add_alert(app, "Nước đang lên, bà con di chuyển tới nơi an toàn.", ["Yên Nông"])
    caller = Caller(app, "+84240000000")
    said = spoken(caller.call(url="/voice/incoming?callback=1", To=BA_LAN, Direction="outbound-api"))
    assert said[:2] == ["Cảnh báo khẩn cho thôn mình.", "Nước đang lên, bà con di chuyển tới nơi an toàn."]
    row = caller.db().execute("SELECT phone, direction FROM calls WHERE sid = ?", [caller.sid]).fetchone()
    assert row == (BA_LAN, "callback")


def test_without_the_setting_everyone_is_answered(keypad_app):
    assert "Mời bác chọn." in spoken(Caller(keypad_app, BA_LAN).call())


def test_the_call_ends_in_the_log_with_twilios_status(keypad_app):
    caller = Caller(keypad_app, BA_LAN)
    caller.call("2")
    row = caller.db().execute("SELECT status, ended_at FROM calls WHERE sid = ?", [caller.sid]).fetchone()
    assert row[0] == "completed" and row[1]
    assert calls.summary(caller.db())["calls"] == 1


def test_the_worker_places_the_call_back_through_twilio(make_app, twilio_settings, fake_twilio):
    import threading

    from hotline.sending import worker
    from hotline.app import CALL_URLS, transports

    app = make_app(HOTLINE_CALLBACK="1", **{k: v for k, v in twilio_settings.items()
                                            if k.startswith(("TWILIO_", "HOTLINE_TWILIO"))})
    caller = Caller(app, BA_LAN)
    caller.call()
    call = transports(app.config)["call"]
    sender = worker.ChannelSender(app.config, "call", call, threading.Event(), call_urls=CALL_URLS)
    db = caller.db()
    assert sender.step(db, call(app.config)) == "sent"
    [placed] = fake_twilio.calls
    assert placed["to"] == BA_LAN and placed["url"] == "https://hotline.example.vn/voice/incoming?callback=1"
    assert placed["status_callback"] == "https://hotline.example.vn/voice/callout/status"
    assert db.execute("SELECT state FROM outbox WHERE purpose = 'callback'").fetchone()[0] == "sent"


def test_a_call_back_is_queued_once_while_one_waits_and_again_once_it_has_gone(demo_db):
    from hotline.core.config import Config
    from hotline.domain import callbacks, residents

    lan = residents.by_phone(demo_db, BA_LAN)
    assert not callbacks.offered(Config.from_env({}), lan)                        # HOTLINE_CALLBACK is off
    config = Config.from_env({}, HOTLINE_CALLBACK="1")
    assert callbacks.offered(config, lan) and not callbacks.offered(config, None)  # anh Minh is not registered
    first = callbacks.queue(demo_db, lan, "CA1")
    assert first and callbacks.queue(demo_db, lan, "CA2") is None
    demo_db.execute("UPDATE outbox SET state = 'sent' WHERE id = ?", [first])
    assert callbacks.queue(demo_db, lan, "CA3") and callbacks.queue(demo_db, lan, "CA1") is None   # a retried sid
    residents.opt_out(demo_db, BA_LAN, "sms")
    assert not callbacks.offered(config, residents.by_phone(demo_db, BA_LAN))
