"""POST /sms/gateway: the Android gateway's signed webhooks — texts in (replies queued), delivery events."""
import json
import time

import pytest

from hotline.domain import outbox, residents
from hotline.core import prompts
from tests.conftest import ANH_MINH, BA_LAN

GATEWAY_TABLES = ("sms_inbox", "outbox", "residents", "sms_delivery_reports")


def counts(db):
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in GATEWAY_TABLES}


def post(client, body, headers):
    return client.post("/sms/gateway", data=body, headers=headers)


def _tamper(body, headers):
    return body.replace(b"HELP", b"STOP"), headers


def _stale(fake):
    return fake.sms_received(BA_LAN, "HELP", timestamp=int(time.time()) - 301)


def _future(fake):
    return fake.sms_received(BA_LAN, "HELP", timestamp=int(time.time()) + 301)


CASES = {
    "valid": (lambda fake: fake.sms_received(BA_LAN, "HELP"), 200),
    "valid, timestamp 4 minutes old": (lambda fake: fake.sms_received(BA_LAN, "HELP",
                                                                      timestamp=int(time.time()) - 240), 200),
    "missing signature": (lambda fake: (lambda b, h: (b, {k: v for k, v in h.items() if k != "X-Signature"}))(
        *fake.sms_received(BA_LAN, "HELP")), 403),
    "missing timestamp": (lambda fake: (lambda b, h: (b, {k: v for k, v in h.items() if k != "X-Timestamp"}))(
        *fake.sms_received(BA_LAN, "HELP")), 403),
    "empty signature": (lambda fake: (lambda b, h: (b, {**h, "X-Signature": ""}))(*fake.sms_received(BA_LAN, "HELP")),
                        403),
    "wrong key": (lambda fake: fake.sms_received(BA_LAN, "HELP", key="not-the-key"), 403),
    "tampered body": (lambda fake: _tamper(*fake.sms_received(BA_LAN, "HELP")), 403),
    "timestamp changed": (lambda fake: (lambda b, h: (b, {**h, "X-Timestamp": str(int(h["X-Timestamp"]) + 1)}))(
        *fake.sms_received(BA_LAN, "HELP")), 403),
    "stale timestamp": (_stale, 403),
    "timestamp from the future": (_future, 403),
    "timestamp not a number": (lambda fake: (lambda b, h: (b, {**h, "X-Timestamp": "yesterday"}))(
        *fake.sms_received(BA_LAN, "HELP")), 403),
    "signature not ascii": (lambda fake: (lambda b, h: (b, {**h, "X-Signature": "é" * 64}))(
        *fake.sms_received(BA_LAN, "HELP")), 403),
    "signature of the body only": (lambda fake: (lambda b, h: (b, {**h, "X-Signature": __import__("hmac").new(
        fake.signing_key.encode(), b, "sha256").hexdigest()}))(*fake.sms_received(BA_LAN, "HELP")), 403),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_gateway_signature_matrix(gateway_client, gateway_db, fake_gateway, case):
    make, expected = CASES[case]
    body, headers = make(fake_gateway)
    before = counts(gateway_db)
    response = post(gateway_client, body, headers)
    assert response.status_code == expected
    if expected == 403:
        assert counts(gateway_db) == before
    else:
        assert counts(gateway_db)["sms_inbox"] == before["sms_inbox"] + 1


def test_a_replayed_request_is_refused_even_inside_the_window(gateway_client, gateway_db, fake_gateway):
    body, headers = fake_gateway.sms_received(ANH_MINH, "DK Minh Yen Nong")
    assert post(gateway_client, body, headers).status_code == 200
    before = counts(gateway_db)
    assert post(gateway_client, body, headers).status_code == 403
    assert counts(gateway_db) == before


def test_without_a_signing_key_every_request_is_refused(settings, fake_gateway):
    from hotline.app import create_app

    client = create_app({**settings, "HOTLINE_GATEWAY_SIGNING_KEY": ""}).test_client()
    assert post(client, *fake_gateway.sms_received(BA_LAN, "HELP")).status_code == 403
    assert post(client, *fake_gateway.sms_received(BA_LAN, "HELP", key="")).status_code == 403


def test_the_gateway_route_is_marked_as_a_gateway_webhook(gateway_app):
    view = gateway_app.view_functions["sms.gateway"]
    assert view.webhook == "gateway"


def test_a_text_through_the_gateway_is_answered_through_the_outbox(gateway_client, gateway_db, fake_gateway):
    response = post(gateway_client, *fake_gateway.sms_received("0987654321", "dang ky Minh Yen Nong"))
    assert response.status_code == 200 and response.get_json()["reply"] == "queued"
    minh = residents.by_phone(gateway_db, ANH_MINH)
    assert minh["name"] == "Minh" and minh["consent_source"] == "sms"
    reply = next(gateway_db.query("SELECT * FROM outbox WHERE to_phone = ?", [ANH_MINH]))
    assert (reply["purpose"], reply["state"], reply["channel"], reply["segments"]) == ("reply", "queued", "sms", 1)
    assert reply["body"] == prompts.sms("sms.register.registered", name="Minh", village="Yên Nông")


def test_the_gateways_retry_of_a_text_has_one_effect(gateway_client, gateway_db, fake_gateway):
    first = fake_gateway.sms_received(BA_LAN, "TU CHOI", message_id="abc123")
    retry = fake_gateway.sms_received(BA_LAN, "TU CHOI", message_id="abc123", timestamp=int(time.time()) + 1)
    assert post(gateway_client, *first).status_code == 200
    again = post(gateway_client, *retry)
    assert again.status_code == 200 and again.get_json()["replayed"] is True
    replies = list(gateway_db.query("SELECT * FROM outbox WHERE to_phone = ? AND purpose = 'reply'", [BA_LAN]))
    assert len(replies) == 1 and replies[0]["body"] == prompts.sms("sms.opt_out.opted_out")
    assert residents.by_phone(gateway_db, BA_LAN)["opted_out_at"]


def test_the_same_text_sent_twice_by_a_resident_is_two_messages(gateway_client, gateway_db, fake_gateway):
    """The app's messageId is derived from the text; the time received tells two sends apart."""
    for received in ("2026-11-25T20:46:11.000+07:00", "2026-11-25T20:49:02.000+07:00"):
        body, headers = fake_gateway.sms_received(ANH_MINH, "HELP", message_id="same-text-id")
        event = json.loads(body)
        event["payload"]["receivedAt"] = received
        body, headers = fake_gateway.signed("sms:received", event["payload"])
        assert post(gateway_client, body, headers).status_code == 200
    assert gateway_db.execute("SELECT COUNT(*) FROM outbox WHERE to_phone = ?", [ANH_MINH]).fetchone()[0] == 2


@pytest.mark.parametrize("events, final", [
    (("sms:sent", "sms:delivered"), "delivered"),
    (("sms:delivered", "sms:sent"), "delivered"),
    (("sms:failed", "sms:sent"), "failed"),
    (("sms:sent",), "sent"),
])
def test_gateway_events_update_the_outbox(gateway_app, gateway_client, gateway_db, fake_gateway, events, final):
    from hotline.sending.android_gateway import GatewaySMS

    row_id = outbox.enqueue(gateway_db, "sms", BA_LAN, "alert", body="Canh bao lu cap 3")
    provider_id = GatewaySMS(gateway_app.config).send_sms(BA_LAN, "Canh bao lu cap 3")
    gateway_db.execute("UPDATE outbox SET state = 'sent', provider_id = ? WHERE id = ?", [provider_id, row_id])
    for event in events:
        response = post(gateway_client, *fake_gateway.status_event(provider_id, event, reason="RESULT_ERROR_NO_SERVICE"))
        assert response.status_code == 200
    row = gateway_db["outbox"].get(row_id)
    assert row["state"] == final
    assert row["error"] == ("RESULT_ERROR_NO_SERVICE" if final == "failed" else None)


@pytest.mark.parametrize("payload, status", [
    (b"not json", 400),
    (b"[]", 400),
    (b'{"event": "sms:received", "payload": {"message": "HELP"}}', 400),
    (b'{"event": "sms:delivered", "payload": {}}', 400),
    (b'{"event": "sms:received", "payload": "HELP"}', 400),
    (b'{"event": {"kind": "sms:received"}, "payload": {}}', 400),
    # Wrong types, lone surrogates and deep nesting: a 400 with the reason, never the 503 the app retries forever.
    (b'{"event": "sms:received", "payload": {"messageId": "m1", "phoneNumber": "+84912100000", "message": ["HELP"]}}',
     400),
    (b'{"event": "sms:received", "payload": {"messageId": "m1", "phoneNumber": {"n": 1}, "message": "HELP"}}', 400),
    (b'{"event": "sms:received", "payload": {"messageId": 7, "phoneNumber": "+84912100000", "message": "HELP"}}', 400),
    (b'{"event": "sms:received", "payload": {"messageId": "m1", "phoneNumber": "+84912100000", "message": "\\ud800"}}',
     400),
    (b'{"event": "sms:received", "payload": {"messageId": "\\udfff", "phoneNumber": "+84912100000", "message": "x"}}',
     400),
    (b'{"event": "sms:received", "payload": {"messageId": "m1", "phoneNumber": "+84912100000", "message": "HELP",'
     b' "receivedAt": ["2026"]}}', 400),
    (b'{"event": "sms:delivered", "payload": {"messageId": ["m1"]}}', 400),
    (b'{"event": "sms:failed", "payload": {"messageId": "m1", "reason": {"code": 1}}}', 400),
    (b'{"event": "\\ud800", "payload": {}}', 400),
    (b'{"event": "sms:received", "payload": ' + b"[" * 10000 + b"]" * 10000 + b"}", 400),
    (b'{"event": "sms:received", "payload": {"messageId": "m1", "phoneNumber": "+84912100000", "message": "HELP"},'
     b' "extra": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400),
    (b'{"event": "system:ping", "payload": {"health": {"status": "pass"}}}', 200),
    (b'{"event": "mms:received", "payload": {"messageId": "m1"}}', 200),
])
def test_a_malformed_or_foreign_event_gets_a_clear_answer(gateway_client, gateway_db, fake_gateway, payload, status):
    from sms.gateway import sign

    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Timestamp": stamp,
               "X-Signature": sign(fake_gateway.signing_key, payload, stamp)}
    before = counts(gateway_db)
    assert post(gateway_client, payload, headers).status_code == status
    assert counts(gateway_db) == before


def test_a_failure_inside_asks_the_gateway_to_retry(gateway_client, gateway_db, fake_gateway, monkeypatch):
    from sms import commands

    monkeypatch.setitem(commands.HANDLERS, "help", lambda ctx, args: 1 / 0)
    response = post(gateway_client, *fake_gateway.sms_received(BA_LAN, "HELP", message_id="m-retry"))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert counts(gateway_db)["sms_inbox"] == 0
    monkeypatch.undo()
    response = post(gateway_client, *fake_gateway.sms_received(BA_LAN, "HELP", message_id="m-retry"))
    assert response.status_code == 200 and counts(gateway_db)["sms_inbox"] == 1


def test_health_reports_a_gateway_that_is_not_set_up(settings):
    from hotline.app import create_app

    app = create_app({**settings, "HOTLINE_SMS_TRANSPORT": "android-gateway"})
    report = app.test_client().get("/health").get_json()["sms"]
    assert report["ok"] is False and report["transport"] == "android-gateway"
    assert set(report["missing"]) == {"HOTLINE_GATEWAY_URL", "HOTLINE_GATEWAY_PASSWORD", "HOTLINE_GATEWAY_SIGNING_KEY"}


def test_health_reports_a_ready_gateway_and_its_last_text(gateway_client, fake_gateway):
    post(gateway_client, *fake_gateway.sms_received(BA_LAN, "HELP"))
    report = gateway_client.get("/health").get_json()["sms"]
    assert report["ok"] is True and report["gateway_last_inbound"]
    assert fake_gateway.password not in json.dumps(report)
