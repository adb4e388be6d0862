"""Each real client against its local fake: the paths, auth and fields sent, errors mapped, look-ups."""
import pytest

from hotline.core.config import Config
from hotline.core.db import now
from hotline.app import transports
from hotline.sending.transports import TransportError
from hotline.sending.android_gateway import GatewaySMS
from hotline.sending.twilio_sms import TwilioSMS
from tests.conftest import ANH_MINH, BA_LAN, PUBLIC_URL


@pytest.fixture
def twilio_config(twilio_settings):
    return Config.from_env({}, **{k: v for k, v in twilio_settings.items() if k != "TESTING"})


@pytest.fixture
def gateway_config(gateway_settings):
    return Config.from_env({}, **{k: v for k, v in gateway_settings.items() if k != "TESTING"})


def test_the_setting_chooses_the_transport_by_name(twilio_config, gateway_config):
    assert transports(twilio_config)["sms"] is TwilioSMS
    assert transports(gateway_config)["sms"] is GatewaySMS
    with pytest.raises(KeyError, match="HOTLINE_SMS_TRANSPORT 'carrier-pigeon'"):
        transports(Config.from_env({"HOTLINE_SMS_TRANSPORT": "carrier-pigeon"}))


# --- Twilio ---------------------------------------------------------------------------------

def test_twilio_sends_from_our_number_with_the_status_callback(twilio_config, fake_twilio):
    sid = TwilioSMS(twilio_config).send_sms(BA_LAN, "Canh bao lu cap 3")
    [message] = fake_twilio.sent_to(BA_LAN)
    assert message["sid"] == sid and message["body"] == "Canh bao lu cap 3"
    assert message["from"] == "+84240000000" and message["messaging_service_sid"] is None
    assert message["status_callback"] == f"{PUBLIC_URL}/sms/status"
    assert ("POST", f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json") in fake_twilio.requests


def test_twilio_uses_the_messaging_service_when_set(twilio_config, fake_twilio):
    twilio_config["TWILIO_MESSAGING_SERVICE_SID"] = "MG" + "7" * 32
    TwilioSMS(twilio_config).send_sms(BA_LAN, "Hop thon", status_callback="https://x.example/cb")
    [message] = fake_twilio.sent_to(BA_LAN)
    assert message["messaging_service_sid"] == "MG" + "7" * 32 and message["from"] == ""
    assert message["status_callback"] == "https://x.example/cb"


@pytest.mark.parametrize("setup, code, transient", [
    (lambda f: f.fail_next(status=429, code=20429), "20429", True),
    (lambda f: f.fail_next(status=500, code=20500), "20500", True),
    (lambda f: f.fail_next(status=503, code=20503), "20503", True),
    (lambda f: f.invalid_numbers.add(BA_LAN), "21211", False),
    (lambda f: f.unsubscribed.add(BA_LAN), "21610", False),
])
def test_twilio_errors_say_whether_to_retry(twilio_config, fake_twilio, setup, code, transient):
    setup(fake_twilio)
    with pytest.raises(TransportError) as failure:
        TwilioSMS(twilio_config).send_sms(BA_LAN, "Lu")
    assert (failure.value.code, failure.value.transient) == (code, transient)


def test_twilio_with_a_wrong_token_is_a_clear_error(twilio_config, fake_twilio):
    twilio_config["TWILIO_AUTH_TOKEN"] = "wrong-token-000000"
    with pytest.raises(TransportError) as failure:
        TwilioSMS(twilio_config).send_sms(BA_LAN, "Lu")
    assert failure.value.code == "20003"


def test_twilio_without_a_sender_waits_for_configuration(twilio_config, fake_twilio):
    twilio_config["TWILIO_FROM"] = ""
    with pytest.raises(TransportError) as failure:
        TwilioSMS(twilio_config).send_sms(BA_LAN, "Lu")
    assert (failure.value.code, failure.value.transient) == ("not_configured", True)
    assert fake_twilio.messages == []


def test_twilio_finds_a_message_it_sent_by_number_body_and_time(twilio_config, fake_twilio):
    transport = TwilioSMS(twilio_config)
    since = now()
    sid = transport.send_sms(BA_LAN, "Canh bao lu cap 3")
    transport.send_sms(BA_LAN, "Nuoc da rut")
    assert transport.find_sms(BA_LAN, "Canh bao lu cap 3", since) == sid
    assert transport.find_sms(BA_LAN, "Hop thon", since) is None
    assert transport.find_sms(ANH_MINH, "Canh bao lu cap 3", since) is None
    assert transport.find_sms(BA_LAN, "Canh bao lu cap 3", "2999-01-01T00:00:00.000000Z") is None
    lookups = [path for method, path in fake_twilio.requests if method == "GET"]
    assert lookups and all(p.endswith("/Messages.json") for p in lookups)


def test_twilio_unreachable_is_transient(twilio_config):
    twilio_config["HOTLINE_TWILIO_API_URL"] = "http://127.0.0.1:9"     # nothing listens on the discard port
    with pytest.raises(TransportError) as failure:
        TwilioSMS(twilio_config).send_sms(BA_LAN, "Lu")
    assert failure.value.transient and failure.value.code in ("connection", "timeout")


# --- Android gateway ------------------------------------------------------------------------

def test_the_gateway_client_posts_the_message_with_basic_auth(gateway_config, fake_gateway):
    provider_id = GatewaySMS(gateway_config).send_sms(BA_LAN, "Canh bao lu cap 3")
    [message] = fake_gateway.sent_to(BA_LAN)
    assert message["id"] == provider_id and message["text"] == "Canh bao lu cap 3"
    assert message["phoneNumbers"] == [BA_LAN] and message["withDeliveryReport"] is True
    assert ("POST", "/messages") in fake_gateway.requests


def test_the_gateway_refuses_a_wrong_password_and_we_wait(gateway_config, fake_gateway):
    gateway_config["HOTLINE_GATEWAY_PASSWORD"] = "wrong"
    with pytest.raises(TransportError) as failure:
        GatewaySMS(gateway_config).send_sms(BA_LAN, "Lu")
    assert (failure.value.code, failure.value.transient) == ("401", True)
    assert fake_gateway.messages == []


@pytest.mark.parametrize("status, transient", [(500, True), (503, True), (400, False)])
def test_gateway_errors_say_whether_to_retry(gateway_config, fake_gateway, status, transient):
    fake_gateway.fail_next(status=status)
    with pytest.raises(TransportError) as failure:
        GatewaySMS(gateway_config).send_sms(BA_LAN, "Lu")
    assert (failure.value.code, failure.value.transient) == (str(status), transient)


def test_a_gateway_phone_off_the_network_is_transient(gateway_config):
    gateway_config["HOTLINE_GATEWAY_URL"] = "http://127.0.0.1:9"
    with pytest.raises(TransportError) as failure:
        GatewaySMS(gateway_config).send_sms(BA_LAN, "Lu")
    assert failure.value.transient and failure.value.code in ("connection", "timeout")


def test_the_gateway_is_not_used_until_configured(gateway_config):
    gateway_config["HOTLINE_GATEWAY_URL"] = ""
    with pytest.raises(TransportError) as failure:
        GatewaySMS(gateway_config).send_sms(BA_LAN, "Lu")
    assert (failure.value.code, failure.value.transient) == ("not_configured", True)


def test_the_gateway_finds_a_message_it_sent_before_a_crash(gateway_config, fake_gateway):
    transport = GatewaySMS(gateway_config)
    since = now()
    first = transport.send_sms(BA_LAN, "Canh bao lu cap 3")
    transport.send_sms(BA_LAN, "Nuoc da rut")
    transport.send_sms(ANH_MINH, "Canh bao lu cap 3")
    assert transport.find_sms(BA_LAN, "Canh bao lu cap 3", since) == first
    assert transport.find_sms(BA_LAN, "Hop thon", since) is None
    assert transport.find_sms(BA_LAN, "Canh bao lu cap 3", "2999-01-01T00:00:00.000000Z") is None
    assert any(m == "GET" and p.startswith("/messages?from=") for m, p in fake_gateway.requests)


def test_each_gateway_send_gets_its_own_id(gateway_config, fake_gateway):
    transport = GatewaySMS(gateway_config)
    ids = {transport.send_sms(BA_LAN, "Hop thon") for _ in range(3)}
    assert len(ids) == 3 and len(fake_gateway.sent_to(BA_LAN)) == 3


# --- both: only Vietnamese numbers unless configured ------------------------------------------

@pytest.mark.parametrize("transport_class, config_name", [(TwilioSMS, "twilio_config"), (GatewaySMS, "gateway_config")])
def test_outbound_goes_only_to_allowed_countries(request, transport_class, config_name, fake_twilio, fake_gateway):
    config = request.getfixturevalue(config_name)
    with pytest.raises(TransportError) as failure:
        transport_class(config).send_sms("+12025550123", "Lu")
    assert (failure.value.code, failure.value.transient) == ("country_not_allowed", False)
    assert fake_twilio.messages == [] and fake_gateway.messages == []
    config["HOTLINE_SMS_ALLOWED_COUNTRIES"] = "*"
    assert transport_class(config).send_sms("+12025550123", "Lu")
