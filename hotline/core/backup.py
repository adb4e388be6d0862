"""Backups with SQLite's online backup API: consistent while the server and worker keep writing.

A restore replaces the database only with a backup of ours (not empty, SQLite, our tables, a schema this
version knows), never while the server or the worker has it open (hotline.core.inuse), and keeps a safety
copy of the database it replaces.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from hotline.core import inuse, private
from hotline.core.db import migrations

SQLITE_HEADER = b"SQLite format 3\x00"
OUR_TABLES = {"residents", "villages", "outbox", "alerts"}     # in every database since the first migration


class RestoreRefused(Exception):
    """reason: empty | not_sqlite | damaged | foreign | newer | in_use; values fill the prompt core.cli.restore_<reason>."""

    def __init__(self, reason: str, **values):
        super().__init__(reason)
        self.reason, self.values = reason, values


def quoted(path: str | Path) -> str:
    """A path as messages show it: in quotes, control characters escaped (a file name may hold anything)."""
    return json.dumps(str(path), ensure_ascii=False)


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def backup(db_path: str | Path, target_dir: str | Path, keep: int = 14) -> Path:
    """Copy the live database to target_dir/hotline-YYYYmmddTHHMMSSZ.db; keep the newest `keep` copies."""
    target_dir = Path(target_dir)
    target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = target_dir / f"hotline-{_stamp()}.db"
    private.create(target)
    source, destination = sqlite3.connect(str(db_path)), sqlite3.connect(str(target))
    try:
        source.backup(destination, pages=256)   # in steps, so writers are not blocked for the whole copy
        ok = destination.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        destination.close()
        source.close()
    if ok != "ok":
        target.unlink()
        raise RuntimeError(f"backup failed its integrity check: {ok}")
    for old in sorted(target_dir.glob("hotline-*.db"))[:-keep]:
        old.unlink()
    return target


def check(backup_path: Path) -> None:
    """RestoreRefused unless the file is a sound database of ours that this version can open."""
    with backup_path.open("rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if not header:
        raise RestoreRefused("empty", path=quoted(backup_path))
    if header != SQLITE_HEADER:
        raise RestoreRefused("not_sqlite", path=quoted(backup_path))
    source = _open(backup_path)
    try:
        try:
            ok = source.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = source.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError:
            ok = "not a database"
        if ok != "ok":
            raise RestoreRefused("damaged", path=quoted(backup_path))
        if not OUR_TABLES <= tables or version < 1:
            raise RestoreRefused("foreign", path=quoted(backup_path))
        ours = migrations()[-1].version
        if version > ours:
            raise RestoreRefused("newer", path=quoted(backup_path), version=version, ours=ours)
    finally:
        source.close()


def restore(backup_path: str | Path, db_path: str | Path, instance: str | Path | None = None) -> Path | None:
    """Replace the database with a checked backup; the safety copy of the database it replaced (None if there
    was none). Refused while a server or a worker holds the database (or, given `instance`, a worker runs there)."""
    backup_path, db_path = Path(backup_path), Path(db_path)
    check(backup_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with inuse.exclusive(db_path, instance) as free:
        if not free:
            raise RestoreRefused("in_use", path=quoted(db_path))
        safety = _safety_copy(db_path)
        source = _open(backup_path)
        try:
            private.create(db_path)
            destination = sqlite3.connect(str(db_path))
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
    return safety


def _safety_copy(db_path: Path) -> Path | None:
    """The database about to be replaced, copied next to it first, byte for byte with its -wal (nobody has it
    open, and a damaged one is kept as it is): a restore of the wrong file can be undone."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    target = db_path.with_name(f"{db_path.name}.before-restore-{_stamp()}")
    for suffix in ("", "-wal"):
        if Path(f"{db_path}{suffix}").exists():
            private.create(f"{target}{suffix}")
            shutil.copyfile(f"{db_path}{suffix}", f"{target}{suffix}")
    return target


def _open(path: Path) -> sqlite3.Connection:
    """Read-only, by a file: URI built from the whole path (a "?" or "#" in a file name stays in the name)."""
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
