"""Our villages in a CAP areaDesc by name: a village that another commune's name claims is not ours."""
from __future__ import annotations

from pathlib import Path

import pytest

from hotline.domain import alerts, places
from hotline.domain.alerts import areadesc, cap
from tests.conftest import OPERATOR

SOURCE = (Path(__file__).parent / "cap" / "provincial_flood.xml").read_text("utf-8")

WHOLE = "commune"      # the areaDesc names our commune Thắng Lợi itself


def _ids(db, *names):
    return [places.find_village(db, n)["id"] for n in names]


@pytest.mark.parametrize("area, villages, commune_named", [
    # ours: bare, or owned by our commune before or after them
    ("thôn Yên Nông", ["Yên Nông"], False),
    ("Tỉnh Yên Bái; xã Thắng Lợi: thôn Yên Nông, thôn BEN DO", ["Yên Nông", "Bến Đò"], True),
    ("xã Thắng Lợi (thôn Yên Nông, thôn Bến Đò)", ["Yên Nông", "Bến Đò"], True),
    ("thôn Yên Nông, xã Thắng Lợi, huyện Văn Chấn, tỉnh Yên Bái", ["Yên Nông"], True),
    ("thôn Yên Nông (xã Thắng Lợi)", ["Yên Nông"], True),
    ("các thôn Yên Nông, Bến Đò thuộc xã Thắng Lợi", ["Yên Nông", "Bến Đò"], True),
    ("thôn Đồng Tâm, phường Thắng Lợi", ["Đồng Tâm"], True),
    # another commune's village of the same name
    ("xã Bản Xèo: thôn Yên Nông", [], False),
    ("Tỉnh Lào Cai; xã Bản Xèo: thôn Yên Nông, thôn Bến Đò", [], False),
    ("xã Bản Xèo (thôn Yên Nông)", [], False),
    ("thôn Yên Nông, xã Bản Xèo, huyện Bát Xát", [], False),
    ("thôn Yên Nông, thôn Bến Đò, xã Bản Xèo", [], False),
    ("thôn Yên Nông (xã Bản Xèo)", [], False),
    ("các thôn Yên Nông, Bến Đò thuộc thị trấn Bát Xát", [], False),
    ("Huyện Thắng Lợi: thôn Đồng Tâm", ["Đồng Tâm"], False),          # a district is not our commune, owns nothing
    # both in one areaDesc: each village goes with its own commune
    ("xã Bản Xèo: thôn Yên Nông; xã Thắng Lợi: thôn Bến Đò", ["Bến Đò"], True),
    ("xã Thắng Lợi: thôn Yên Nông, xã Bản Xèo: thôn Bến Đò", ["Yên Nông"], True),
    ("thôn Yên Nông (xã Bản Xèo), thôn Bến Đò (xã Thắng Lợi)", ["Bến Đò"], True),
    ("xã Bản Xèo (thôn Nà Hẩu), thôn Yên Nông", ["Yên Nông"], False),     # the brackets end Bản Xèo's villages
    # ambiguous: a list of places or an address? Ours, for an official to judge in the draft
    ("xã Bản Xèo, thôn Yên Nông", ["Yên Nông"], False),
    ("thôn Yên Nông và xã Bản Xèo", ["Yên Nông"], False),
    ("xã Bản Xèo, xã Thắng Lợi: thôn Yên Nông", ["Yên Nông"], True),
])
def test_it_takes_only_the_villages_no_other_commune_owns(demo_db, area, villages, commune_named):
    assert areadesc.match_villages(demo_db, [area]) == (_ids(demo_db, *villages), commune_named)


def _document(area):
    old = "Tỉnh Yên Bái; xã Thắng Lợi: thôn Yên Nông, thôn BEN DO"
    assert old in SOURCE
    return SOURCE.replace(old, area)


@pytest.mark.parametrize("area", ["xã Bản Xèo: thôn Yên Nông", "thôn Yên Nông, xã Bản Xèo, huyện Bát Xát"])
def test_a_provincial_alert_for_another_communes_namesake_makes_no_draft(demo_db, config, area):
    with pytest.raises(cap.InvalidCap) as e:
        cap.import_alert(demo_db, config, _document(area), actor=OPERATOR)
    assert e.value.reason == "no_area"
    assert demo_db["alerts"].count == 0


@pytest.mark.parametrize("area, expected", [
    ("Tỉnh Lào Cai; xã Bản Xèo: thôn Yên Nông; tỉnh Yên Bái; xã Thắng Lợi: thôn Bến Đò", ["Bến Đò"]),
    ("thôn Yên Nông (xã Thắng Lợi)", ["Yên Nông"]),
    ("xã Bản Xèo: thôn Yên Nông; xã Thắng Lợi", WHOLE),
])
def test_a_provincial_alert_reaches_only_our_villages_of_the_names(demo_db, config, area, expected):
    alert = alerts.get(demo_db, cap.import_alert(demo_db, config, _document(area), actor=OPERATOR)["id"])
    assert alert["village_ids"] == ([] if expected == WHOLE else _ids(demo_db, *expected))
    assert alert["scope"] == ("commune" if expected == WHOLE else "villages")
