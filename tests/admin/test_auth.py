"""Login, logout, CSRF and the rate limit: every admin page is closed to strangers."""
import pytest

from admin import throttle
from hotline.domain import officials
from hotline.core.db import get_db
from hotline.core.clock import shift
from tests.conftest import ANH_MINH, CHAIRMAN_PHONE, ONG_TU, OPERATOR, PASSWORD, Browser, csrf_of

OPEN = {"admin.login", "admin.static"}


def admin_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/admin", "/simulator")) and rule.endpoint not in OPEN:
            path = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, path


def test_it_sends_every_admin_and_simulator_route_to_the_login_page_when_logged_out(app, client):
    routes = list(admin_routes(app))
    assert len(routes) > 30
    for method, path in routes:
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/admin/login"), (method, path)


def test_it_remembers_where_the_official_was_going(web, ong_tu):
    response = web.client.get("/admin/residents?q=Lan")
    assert "next=/admin/residents?q%3DLan" in response.headers["Location"]
    web.get("/admin/login")
    landed = web.post("/admin/login", {"phone": ONG_TU, "password": PASSWORD, "next": "/admin/residents?q=Lan"})
    assert landed.headers["Location"] == "/admin/residents?q=Lan"


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example.com/x", "/health"])
def test_it_never_redirects_outside_the_admin_after_login(web, ong_tu, target):
    web.get("/admin/login")
    landed = web.post("/admin/login", {"phone": ONG_TU, "password": PASSWORD, "next": target})
    assert landed.headers["Location"] == "/admin/"


def test_it_logs_in_with_the_web_password_and_out_again(web, ong_tu):
    assert web.login("0913 107 919").status_code == 302   # typed the local way
    page = web.get("/admin/")
    assert page.status_code == 200 and "Nguyễn Văn Tư" in page.get_data(as_text=True)
    assert web.post("/admin/logout").status_code == 302
    assert web.client.get("/admin/").status_code == 302


@pytest.mark.parametrize("phone, password", [(ONG_TU, "wrong-password"), (ANH_MINH, PASSWORD), (ONG_TU, "")])
def test_it_refuses_a_wrong_login_in_vietnamese_and_keeps_the_number(web, ong_tu, phone, password):
    web.get("/admin/login")
    response = web.post("/admin/login", {"phone": phone, "password": password})
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 401)
    assert "không đúng" in text or "Xin nhập" in text
    assert f'value="{phone}"' in text
    assert web.client.get("/admin/").status_code == 302


def _guess(browser, phone, times, **kw):
    return [browser.post("/admin/login", {"phone": phone, "password": "guess-guess"}, **kw).status_code
            for _ in range(times)]


def test_five_wrong_passwords_make_that_address_wait_even_with_the_right_one(web, ong_tu):
    web.get("/admin/login")
    assert _guess(web, ONG_TU, 5) == [401] * 5
    response = web.post("/admin/login", {"phone": "0913107919", "password": PASSWORD})
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert "Đăng nhập sai quá nhiều lần. Xin thử lại sau 1 phút." in response.get_data(as_text=True)
    assert web.client.get("/admin/").status_code == 302


def test_a_guesser_cannot_lock_the_chairman_out(app, web, chairman):
    """Wrong passwords typed for his number elsewhere make only that address wait."""
    web.get("/admin/login")
    guesser = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    assert _guess(web, CHAIRMAN_PHONE, 12, **guesser) == [401] * 5 + [429] * 7
    office = Browser(app.test_client())
    office.get("/admin/login")
    assert office.login(CHAIRMAN_PHONE).status_code == 302
    assert office.get("/admin/").status_code == 200
    assert _guess(web, CHAIRMAN_PHONE, 1, **guesser) == [429]   # his login forgave nothing of the guesser's


def test_the_wait_doubles_with_each_further_failure_up_to_the_cap(db):
    limits = throttle.Limits(free=5, max_wait_min=60, window_min=15)
    at = "2026-11-25T13:00:00.000000Z"
    for _ in range(5):
        throttle.failed(db, "1.2.3.4", ONG_TU, limits, now=at)
    waits = []
    for _ in range(9):
        wait = throttle.wait_seconds(db, "1.2.3.4", ONG_TU, limits, now=at)
        waits.append(wait)
        at = shift(at, seconds=wait)
        assert throttle.wait_seconds(db, "1.2.3.4", ONG_TU, limits, now=at) == 0
        throttle.failed(db, "1.2.3.4", ONG_TU, limits, now=at)
    assert [w // 60 for w in waits] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert throttle.wait_seconds(db, "5.6.7.8", ONG_TU, limits, now=at) == 0     # another address: no wait


def test_failures_are_forgotten_after_a_day(db):
    limits = throttle.Limits(free=5, max_wait_min=60, window_min=15)
    for minute in range(10, 15):
        throttle.failed(db, "1.2.3.4", ONG_TU, limits, now=f"2026-11-25T13:{minute}:00.000000Z")
    assert throttle.wait_seconds(db, "1.2.3.4", ONG_TU, limits, now="2026-11-25T13:14:30.000000Z") == 30
    assert throttle.wait_seconds(db, "1.2.3.4", ONG_TU, limits, now="2026-11-26T13:14:00.000000Z") == 0


def test_it_limits_one_address_trying_many_accounts(app, web):
    web.get("/admin/login")
    for n in range(20):
        web.post("/admin/login", {"phone": f"+8491200{n:04d}", "password": "guess-guess"})
    refused = web.post("/admin/login", {"phone": "+84912009999", "password": "x"})
    assert refused.status_code == 429 and "15 phút" in refused.get_data(as_text=True)
    other = Browser(app.test_client())
    other.get("/admin/login")
    response = other.post("/admin/login", {"phone": "+84912009999", "password": "x"},
                          environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert response.status_code == 401


def test_behind_the_local_proxy_each_client_is_counted_on_its_own(app, web):
    web.get("/admin/login")
    for n in range(20):
        web.post("/admin/login", {"phone": f"+8491200{n:04d}", "password": "guess-guess"},
                 headers={"X-Forwarded-For": "203.0.113.9"})
    blocked = web.post("/admin/login", {"phone": "+84912009999", "password": "x"},
                       headers={"X-Forwarded-For": "203.0.113.9"})
    other = web.post("/admin/login", {"phone": "+84912009999", "password": "x"},
                     headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.4"})
    assert blocked.status_code == 429 and other.status_code == 401
    spoofed = web.post("/admin/login", {"phone": "+84912009999", "password": "x"},
                       headers={"X-Forwarded-For": "198.51.100.77"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert spoofed.status_code == 429   # a header from anyone but the local proxy changes nothing


def test_the_address_limit_lifts_when_the_window_has_passed(db):
    limits = throttle.Limits(free=5, max_wait_min=60, window_min=15)
    for n in range(20):
        throttle.failed(db, "1.2.3.4", f"+8491200{n:04d}", limits, now=f"2026-11-25T13:{10 + n // 2}:00.000000Z")
    assert throttle.wait_seconds(db, "1.2.3.4", "+84912009999", limits, now="2026-11-25T13:20:00.000000Z") == 300
    assert throttle.wait_seconds(db, "1.2.3.4", "+84912009999", limits, now="2026-11-25T13:25:00.000000Z") == 0


def test_a_good_login_clears_that_addresss_failures(web, ong_tu):
    web.get("/admin/login")
    _guess(web, ONG_TU, 4)
    assert web.login().status_code == 302
    web.post("/admin/logout")
    web.get("/admin/login")
    _guess(web, ONG_TU, 4)
    assert web.login().status_code == 302


def test_it_refuses_every_post_without_the_csrf_token(app, tu):
    posts = [path for method, path in admin_routes(app) if method == "POST" and path != "/admin/logout"]
    assert len(posts) >= 12
    for path in posts:
        for token in (None, "forged-token"):
            data = {} if token is None else {"csrf_token": token}
            response = tu.client.post(path, data=data)
            assert response.status_code == 400, path
    page = tu.client.post("/admin/residents/new", data={"phone": "0912555001", "name": "Lan", "village_id": "1"})
    assert "Phiên làm việc đã hết hạn" in page.get_data(as_text=True)
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM residents WHERE phone = '+84912555001'").fetchone()[0] == 0


def test_a_token_seen_before_login_is_worthless_after_it(web, ong_tu):
    before = csrf_of(web.get("/admin/login"))
    web.login()
    response = web.client.post("/admin/residents/new", data={"csrf_token": before, "phone": "0912555001"})
    assert response.status_code == 400


def test_a_disabled_official_is_logged_out_at_the_next_click(app, tu, ong_tu):
    with app.app_context():
        assert officials.set_disabled(get_db(), ong_tu, True, actor=OPERATOR) == "disabled"
    assert tu.client.get("/admin/").status_code == 302


@pytest.mark.parametrize("public, secure", [("https://hotline.example.vn", True), ("http://127.0.0.1:5000", False)])
def test_the_session_cookie_is_secure_behind_https(settings, public, secure):
    from hotline.app import create_app

    app = create_app({**settings, "HOTLINE_PUBLIC_URL": public})
    response = app.test_client().get("/admin/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


def test_the_simulator_opens_without_login_only_in_demo_mode_on_this_machine(settings):
    from hotline.app import create_app

    closed = create_app(settings).test_client()
    assert closed.get("/simulator").status_code == 302
    demo = create_app({**settings, "HOTLINE_DEMO": "1"}).test_client()
    assert demo.get("/simulator").status_code == 200
    assert demo.get("/simulator", environ_base={"REMOTE_ADDR": "192.168.1.20"}).status_code == 302
    assert demo.get("/simulator", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 302
    assert demo.get("/admin/").status_code == 302   # demo mode opens the simulator, not the admin
