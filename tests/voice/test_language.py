"""Every <Say> on every voice route is in Vietnamese (language="vi-VN"): an English voice would read it otherwise."""
import xml.etree.ElementTree as ET

import pytest

from hotline.sim.phone import Webhooks
from tests.conftest import ANH_MINH, BA_LAN
from tests.voice.conftest import add_alert

# Each route with the query/form variations that make it say something different.
VARIANTS = [{}, {"ev": "key", "Digits": "1"}, {"ev": "key", "Digits": "2"}, {"ev": "key", "Digits": "3"},
            {"ev": "key", "Digits": "9"}, {"ev": "key", "Digits": "*"}, {"ev": "silence", "n": "1"},
            {"ev": "silence", "n": "2"}, {"ev": "silence", "n": "5"}, {"ev": "speech", "RecordingUrl": "x"},
            {"DialCallStatus": "no-answer"}, {"DialCallStatus": "completed"}, {"v": "1"}, {"step": "3"},
            {"code": "nope"}, {"RecordingUrl": "https://api.twilio.com/x", "RecordingSid": "RE1"}]


def voice_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/voice") and rule.rule != "/voice/status":
            yield rule.rule.replace("<guide>", "vneid").replace("<path:rest>", "x")


@pytest.mark.parametrize("phone", [BA_LAN, ANH_MINH])
def test_every_say_on_every_voice_route_is_vietnamese(make_app, phone):
    app = make_app(HOTLINE_ASR="script", HOTLINE_OFFICE_HOURS="Mon-Sun 00:00-23:59",
                   HOTLINE_DUTY_NUMBERS="+84912345001")
    add_alert(app, "Cảnh báo lũ.", None)
    hooks = Webhooks(app.config, client=app.test_client())
    checked = 0
    for path in voice_routes(app):
        if "<" in path:
            continue
        for variant in VARIANTS:
            query = {k: v for k, v in variant.items() if k in ("ev", "n", "v", "step", "code")}
            form = {k: v for k, v in variant.items() if k not in query}
            url = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
            status, body = hooks.post(url, {"CallSid": "CA1", "From": phone, "To": "+84240000000", **form})
            assert status in (200, 204), (url, status)
            if not body.strip():
                continue
            for say in ET.fromstring(body).iter("Say"):
                assert say.get("language") == "vi-VN", (url, say.text)
                checked += 1
    assert checked > 200
