"""The offline dependency audit (tools/audit.py) reads OSV ranges the way OSV means them."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import audit  # noqa: E402

RANGES = [
    {"introduced": "0"}, {"fixed": "1.26.17"},
    {"introduced": "2.0.0"}, {"fixed": "2.0.6"},
]


@pytest.mark.parametrize("version, affected", [
    ("1.0", True), ("1.26.16", True), ("1.26.17", False), ("1.26.20", False),
    ("2.0.0", True), ("2.0.5", True), ("2.0.6", False), ("2.8.0", False),
    ("2.0.0rc1", False),  # a pre-release sorts before 2.0.0, in the gap between the two ranges
])
def test_it_reads_two_ranges_in_one_record(version, affected):
    assert audit.is_affected(version, RANGES) is affected


@pytest.mark.parametrize("events, version, affected", [
    ([{"introduced": "3.1.0"}, {"fixed": "3.1.1"}], "3.1.0", True),
    ([{"introduced": "3.1.0"}, {"fixed": "3.1.1"}], "3.0.9", False),
    ([{"introduced": "0"}, {"last_affected": "8.3.2"}], "8.3.2", True),
    ([{"introduced": "0"}, {"last_affected": "8.3.2"}], "8.3.3", False),
    ([{"introduced": "0"}], "99.0", True),           # no fix published: every version
    ([{"introduced": "0"}, {}], "2.15.1", True),     # an empty event, as some records carry
    ([{"introduced": "1.22.0rc1"}, {"fixed": "1.22.0"}], "1.22.0rc2", True),
])
def test_it_follows_osv_event_semantics(events, version, affected):
    assert audit.is_affected(version, events) is affected


def test_it_names_the_lowest_fix_above_the_installed_version():
    assert audit.fixed_in("1.26.16", RANGES) == "1.26.17"
    assert audit.fixed_in("2.0.1", RANGES) == "2.0.6"
    assert audit.fixed_in("1.0", [{"introduced": "0"}]) is None


DATA = {
    "retrieved": "2026-11-25",
    "sources": [{"repo": "example/advisories", "what": "a tiny synthetic set"}],
    "checked_packages": ["flask", "click", "jinja2"],
    "not_transcribed": {"jinja2": ["PYSEC-0000-1"]},
    "advisories": [
        {"package": "click", "id": "PYSEC-1", "aliases": ["CVE-1"], "summary": "edit() injection",
         "events": [{"introduced": "0"}, {"fixed": "8.3.3"}]},
        {"package": "Flask", "id": "PYSEC-2", "aliases": [], "summary": "old",
         "events": [{"introduced": "0"}, {"fixed": "2.2.5"}]},
        {"package": "flask", "id": "PYSEC-3", "aliases": [], "summary": "withdrawn", "withdrawn": "2026-06-09",
         "events": [{"introduced": "0"}]},
    ],
}


def test_it_flags_only_affected_installed_versions_and_says_what_it_did_not_check():
    rows = {r[0]: r for r in audit.audit({"flask": "3.1.3", "click": "8.1.8", "vosk": "0.3.45"}, DATA)}
    assert rows["flask"][2] == "ok"  # the old range misses, the withdrawn record is skipped
    assert rows["click"][2] == "AFFECTED"
    assert [(adv["id"], fix) for adv, fix in rows["click"][3]] == [("PYSEC-1", "8.3.3")]
    assert rows["vosk"][2] == "not checked"


def test_it_exits_non_zero_only_when_something_is_affected(capsys):
    assert audit.report(audit.audit({"click": "8.1.8"}, DATA), DATA) == 1
    assert audit.report(audit.audit({"click": "8.3.3", "jinja2": "3.1.6"}, DATA), DATA) == 0
    out = capsys.readouterr().out
    assert "PYSEC-1 (CVE-1): edit() injection; fixed in 8.3.3" in out
    assert "incomplete: 1 listed advisories were not transcribed" in out


IGNORES = [{"package": "Click", "id": "PYSEC-1", "reason": "edit() is never called",
            "reviewed": "2026-11-25"}]


def test_an_ignored_finding_is_printed_with_its_reason_and_does_not_fail(capsys):
    assert audit.report(audit.audit({"click": "8.1.8"}, DATA), DATA, ignores=IGNORES) == 0
    out = capsys.readouterr().out
    assert "ignored (reviewed)" in out
    assert "IGNORED PYSEC-1 (CVE-1): edit() injection; fixed in 8.3.3" in out
    assert "reason (reviewed 2026-11-25): edit() is never called" in out
    assert "1 packages, 0 affected, 1 findings ignored" in out
    assert "WARNING" not in out


def test_a_finding_not_in_the_ignore_list_still_fails(capsys):
    data = dict(DATA, advisories=DATA["advisories"] + [
        {"package": "click", "id": "PYSEC-4", "aliases": [], "summary": "another",
         "events": [{"introduced": "8.0"}, {"fixed": "8.2"}]}])
    assert audit.report(audit.audit({"click": "8.1.8"}, data), data, ignores=IGNORES) == 1
    out = capsys.readouterr().out
    assert "click                  8.1.8              AFFECTED" in out
    assert "IGNORED PYSEC-1" in out and "\n    PYSEC-4 (PYSEC-4): another; fixed in 8.2" in out
    assert "1 packages, 1 affected, 1 findings ignored" in out


def test_an_ignore_entry_that_matches_nothing_is_reported(capsys):
    stale = IGNORES + [{"package": "flask", "id": "PYSEC-2", "reason": "old", "reviewed": "2025-01-01"}]
    assert audit.report(audit.audit({"click": "8.3.3", "flask": "3.1.3"}, DATA), DATA, ignores=stale) == 0
    out = capsys.readouterr().out
    assert "WARNING: ignore entry click PYSEC-1 matches no finding" in out
    assert "WARNING: ignore entry flask PYSEC-2 matches no finding" in out


@pytest.mark.parametrize("entry, complaint", [
    ({"package": "click", "id": "PYSEC-1", "reviewed": "2026-11-25"}, "has no reason"),
    ({"package": "click", "id": "PYSEC-1", "reason": " ", "reviewed": "2026-11-25"}, "has no reason"),
    ({"package": "click", "id": "PYSEC-1", "reason": "why"}, "has no reviewed"),
    ({"package": "click", "id": "PYSEC-1", "reason": "why", "reviewed": "last week"}, "must be a date"),
])
def test_an_ignore_without_a_reason_or_a_review_date_is_refused(tmp_path, entry, complaint):
    path = tmp_path / "ignore.json"
    path.write_text(json.dumps({"ignores": [entry]}))
    with pytest.raises(ValueError, match=complaint):
        audit.load_ignores(path)
    assert audit.load_ignores(tmp_path / "none.json") == []


def test_the_vendored_ignore_list_names_vendored_advisories_with_reasons():
    data = json.loads((ROOT / "tools" / "advisories.json").read_text("utf-8"))
    ids = {(audit.canonical(adv["package"]), adv["id"]) for adv in data["advisories"]}
    for entry in audit.load_ignores(ROOT / "tools" / "audit-ignore.json"):
        assert (audit.canonical(entry["package"]), entry["id"]) in ids
        assert len(entry["reason"]) > 40


def test_the_vendored_data_is_well_formed_and_names_its_sources():
    data = json.loads((ROOT / "tools" / "advisories.json").read_text("utf-8"))
    assert data["retrieved"] and data["sources"]
    for adv in data["advisories"]:
        assert adv["package"] in data["checked_packages"]
        assert "@" in adv["source"] and adv["source"].startswith(("pypa/", "westonsteimel/"))
        for event in adv["events"]:
            audit._key(event)  # every bound parses as a version


def test_the_command_runs_without_the_network(tmp_path):
    data = tmp_path / "advisories.json"
    data.write_text(json.dumps(DATA))
    ignore = tmp_path / "ignore.json"
    ignore.write_text(json.dumps({"ignores": IGNORES}))
    command = [sys.executable, str(ROOT / "tools" / "audit.py"), "--data", str(data),
               "--ignore", str(ignore), "--path", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "0 packages, 0 affected" in result.stdout
    assert "WARNING: ignore entry click PYSEC-1 matches no finding" in result.stdout
    ignore.write_text(json.dumps({"ignores": [{"package": "click", "id": "PYSEC-1"}]}))
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "has no reason, reviewed" in result.stderr
