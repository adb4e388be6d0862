"""The officials pages: only the commune chairman manages officials; a new PIN is shown once; numbers masked."""
import re

import pytest

from hotline.domain import officials, places
from hotline.core.db import get_db
from hotline.core.phones import mask
from tests.conftest import ANH_MINH, CHAIRMAN_PHONE, ONG_TU, OPERATOR, PASSWORD, Browser

PIN = re.compile(r'id="the-pin">(\d+)<')


def _village(app, name):
    with app.app_context():
        return str(places.find_village(get_db(), name)["id"])


def _registry(app, phone):
    with app.app_context():
        return officials.by_phone(get_db(), phone)


def _form(app, **changes):
    form = {"name": "Trần Minh", "role": "village_head", "phone": "0987 654 321",
            "village_ids": [_village(app, "Ben Do")], "association": ""}
    return {**form, **changes}


def test_the_chairman_sees_every_official_with_numbers_masked(chair, ong_tu):
    page = chair.get("/admin/officials")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Nguyễn Văn Tư" in text and "Trưởng thôn" in text and "Yên Nông" in text
    assert mask(ONG_TU) in text and ONG_TU not in text and "0913107919" not in text
    assert 'href="/admin/officials"' in chair.get("/admin/").get_data(as_text=True)   # in the menu


@pytest.mark.parametrize("method, path", [("GET", "/admin/officials"), ("GET", "/admin/officials/new"),
                                          ("GET", "/admin/officials/1"), ("POST", "/admin/officials/new"),
                                          ("POST", "/admin/officials/1"), ("POST", "/admin/officials/1/pin"),
                                          ("POST", "/admin/officials/1/disable"), ("POST", "/admin/officials/1/enable")])
def test_a_village_head_may_not_manage_officials(app, tu, method, path):
    with app.app_context():
        before = [(o["name"], o["pin_hash"], o["disabled"]) for o in officials.listing(get_db())]
    response = tu.get(path) if method == "GET" else tu.post(path, _form(app))
    assert response.status_code == 403
    assert "Quản lý cán bộ là việc của Chủ tịch UBND xã" in response.get_data(as_text=True)
    with app.app_context():
        assert [(o["name"], o["pin_hash"], o["disabled"]) for o in officials.listing(get_db())] == before
    assert 'href="/admin/officials"' not in tu.get("/admin/").get_data(as_text=True)


def test_adding_an_official_shows_the_new_pin_once_and_it_works_by_phone(app, chair):
    response = chair.post("/admin/officials/new", _form(app))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    pin = PIN.search(text).group(1)
    assert "Đã thêm cán bộ Trần Minh." in text and mask(ANH_MINH) in text
    minh = _registry(app, ANH_MINH)
    assert minh["role"] == "village_head" and minh["village_ids"] == [int(_village(app, "Ben Do"))]
    assert minh["password_hash"] is None and pin not in minh["pin_hash"]
    with app.app_context():
        assert officials.check_pin(get_db(), minh["id"], pin) == "ok"
    listing = chair.get("/admin/officials").get_data(as_text=True)
    assert "Trần Minh" in listing and pin not in listing


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Ô này không được để trống."),
    ({"role": "mayor"}, "role", "Lựa chọn không hợp lệ."),
    ({"phone": "12"}, "phone", "Số điện thoại quá ngắn."),
    ({"phone": "0913 107 919"}, "phone", "Số điện thoại này đã có trong danh sách."),
    ({"village_ids": ["999"]}, "village_ids", "Lựa chọn không hợp lệ."),
    ({"association": "chess"}, "association", "Lựa chọn không hợp lệ."),
])
def test_a_bad_new_official_is_refused_in_vietnamese_and_what_was_typed_stays(app, chair, changes, field, message):
    form = _form(app, **changes)
    response = chair.post("/admin/officials/new", form)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error">{message}<' in text
    assert f'value="{form["name"]}"' in text and f'value="{form["phone"]}"' in text
    assert re.search(rf'value="{_village(app, "Ben Do")}" checked', text) or field == "village_ids"
    assert PIN.search(text) is None and _registry(app, ANH_MINH) is None


def test_the_chairman_edits_name_role_villages_and_phone(app, chair, ong_tu):
    page = chair.get(f"/admin/officials/{ong_tu}").get_data(as_text=True)
    assert f'value="{ONG_TU}"' in page and re.search(rf'value="{_village(app, "Yen Nong")}" checked', page)
    response = chair.post(f"/admin/officials/{ong_tu}", _form(
        app, name="Nguyễn Văn Tư", role="village_head", phone="0913 107 999",
        village_ids=[_village(app, "Yen Nong"), _village(app, "Ben Do")]))
    assert response.status_code == 302 and "outcome=saved" in response.headers["Location"]
    assert "Đã lưu thông tin cán bộ." in chair.get(response.headers["Location"]).get_data(as_text=True)
    moved = _registry(app, "+84913107999")
    assert moved["id"] == ong_tu and len(moved["village_ids"]) == 2 and _registry(app, ONG_TU) is None


def test_the_last_chairman_cannot_demote_himself(app, chair, chairman):
    response = chair.post(f"/admin/officials/{chairman}", _form(
        app, name="Lê Quang Thắng", role="village_head", phone=CHAIRMAN_PHONE))
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "phải còn ít nhất một Chủ tịch UBND xã" in text
    assert 'value="Lê Quang Thắng"' in text
    assert _registry(app, CHAIRMAN_PHONE)["role"] == "commune_chairman"


def test_a_new_pin_replaces_the_old_one_and_lifts_a_lock(app, chair, ong_tu):
    with app.app_context():
        for _ in range(3):
            officials.check_pin(get_db(), ong_tu, "0000")
    assert "Đang tạm khoá PIN" in chair.get("/admin/officials").get_data(as_text=True)
    response = chair.post(f"/admin/officials/{ong_tu}/pin")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    pin = PIN.search(response.get_data(as_text=True)).group(1)
    with app.app_context():
        db = get_db()
        assert officials.check_pin(db, ong_tu, "2468") == "wrong"   # the old PIN is gone
        assert officials.check_pin(db, ong_tu, pin) == "ok"
    assert chair.get("/admin/officials/999").status_code == 404
    assert chair.post("/admin/officials/999/pin").status_code == 404


def test_a_disabled_official_is_logged_out_and_can_be_enabled_again(app, chair, ong_tu):
    village_head = Browser(app.test_client())
    village_head.login()
    assert village_head.client.get("/admin/").status_code == 200
    done = chair.post(f"/admin/officials/{ong_tu}/disable")
    assert "Đã khoá tài khoản." in chair.get(done.headers["Location"]).get_data(as_text=True)
    assert village_head.client.get("/admin/").status_code == 302
    assert "Mở lại tài khoản" in chair.get(f"/admin/officials/{ong_tu}").get_data(as_text=True)
    chair.post(f"/admin/officials/{ong_tu}/enable")
    assert village_head.login().status_code == 302 and village_head.client.get("/admin/").status_code == 200


def test_the_chairman_cannot_lock_himself_out(app, chair, chairman):
    done = chair.post(f"/admin/officials/{chairman}/disable")
    assert "Không thể tự khoá" in chair.get(done.headers["Location"]).get_data(as_text=True)
    assert _registry(app, CHAIRMAN_PHONE)["disabled"] == 0


def test_the_last_enabled_chairman_is_never_disabled(app, chair, chairman, ong_tu):
    with app.app_context():   # ông Tư made a chairman, then he alone tries to disable the other one twice
        officials.update(get_db(), ong_tu, "Nguyễn Văn Tư", "commune_chairman", ONG_TU, None, actor=OPERATOR)
    tu = Browser(app.test_client())
    tu.login(ONG_TU, PASSWORD)
    assert tu.post(f"/admin/officials/{chairman}/disable").status_code == 302
    assert _registry(app, CHAIRMAN_PHONE)["disabled"] == 1
    with app.app_context():
        assert officials.set_disabled(get_db(), ong_tu, True, actor=OPERATOR) == "last_chairman"


@pytest.mark.parametrize("path", ["/admin/officials", "/admin/officials/new", "/admin/officials/{tu}"])
def test_the_officials_pages_render_in_vietnamese_with_every_role_named(chair, ong_tu, path):
    response = chair.get(path.format(tu=ong_tu))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="vi">' in text and "Đăng xuất" in text
    if "officials/" in path:
        for role in officials.ROLES:
            assert f'<option value="{role}"' in text
        assert "Giảng viên Bình dân học vụ số" in text and "Chủ tịch UBND xã" in text
