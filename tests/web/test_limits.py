"""Request bodies are capped before they are read: 413, never a parse of whatever a sender posts."""
import io
import json
import time
import xml.etree.ElementTree as ET

import pytest

from hotline.web import limits
from hotline.core.db import get_db
from sms.gateway import sign
from tests.conftest import ANH_MINH, BA_LAN, ONG_TU, Browser, _official

GATEWAY_KEY = "gateway-signing-key-0123456789"


@pytest.fixture
def app(make_app):
    return make_app(HOTLINE_ASR="off", HOTLINE_GATEWAY_SIGNING_KEY=GATEWAY_KEY)


def count(app, table):
    with app.app_context():
        return get_db()[table].count


def sms(hooks, phone, body):
    return hooks.post("/sms/incoming", {"From": phone, "To": "+84240000000", "Body": body,
                                        "MessageSid": "SM" + "2" * 32})


def test_the_longest_sms_twilio_can_send_is_still_read_and_answered(app, hooks):
    # 1,600 four-byte characters: the largest Body Twilio posts (each one 12 bytes once percent-encoded).
    status, body = sms(hooks, BA_LAN, "🌧" * 1600)
    assert status == 200 and ET.fromstring(body).tag == "Response"
    assert count(app, "sms_inbox") == 1


def test_a_voice_webhook_over_its_cap_is_refused_unread_and_changes_nothing(app, hooks):
    before = count(app, "calls")
    status, _ = hooks.post("/voice/incoming", {"From": BA_LAN, "CallSid": "CA" + "1" * 32,
                                               "Digits": "1" * limits.VOICE_BYTES})
    assert status == 413
    assert count(app, "calls") == before


def test_an_sms_webhook_over_its_cap_is_refused(app, hooks):
    status, _ = sms(hooks, ANH_MINH, "a" * limits.SMS_BYTES)
    assert status == 413
    assert count(app, "sms_inbox") == 0


def test_a_signed_gateway_event_over_its_cap_is_refused(app, client):
    body = json.dumps({"event": "sms:received", "payload": {
        "messageId": "m1", "phoneNumber": BA_LAN, "message": "x" * limits.SMS_BYTES}}).encode()
    stamp = str(int(time.time()))
    response = client.post("/sms/gateway", data=body, content_type="application/json",
                           headers={"X-Timestamp": stamp, "X-Signature": sign(GATEWAY_KEY, body, stamp)})
    assert response.status_code == 413
    assert count(app, "sms_inbox") == 0


def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read(app, client):
    class Unreadable(io.RawIOBase):
        def read(self, *_):
            raise AssertionError("the body was read")

    response = client.post("/voice/incoming", content_type="application/x-www-form-urlencoded",
                           headers={"X-Twilio-Signature": "x"},
                           environ_overrides={"wsgi.input": Unreadable(), "CONTENT_LENGTH": str(300 * 1024 * 1024)})
    assert response.status_code == 413


@pytest.fixture
def tu(app, client):
    _official(app, "Nguyễn Văn Tư", "village_head", ONG_TU, "Yen Nong", "2468")
    browser = Browser(client)
    browser.login()
    return browser


def upload(browser, csv: bytes):
    """The multipart body a browser sends (built here: the test client would spool a large one to a file it
    never closes)."""
    body = (f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{browser.token}\r\n'
            '--b\r\nContent-Disposition: form-data; name="file"; filename="so-ho.csv"\r\n'
            'Content-Type: text/csv\r\n\r\n').encode() + csv + b"\r\n--b--\r\n"
    return browser.client.post("/admin/residents/import", data=body, content_type="multipart/form-data; boundary=b")


def test_a_residents_file_over_the_upload_limit_is_refused_in_vietnamese(app, tu):
    before = count(app, "residents")
    csv = b"phone,name\n" + b"0912555001,Ba\n" * (limits.UPLOAD_BYTES // 14 + 1)
    response = upload(tu, csv)
    assert response.status_code == 413
    assert f"tối đa {limits.UPLOAD_BYTES // (1024 * 1024)} MB" in response.get_data(as_text=True)
    assert count(app, "residents") == before


def test_a_residents_file_under_the_upload_limit_is_imported(app, tu):
    rows = "".join(f"09125{n:05d},Người {n},Yên Nông\n" for n in range(3000))
    csv = ("phone,name,village\n" + rows).encode()
    assert limits.FORM_BYTES < len(csv) < limits.UPLOAD_BYTES
    response = upload(tu, csv)
    assert response.status_code == 200
    assert "Thêm mới 3000 người" in response.get_data(as_text=True)


def test_an_admin_form_over_its_cap_is_refused(app, tu):
    response = tu.post("/admin/residents/new", {"phone": "0912555001", "name": "x" * limits.FORM_BYTES})
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)
