"""SMS fixtures: texting the app as a persona, and an app on the (fake) Android gateway."""
from __future__ import annotations

import pytest

from hotline.core import db as storage
from hotline.sim.phone import send_sms


@pytest.fixture
def text(hooks):
    """text(phone, body, sid=None) -> the single reply (None when the app stays silent)."""

    def send(phone, body, sid=None):
        status, replies = send_sms(hooks, phone, body, sid=sid)
        assert status == 200
        assert len(replies) <= 1
        return replies[0] if replies else None

    return send


@pytest.fixture
def gateway_app(make_app, gateway_settings, settings):
    return make_app(**{k: v for k, v in gateway_settings.items() if k not in settings})


@pytest.fixture
def gateway_client(gateway_app):
    return gateway_app.test_client()


@pytest.fixture
def gateway_db(gateway_app):
    database = storage.connect(gateway_app.config["HOTLINE_DB"])
    yield database
    database.conn.close()
