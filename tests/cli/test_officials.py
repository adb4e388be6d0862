"""`hotline officials …` on the test database: add (PIN asked, hashed), list masked, disable, set-pin, set-password."""
import pytest
from click.testing import CliRunner

from hotline.core import clock, db as storage, prompts
from hotline import demo
from hotline.domain import officials
from hotline.cli.main import main
from tests.conftest import ANH_MINH, CHI_HOA, ONG_TU, OPERATOR


@pytest.fixture
def run(cli_env, settings):
    database = storage.connect(settings["HOTLINE_DB"])
    storage.migrate(database)
    demo.load(database)
    database.conn.close()

    def invoke(*args, input=None):
        return CliRunner().invoke(main, list(args), env=cli_env, input=input)

    return invoke


@pytest.fixture
def database(settings):
    database = storage.connect(settings["HOTLINE_DB"])
    yield database
    database.conn.close()


def test_it_adds_an_official_asking_for_the_pin_twice(run, database):
    result = run("officials", "add", "--name", "Trần Minh", "--role", "village_head", "--phone", "0987 654 321",
                 "--village", "ben do", "--with-password", input="9876\n9876\nben-do-2026\nben-do-2026\n")
    assert result.exit_code == 0, result.output
    minh = officials.by_phone(database, ANH_MINH)
    assert minh["name"] == "Trần Minh" and not minh["commune_wide"] and len(minh["village_ids"]) == 1
    assert officials.check_pin(database, minh["id"], "9876") == "ok"
    assert officials.check_password(database, ANH_MINH, "ben-do-2026")["id"] == minh["id"]
    assert "9876" not in result.output and "ben-do-2026" not in result.output and "+8498****321" in result.output
    for asked in ("pin", "password", "repeat"):
        assert prompts.say(f"officials.cli.{asked}") in result.output
    assert "Repeat" not in result.output


@pytest.mark.parametrize("args, pin, message", [
    (["--village", "Atlantis"], "1234", "Atlantis"),
    ([], "12", prompts.say("officials.cli.reason.bad_pin")),
    (["--association", "chess"], "1234", "chess"),
])
def test_it_refuses_bad_input_with_a_clear_message(run, database, args, pin, message):
    result = run("officials", "add", "--name", "X", "--role", "association_leader", "--phone", "0987000999",
                 *args, "--pin", pin)
    assert result.exit_code != 0 and message in result.output
    assert officials.by_phone(database, "+84987000999") is None


def test_a_number_that_is_not_one_is_refused_in_the_import_s_words(run):
    result = run("officials", "add", "--name", "X", "--role", "instructor", "--phone", "12", "--pin", "1234")
    assert result.exit_code == 2 and prompts.say("csv.reason.phone_too_short") in result.output
    assert "too_short" not in result.output


def test_a_number_already_registered_is_refused(run):
    result = run("officials", "add", "--name", "X", "--role", "instructor", "--phone", ONG_TU, "--pin", "1234")
    assert result.exit_code != 0 and prompts.say("officials.cli.reason.duplicate_phone") in result.output


def test_it_lists_officials_with_masked_numbers_and_their_villages(run):
    result = run("officials", "list")
    assert result.exit_code == 0
    tu = next(line for line in result.output.splitlines() if "Nguyễn Văn Tư" in line)
    assert "+8491****919" in tu and "Yên Nông" in tu and prompts.say("officials.roles.village_head") in tu
    assert ONG_TU not in result.output
    assert prompts.say("officials.whole_commune") in next(l for l in result.output.splitlines() if "Lê Quang Thắng" in l)


def test_an_association_leader_is_listed_with_the_association_she_leads(run):
    run("officials", "add", "--name", "Trần Thị Hoa", "--role", "association_leader", "--phone", CHI_HOA,
        "--village", "Yên Nông", "--association", "women", "--pin", "5678")
    hoa = next(line for line in run("officials", "list").output.splitlines() if "Trần Thị Hoa" in line)
    assert f"{prompts.say('officials.roles.association_leader')} (Hội Liên hiệp Phụ nữ)" in hoa
    assert "women" not in hoa


def test_disable_hides_an_official_and_enable_brings_them_back(run, database):
    assert run("officials", "disable", "0913107919").exit_code == 0
    assert officials.by_phone(database, ONG_TU)["disabled"] == 1
    assert "Nguyễn Văn Tư" not in run("officials", "list").output
    assert prompts.say("officials.cli.disabled") in run("officials", "list", "--all").output
    assert run("officials", "disable", ONG_TU, "--enable").exit_code == 0
    assert officials.by_phone(database, ONG_TU)["disabled"] == 0


def test_the_last_enabled_chairman_cannot_be_disabled_from_the_terminal_either(run, database):
    chairman = "+84912500001"                       # Lê Quang Thắng, the demo commune's only chairman
    refused = run("officials", "disable", chairman)
    assert refused.exit_code == 1 and officials.by_phone(database, chairman)["disabled"] == 0
    text = " ".join(refused.output.split())
    assert prompts.say("officials.cli.reason.last_chairman") in text
    assert prompts.say("officials.cli.last_chairman_hint") in text
    # The way the hint gives: the new chairman first, then the old one can go.
    added = run("officials", "add", "--name", "Trần Minh", "--role", "commune_chairman", "--phone", ANH_MINH,
                "--pin", "2468")
    assert added.exit_code == 0, added.output
    assert run("officials", "disable", chairman).exit_code == 0
    assert officials.by_phone(database, chairman)["disabled"] == 1
    assert run("officials", "disable", ANH_MINH).exit_code == 1
    assert officials.by_phone(database, ANH_MINH)["disabled"] == 0


def test_set_pin_lifts_a_lock(run, database):
    tu = officials.by_phone(database, ONG_TU)["id"]
    for _ in range(3):
        officials.check_pin(database, tu, "0000")
    assert prompts.say("officials.cli.locked") in run("officials", "list").output
    assert run("officials", "set-pin", ONG_TU, input="8642\n8642\n").exit_code == 0
    assert officials.check_pin(database, tu, "8642") == "ok"


def test_set_password_replaces_the_web_password(run, database):
    assert run("officials", "set-password", ONG_TU, "--password", "new-password-1").exit_code == 0
    assert officials.check_password(database, ONG_TU, "demo-yennong-2468") is None
    assert officials.check_password(database, ONG_TU, "new-password-1")["name"] == "Nguyễn Văn Tư"


def test_an_unknown_number_is_reported(run):
    result = run("officials", "disable", ANH_MINH)
    assert result.exit_code != 0 and "+8498****321" in result.output


def test_announcements_are_listed_and_withdrawn(run, database, settings):
    from hotline.domain.officials import announcements
    from hotline.core.config import Config

    tu = officials.by_phone(database, ONG_TU)["id"]
    draft = announcements.create(database, tu, None, None, text="Hop thon toi nay", actor=OPERATOR)
    database.execute("UPDATE officials SET commune_wide = 1 WHERE id = ?", [tu])
    announcements.publish(database, Config.from_env({}, **{k: v for k, v in settings.items() if k.startswith("HOTLINE")}),
                          draft, actor=OPERATOR)
    listed = run("announcements", "list").output
    assert f"#{draft}" in listed and "Nguyễn Văn Tư" in listed and "Hop thon toi nay" in listed
    row = announcements.get(database, draft)
    when = clock.local(row["published_at"]).strftime("%Y-%m-%d %H:%M")          # Vietnam time, not UTC
    assert prompts.say("officials.cli.announcement_row", id=draft, when=when, official="Nguyễn Văn Tư",
                       place=prompts.say("officials.whole_commune"), kind="announcement", status="published",
                       fan_out="none", queued=0, text="Hop thon toi nay") in listed
    assert run("announcements", "withdraw", str(draft)).exit_code == 0
    assert announcements.get(database, draft)["status"] == "withdrawn"
    again = run("announcements", "withdraw", str(draft))
    assert again.exit_code != 0 and prompts.say("officials.cli.not_published", id=draft) in again.output


@pytest.mark.parametrize("command", [
    ["officials", "add", "--name", "X", "--role", "village_head", "--phone", "0987000999", "--pin", "1234"],
    ["residents", "list"],
])
def test_an_unknown_village_is_answered_in_vietnamese_with_the_communes_villages(run, database, command):
    result = run(*command, "--village", "Atlantis")
    villages = [v["name"] for v in database.query("SELECT name FROM villages")]
    assert result.exit_code == 2
    text = " ".join(result.output.split())       # click wraps long lines
    assert prompts.say("core.cli.unknown_village", given="Atlantis", villages=", ".join(villages)).split(".")[0] in text
    assert all(name in text for name in villages)
