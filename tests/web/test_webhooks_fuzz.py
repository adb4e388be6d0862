"""Fuzzing every Twilio webhook with signed, hostile requests: never a 5xx, always speakable TwiML.

CI runs a short form; `make fuzz` sets HOTLINE_FUZZ_EXAMPLES=10000.
"""
import os
import socket
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st
from twilio.request_validator import RequestValidator

from hotline.app import create_app
from hotline.core import db as storage
from hotline import demo
from tests.conftest import BA_LAN, PUBLIC_URL

# `make test`: 60 signed requests per webhook; `make check` (HOTLINE_FULL=1): 1,000; `make fuzz`: 10,000.
EXAMPLES = int(os.environ.get("HOTLINE_FUZZ_EXAMPLES") or (1000 if os.environ.get("HOTLINE_FULL") == "1" else 60))
pytestmark = pytest.mark.fuzz
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐ "
FIELDS = ["From", "To", "Body", "Digits", "SpeechResult", "RecordingUrl", "RecordingDuration", "RecordingSid",
          "CallSid", "MessageSid", "SmsSid", "AccountSid", "CallStatus", "MessageStatus", "ErrorCode",
          "AnsweredBy", "DialCallStatus", "Confidence", "NumMedia", "CallDuration", "Direction"]

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=VIETNAMESE, max_size=80),
    st.text(alphabet="0123456789*#", max_size=30),
    st.sampled_from(["", " ", "1", "0", "*", "#", "9", "1#", "##", "-1", "NaN", "null", "DK", "HOC AB1", "STOP",
                     BA_LAN, "+84987654321", "0912100000", "+1", "not-a-number", "completed", "busy",
                     "machine_start", "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
                     "http://169.254.169.254/latest/meta-data", "file:///etc/passwd", "\x00", "\ud7ff"]),
    st.builds(lambda c, n: c * n, st.sampled_from(["9", "ả", "A", "🌧"]), st.integers(1600, 20000)),
)
forms = st.dictionaries(st.sampled_from(FIELDS), texts, max_size=8)


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    app = create_app({"TESTING": True, "HOTLINE_DB": str(tmp / "h.db"), "HOTLINE_INSTANCE": str(tmp / "var"),
                      "HOTLINE_PUBLIC_URL": PUBLIC_URL, "HOTLINE_SECRET_KEY": "fuzz-secret-key",
                      "HOTLINE_GATEWAY_SIGNING_KEY": "fuzz-gateway-signing-key",
                      # recordings "downloaded" during fuzzing hit a closed local port, never the network
                      "HOTLINE_TWILIO_API_URL": f"http://127.0.0.1:{_closed_port()}"})
    with app.app_context():
        demo.load(storage.get_db())
    return app


def _routes(app, kind):
    for rule in app.url_map.iter_rules():
        if getattr(app.view_functions[rule.endpoint], "webhook", None) == kind:
            yield rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]


def _speaks_vietnamese(root):
    for node in root.iter():
        if node.tag == "Say" and node.get("language") == "vi-VN" and (node.text or "").strip():
            return True
        if node.tag == "Play" and (node.text or "").strip():
            return True
    return False


def test_every_webhook_is_fuzzed(fuzz_app):
    assert len(list(_routes(fuzz_app, "twilio"))) >= 4


def test_signed_garbage_never_breaks_a_twilio_webhook(fuzz_app):
    """EXAMPLES signed requests for each webhook in the URL map (10,000 each under `make fuzz`)."""
    client = fuzz_app.test_client()
    validator = RequestValidator(fuzz_app.config.auth_token())
    failures = []

    for path in sorted(_routes(fuzz_app, "twilio")):
        @hyp_settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(form=forms, query=st.sampled_from(["", "?attempt=2", "?step=%FF", "?a=x&n=-1"]))
        def check(form, query):
            url = PUBLIC_URL + path + query
            response = client.post(path + query, data=form,
                                   headers={"X-Twilio-Signature": validator.compute_signature(url, form)})
            if response.status_code >= 500:
                failures.append((path, form, response.status_code))
                return
            body = response.get_data(as_text=True)
            if path.startswith("/voice") and response.status_code == 200 and body.strip():
                root = ET.fromstring(body)  # raises on broken XML
                if root.tag != "Response":
                    failures.append((path, form, "not TwiML"))
                elif len(root) and not _speaks_vietnamese(root) and not _only_control(root):
                    failures.append((path, form, "says nothing in Vietnamese"))

        check()
    assert failures[:5] == []


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)
gateway_payloads = st.fixed_dictionaries(
    {"event": st.sampled_from(["sms:received", "sms:sent", "sms:delivered", "sms:failed", "system:ping", "x"]),
     "payload": st.one_of(json_values, st.fixed_dictionaries(
         {"messageId": texts, "message": texts, "phoneNumber": texts},
         optional={"receivedAt": texts, "simNumber": json_values, "reason": texts}))},
    optional={"id": texts, "deviceId": texts, "webhookId": texts})


def test_signed_garbage_never_breaks_the_gateway_webhook(fuzz_app):
    import json
    import time

    from sms.gateway import sign

    client = fuzz_app.test_client()
    key = fuzz_app.config["HOTLINE_GATEWAY_SIGNING_KEY"]
    failures = []

    @hyp_settings(max_examples=EXAMPLES * 2, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(payload=st.one_of(gateway_payloads, json_values), raw=st.one_of(st.none(), st.binary(max_size=200)))
    def check(payload, raw):
        body = raw if raw is not None else json.dumps(payload).encode()
        stamp = str(int(time.time()))
        response = client.post("/sms/gateway", data=body, content_type="application/json",
                               headers={"X-Timestamp": stamp, "X-Signature": sign(key, body, stamp)})
        if response.status_code >= 500:
            failures.append((body[:80], response.status_code))

    for path in _routes(fuzz_app, "gateway"):
        assert path == "/sms/gateway"
    check()
    assert failures[:5] == []


def _only_control(root):
    """Documents that legitimately say nothing: an immediate hang-up, reject or redirect."""
    return all(node.tag in ("Hangup", "Reject", "Redirect", "Pause") for node in root)
