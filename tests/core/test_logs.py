import logging

from hotline.core import logs
from tests.conftest import BA_LAN


def test_log_lines_never_hold_a_full_number_or_a_secret(caplog):
    logs.install()
    logs.register_secret("super-secret-token-42")
    with caplog.at_level(logging.INFO):
        logging.getLogger("hotline.test").info("sms from %s, national 0912 100 000 or 0912100000, token %s",
                                               BA_LAN, "super-secret-token-42")
    text = caplog.text
    assert BA_LAN not in text and "0912100000" not in text and "super-secret-token-42" not in text
    assert "+8491****000" in text and "[secret]" in text


def test_webhook_logs_are_masked(hooks, caplog):
    from hotline.sim.phone import send_sms

    with caplog.at_level(logging.INFO):
        send_sms(hooks, BA_LAN, "help")
    assert BA_LAN not in caplog.text
    assert "+8491****000" in caplog.text


def test_url_encoded_numbers_in_request_lines_are_masked():
    line = logs.scrub("GET /2010-04-01/Accounts/AC1/Messages.json?To=%2B84912100000&PageSize=50")
    assert "84912100000" not in line and "PageSize=50" in line
