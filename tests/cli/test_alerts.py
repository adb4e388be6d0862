"""`hotline alerts …` and `hotline worker` from the terminal: preview, confirmation, progress, report, CAP."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotline.domain.alerts import broadcast, cap
from hotline.core import db as storage, prompts
from hotline.cli.main import main
from hotline.core.config import Config
from tests.conftest import OPERATOR


@pytest.fixture
def run(cli_env):
    runner = CliRunner()

    def invoke(*args, input=None):
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        return result

    assert invoke("demo").exit_code == 0
    return invoke


@pytest.fixture
def db(settings):
    database = storage.connect(settings["HOTLINE_DB"])
    yield database
    database.conn.close()


def _create(run, *extra):
    result = run("alerts", "create", "--level", "3", "--text", "Nuoc song len, ke do dac len cao",
                 "--village", "yen nong", *extra)
    assert result.exit_code == 0, result.output
    return int(result.output.split("#")[1].split(".")[0])


def test_create_shows_recipients_segments_and_the_eta_before_anything_is_sent(run, db):
    result = run("alerts", "create", "--level", "3", "--text", "Nước sông lên", "--village", "Yên Nông")
    assert "11" in result.output and "1 phần (không dấu), 2 phần (có dấu)" in result.output
    assert "Thời gian gửi ước tính: 4s" in result.output   # 4 calls at 1/s outlast 11 SMS at 10/s
    assert db["outbox"].count == 0


def test_the_sms_shown_before_sending_says_until_the_alerts_own_expiry(run):
    created = run("alerts", "create", "--level", "3", "--text", "Nuoc song len", "--village", "yen nong",
                  "--starts", "2030-11-25T06:00", "--expires", "2030-11-25T18:30")
    assert "(hieu luc den 18:30 25/11)" in created.output
    alert_id = int(created.output.split("#")[1].split(".")[0])
    asked = run("alerts", "publish", str(alert_id), input="n\n")
    assert "(hieu luc den 18:30 25/11)" in asked.output
    default = run("alerts", "create", "--level", "3", "--text", "Nuoc song len", "--starts", "2030-11-25T06:00")
    assert "(hieu luc den 06:00 26/11)" in default.output        # HOTLINE_ALERT_HOURS after the start


def test_publish_asks_first_and_a_no_queues_nothing(run, db):
    alert_id = _create(run)
    result = run("alerts", "publish", str(alert_id), input="n\n")
    assert result.exit_code == 1 and db["outbox"].count == 0
    result = run("alerts", "publish", str(alert_id), input="y\n")
    assert result.exit_code == 0 and db["outbox"].count == 15


def test_a_bad_alert_is_refused_with_the_reason_in_vietnamese(run):
    result = run("alerts", "create", "--level", "3", "--text", "Lu", "--expires", "2001-01-01T00:00")
    assert result.exit_code == 1 and prompts.say("alerts.reason.ends_before_start") in result.output
    assert "expires" not in result.output          # the reason in Vietnamese, no English detail after it
    result = run("alerts", "create", "--level", "3", "--text", "Lu", "--village", "Atlantis")
    assert result.exit_code == 2


def test_publish_wait_shows_progress_until_the_worker_has_sent_it(run, db, settings, start_worker):
    alert_id = _create(run, "--flag", "low_lying")
    start_worker(Config.from_env(os.environ))
    result = run("alerts", "publish", str(alert_id), "--yes", "--wait")
    assert result.exit_code == 0
    done = prompts.say("alerts.cli.progress", sent=6, delivered=0, failed=0, skipped=0, expired=0, cancelled=0)
    assert f"alert:{alert_id}" in result.output and done in result.output
    assert {r["state"] for r in db.query("SELECT state FROM outbox")} == {"sent"}


def test_update_cancel_list_and_report(run, db):
    alert_id = _create(run)
    run("alerts", "publish", str(alert_id), "--yes")
    assert run("alerts", "update", str(alert_id), "--level", "4", "--yes").exit_code == 0
    listing = run("alerts", "list").output
    assert "superseded" in listing and "published" in listing          # the codes --status takes back
    newest = listing.splitlines()[0]
    until = broadcast.local_time(db.execute("SELECT expires_at FROM alerts WHERE id = ?", [alert_id + 1]).fetchone()[0])
    assert "lũ lụt cấp 4 (cập nhật)" in newest and f"đến {until}" in newest   # words and Vietnam time
    assert not {"flood", "update", "L4"} & set(newest.split())
    newer = alert_id + 1
    queued = broadcast.progress(db, f"alert:{newer}")["total"]
    assert queued > 0 and prompts.say("alerts.cli.sent", sent=0, total=queued) in listing   # no worker ran
    report = json.loads(run("alerts", "report", str(newer), "--json").output)
    assert report["totals"]["recipients"] == 11 and report["alert"]["level"] == 4
    assert (report["totals"]["sms"]["queued"], report["totals"]["call"]["queued"]) == (11, 4)
    lines = run("alerts", "report", str(newer)).output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Yên Nông"))
    assert lines[at].split() == ["Yên", "Nông", "11"]
    # SMS and calls on their own lines: 11 texts and 4 calls waiting, never "15".
    assert lines[at + 1].split() == ["tin", "nhắn", "0", "0", "0", "0", "0", "0", "11"]
    assert lines[at + 2].split() == ["cuộc", "gọi", "0", "0", "0", "0", "0", "0", "0", "4"]
    assert run("alerts", "cancel", str(newer), "--yes").exit_code == 0
    assert {r["state"] for r in db.query("SELECT state FROM outbox")} == {"cancelled"}


def test_the_report_says_who_did_what_from_the_terminal(run, monkeypatch):
    monkeypatch.setenv("USER", "lan")           # the OS user at the terminal names the operator in the trail
    monkeypatch.setenv("LOGNAME", "lan")
    alert_id = _create(run)
    run("alerts", "publish", str(alert_id), "--yes")
    run("alerts", "update", str(alert_id), "--level", "4", "--yes")
    trail = json.loads(run("alerts", "report", str(alert_id), "--json").output)["audit"]
    assert [(r["action"], r["actor"], r["channel"], r["official_id"]) for r in trail] == [
        ("alert.create", "operator@lan", "cli", None), ("alert.publish", "operator@lan", "cli", None),
        ("alert.update", "operator@lan", "cli", None)]
    assert trail[2]["detail"]["level"] == 4 and trail[2]["detail"]["new_id"] == alert_id + 1
    text = run("alerts", "report", str(alert_id + 1)).output      # the new version tells the same story
    assert prompts.say("audit.heading") in text
    assert "operator@lan (dòng lệnh trên máy chủ): cập nhật cảnh báo · cấp 4 · cho Yên Nông" in text
    assert text.index("tạo cảnh báo") < text.index("phát cảnh báo") < text.index("cập nhật cảnh báo")


def test_export_and_import_cap_from_the_command_line(run, tmp_path):
    alert_id = _create(run)
    out = tmp_path / "alert.xml"
    assert run("alerts", "export", "--cap", str(alert_id), "-o", str(out)).exit_code == 0
    assert "<status>Draft</status>" in out.read_text("utf-8")   # a draft is not actionable elsewhere
    run("alerts", "publish", str(alert_id), "--yes")
    assert run("alerts", "export", "--cap", str(alert_id), "-o", str(out)).exit_code == 0
    assert cap.validate(out.read_bytes()) == []
    out.write_text(out.read_text("utf-8").replace(f".{alert_id}<", ".copy<"), "utf-8")
    result = run("alerts", "import", str(out))
    assert result.exit_code == 0 and "Yên Nông" in result.output and "[imported]" in result.output
    bad = tmp_path / "bad.xml"
    bad.write_text("<alert/>", "utf-8")
    result = run("alerts", "import", str(bad))
    assert result.exit_code == 1 and "Tệp CAP không hợp lệ: schema" in result.output


def test_checkin_and_the_list_of_who_needs_help(run, db, settings):
    from hotline.domain.alerts import checkins

    assert run("alerts", "checkin", "--village", "Bến Đò", "--yes").exit_code == 0
    checkins.answer(db, "+84703353408", "2", Config.from_env(os.environ))
    output = run("alerts", "checkins", "1").output
    asked = checkins.summary(db, 1)["total"]
    assert asked > 0 and prompts.say("alerts.cli.checkin_summary", id=1, safe=0, help=1, asked=asked) in output
    assert "Cao Văn Thịnh" in output and "+84703353408" not in output
    answered = db.execute("SELECT answered_at FROM checkin_answers").fetchone()[0]
    helper = next(line for line in output.splitlines() if "Cao Văn Thịnh" in line)
    assert helper.startswith(broadcast.local_time(answered)) and helper.endswith("(tin nhắn)")
    assert "+84703353408" in run("alerts", "checkins", "1", "--full").output


def test_the_worker_command_sends_stops_on_sigterm_and_refuses_a_second_worker(run, db, cli_env):
    alert_id = _create(run)
    run("alerts", "publish", str(alert_id), "--yes")
    command = [sys.executable, "-c", "from hotline.cli.main import main; main()", "worker"]
    worker = subprocess.Popen(command, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'queued'").fetchone()[0] and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        second = subprocess.run(command, env=cli_env, capture_output=True, text=True, timeout=60)
        busy = prompts.say("core.cli.worker_busy", instance=cli_env["HOTLINE_INSTANCE"])
        assert second.returncode == 1 and busy in second.stderr
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=30)
    assert worker.returncode == 0
    assert {r["state"] for r in db.query("SELECT state FROM outbox")} == {"sent"}


@pytest.mark.parametrize("level, skipped", [(3, 1), (4, 0)])
def test_the_checkin_preview_counts_opted_out_residents_as_the_check_in_will(run, db, level, skipped):
    from hotline.domain import alerts, places, residents

    residents.opt_out(db, "+84703353408", "sms")
    alert_id = alerts.create(db, "flood", level, "Lu", [places.find_village(db, "Bến Đò")["id"]], actor=OPERATOR)
    alerts.publish(db, Config.from_env(os.environ), alert_id, actor=OPERATOR)
    output = run("alerts", "checkin", "--village", "Bến Đò", "--alert", str(alert_id), "--yes").output
    assert f"(bỏ qua vì đã từ chối: {skipped})" in output
    unknown = run("alerts", "checkin", "--alert", "999", "--yes")
    assert unknown.exit_code == 1 and prompts.say("alerts.cli.unknown_alert", id=999) in unknown.output


@pytest.mark.parametrize("end", ["draft", "cancelled", "superseded"])
def test_checkin_refuses_what_the_admin_refuses_a_warning_that_did_not_or_no_longer_goes_out(run, db, end):
    alert_id = _create(run)
    if end != "draft":
        run("alerts", "publish", str(alert_id), "--yes")
        run("alerts", "cancel" if end == "cancelled" else "update", str(alert_id), "--yes",
            *(["--level", "4"] if end == "superseded" else []))
    result = run("alerts", "checkin", "--alert", str(alert_id), "--yes")
    state = prompts.say(f"admin.alerts.states.{end}")
    assert result.exit_code == 1
    assert prompts.say("alerts.cli.checkin_not_published", id=alert_id, state=state) in " ".join(result.output.split())
    cost = prompts.say("alerts.cli.preview", recipients=0, skipped=0, calls=0).split(":")[0]
    assert db["checkins"].count == 0 and cost not in result.output       # refused before any cost is shown


def test_an_alert_text_with_a_control_character_is_refused(run, db):
    result = run("alerts", "create", "--level", "3", "--text", "Nước sông lên\x0bngay", "--village", "Yên Nông")
    assert result.exit_code == 2
    assert prompts.say("core.cli.bad_characters") in result.output
    assert db["alerts"].count == 0


def test_a_cap_file_too_large_or_too_long_is_refused_in_vietnamese(run, db, tmp_path):
    source = (Path(__file__).parents[1] / "domain" / "alerts" / "cap" / "provincial_flood.xml").read_text("utf-8")
    big = tmp_path / "big.xml"
    big.write_text(source.replace("</alert>", "<!--" + "x" * cap.MAX_BYTES + "--></alert>"), "utf-8")
    result = run("alerts", "import", str(big))
    assert result.exit_code == 1
    assert prompts.say("alerts.cli.cap_too_large", kb=cap.MAX_BYTES // 1024) in result.output
    long = tmp_path / "long.xml"
    long.write_text(source.replace("Di chuyển người già và trẻ em đến nơi cao.", "Di chuyển. " * 60), "utf-8")
    result = run("alerts", "import", str(long))
    assert result.exit_code == 1 and "quá 600 ký tự" in result.output
    assert db["alerts"].count == 0
