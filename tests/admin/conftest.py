"""Admin fixtures: officials with web passwords, and a client that logs in the way a browser does."""
from __future__ import annotations

import re

import pytest

from hotline.domain import officials, places
from hotline.core.db import get_db
from tests.conftest import CHI_HOA, ONG_TU, OPERATOR

PASSWORD = "mat-khau-tu-2026"
CHAIRMAN_PHONE = "+84912500001"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CONFIRM = re.compile(r'name="confirm" value="([^"]+)"')


def csrf_of(response) -> str:
    return CSRF.search(response.get_data(as_text=True)).group(1)


class Browser:
    """The test client plus the page's CSRF token, as a browser holds them."""

    def __init__(self, client):
        self.client, self.token = client, None

    def get(self, path, **kw):
        response = self.client.get(path, **kw)
        found = CSRF.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, path, data=None, **kw):
        if self.token is None:
            self.get("/admin/login")
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kw)

    def confirmed(self, path, data=None):
        """A form that sends to households asks first (publish, update, approve): post it, confirm what it shows."""
        shown = self.post(path, data)
        found = CONFIRM.search(shown.get_data(as_text=True))
        assert shown.status_code == 200 and found, shown.status_code
        return self.post(path, {**(data or {}), "confirm": found.group(1)})

    def login(self, phone=ONG_TU, password=PASSWORD):
        self.get("/admin/login")
        response = self.post("/admin/login", {"phone": phone, "password": password})
        self.get("/admin/")
        return response


def _official(app, name, role, phone, village, pin, association=None) -> int:
    """The official with a known web password (the demo commune may already hold them)."""
    with app.app_context():
        db = get_db()
        existing = officials.by_phone(db, phone)
        if existing:
            officials.set_password(db, existing["id"], PASSWORD, actor=OPERATOR)
            return existing["id"]
        villages = None if village is None else [places.find_village(db, village)["id"]]
        return officials.add(db, name, role, phone, villages, pin, password=PASSWORD, association=association,
                             actor=OPERATOR)


@pytest.fixture
def ong_tu(app):
    """ông Tư, village head of Yên Nông: may address Yên Nông only."""
    return _official(app, "Nguyễn Văn Tư", "village_head", ONG_TU, "Yen Nong", "2468")


@pytest.fixture
def chairman(app):
    """The commune chairman: may address the whole commune."""
    return _official(app, "Lê Quang Thắng", "commune_chairman", CHAIRMAN_PHONE, None, "1357")


@pytest.fixture
def chi_hoa_official(app):
    """chị Hoa leads the Women's Union in Yên Nông and may approve announcements there."""
    return _official(app, "Trần Thị Hoa", "association_leader", CHI_HOA, "Yen Nong", "5678", "women")


@pytest.fixture
def web(client):
    """A logged-out browser."""
    return Browser(client)


@pytest.fixture
def tu(web, ong_tu):
    """A browser logged in as ông Tư."""
    web.login()
    return web


@pytest.fixture
def chair(web, chairman):
    web.login(CHAIRMAN_PHONE)
    return web
