"""Before the admin sends anything to households it shows level, audience, reach, cost and time, and waits for a
second POST; the pages show who did what, and only the buttons the official may use."""
import re

import pytest

from hotline.domain import alerts, officials, places
from hotline.domain.officials import announcements
from hotline.domain.alerts import broadcast
from hotline.core.db import get_db
from hotline.domain.officials.permissions import Actor
from tests.conftest import CHI_HOA, ONG_TU, OPERATOR, Browser

TEXT = "Nước sông dâng nhanh, bà con kê cao đồ đạc."


def _yen_nong(app):
    with app.app_context():
        return places.find_village(get_db(), "Yen Nong")["id"]


def _draft(app, browser, village_ids=None) -> int:
    form = {"kind": "flood", "level": "3", "text": TEXT, "action": "save",
            "village_ids": [str(v) for v in (village_ids or [_yen_nong(app)])]}
    return int(browser.post("/admin/alerts/new", form).headers["Location"].rsplit("/", 1)[1])


def _sent(app) -> int:
    with app.app_context():
        return get_db()["outbox"].count


def _shown(page: str, name: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(rf'id="confirm-{name}">(.*?)</dd>', page, re.S).group(1)).strip()


def test_publishing_a_warning_shows_what_goes_out_and_sends_only_when_confirmed(app, tu):
    alert_id = _draft(app, tu)
    asked = tu.post(f"/admin/alerts/{alert_id}/publish")
    page = asked.get_data(as_text=True)
    with app.app_context():
        preview = broadcast.preview(get_db(), app.config, TEXT, [_yen_nong(app)], [], kind="flood", level=3)
        assert alerts.get(get_db(), alert_id)["status"] == "draft"
    assert asked.status_code == 200 and _sent(app) == 0
    assert _shown(page, "level").startswith("3") and _shown(page, "audience") == "Yên Nông"
    assert _shown(page, "recipients").startswith(f"{preview['recipients']} người")
    assert _shown(page, "calls") == str(preview["calls"])
    assert _shown(page, "segments").startswith(f"{preview['sms_segments']} phần tin")
    assert _shown(page, "cost") == f"{preview['sms_segments']} phần tin nhắn và {preview['calls']} cuộc gọi"
    assert f"({round(preview['eta_seconds'])} giây)" in _shown(page, "eta")
    assert f"phát cảnh báo cấp 3 tới {preview['recipients']} người" in page

    confirmed = tu.confirmed(f"/admin/alerts/{alert_id}/publish")
    assert confirmed.status_code == 302 and _sent(app) > 0


def test_a_draft_changed_after_its_confirmation_is_shown_again_and_nothing_goes(app, tu):
    alert_id = _draft(app, tu)
    seen = re.search(r'name="confirm" value="([^"]+)"', tu.post(f"/admin/alerts/{alert_id}/publish")
                     .get_data(as_text=True)).group(1)
    with app.app_context():     # meanwhile, at the terminal, the level is raised
        alerts.update(get_db(), app.config, alert_id, level=5, actor=OPERATOR)
    stale = tu.post(f"/admin/alerts/{alert_id}/publish", {"confirm": seen})
    assert stale.status_code == 409 and _sent(app) == 0
    assert "vừa được thay đổi" in stale.get_data(as_text=True) and _shown(stale.get_data(as_text=True),
                                                                           "level").startswith("5")


def test_the_confirming_post_still_needs_its_csrf_token(app, tu):
    alert_id = _draft(app, tu)
    seen = re.search(r'name="confirm" value="([^"]+)"', tu.post(f"/admin/alerts/{alert_id}/publish")
                     .get_data(as_text=True)).group(1)
    forged = tu.client.post(f"/admin/alerts/{alert_id}/publish", data={"confirm": seen})
    assert forged.status_code == 400 and _sent(app) == 0


def test_an_update_is_confirmed_before_it_replaces_the_warning(app, tu):
    alert_id = _draft(app, tu)
    tu.confirmed(f"/admin/alerts/{alert_id}/publish")
    form = {"level": "4", "text": "Nước lên thêm một mét, sơ tán ngay.", "expires_at": ""}
    asked = tu.post(f"/admin/alerts/{alert_id}/update", form)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and _shown(page, "level").startswith("4")
    assert "Nước lên thêm một mét" in page and 'name="text" value="Nước lên thêm một mét, sơ tán ngay."' in page
    with app.app_context():
        assert alerts.get(get_db(), alert_id)["status"] == "published" and get_db()["alerts"].count == 1
    done = tu.confirmed(f"/admin/alerts/{alert_id}/update", form)
    assert done.status_code == 302 and not done.headers["Location"].endswith(f"/{alert_id}")


@pytest.fixture
def recorded(app, ong_tu):
    with app.app_context():
        me = Actor.of(officials.get(get_db(), ong_tu), "phone")
        return announcements.create(get_db(), ong_tu, _yen_nong(app), None, text="Họp thôn tối nay", actor=me)


def test_an_announcement_on_the_hotline_only_goes_at_once_and_one_to_households_asks_first(app, tu, recorded):
    asked = tu.post(f"/admin/announcements/{recorded}/publish", {"fan_out": "1"})
    page = asked.get_data(as_text=True)
    with app.app_context():
        db = get_db()
        people = db.execute("SELECT COUNT(*) FROM residents WHERE village_id = ? AND opted_out_at IS NULL",
                            [_yen_nong(app)]).fetchone()[0]
        assert announcements.get(db, recorded)["status"] == "draft"
    assert asked.status_code == 200 and _shown(page, "recipients").startswith(f"{people} người")
    assert _shown(page, "audience") == "Yên Nông" and _sent(app) == 0
    assert tu.confirmed(f"/admin/announcements/{recorded}/publish", {"fan_out": "1"}).status_code == 302
    assert _sent(app) > 0

    with app.app_context():
        other = announcements.create(get_db(), ong_tu_id(app), _yen_nong(app), None, text="x", actor=OPERATOR)
    at_once = tu.post(f"/admin/announcements/{other}/publish")
    assert at_once.status_code == 302
    with app.app_context():
        assert announcements.get(get_db(), other)["status"] == "published"


def ong_tu_id(app):
    with app.app_context():
        return officials.by_phone(get_db(), ONG_TU)["id"]


def test_the_alert_page_and_its_report_say_who_did_what(app, tu):
    alert_id = _draft(app, tu)
    tu.confirmed(f"/admin/alerts/{alert_id}/publish")
    for path in (f"/admin/alerts/{alert_id}", f"/admin/alerts/{alert_id}/report"):
        trail = re.search(r'id="trail">(.*?)</section>', tu.get(path).get_data(as_text=True), re.S).group(1)
        assert "Nguyễn Văn Tư (trang quản trị): tạo cảnh báo · lũ lụt · cấp 3 · cho Yên Nông" in trail
        assert "Nguyễn Văn Tư (trang quản trị): phát cảnh báo · cấp 3 · cho Yên Nông" in trail


def test_the_announcement_page_tells_its_story_and_withdraws_it(app, tu, recorded):
    tu.post(f"/admin/announcements/{recorded}/publish")
    page = tu.get(f"/admin/announcements/{recorded}").get_data(as_text=True)
    assert "Nguyễn Văn Tư (điện thoại): ghi âm thông báo" in page
    assert "Nguyễn Văn Tư (trang quản trị): phát thông báo" in page
    withdrawn = tu.post(f"/admin/announcements/{recorded}/withdraw")
    assert "Đã gỡ thông báo" in tu.get(withdrawn.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert announcements.get(get_db(), recorded)["status"] == "withdrawn"
    assert "(trang quản trị): gỡ thông báo" in tu.get(f"/admin/announcements/{recorded}").get_data(as_text=True)


def test_a_village_head_is_not_shown_buttons_for_a_commune_wide_warning(app, tu, chair):
    with app.app_context():
        alert_id = alerts.create(get_db(), "storm", 4, "Bão", None, actor=OPERATOR)
    chairs = chair.get(f"/admin/alerts/{alert_id}").get_data(as_text=True)
    assert 'id="publish"' in chairs and "Hủy cảnh báo" in chairs
    head = Browser(app.test_client())
    head.login(ONG_TU)
    page = head.get(f"/admin/alerts/{alert_id}").get_data(as_text=True)
    assert 'id="publish"' not in page and "Hủy cảnh báo" not in page


def test_an_association_leader_sees_no_warning_register_or_officials_buttons(app, chi_hoa_official):
    hoa = Browser(app.test_client())
    hoa.login(CHI_HOA)
    assert "Tạo cảnh báo" not in hoa.get("/admin/alerts").get_data(as_text=True)
    assert hoa.get("/admin/alerts/new").status_code == 403
    residents_page = hoa.get("/admin/residents").get_data(as_text=True)
    assert "Thêm người dân" not in residents_page and "/admin/residents/export.csv" not in residents_page
    assert 'href="/admin/residents/' not in residents_page        # no resident to edit
    assert "/admin/lessons/new" in hoa.get("/admin/lessons").get_data(as_text=True)   # her association's lessons
