"""The officials registry on an in-memory database: roles, villages, PIN lockout, hashed secrets."""
import pytest

from hotline.domain import officials, places
from hotline.demo import officials as officials_demo
from hotline.core.phones import InvalidPhone
from tests.conftest import ANH_MINH, ONG_TU, OPERATOR


def _village(db, name):
    return places.find_village(db, name)["id"]


@pytest.fixture
def minh(demo_db):
    """anh Minh, newly made head of Bến Đò."""
    return officials.add(demo_db, "Trần Minh", "village_head", "0987 654 321", [_village(demo_db, "Bến Đò")], "9876",
                         password="ben-do-2026", actor=OPERATOR)


def test_it_stores_the_number_in_e164_and_never_the_pin_or_password(demo_db, minh):
    row = officials.get(demo_db, minh)
    assert row["phone"] == ANH_MINH
    assert "9876" not in row["pin_hash"] and row["pin_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "ben-do-2026" not in row["password_hash"]
    assert officials.hash_secret("9876") != officials.hash_secret("9876")  # salted


@pytest.mark.parametrize("role, phone, pin, password, reason", [
    ("mayor", "0987654399", "1234", None, "bad_role"),
    ("village_head", "0987654399", "12", None, "bad_pin"),
    ("village_head", "0987654399", "12ab", None, "bad_pin"),
    ("village_head", "0987654399", "1234", "short", "short_password"),
    ("village_head", ONG_TU, "1234", None, "duplicate_phone"),
])
def test_it_refuses_bad_registrations_with_a_reason(demo_db, role, phone, pin, password, reason):
    before = len(officials.listing(demo_db))
    with pytest.raises(officials.InvalidOfficial) as e:
        officials.add(demo_db, "X", role, phone, None, pin, password, actor=OPERATOR)
    assert e.value.reason == reason
    assert ONG_TU not in str(e.value)           # an error's text may reach a log: never a whole number
    assert len(officials.listing(demo_db)) == before


def test_it_refuses_a_number_that_is_not_a_phone(demo_db):
    with pytest.raises(InvalidPhone):
        officials.add(demo_db, "X", "instructor", "12", None, "1234", actor=OPERATOR)


def test_it_lets_a_village_head_address_only_their_villages(demo_db, minh):
    ben_do, yen_nong = _village(demo_db, "Bến Đò"), _village(demo_db, "Yên Nông")
    assert officials.may_address(demo_db, minh, ben_do)
    assert not officials.may_address(demo_db, minh, yen_nong)
    assert not officials.may_address(demo_db, minh, None)  # the whole commune
    assert [v["name"] for v in officials.addressable_villages(demo_db, minh)] == ["Bến Đò"]


def test_it_lets_the_commune_chairman_address_everyone(demo_db):
    chairman = next(o for o in officials.listing(demo_db) if o["role"] == "commune_chairman")
    assert officials.may_address(demo_db, chairman["id"], None)
    assert len(officials.addressable_villages(demo_db, chairman["id"])) == 4


def test_a_disabled_official_may_address_nobody_and_cannot_log_in(demo_db, minh):
    assert officials.set_disabled(demo_db, minh, True, actor=OPERATOR) == "disabled"
    assert not officials.may_address(demo_db, minh, _village(demo_db, "Bến Đò"))
    assert officials.check_password(demo_db, ANH_MINH, "ben-do-2026") is None
    assert officials.check_pin(demo_db, minh, "9876") == "locked"


def test_it_locks_pin_entry_after_three_wrong_pins_for_a_while(demo_db, minh):
    t0 = "2026-11-25T13:00:00.000000Z"
    assert [officials.check_pin(demo_db, minh, "0000", now=t0) for _ in range(3)] == ["wrong", "wrong", "locked"]
    assert officials.check_pin(demo_db, minh, "9876", now="2026-11-25T13:29:00.000000Z") == "locked"
    assert officials.check_pin(demo_db, minh, "9876", now="2026-11-25T13:31:00.000000Z") == "ok"


def test_a_right_pin_resets_the_count_of_wrong_ones(demo_db, minh):
    t0 = "2026-11-25T13:00:00.000000Z"
    results = [officials.check_pin(demo_db, minh, pin, now=t0) for pin in ("0000", "0000", "9876", "0000", "0000")]
    assert results == ["wrong", "wrong", "ok", "wrong", "wrong"]


def test_the_lockout_is_configurable(demo_db, minh):
    t0 = "2026-11-25T13:00:00.000000Z"
    assert officials.check_pin(demo_db, minh, "0", max_attempts=1, lock_minutes=5, now=t0) == "locked"
    assert officials.check_pin(demo_db, minh, "9876", now="2026-11-25T13:06:00.000000Z") == "ok"


def test_set_pin_changes_the_pin_and_lifts_the_lock(demo_db, minh):
    for _ in range(3):
        officials.check_pin(demo_db, minh, "0000")
    officials.set_pin(demo_db, minh, "5555", actor=OPERATOR)
    assert officials.check_pin(demo_db, minh, "9876") == "wrong"
    assert officials.check_pin(demo_db, minh, "5555") == "ok"


@pytest.mark.parametrize("login, password, found", [
    ("0987654321", "ben-do-2026", True),
    (ANH_MINH, "ben-do-2026", True),
    (ANH_MINH, "ben-do-2027", False),
    (ANH_MINH, "", False),
    ("0987000000", "ben-do-2026", False),
    ("not a number", "ben-do-2026", False),
])
def test_check_password_finds_the_official_only_with_the_right_password(demo_db, minh, login, password, found):
    result = officials.check_password(demo_db, login, password)
    assert (result["id"] if result else None) == (minh if found else None)


def test_an_official_without_a_web_password_cannot_log_in(demo_db):
    official_id = officials.add(demo_db, "Thu", "instructor", "0987000111", None, "1234", actor=OPERATOR)
    assert officials.check_password(demo_db, "0987000111", "") is None
    officials.set_password(demo_db, official_id, "long-enough", actor=OPERATOR)
    assert officials.check_password(demo_db, "0987000111", "long-enough")["id"] == official_id


def test_malformed_hashes_never_match():
    for stored in (None, "", "plain", "scrypt$1$2$3$zz$yy", "bcrypt$x$y$z$a$b", "$argon2id$v=19$m=19456,t=2,p=1$zz$yy",
                   "$argon2id$garbage"):
        assert not officials.verify_secret("1234", stored)


def test_the_demo_officials_are_loaded_once_with_their_documented_pins(demo_db):
    tu = officials.by_phone(demo_db, ONG_TU)
    assert tu["role"] == "village_head" and officials.may_address(demo_db, tu["id"], _village(demo_db, "Yên Nông"))
    assert officials.check_pin(demo_db, tu["id"], "2468") == "ok"
    assert {o["role"] for o in officials.listing(demo_db)} == set(officials.ROLES)
    assert sum(o["role"] == "association_leader" for o in officials.listing(demo_db)) == 3
    assert officials_demo.load(demo_db) == 0
