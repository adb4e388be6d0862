"""/health: healthy or not for anyone; what works and what is off only for this machine or a logged-in official."""
import pytest

from tests.conftest import Browser

OUTSIDE = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
THROUGH_THE_LOCAL_PROXY = {"headers": {"X-Forwarded-For": "203.0.113.9"}}


def test_health_reports_database_and_transports(client):
    body = client.get("/health").get_json()
    assert body["ok"] is True
    assert body["database"]["ok"] is True and body["database"]["schema_version"] >= 1
    assert body["sms_transport"]["name"] == "outbox"
    assert body["twilio"]["configured"] is False


def test_health_says_twilio_is_configured(twilio_settings):
    from hotline.app import create_app

    body = create_app(twilio_settings).test_client().get("/health").get_json()
    assert body["sms_transport"]["name"] == "twilio"
    assert body["twilio"]["configured"] is True


@pytest.mark.parametrize("where", [OUTSIDE, THROUGH_THE_LOCAL_PROXY], ids=["outside", "through-the-local-proxy"])
def test_the_public_hears_only_whether_it_is_healthy(client, where):
    response = client.get("/health", **where)
    assert response.status_code == 200 and response.get_json() == {"ok": True}


def test_the_public_hears_a_broken_database_as_503_without_the_reason(app, tmp_path):
    app.config["HOTLINE_DB"] = str(tmp_path)        # a folder: the database cannot be opened
    client = app.test_client()
    outside = client.get("/health", **OUTSIDE)
    assert outside.status_code == 503 and outside.get_json() == {"ok": False}
    here = client.get("/health")
    assert here.status_code == 503 and here.get_json()["database"] == {"ok": False, "error": "OperationalError"}


def test_a_logged_in_official_sees_the_details_from_anywhere(web, ong_tu):  # noqa: F811
    web.login()
    body = web.client.get("/health", **OUTSIDE).get_json()
    assert body["ok"] is True and body["sms_transport"]["name"] == "outbox" and "worker" in body
    web.post("/admin/logout")
    assert web.client.get("/health", **OUTSIDE).get_json() == {"ok": True}


def test_a_copied_cookie_of_an_ended_session_shows_nothing_more(app, web, ong_tu):  # noqa: F811
    web.login()
    thief = Browser(app.test_client())
    thief.client.set_cookie("session", web.client.get_cookie("session").value, domain="localhost")
    web.post("/admin/logout")
    assert thief.client.get("/health", **OUTSIDE).get_json() == {"ok": True}
