"""Webhook forms are read by a shortcut: it must give exactly what werkzeug's own parser gives."""
import io

import flask
from hypothesis import given, settings, strategies as st
from werkzeug.test import EnvironBuilder

from hotline.web.factory import HotlineRequest

BODIES = st.one_of(
    st.binary(max_size=300),
    st.lists(st.tuples(st.text(max_size=20), st.text(max_size=40)), max_size=8).map(
        lambda pairs: "&".join(f"{k}={v}" for k, v in pairs).encode("utf-8", "surrogatepass")),
    st.sampled_from([b"Digits=%", b"Body=%ZZ%E1%BB", b"a=1&a=2&b=", b"From=%2B84912100000&Body=C%E1%BA%A3nh+b%C3%A1o",
                     b"&&=&x", b"\xff\xfe=1"]),
)


def parsed(request_class, body: bytes, content_type="application/x-www-form-urlencoded"):
    environ = EnvironBuilder(method="POST", path="/sms/incoming", data=body, content_type=content_type).get_environ()
    environ["wsgi.input"] = io.BytesIO(body)
    request = request_class(environ)
    return list(request.form.items(multi=True)), list(request.files.items())


@settings(max_examples=400, deadline=None)
@given(BODIES)
def test_forms_read_as_werkzeug_reads_them(body):
    assert parsed(HotlineRequest, body) == parsed(flask.Request, body)


def test_other_bodies_take_werkzeugs_way():
    body = b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n'
    assert parsed(HotlineRequest, body, "multipart/form-data; boundary=b") == ([("x", "1")], [])


def test_a_body_read_before_the_form_is_not_lost():
    body = b"From=%2B84912100000&Body=HELP"
    environ = EnvironBuilder(method="POST", path="/", data=body,
                             content_type="application/x-www-form-urlencoded").get_environ()
    request = HotlineRequest(environ)
    assert request.get_data() == body            # the gateway's signature check reads the raw body first
    assert request.form["Body"] == "HELP"
