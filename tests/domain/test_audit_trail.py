"""The audit trail: one row per change, in the change's own transaction; the story of a warning through all its
versions; words for every action; never a phone number."""
import ast
import json
import re
from pathlib import Path

import pytest

from hotline.domain import alerts, audit, officials, places, records, residents
from hotline.domain.officials import announcements
from hotline.domain.alerts import broadcast, checkins
from hotline.core import clock, prompts
from hotline.core.config import Config
from hotline.domain.officials.permissions import Actor
from tests.conftest import ANH_MINH, BA_LAN, ONG_TU, OPERATOR, PUBLIC_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path):
    return Config.from_env({}, HOTLINE_PUBLIC_URL=PUBLIC_URL, HOTLINE_INSTANCE=str(tmp_path / "var"))


@pytest.fixture
def tu(demo_db):
    return Actor.of(officials.by_phone(demo_db, ONG_TU), "web")


def _yen_nong(db):
    return [places.find_village(db, "Yên Nông")["id"]]


def _draft(db, tu):
    return alerts.create(db, "flood", 3, "Nuoc len", _yen_nong(db), actor=tu)


def test_a_change_whose_audit_row_fails_is_rolled_back(demo_db, config, tu, monkeypatch):
    alert_id = _draft(demo_db, tu)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        alerts.publish(demo_db, config, alert_id, actor=tu)
    assert alerts.get(demo_db, alert_id)["status"] == "draft" and demo_db["outbox"].count == 0


def test_a_change_that_fails_leaves_no_audit_row(demo_db, config, tu, monkeypatch):
    alert_id = _draft(demo_db, tu)

    def broken(*args, **kwargs):
        raise RuntimeError("provider down")

    monkeypatch.setattr(broadcast, "queue_alert", broken)
    with pytest.raises(RuntimeError):
        alerts.publish(demo_db, config, alert_id, actor=tu)
    assert [r["action"] for r in alerts.trail(demo_db, alert_id)] == ["alert.create"]


def test_the_trail_follows_a_warning_through_its_versions_and_check_ins(demo_db, config, tu):
    first = _draft(demo_db, tu)
    alerts.publish(demo_db, config, first, actor=tu)
    by_phone = Actor.of(officials.by_phone(demo_db, ONG_TU), "phone")
    second = alerts.update(demo_db, config, first, level=4, actor=by_phone)
    checkins.start(demo_db, config, _yen_nong(demo_db), alert_id=second, actor=tu)
    cancel = alerts.cancel(demo_db, config, second, actor=OPERATOR)
    story = [(r["action"], r["channel"], r["actor"]) for r in alerts.trail(demo_db, first)]
    assert story == [("alert.create", "web", "Nguyễn Văn Tư"), ("alert.publish", "web", "Nguyễn Văn Tư"),
                     ("alert.update", "phone", "Nguyễn Văn Tư"), ("checkin.start", "web", "Nguyễn Văn Tư"),
                     ("alert.cancel", "cli", "operator@pytest")]
    assert alerts.trail(demo_db, second) == alerts.trail(demo_db, cancel) == alerts.trail(demo_db, first)
    update = alerts.trail(demo_db, first)[2]
    assert update["subject_id"] == first and update["detail"]["new_id"] == second
    assert update["detail"]["level"] == 4 and update["detail"]["audience"] == ["Yên Nông"]
    assert alerts.report(demo_db, second)["audit"] == alerts.trail(demo_db, second)


def test_a_line_says_when_who_from_where_what_and_for_whom(demo_db, config, tu):
    alert_id = _draft(demo_db, tu)
    alerts.publish(demo_db, config, alert_id, actor=tu)
    row = alerts.trail(demo_db, alert_id)[1]
    line = audit.line(row)
    assert line.startswith(clock.local(row["at"]).strftime("%H:%M %d/%m/%Y · "))     # Vietnam time
    assert "Nguyễn Văn Tư (trang quản trị): phát cảnh báo · cấp 3 · cho Yên Nông · " in line
    assert f"{row['detail']['queued']} tin nhắn và cuộc gọi" in line


def test_an_announcements_trail_includes_the_warning_it_became(demo_db, config, tu):
    phone = Actor.of(officials.by_phone(demo_db, ONG_TU), "phone")
    draft = announcements.create(demo_db, tu.official_id, _yen_nong(demo_db)[0], None, text="Nuoc len",
                                 kind="warning", level=4, actor=phone)
    announcements.publish(demo_db, config, draft, actor=phone)
    assert [(r["subject"], r["action"]) for r in announcements.trail(demo_db, draft)] == [
        ("announcement", "announcement.create"), ("alert", "alert.create"), ("alert", "alert.publish"),
        ("announcement", "announcement.publish")]
    assert {r["channel"] for r in announcements.trail(demo_db, draft)} == {"phone"}


def _recorded_actions() -> set[str]:
    """Every action the code writes to the trail: audit.record(db, actor, "<action>", …) and the registry's
    _update(db, official_id, "<action>", …)."""
    found = set()
    for path in [p for d in ("hotline", "voice", "sms", "admin") for p in (ROOT / d).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 3:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("record", "_update"):
                found |= {c.value for c in ast.walk(node.args[2]) if isinstance(c, ast.Constant)
                          and isinstance(c.value, str) and "." in c.value}
    return found


def test_every_action_in_the_trail_has_words():
    actions = _recorded_actions()
    assert {"alert.publish", "announcement.approve", "official.set_pin", "official.enable"} <= actions
    for action in actions:
        prompts.raw(f"audit.actions.{action}")
    for channel in ("web", "phone", "cli"):
        prompts.raw(f"audit.channels.{channel}")


def test_the_trail_never_holds_a_phone_number_or_a_secret(demo_db, config, tu):
    chairman = Actor.of(next(o for o in officials.listing(demo_db) if o["role"] == "commune_chairman"), "web")
    minh = officials.add(demo_db, "Trần Minh", "village_head", ANH_MINH, _yen_nong(demo_db), "9876",
                         password="minh-2026-yen", actor=chairman)
    officials.new_pin(demo_db, minh, actor=chairman)
    lan = residents.by_phone(demo_db, BA_LAN)
    records.update(demo_db, lan["id"], {**lan, "name": "Nguyễn Thị Lan"}, [], actor=tu)
    records.add(demo_db, "0987 111 222", {"name": "Người Mới", "village_id": _yen_nong(demo_db)[0]}, [], actor=tu)
    text = json.dumps(list(demo_db.query("SELECT * FROM audit_log")), ensure_ascii=False)
    assert not re.search(r"(\+?84|0)\d{9}", text) and "9876" not in text and "minh-2026" not in text
    assert "official.set_pin" in text and "resident.add" in text
