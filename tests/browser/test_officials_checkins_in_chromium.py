"""In headless Chromium at a phone's width: the chairman adds an official, and starts a check-in after a warning."""
import re

import pytest
from playwright.sync_api import expect

from hotline.domain import alerts, places
from hotline.core.db import get_db
from hotline.core.phones import mask
from tests.browser.conftest import go_by_menu
from tests.conftest import ANH_MINH, OPERATOR

pytestmark = pytest.mark.browser


def _fits_a_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_chairman_adds_an_official_and_sees_the_pin_once(page, server, chairman_login):
    chairman_login(page)
    go_by_menu(page, "Cán bộ")
    expect(page.locator("#officials")).to_contain_text("Trưởng thôn")
    _fits_a_phone(page)
    page.click("text=Thêm cán bộ")
    page.fill("input[name=name]", "Trần Minh")
    page.select_option("select[name=role]", "village_head")
    page.fill("input[name=phone]", "0987 654 321")
    page.check("text=Bến Đò")
    page.click("#official-form button[type=submit]")
    expect(page.locator("#the-pin")).to_have_text(re.compile(r"^\d{6}$"))
    _fits_a_phone(page)
    page.click("text=Về danh sách cán bộ")
    expect(page.locator("#officials")).to_contain_text(mask(ANH_MINH))
    expect(page.locator("#officials")).not_to_contain_text(ANH_MINH)


def test_a_check_in_is_previewed_confirmed_and_its_results_shown(page, server, chairman_login):
    with server.app_context():
        db = get_db()
        yen_nong = places.find_village(db, "Yen Nong")["id"]
        alert_id = alerts.create(db, "flood", 3, "Nuoc len", [yen_nong], actor=OPERATOR)
        alerts.publish(db, server.config, alert_id, actor=OPERATOR)
    chairman_login(page)
    page.goto(f"{server.url}/admin/alerts/{alert_id}")
    expect(page.locator("#checkin-form input[value='%s']" % yen_nong)).to_be_checked()
    page.click("#checkin-form button[value=preview]")
    expect(page.locator("#sms-plain")).to_contain_text("tra loi 1")
    page.once("dialog", lambda dialog: dialog.accept())   # the "send now?" question
    page.click("#checkin-confirm button[value=start]")
    expect(page.locator(".notice")).to_contain_text("Đã bắt đầu hỏi thăm")
    expect(page.locator("table.checkin-results")).to_contain_text("Yên Nông")
    expect(page.locator("#checkin-confirm")).to_have_count(0)
    _fits_a_phone(page)
