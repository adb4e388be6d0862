"""The queue for a database file's single writer, shared by threads and by processes.

SQLite lets one connection write at a time. A writer that finds the file locked waits in SQLite's busy
handler, which sleeps 1, 2, 5, 10 … up to 100 ms between tries: under load the file sits unlocked while
every waiter sleeps, and the slowest SMS waited hundreds of milliseconds for a 0.1 ms transaction.
Here a writer first queues behind this process's other threads (woken the moment the lock is free), then
takes an advisory lock on `<database>-writer` that the server's other workers, the sending worker and the
CLI take too, trying again every fraction of a millisecond. SQLite's own lock stays the guarantee; this
only decides who asks for it next.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

FIRST_PAUSE = 0.00005     # seconds between tries for another process's lock, doubling up to MAX_PAUSE
MAX_PAUSE = 0.0005        # a try is one system call; a worker waiting here serves nobody else


class WriteLock:
    def __init__(self, path: str):
        self.file = f"{path}-writer"
        self.threads = threading.RLock()
        self.depth = 0                        # re-entries by the thread that holds it
        self.fd: int | None = None
        self.pid = 0                          # the process that opened fd (a forked worker opens its own)

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked (this process's other writers)")
        try:
            if self.depth == 0:
                self._lock_file(deadline)
        except BaseException:
            self.threads.release()
            raise
        self.depth += 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.threads.release()

    def _lock_file(self, deadline: float) -> None:
        if self.fd is None or self.pid != os.getpid():
            # flock belongs to an open file description, which fork() shares: each process opens its own.
            self.fd, self.pid = os.open(self.file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600), os.getpid()
        pause = FIRST_PAUSE
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("database is locked (another process's writer)") from None
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)


_locks: dict[str, WriteLock] = {}
_registry = threading.Lock()


def for_database(path: str) -> WriteLock:
    """The one WriteLock of this process for the database file at path."""
    key = str(Path(path).resolve())
    with _registry:
        return _locks.setdefault(key, WriteLock(key))
