"""The voice channel's edge: each webhook parsed once into a CallInput, and a key that moves the caller on answered
by the next route in the same response."""
import ast
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from hotline.core import prompts
from hotline.sim.phone import Webhooks
from hotline.web.webhooks import xml
from tests.conftest import ANH_MINH, BA_LAN
from voice import steps
from voice.webhook import Recorded, from_twilio

VOICE = Path(__file__).resolve().parents[2] / "voice"
SID = "CA" + "1" * 32
RECORDING = "RE" + "2" * 32


def reads_flask_request(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "flask" and any(a.name == "request" for a in node.names):
            return True
        if isinstance(node, ast.Attribute) and node.attr == "request" and getattr(node.value, "id", "") == "flask":
            return True
    return False


def test_only_the_edge_reads_flasks_request():
    readers = sorted(p.name for p in VOICE.glob("*.py") if reads_flask_request(p))
    assert readers == ["webhook.py"]


@pytest.mark.parametrize("form, caller, outbound", [
    ({"From": BA_LAN, "To": "+84240000000"}, BA_LAN, False),
    ({"From": "0912100000", "To": "+84240000000"}, BA_LAN, False),          # stored as E.164, looked up as such
    ({"From": "+84240000000", "To": BA_LAN, "Direction": "outbound-api"}, BA_LAN, True),   # we called her
    ({"From": "anonymous", "To": "+84240000000"}, None, False),              # withheld: Twilio's words for it
    ({"From": "+266696687", "To": "+84240000000"}, None, False),
    ({}, None, False),
])
def test_the_caller_is_the_resident_on_the_line_in_e164_or_none(form, caller, outbound):
    call = from_twilio({}, {"CallSid": SID, **form})
    assert (call.call_sid, call.caller, call.outbound) == (SID, caller, outbound)


def test_keys_a_recording_and_our_own_query_are_parsed_once():
    call = from_twilio({"ev": "speech", "n": "2"}, {
        "CallSid": SID, "From": ANH_MINH, "Digits": "hangup", "RecordingSid": RECORDING,
        "RecordingUrl": f"https://api.twilio.com/x/{RECORDING}", "RecordingDuration": "3"})
    assert call.digits is None                       # the caller hung up: no key ended the recording
    assert call.recording == Recorded(RECORDING, f"https://api.twilio.com/x/{RECORDING}", 3)
    assert (call.event, call.number("n"), call.number("missing"), call.arg("missing", "x")) == ("speech", 2, 0, "x")
    assert from_twilio({"n": "-4"}, {"Digits": "7", "RecordingDuration": "lots"}).number("n") == 0
    assert from_twilio({}, {"Digits": "7"}).digits == "7"


def test_the_same_call_at_another_route_has_nothing_pressed():
    call = from_twilio({"ev": "key", "n": "1"}, {"CallSid": SID, "From": BA_LAN, "Digits": "3"})
    moved = call.at("/voice/lessons/detail?code=VN2&r=")
    assert (dict(moved.query), moved.digits, moved.event) == ({"code": "VN2", "r": ""}, None, None)
    assert (moved.call_sid, moved.caller, moved.hops) == (SID, BA_LAN, 1)


def _post(app, url, **form):
    status, body = Webhooks(app.config, client=app.test_client()).post(url, {"CallSid": SID, "From": BA_LAN, **form})
    assert status == 200, body
    return body


def test_a_choice_is_answered_with_the_next_menu_itself_not_a_redirect_to_it(keypad_app):
    chosen = _post(keypad_app, "/voice/menu/main?ev=key&n=0", Digits="2")
    assert chosen == _post(keypad_app, "/voice/guides")          # the very document a redirect would have fetched
    assert ET.fromstring(chosen).find("Gather").get("action") == "/voice/guides?ev=key&n=0"


def test_words_before_the_next_menu_are_said_in_full_outside_its_gather(keypad_app):
    """anh Minh says no to registering: he hears why, uncut by a key, then the main menu in the same response."""
    root = ET.fromstring(_post(keypad_app, "/voice/warnings/village?v=1&ev=key&n=0", From=ANH_MINH, Digits="2"))
    assert [el.tag for el in root][:2] == ["Say", "Gather"]
    assert root[0].text == prompts.say("voice.warnings.not_registered")
    assert root.find("Gather").get("action") == "/voice/menu/main?ev=key&n=0"


@pytest.mark.parametrize("url, hops", [
    ("/voice/guides", steps.MAX_HOPS),          # a chain of steps that never ends (a bug) stops here
    ("/voice/nowhere", 0),                      # not a route of ours
    ("/audio/0123456789abcdef0123456789abcdef.mp3", 0),     # a route, but not a call's step
])
def test_a_step_that_cannot_be_answered_here_is_left_to_a_redirect(keypad_app, url, hops):
    call = replace(from_twilio({}, {"CallSid": SID, "From": BA_LAN}), hops=hops)
    with keypad_app.test_request_context():
        root = ET.fromstring(xml(steps.go(call, url)))
    assert [(el.tag, el.text) for el in root] == [("Redirect", url)]
