"""The template database: migrated, the demo commune loaded, built once and copied for each test.

Migrating and loading the demo cost about 40 ms a test; copying the result costs well under one. A copy holds
exactly what `create_app` then `hotline demo` would have written (the rows are the same; only the stamps of when
they were written are earlier). The demo dates its lessons from today in Vietnam, so a session that runs past
midnight there builds the template again.
"""
from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from jinja2 import BytecodeCache

from hotline import demo
from hotline.core import clock, db as storage, private, writelock


class Template:
    def __init__(self):
        self._day = None
        self._empty = self._demo = None
        self._file = b""
        self.jinja_cache = CompiledTemplates()

    def _build(self) -> None:
        """An in-memory database migrated (the `db` fixture's start), one with the demo, and the demo's file bytes."""
        day = datetime.now(clock.VIETNAM).date()
        if day == self._day:
            return
        self.close()
        self._empty = storage.connect(":memory:")
        storage.migrate(self._empty)
        with tempfile.TemporaryDirectory(prefix="hotline-template-") as folder:
            # Written the way `hotline init` then `hotline demo` write it (WAL mode, 0600); closed, so the WAL
            # is folded into the file.
            database = storage.connect(Path(folder) / "hotline.db")
            storage.migrate(database)
            demo.load(database)
            self._demo = storage.connect(":memory:")
            database.conn.backup(self._demo.conn)
            database.conn.close()
            self.close_write_locks(folder)
            self._file = (Path(folder) / "hotline.db").read_bytes()
        self._day = day

    def empty_in_memory(self):
        """A new in-memory database at the latest migration, empty."""
        self._build()
        database = storage.connect(":memory:")
        self._empty.conn.backup(database.conn)
        return database

    def load_demo_into(self, database) -> None:
        """Replace everything in an in-memory database by the demo commune."""
        self._build()
        self._demo.conn.backup(database.conn)

    def copy_to(self, path: str) -> bool:
        """The demo database written at path, unless a database is there already (then False)."""
        self._build()
        path = Path(path)
        if path.exists() and path.stat().st_size:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        private.write(path, self._file)
        return True

    def close(self) -> None:
        for database in (self._empty, self._demo):
            if database is not None:
                database.conn.close()
        self._empty = self._demo = None

    @staticmethod
    def close_write_locks(under: str | None = None) -> None:
        """Close the `-writer` lock files this process holds open, for databases under a folder (else all) that
        no thread holds now; a later writer opens its file again."""
        for key, lock in list(writelock._locks.items()):
            if under is not None and not key.startswith(str(Path(under).resolve())):
                continue
            if lock.fd is None or lock.pid != os.getpid() or not lock.threads.acquire(blocking=False):
                continue
            try:
                if lock.depth == 0:
                    os.close(lock.fd)
                    lock.fd = None
            finally:
                lock.threads.release()


class CompiledTemplates(BytecodeCache):
    """Jinja's own cache of compiled templates, kept in memory and shared by the session's apps: each app would
    compile the admin's templates again (Jinja checks each entry against the template's source)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()
