"""The simulators follow TwiML the way Twilio runs it, through the same signed webhooks."""
import threading

import pytest
from click.testing import CliRunner
from flask import Flask, request

from hotline.core import prompts
from hotline.cli.main import main
from hotline.core.config import Config
from hotline.sim.phone import Call, Webhooks, scripted, send_sms
from hotline.web.webhooks import twilio_signed
from tests.conftest import BA_LAN, PUBLIC_URL


@pytest.fixture
def twiml_app(tmp_path):
    """A tiny signed app whose documents exercise each Twilio rule, recording what Twilio would request."""
    app = Flask(__name__)
    app.config.update(Config.from_env({"HOTLINE_INSTANCE": str(tmp_path), "HOTLINE_PUBLIC_URL": PUBLIC_URL}))
    app.config.__class__ = Config
    seen = []
    documents = {
        "/start": '<Response><Gather action="/menu" timeout="5"><Say language="vi-VN">Chon</Say></Gather>'
                  '<Say language="vi-VN">Khong nghe thay</Say><Redirect>/start2</Redirect></Response>',
        "/start2": '<Response><Gather action="/menu" actionOnEmptyResult="true" finishOnKey="">'
                   '<Say language="vi-VN">Bam</Say></Gather></Response>',
        "/menu": '<Response><Record action="/recorded" maxLength="4" playBeep="false"/>'
                 '<Say language="vi-VN">Sau ghi am</Say><Dial action="/dialled"><Number>+84240000001</Number>'
                 '</Dial></Response>',
        "/recorded": "<Response><Hangup/></Response>",
        "/dialled": '<Response><Say language="vi-VN">Tam biet</Say></Response>',
        "/voice/status": "<Response/>",
    }

    def view(path):
        @twilio_signed
        def handler():
            seen.append((path, dict(request.form)))
            return documents[path], 200, {"Content-Type": "text/xml"}
        handler.__name__ = path.strip("/").replace("/", "_")
        return handler

    for path in documents:
        app.add_url_rule(path, view_func=view(path), methods=["POST"])
    return app, seen


def test_a_timed_out_gather_falls_through_to_the_next_verb(twiml_app):
    app, seen = twiml_app
    events = Call(Webhooks(app.config, app.test_client()), BA_LAN, scripted("", "", "", "n")).run("/start")
    said = [e.text for e in events if e.kind == "say"]
    assert said == ["Chon", "Khong nghe thay", "Bam", "Sau ghi am", "Tam biet"]  # /start2 posts even when empty
    assert [p for p, _ in seen][:3] == ["/start", "/start2", "/menu"]
    assert seen[2][1]["Digits"] == ""


def test_hash_ends_input_unless_finish_on_key_is_empty(twiml_app):
    app, seen = twiml_app
    Call(Webhooks(app.config, app.test_client()), BA_LAN, scripted("12#3")).run("/start")
    assert seen[1] == ("/menu", {**seen[1][1], "Digits": "12"})
    seen.clear()
    Call(Webhooks(app.config, app.test_client()), BA_LAN, scripted("", "#")).run("/start")
    assert [f.get("Digits") for p, f in seen if p == "/menu"] == ["#"]


def test_an_empty_recording_does_not_call_its_action(twiml_app):
    app, seen = twiml_app
    events = Call(Webhooks(app.config, app.test_client()), BA_LAN, scripted("1", "", "n")).run("/start")
    assert "/recorded" not in [p for p, _ in seen]
    assert [p for p, _ in seen][-2:] == ["/dialled", "/voice/status"]
    assert seen[-2][1]["DialCallStatus"] == "no-answer"
    assert events[-2].text == "Tam biet"


def test_a_recording_with_speech_posts_its_url(twiml_app):
    app, seen = twiml_app
    Call(Webhooks(app.config, app.test_client()), BA_LAN, scripted("1", "hai"),
         recorder=lambda words: f"https://api.twilio.com/rec/{words}").run("/start")
    recorded = dict(seen)["/recorded"]
    assert recorded["RecordingUrl"].endswith("/rec/hai")


def test_every_simulated_request_carries_a_valid_signature(twiml_app):
    app, seen = twiml_app
    hooks = Webhooks(app.config, app.test_client())
    hooks.config = Config.from_env({"HOTLINE_PUBLIC_URL": PUBLIC_URL, "TWILIO_AUTH_TOKEN": "other-token-99"})
    events = Call(hooks, BA_LAN, scripted()).run("/start")
    assert events[0].kind == "error" and "403" in events[0].text
    assert seen == []


def test_the_sms_command_sends_a_signed_webhook_and_prints_the_reply(cli_env):
    result = CliRunner().invoke(main, ["sms", "0912 100 000", "help"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "DK" in result.output


def test_the_call_command_walks_the_voice_menus(cli_env):
    result = CliRunner().invoke(main, ["call", BA_LAN, "--keys", ""], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "Loa Làng" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith(prompts.say("core.cli.call.end"))


def test_the_call_command_refuses_an_invalid_number(cli_env):
    result = CliRunner().invoke(main, ["call", "12"], env=cli_env)
    assert result.exit_code == 2
    assert prompts.say("csv.reason.phone_too_short") in result.output and "too_short" not in result.output


def test_the_sms_simulator_works_against_a_running_server(app, cli_env):
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=2, asyncore_use_poll=True)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}"
        status, replies = send_sms(Webhooks(app.config, base_url=url), BA_LAN, "help")
        assert status == 200 and replies and "DK" in replies[0]
        result = CliRunner().invoke(main, ["sms", BA_LAN, "?", "--url", url], env=cli_env)
        assert result.exit_code == 0 and "DK" in result.output
        forged = CliRunner().invoke(main, ["sms", BA_LAN, "?", "--url", url],
                                    env={**cli_env, "TWILIO_AUTH_TOKEN": "not-the-servers-token"})
        assert forged.exit_code == 1 and prompts.say("core.cli.http_status", status=403) in forged.output
    finally:
        server.close()


def test_serve_prints_the_console_webhook_urls_that_exist(app):
    from hotline.cli.main import CONSOLE_WEBHOOKS

    from hotline.core import prompts

    rules = {r.rule for r in app.url_map.iter_rules()}
    assert {path for _, path in CONSOLE_WEBHOOKS} <= rules
    assert all(prompts.say(f"core.cli.webhook.{name}") for name, _ in CONSOLE_WEBHOOKS)


def test_the_call_command_asks_in_vietnamese(cli_env):
    from hotline.core import prompts

    result = CliRunner().invoke(main, ["call", BA_LAN], env=cli_env, input="\n\n\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert prompts.say("core.cli.call.gather") in result.output
    assert all(prompts.say(f"core.cli.call.{kind}") for kind in ("gather", "record", "dial"))
