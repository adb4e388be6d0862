"""CAP <geocode>: the commune's official codes (HOTLINE_CAP_GEOCODES), read and shown in /health."""
from __future__ import annotations

import pytest

from hotline import geocodes

# Thắng Lợi's codes for these tests: commune 04378 in district 135 of province 15 (Yên Bái).
OURS = "commune=04378,district=135,province=15"


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
