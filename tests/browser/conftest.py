"""A real headless Chromium (Debian's, never a downloaded one) against the app served by waitress."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hotline.app import run_worker
from tests.conftest import CHAIRMAN_PHONE, PASSWORD, _official

CHROMIUM = "/usr/bin/chromium"
# axe-core, the accessibility rules engine, from the npm registry at the version package-lock.json pins
# (`make install-test` runs `npm ci`); the tests inject it into each page and fail without it, never skip.
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TEST_SIM = "+84912999001"   # the commune's test SIM: the only number the simulator may use outside demo mode
PHONE = {"width": 390, "height": 844}   # a common phone screen, in CSS pixels


@pytest.fixture(scope="session")
def base_url():
    """pytest-base-url's own fixture trips a pytest 9 deprecation (warnings are errors here); ours has no default."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run"]}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "vi-VN", "is_mobile": True, "has_touch": True}


@pytest.fixture
def server(make_app):
    """The whole app on 127.0.0.1, a free port, in a thread; the public URL is the server's own."""
    from waitress.server import create_server

    app = make_app(HOTLINE_PUBLIC_URL="http://127.0.0.1", HOTLINE_SMS_RATE="5", HOTLINE_CALL_RATE="1",
                   HOTLINE_ASR="script", HOTLINE_SIMULATOR_NUMBERS=TEST_SIM)
    srv = create_server(app, host="127.0.0.1", port=0, threads=4, asyncore_use_poll=True)
    app.config["HOTLINE_PUBLIC_URL"] = f"http://127.0.0.1:{srv.effective_port}"
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    app.url = app.config["HOTLINE_PUBLIC_URL"]
    yield app
    srv.close()
    for channel in list(srv._map.values()):   # the browser's keep-alive connections end the loop too
        channel.close()
    srv.task_dispatcher.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def outbox_worker(server):
    """The real worker sending the outbox through the local transport, started when the test says so."""
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(server.config, stop), daemon=True)
    yield thread.start
    stop.set()
    if thread.is_alive():
        thread.join(timeout=10)


@pytest.fixture
def chairman_login(server):
    _official(server, "Lê Quang Thắng", "commune_chairman", CHAIRMAN_PHONE, None, "1357")

    def login(page):
        page.goto(server.url + "/admin/")
        page.fill("input[name=phone]", "0912 500 001")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
    return login


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-test` (npm ci installs axe-core from package-lock.json)")
    return AXE.read_text("utf-8")


def log_in(page, url, phone, password=PASSWORD):
    """Log in through the form, as an official types it."""
    page.goto(url + "/admin/login")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")


def go_by_menu(page, name: str) -> None:
    """Open a page from the menu, unfolding it first where it is folded (a phone's width)."""
    toggle = page.locator("#menu-toggle")
    if toggle.is_visible():
        toggle.click()
    page.locator("#menu a", has_text=name).click()


def text_size(page, percent: int) -> None:
    """The browser's own text-size setting (chrome://settings, "Font size"), through the DevTools protocol.

    A phone's "large text" raises the browser's default font size: what is sized in rem or em grows with it, what is
    sized in px does not, and media queries in em see the larger text. Zooming the page (CSS zoom, the device scale
    factor) would grow the pixels too and so hide px-sized text; this setting does not."""
    # The session stays attached for the page's life: detached, the setting is gone at the next page.
    page.context.new_cdp_session(page).send(
        "Page.setFontSizes", {"fontSizes": {"standard": 16 * percent // 100, "fixed": 13 * percent // 100}})
