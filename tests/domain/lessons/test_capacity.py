"""The last seat goes to exactly one person, however many take it at once (threads and processes)."""
import multiprocessing
import threading

import pytest

from hotline.core import db as storage
from hotline import demo
from hotline.domain import lessons
from tests.conftest import OPERATOR
from tests.domain.lessons import _race

RACERS_EACH = 4   # threads and processes each


@pytest.fixture
def file_db(tmp_path):
    path = str(tmp_path / "race.db")
    database = storage.connect(path)
    storage.migrate(database)
    demo.load(database)
    yield path, database
    database.conn.close()


def _race_for(path, lesson_id, resident_ids):
    """Half the racers in threads of this process, half in other processes, released together."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(resident_ids)), ctx.Queue()
    half = len(resident_ids) // 2
    procs = [ctx.Process(target=_race.enrol, args=(path, lesson_id, r, barrier, results))
             for r in resident_ids[:half]]
    threads = [threading.Thread(target=_race.enrol, args=(path, lesson_id, r, barrier, results))
               for r in resident_ids[half:]]
    for worker in procs + threads:
        worker.start()
    outcomes = dict(results.get(timeout=90) for _ in resident_ids)
    for worker in procs + threads:
        worker.join(timeout=30)
    assert all(p.exitcode == 0 for p in procs)
    return outcomes


@pytest.mark.parametrize("waitlist, others", [(0, "full"), (None, "waitlisted")])
def test_it_gives_the_last_seat_to_exactly_one_of_many_at_once(file_db, waitlist, others):
    path, database = file_db
    ids = [r["id"] for r in database.query("SELECT id FROM residents ORDER BY id LIMIT ?", [2 + 2 * RACERS_EACH])]
    lesson_id = lessons.create(database, "vneid", "Nhà văn hóa", "2030-01-01T01:00:00.000000Z", 3, waitlist=waitlist,
                               actor=OPERATOR)
    for seated in ids[:2]:
        assert lessons.enrol(database, lesson_id, seated)["outcome"] == "enrolled"

    outcomes = _race_for(path, lesson_id, ids[2:])

    assert sorted(outcomes.values()) == sorted(["enrolled"] + [others] * (2 * RACERS_EACH - 1))
    lesson = lessons.get(database, lesson_id)
    assert lesson["seated"] == 3
    if others == "waitlisted":
        positions = [lessons.waitlist_position(database, e) for e in database.query(
            "SELECT * FROM enrolments WHERE lesson_id = ? AND status = 'waitlisted'", [lesson_id])]
        assert sorted(positions) == list(range(1, 2 * RACERS_EACH))
