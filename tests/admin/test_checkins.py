"""Starting a safety check-in from a warning's page: the cost first, then confirm; answers by village, live."""
import re

import pytest

from hotline.domain import alerts, places, residents
from hotline.domain.alerts import checkins
from hotline.core import prompts
from hotline.core.db import get_db
from tests.conftest import BA_LAN, CHI_HOA, OPERATOR

TEXT = "Nước sông dâng nhanh, bà con kê cao đồ đạc."


def _village(app, name):
    with app.app_context():
        return str(places.find_village(get_db(), name)["id"])


def _alert(app, browser, level="3", villages=("Yen Nong",), publish=True) -> int:
    form = {"kind": "flood", "level": level, "text": TEXT, "village_ids": [_village(app, v) for v in villages],
            "flags": [], "starts_at": "", "expires_at": "", "action": "save"}
    alert_id = int(browser.post("/admin/alerts/new", form).headers["Location"].rsplit("/", 1)[1])
    if publish:
        assert browser.confirmed(f"/admin/alerts/{alert_id}/publish").status_code == 302
    return alert_id


def _ask(app, browser, alert_id, action="preview", **changes):
    form = {"village_ids": [_village(app, "Yen Nong")], "flags": [], "hours": "72", "action": action, **changes}
    return browser.post(f"/admin/alerts/{alert_id}/checkin", form)


def _checkins(app):
    with app.app_context():
        return list(get_db().query("SELECT * FROM checkins"))


def test_the_cost_is_shown_before_anyone_is_asked_then_confirm_asks_them(app, tu):
    alert_id = _alert(app, tu)
    page = tu.get(f"/admin/alerts/{alert_id}").get_data(as_text=True)
    assert 'id="checkin-form"' in page and "Chưa hỏi thăm lần nào" in page
    assert re.search(rf'value="{_village(app, "Yen Nong")}" checked', page)   # the warning's village, ticked

    preview = _ask(app, tu, alert_id)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and _checkins(app) == []
    assert re.search(r'id="sms-plain">([^<]*)<', text).group(1) == prompts.sms("alerts.sms.checkin")
    assert "Tin không dấu: 1 phần tin" in text and "tốc độ đã đăng ký" in text
    recipients = int(re.search(r"Gửi tới (\d+) người", text).group(1))
    seen = re.search(r'name="seen" value="(\d+)"', text).group(1)
    assert seen == "0" and f"Bắt đầu hỏi thăm: {recipients} tin nhắn" in text

    started = _ask(app, tu, alert_id, action="start", seen=seen)
    assert started.status_code == 302 and started.headers["Location"].endswith("outcome=checkin_started#checkins")
    [checkin] = _checkins(app)
    assert checkin["alert_id"] == alert_id and checkin["scope"] == "villages"
    with app.app_context():
        queued = get_db().execute("SELECT COUNT(*) FROM outbox WHERE ref = ? AND channel = 'sms' AND state = 'queued'",
                                  [f"checkin:{checkin['id']}"]).fetchone()[0]
    assert queued == recipients
    page = tu.get(started.headers["Location"]).get_data(as_text=True)
    assert "Đã bắt đầu hỏi thăm" in page and f'data-ref="checkin:{checkin["id"]}"' in page


def test_the_alert_page_shows_safe_need_help_and_no_answer_by_village(app, tu):
    alert_id = _alert(app, tu)
    _ask(app, tu, alert_id, action="start", seen="0")
    with app.app_context():
        db = get_db()
        checkins.answer(db, BA_LAN, "1", app.config)
        checkins.answer(db, CHI_HOA, "2", app.config)
    page = tu.get(f"/admin/alerts/{alert_id}").get_data(as_text=True)
    row = re.search(r'<tr><th scope="row">Yên Nông</th>(.*?)</tr>', page, re.S).group(1)
    asked, safe, help_, no_answer = map(int, re.findall(r'data-label="[^"]+">(?:<b[^>]*>)?(\d+)', row))
    assert (safe, help_) == (1, 1) and asked == 11
    assert no_answer == asked - 2
    assert "Trần Thị Hoa" in page and f'href="tel:{CHI_HOA}"' in page
    progress = tu.get("/admin/progress.json?refs=checkin:1").get_json()
    assert progress["checkin:1"]["total"] > 0


def test_a_double_click_or_a_colleague_never_asks_the_village_twice(app, tu):
    alert_id = _alert(app, tu)
    assert _ask(app, tu, alert_id, action="start", seen="0").status_code == 302
    again = _ask(app, tu, alert_id, action="start", seen="0")
    assert again.status_code == 409
    assert prompts.say("admin.errors.checkin_changed") in again.get_data(as_text=True)
    assert len(_checkins(app)) == 1


@pytest.mark.parametrize("changes, message", [
    ({"village_ids": []}, "được phép gửi tin"),
    ({"village_ids": ["999"]}, "Lựa chọn không hợp lệ."),
    ({"hours": "abc"}, "Giá trị không hợp lệ."),
    ({"hours": "0"}, "Giá trị không hợp lệ."),
    ({"flags": ["everyone"]}, "Lựa chọn không hợp lệ."),
])
def test_bad_choices_are_refused_in_vietnamese_and_kept(app, tu, changes, message):
    alert_id = _alert(app, tu)
    response = _ask(app, tu, alert_id, action="start", seen="0", **changes)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and message in text
    if "hours" in changes:
        assert f'name="hours" value="{changes["hours"]}"' in text
    assert _checkins(app) == []


def test_a_village_head_asks_only_his_villages(app, tu):
    alert_id = _alert(app, tu)
    page = tu.get(f"/admin/alerts/{alert_id}").get_data(as_text=True)
    assert "Đồng Tâm" not in page
    for action in ("preview", "start"):    # a forged form: refused by the domain's rule, not a form error
        refused = _ask(app, tu, alert_id, action=action, seen="0", village_ids=[_village(app, "Dong Tam")])
        assert refused.status_code == 403
        assert prompts.say("admin.errors.forbidden_village") in refused.get_data(as_text=True)
    assert _checkins(app) == []


def test_the_chairman_asks_the_whole_commune_and_an_emergency_reaches_those_who_opted_out(app, chair):
    with app.app_context():
        residents.opt_out(get_db(), BA_LAN, "sms")
    alert_id = _alert(app, chair, level="5", villages=())
    text = _ask(app, chair, alert_id, village_ids=[]).get_data(as_text=True)
    assert "Cấp khẩn cấp" in text and "bỏ qua 0 người" in text
    assert _ask(app, chair, alert_id, action="start", seen="0", village_ids=[]).status_code == 302
    [checkin] = _checkins(app)
    assert checkin["scope"] == "commune"


@pytest.mark.parametrize("end", ["draft", "cancelled", "expired"])
def test_only_a_warning_that_went_out_is_followed_by_a_check_in(app, tu, end):
    alert_id = _alert(app, tu, publish=end != "draft")
    with app.app_context():
        db = get_db()
        if end == "cancelled":
            alerts.cancel(db, app.config, alert_id, actor=OPERATOR)
        if end == "expired":
            alerts.expire(db, app.config, "2999-01-01T00:00:00.000000Z")
    page = tu.get(f"/admin/alerts/{alert_id}").get_data(as_text=True)
    response = _ask(app, tu, alert_id, action="start", seen="0")
    if end == "expired":   # after the flood is exactly when to ask
        assert 'id="checkin-form"' in page and response.status_code == 302
    else:
        assert 'id="checkin-form"' not in page and response.status_code == 409
        assert prompts.say("admin.errors.checkin_not_published") in response.get_data(as_text=True)
        assert _checkins(app) == []
