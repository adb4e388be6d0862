"""Fixtures for the alerts tests: a config and village ids over the demo commune."""
from __future__ import annotations

import pytest

from hotline import places
from hotline.config import Config
from tests.conftest import PUBLIC_URL


@pytest.fixture
def config(tmp_path):
    return Config.from_env({}, HOTLINE_PUBLIC_URL=PUBLIC_URL, HOTLINE_INSTANCE=str(tmp_path / "var"))


@pytest.fixture
def village(demo_db):
    return lambda name: places.find_village(demo_db, name)["id"]


def rows(db, ref, channel=None):
    return list(db.query("SELECT o.*, r.name FROM outbox o LEFT JOIN residents r ON r.id = o.resident_id"
                         " WHERE ref = ? AND (? IS NULL OR channel = ?) ORDER BY o.id", [ref, channel, channel]))
