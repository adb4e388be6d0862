"""No page may be framed by another site: a hidden frame could make an official click "publish"."""
import pytest

from tests.conftest import Browser


@pytest.mark.parametrize("path", ["/admin/", "/admin/alerts", "/admin/officials", "/simulator", "/admin/nowhere",
                                  "/no-such-page"])
def test_every_html_page_forbids_framing(chair, path):
    response = chair.client.get(path)
    assert response.mimetype == "text/html", path
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'", path
    assert response.headers["X-Frame-Options"] == "DENY", path


def test_the_login_and_error_pages_of_a_stranger_forbid_framing_too(app):
    web = Browser(app.test_client())
    for response in (web.get("/admin/login"), web.client.post("/admin/login", data={"phone": "x"})):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_the_pages_own_script_and_styles_are_not_blocked(chair):
    """The policy says only who may frame us: the simulator's script and the stylesheet still load."""
    policy = chair.client.get("/simulator").headers["Content-Security-Policy"]
    assert all(d.strip().startswith("frame-ancestors") for d in policy.split(";"))
