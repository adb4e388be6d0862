"""Managing the registry (what the admin's officials pages do): edit, new PIN, disable, the last chairman."""
import pytest

from hotline.domain import officials, places
from tests.conftest import ANH_MINH, ONG_TU, OPERATOR


def _village(db, name):
    return places.find_village(db, name)["id"]


@pytest.fixture
def minh(demo_db):
    """anh Minh, newly made head of Bến Đò."""
    return officials.add(demo_db, "Trần Minh", "village_head", "0987 654 321", [_village(demo_db, "Bến Đò")], "9876",
                         actor=OPERATOR)


def _chairman(db):
    return next(o for o in officials.listing(db) if o["role"] == "commune_chairman")


def test_it_changes_name_role_phone_and_villages(demo_db, minh):
    officials.update(demo_db, minh, " Trần Văn Minh ", "instructor", "0987 000 111",
                     [_village(demo_db, "Yên Nông"), _village(demo_db, "Bến Đò")], actor=OPERATOR)
    row = officials.get(demo_db, minh)
    assert (row["name"], row["role"], row["phone"], row["commune_wide"]) == ("Trần Văn Minh", "instructor",
                                                                            "+84987000111", 0)
    assert row["village_ids"] == sorted([_village(demo_db, "Yên Nông"), _village(demo_db, "Bến Đò")])
    assert officials.by_phone(demo_db, ANH_MINH) is None


def test_no_villages_means_the_whole_commune_and_an_association_is_kept(demo_db, minh):
    officials.update(demo_db, minh, "Trần Minh", "association_leader", ANH_MINH, None, "farmers", actor=OPERATOR)
    row = officials.get(demo_db, minh)
    assert row["commune_wide"] == 1 and row["village_ids"] == [] and row["association_id"] is not None
    assert officials.may_address(demo_db, minh, None)


@pytest.mark.parametrize("role, phone, association, reason", [
    ("mayor", ANH_MINH, None, "bad_role"),
    ("village_head", ONG_TU, None, "duplicate_phone"),
    ("association_leader", ANH_MINH, "chess", "unknown_association"),
])
def test_a_bad_change_is_refused_with_a_reason_and_changes_nothing(demo_db, minh, role, phone, association, reason):
    before = officials.get(demo_db, minh)
    with pytest.raises(officials.InvalidOfficial) as e:
        officials.update(demo_db, minh, "X", role, phone, None, association, actor=OPERATOR)
    assert e.value.reason == reason
    assert officials.get(demo_db, minh) == before


def test_a_new_pin_is_random_works_at_once_and_lifts_a_lock(demo_db, minh):
    for _ in range(3):
        officials.check_pin(demo_db, minh, "0000")
    assert officials.locked(demo_db, minh)
    pins = {officials.new_pin(demo_db, minh, actor=OPERATOR) for _ in range(5)}
    assert len(pins) > 1 and all(len(p) == 6 and p.isdigit() for p in pins)
    last = officials.new_pin(demo_db, minh, actor=OPERATOR)
    assert not officials.locked(demo_db, minh)
    assert officials.check_pin(demo_db, minh, last) == "ok"
    assert last not in officials.get(demo_db, minh)["pin_hash"]


def test_it_disables_and_enables_again(demo_db, minh):
    assert officials.set_disabled(demo_db, minh, True, actor=OPERATOR) == "disabled"
    assert not officials.may_address(demo_db, minh, _village(demo_db, "Bến Đò"))
    assert officials.set_disabled(demo_db, minh, False, actor=OPERATOR) == "enabled"
    assert officials.may_address(demo_db, minh, _village(demo_db, "Bến Đò"))


def test_the_last_enabled_chairman_can_be_neither_disabled_nor_demoted(demo_db, minh):
    chairman = _chairman(demo_db)
    assert officials.set_disabled(demo_db, chairman["id"], True, actor=OPERATOR) == "last_chairman"
    with pytest.raises(officials.InvalidOfficial) as e:
        officials.update(demo_db, chairman["id"], chairman["name"], "village_head", chairman["phone"], None,
                         actor=OPERATOR)
    assert e.value.reason == "last_chairman"
    assert officials.get(demo_db, chairman["id"])["disabled"] == 0

    officials.update(demo_db, minh, "Trần Minh", "commune_chairman", ANH_MINH, None,
                     actor=OPERATOR)   # a second chairman
    assert officials.set_disabled(demo_db, chairman["id"], True, actor=OPERATOR) == "disabled"
    assert officials.set_disabled(demo_db, minh, True, actor=OPERATOR) == "last_chairman"
