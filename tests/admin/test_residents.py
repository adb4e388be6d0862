"""Residents in the admin: search, edit with Vietnamese errors that keep what was typed, import report, export."""
import io
import re

from hotline.domain import residents
from hotline.core.db import get_db
from tests.conftest import BA_LAN


def _ba_lan(app):
    with app.app_context():
        return residents.by_phone(get_db(), BA_LAN)


def test_it_finds_residents_by_name_or_number(tu):
    text = tu.get("/admin/residents?q=Lan").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in text and "Trần Thị Hoa" not in text
    assert "Nguyễn Thị Lan" in tu.get("/admin/residents?q=912100").get_data(as_text=True)


def test_it_saves_an_edit_and_can_clear_a_field(app, tu):
    lan = _ba_lan(app)
    form = {"name": "Nguyễn Thị Lan", "village_id": str(lan["village_id"]), "gender": "F", "birth_year": "",
            "elderly": "1", "cannot_read": "1", "associations": ["women", "farmers"]}
    response = tu.post(f"/admin/residents/{lan['id']}", form)
    assert response.status_code == 302
    with app.app_context():
        after = residents.by_phone(get_db(), BA_LAN)
        assert after["birth_year"] is None and after["cannot_read"] == 1 and after["low_lying"] == 0
        assert residents.association_codes(get_db(), lan["id"]) == ["women", "farmers"]


def test_saving_a_resident_chooses_accents_only_when_the_box_changes(app, tu):
    lan = _ba_lan(app)
    form = {"name": lan["name"], "village_id": str(lan["village_id"]), "gender": "F", "birth_year": "",
            "elderly": "1"}
    tu.post(f"/admin/residents/{lan['id']}", form)                       # the box left unticked, as it was
    assert _ba_lan(app)["sms_accents_chosen"] == 0                        # the commune's setting still decides
    tu.post(f"/admin/residents/{lan['id']}", {**form, "sms_accents": "1"})
    tu.post(f"/admin/residents/{lan['id']}", form)                        # unticked again: a choice of no accents
    after = _ba_lan(app)
    assert (after["sms_accents"], after["sms_accents_chosen"]) == (0, 1)
    assert residents.wants_accents(after, commune_default=True) is False


def test_a_bad_edit_is_refused_in_vietnamese_and_keeps_what_was_typed(app, tu):
    lan = _ba_lan(app)
    form = {"name": "Lan Nguyễn Thị (sửa)", "village_id": "999", "birth_year": "1848", "elderly": "1"}
    response = tu.post(f"/admin/residents/{lan['id']}", form)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Lựa chọn không hợp lệ." in text and "Giá trị không hợp lệ." in text
    assert 'value="Lan Nguyễn Thị (sửa)"' in text and 'value="1848"' in text
    assert _ba_lan(app)["name"] == "Nguyễn Thị Lan"


def test_it_adds_a_resident_and_refuses_a_number_already_listed(app, tu):
    village = str(_ba_lan(app)["village_id"])
    new = tu.post("/admin/residents/new", {"phone": "0912 555 001", "name": "Đỗ Văn Ba", "village_id": village})
    assert new.status_code == 302
    again = tu.post("/admin/residents/new", {"phone": "+84912555001", "name": "Ba", "village_id": village})
    assert again.status_code == 422 and "đã có trong danh sách" in again.get_data(as_text=True)
    bad = tu.post("/admin/residents/new", {"phone": "12", "name": "", "village_id": village})
    text = bad.get_data(as_text=True)
    assert "Số điện thoại quá ngắn." in text and "Ô này không được để trống." in text


def test_the_import_reports_bad_rows_and_keeps_the_good_ones(app, tu):
    csv = ("Số điện thoại,Họ tên,Thôn,Năm sinh\n"
           "0912555001,Đỗ Văn Ba,Yên Nông,1950\n"
           "12,Ai Đó,Yên Nông,1960\n"
           "0912555002,Vũ Thị Bốn,Thôn Không Có,1970\n"
           "0912100000,Nguyễn Thị Lan,Yên Nông,1948\n").encode("utf-8-sig")
    response = tu.post("/admin/residents/import", {"file": (io.BytesIO(csv), "so-ho.csv")},
                       content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Thêm mới 1 người, cập nhật 1 người, 2 dòng lỗi." in text
    assert "Số điện thoại quá ngắn" in text and "Không có thôn này trong xã" in text
    lines = re.findall(r'<td data-label="Dòng">(\d+)</td>', text)   # the lines, as the village head counts them
    assert lines == ["3", "4"]
    with app.app_context():
        assert residents.by_phone(get_db(), "+84912555001")["birth_year"] == 1950


def test_a_missing_or_non_utf8_file_is_explained(tu):
    empty = tu.post("/admin/residents/import", {}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Xin chọn tệp CSV." in empty.get_data(as_text=True)
    latin = tu.post("/admin/residents/import", {"file": (io.BytesIO("Tên\nĐô".encode("cp1258")), "x.csv")},
                    content_type="multipart/form-data")
    assert latin.status_code == 422 and "CSV UTF-8" in latin.get_data(as_text=True)


def test_the_export_opens_in_excel_and_imports_back_unchanged(app, tu):
    response = tu.get("/admin/residents/export.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode("utf-8"))
    again = tu.post("/admin/residents/import", {"file": (io.BytesIO(body), "export.csv")},
                    content_type="multipart/form-data")
    assert "Thêm mới 0 người" in again.get_data(as_text=True)
    assert "0 dòng lỗi" in again.get_data(as_text=True)
