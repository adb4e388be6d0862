import sqlite3
import threading

import pytest

from hotline.core import db as storage


def _schema(database):
    return sorted(tuple(r) for r in database.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").fetchall())


def test_it_migrates_an_empty_database_to_the_latest_version():
    database = storage.connect(":memory:")
    applied = storage.migrate(database)
    assert storage.schema_version(database) == storage.migrations()[-1].version
    assert applied == [m.name for m in storage.migrations()]
    assert {"residents", "villages", "outbox"} <= set(database.table_names())


def test_it_is_idempotent(db):
    assert storage.migrate(db) == []


@pytest.mark.parametrize("start", [m.version for m in storage.migrations()][:-1] or [0])
def test_it_migrates_from_every_previous_version_to_the_same_schema(start):
    fresh = storage.connect(":memory:")
    storage.migrate(fresh)
    old = storage.connect(":memory:")
    storage.migrate(old, target=start)
    assert storage.schema_version(old) == start
    storage.migrate(old)
    assert _schema(old) == _schema(fresh)


def test_a_failed_migration_leaves_the_database_as_it_was(db):
    before = storage.schema_version(db)

    def broken(database):
        database.execute("CREATE TABLE half (x)")
        database.execute("NOT SQL AT ALL")

    with pytest.raises(sqlite3.OperationalError):
        storage.migrate(db, steps=[storage.Migration(before + 1, "broken.py", broken)])
    assert storage.schema_version(db) == before
    assert "half" not in db.table_names()


def test_file_databases_use_wal_and_a_busy_timeout(tmp_path):
    database = storage.connect(tmp_path / "h.db")
    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute("PRAGMA busy_timeout").fetchone()[0] == storage.BUSY_TIMEOUT_MS


def test_a_transaction_is_all_or_nothing(db):
    with pytest.raises(RuntimeError):
        with storage.transaction(db):
            db["communes"].insert({"name": "Thắng Lợi"})
            raise RuntimeError("power cut")
    assert db["communes"].count == 0


def test_concurrent_writers_queue_instead_of_failing(tmp_path):
    path = tmp_path / "h.db"
    storage.migrate(storage.connect(path))
    errors = []

    def write(n):
        database = storage.connect(path)  # a connection per thread
        try:
            for i in range(20):
                with storage.transaction(database):
                    database["communes"].insert({"name": f"xa-{n}-{i}"})
        except sqlite3.Error as e:
            errors.append(e)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert storage.connect(path)["communes"].count == 80


def test_a_server_thread_reuses_its_connection_and_never_shares_it(app):
    from hotline.core.db import get_db

    with app.app_context():
        first = get_db()
    with app.app_context():
        assert get_db() is first
    seen = []

    def other_thread():
        with app.app_context():
            seen.append(get_db())

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen[0] is not first


def test_a_request_that_fails_mid_transaction_leaves_nothing_open(app):
    from hotline.core.db import get_db

    with pytest.raises(RuntimeError):
        with app.app_context():
            db = get_db()
            db.conn.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO communes (name) VALUES ('half')")
            raise RuntimeError("crash mid-request")
    with app.app_context():
        db = get_db()
        assert not db.conn.in_transaction
        assert db["communes"].count_where("name = ?", ["half"]) == 0


def test_server_connections_leave_checkpoints_to_a_background_thread(tmp_path, monkeypatch):
    """A request's commit never copies the WAL back (milliseconds others wait): a thread does, every second."""
    import os
    import time

    monkeypatch.setattr(storage, "CHECKPOINT_SECONDS", 0.05)
    path = str(tmp_path / "hotline.db")
    storage.migrate(storage.connect(path))
    database = storage.thread_connection(path, background=True)
    assert database.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
    before = os.path.getsize(path)
    for n in range(50):
        with storage.transaction(database):
            database.execute("INSERT INTO communes (name) VALUES (?)", [f"{n:04d}" + "x" * 4000])
    deadline = time.monotonic() + 5
    while os.path.getsize(path) < before + 50 * 4000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.getsize(path) >= before + 50 * 4000     # copied into the file by the background thread
    assert any(t.name == "wal-checkpoint" and t.is_alive() for t in threading.enumerate())
