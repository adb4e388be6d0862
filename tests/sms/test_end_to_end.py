"""The whole road: a text through the gateway, its reply sent by the worker, the phone's reports back."""
import threading

from hotline.domain import outbox
from hotline.core import prompts
from hotline.sending import sender
from hotline.sending.worker import ChannelSender
from hotline.sending.android_gateway import GatewaySMS
from hotline.sending.twilio_sms import TwilioSMS
from tests.conftest import BA_LAN


def worker_step(config, db, transport):
    return ChannelSender(config, "sms", lambda config: transport, threading.Event()).step(db, transport)


def test_a_text_to_the_gateway_phone_is_answered_and_reported_delivered(gateway_app, gateway_client, gateway_db,
                                                                        fake_gateway):
    body, headers = fake_gateway.sms_received(BA_LAN, "HD QR")
    assert gateway_client.post("/sms/gateway", data=body, headers=headers).status_code == 200
    transport = GatewaySMS(gateway_app.config)
    assert worker_step(gateway_app.config, gateway_db, transport) == "sent"
    [sent] = fake_gateway.sent_to(BA_LAN)
    assert sent["text"] == prompts.sms("guides.qr.sms")
    for event in ("sms:sent", "sms:delivered"):
        body, headers = fake_gateway.status_event(sent["id"], event)
        assert gateway_client.post("/sms/gateway", data=body, headers=headers).status_code == 200
    row = next(gateway_db.query("SELECT * FROM outbox WHERE purpose = 'reply'"))
    assert (row["state"], row["provider_id"], row["transport"]) == ("delivered", sent["id"], "android-gateway")


def test_a_worker_that_died_after_the_gateway_accepted_does_not_send_twice(gateway_app, gateway_db, fake_gateway):
    row_id = outbox.enqueue(gateway_db, "sms", BA_LAN, "alert", body="Canh bao lu cap 4: len nha van hoa")
    row = gateway_db["outbox"].get(row_id)
    transport = GatewaySMS(gateway_app.config)
    assert sender.claim(gateway_db, row, transport.name)
    accepted = transport.send_sms(BA_LAN, row["body"])        # … and the worker is killed before it confirms
    assert worker_step(gateway_app.config, gateway_db, transport) is None    # the restart reconciles first
    assert gateway_db["outbox"].get(row_id)["provider_id"] == accepted
    assert worker_step(gateway_app.config, gateway_db, transport) is None    # nothing left to send
    assert len(fake_gateway.sent_to(BA_LAN)) == 1


def test_a_worker_that_died_before_twilio_accepted_sends_once(twilio_settings, fake_twilio):
    from hotline.app import create_app
    from hotline.core import db as storage
    from hotline.sim.phone import Webhooks

    app = create_app(twilio_settings)
    db = storage.connect(twilio_settings["HOTLINE_DB"])
    row_id = outbox.enqueue(db, "sms", BA_LAN, "alert", body="Nuoc da rut, ba con ve nha")
    transport = TwilioSMS(app.config)
    assert sender.claim(db, db["outbox"].get(row_id), transport.name)       # killed before the request left
    assert worker_step(app.config, db, transport) == "sent"      # looked up (not there), queued again, sent
    assert worker_step(app.config, db, transport) is None
    [message] = fake_twilio.sent_to(BA_LAN)
    assert [method for method, _ in fake_twilio.requests] == ["GET", "POST"]     # the look-up came first
    Webhooks(app.config, client=app.test_client()).post("/sms/status", {"MessageSid": message["sid"],
                                                                         "MessageStatus": "delivered", "To": BA_LAN})
    assert db["outbox"].get(row_id)["state"] == "delivered"
    db.conn.close()
