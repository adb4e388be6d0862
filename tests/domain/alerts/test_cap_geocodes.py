"""CAP <geocode>: the commune's official codes out (HOTLINE_CAP_GEOCODES), and areas matched by code in."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hotline.domain import alerts, places
from hotline.domain.alerts import cap, geocodes
from tests.conftest import OPERATOR

SOURCE = (Path(__file__).parent / "cap" / "provincial_flood.xml").read_text("utf-8")
VI_AREA = "<area><areaDesc>Tỉnh Yên Bái; xã Thắng Lợi: thôn Yên Nông, thôn BEN DO</areaDesc></area>"
# Thắng Lợi's codes for these tests: commune 04378 in district 135 of province 15 (Yên Bái).
OURS = "commune=04378,district=135,province=15"
NS = {"cap": cap.NS}


@pytest.fixture
def coded(config):
    config["HOTLINE_CAP_GEOCODES"] = OURS
    return config


def _ids(db, *names):
    return [places.find_village(db, n)["id"] for n in names]


def _document(*areas):
    """The provincial flood alert with its Vietnamese <area> replaced: each area is (areaDesc, [(name, value)])."""
    xml = "".join(
        f"<area><areaDesc>{desc}</areaDesc>"
        + "".join(f"<geocode><valueName>{n}</valueName><value>{v}</value></geocode>" for n, v in codes)
        + "</area>" for desc, codes in areas)
    assert VI_AREA in SOURCE
    return SOURCE.replace(VI_AREA, xml)


def _geocodes(document):
    root = ET.fromstring(document)
    return [[(g.findtext("cap:valueName", namespaces=NS), g.findtext("cap:value", namespaces=NS))
             for g in area.findall("cap:geocode", NS)] for area in root.findall("cap:info/cap:area", NS)]


# --- the setting ---

@pytest.mark.parametrize("text, codes", [
    ("", {}),
    ("commune=04378,district=135,province=15", {"commune": "04378", "district": "135", "province": "15"}),
    (" province = 15 , commune = 04378 ", {"province": "15", "commune": "04378"}),   # no district since 2025
    ("commune=04378", {"commune": "04378"}),
])
def test_it_reads_the_commune_codes(text, codes):
    assert geocodes.parse_setting(text) == codes


@pytest.mark.parametrize("text, complaint", [
    ("04378", "not commune=, district= or province="),
    ("ward=04378", "not commune=, district= or province="),
    ("commune=4378", "commune code must be 5 digits"),
    ("commune=04378,province=015", "province code must be 2 digits"),
    ("commune=04378,district=13a", "district code must be 3 digits"),
    ("commune=04378,commune=04379", "commune is given twice"),
    ("district=135,province=15", "commune code is missing"),
])
def test_it_refuses_malformed_codes_saying_why(text, complaint):
    with pytest.raises(ValueError, match=complaint):
        geocodes.parse_setting(text)


@pytest.mark.parametrize("value, section", [
    ("", {"ok": True, "geocodes": "off"}),
    (OURS, {"ok": True, "geocodes": {"commune": "04378", "district": "135", "province": "15"}}),
    ("commune=4378", {"ok": False, "geocodes": "off",
                      "error": "HOTLINE_CAP_GEOCODES: the commune code must be 5 digits, not '4378'"}),
])
def test_health_shows_the_cap_geocodes(make_app, value, section):
    body = make_app(HOTLINE_CAP_GEOCODES=value).test_client().get("/health").get_json()
    assert body["cap"] == section
    assert body["ok"] is True     # an optional feature switched off never makes the hotline unhealthy


# --- export ---

@pytest.mark.parametrize("villages, area_desc", [(("Yên Nông", "Bến Đò"), "Yên Nông, Bến Đò"),
                                                 ((), "Thắng Lợi")])
def test_an_export_carries_the_commune_code_after_the_area_names(demo_db, coded, villages, area_desc):
    alert_id = alerts.create(demo_db, "flood", 4, "Nước lên", _ids(demo_db, *villages) or None, actor=OPERATOR)
    alerts.publish(demo_db, coded, alert_id, actor=OPERATOR)
    document = cap.export(demo_db, coded, alert_id)
    assert cap.validate(document) == []
    assert _geocodes(document) == [[("VN_GSO_COMMUNE", "04378")]]   # the commune's own code, not its parents'
    area = ET.fromstring(document).find("cap:info/cap:area", NS)
    assert [child.tag.split("}")[1] for child in area] == ["areaDesc", "geocode"]
    assert area.findtext("cap:areaDesc", namespaces=NS) == area_desc


@pytest.mark.parametrize("value", ["", "commune=4378"])
def test_an_export_has_no_geocode_without_valid_codes(demo_db, config, value):
    config["HOTLINE_CAP_GEOCODES"] = value
    alert_id = alerts.create(demo_db, "flood", 4, "Nước lên", _ids(demo_db, "Yên Nông"), actor=OPERATOR)
    document = cap.export(demo_db, config, alert_id)
    assert cap.validate(document) == [] and _geocodes(document) == [[]]


def test_a_coded_round_trip_keeps_the_villages(demo_db, coded):
    alert_id = alerts.create(demo_db, "flood", 3, "Nước lên", _ids(demo_db, "Đồng Tâm", "Yên Bái"),
                             expires_at="2099-01-01T12:00:00+07:00", actor=OPERATOR)
    alerts.publish(demo_db, coded, alert_id, actor=OPERATOR)
    document = cap.export(demo_db, coded, alert_id).replace(".%d<" % alert_id, ".other<")
    copy = alerts.get(demo_db, cap.import_alert(demo_db, coded, document, actor=OPERATOR)["id"])
    assert sorted(copy["village_ids"]) == sorted(_ids(demo_db, "Đồng Tâm", "Yên Bái"))


# --- import ---

COMMUNE, DISTRICT, PROVINCE = "VN_GSO_COMMUNE", "VN_GSO_DISTRICT", "VN_GSO_PROVINCE"
WHOLE = "commune"


@pytest.mark.parametrize("areas, expected", [
    ([("Xã Thắng Lợi", [(COMMUNE, "04378")])], WHOLE),
    ([("Commune 4378", [(COMMUNE, "4378")])], WHOLE),                       # leading zero dropped, no name of ours
    ([("Huyện Văn Chấn", [(DISTRICT, "135")])], WHOLE),
    ([("Tỉnh Yên Bái", [(PROVINCE, "15")])], WHOLE),
    ([("Các tỉnh miền núi phía Bắc", [(PROVINCE, "10"), (PROVINCE, "15")])], WHOLE),  # one of several
    ([("Yên Bái", [(PROVINCE, "15")])], WHOLE),                              # the province, not our village Yên Bái
    ([("thôn Đồng Tâm", [(DISTRICT, "135")])], WHOLE),                       # maybe another commune's Đồng Tâm
    ([("thôn Yên Nông", [(COMMUNE, "04378")])], ["Yên Nông"]),              # villages stay more specific
    ([("Tỉnh Yên Bái; xã Thắng Lợi: thôn Yên Nông, thôn BEN DO", [(PROVINCE, "15")])],
     ["Yên Nông", "Bến Đò"]),                                               # our commune named before them
    ([("Xã Thắng Lợi", [(COMMUNE, "04378")]), ("thôn Yên Nông", [])], WHOLE),  # the whole commune outranks
    ([("Xã Khác", [(COMMUNE, "04399")]), ("thôn Bến Đò", [])], ["Bến Đò"]),   # an uncoded area by its names
    ([("thôn Yên Nông", [("ISO3166-2", "VN-06")])], ["Yên Nông"]),          # a code list we do not know
])
def test_an_area_with_our_code_reaches_the_commune(demo_db, coded, areas, expected):
    result = cap.import_alert(demo_db, coded, _document(*areas), actor=OPERATOR)
    alert = alerts.get(demo_db, result["id"])
    if expected == WHOLE:
        assert (alert["scope"], alert["village_ids"]) == ("commune", [])
    else:
        assert alert["village_ids"] == _ids(demo_db, *expected)


@pytest.mark.parametrize("areas", [
    [("Xã Thắng Lợi", [(COMMUNE, "04399")])],                                # another Thắng Lợi commune
    [("Huyện Khác: thôn Yên Nông", [(DISTRICT, "136")])],
    [("Tỉnh Lào Cai; xã Thắng Lợi: thôn Yên Bái", [(PROVINCE, "10")])],
    [("Xã Thắng Lợi", [(COMMUNE, "04399"), ("ISO3166-2", "VN-06")])],
])
def test_another_units_code_is_not_ours_whatever_its_names(demo_db, coded, areas):
    with pytest.raises(cap.InvalidCap) as e:
        cap.import_alert(demo_db, coded, _document(*areas), actor=OPERATOR)
    assert e.value.reason == "no_area"
    assert demo_db["alerts"].count == 0


@pytest.mark.parametrize("setting, areas, expected", [
    ("", [("Xã Thắng Lợi", [(COMMUNE, "04399")])], WHOLE),                 # no setting: names, as before
    ("", [("thôn Yên Nông", [(PROVINCE, "10")])], ["Yên Nông"]),
    ("commune=4378", [("thôn Yên Nông", [(COMMUNE, "04399")])], ["Yên Nông"]),   # malformed = off
    ("commune=04378", [("Xã Thắng Lợi", [(DISTRICT, "136")])], WHOLE),      # no district set: cannot judge it
])
def test_without_codes_to_judge_areas_go_by_name_as_before(demo_db, config, setting, areas, expected):
    config["HOTLINE_CAP_GEOCODES"] = setting
    alert = alerts.get(demo_db, cap.import_alert(demo_db, config, _document(*areas), actor=OPERATOR)["id"])
    assert alert["village_ids"] == ([] if expected == WHOLE else _ids(demo_db, *expected))
    assert alert["scope"] == ("commune" if expected == WHOLE else "villages")


def test_a_bad_setting_is_logged_once_not_on_every_export_and_import(demo_db, config, make_app, monkeypatch, caplog):
    monkeypatch.setattr(geocodes, "_REPORTED", set())     # as in a fresh process
    config["HOTLINE_CAP_GEOCODES"] = "commune=4378"
    alert_id = alerts.create(demo_db, "flood", 4, "Nước lên", _ids(demo_db, "Yên Nông"), actor=OPERATOR)
    with caplog.at_level("ERROR", logger="hotline.domain.alerts.geocodes"):
        for n in range(3):
            cap.export(demo_db, config, alert_id)
            cap.import_alert(demo_db, config, SOURCE.replace("-01</identifier>", f"-1{n}</identifier>"), actor=OPERATOR)
    logged = [r.getMessage() for r in caplog.records if r.name == "hotline.domain.alerts.geocodes"]
    assert logged == ["HOTLINE_CAP_GEOCODES: the commune code must be 5 digits, not '4378'; CAP geocodes are off"]
    body = make_app(HOTLINE_CAP_GEOCODES="commune=4378").test_client().get("/health").get_json()
    assert body["cap"]["error"] == "HOTLINE_CAP_GEOCODES: the commune code must be 5 digits, not '4378'"
