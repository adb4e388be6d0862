"""`hotline gateway …` against the fake phone, and `hotline inbox`."""
import pytest
from click.testing import CliRunner

from hotline.core import db as storage, prompts
from hotline.domain import outbox
from hotline.cli.main import main
from tests.conftest import BA_LAN, PUBLIC_URL


@pytest.fixture
def gateway_env(cli_env, fake_gateway):
    return {**cli_env, "HOTLINE_SMS_TRANSPORT": "android-gateway", "HOTLINE_GATEWAY_URL": fake_gateway.url,
            "HOTLINE_GATEWAY_LOGIN": fake_gateway.login, "HOTLINE_GATEWAY_PASSWORD": fake_gateway.password,
            "HOTLINE_GATEWAY_SIGNING_KEY": fake_gateway.signing_key}


def run(env, *args):
    return CliRunner().invoke(main, list(args), env=env)


def test_it_registers_our_webhooks_on_the_phone_once(gateway_env, fake_gateway):
    for _ in range(2):
        result = run(gateway_env, "gateway", "webhooks")
        assert result.exit_code == 0, result.output
    hooks = sorted((h["event"], h["url"]) for h in fake_gateway.webhooks.values())
    assert hooks == [(e, f"{PUBLIC_URL}/sms/gateway") for e in ("sms:delivered", "sms:failed", "sms:received",
                                                                  "sms:sent")]


def test_check_reports_missing_webhooks_then_a_ready_phone(gateway_env, fake_gateway):
    ok, missing = prompts.say("sms.cli.webhook_ok"), prompts.say("sms.cli.webhook_missing")
    result = run(gateway_env, "gateway", "check")
    assert result.exit_code == 1 and "pass" in result.output
    assert "hotline gateway webhooks" in result.output
    assert result.output.count(missing) == 4 and ok not in result.output
    run(gateway_env, "gateway", "webhooks")
    result = run(gateway_env, "gateway", "check")
    assert result.exit_code == 0 and result.output.count(ok) == 4 and missing not in result.output


def test_check_says_when_the_phone_cannot_be_reached(gateway_env):
    result = run({**gateway_env, "HOTLINE_GATEWAY_URL": "http://127.0.0.1:9"}, "gateway", "check")
    assert result.exit_code == 1 and "http://127.0.0.1:9" in result.output


def test_check_says_when_the_gateway_is_not_configured(cli_env):
    result = run(cli_env, "gateway", "check")
    assert result.exit_code == 1 and prompts.say("sms.cli.not_configured") in " ".join(result.output.split())


def test_simulate_posts_a_signed_text_and_prints_the_queued_reply(gateway_env, settings):
    result = run(gateway_env, "demo")
    assert result.exit_code == 0, result.output
    result = run(gateway_env, "gateway", "simulate", BA_LAN, "canh bao")
    assert result.exit_code == 0, result.output
    assert prompts.sms("sms.alerts.none", village="Yên Nông") in result.output
    db = storage.connect(settings["HOTLINE_DB"])
    [row] = [r for r in outbox.listing(db) if r["purpose"] == "reply"]
    assert row["to_phone"] == BA_LAN and row["state"] == "queued"
    db.conn.close()


def test_simulate_needs_the_signing_key(cli_env):
    result = run(cli_env, "gateway", "simulate", BA_LAN, "HELP")
    assert result.exit_code == 1 and "HOTLINE_GATEWAY_SIGNING_KEY" in result.output


def test_the_inbox_lists_texts_with_numbers_masked(cli_env):
    run(cli_env, "sms", BA_LAN, "TU CHOI")
    result = run(cli_env, "inbox")
    assert result.exit_code == 0
    assert "opt_out/opted_out" in result.output and "+8491****000" in result.output and BA_LAN not in result.output
