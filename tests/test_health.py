def test_health_reports_database_and_transports(client):
    body = client.get("/health").get_json()
    assert body["ok"] is True
    assert body["database"]["ok"] is True and body["database"]["schema_version"] >= 1
    assert body["sms_transport"]["name"] == "outbox"
    assert body["twilio"]["configured"] is False


def test_health_says_twilio_is_configured(twilio_settings):
    from hotline import create_app

    body = create_app(twilio_settings).test_client().get("/health").get_json()
    assert body["sms_transport"]["name"] == "twilio"
    assert body["twilio"]["configured"] is True
