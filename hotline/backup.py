"""Backups with SQLite's online backup API: consistent while the server and worker keep writing."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path


def backup(db_path: str | Path, target_dir: str | Path, keep: int = 14) -> Path:
    """Copy the live database to target_dir/hotline-YYYYmmddTHHMMSSZ.db; keep the newest `keep` copies."""
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = target_dir / f"hotline-{stamp}.db"
    source = sqlite3.connect(str(db_path))
    destination = sqlite3.connect(str(target))
    try:
        # pages=256: copy in steps so writers are not blocked for the whole copy.
        source.backup(destination, pages=256)
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


def restore(backup_path: str | Path, db_path: str | Path) -> None:
    """Replace the database with a backup (server and worker stopped), through the same backup API."""
    backup_path, db_path = Path(backup_path), Path(db_path)
    source = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RuntimeError(f"{backup_path} is damaged; not restoring it")
        db_path.parent.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(str(db_path))
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
