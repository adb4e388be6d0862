"""`hotline residents list` on the test database: officials read it in Vietnamese, numbers masked."""
import pytest
from click.testing import CliRunner

from hotline.core import db as storage, prompts
from hotline import demo
from hotline.domain import residents
from hotline.cli.main import main
from tests.conftest import ANH_MINH, BA_LAN


@pytest.fixture
def database(cli_env, settings):
    database = storage.connect(settings["HOTLINE_DB"])
    storage.migrate(database)
    demo.load(database)
    yield database
    database.conn.close()


@pytest.fixture
def listed(database, cli_env):
    def run(*args):
        result = CliRunner().invoke(main, ["residents", "list", *args], env=cli_env)
        assert result.exit_code == 0, result.output
        return result.output
    return run


def _line(output: str, phone: str) -> str:
    [line] = [x for x in output.splitlines() if phone[:5] in x and x.split()[1].endswith(phone[-3:])]
    return line


def test_it_lists_ba_lans_flags_with_the_admins_words(listed):
    line = _line(listed("--village", "yen nong"), BA_LAN)
    assert "Nguyễn Thị Lan" in line and BA_LAN not in line
    for flag in ("elderly", "low_lying", "prefers_voice"):
        assert prompts.say(f"admin.flags.{flag}") in line
        assert flag not in line


def test_every_flag_is_printed_in_vietnamese_never_by_its_column_name(database, listed):
    residents.register(database, ANH_MINH, "sms", name="Minh", **{flag: True for flag in residents.FLAGS})
    line = _line(listed("--search", "Minh"), ANH_MINH)
    for flag in residents.FLAGS:
        assert prompts.say(f"admin.flags.{flag}") in line
        assert flag not in line


def test_an_opted_out_resident_is_marked_in_vietnamese(database, listed):
    residents.opt_out(database, BA_LAN, "sms")
    line = _line(listed("--search", "Lan"), BA_LAN)
    assert line.endswith(prompts.say("admin.residents.opted_out"))
    assert "opted" not in line


def test_it_says_so_when_nobody_matches(listed):
    assert listed("--search", "Atlantis").strip() == prompts.say("core.cli.residents_none")
    assert prompts.say("core.cli.residents_none") not in listed("--village", "ben do")


def test_init_says_what_it_applied_then_that_the_schema_is_current(cli_env, settings):
    steps = storage.migrations()
    first = CliRunner().invoke(main, ["init"], env=cli_env)
    assert first.exit_code == 0, first.output
    assert prompts.say("core.cli.init_applied", db=settings["HOTLINE_DB"], version=steps[-1].version,
                       applied=", ".join(m.name for m in steps)) in first.output
    again = CliRunner().invoke(main, ["init"], env=cli_env)
    assert again.output.strip() == prompts.say("core.cli.init_current", db=settings["HOTLINE_DB"],
                                               version=steps[-1].version)


def test_the_exported_register_is_readable_by_its_owner_only(database, cli_env, tmp_path):
    import stat

    out = tmp_path / "so-ho.csv"
    result = CliRunner().invoke(main, ["residents", "export", "-o", str(out)], env=cli_env)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert f"'{BA_LAN}" in out.read_text("utf-8")


def test_serve_prints_the_simulators_address_and_commands_to_paste_with_their_full_path(cli_env, monkeypatch,
                                                                                         tmp_path):
    import shlex
    import sys
    from pathlib import Path

    monkeypatch.setattr("hotline.web.server.run", lambda *args: None)      # everything before gunicorn takes over
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve", "--port", "5123"], env=cli_env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.endswith(": http://127.0.0.1:5123/simulator") for line in lines)
    hotline = shlex.quote(str(Path(sys.executable).parent / "hotline"))        # the venv's, not on PATH
    assert f"  cd {shlex.quote(str(tmp_path))}" in lines                         # where the default var/ is
    assert any(line.startswith(f"  {hotline} call {BA_LAN} ") for line in lines)
    assert any(line.startswith(f'  {hotline} sms {BA_LAN} "HELP" ') for line in lines)
