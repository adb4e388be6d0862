"""CAP 1.2: exports valid against the OASIS schema, round trips, imports from the province, refusals with reasons."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotline.domain import alerts
from hotline.domain.alerts import cap
from tests.conftest import OPERATOR

HERE = Path(__file__).parent / "cap"


def _villages(db, *names):
    from hotline.domain import places

    return [places.find_village(db, n)["id"] for n in names]


@pytest.mark.parametrize("level, severity, urgency", [(1, "Minor", "Future"), (3, "Severe", "Expected"),
                                                      (4, "Severe", "Immediate"), (5, "Extreme", "Immediate")])
def test_an_export_is_valid_cap_with_the_mapped_severity(demo_db, config, level, severity, urgency):
    alert_id = alerts.create(demo_db, "flood", level, "Nước lên", _villages(demo_db, "Yên Nông", "Bến Đò"),
                             actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    document = cap.export(demo_db, config, alert_id)
    assert cap.validate(document) == []
    assert f"<severity>{severity}</severity>" in document and f"<urgency>{urgency}</urgency>" in document
    assert "<areaDesc>Yên Nông, Bến Đò</areaDesc>" in document and "<language>vi-VN</language>" in document
    assert re.search(r"<sent>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00</sent>", document)


def test_update_and_cancel_export_their_references(demo_db, config):
    first = alerts.create(demo_db, "storm", 3, "Bão", None, actor=OPERATOR)
    alerts.publish(demo_db, config, first, actor=OPERATOR)
    second = alerts.update(demo_db, config, first, level=4, actor=OPERATOR)
    third = alerts.cancel(demo_db, config, second, actor=OPERATOR)
    update, cancel = cap.export(demo_db, config, second), cap.export(demo_db, config, third)
    assert "<msgType>Update</msgType>" in update and f"loalang.thang loi.{first}".replace(" ", "-") in update
    assert "<msgType>Cancel</msgType>" in cancel and f".{second}," in cancel
    assert cap.validate(update) == cap.validate(cancel) == []
    assert "<areaDesc>Thắng Lợi</areaDesc>" in update   # the whole commune


def test_a_round_trip_keeps_kind_level_text_villages_and_expiry(demo_db, config):
    alert_id = alerts.create(demo_db, "landslide", 5, "Sạt lở đồi sau thôn", _villages(demo_db, "Đồng Tâm"),
                             expires_at="2099-01-01T12:00:00+07:00", actor=OPERATOR)
    alerts.publish(demo_db, config, alert_id, actor=OPERATOR)
    document = cap.export(demo_db, config, alert_id).replace(".%d<" % alert_id, ".other<")
    imported = cap.import_alert(demo_db, config, document, actor=OPERATOR)
    copy, original = alerts.get(demo_db, imported["id"]), alerts.get(demo_db, alert_id)
    for field in ("kind", "level", "text", "village_ids", "expires_at", "scope"):
        assert copy[field] == original[field], field
    assert (copy["status"], copy["source"]) == ("draft", "cap")


def test_a_provincial_alert_becomes_a_draft_for_the_villages_it_names(demo_db, config):
    result = cap.import_alert(demo_db, config, (HERE / "provincial_flood.xml").read_bytes(), actor=OPERATOR)
    alert = alerts.get(demo_db, result["id"])
    assert (result["outcome"], alert["kind"], alert["level"]) == ("imported", "flood", 4)
    assert alert["village_ids"] == _villages(demo_db, "Yên Nông", "Bến Đò")
    assert alert["text"].startswith("Mưa lớn") and "nơi cao" in alert["text"]
    assert alert["expires_at"] == "2099-11-26T11:00:00.000000Z" and alert["status"] == "draft"
    again = cap.import_alert(demo_db, config, (HERE / "provincial_flood.xml").read_bytes(), actor=OPERATOR)
    assert again == {"id": result["id"], "outcome": "duplicate"}


def test_a_provincial_update_and_cancel_follow_the_imported_alert(demo_db, config):
    source = (HERE / "provincial_flood.xml").read_text("utf-8")
    first = cap.import_alert(demo_db, config, source, actor=OPERATOR)["id"]
    alerts.publish(demo_db, config, first, actor=OPERATOR)
    refs = "<references>pctt@yenbai.gov.vn,VN-YB-PCTT-2026-1125-01,2026-11-25T14:00:00+07:00</references>"
    update = (source.replace("-01</identifier>", "-02</identifier>").replace("<msgType>Alert", "<msgType>Update")
              .replace("<scope>Public</scope>", "<scope>Public</scope>" + refs).replace("Severe", "Extreme"))
    result = cap.import_alert(demo_db, config, update, actor=OPERATOR)
    assert result["outcome"] == "updated" and alerts.get(demo_db, first)["status"] == "superseded"
    assert alerts.get(demo_db, result["id"])["level"] == 5
    cancel = update.replace("-02</identifier>", "-03</identifier>").replace("<msgType>Update", "<msgType>Cancel")
    cancel = cancel.replace("1125-01,", "1125-02,")
    assert cap.import_alert(demo_db, config, cancel, actor=OPERATOR)["outcome"] == "cancelled"
    assert alerts.get(demo_db, result["id"])["status"] == "cancelled"


def test_naming_the_commune_targets_the_whole_commune(demo_db, config):
    document = (HERE / "provincial_flood.xml").read_text("utf-8").replace(": thôn Yên Nông, thôn BEN DO", "")
    alert = alerts.get(demo_db, cap.import_alert(demo_db, config, document, actor=OPERATOR)["id"])
    assert (alert["scope"], alert["village_ids"]) == ("commune", [])


def _broken(source, old, new):
    assert old in source
    return source.replace(old, new)


SOURCE = (HERE / "provincial_flood.xml").read_text("utf-8")


@pytest.mark.parametrize("document, reason", [
    ("not xml at all", "schema"),
    (_broken(SOURCE, "<status>Actual</status>", "<status>Bogus</status>"), "schema"),
    (_broken(SOURCE, "<sent>2026-11-25T14:00:00+07:00</sent>", "<sent>yesterday</sent>"), "schema"),
    (_broken(SOURCE, "cap:1.2", "cap:1.1"), "schema"),
    (_broken(SOURCE, "<scope>Public</scope>", ""), "schema"),
    (_broken(SOURCE, "<status>Actual</status>", "<status>Exercise</status>"), "status"),
    (_broken(SOURCE, "<msgType>Alert</msgType>", "<msgType>Ack</msgType>"), "msg_type"),
    (SOURCE.replace("2099-11-26", "2001-11-26"), "expired"),
    (_broken(SOURCE, "Tỉnh Yên Bái; xã Thắng Lợi: thôn Yên Nông, thôn BEN DO", "Tỉnh Lào Cai; xã Bản Xèo"), "no_area"),
    (_broken(SOURCE, "<msgType>Alert</msgType>", "<msgType>Cancel</msgType>"), "unknown_reference"),
])
def test_an_invalid_cap_file_is_refused_with_the_reason(demo_db, config, document, reason):
    with pytest.raises(cap.InvalidCap) as e:
        cap.import_alert(demo_db, config, document, actor=OPERATOR)
    assert e.value.reason == reason
    assert demo_db["alerts"].count == 0


def test_the_schema_is_the_oasis_one():
    text = cap.SCHEMA.read_text("utf-8")
    assert "Copyright OASIS Open 2010" in text and 'targetNamespace="urn:oasis:names:tc:emergency:cap:1.2"' in text


def test_a_file_over_the_size_limit_is_refused_unparsed(demo_db, config):
    padded = SOURCE.replace("</alert>", "<!--" + "x" * cap.MAX_BYTES + "--></alert>")
    with pytest.raises(cap.InvalidCap) as e:
        cap.import_alert(demo_db, config, padded.encode(), actor=OPERATOR)
    assert e.value.reason == "too_large" and demo_db["alerts"].count == 0


def test_a_text_longer_than_an_official_may_type_is_refused(demo_db, config):
    long = _broken(SOURCE, "Di chuyển người già và trẻ em đến nơi cao.", "Di chuyển. " * 60)
    with pytest.raises(cap.InvalidCap) as e:
        cap.import_alert(demo_db, config, long, actor=OPERATOR)
    assert e.value.reason == "too_long" and int(e.value.detail) > cap.MAX_TEXT
    assert demo_db["alerts"].count == 0

