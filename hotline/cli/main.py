"""The `hotline` command: serve, set up, manage residents, and simulate phones."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from hotline.app import create_app
from hotline.cli.alerts import alerts_group, worker_command
from hotline.cli.lessons import lessons as lessons_group
from hotline.cli.officials import announcements as announcements_group, officials as officials_group
from hotline.cli.sms import gateway as gateway_group, inbox as inbox_command
from hotline.cli.voice import models_group, prompts_group, voicemail_group
from hotline.cli.common import open_db, phone_number
from hotline.core import db as storage, private, prompts
from hotline import demo as demo_data
from hotline.domain import outbox as outbox_rows, registers
from hotline.domain import residents as residents_domain
from hotline.core.config import Config
from hotline.domain.officials.permissions import Actor
from hotline.core.phones import mask


@click.group()
def main():
    """The Loa Lang hotline: voice and SMS for residents without smartphones."""
    from hotline.core import logs

    # Every command (worker, imports, simulators) logs through the masking record factory.
    config = Config.from_env()
    logs.install(config["HOTLINE_LOG_LEVEL"])
    logs.register_secret(config["TWILIO_AUTH_TOKEN"])


CONSOLE_WEBHOOKS = [("voice_incoming", "/voice/incoming"), ("voice_status", "/voice/status"),
                    ("sms_incoming", "/sms/incoming"), ("sms_status", "/sms/status"), ("gateway", "/sms/gateway")]


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="Worker processes [default: 2 per core].")
@click.option("--threads", default=1, show_default=True, type=int, help="Threads per worker (1 = one request each).")
def serve(host, port, workers, threads):
    """Run the web server (gunicorn workers) for Twilio webhooks, the gateway and the admin."""
    from hotline.web import server

    from hotline.core import inuse

    # Built once here, before any worker: migrations, generated secrets and a config error happen once,
    # in the foreground, and the speech model is loaded once for all workers. No thread starts here.
    app = create_app(background=False)
    # Held until the server stops (the workers inherit it): `hotline restore` refuses meanwhile.
    held = inuse.hold(app.config["HOTLINE_DB"])
    if held is None:
        raise click.ClickException(prompts.say("core.cli.restore_running", db=app.config["HOTLINE_DB"]))
    public = app.config.public_url
    click.echo(prompts.say("core.cli.serving", url=f"http://{host}:{port}", public=public))
    click.echo(prompts.say("core.cli.webhooks"))
    # Only the URLs someone pastes into a console; the others are actions the TwiML itself names.
    for name, path in CONSOLE_WEBHOOKS:
        click.echo(f"  {prompts.say(f'core.cli.webhook.{name}')}: POST {public}{path}")
    click.echo(f"  {prompts.say('core.cli.webhook.admin')}: {public}/admin/")
    click.echo(f"  {prompts.say('core.cli.webhook.simulator')}: http://{host}:{port}/simulator")
    for line in try_it(f"http://{host}:{port}"):
        click.echo(line)
    server.run(create_app, host, port, workers or server.default_workers(), threads, app.config["HOTLINE_LOG_LEVEL"])


def try_it(url: str) -> list[str]:
    """Commands to paste in another terminal: full paths (the venv is not on its PATH), from this folder (the
    default var/ is relative to it)."""
    import shlex

    beside = Path(sys.executable).parent / "hotline"
    hotline = shlex.quote(str(beside) if beside.exists() else "hotline")
    commands = [(f"{hotline} call +84912100000", "core.cli.try_call"), (f'{hotline} sms +84912100000 "HELP"',
                "core.cli.try_sms"), (f"curl {url}/health", "core.cli.try_health")]
    width = max(len(c) for c, _ in commands)
    return ([prompts.say("core.cli.try_it"), f"  cd {shlex.quote(os.getcwd())}"]
            + [f"  {c:<{width}}   # {prompts.say(key)}" for c, key in commands])


@main.command()
def init():
    """Create or migrate the database (idempotent)."""
    config = Config.from_env()
    database = storage.connect(config["HOTLINE_DB"])
    applied = storage.migrate(database)
    where = {"db": config["HOTLINE_DB"], "version": storage.schema_version(database)}
    click.echo(prompts.say("core.cli.init_applied", applied=", ".join(applied), **where) if applied
               else prompts.say("core.cli.init_current", **where))


@main.command()
@click.option("--if-empty", is_flag=True, help="Only when the database holds no residents yet.")
def demo(if_empty):
    """Load the demo commune from prompts/demo/ (idempotent)."""
    database = open_db()
    if if_empty and not demo_data.is_empty(database):
        click.echo(prompts.say("core.cli.demo_skipped"))
        return
    click.echo(prompts.say("core.cli.demo_loaded", **demo_data.load(database)))


@main.group()
def residents():
    """Residents register: import, export, list."""


@residents.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def residents_import(file):
    """Import a CSV (UTF-8, Vietnamese or English headers); bad rows are reported, good rows kept."""
    report = registers.import_csv(open_db(), file.read_text("utf-8-sig"), actor=Actor.operator())
    click.echo(prompts.say("core.cli.imported", imported=report.imported, updated=report.updated))
    for e in report.errors:
        click.echo(prompts.say("core.cli.row_error", line=e.line, reason=prompts.say(f"csv.reason.{e.reason}"),
                               detail=e.detail), err=True)
    if report.errors:
        sys.exit(1)


@residents.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
def residents_export(output):
    """Export the register as CSV (the import format)."""
    text = registers.export_csv(open_db(), actor=Actor.operator())
    if output:
        private.write(output, text.encode("utf-8"))        # the register: names and numbers
    else:
        click.echo(text, nl=False)


@residents.command("list")
@click.option("--village", help="Village name (accent-blind).")
@click.option("--search", help="Part of a name or number.")
def residents_list(village, search):
    """List residents, phone numbers masked."""
    from hotline.cli.villages import village_id

    database = open_db()
    rows = residents_domain.listing(database, village_id(database, village), search)
    if not rows:
        click.echo(prompts.say("core.cli.residents_none"))
    for r in rows:
        # The web admin's words for flags and refusal: officials read the same labels on screen and here.
        marks = [prompts.say(f"admin.flags.{f}") for f in residents_domain.FLAGS if r[f]]
        if r["opted_out_at"]:
            marks.append(prompts.say("admin.residents.opted_out"))
        click.echo(f"{r['id']:>4} {mask(r['phone'])} {r['name'] or '-'} · {r['village'] or '-'}"
                   f"{' · ' + ', '.join(marks) if marks else ''}")


def _hooks(url):
    from hotline.sim.phone import Webhooks

    if url:
        return Webhooks(Config.from_env(), base_url=url)
    app = create_app()
    return Webhooks(app.config, client=app.test_client())


@main.command()
@click.argument("phone")
@click.argument("text")
@click.option("--url", help="A running server (default: in-process, same signed webhook).")
def sms(phone, text, url):
    """Send a signed SMS webhook as PHONE and print the reply."""
    from hotline.sim.phone import send_sms

    status, replies = send_sms(_hooks(url), phone_number(phone), text)
    if status != 200:
        raise click.ClickException(prompts.say("core.cli.http_status", status=status))
    for reply in replies:
        click.echo(reply)


@main.command()
@click.argument("phone")
@click.option("--url", help="A running server (default: in-process, same signed webhooks).")
@click.option("--keys", help="Scripted answers, comma-separated (e.g. '1,,#'); empty = silence. Default: ask.")
def call(phone, url, keys):
    """Call the hotline as PHONE in the terminal: hear the prompts, press keys, say words."""
    from hotline.sim.phone import Call, scripted

    def ask(kind, attrs):
        return click.prompt(f"[{prompts.say(f'core.cli.call.{kind}')}]", default="", show_default=False)

    def show(event):
        marks = {"say": "🔊", "play": "▶", "dial": "☎", "record": "🎙", "error": "!",
                 "hangup": prompts.say("core.cli.call.end")}
        text = caption(hooks.config, event.text) if event.kind == "play" else event.text
        click.echo(f"{marks.get(event.kind, event.kind)} {text}")

    from hotline.sim.speech import caption, recording_store

    if url:
        hooks = _hooks(url)
    else:  # in-process: words typed at a speech prompt are read back by the script recogniser (docs/voice.md)
        from hotline.sim.phone import Webhooks

        app = create_app({"HOTLINE_ASR": "script"} if os.environ.get("HOTLINE_ASR", "auto") == "auto" else None)
        hooks = Webhooks(app.config, client=app.test_client())
    with recording_store(hooks.config) as store:
        answers = ask if keys is None else scripted(*keys.split(","))
        Call(hooks, phone_number(phone), answers, show, recorder=store.record).run()
    if not url:        # a voicemail's download, begun in this process, finishes before it exits
        from hotline.sending.voicemail_fetch import wait_for_fetches

        wait_for_fetches()


@main.command()
@click.option("--state", help="queued, sent, delivered, failed …")
@click.option("--limit", default=50, show_default=True)
def outbox(state, limit):
    """List outbound SMS and calls (numbers masked)."""
    for row in outbox_rows.listing(open_db(), state, limit):
        click.echo(outbox_rows.describe(row))


@main.command("backup")
@click.option("--to", "target", default="var/backups", show_default=True, type=click.Path(file_okay=False))
@click.option("--keep", default=14, show_default=True, help="How many backups to keep.")
def backup_command(target, keep):
    """Back up the live database (SQLite online backup API; safe while serving)."""
    from hotline.core import backup

    click.echo(backup.backup(Config.from_env()["HOTLINE_DB"], target, keep))


@main.group()
def fallback():
    """Static fallback TwiML for when the app is down."""


@fallback.command("build")
@click.option("--to", "target", default="var/fallback", show_default=True, type=click.Path(file_okay=False))
@click.option("--dial", multiple=True, help="Duty officer number(s) the fallback connects to.")
def fallback_build(target, dial):
    """Write voice.xml and sms.xml for the proxy, a TwiML Bin or fallback/serve.py."""
    from hotline.web import fallback as static

    for path in static.build(target, [phone_number(n) for n in dial]):
        click.echo(path)


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--db", "db_path", help="Database to overwrite (default: HOTLINE_DB). Stop server and worker first.")
def restore_command(file, db_path):
    """Restore a backup over the database: ours, sound, not in use; the replaced one is kept beside it."""
    from hotline.core import backup

    config = Config.from_env()
    target = db_path or config["HOTLINE_DB"]
    try:
        safety = backup.restore(file, target, config["HOTLINE_INSTANCE"])
    except backup.RestoreRefused as e:
        raise click.ClickException(prompts.say(f"core.cli.restore_{e.reason}", **e.values)) from None
    click.echo(prompts.say("core.cli.restored", backup=backup.quoted(file), db=backup.quoted(target)))
    if safety:
        click.echo(prompts.say("core.cli.restore_kept", path=backup.quoted(safety)))


# Every command group, one module each (the commands above are the core's: serve, set up, residents, simulators).
for group in (officials_group, announcements_group, lessons_group, prompts_group, voicemail_group, models_group,
              gateway_group, inbox_command, alerts_group, worker_command):
    main.add_command(group)
