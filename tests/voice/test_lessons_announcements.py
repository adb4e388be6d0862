"""Menus 3 and 4 read what the database holds: upcoming lessons and published announcements."""
import numpy as np

from hotline.core import db as storage
from hotline.domain import places
from hotline.core.db import now
from tests.conftest import ANH_MINH, BA_LAN
from tests.voice.conftest import Caller, spoken
from hotline.speech import audio


def _db(app):
    return storage.connect(app.config["HOTLINE_DB"])


def _clear_lessons(db):
    db.execute("DELETE FROM enrolments") if "enrolments" in db.table_names() else None
    db.execute("DELETE FROM lessons")


def test_menu_3_lists_upcoming_lessons_in_local_time_the_callers_village_first(keypad_app):
    db = _db(keypad_app)
    _clear_lessons(db)
    yen_nong = places.find_village(db, "Yên Nông")["id"]
    ben_do = places.find_village(db, "Bến Đò")["id"]
    row = {"topic": "vneid", "capacity": 20, "created_at": now()}
    db["lessons"].insert({**row, "code": "BD1", "place": "Nhà văn hóa Bến Đò", "village_id": ben_do,
                          "starts_at": "2999-12-01T01:00:00.000000Z"})
    db["lessons"].insert({**row, "code": "YN1", "topic": "epayment_qr", "place": "Nhà văn hóa Yên Nông",
                          "village_id": yen_nong, "starts_at": "2999-12-02T07:30:00.000000Z"})
    said = spoken(Caller(keypad_app, BA_LAN).call("3", "2"))
    first = said.index("Các lớp học kỹ năng số sắp tới.")
    assert said[first + 1:first + 3] == [
        "Lớp thanh toán bằng mã QR, 14 giờ 30 ngày 2 tháng 12, tại Nhà văn hóa Yên Nông.",
        "Lớp dùng VNeID, 8 giờ 00 ngày 1 tháng 12, tại Nhà văn hóa Bến Đò."]
    assert "Nghe lớp thứ 1, bấm 1." in said and "Nghe lớp thứ 2, bấm 2." in said
    assert "Lớp dùng VNeID, mã lớp BD1, 8 giờ 00 ngày 1 tháng 12, tại Nhà văn hóa Bến Đò." in said


def test_menu_3_says_when_there_is_no_lesson(keypad_app):
    _clear_lessons(_db(keypad_app))
    assert "Hiện chưa có lớp học nào sắp mở." in spoken(Caller(keypad_app, ANH_MINH).call("3"))


def _announce(db, village_id, text, published_at, audio_path=None, status="published"):
    db["announcements"].insert({"village_id": village_id, "text": text, "audio_path": audio_path,
                                "status": status, "created_at": now(), "published_at": published_at})


def test_menu_4_plays_the_latest_announcements_recording_or_reads_its_text(keypad_app, tmp_path):
    db = _db(keypad_app)
    db.execute("DELETE FROM announcements")
    yen_nong = places.find_village(db, "Yên Nông")["id"]
    clip = tmp_path / "var" / "recordings" / "announcements" / "1.wav"
    clip.parent.mkdir(parents=True)
    clip.write_bytes(audio.wav(np.zeros(800, np.float32), 8000))
    _announce(db, None, "Xã họp dân tối thứ Bảy.", "2026-11-20T01:00:00.000000Z")
    _announce(db, yen_nong, "Thôn dọn vệ sinh sáng Chủ nhật.", "2026-11-21T01:00:00.000000Z",
              "recordings/announcements/1.wav")
    _announce(db, None, "Bản nháp chưa đăng.", "2026-11-22T01:00:00.000000Z", status="draft")
    events = Caller(keypad_app, BA_LAN).call("4")
    said = spoken(events)
    start = said.index("Thông báo mới nhất.")
    assert said[start + 1] == "Thông báo của thôn."
    assert said[start + 2].endswith("/recordings/announcements/1.wav")     # her village's, as recorded
    assert said[start + 3:start + 5] == ["Thông báo của xã.", "Xã họp dân tối thứ Bảy."]
    assert "Bản nháp chưa đăng." not in said


def test_menu_4_without_announcements(keypad_app):
    _db(keypad_app).execute("DELETE FROM announcements")
    assert "Hiện chưa có thông báo mới." in spoken(Caller(keypad_app, BA_LAN).call("4"))
