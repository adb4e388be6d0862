"""A racer for the last-seat test: one process or thread, its own connection, one enrolment."""
from hotline.core import db as storage
from hotline.domain import lessons


def enrol(path, lesson_id, resident_id, barrier, results):
    database = storage.connect(path)
    try:
        barrier.wait(timeout=60)
        results.put((resident_id, lessons.enrol(database, lesson_id, resident_id, "sms")["outcome"]))
    finally:
        database.conn.close()
