"""Files that hold residents' data (the database, backups, recordings, exports): readable by their owner only.

Made so when they are created, whatever the umask: SQLite takes a new file's mode from the umask (0644 by
default), and gives its -wal and -shm files the database file's mode, so creating that one 0600 is enough.
"""
from __future__ import annotations

import os
from pathlib import Path

MODE = 0o600


def create(path: str | Path) -> None:
    """An empty file only the owner may read, unless one is there already (SQLite opens an empty file as new)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, MODE))
    except FileExistsError:
        pass


def write(path: str | Path, data: bytes) -> None:
    """Write data to path, created or truncated, readable by the owner only (also when it existed before)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, MODE)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(fd, MODE)
        f.write(data)
