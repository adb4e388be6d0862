"""A fault behind a voice webhook still answers the caller in Vietnamese, never with a 500."""
import xml.etree.ElementTree as ET

import pytest

from hotline.core import prompts
from hotline.sim.phone import Webhooks
from tests.conftest import BA_LAN


def _broken(*args, **kwargs):
    raise RuntimeError("disk full")


@pytest.mark.parametrize("url, target", [
    ("/voice/guides", "voice.guides.list_menu"),          # a resident's menu
    ("/voice/alert/1", "hotline.domain.alerts.get"),              # an alert call-out
])
def test_it_apologises_in_vietnamese_when_a_route_fails(make_app, monkeypatch, url, target):
    app = make_app()
    monkeypatch.setattr(target, _broken)
    status, body = Webhooks(app.config, client=app.test_client()).post(url, {"CallSid": "CA1", "From": BA_LAN})
    assert status == 200
    [say] = ET.fromstring(body).iter("Say")
    assert say.text == prompts.say("core.voice.sorry") and say.get("language") == "vi-VN"
