"""Who may do what, on a database without HTTP: the domain refuses (permissions.Forbidden) inside its transaction,
so a refusal changes nothing on any channel; the operator at the terminal may do everything, and is named."""
import pytest

from hotline.domain import alerts, lessons, officials, places, records, registers, residents
from hotline.domain.officials import announcements, permissions
from hotline.domain.alerts import checkins
from hotline.core.config import Config
from hotline.domain.officials.permissions import Actor, Forbidden
from tests.conftest import ANH_MINH, BA_LAN, CHI_HOA, ONG_TU, OPERATOR, PUBLIC_URL

FUTURE = "2030-03-05T01:00:00.000000Z"


@pytest.fixture
def config(tmp_path):
    return Config.from_env({}, HOTLINE_PUBLIC_URL=PUBLIC_URL, HOTLINE_INSTANCE=str(tmp_path / "var"))


def _village(db, name):
    return places.find_village(db, name)["id"]


def _as(db, phone, channel="web"):
    return Actor.of(officials.by_phone(db, phone), channel)


def _role(db, role):
    return Actor.of(next(o for o in officials.listing(db) if o["role"] == role), "web")


@pytest.fixture
def tu(demo_db):
    """ông Tư, head of Yên Nông."""
    return _as(demo_db, ONG_TU)


@pytest.fixture
def hoa(demo_db):
    """chị Hoa, leader of the Women's Union in Yên Nông only."""
    officials.add(demo_db, "Trần Thị Hoa", "association_leader", CHI_HOA, [_village(demo_db, "Yên Nông")], "5678",
                  association="women", actor=OPERATOR)
    return _as(demo_db, CHI_HOA)


def _counts(db):
    return {t: db[t].count for t in ("alerts", "outbox", "announcements", "checkins", "lessons", "enrolments",
                                     "officials", "audit_log")}


def test_a_village_head_never_reaches_the_whole_commune_even_on_a_row_marked_commune_wide(demo_db, tu):
    demo_db.execute("UPDATE officials SET commune_wide = 1 WHERE id = ?", [tu.official_id])   # an older row
    assert not officials.may_address(demo_db, tu.official_id, None)
    assert not permissions.may(demo_db, tu, "alert.create", permissions.Target(None))
    assert [v["name"] for v in officials.addressable_villages(demo_db, tu.official_id)] == ["Yên Nông"]
    yen_nong = places.village(demo_db, _village(demo_db, "Yên Nông"))
    assert permissions.choices(demo_db, tu, "alert.publish") == ([yen_nong], False)


def test_a_village_head_registered_without_villages_is_not_made_commune_wide(demo_db):
    minh = officials.add(demo_db, "Trần Minh", "village_head", ANH_MINH, None, "9876", actor=OPERATOR)
    assert officials.get(demo_db, minh)["commune_wide"] == 0
    assert officials.addressable_villages(demo_db, minh) == [] and not officials.may_address(demo_db, minh, None)


def test_a_refused_publish_changes_nothing(demo_db, config, tu):
    alert_id = alerts.create(demo_db, "flood", 5, "So tan ngay", None, actor=OPERATOR)     # the whole commune
    before = _counts(demo_db)
    with pytest.raises(Forbidden) as refused:
        alerts.publish(demo_db, config, alert_id, actor=tu)
    assert (refused.value.reason, refused.value.action) == ("commune", "alert.publish")
    assert alerts.get(demo_db, alert_id)["status"] == "draft" and _counts(demo_db) == before


@pytest.mark.parametrize("action", ["update", "cancel"])
def test_an_alert_that_reaches_a_village_outside_theirs_is_out_of_reach_too(demo_db, config, tu, action):
    both = [_village(demo_db, "Yên Nông"), _village(demo_db, "Bến Đò")]
    alert_id = alerts.create(demo_db, "flood", 4, "Nuoc len", both, actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    before = _counts(demo_db)
    with pytest.raises(Forbidden) as refused:
        if action == "update":
            alerts.update(demo_db, config, alert_id, level=5, actor=tu)
        else:
            alerts.cancel(demo_db, config, alert_id, actor=tu)
    assert refused.value.reason == "village"
    assert alerts.get(demo_db, alert_id)["status"] == "published" and _counts(demo_db) == before


def test_an_update_may_not_carry_a_warning_beyond_their_villages(demo_db, config, tu):
    alert_id = alerts.create(demo_db, "flood", 3, "Nuoc len", [_village(demo_db, "Yên Nông")], actor=tu)
    alerts.publish(demo_db, config, alert_id, actor=tu)
    with pytest.raises(Forbidden):
        alerts.update(demo_db, config, alert_id, actor=tu,
                      village_ids=[_village(demo_db, "Yên Nông"), _village(demo_db, "Bến Đò")])
    assert alerts.update(demo_db, config, alert_id, level=4, actor=tu) != alert_id     # his own village: yes


def test_a_change_of_villages_counts_at_once(demo_db, config, tu):
    alert_id = alerts.create(demo_db, "flood", 3, "Nuoc len", [_village(demo_db, "Yên Nông")], actor=tu)
    officials.set_villages(demo_db, tu.official_id, [_village(demo_db, "Bến Đò")], actor=OPERATOR)
    with pytest.raises(Forbidden):
        alerts.publish(demo_db, config, alert_id, actor=tu)      # the same Actor value, read again inside


def test_a_disabled_official_may_do_nothing(demo_db, config, tu):
    officials.set_disabled(demo_db, tu.official_id, True, actor=OPERATOR)
    with pytest.raises(Forbidden) as refused:
        alerts.create(demo_db, "flood", 3, "Nuoc len", [_village(demo_db, "Yên Nông")], actor=tu)
    assert refused.value.reason == "disabled"


def test_a_check_in_is_for_the_villages_of_who_starts_it(demo_db, config, tu):
    with pytest.raises(Forbidden):
        checkins.start(demo_db, config, [_village(demo_db, "Đồng Tâm")], actor=tu)
    with pytest.raises(Forbidden):
        checkins.start(demo_db, config, None, actor=tu)
    assert demo_db["checkins"].count == 0 and demo_db["outbox"].count == 0
    assert checkins.start(demo_db, config, [_village(demo_db, "Yên Nông")], actor=tu)["queued"] > 0


def test_only_the_terminal_acts_without_an_official():
    with pytest.raises(ValueError):
        Actor("web")
    with pytest.raises(ValueError):
        Actor("sms", 1, "x")
    assert Actor.operator("lan").name == "operator@lan" and Actor.operator().is_operator


# --- announcements ----------------------------------------------------------------------------


def test_an_association_leader_may_speak_but_not_warn(demo_db, config, hoa):
    draft = announcements.create(demo_db, hoa.official_id, _village(demo_db, "Yên Nông"), None, text="Hop hoi",
                                 actor=hoa)
    with pytest.raises(Forbidden) as refused:
        announcements.update_draft(demo_db, draft, kind="warning", level=4, actor=hoa)
    assert refused.value.reason == "warning" and announcements.get(demo_db, draft)["kind"] == "announcement"
    assert announcements.publish(demo_db, config, draft, fan_out=True, actor=hoa)["outcome"] == "published"


def test_an_instructor_records_nothing(demo_db):
    thu = _role(demo_db, "instructor")
    with pytest.raises(Forbidden) as refused:
        announcements.create(demo_db, thu.official_id, _village(demo_db, "Yên Nông"), None, text="x", actor=thu)
    assert refused.value.reason == "role" and demo_db["announcements"].count == 0
    assert not permissions.has_role(demo_db, thu, "announcement.create")


def test_only_the_author_or_the_chairman_publishes_an_announcement(demo_db, config, tu, hoa):
    draft = announcements.create(demo_db, hoa.official_id, _village(demo_db, "Yên Nông"), None, text="x", actor=hoa)
    with pytest.raises(Forbidden) as refused:
        announcements.publish(demo_db, config, draft, actor=tu)     # his village, not his announcement
    assert refused.value.reason == "author" and announcements.get(demo_db, draft)["status"] == "draft"
    chairman = _role(demo_db, "commune_chairman")
    assert announcements.publish(demo_db, config, draft, actor=chairman)["outcome"] == "published"


def test_approving_a_warning_is_for_who_may_warn_there(demo_db, tu, hoa, tmp_path):
    config = Config.from_env({}, HOTLINE_PUBLIC_URL=PUBLIC_URL, HOTLINE_ANNOUNCEMENT_APPROVAL="1",
                             HOTLINE_INSTANCE=str(tmp_path))
    draft = announcements.create(demo_db, tu.official_id, _village(demo_db, "Yên Nông"), None, text="x",
                                 kind="warning", level=4, actor=tu)
    announcements.publish(demo_db, config, draft, actor=tu)
    assert announcements.awaiting_approval(demo_db, hoa) == []        # she may approve announcements there, not this
    with pytest.raises(Forbidden) as refused:
        announcements.approve(demo_db, draft, config, actor=hoa)
    assert refused.value.reason == "warning" and demo_db["alerts"].count == 0
    chairman = _role(demo_db, "commune_chairman")
    assert announcements.approve(demo_db, draft, config, actor=chairman)["outcome"] == "approved"
    assert alerts.get(demo_db, announcements.get(demo_db, draft)["alert_id"])["status"] == "published"


def test_one_may_drop_ones_own_draft_after_losing_the_village(demo_db, tu):
    draft = announcements.create(demo_db, tu.official_id, _village(demo_db, "Yên Nông"), None, text="x", actor=tu)
    officials.set_villages(demo_db, tu.official_id, [], actor=OPERATOR)
    with pytest.raises(Forbidden):
        announcements.update_draft(demo_db, draft, level=2, actor=tu)
    assert announcements.cancel(demo_db, draft, actor=tu) == "cancelled"
    with pytest.raises(Forbidden):
        announcements.cancel(demo_db, announcements.create(demo_db, officials.by_phone(demo_db, "+84912500003")["id"],
                                                           None, None, text="y", actor=OPERATOR), actor=tu)


# --- lessons ----------------------------------------------------------------------------------


def _lesson(db, village="Yên Nông", association="women"):
    return lessons.create(db, "vneid", "Nha van hoa", FUTURE, 20, village_id=_village(db, village),
                          association=association, actor=OPERATOR)


def test_an_association_leader_runs_only_their_associations_lessons(demo_db, hoa):
    with pytest.raises(Forbidden) as refused:
        lessons.create(demo_db, "vneid", "Nha van hoa", FUTURE, 20, village_id=_village(demo_db, "Yên Nông"),
                       association="farmers", actor=hoa)
    assert refused.value.reason == "association"
    theirs = lessons.create(demo_db, "vneid", "Nha van hoa", FUTURE, 20, village_id=_village(demo_db, "Yên Nông"),
                            association="women", actor=hoa)
    assert lessons.set_capacity(demo_db, theirs, 25, actor=hoa) == []
    with pytest.raises(Forbidden):
        lessons.cancel_lesson(demo_db, _lesson(demo_db, association="farmers"), actor=hoa)


def test_an_instructor_marks_attendance_and_enrols_in_their_villages_and_does_nothing_else(demo_db):
    thu = _role(demo_db, "instructor")
    lan = residents.by_phone(demo_db, BA_LAN)["id"]
    here, elsewhere = _lesson(demo_db), _lesson(demo_db, village="Đồng Tâm")
    assert lessons.enrol_in_person(demo_db, here, lan, actor=thu)["outcome"] == "enrolled"
    with pytest.raises(Forbidden):
        lessons.enrol_in_person(demo_db, elsewhere, lan, actor=thu)
    for change in (lambda: lessons.cancel_lesson(demo_db, here, actor=thu),
                   lambda: lessons.set_capacity(demo_db, here, 5, actor=thu)):
        with pytest.raises(Forbidden) as refused:
            change()
        assert refused.value.reason == "role"
    demo_db["lessons"].update(here, {"starts_at": "2001-01-01T00:00:00.000000Z"})
    assert lessons.mark_attendance(demo_db, here, [lan], actor=thu)["outcome"] == "marked"
    assert lessons.enrolment(demo_db, here, lan)["marked_by"] == "Vũ Thị Thu"


# --- the residents register -------------------------------------------------------------------


def test_a_village_head_imports_and_exports_only_his_villages(demo_db, tu):
    csv = "phone,name,village\n0912555101,Mot,Yen Nong\n0912555102,Hai,Dong Tam\n0912555103,Ba,\n"
    report = registers.import_csv(demo_db, csv, actor=tu)
    assert report.imported == 1 and [(e.line, e.reason) for e in report.errors] == [
        (3, "not_your_village"), (4, "not_your_village")]
    assert residents.by_phone(demo_db, "+84912555102") is None
    moved = registers.import_csv(demo_db, f"phone,village\n{BA_LAN},Ben Do\n", actor=tu)   # out of his village
    assert moved.errors[0].reason == "not_your_village"
    assert residents.by_phone(demo_db, BA_LAN)["village_id"] == _village(demo_db, "Yên Nông")
    exported = registers.export_csv(demo_db, actor=tu).splitlines()[1:]
    assert exported and all(",Yên Nông," in line for line in exported)
    assert len(registers.export_csv(demo_db, actor=OPERATOR).splitlines()) > len(exported) + 1


def test_associations_and_instructors_keep_no_register(demo_db, hoa):
    for actor in (hoa, _role(demo_db, "instructor")):
        with pytest.raises(Forbidden):
            registers.export_csv(demo_db, actor=actor)
        with pytest.raises(Forbidden):
            registers.import_csv(demo_db, "phone\n0912555104\n", actor=actor)
    assert residents.by_phone(demo_db, "+84912555104") is None


def test_a_resident_is_moved_only_between_villages_of_whoever_moves_them(demo_db, tu):
    lan = residents.by_phone(demo_db, BA_LAN)
    with pytest.raises(Forbidden):
        records.update(demo_db, lan["id"], {**lan, "village_id": _village(demo_db, "Bến Đò")}, [], actor=tu)
    assert residents.get(demo_db, lan["id"])["village_id"] == lan["village_id"]
    with pytest.raises(Forbidden):
        records.add(demo_db, ANH_MINH, {"name": "Minh", "village_id": _village(demo_db, "Bến Đò")}, [], actor=tu)
    assert residents.by_phone(demo_db, ANH_MINH) is None


# --- the officials registry -------------------------------------------------------------------


def test_only_the_chairman_changes_the_registry(demo_db, tu):
    chairman = _role(demo_db, "commune_chairman")
    for change in (lambda a: officials.add(demo_db, "X", "instructor", ANH_MINH, None, "1234", actor=a),
                   lambda a: officials.new_pin(demo_db, tu.official_id, actor=a),
                   lambda a: officials.set_disabled(demo_db, chairman.official_id, True, actor=a)):
        with pytest.raises(Forbidden):
            change(tu)
    assert officials.by_phone(demo_db, ANH_MINH) is None
    assert officials.set_disabled(demo_db, chairman.official_id, True, actor=chairman) == "self"
    assert officials.get(demo_db, chairman.official_id)["disabled"] == 0
