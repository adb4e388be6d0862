"""Every route Twilio calls refuses a request that Twilio did not sign, with no side effect."""
import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import BA_LAN, PUBLIC_URL

FORM = {"CallSid": "CA" + "a" * 32, "MessageSid": "SM" + "b" * 32, "From": BA_LAN, "To": "+84240000000",
        "Body": "DK Lan Yen Nong", "Digits": "1", "CallStatus": "completed", "MessageStatus": "delivered"}


def twilio_routes(app):
    for rule in app.url_map.iter_rules():
        if getattr(app.view_functions[rule.endpoint], "webhook", None) == "twilio":
            yield rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]


def _table_counts(app):
    from hotline.core.db import get_db

    with app.app_context():
        db = get_db()
        return {t: db[t].count for t in db.table_names()}


def _cases(token):
    good = RequestValidator(token)
    wrong = RequestValidator("not-the-token-000")
    yield "valid", lambda url, form: (form, good.compute_signature(url, form)), True
    yield "valid with default port", lambda url, form: (
        form, good.compute_signature(url.replace(".vn/", ".vn:443/", 1), form)), True
    yield "missing header", lambda url, form: (form, None), False
    yield "empty header", lambda url, form: (form, ""), False
    yield "wrong token", lambda url, form: (form, wrong.compute_signature(url, form)), False
    yield "tampered value", lambda url, form: (
        {**form, "From": "+84987654321"}, good.compute_signature(url, form)), False
    yield "added parameter", lambda url, form: (
        {**form, "Extra": "1"}, good.compute_signature(url, form)), False
    yield "removed parameter", lambda url, form: (
        {k: v for k, v in form.items() if k != "Digits"}, good.compute_signature(url, form)), False
    yield "http instead of https", lambda url, form: (
        form, good.compute_signature(url.replace("https://", "http://"), form)), False
    yield "other host", lambda url, form: (
        form, good.compute_signature(url.replace("hotline.example.vn", "evil.example.com"), form)), False
    yield "other path", lambda url, form: (form, good.compute_signature(url + "x", form)), False
    yield "sha1 of the body only", lambda url, form: (form, good.compute_signature("", form)), False
    yield "signed for another query string", lambda url, form: (
        form, good.compute_signature(url.split("?")[0] + "?" if "?" in url else url + "?x=1", form)), False
    yield "trailing slash added", lambda url, form: (form, good.compute_signature(url + "/", form)), False
    yield "empty form signed for a full one", lambda url, form: (form, good.compute_signature(url, {})), False


CASES = [name for name, _, _ in _cases("x")]


def test_every_voice_and_sms_route_is_a_signed_webhook(app):
    unguarded = [r.rule for r in app.url_map.iter_rules()
                 if r.rule.startswith(("/voice", "/sms")) and not getattr(app.view_functions[r.endpoint],
                                                                           "webhook", None)]
    assert unguarded == []
    assert {"/voice/incoming", "/voice/status", "/sms/incoming", "/sms/status"} <= set(twilio_routes(app))


@pytest.mark.parametrize("case", CASES)
def test_the_signature_matrix_over_every_webhook(app, client, case):
    token = app.config.auth_token()
    name, make, accepted = next(c for c in _cases(token) if c[0] == case)
    for path in twilio_routes(app):
        before = _table_counts(app)
        form, signature = make(PUBLIC_URL + path, FORM)
        headers = {} if signature is None else {"X-Twilio-Signature": signature}
        response = client.post(path, data=form, headers=headers)
        if accepted:
            assert response.status_code != 403, path
            assert response.status_code < 500, path
        else:
            assert response.status_code == 403, path
            assert _table_counts(app) == before, path
