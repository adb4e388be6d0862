import pytest

from hotline.domain import places, residents
from hotline.core.phones import InvalidPhone
from tests.conftest import ANH_MINH, BA_LAN


def test_it_registers_a_new_number_with_its_consent_source(demo_db):
    yen_nong = places.find_village(demo_db, "yen nong")
    resident, outcome = residents.register(demo_db, "0987 654 321", "sms", name="Minh", village_id=yen_nong["id"])
    assert outcome == "registered"
    assert resident["phone"] == ANH_MINH
    assert resident["consent_source"] == "sms" and resident["consent_at"]


def test_registering_a_known_number_updates_it(demo_db):
    resident, outcome = residents.register(demo_db, BA_LAN, "phone", prefers_voice=True)
    assert outcome == "updated"
    assert resident["name"] == "Nguyễn Thị Lan"
    assert resident["consent_source"] == "demo"


def test_it_refuses_an_invalid_number(db):
    with pytest.raises(InvalidPhone):
        residents.register(db, "12", "sms")


def test_opting_out_is_recorded_once_and_can_be_undone(demo_db):
    assert residents.opt_out(demo_db, BA_LAN, "sms") == "opted_out"
    assert residents.opt_out(demo_db, BA_LAN, "sms") == "already_out"
    assert residents.by_phone(demo_db, BA_LAN)["opted_out_channel"] == "sms"
    assert residents.opt_in(demo_db, BA_LAN, "sms") == "opted_in"
    assert residents.by_phone(demo_db, BA_LAN)["opted_out_at"] is None


def test_a_stranger_who_opts_out_is_remembered(db):
    assert residents.opt_out(db, ANH_MINH, "sms") == "opted_out"
    assert residents.by_phone(db, ANH_MINH)["opted_out_at"]


@pytest.mark.parametrize("typed", ["Yên Nông", "yen nong", "YENNONG", "  yen   Nông ", "yen nog", "Yen Nong."])
def test_it_finds_a_village_accent_blind_and_forgiving(demo_db, typed):
    assert places.find_village(demo_db, typed)["name"] == "Yên Nông"


def test_it_does_not_guess_between_similar_villages(demo_db):
    assert places.find_village(demo_db, "Yên") is None
    assert places.find_village(demo_db, "Hà Nội") is None


def test_the_demo_commune_is_loaded_idempotently(demo_db):
    from hotline import demo

    before = demo_db["residents"].count
    demo.load(demo_db)
    assert demo_db["residents"].count == before >= 40
    assert [v["name"] for v in places.villages(demo_db)][:2] == ["Yên Nông", "Yên Bái"]
    assert {a["code"] for a in places.associations(demo_db)} == {"women", "farmers", "youth"}
    members = demo_db.execute("SELECT COUNT(DISTINCT association_id) FROM memberships").fetchone()[0]
    assert members == 3
    flags = demo_db.execute("SELECT SUM(elderly), SUM(low_lying), SUM(prefers_voice) FROM residents").fetchone()
    assert all(n >= 4 for n in flags)


def test_only_a_choice_of_accents_outranks_the_communes_setting(demo_db):
    lan, _ = residents.register(demo_db, "+84912100001", "csv", sms_accents=False)    # a register row's 0
    assert residents.wants_accents(lan, commune_default=True) is True
    lan, _ = residents.register(demo_db, lan["phone"], "sms", accents_choice=True, sms_accents=False)
    assert residents.wants_accents(lan, commune_default=True) is False
    hoa, _ = residents.register(demo_db, "+84912100002", "admin", sms_accents=True)
    assert residents.wants_accents(hoa, commune_default=False) is True
    assert residents.wants_accents(None, commune_default=True) is True


def test_the_migration_keeps_earlier_choices_of_accents(tmp_path):
    from hotline.core import db as storage

    old = storage.connect(tmp_path / "old.db")
    storage.migrate(old, target=12)
    for n, accents in ((1, 1), (2, 0)):
        old.execute("INSERT INTO residents (phone, sms_accents, consent_source, consent_at, created_at, updated_at)"
                    " VALUES (?, ?, 'sms', 'x', 'x', 'x')", [f"+8491210000{n}", accents])
    storage.migrate(old)
    chosen = dict(old.execute("SELECT phone, sms_accents_chosen FROM residents ORDER BY phone").fetchall())
    assert chosen == {"+84912100001": 1, "+84912100002": 0}
