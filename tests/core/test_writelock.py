"""Writers queue for the database file: across threads, across processes, and across a fork."""
import multiprocessing
import sqlite3
import threading
import time

import pytest

from hotline.core import db as storage, writelock


def _hold(path: str, ready, seconds: float) -> None:
    lock = writelock.for_database(path)
    lock.acquire(timeout=5)
    ready.set()
    time.sleep(seconds)
    lock.release()


@pytest.fixture
def path(tmp_path):
    database = storage.connect(tmp_path / "hotline.db")
    storage.migrate(database)
    return str(tmp_path / "hotline.db")


def test_a_writer_in_another_process_is_waited_for_then_followed(path):
    ready = multiprocessing.get_context("fork").Event()
    other = multiprocessing.get_context("fork").Process(target=_hold, args=(path, ready, 0.3))
    other.start()
    assert ready.wait(5)
    started = time.monotonic()
    database = storage.connect(path)
    with storage.transaction(database):
        database.execute("INSERT INTO communes (name) VALUES ('k')")
    waited = time.monotonic() - started
    other.join(5)
    assert 0.2 < waited < 2.0          # the other writer's 0.3 s, and promptly after it let go
    assert database.execute("SELECT COUNT(*) FROM communes WHERE name = 'k'").fetchone() == (1,)


def test_a_writer_held_too_long_is_a_clear_error_not_a_hang(path):
    ready = multiprocessing.get_context("fork").Event()
    other = multiprocessing.get_context("fork").Process(target=_hold, args=(path, ready, 1.0))
    other.start()
    assert ready.wait(5)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        writelock.for_database(path).acquire(timeout=0.1)
    other.join(5)
    lock = writelock.for_database(path)      # and it was not left half-taken
    lock.acquire(timeout=1)
    lock.release()


def test_a_forked_worker_takes_its_own_lock(path):
    """gunicorn forks workers from a parent that used the database: they must still exclude each other."""
    lock = writelock.for_database(path)
    lock.acquire(timeout=1)
    lock.release()                       # the parent has opened its lock file
    ready = multiprocessing.get_context("fork").Event()
    child = multiprocessing.get_context("fork").Process(target=_hold, args=(path, ready, 0.5))
    child.start()
    assert ready.wait(5)
    with pytest.raises(sqlite3.OperationalError):
        lock.acquire(timeout=0.1)
    child.join(5)


def test_threads_take_turns_and_nested_transactions_reenter(path):
    database_path, order = path, []

    def write(n):
        database = storage.connect(database_path)
        with storage.transaction(database):
            with storage.transaction(database):         # nested: the outer one owns it
                order.append(("in", n))
                time.sleep(0.01)
                order.append(("out", n))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(order) == 12
    assert all(order[i][0] == "in" and order[i + 1] == ("out", order[i][1]) for i in range(0, 12, 2))
