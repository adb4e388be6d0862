"""Who has the database open for as long as they run: `hotline serve` and `hotline worker` hold a shared lock
on <database>-inuse; `hotline restore` takes it exclusively, so it never replaces a database in use, and
neither starts while a restore runs. (A flock: the kernel lets go of it when a process ends, however it ends.)
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def lock_file(db_path: str | Path) -> Path:
    return Path(f"{db_path}-inuse")


def hold(db_path: str | Path) -> int | None:
    """The shared lock, kept until the process ends (the descriptor is returned: keep it); None during a restore."""
    fd = _open(lock_file(db_path))
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextmanager
def exclusive(db_path: str | Path, instance: str | Path | None = None):
    """True, holding the database for this block, when nobody else holds it (nor, given `instance`, a worker
    runs there: it holds <instance>/worker.lock); False otherwise."""
    fds = [_open(lock_file(db_path))]
    worker = Path(instance) / "worker.lock" if instance is not None else None
    if worker is not None and worker.exists():
        fds.append(_open(worker))
    try:
        try:
            for fd in fds:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        for fd in fds:
            os.close(fd)
