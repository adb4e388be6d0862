"""`hotline lessons …` from the command line, on the test database."""
import json

import pytest
from click.testing import CliRunner

from hotline.core import clock, db as storage, prompts
from hotline.domain import lessons
from hotline.domain.lessons import report as lessons_report
from hotline.cli.main import main
from tests.conftest import BA_LAN, CHI_HOA, OPERATOR


@pytest.fixture
def run(cli_env, settings):
    runner = CliRunner()
    assert runner.invoke(main, ["demo"]).exit_code == 0

    def invoke(*args, ok=True, input=None):
        result = runner.invoke(main, ["lessons", *args], input=input)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    invoke.db = lambda: storage.connect(settings["HOTLINE_DB"])
    return invoke


def test_it_creates_a_lesson_in_local_time_and_lists_it(run):
    out = run("create", "--topic", "online_safety", "--place", "Nhà văn hóa thôn Đồng Tâm", "--village", "dong tam",
              "--at", "01/12/2030 19:30", "--capacity", "2", "--waitlist", "0", "--association", "farmers",
              "--instructor", "Hồ Văn Phúc")
    code = out.split()[0]
    lesson = lessons.by_code(run.db(), code)
    assert lesson["starts_at"] == "2030-12-01T12:30:00.000000Z"      # 19:30 in Vietnam
    assert (lesson["village"], lesson["association"], lesson["waitlist"]) == ("Đồng Tâm", "farmers", 0)
    assert code in run("list")
    hosted = run("create", "--topic", "vneid", "--place", "Nhà văn hóa", "--at", "02/12/2030 08:00", "--capacity", "5")
    assert f" · {prompts.say('lessons.cli.host_commune')} · " in hosted and "commune" not in hosted


def test_lists_and_rosters_speak_vietnamese_only_the_code_stays(run):
    db = run.db()
    lesson = lessons.by_code(db, "QR3")          # 2 seats, both taken: chị Hoa waits
    chi_hoa = next(db.query("SELECT id FROM residents WHERE phone = ?", [CHI_HOA]))["id"]
    lessons.enrol(db, lesson["id"], chi_hoa)
    run("cancel", "AT6", "--yes")
    listed = run("list", "--all")
    qr3 = next(line for line in listed.splitlines() if line.startswith("QR3"))
    assert prompts.say("lessons.topics.epayment_qr.name") in qr3 and "Hội Liên hiệp Phụ nữ" in qr3
    local = clock.local(lesson["starts_at"])
    assert f" {local.hour}:{local.minute:02d} " in qr3 and f" {local.day}/{local.month} " in qr3       # Vietnam time
    at6 = next(line for line in listed.splitlines() if line.startswith("AT6"))
    assert at6.endswith(f"[{prompts.say('admin.lessons.cancelled')}]")
    roster = run("roster", "QR3")
    states = [line.split("+")[0].split(None, 1)[1].strip() for line in roster.splitlines()[1:]]
    place = next(r["queue_no"] for r in lessons.roster(db, lesson["id"]) if r["status"] == "waitlisted")
    assert states == [prompts.say("admin.lessons.states.enrolled")] * 2 + [
        prompts.say("admin.lessons.states.waitlisted") + f" #{place}"]              # as the admin's roster shows
    run("attendance", "VN3", "--all")
    attended = run("roster", "VN3")
    assert prompts.say("admin.lessons.states.attended") in attended
    codes = {*lessons.topics(), "women", "farmers", "youth", "enrolled", "waitlisted", "attended", "cancelled"}
    for output in (listed, roster, attended):
        assert not {word.strip("[]·,") for word in output.split()} & codes, output


@pytest.mark.parametrize("args", [
    ["--at", "tomorrow"], ["--village", "Atlantis"], ["--code", "VN2"], ["--topic", "knitting"],
])
def test_it_refuses_bad_lessons_with_a_clear_message(run, args):
    base = {"--topic": "vneid", "--place": "Nhà văn hóa", "--at": "2030-12-01 08:00", "--capacity": "5"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    out = run("create", *[x for pair in base.items() for x in pair], ok=False)
    assert out.strip()


def test_cancel_asks_then_tells_everyone(run):
    db = run.db()
    assert "VN2" in run("cancel", "VN2", input="n\n", ok=False)
    assert lessons.by_code(db, "VN2")["status"] == "scheduled"
    run("cancel", "VN2", "--yes")
    assert lessons.by_code(db, "VN2")["status"] == "cancelled"
    told = db.execute("SELECT COUNT(*) FROM outbox WHERE ref = ? AND dedupe_key LIKE '%:cancelled:%'",
                      [f"lesson:{lessons.by_code(db, 'VN2')['id']}"]).fetchone()[0]
    assert told == 2


def test_attendance_by_phone_and_the_roster(run):
    out = run("attendance", "VN3", "0377242542", "--by", "Dương Thị Liên")   # the demo's no-show came after all
    assert "+8437****542" in out and "0377242542" not in out
    db = run.db()
    assert lessons.by_code(db, "VN3")["attended"] == 5
    run("attendance", "VN2", BA_LAN, ok=False)                               # not started yet
    run("attendance", "VN3", "0999999999", ok=False)                          # nobody with that number


def test_capacity_promotes_the_waitlist(run):
    db = run.db()
    lesson = lessons.by_code(db, "QR3")        # 2 seats, both taken
    chi_hoa = next(db.query("SELECT id FROM residents WHERE phone = ?", [CHI_HOA]))["id"]
    assert lessons.enrol(db, lesson["id"], chi_hoa)["outcome"] == "waitlisted"
    run("capacity", "QR3", "3")
    assert lessons.by_code(db, "QR3")["seated"] == 3


def test_targets_and_the_report(run):
    out = run("targets", "--period", "2030", "--association", "women=40", "--village", "yen nong=30%")
    assert "40" in out and "30%" in out
    db = run.db()
    goals = lessons_report.targets(db, "2030")
    assert sorted((k[0], t["target"], t["share"]) for k, t in goals.items()) == [("association", 40, None),
                                                                                ("village", None, 0.3)]
    assert json.loads(run("report", "--period", "2030", "--json")) == lessons_report.report(db, "2030")
    assert "2030" in run("report", "--period", "2030")
    for option, item in [("--association", "chess=3"), ("--village", "Atlantis=30%"), ("--village", "yen nong=3")]:
        refused = run("targets", option, item, ok=False)
        kind = option.lstrip("-")
        assert prompts.say(f"lessons.cli.bad_target.{kind}", item=item) in " ".join(refused.split())
    refused = run("report", "--period", "someday", ok=False)
    assert prompts.say("lessons.cli.bad_period", value="someday") in " ".join(refused.split())
    listed = run("targets", "--period", "2030")
    assert prompts.say("lessons.cli.target_kind.association") in listed and "association" not in listed


def test_remind_queues_what_is_due_once(run):
    from datetime import datetime, timedelta, timezone

    db = run.db()
    start = datetime.now(timezone.utc) + timedelta(hours=3)    # yesterday's or today's 17:00 has passed
    lesson_id = lessons.create(db, "vneid", "Nhà văn hóa", clock.stamp(start), 5, actor=OPERATOR)
    chi_hoa = next(db.query("SELECT id FROM residents WHERE phone = ?", [CHI_HOA]))["id"]
    lessons.enrol(db, lesson_id, chi_hoa, now=clock.stamp(start - timedelta(days=3)))
    assert json.loads(run("remind"))["remind-day"] == 1
    assert json.loads(run("remind"))["remind-day"] == 0
