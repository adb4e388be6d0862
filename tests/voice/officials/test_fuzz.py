"""Hostile but signed requests inside a verified officials' call: always valid TwiML, never the error handler."""
import os
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from hotline.core import prompts
from tests.conftest import ONG_TU
from tests.voice.officials.flow import TU_PIN

# `make test`: 60 signed requests per webhook; `make check` (HOTLINE_FULL=1): 1,000; `make fuzz`: 10,000.
EXAMPLES = int(os.environ.get("HOTLINE_FUZZ_EXAMPLES") or (1000 if os.environ.get("HOTLINE_FULL") == "1" else 60))
pytestmark = pytest.mark.fuzz
PATHS = ["/voice/officials/menu", "/voice/officials/record", "/voice/officials/recorded", "/voice/officials/review",
         "/voice/officials/audience", "/voice/officials/kind", "/voice/officials/level", "/voice/officials/send",
         "/voice/officials/approve", "/voice/officials/pin", "/voice/announcement/1"]
values = st.one_of(st.text(max_size=12), st.sampled_from(["", "1", "2", "3", "9", "*", "#", "0", "-1", "99999999999",
                                                          "1.5", "%FF", "abc"]))


def test_signed_garbage_in_an_officials_call_is_always_answered(phone, hooks):
    tu = phone(ONG_TU).call(TU_PIN + "#", "1", "hop thon")  # a verified call with a draft (#1)
    sorry = prompts.say("core.voice.sorry")

    @hyp_settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(path=st.sampled_from(PATHS), a=values, ev=st.sampled_from(["", "key", "silence", "speech", "x"]),
           n=values, digits=values, after=values)
    def check(path, a, ev, n, digits, after):
        from urllib.parse import urlencode

        query = urlencode({k: v for k, v in {"a": a, "ev": ev, "n": n, "after": after}.items() if v})
        status, body = hooks.post(f"{path}?{query}" if query else path,
                                  {**tu.call_obj.params, "Digits": digits, "RecordingUrl": digits})
        assert status == 200, (path, query, body)
        assert ET.fromstring(body).tag == "Response" and sorry not in body, (path, query, digits)

    check()
