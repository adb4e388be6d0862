"""Storage: one SQLite connection per thread or request, and migrations keyed by PRAGMA user_version."""
from __future__ import annotations

import importlib
import logging
import os
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Callable
from importlib import resources
from pathlib import Path

import sqlite_utils

from hotline.core import private, writelock
from hotline.core.clock import now  # noqa: F401  (UTC stamps as text; many callers import it from here)

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 10_000
MIGRATION_NAME = re.compile(r"^(\d{4})_(\w+)\.(sql|py)$")


class Connection(sqlite3.Connection):
    """sqlite-utils wraps each insert/update in `with conn:`, which COMMITs whatever is open.

    Inside our own transaction() that would commit half a multi-step write, so while
    we hold a transaction the connection's context manager leaves commit and rollback to us.
    """

    owned = False
    writers: writelock.WriteLock | None = None     # the queue for the file's write lock (none in memory)

    def __exit__(self, exc_type, exc, tb):
        if self.owned:
            return False
        return super().__exit__(exc_type, exc, tb)


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open the database in WAL mode with a busy timeout; ":memory:" for tests."""
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        private.create(path)        # residents' data: 0600, and SQLite gives -wal and -shm the same mode
    # isolation_level=None: we open transactions ourselves (see transaction()), so a
    # multi-step write is one BEGIN IMMEDIATE ... COMMIT and never half-applied.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, factory=Connection,
                           check_same_thread=True)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.writers = writelock.for_database(path)
    return sqlite_utils.Database(conn)


@contextmanager
def transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE … COMMIT: takes the write lock up front so concurrent writers queue, not fail."""
    conn = db.conn
    if conn.owned:  # nested: the outer transaction owns commit/rollback
        yield db
        return
    writers = conn.writers      # queue for the writer here, not in SQLite's sleeping busy handler (writelock.py)
    if writers is not None:
        writers.acquire(timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.owned = True
        try:
            yield db
        except BaseException:
            conn.owned = False
            conn.execute("ROLLBACK")
            raise
        conn.owned = False
        conn.execute("COMMIT")
    finally:
        if writers is not None:
            writers.release()


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


def migrations() -> list[Migration]:
    """Every shipped migration, in order. A shipped file is never edited: changes are new files."""
    found = []
    for entry in resources.files("hotline.core.migrations").iterdir():
        m = MIGRATION_NAME.match(entry.name)
        if not m:
            continue
        if m.group(3) == "sql":
            apply = partial(_run_sql, entry.read_text("utf-8"))
        else:
            apply = importlib.import_module(f"hotline.core.migrations.{entry.name[:-3]}").apply
        found.append(Migration(int(m.group(1)), entry.name, apply))
    return sorted(found, key=lambda m: m.version)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database, target: int | None = None, steps: list[Migration] | None = None) -> list[str]:
    """Apply every migration newer than the database, each in its own transaction."""
    applied = []
    for step in migrations() if steps is None else steps:
        if step.version <= schema_version(db) or (target is not None and step.version > target):
            continue
        with transaction(db):
            if step.version <= schema_version(db):     # another process got here first
                continue
            step.apply(db)
            db.execute(f"PRAGMA user_version = {step.version}")
        applied.append(step.name)
    return applied


def _run_sql(sql: str, db: sqlite_utils.Database) -> None:
    for statement in _statements(sql):
        db.execute(statement)


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3 runs one per execute inside our transaction)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


# Each server thread keeps one open connection and reuses it for every request it serves:
# opening a connection (and its PRAGMAs) costs about 1 ms, a large share of a menu step.
# The connection never leaves the thread that opened it.
_local = threading.local()


def thread_connection(path: str, background: bool = False) -> sqlite_utils.Database:
    """This thread's connection to path, opened once; a different path closes the old one.

    background=True (a server process): the WAL is checkpointed by a thread of this process, not by
    whichever request's commit crosses the limit."""
    cached = getattr(_local, "db", None)
    if cached is not None and _local.path == path:
        return cached
    if cached is not None:
        cached.conn.close()
    _local.db, _local.path = connect(path), path
    if background and path != ":memory:":
        # A commit that crosses the WAL's size limit copies it back into the database and syncs the disk:
        # milliseconds that every writer queued behind it would wait. Request threads never do that; a
        # background thread of the process does, every second (the worker and the CLI as they write).
        _local.db.execute("PRAGMA wal_autocheckpoint = 0")
        _checkpoint_in_background(path)
    return _local.db


CHECKPOINT_SECONDS = 1.0
_checkpointers: dict[tuple[int, str], threading.Thread] = {}


def _checkpoint_in_background(path: str) -> None:
    key = (os.getpid(), path)           # a forked worker starts its own
    with _checkpoint_lock:
        if key not in _checkpointers:
            _checkpointers[key] = threading.Thread(target=_checkpoint_forever, args=(path,), daemon=True,
                                                   name="wal-checkpoint")
            _checkpointers[key].start()


def _checkpoint_forever(path: str) -> None:
    database = connect(path)
    while True:
        time.sleep(CHECKPOINT_SECONDS)
        checkpoint(database)


def checkpoint(database: sqlite_utils.Database) -> tuple[int, int] | None:
    """(WAL frames, frames copied into the database); PASSIVE never waits for readers or writers."""
    try:
        _, frames, copied = database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return frames, copied
    except sqlite3.Error as e:
        log.warning("WAL checkpoint failed: %s", e)
        return None


_checkpoint_lock = threading.Lock()


def get_db() -> sqlite_utils.Database:
    """The request's connection: this thread's, reused across requests."""
    from flask import current_app, g

    if "db" not in g:
        config = current_app.config
        g.db = thread_connection(config["HOTLINE_DB"], background=not config.get("TESTING"))
    return g.db


def close_db(_exc=None) -> None:
    """End of request: nothing may stay open on the reused connection."""
    from flask import g

    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.owned = False
        db.conn.execute("ROLLBACK")
