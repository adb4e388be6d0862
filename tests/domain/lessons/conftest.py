"""Lessons fixtures: a lesson factory on the demo commune, and residents by persona."""
from __future__ import annotations

import pytest

from hotline.domain import lessons, places, residents
from tests.conftest import BA_LAN, CHI_HOA, ONG_TU, OPERATOR

FUTURE = "2030-03-05T01:00:00.000000Z"     # 8:00 on a Tuesday in Vietnam


@pytest.fixture
def new_lesson(demo_db):
    """new_lesson(capacity=…, waitlist=…, **fields) -> the lesson row, in Yên Nông, far in the future."""

    def make(db=demo_db, capacity=20, **fields):
        fields.setdefault("village_id", places.find_village(db, "Yên Nông")["id"])
        lesson_id = lessons.create(db, fields.pop("topic", "vneid"), fields.pop("place", "Nhà văn hóa thôn Yên Nông"),
                                   fields.pop("starts_at", None) or FUTURE, capacity, **fields, actor=OPERATOR)
        return lessons.get(db, lesson_id)

    return make


def resident_id(db, phone):
    return residents.by_phone(db, phone)["id"]


@pytest.fixture
def people(demo_db):
    """Persona name -> resident id."""
    return {"ba_lan": resident_id(demo_db, BA_LAN), "ong_tu": resident_id(demo_db, ONG_TU),
            "chi_hoa": resident_id(demo_db, CHI_HOA)}
