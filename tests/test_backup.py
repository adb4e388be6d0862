import sqlite3
import threading

from click.testing import CliRunner

from hotline import backup, db as storage, demo
from hotline.cli import main


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


def test_a_damaged_backup_is_not_restored(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    target = tmp_path / "target.db"
    try:
        backup.restore(bad, target)
    except (RuntimeError, sqlite3.DatabaseError) as e:
        assert "damaged" in str(e) or "malformed" in str(e) or "not a database" in str(e)
    else:
        raise AssertionError("restored a damaged file")
    assert not target.exists()


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
