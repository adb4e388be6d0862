"""End to end in a real headless Chromium: log in, warn, watch the counter move, coverage, the simulator phone."""
import re

import pytest
from playwright.sync_api import expect

from hotline.domain import alerts, places
from hotline.core import prompts
from hotline.core.db import get_db
from tests.browser.conftest import TEST_SIM, go_by_menu
from tests.conftest import OPERATOR

pytestmark = pytest.mark.browser
WARNING = "Nuoc song Hong dang len nhanh, ba con ke cao do dac, di chuyen den nha van hoa."


def test_it_publishes_an_alert_and_the_counter_moves_without_reloading(page, server, chairman_login, outbox_worker):
    chairman_login(page)
    page.click("text=Tạo cảnh báo")
    page.select_option("select[name=level]", "3")
    page.fill("textarea[name=text]", WARNING)
    page.check("text=Yên Nông")
    page.click("button[value=preview]")
    expect(page.locator("#sms-plain")).to_contain_text("Nuoc song Hong dang len nhanh")
    expect(page.locator("#preview")).to_contain_text("phần tin")
    page.click("button[value=save]")
    page.click("#publish")
    # Nothing has gone yet: the confirmation shows level, audience, reach and cost, and waits for a second click.
    expect(page.locator("#confirm-level")).to_contain_text("3")
    expect(page.locator("#confirm-audience")).to_have_text("Yên Nông")
    expect(page.locator("#confirm-cost")).to_contain_text("phần tin nhắn")
    expect(page.locator("#confirm-eta")).to_contain_text("phút")
    assert int(re.search(r"\d+", page.locator("#confirm-recipients").inner_text()).group()) > 0
    with server.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    page.click("#confirm-send")
    expect(page.locator("#alert-status")).to_have_text("Đang phát")
    expect(page.locator("#trail")).to_contain_text("phát cảnh báo")
    done = page.locator("[data-count=done]").first
    total = int(page.locator("[data-count=total]").first.inner_text())
    assert total > 0 and done.inner_text() == "0"
    page.evaluate("window.sameDocument = true")
    outbox_worker()
    page.wait_for_function("() => Number(document.querySelector('[data-count=done]').textContent) > 0",
                           timeout=10_000)
    page.wait_for_function(f"() => Number(document.querySelector('[data-count=sent]').textContent) == {total}",
                           timeout=15_000)
    assert page.evaluate("window.sameDocument") is True   # the numbers moved without a reload


def test_the_coverage_page_draws_its_charts(page, server, chairman_login):
    chairman_login(page)
    go_by_menu(page, "Độ phủ")
    chart = page.locator("#chart-associations")
    expect(chart).to_be_visible()
    assert chart.locator("rect.enrolled").count() == 3 and chart.locator("rect.attended").count() == 3
    expect(page.locator("#chart-villages g[data-label='Yên Nông']")).to_have_count(1)
    expect(page.locator("#reach")).to_contain_text("Người cao tuổi")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390   # fits a phone: nothing to scroll sideways


def test_the_simulator_keypad_reaches_the_warning(page, server, chairman_login):
    with server.app_context():
        db = get_db()
        yen_nong = places.find_village(db, "Yen Nong")["id"]
        alerts.publish(db, server.config, alerts.create(db, "flood", 3, WARNING, [yen_nong], actor=OPERATOR),
                       actor=OPERATOR)
    chairman_login(page)
    page.goto(server.url + "/simulator")
    page.fill("#caller", TEST_SIM)        # the test SIM is no resident, so the hotline asks for the village
    page.click("#call")
    screen = page.locator("#screen")
    expect(screen).to_contain_text("bấm 1", timeout=5_000)
    page.click("#keypad button[data-key='1']")
    expect(screen).to_contain_text("Yên Nông", timeout=5_000)
    page.click("#keypad button[data-key='1']")
    expect(screen).to_contain_text(WARNING, timeout=5_000)
    page.click("#hangup")
    expect(screen).to_contain_text("Cuộc gọi đã kết thúc.")


def test_words_typed_as_speech_reach_the_warning_too(page, server, chairman_login):
    """HOTLINE_ASR=script: the words travel in a recording the app downloads and recognises."""
    with server.app_context():
        db = get_db()
        yen_nong = places.find_village(db, "Yen Nong")["id"]
        alerts.publish(db, server.config, alerts.create(db, "flood", 3, WARNING, [yen_nong], actor=OPERATOR),
                       actor=OPERATOR)
    chairman_login(page)
    page.goto(server.url + "/simulator")
    page.fill("#caller", TEST_SIM)
    page.click("#call")
    screen = page.locator("#screen")
    expect(screen).to_contain_text("bấm 1", timeout=5_000)
    page.fill("#words", "cảnh báo")
    page.click("#say")
    expect(screen).to_contain_text("Yên Nông", timeout=8_000)
    page.fill("#words", "Yên Nông")
    page.click("#say")
    expect(screen).to_contain_text(WARNING, timeout=8_000)


def test_the_sms_panel_shows_the_conversation(page, server, chairman_login):
    chairman_login(page)
    page.goto(server.url + "/simulator")
    page.fill("#caller", "0912100000")   # bà Lan's number: never outside demo mode
    page.fill("#sms-body", "HELP")
    page.click("#sms-send")
    expect(page.locator("#bubbles .out").first).to_have_text(prompts.say("admin.simulator.not_a_test_number"))
    page.reload()
    page.fill("#caller", TEST_SIM)
    page.fill("#sms-body", "HELP")
    page.click("#sms-send")
    expect(page.locator("#bubbles .in")).to_have_text("HELP")
    expect(page.locator("#bubbles .out").first).to_be_visible(timeout=5_000)
    assert re.search(r"[A-Z]{2}", page.locator("#bubbles .out").first.inner_text())


# Letters with two marks. With the precomposed glyph the tone sits above the letter, inside its advance; a font
# without it (DejaVu Sans Mono lacks ắ, ỗ, ể …) has Chromium draw the letter and set the tone mark after it.
STACKED = {"ệ": "ê", "ữ": "ư", "ắ": "ă", "ở": "ơ", "ợ": "ơ", "ỗ": "ô", "ử": "ư", "ẫ": "â", "ồ": "ô", "ể": "ê",
           "ấ": "â", "ặ": "ă", "ự": "ư", "ờ": "ơ"}


def test_the_sms_preview_draws_vietnamese_tone_marks_above_the_letter_not_after_it(page, server, chairman_login):
    chairman_login(page)
    page.goto(server.url + "/admin/alerts/new")
    page.fill("textarea[name=text]", "Cảnh báo lũ ở Yên Nông, sơ tán ngay. Nước lũ đã vượt mức báo động.")
    page.check("text=Yên Nông")
    page.click("button[value=preview]")
    expect(page.locator("#sms-accented")).to_contain_text("Cảnh báo lũ ở Yên Nông")
    # Each letter drawn in the box's own font: how far its ink reaches right, against its advance and its base's ink.
    drawn = page.evaluate("""pairs => {
        const style = getComputedStyle(document.querySelector('#sms-accented'));
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        return pairs.map(([letter, base]) => {
            const m = ctx.measureText(letter), b = ctx.measureText(base);
            return [letter, m.actualBoundingBoxRight, Math.max(m.width, b.actualBoundingBoxRight)];
        });
    }""", list(STACKED.items()))
    beside = [letter for letter, ink, room in drawn if ink > room + 1]
    assert beside == [], f"tone marks set after their letter in the preview box: {beside}"
