import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from click.testing import CliRunner

from hotline.core import backup, db as storage
from hotline import demo
from hotline.cli.main import main


def test_a_backup_taken_while_writing_restores_to_a_working_database(tmp_path):
    live = tmp_path / "hotline.db"
    database = storage.connect(live)
    storage.migrate(database)
    demo.load(database)
    stop = threading.Event()

    def keep_writing():
        writer = storage.connect(live)
        n = 0
        while not stop.is_set():
            with storage.transaction(writer):
                writer["communes"].insert({"name": f"xa-{n}"})
            n += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        copy = backup.backup(live, tmp_path / "backups")
    finally:
        stop.set()
        thread.join()
    restored = tmp_path / "restored.db"
    backup.restore(copy, restored)
    again = storage.connect(restored)
    assert storage.schema_version(again) == storage.schema_version(database)
    assert again["residents"].count == database["residents"].count
    assert storage.migrate(again) == []


def test_old_backups_are_pruned(tmp_path):
    live = tmp_path / "hotline.db"
    storage.migrate(storage.connect(live))
    for _ in range(4):
        backup.backup(live, tmp_path / "b", keep=2)
    assert len(list((tmp_path / "b").glob("hotline-*.db"))) == 2


def _refused(backup_file, target) -> str:
    with pytest.raises(backup.RestoreRefused) as e:
        backup.restore(backup_file, target)
    return e.value.reason


def _foreign(path):
    other = sqlite3.connect(path)
    other.executescript("CREATE TABLE photos (id INTEGER PRIMARY KEY, caption TEXT); PRAGMA user_version = 3;")
    other.close()


def _newer(path):
    database = storage.connect(path)
    storage.migrate(database)
    database.execute(f"PRAGMA user_version = {storage.migrations()[-1].version + 1}")
    database.conn.close()


@pytest.mark.parametrize("make, reason", [
    (lambda p: p.write_bytes(b""), "empty"),
    (lambda p: p.write_text("phone,name\n+84912100000,Lan\n"), "not_sqlite"),
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096), "damaged"),
    (_foreign, "foreign"),
    (_newer, "newer"),
])
def test_only_a_sound_backup_of_ours_is_restored(tmp_path, make, reason):
    given = tmp_path / "given.db"
    make(given)
    live = tmp_path / "hotline.db"
    database = storage.connect(live)
    storage.migrate(database)
    demo.load(database)
    residents = database["residents"].count
    database.conn.close()
    assert _refused(given, live) == reason
    assert storage.connect(live)["residents"].count == residents
    assert not list(tmp_path.glob("*.before-restore-*"))


@pytest.fixture
def live_and_copy(tmp_path):
    live = tmp_path / "hotline.db"
    database = storage.connect(live)
    storage.migrate(database)
    copy = backup.backup(live, tmp_path / "backups")      # an empty commune
    demo.load(database)                                     # then the demo commune: what a restore would lose
    database.conn.close()
    return live, copy


def test_the_replaced_database_is_kept_beside_it(live_and_copy):
    live, copy = live_and_copy
    before = storage.connect(live)["residents"].count
    safety = backup.restore(copy, live)
    assert storage.connect(live)["residents"].count == 0
    assert safety.name.startswith("hotline.db.before-restore-")
    assert storage.connect(safety)["residents"].count == before > 0
    assert stat.S_IMODE(safety.stat().st_mode) == 0o600


@pytest.mark.parametrize("holder", ["server", "worker"])
def test_a_database_in_use_is_never_replaced(live_and_copy, holder, tmp_path):
    from hotline.core import inuse
    from hotline.sending import worker
    from hotline.core.config import Config

    live, copy = live_and_copy
    instance = tmp_path / "var"
    held = (inuse.hold(live) if holder == "server"
            else worker.hold_lock(Config.from_env({"HOTLINE_INSTANCE": str(instance)})))
    try:
        with pytest.raises(backup.RestoreRefused) as e:
            backup.restore(copy, live, instance)
        assert e.value.reason == "in_use"
        assert storage.connect(live)["residents"].count > 0
    finally:
        os.close(held) if holder == "server" else held.close()
    backup.restore(copy, live, instance)
    assert storage.connect(live)["residents"].count == 0


def test_a_server_or_worker_cannot_start_while_a_restore_runs(live_and_copy):
    from hotline.core import inuse

    live, _ = live_and_copy
    with inuse.exclusive(live) as free:
        assert free and inuse.hold(live) is None
    held = inuse.hold(live)
    assert held is not None
    os.close(held)


def test_a_backup_whose_name_holds_uri_characters_is_restored(live_and_copy, tmp_path):
    live, copy = live_and_copy
    odd = tmp_path / "sao lưu?mode=rwc#1%20.db"
    odd.write_bytes(copy.read_bytes())
    backup.restore(odd, live)
    assert storage.connect(live)["residents"].count == 0


def test_databases_and_backups_are_readable_by_their_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        live = tmp_path / "hotline.db"
        database = storage.connect(live)
        storage.migrate(database)
        demo.load(database)
        copy = backup.backup(live, tmp_path / "backups")
        restored = tmp_path / "restored.db"
        backup.restore(copy, restored)
        files = [live, Path(f"{live}-wal"), Path(f"{live}-shm"), copy, restored]
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
        database.conn.close()
    finally:
        os.umask(old)


def test_the_backup_and_restore_commands(cli_env, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=cli_env).exit_code == 0
    assert runner.invoke(main, ["demo"], env=cli_env).exit_code == 0
    result = runner.invoke(main, ["backup", "--to", str(tmp_path / "b")], env=cli_env)
    assert result.exit_code == 0, result.output
    copy = next((tmp_path / "b").glob("hotline-*.db"))
    target = tmp_path / "restored.db"
    result = runner.invoke(main, ["restore", str(copy), "--db", str(target)], env=cli_env)
    assert result.exit_code == 0, result.output
    assert storage.connect(target)["residents"].count >= 40


def test_the_restore_command_says_why_it_refuses_with_the_path_quoted(cli_env, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=cli_env).exit_code == 0
    empty = tmp_path / "bản sao\nlỗi.db"
    empty.write_bytes(b"")
    result = runner.invoke(main, ["restore", str(empty)], env=cli_env)
    assert result.exit_code == 1
    assert "Tệp \"" + str(tmp_path) + "/bản sao\\nlỗi.db\" trống" in result.output
