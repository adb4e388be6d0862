"""Sessions live on the server too: a copied cookie dies at logout, a new password or a disabled account."""
import hashlib

from hotline.domain.officials import sessions as admin_sessions
from hotline.domain import officials
from hotline.core.db import get_db
from tests.conftest import CHAIRMAN_PHONE, OPERATOR, Browser


def _copy(browser, app) -> Browser:
    """What a thief holds: another browser with the same session cookie."""
    thief = Browser(app.test_client())
    thief.client.set_cookie("session", browser.client.get_cookie("session").value, domain="localhost")
    return thief


def _opens_the_admin(browser) -> bool:
    return browser.client.get("/admin/").status_code == 200


def test_a_copied_cookie_is_worthless_after_logout(app, tu):
    thief = _copy(tu, app)
    assert _opens_the_admin(thief)
    tu.post("/admin/logout")
    response = thief.client.get("/admin/residents")
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")


def test_a_new_password_ends_every_session_of_that_official_only(app, tu, ong_tu, chairman):
    phone, laptop = _copy(tu, app), tu
    chair = Browser(app.test_client())
    chair.login(CHAIRMAN_PHONE)
    with app.app_context():
        officials.set_password(get_db(), ong_tu, "mat-khau-moi-2027", actor=OPERATOR)      # `hotline officials set-password`
    assert not _opens_the_admin(phone) and not _opens_the_admin(laptop)
    assert _opens_the_admin(chair)
    laptop.login(password="mat-khau-moi-2027")
    assert _opens_the_admin(laptop)


def test_a_disabled_officials_old_cookie_stays_dead_after_enabling(app, tu, ong_tu):
    thief = _copy(tu, app)
    with app.app_context():
        assert officials.set_disabled(get_db(), ong_tu, True, actor=OPERATOR) == "disabled"
        assert officials.set_disabled(get_db(), ong_tu, False, actor=OPERATOR) == "enabled"
    assert not _opens_the_admin(thief) and not _opens_the_admin(tu)


def test_the_cookie_holds_a_random_id_the_database_keeps_only_hashed(app, tu, ong_tu):
    cookie = tu.client.get_cookie("session").value
    sid = app.session_interface.get_signing_serializer(app).loads(cookie)["sid"]
    with app.app_context():
        rows = [dict(r) for r in get_db().query("SELECT * FROM admin_sessions WHERE official_id = ?", [ong_tu])]
    assert [r["id"] for r in rows] == [hashlib.sha256(sid.encode()).hexdigest()]
    assert sid not in str(rows) and len(sid) >= 40


def test_an_idle_session_ends_after_the_session_hours(db, demo_db):
    tu = officials.by_phone(db, "+84913107919")["id"]
    sid = admin_sessions.start(db, tu, now="2026-11-25T08:00:00.000000Z")
    assert admin_sessions.official_id(db, sid, 12, now="2026-11-25T19:00:00.000000Z") == tu   # seen: idle again from here
    assert admin_sessions.official_id(db, sid, 12, now="2026-11-26T06:59:00.000000Z") == tu
    assert admin_sessions.official_id(db, sid, 12, now="2026-11-26T19:00:00.000000Z") is None
    assert admin_sessions.official_id(db, "forged", 12) is None and admin_sessions.official_id(db, None, 12) is None
