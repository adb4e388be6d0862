"""Alerts in the admin: preview of cost and reach, validation in Vietnamese, publish, progress, cancel, report."""
import re

from hotline.domain import places
from hotline.core import prompts
from hotline.core.db import get_db

TEXT = "Nước sông dâng nhanh, bà con kê cao đồ đạc và di chuyển đến nhà văn hóa thôn."


def _village(app, name):
    with app.app_context():
        return str(places.find_village(get_db(), name)["id"])


def _form(app, **changes):
    form = {"kind": "flood", "level": "3", "text": TEXT, "village_ids": [_village(app, "Yen Nong")],
            "flags": [], "starts_at": "", "expires_at": ""}
    return {**form, **changes}


def test_the_preview_shows_both_sms_forms_their_segments_and_the_eta(app, tu):
    response = tu.post("/admin/alerts/new", {**_form(app), "action": "preview"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    plain = re.search(r'id="sms-plain">([^<]*)<', text).group(1)
    accented = re.search(r'id="sms-accented">([^<]*)<', text).group(1)
    assert plain.isascii() and "Nuoc song dang nhanh" in plain
    assert "Nước sông dâng nhanh" in accented
    assert re.search(r"Tin không dấu: [12] phần tin", text)
    assert re.search(r"Tin có dấu: [2-4] phần tin", text)
    assert "tốc độ đã đăng ký" in text and re.search(r"Gửi tới \d+ người", text)
    assert TEXT in text   # the form keeps what was typed


def _until(page: str) -> str:
    """The "until" of the unaccented SMS preview: "… (hieu luc den 18:30 25/11)"."""
    return re.search(r'id="sms-plain">[^<]*den (\d\d:\d\d \d\d/\d\d)\)<', page).group(1)


def test_the_sms_preview_says_until_when_the_warning_will_really_hold(app, tu):
    typed = tu.post("/admin/alerts/new", {**_form(app, expires_at="2030-11-25T18:30"), "action": "preview"})
    assert _until(typed.get_data(as_text=True)) == "18:30 25/11"
    # No expiry typed: HOTLINE_ALERT_HOURS (24) after the start, which is what creating it will store.
    started = tu.post("/admin/alerts/new", {**_form(app, starts_at="2030-11-25T06:00"), "action": "preview"})
    assert _until(started.get_data(as_text=True)) == "06:00 26/11"
    created = tu.post("/admin/alerts/new", {**_form(app, starts_at="2030-11-25T06:00"), "action": "save"})
    draft = tu.get(created.headers["Location"]).get_data(as_text=True)
    assert _until(draft) == "06:00 26/11"


def test_the_alert_hours_setting_is_what_the_preview_and_the_draft_say(app, tu):
    app.config["HOTLINE_ALERT_HOURS"] = "6"
    form = {**_form(app, starts_at="2030-11-25T06:00")}
    assert _until(tu.post("/admin/alerts/new", {**form, "action": "preview"}).get_data(as_text=True)) == "12:00 25/11"
    created = tu.post("/admin/alerts/new", {**form, "action": "save"})
    assert _until(tu.get(created.headers["Location"]).get_data(as_text=True)) == "12:00 25/11"


def test_a_bad_alert_is_refused_in_vietnamese_and_nothing_typed_is_lost(app, tu):
    form = _form(app, text="", level="9", starts_at="2026-12-01T08:00", expires_at="2026-12-01T07:00")
    response = tu.post("/admin/alerts/new", {**form, "action": "save"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ô này không được để trống." in text and "Lựa chọn không hợp lệ." in text
    assert "Giờ hết hiệu lực phải sau giờ bắt đầu." in text
    assert 'value="2026-12-01T08:00"' in text and 'value="2026-12-01T07:00"' in text
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 0


def test_a_village_head_warns_only_his_own_villages(app, tu):
    whole = tu.post("/admin/alerts/new", {**_form(app, village_ids=[]), "action": "save"})
    assert whole.status_code == 422 and "được phép gửi tin" in whole.get_data(as_text=True)
    other = tu.post("/admin/alerts/new", {**_form(app, village_ids=[_village(app, "Dong Tam")]), "action": "save"})
    assert other.status_code == 403 and prompts.say("admin.errors.forbidden_village") in other.get_data(as_text=True)
    assert "Đồng Tâm" not in tu.get("/admin/alerts/new").get_data(as_text=True)
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 0


def test_the_chairman_warns_the_whole_commune(app, chair):
    response = chair.post("/admin/alerts/new", {**_form(app, village_ids=[]), "action": "save"})
    assert response.status_code == 302
    assert "Cả xã" in chair.get(response.headers["Location"]).get_data(as_text=True)


def test_it_creates_publishes_follows_and_cancels_an_alert(app, tu):
    created = tu.post("/admin/alerts/new", {**_form(app), "action": "save"})
    detail = created.headers["Location"]
    alert_id = int(detail.rsplit("/", 1)[1])
    page = tu.get(detail).get_data(as_text=True)
    assert "Bản nháp" in page and 'id="sms-plain"' in page and "Phát cảnh báo" in page

    assert tu.confirmed(f"/admin/alerts/{alert_id}/publish").status_code == 302
    progress = tu.get(f"/admin/progress.json?refs=alert:{alert_id}").get_json()[f"alert:{alert_id}"]
    with app.app_context():
        rows = get_db().execute("SELECT COUNT(*) FROM outbox WHERE ref = ?", [f"alert:{alert_id}"]).fetchone()[0]
    assert progress["total"] == rows > 0 and progress["queued"] == rows - progress["skipped"]
    page = tu.get(detail).get_data(as_text=True)
    assert "Đang phát" in page and f'data-ref="alert:{alert_id}"' in page
    assert f"alert:{alert_id}" in tu.get("/admin/").get_data(as_text=True)   # on the dashboard, live
    twice = tu.post(f"/admin/alerts/{alert_id}/publish", {"confirm": "stale"})
    assert twice.status_code == 409 and prompts.say("admin.errors.alert_not_draft") in twice.get_data(as_text=True)

    report = tu.get(f"/admin/alerts/{alert_id}/report").get_data(as_text=True)
    assert "Yên Nông" in report and "Người nhận" in report

    assert tu.post(f"/admin/alerts/{alert_id}/cancel").status_code == 302
    assert "Đã hủy" in tu.get(detail).get_data(as_text=True)
    after = tu.get(f"/admin/progress.json?refs=alert:{alert_id}").get_json()[f"alert:{alert_id}"]
    assert after["queued"] == 0 and after["cancelled"] > 0


def test_the_report_page_shows_sms_and_calls_apart_per_village(app, tu):
    import xml.etree.ElementTree as ET

    created = tu.post("/admin/alerts/new", {**_form(app), "action": "save"})
    alert_id = int(created.headers["Location"].rsplit("/", 1)[1])
    tu.confirmed(f"/admin/alerts/{alert_id}/publish")
    with app.app_context():     # the texts went through, every call failed (the network was down for calls)
        get_db().execute("UPDATE outbox SET state = CASE channel WHEN 'sms' THEN 'delivered' ELSE 'failed' END"
                         " WHERE ref = ?", [f"alert:{alert_id}"])
    page = tu.get(f"/admin/alerts/{alert_id}/report").get_data(as_text=True)
    table = ET.fromstring(re.search(r'<table id="report".*?</table>', page, re.S).group(0))
    heads = [th.text for th in table.find("thead").iter("th")]
    rows = [["".join(c.itertext()).strip() for c in tr] for body in table.iter("tbody") for tr in body]
    sent, failed = heads.index("Đã gửi"), heads.index("Lỗi")
    # The first line of a village holds its name and recipients (two rows tall), so its cells sit two further.
    assert rows[0][:3] == ["Yên Nông", "11", "Tin nhắn"] and rows[1][0] == "Cuộc gọi"
    assert (rows[0][sent], rows[0][failed]) == ("11", "0")                  # 11 texts sent and delivered
    assert (rows[1][sent - 2], rows[1][failed - 2]) == ("0", "4")           # 4 calls, all failed
    assert rows[-2][:3] == ["Cộng", "11", "Tin nhắn"]


def test_it_says_why_a_draft_whose_time_has_passed_cannot_be_published(app, tu):
    form = _form(app, starts_at="2026-01-01T08:00", expires_at="2026-01-01T09:00")
    detail = tu.post("/admin/alerts/new", {**form, "action": "save"}).headers["Location"]
    response = tu.confirmed(f"{detail}/publish")
    assert response.status_code == 409 and prompts.say("admin.errors.alert_ended") in response.get_data(as_text=True)
    assert tu.post(f"{detail}/cancel").status_code == 302   # it can still be thrown away


def test_progress_only_answers_for_broadcast_references(tu):
    assert tu.get("/admin/progress.json?refs=residents,alert:1").get_json().keys() == {"alert:1"}


def test_an_update_supersedes_the_published_alert(app, tu):
    created = tu.post("/admin/alerts/new", {**_form(app), "action": "save"})
    alert_id = int(created.headers["Location"].rsplit("/", 1)[1])
    tu.confirmed(f"/admin/alerts/{alert_id}/publish")
    bad = tu.post(f"/admin/alerts/{alert_id}/update", {"level": "4", "text": ""})
    assert bad.status_code == 422 and "Ô này không được để trống." in bad.get_data(as_text=True)
    updated = tu.confirmed(f"/admin/alerts/{alert_id}/update",
                           {"level": "4", "text": "Nước lên thêm 1 mét, sơ tán ngay."})
    new_id = int(updated.headers["Location"].rsplit("/", 1)[1])
    assert new_id != alert_id
    page = tu.get(f"/admin/alerts/{new_id}").get_data(as_text=True)
    assert "Nước lên thêm 1 mét, sơ tán ngay." in page and f"Thay cho cảnh báo #{alert_id}" in page
    assert "Đã được thay bằng cảnh báo" in tu.get(f"/admin/alerts/{alert_id}").get_data(as_text=True)


def test_a_control_character_in_the_text_is_refused_and_the_rest_kept(app, tu):
    pasted = TEXT.replace(", bà", ",\x0bbà")          # Excel's line break, pasted from a cell
    response = tu.post("/admin/alerts/new", {**_form(app, text=pasted), "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert prompts.say("admin.errors.bad_characters") in page
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 0
    saved = tu.post("/admin/alerts/new", {**_form(app, text=TEXT.replace(", bà", ",\r\nbà")), "action": "save"})
    assert saved.status_code == 302                      # a line break typed in the box is fine
