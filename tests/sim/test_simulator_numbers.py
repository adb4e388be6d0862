"""Outside demo mode the browser simulator acts only as the commune's reserved test numbers, and says who did."""
import logging

import pytest

from hotline.core import prompts
from hotline.core.db import get_db
from hotline.sim.phone import Webhooks
from tests.conftest import BA_LAN, CHAIRMAN_PHONE, CHI_HOA, Browser

TEST_SIM = "+84912999001"


@pytest.fixture
def app(make_app):
    """A real install: no HOTLINE_DEMO; one test SIM, and the chairman's number listed by mistake."""
    return make_app(HOTLINE_SIMULATOR_NUMBERS=f"0912 999 001, {CHAIRMAN_PHONE}, not-a-number")


@pytest.fixture
def sent(monkeypatch):
    """Every webhook the simulator posts (still signed and sent for real)."""
    posted, post = [], Webhooks.post

    def spy(self, url, params):
        posted.append((url, params.get("From")))
        return post(self, url, params)

    monkeypatch.setattr(Webhooks, "post", spy)
    return posted


@pytest.fixture
def tu(app, ong_tu):  # noqa: F811
    web = Browser(app.test_client())
    web.login()
    web.get("/simulator")
    return web


def _counts(app):
    with app.app_context():
        db = get_db()
        return {t: db[t].count for t in db.table_names()}


@pytest.mark.parametrize("number, reason", [(BA_LAN, "not_a_test_number"), (CHI_HOA, "not_a_test_number"),
                                            ("0913 107 919", "not_a_test_number"), (CHAIRMAN_PHONE, "official_number")])
def test_a_village_head_cannot_call_or_text_as_a_resident_or_an_official(app, tu, chairman, sent, number,  # noqa: F811
                                                                          reason):
    before = _counts(app)
    for path, form in (("/simulator/call", {"caller": number}), ("/simulator/sms", {"phone": number, "body": "1"})):
        response = tu.post(path, form, headers={"X-CSRF-Token": tu.token})
        assert response.status_code == 403, path
        assert response.get_json() == {"error": reason, "message": prompts.say(f"admin.simulator.{reason}")}
    assert tu.client.get(f"/simulator/sms?phone={number}").status_code == 403   # nor read what was sent to it
    assert sent == [] and _counts(app) == before


def test_a_reserved_test_number_calls_and_texts_and_each_use_is_recorded(app, tu, ong_tu, sent, caplog):  # noqa: F811
    caplog.set_level(logging.INFO, "hotline.sim.numbers")
    call = tu.post("/simulator/call", {"caller": "0912999001"}, headers={"X-CSRF-Token": tu.token})
    assert call.status_code == 200 and call.get_json()["waiting"]
    text = tu.post("/simulator/sms", {"phone": TEST_SIM, "body": "HELP"}, headers={"X-CSRF-Token": tu.token})
    assert text.status_code == 200 and text.get_json()["status"] == 200
    assert {frm for _, frm in sent} == {TEST_SIM}
    with app.app_context():
        uses = [dict(r) for r in get_db().query("SELECT official_id, phone, action FROM simulator_uses ORDER BY id")]
    assert uses == [{"official_id": ong_tu, "phone": TEST_SIM, "action": "call"},
                    {"official_id": ong_tu, "phone": TEST_SIM, "action": "sms"}]
    lines = [r.getMessage() for r in caplog.records if "simulator:" in r.getMessage()]
    assert len(lines) == 2 and TEST_SIM not in " ".join(lines) and "+8491****001" in lines[0]


def test_the_page_offers_only_the_test_numbers_outside_demo_mode(tu):
    page = tu.client.get("/simulator").get_data(as_text=True)
    assert TEST_SIM in page and BA_LAN not in page and "Nguyễn Thị Lan" not in page
    assert prompts.say("admin.simulator.test_numbers_only") in page


def test_without_test_numbers_the_page_says_how_to_get_one(make_app, ong_tu):  # noqa: F811
    web = Browser(make_app().test_client())
    web.login()
    page = web.get("/simulator").get_data(as_text=True)
    assert prompts.say("admin.simulator.no_test_numbers") in page
    assert web.post("/simulator/call", {"caller": BA_LAN}, headers={"X-CSRF-Token": web.token}).status_code == 403


def test_demo_mode_on_this_machine_still_opens_any_number(make_app, sent):
    web = Browser(make_app(HOTLINE_DEMO="1").test_client())
    web.get("/simulator")
    assert web.post("/simulator/call", {"caller": BA_LAN}, headers={"X-CSRF-Token": web.token}).status_code == 200
    assert sent and sent[0][1] == BA_LAN
