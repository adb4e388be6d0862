"""Every admin page, as the commune chairman and as ông Tư (village head of Yên Nông), checked in Chromium.

On each page: axe-core's WCAG 2.x A and AA rules at 1280 px and at 390 px; at 390 px, with normal text and with the
browser's text size at 200% (conftest.text_size), and at 320 px, nothing off the screen's edges, every table cell in
sight with its column's name, and the menu folded to a few lines; at 390 px every tap target at least 44×44 px (or
inside a larger row that answers the tap, a checkbox's label); at 1280 px the contrast axe leaves to people (a risk
level's one-digit badge, field borders, progress and chart bars). One browser context per role, every page loaded once and looked at in all three
layouts (resized as a phone turned or a window dragged), so the run stays short."""
from __future__ import annotations

from pathlib import Path

import pytest

from hotline.core.db import get_db
from hotline.domain import alerts, officials, places, residents, voicemail
from hotline.domain.alerts import checkins
from hotline.domain.officials import announcements
from tests.conftest import ANH_MINH, BA_LAN, CHAIRMAN_PHONE, ONG_TU, OPERATOR, _official
from tests.browser.conftest import PHONE, log_in, text_size

pytestmark = pytest.mark.browser
WIDE = {"width": 1280, "height": 900}
NARROWEST = {"width": 320, "height": 640}     # WCAG 1.4.10's reflow width: nothing to scroll sideways
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TARGET = 44            # px: WCAG 2.5.5's size, and Apple's and Google's guidance for a finger
WARNING = "Nuoc song Hong dang len nhanh, ba con ke cao do dac, di chuyen den nha van hoa."
CSV = "Số điện thoại,Họ tên,Thôn\n0912 345 678,Đỗ Văn Hải,Yên Nông\nabc,Không Số,Yên Nông\n".encode()


@pytest.fixture
def settings(settings):
    """One wrong password is enough to see the login throttle's wait on the next try."""
    return {**settings, "HOTLINE_LOGIN_ATTEMPTS": "1"}


AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
    .then(r => r.violations.map(v => `${v.id} (${v.impact}): ${v.help} -- ` +
        v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | ')))"""

# What a phone shows: nothing past the screen's edges, each table cell in sight and named, targets for a finger.
PHONE_CHECKS = """([min, targets]) => {
  const W = document.documentElement.clientWidth, problems = [];
  const shown = el => { const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== 'hidden'; };
  const say = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' +
    (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"';
  if (document.documentElement.scrollWidth > W + 1)
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px for ${W})`);
  const off = new Set();      // one line for the outermost element off the screen, not one for each inside it
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > W + 1 || r.left < -1) {
      off.add(el);
      if (!off.has(el.parentElement)) problems.push(`off the screen (${Math.round(r.left)}..${Math.round(r.right)}): ${say(el)}`);
    }
  }
  for (const table of document.querySelectorAll('main table')) {
    const head = table.tHead, headShown = head && shown(head);
    const names = head ? [...head.querySelectorAll('th')].map(th => th.innerText.trim()) : [];
    for (const cell of table.querySelectorAll('tbody td, tfoot td')) {
      if (!cell.innerText.trim() || cell.colSpan > 1) continue;     // an empty row's "none yet" spans the table
      if (!shown(cell)) { problems.push(`a hidden cell: ${say(cell)}`); continue; }
      const label = getComputedStyle(cell, '::before').content.replace(/^"|"$/g, '');
      if (!headShown && names.length && !names.includes(label))
        problems.push(`a cell without its column's name: ${say(cell)}`);
    }
  }
  if (targets) for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, audio[controls]')) {
    if (!shown(el)) continue;
    const r = (el.closest('label') || el).getBoundingClientRect();
    if (r.width < min - 0.5 || r.height < min - 0.5)
      problems.push(`a small target (${Math.round(r.width)}x${Math.round(r.height)}): ${say(el)}`);
  }
  const header = document.querySelector('body > header'), open = document.querySelector('#menu.open');
  if (header && !open && header.getBoundingClientRect().height > innerHeight / 5)
    problems.push(`the header takes ${Math.round(header.getBoundingClientRect().height)} px of ${innerHeight}`);
  return problems;
}"""


# What axe leaves to people: a badge of one character, the border that shows where a field is, bars in charts.
CONTRAST = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).slice(0, 3).map(v => v / 255)
    .map(v => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const behind = el => { for (let e = el.parentElement; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor; if (rgb(c)[3] !== 0) return c; } return 'rgb(255, 255, 255)'; };
  const problems = [], seen = new Set();
  const need = (what, el, a, b, min) => { const r = ratio(a, b), key = what + a + b;
    if (r < min && !seen.has(key)) { seen.add(key); problems.push(`${what}: ${r.toFixed(2)}:1 (${a} on ${b}), needs ${min}:1`); } };
  const css = (el, p) => getComputedStyle(el)[p];
  document.querySelectorAll('.level').forEach(el => need('risk level badge', el, css(el, 'color'), css(el, 'backgroundColor'), 4.5));
  document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea').forEach(el => {
    if (parseFloat(css(el, 'borderTopWidth')) > 0) need('field border', el, css(el, 'borderTopColor'), behind(el), 3); });
  document.querySelectorAll('.progress span').forEach(el =>
    need('progress bar ' + el.className, el, css(el, 'backgroundColor'), css(el.parentElement, 'backgroundColor'), 3));
  document.querySelectorAll('svg.chart rect, svg.chart line').forEach(el =>
    need('chart ' + el.getAttribute('class'), el, el.tagName === 'line' ? css(el, 'stroke') : css(el, 'fill'), behind(el.ownerSVGElement), 3));
  return problems;
}"""


def _seed(server) -> dict:
    """A commune with something on every page: warnings (draft, published with a check-in and a call for help),
    a recorded announcement, a voicemail, the demo lessons and residents."""
    var = server.config["HOTLINE_INSTANCE"]
    with server.app_context():
        db = get_db()
        yen_nong = places.find_village(db, "Yen Nong")["id"]
        other = next(v["id"] for v in places.villages(db) if v["id"] != yen_nong)
        tu = officials.by_phone(db, ONG_TU)["id"]
        published = alerts.create(db, "flood", 3, WARNING, [yen_nong], actor=OPERATOR)
        alerts.publish(db, server.config, published, actor=OPERATOR)
        run = checkins.start(db, server.config, [yen_nong], alert_id=published, actor=OPERATOR)
        lan = residents.by_phone(db, BA_LAN)["id"]
        checkins.record(db, server.config, run["id"], lan, "2", "sms")
        draft = alerts.create(db, "flood", 1, WARNING, [yen_nong], actor=OPERATOR)
        audio = f"{var}/recordings/a1.wav"
        Path(audio).parent.mkdir(parents=True, exist_ok=True)
        Path(audio).write_bytes(b"RIFF" + b"\x00" * 40)
        announcement = announcements.create(db, tu, yen_nong, audio, text="Hop thon toi nay luc 19 gio", actor=OPERATOR)
        vm = voicemail.record(db, "CA1", BA_LAN, lan, "RE1", "https://api.twilio.com/rec/RE1", 12)
        voicemail.stored(db, vm, audio)
        lesson = db.execute("SELECT l.id FROM lessons l JOIN enrolments e ON e.lesson_id = l.id"
                            " WHERE l.village_id = ? ORDER BY l.starts_at LIMIT 1", [yen_nong]).fetchone()[0]
        neighbour = db.execute("SELECT id FROM residents WHERE village_id = ? LIMIT 1", [other]).fetchone()[0]
    return {"published": published, "draft": draft, "announcement": announcement, "lesson": lesson, "lan": lan,
            "neighbour": neighbour, "tu": tu}


def _pages(role: str, ids: dict):
    """(name, how to get there): every page an official sees, the answers to forms (422, previews, confirmations)
    and the refusals (403, 404) included."""
    def go(path):
        return lambda page, url: page.goto(url + path)

    def then(path, *steps):
        def visit(page, url):
            page.goto(url + path)
            for step in steps:
                step(page)
        return visit

    def click(selector):
        return lambda page: page.click(selector)

    def fill(selector, value):
        return lambda page: page.fill(selector, value)

    a, d = ids["published"], ids["draft"]
    pages = [
        ("dashboard", go("/admin/")),
        ("alerts", go("/admin/alerts")),
        ("new alert", go("/admin/alerts/new")),
        ("new alert, errors", then("/admin/alerts/new", fill("textarea[name=text]", ""),
                                   click("#alert-form button[value=preview]"))),
        ("new alert, preview", then("/admin/alerts/new", fill("textarea[name=text]", WARNING),
                                    click("#alert-form button[value=preview]"))),
        ("draft alert", go(f"/admin/alerts/{d}")),
        ("publish confirmation", then(f"/admin/alerts/{d}", click("#publish"))),
        ("published alert", go(f"/admin/alerts/{a}")),
        ("update, errors", then(f"/admin/alerts/{a}", fill("#update textarea[name=text]", ""),
                                click("#update button"))),
        ("update confirmation", then(f"/admin/alerts/{a}", fill("#update textarea[name=text]", WARNING + " Cap 4."),
                                     click("#update button"))),
        ("check-in preview", then(f"/admin/alerts/{a}", click("#checkin-form button[value=preview]"))),
        ("report", go(f"/admin/alerts/{a}/report")),
        ("announcements", go("/admin/announcements")),
        ("announcement", go(f"/admin/announcements/{ids['announcement']}")),
        ("announcement confirmation", then(f"/admin/announcements/{ids['announcement']}",
                                           click("form.publish input[name=fan_out]"), click("form.publish button"))),
        ("residents", go("/admin/residents?q=Y&village=")),
        ("resident", go(f"/admin/residents/{ids['lan']}")),
        ("new resident, errors", then("/admin/residents/new", click("main form button[type=submit]"))),
        ("import", go("/admin/residents/import")),
        ("import report", then("/admin/residents/import", lambda page: page.set_input_files(
            "input[type=file]", {"name": "dan.csv", "mimeType": "text/csv", "buffer": CSV}),
            click("main form button[type=submit]"))),
        ("lessons", go("/admin/lessons")),
        ("new lesson, errors", then("/admin/lessons/new", click("main form button[type=submit]"))),
        ("lesson", go(f"/admin/lessons/{ids['lesson']}")),
        ("enrol, errors", then(f"/admin/lessons/{ids['lesson']}", fill("input[name=phone]", "12"),
                               click("form[action$=enrol] button"))),
        ("coverage", go("/admin/coverage")),
        ("not found", go("/admin/alerts/999")),
        ("simulator", go("/simulator")),
    ]
    if role == "chairman":
        pages += [
            ("officials", go("/admin/officials")),
            ("official", go(f"/admin/officials/{ids['tu']}")),
            ("new official, errors", then("/admin/officials/new", click("#official-form button[type=submit]"))),
            ("new official's PIN", then("/admin/officials/new", fill("input[name=name]", "Trần Minh"),
                                        lambda page: page.select_option("select[name=role]", "village_head"),
                                        fill("input[name=phone]", ANH_MINH),
                                        click("#official-form button[type=submit]"))),
        ]
    else:
        pages += [
            ("officials, refused", go("/admin/officials")),
            ("another village's resident, refused", go(f"/admin/residents/{ids['neighbour']}")),
        ]
    return pages


# What shows that a visit landed on the page it meant (a form's answer, not the form again).
LANDMARKS = {
    "login": "#f-phone", "login, wrong password": "#login-error", "login, waiting": "#login-error >> text=Xin thử lại",
    "dashboard": "#voicemails audio", "alerts": "#alerts .level", "new alert": "#alert-form",
    "new alert, errors": "#error-summary", "new alert, preview": "#preview-save", "draft alert": "#publish",
    "publish confirmation": "#confirm-send", "published alert": "#checkin-form", "update, errors": "#error-summary",
    "update confirmation": "#confirm-send", "check-in preview": "#checkin-confirm", "report": "#report tbody.total",
    "announcements": "audio", "announcement": "#trail", "announcement confirmation": "#confirm-send",
    "residents": "#residents tbody th", "resident": "#f-name", "new resident, errors": "#error-summary",
    "import": "#f-file", "import report": "#import-report td", "lessons": "#lessons tbody th",
    "new lesson, errors": "#error-summary", "lesson": "#roster input[name=present]",
    "enrol, errors": "#error-summary", "coverage": "#chart-associations-numbers", "not found": "main .error",
    "simulator": "#keypad", "officials": "#officials tbody th", "official": "#official-form",
    "new official, errors": "#error-summary", "new official's PIN": "#the-pin", "officials, refused": "main .error",
    "another village's resident, refused": "main .error",
}


def _look(page, name: str, problems: list) -> None:
    """The page as it is: axe at 1280 px, then a phone at 390 px with normal and with 200% text."""
    def note(layout, found):
        problems.extend(f"{name} @ {layout}: {p}" for p in found)

    assert page.locator(LANDMARKS[name]).count(), f"{name}: not the page meant ({LANDMARKS[name]} missing)"

    page.set_viewport_size(WIDE)
    note("1280", page.evaluate(AXE_RUN, AXE_TAGS))
    note("1280", page.evaluate(CONTRAST))
    page.set_viewport_size(PHONE)
    note("390", page.evaluate(AXE_RUN, AXE_TAGS))
    note("390", page.evaluate(PHONE_CHECKS, [TARGET, False]))
    toggle = page.locator("#menu-toggle")
    if toggle.count() and toggle.is_visible():
        toggle.click()          # the menu's links, unfolded, are targets too
        note("390, menu open", page.evaluate(PHONE_CHECKS, [TARGET, True]))
        toggle.click()
    else:
        note("390", page.evaluate(PHONE_CHECKS, [TARGET, True]))
    page.set_viewport_size(NARROWEST)
    note("320", page.evaluate(PHONE_CHECKS, [TARGET, False]))
    page.set_viewport_size(PHONE)
    text_size(page, 200)
    note("390, text 200%", page.evaluate(AXE_RUN, AXE_TAGS))
    note("390, text 200%", page.evaluate(PHONE_CHECKS, [TARGET, False]))
    text_size(page, 100)


@pytest.mark.parametrize("role", ["chairman", "village_head"])
def test_every_admin_page_passes_axe_and_fits_a_phone_with_large_text(browser, browser_context_args, server,
                                                                     axe_source, role):
    ids = _seed(server)
    phone = {"chairman": CHAIRMAN_PHONE, "village_head": ONG_TU}[role]
    if role == "chairman":
        _official(server, "Lê Quang Thắng", "commune_chairman", CHAIRMAN_PHONE, None, "1357")
    else:
        _official(server, "Nguyễn Văn Tư", "village_head", ONG_TU, "Yen Nong", "2468")
    context = browser.new_context(**browser_context_args)
    context.add_init_script(script=axe_source)
    page = context.new_page()
    problems: list[str] = []
    # Logged out: the login page, a wrong password, and the throttle's wait (HOTLINE_LOGIN_ATTEMPTS=1 here).
    page.goto(server.url + "/admin/login")
    _look(page, "login", problems)
    for attempt in ("login, wrong password", "login, waiting"):
        page.fill("input[name=phone]", ANH_MINH)
        page.fill("input[name=password]", "sai-mat-khau")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        _look(page, attempt, problems)
    log_in(page, server.url, phone)
    pages = _pages(role, ids)
    for name, visit in pages:
        visit(page, server.url)
        page.wait_for_load_state()
        _look(page, name, problems)
    context.close()
    assert problems == [], f"{len(problems)} problems on {len(pages) + 3} pages:\n" + "\n".join(problems)
