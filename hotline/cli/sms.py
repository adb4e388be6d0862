"""`hotline inbox` and `hotline gateway …`: inbound texts, and setting up the Android SMS gateway."""
from __future__ import annotations

import json
import time
import uuid

import click
from android_sms_gateway import Webhook, WebhookEvent

from hotline.domain import inbox as inbox_rows
from hotline.core import prompts
from hotline.core.config import Config
from hotline.sending.transports import TransportError

from sms.gateway import sign
from sms.inbound import reply_key
from hotline.sending.android_gateway import GatewaySMS

EVENTS = ("sms:received", "sms:sent", "sms:delivered", "sms:failed")


@click.command("inbox")
@click.option("--limit", default=30, show_default=True)
def inbox(limit):
    """List inbound SMS with the command understood and the reply (numbers masked)."""
    from hotline.cli.common import open_db

    for row in inbox_rows.listing(open_db(), limit):
        click.echo(inbox_rows.describe(row))


@click.group()
def gateway():
    """The Android SMS gateway (local-server mode): check it, register our webhooks, simulate a text."""


def _client(config):
    try:
        return GatewaySMS(config).client
    except TransportError as e:
        if e.code != "not_configured":
            raise click.ClickException(str(e)) from None
        raise click.ClickException(prompts.say("sms.cli.not_configured")) from None


@gateway.command("check")
def gateway_check():
    """Reach the gateway phone: its health, and whether our webhooks are registered."""
    config = Config.from_env()
    client = _client(config)
    try:
        health = client.health_check()
        hooks = client.get_webhooks()
    except Exception as e:  # any failure to reach the phone is reported, not raised
        raise click.ClickException(prompts.say("sms.cli.unreachable", url=config["HOTLINE_GATEWAY_URL"],
                                               error=type(e).__name__)) from None
    click.echo(prompts.say("sms.cli.health", status=health.status.value, version=health.version or "?"))
    ours = config.absolute("/sms/gateway")
    registered = {h.event.value for h in hooks if h.url == ours}
    marks = {True: prompts.say("sms.cli.webhook_ok"), False: prompts.say("sms.cli.webhook_missing")}
    width = max(map(len, marks.values()))
    for event in EVENTS:
        click.echo(f"  {marks[event in registered]:<{width}} {event} -> {ours}")
    if not registered >= set(EVENTS):
        raise click.ClickException(prompts.say("sms.cli.missing_webhooks"))


@gateway.command("webhooks")
def gateway_webhooks():
    """Register (or re-register) sms:received/sent/delivered/failed to HOTLINE_PUBLIC_URL/sms/gateway."""
    config = Config.from_env()
    client = _client(config)
    url = config.absolute("/sms/gateway")
    if url.startswith("http://") and not url.startswith("http://127.0.0.1"):
        click.echo(prompts.say("sms.cli.plain_http", url=url), err=True)
    for event in EVENTS:
        # A fixed id per event: registering again replaces ours instead of adding a duplicate.
        hook = client.create_webhook(Webhook(id=f"loalang-{event.replace(':', '-')}", url=url,
                                             event=WebhookEvent(event)))
        click.echo(f"  {hook.event.value} -> {hook.url}")


@gateway.command("simulate")
@click.argument("phone")
@click.argument("text")
@click.option("--url", help="A running server (default: in-process, same signed webhook).")
def gateway_simulate(phone, text, url):
    """Post a signed sms:received webhook as the gateway would, and print the reply it queues."""
    from hotline.app import create_app

    config = Config.from_env()
    key = config["HOTLINE_GATEWAY_SIGNING_KEY"]
    if not key:
        raise click.ClickException(prompts.say("sms.cli.no_signing_key"))
    message_id = uuid.uuid4().hex[:16]
    payload = {"messageId": message_id, "message": text, "phoneNumber": phone, "simNumber": 1,
               "receivedAt": time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime())}
    body = json.dumps({"event": "sms:received", "id": uuid.uuid4().hex[:21], "payload": payload}).encode()
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Timestamp": stamp, "X-Signature": sign(key, body, stamp)}
    if url:
        import requests

        status = requests.post(url.rstrip("/") + "/sms/gateway", data=body, headers=headers, timeout=15).status_code
    else:
        app = create_app()
        status = app.test_client().post("/sms/gateway", data=body, headers=headers).status_code
    if status != 200:
        raise click.ClickException(prompts.say("core.cli.http_status", status=status))
    from hotline.cli.common import open_db

    key = reply_key(GatewaySMS.parse_inbound(payload))
    for row in open_db().query("SELECT body FROM outbox WHERE dedupe_key = ?", [key]):
        click.echo(row["body"])
