"""The demo officials' published PINs and passwords work only with HOTLINE_DEMO=1, whatever the public URL."""
import xml.etree.ElementTree as ET

import pytest

from hotline.app import create_app
from hotline.core import db as storage
from hotline import demo
from hotline.domain import officials
from hotline.sim.phone import Webhooks
from tests.conftest import ONG_TU, OPERATOR

PUBLIC = "https://loalang.example.vn"


def _app(settings, **extra):
    app = create_app({**settings, **extra})
    with app.app_context():
        demo.load(storage.get_db())
    return app


@pytest.fixture
def public_app(settings):
    return _app(settings, HOTLINE_PUBLIC_URL=PUBLIC)


def _login(app, password):
    client = app.test_client()
    client.get("/admin/login")
    with client.session_transaction() as s:
        token = s.get("csrf")
    return client.post("/admin/login", data={"phone": ONG_TU, "password": password, "csrf_token": token})


def test_a_public_install_refuses_the_demo_password(public_app):
    assert _login(public_app, "demo-yennong-2468").status_code == 401


def test_a_new_password_works_on_a_public_install(public_app):
    with public_app.app_context():
        db = storage.get_db()
        officials.set_password(db, officials.by_phone(db, ONG_TU)["id"], "a-real-password-2026", actor=OPERATOR)
    assert _login(public_app, "a-real-password-2026").status_code in (302, 303)


def test_a_public_install_never_offers_the_officials_menu_on_the_demo_pin(public_app):
    hooks = Webhooks(public_app.config, client=public_app.test_client())
    status, body = hooks.post("/voice/incoming", {"CallSid": "CA" + "7" * 32, "From": ONG_TU,
                                                  "To": "+84240000000", "Direction": "inbound"})
    assert status == 200
    assert "/voice/officials/pin" not in body
    status, body = hooks.post("/voice/officials/pin", {"CallSid": "CA" + "7" * 32, "From": ONG_TU, "Digits": "2468"})
    assert ET.fromstring(body).find(".//Redirect") is not None


def test_a_loopback_public_url_is_no_demo_either(settings):
    """A tunnel or a proxy on the same machine gives a real install a loopback HOTLINE_PUBLIC_URL too."""
    app = _app(settings, HOTLINE_PUBLIC_URL="http://127.0.0.1:5000")
    assert _login(app, "demo-yennong-2468").status_code == 401
    hooks = Webhooks(app.config, client=app.test_client())
    _, body = hooks.post("/voice/incoming", {"CallSid": "CA" + "8" * 32, "From": ONG_TU, "To": "+84240000000",
                                             "Direction": "inbound"})
    assert "/voice/officials/pin" not in body


@pytest.mark.parametrize("public", ["http://127.0.0.1:5000", PUBLIC])
def test_the_demo_password_works_in_demo_mode(settings, public):
    app = _app(settings, HOTLINE_PUBLIC_URL=public, HOTLINE_DEMO="1")
    assert _login(app, "demo-yennong-2468").status_code in (302, 303)


def test_a_demo_install_that_stops_being_one_still_refuses_the_demo_password(settings):
    """Logging in during the demo leaves the published hash as it is, so it is still known afterwards."""
    assert _login(_app(settings, HOTLINE_DEMO="1"), "demo-yennong-2468").status_code in (302, 303)
    assert _login(_app(settings, HOTLINE_DEMO="0"), "demo-yennong-2468").status_code == 401
