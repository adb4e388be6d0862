"""Lessons and coverage in the admin: create, enrol, attendance, and the SVG charts that follow them."""
import re
from datetime import datetime, timedelta, timezone

from hotline.domain import lessons, places
from hotline.core.db import get_db
from tests.conftest import ANH_MINH, BA_LAN, OPERATOR


def _new_form(app, **changes):
    with app.app_context():
        village = str(places.find_village(get_db(), "Yen Nong")["id"])
    start = (datetime.now(timezone(timedelta(hours=7))) + timedelta(days=3)).strftime("%Y-%m-%dT08:00")
    form = {"topic": "vneid", "place": "Nhà văn hóa thôn Yên Nông", "village_id": village, "starts_at": start,
            "duration_min": "90", "capacity": "1", "waitlist": "", "association": "women", "instructor": "Đức"}
    return {**form, **changes}


def test_a_bad_lesson_is_refused_in_vietnamese_and_keeps_what_was_typed(app, tu):
    response = tu.post("/admin/lessons/new", _new_form(app, place="", starts_at="ngày mai", capacity="0"))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ô này không được để trống." in text and "Ngày giờ không đúng dạng." in text
    assert "Giá trị không hợp lệ." in text and 'value="ngày mai"' in text and 'value="Đức"' in text


def test_it_creates_a_lesson_and_enrols_people_until_the_waitlist(app, tu):
    created = tu.post("/admin/lessons/new", _new_form(app))
    assert created.status_code == 302
    lesson_page = created.headers["Location"]
    lesson_id = int(lesson_page.rsplit("/", 1)[1])
    first = tu.post(f"{lesson_page}/enrol", {"phone": "0912 100 000"})
    assert "Đã đăng ký." in tu.get(first.headers["Location"]).get_data(as_text=True)
    second = tu.post(f"{lesson_page}/enrol", {"phone": "+84914115838"})
    assert "danh sách chờ" in tu.get(second.headers["Location"]).get_data(as_text=True)
    stranger = tu.post(f"{lesson_page}/enrol", {"phone": ANH_MINH})
    assert stranger.status_code == 422 and "chưa có trong danh sách người dân" in stranger.get_data(as_text=True)
    roster = tu.get(lesson_page).get_data(as_text=True)
    assert "Nguyễn Thị Lan" in roster and "Đang chờ #2" in roster
    with app.app_context():
        assert lessons.get(get_db(), lesson_id)["seated"] == 1


def _held_lesson(app) -> int:
    """A women's lesson in Yên Nông that took place an hour ago, with bà Lan enrolled."""
    with app.app_context():
        db = get_db()
        past = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        village = places.find_village(db, "Yen Nong")["id"]
        lesson_id = lessons.create(db, "smartphone", "Nhà văn hóa", past, 10, village_id=village, association="women",
                                   actor=OPERATOR)
        lan = db.execute("SELECT id FROM residents WHERE phone = ?", [BA_LAN]).fetchone()[0]
        db["enrolments"].insert({"lesson_id": lesson_id, "resident_id": lan, "status": "enrolled", "queue_no": 1,
                                 "channel": "admin", "created_at": past, "updated_at": past})
        return lesson_id, lan


def _women_attended(page: str) -> int:
    group = re.search(r'<g [^>]*data-label="Hội Liên hiệp Phụ nữ">(.*?)</g>', page, re.S).group(1)
    return int(re.search(r'class="attended"[^>]*>.*?</rect>\s*<text[^>]*>(\d+)</text>', group, re.S).group(1))


def test_attendance_moves_the_coverage_chart(app, tu):
    lesson_id, lan = _held_lesson(app)
    before = _women_attended(tu.get("/admin/coverage").get_data(as_text=True))
    marked = tu.post(f"/admin/lessons/{lesson_id}/attendance", {"present": [str(lan)]})
    assert "Đã lưu điểm danh." in tu.get(marked.headers["Location"]).get_data(as_text=True)
    page = tu.get("/admin/coverage").get_data(as_text=True)
    assert _women_attended(page) == before + 1
    assert '<svg class="chart" id="chart-villages"' in page and 'data-label="Bến Đò"' in page
    assert "Người cao tuổi" in page and "Phụ nữ" in page
    unmarked = tu.post(f"/admin/lessons/{lesson_id}/attendance", {})
    assert unmarked.status_code == 302
    assert _women_attended(tu.get("/admin/coverage").get_data(as_text=True)) == before


def test_attendance_waits_for_the_lesson_to_start(app, tu):
    created = tu.post("/admin/lessons/new", _new_form(app))
    landed = tu.post(created.headers["Location"] + "/attendance", {"present": ["1"]})
    assert "Lớp chưa bắt đầu" in tu.get(landed.headers["Location"]).get_data(as_text=True)


def test_the_bars_share_one_scale_and_mark_the_target(app, tu):
    from admin import charts

    chart = charts.rows([{"name": "A", "enrolled": 10, "attended": 5, "target": 20},
                         {"name": "B", "enrolled": 0, "attended": 0, "target": None}])
    a, b = chart["rows"]
    assert a.target_x == 2 * a.enrolled_w == 4 * a.attended_w
    assert b.enrolled_w == 0 and b.target_x is None
    assert tu.get("/admin/coverage?period=2026-13").status_code == 200   # a bad period falls back, said so


def test_cancelling_a_lesson_tells_the_official(app, tu):
    created = tu.post("/admin/lessons/new", _new_form(app))
    landed = tu.post(created.headers["Location"] + "/cancel")
    page = tu.get(landed.headers["Location"]).get_data(as_text=True)
    assert "Đã hủy lớp" in page
