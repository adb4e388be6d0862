"""The browser simulator: step-wise calls and SMS through the same signed webhooks as Twilio."""
import json

import pytest

from hotline.core import prompts
from hotline.sim.phone import Call, Webhooks
from tests.conftest import BA_LAN, Browser
from tests.sim.test_simulators import twiml_app  # noqa: F401  (fixture)


def _script(*answers):
    queue = list(answers)
    return lambda kind, attrs: queue.pop(0)


def test_step_mode_walks_the_same_road_as_run(twiml_app):  # noqa: F811
    app, seen = twiml_app
    hooks = Webhooks(app.config, app.test_client())
    whole = Call(hooks, BA_LAN, _script("1", "", "n")).run("/start")
    road = [p for p, _ in seen]
    seen.clear()

    call = Call(hooks, BA_LAN, None)
    state = call.begin("/start")
    asked = []
    for answer in ("1", "", "n"):
        state = json.loads(json.dumps(state))   # kept between requests as JSON
        asked.append(state["kind"])
        call = Call(hooks, BA_LAN, None)
        call.events = call.events if not asked[:-1] else []
        state = call.resume(state, answer)
        if state is None:
            break
    assert asked == ["gather", "record", "dial"]
    assert [p for p, _ in seen] == road
    assert [e.text for e in whole if e.kind == "say"][-1] == "Tam biet"


def test_a_paused_prompt_is_not_heard_twice(twiml_app):  # noqa: F811
    app, _ = twiml_app
    hooks = Webhooks(app.config, app.test_client())
    first = Call(hooks, BA_LAN, None)
    state = first.begin("/start")
    assert [e.text for e in first.events] == ["Chon"]
    second = Call(hooks, BA_LAN, None)
    second.resume(state, "")   # silence: falls through to the next verb, the prompt is not replayed
    assert [e.text for e in second.events][:1] == ["Khong nghe thay"]


@pytest.fixture
def demo_client(settings):
    from hotline.app import create_app
    from hotline import demo
    from hotline.core.db import get_db

    app = create_app({**settings, "HOTLINE_DEMO": "1"})
    with app.app_context():
        demo.load(get_db())
    web = Browser(app.test_client())
    web.get("/simulator")
    return web


def test_a_call_from_the_browser_goes_through_the_signed_webhooks(demo_client):
    started = demo_client.post("/simulator/call", {"caller": "0912 100 000"}, headers={"X-CSRF-Token": "x"})
    body = started.get_json()
    assert started.status_code == 200
    assert body["events"] and all(e["kind"] != "error" for e in body["events"])
    assert body["waiting"] and body["waiting"]["kind"] in ("gather", "record")
    assert any(e["kind"] in ("say", "play") for e in body["events"])
    for e in body["events"]:
        if e["kind"] == "play":
            assert e["url"].startswith("/")   # served from wherever the browser is
    pressed = demo_client.post(f"/simulator/call/{body['call_sid']}/input", {"input": "*"}).get_json()
    assert pressed["events"]
    ended = demo_client.post(f"/simulator/call/{body['call_sid']}/hangup").get_json()
    assert ended["waiting"] is None and ended["events"][-1]["kind"] == "hangup"
    assert demo_client.post(f"/simulator/call/{body['call_sid']}/input", {"input": "1"}).status_code == 404


def test_a_paused_call_belongs_to_the_browser_that_placed_it(demo_client, settings):
    sid = demo_client.post("/simulator/call", {"caller": BA_LAN}).get_json()["call_sid"]
    other = Browser(demo_client.client.application.test_client())
    other.get("/simulator")
    assert other.post(f"/simulator/call/{sid}/input", {"input": "1"}).status_code == 404


def test_a_bad_number_is_refused_with_its_reason(demo_client):
    response = demo_client.post("/simulator/call", {"caller": "12"})
    assert response.status_code == 422 and response.get_json()["error"] == "too_short"
    assert response.get_json()["message"] == prompts.say("admin.errors.phone_too_short")   # shown on the page


def test_the_sms_panel_sends_a_signed_sms_and_shows_the_replies(demo_client):
    sent = demo_client.post("/simulator/sms", {"phone": BA_LAN, "body": "HELP"}).get_json()
    assert sent["status"] == 200
    assert sent["replies"] or sent["outbox"]
    assert "outbox" in demo_client.get(f"/simulator/sms?phone={BA_LAN}").get_json()
    assert demo_client.post("/simulator/sms", {"phone": BA_LAN, "body": " "}).status_code == 422


def test_played_prompts_are_fetched_from_wherever_the_browser_is(app):
    from hotline.sim.browser import _event
    from hotline.sim.phone import Event

    with app.test_request_context("/simulator/call"):
        played = _event(Event("play", "https://hotline.example.vn/audio/3f2a.wav"))
        elsewhere = _event(Event("play", "https://cdn.example.org/x.wav"))
        said = _event(Event("say", "Mời bác chọn."))
    assert played == {"kind": "play", "url": "/audio/3f2a.wav", "text": ""}
    assert elsewhere["url"] == "https://cdn.example.org/x.wav"
    assert said == {"kind": "say", "text": "Mời bác chọn."}


def test_a_voicemail_left_in_the_browser_is_stored_by_the_worker_even_after_a_restart(settings, monkeypatch):
    """The page's recordings outlive the server process that made them: the worker (HOTLINE_ASR=auto, as
    `make run` starts it) finds bà Lan's message by its RecordingSid."""
    from hotline.core import clock
    from hotline.app import create_app
    from hotline import demo
    from hotline.domain import voicemail
    from hotline.core.db import connect, get_db
    from hotline.sending import voicemail_fetch

    app = create_app({**settings, "HOTLINE_DEMO": "1", "HOTLINE_ASR": "script", "HOTLINE_OFFICE_HOURS": "Mon 00:00-00:00"})
    with app.app_context():
        demo.load(get_db())
    monkeypatch.setattr("voice.operator.fetch_later", lambda *a: None)    # the server stopped before the download
    web = Browser(app.test_client())
    web.get("/simulator")
    sid = web.post("/simulator/call", {"caller": BA_LAN}).get_json()["call_sid"]
    assert web.post(f"/simulator/call/{sid}/input", {"input": "0"}).get_json()["waiting"]["kind"] == "record"
    saved = web.post(f"/simulator/call/{sid}/input", {"input": "xin gọi lại cho tôi"}).get_json()
    assert any("đã ghi lời nhắn" in e["text"] for e in saved["events"])
    store = app.extensions.pop("admin.recordings")                        # the page's store is gone too
    store.server.shutdown()
    store.server.server_close()

    config = create_app({**settings}).config                              # the worker's: HOTLINE_ASR=auto
    db = connect(config["HOTLINE_DB"])
    try:
        [row] = voicemail.listing(db)
        voicemail_fetch.retry_job(db, config, clock.shift(row["created_at"], minutes=2))
        [row] = voicemail.listing(db)
    finally:
        db.conn.close()
    assert (row["fetch"], row["fetch_error"]) == ("stored", None)
