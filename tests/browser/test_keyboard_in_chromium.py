"""With the keyboard alone, on a phone's width with the text at 200%: ông Tư warns Yên Nông, and the menu folds."""
import pytest
from playwright.sync_api import expect

from hotline.core.db import get_db
from hotline.domain import alerts
from tests.conftest import CHAIRMAN_PHONE, ONG_TU, PASSWORD, _official
from tests.browser.conftest import log_in, text_size

pytestmark = pytest.mark.browser
WARNING = "Nuoc song Hong dang len nhanh, ba con ke cao do dac."

ACTIVE = """() => { const el = document.activeElement, r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return {id: el.id, name: el.getAttribute('name'), tag: el.tagName.toLowerCase(), text: el.innerText || '',
          href: el.getAttribute('href') || '', inView: r.top >= 0 && r.bottom <= innerHeight && r.width > 0,
          ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""


def tab_to(page, matches, limit=60):
    """Press Tab until the focus is on what `matches` says; every stop on the way shows where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        here = page.evaluate(ACTIVE)
        assert here["ring"], f"no visible focus on {here}"
        if matches(here):
            return here
    raise AssertionError("never reached with Tab")


def submit(page):
    """Enter on a focused button or link, and wait for the page it brings."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.fixture
def ong_tu_web(server):
    return _official(server, "Nguyễn Văn Tư", "village_head", ONG_TU, "Yen Nong", "2468")


def test_ong_tu_creates_and_publishes_a_warning_with_the_keyboard_alone(page, server, ong_tu_web):
    text_size(page, 200)
    page.goto(server.url + "/admin/login")
    tab_to(page, lambda el: el["name"] == "phone")
    page.keyboard.type("0913 107 919")
    tab_to(page, lambda el: el["name"] == "password")
    page.keyboard.type(PASSWORD)
    submit(page)
    assert page.url.endswith("/admin/")

    # The skip link comes first and takes the focus past the menu.
    skip = tab_to(page, lambda el: True)
    assert skip["href"] == "#main" and skip["inView"]
    page.keyboard.press("Enter")
    tab_to(page, lambda el: el["href"].endswith("/admin/alerts/new"))
    submit(page)
    expect(page.locator("#f-village_ids")).to_be_checked()       # his only village, chosen for him
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "32px"      # still his large text

    # Xem trước with no text: the summary has the focus, its link leads into the field, which says what is wrong.
    tab_to(page, lambda el: el["text"].strip() == "Xem trước")
    submit(page)
    summary = page.evaluate(ACTIVE)
    assert summary["id"] == "error-summary" and summary["inView"]
    link = tab_to(page, lambda el: el["tag"] == "a")
    assert link["href"] == "#f-text" and "Ô này không được để trống." in link["text"]
    page.keyboard.press("Enter")
    field = page.locator("#f-text")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    described = field.get_attribute("aria-describedby").split()
    assert page.locator(f"#{described[0]}").inner_text() == "Ô này không được để trống."
    page.keyboard.type(WARNING)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowDown")                              # the level, from 2 to 3
    assert page.locator("#f-level").input_value() == "3" and page.evaluate(ACTIVE)["id"] == "f-level"

    # Xem trước: the preview's heading has the focus, in view, and its own button saves the draft.
    tab_to(page, lambda el: el["text"].strip() == "Xem trước")
    submit(page)
    heading = page.evaluate(ACTIVE)
    assert heading["id"] == "preview-title" and heading["inView"]
    expect(page.locator("#sms-plain")).to_contain_text("Nuoc song Hong")
    save = tab_to(page, lambda el: el["tag"] == "button", limit=3)
    assert save["id"] == "preview-save"
    submit(page)

    tab_to(page, lambda el: el["id"] == "publish")
    submit(page)
    expect(page.locator("#confirm-audience")).to_have_text("Yên Nông")
    tab_to(page, lambda el: el["id"] == "confirm-send")
    submit(page)
    expect(page.locator("#alert-status")).to_have_text("Đang phát")
    alert_id = int(page.url.rsplit("/", 1)[1])
    with server.app_context():
        alert = alerts.get(get_db(), alert_id)
    assert (alert["status"], alert["level"], alert["text"]) == ("published", 3, WARNING)


def test_the_menu_folds_on_a_phone_and_marks_the_page_it_is_on(page, server):
    _official(server, "Lê Quang Thắng", "commune_chairman", CHAIRMAN_PHONE, None, "1357")
    log_in(page, server.url, CHAIRMAN_PHONE)
    page.goto(server.url + "/admin/residents")
    toggle, menu = page.locator("#menu-toggle"), page.locator("#menu")
    expect(menu).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    here = menu.locator("a[aria-current=page]")
    expect(here).to_have_text("Người dân")
    expect(menu.locator("a[aria-current]")).to_have_count(1)
    other = menu.locator("a", has_text="Lớp học")
    colours = [el.evaluate("el => getComputedStyle(el).backgroundColor") for el in (here, other)]
    assert colours[0] != colours[1]                                  # seen, not only announced
    page.goto(server.url + "/admin/residents/1")
    toggle.click()
    expect(menu.locator("a[aria-current=true]")).to_have_text("Người dân")   # a page inside the section

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(toggle).to_be_hidden()
    expect(menu).to_be_visible()
    text_size(page, 200)                        # the same screen with large text folds the menu again
    expect(toggle).to_be_visible()
