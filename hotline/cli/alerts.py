"""`hotline alerts …` and `hotline worker`: what officials and operators run from a terminal."""
from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path

import click

from hotline.domain import alerts, audit, places
from hotline.domain.alerts import broadcast, cap, checkins
from hotline.core import inuse, prompts
from hotline import app
from hotline.sending import worker
from hotline.cli.text import TEXT
from hotline.domain.officials.permissions import Actor
from hotline.cli.villages import village_ids
from hotline.core.phones import mask


def _db_and_config():
    from hotline.app import create_app
    from hotline.cli.common import open_db

    app = create_app()
    return open_db(app.config), app.config


def _villages(db, names) -> list[int] | None:
    return village_ids(db, names) or None


def _fail(error: alerts.InvalidAlert):
    raise click.ClickException(f"{prompts.say('alerts.reason.' + error.reason)} {error.detail}".strip())


@click.group("alerts")
def alerts_group():
    """Alerts (warnings): create, publish, update, cancel, report, CAP export and import, check-ins."""


@alerts_group.command("create")
@click.option("--kind", type=click.Choice(alerts.KINDS), default="flood", show_default=True)
@click.option("--level", type=click.IntRange(1, 5), required=True, help="Vietnam's disaster risk level 1-5.")
@click.option("--text", required=True, type=TEXT, help="What residents hear and read.")
@click.option("--village", "villages", multiple=True, help="Repeat for several; none = the whole commune.")
@click.option("--flag", "flags", multiple=True, type=click.Choice(alerts.FLAGS), help="Only residents with it.")
@click.option("--starts", help="Start (ISO; naive = Vietnam time). Default: now.")
@click.option("--expires", help="Expiry (ISO). Default: HOTLINE_ALERT_HOURS after the start.")
@click.option("--audio", type=click.Path(exists=True, dir_okay=False), help="An official's recording.")
def create_command(kind, level, text, villages, flags, starts, expires, audio):
    """Create a draft alert and show what publishing it would cost."""
    db, config = _db_and_config()
    try:
        alert_id = alerts.create(db, kind, level, text, _villages(db, villages), list(flags), starts, expires, audio,
                                 actor=Actor.operator(), hours=config.number("HOTLINE_ALERT_HOURS"))
    except alerts.InvalidAlert as e:
        _fail(e)
    click.echo(prompts.say("alerts.cli.created", id=alert_id))
    _show_preview(db, config, alerts.get(db, alert_id))


def _show_preview(db, config, alert) -> dict:
    p = broadcast.preview(db, config, alert["text"], alert["village_ids"] or None, alert["flag_list"],
                          alert["kind"], alert["level"], expires_at=alert["expires_at"])
    click.echo(prompts.say("alerts.cli.preview", recipients=p["recipients"], skipped=p["skipped"], calls=p["calls"]))
    click.echo(prompts.say("alerts.cli.segments", plain=p["segments_plain"], accented=p["segments_accented"],
                           total=p["sms_segments"]))
    click.echo(prompts.say("alerts.cli.eta", eta=_duration(p["eta_seconds"]), sms_rate=config["HOTLINE_SMS_RATE"],
                           call_rate=config["HOTLINE_CALL_RATE"]))
    click.echo(f"  SMS: {p['sms_plain']}")
    return p


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


@alerts_group.command("publish")
@click.argument("alert_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--wait", is_flag=True, help="Show a progress bar until the worker has sent everything.")
def publish_command(alert_id, yes, wait):
    """Show recipients, segments and ETA, confirm, then queue every SMS and call."""
    db, config = _db_and_config()
    alert = alerts.get(db, alert_id) or _missing(alert_id)
    _show_preview(db, config, alert)
    if not yes:
        click.confirm(prompts.say("alerts.cli.confirm"), abort=True)
    try:
        result = alerts.publish(db, config, alert_id, actor=Actor.operator())
    except alerts.InvalidAlert as e:
        _fail(e)
    click.echo(prompts.say("alerts.cli.published", id=alert_id, queued=result["queued"], skipped=result["skipped"]))
    if not worker.status(config, db)["running"]:
        click.echo(prompts.say("alerts.cli.no_worker"), err=True)
    if wait:
        wait_for(db, result["ref"])


def wait_for(db, ref: str, poll: float = 1.0, timeout: float | None = None) -> dict:
    """A progress bar over one broadcast, until nothing of it is queued (the worker does the sending)."""
    counts = broadcast.progress(db, ref)
    started = time.monotonic()
    with click.progressbar(length=counts["total"], label=ref, show_pos=True) as bar:
        shown = 0
        while True:
            counts = broadcast.progress(db, ref)
            bar.update(counts["done"] - shown)
            shown = counts["done"]
            if counts["queued"] == 0 or (timeout and time.monotonic() - started > timeout):
                break
            time.sleep(poll)
    click.echo(prompts.say("alerts.cli.progress", **counts))
    return counts


def _missing(alert_id):
    raise click.ClickException(prompts.say("alerts.cli.unknown_alert", id=alert_id))


@alerts_group.command("update")
@click.argument("alert_id", type=int)
@click.option("--level", type=click.IntRange(1, 5))
@click.option("--text", type=TEXT)
@click.option("--expires")
@click.option("--village", "villages", multiple=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def update_command(alert_id, level, text, expires, villages, yes):
    """Replace an alert with a new version (a draft is edited in place); pending sends of the old one stop."""
    db, config = _db_and_config()
    changes = {k: v for k, v in {"level": level, "text": text, "expires_at": expires}.items() if v is not None}
    if villages:
        changes["village_ids"] = _villages(db, villages)
    if not yes and (alerts.get(db, alert_id) or _missing(alert_id))["status"] == "published":
        click.confirm(prompts.say("alerts.cli.confirm"), abort=True)
    try:
        new_id = alerts.update(db, config, alert_id, actor=Actor.operator(), **changes)
    except alerts.InvalidAlert as e:
        _fail(e)
    click.echo(prompts.say("alerts.cli.updated", old=alert_id, id=new_id))


@alerts_group.command("cancel")
@click.argument("alert_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def cancel_command(alert_id, yes):
    """Cancel an alert: pending sends stop, those already reached get a cancellation SMS."""
    db, config = _db_and_config()
    alerts.get(db, alert_id) or _missing(alert_id)
    if not yes:
        click.confirm(prompts.say("alerts.cli.confirm"), abort=True)
    try:
        cancel_id = alerts.cancel(db, config, alert_id, actor=Actor.operator())
    except alerts.InvalidAlert as e:
        _fail(e)
    click.echo(prompts.say("alerts.cli.cancelled", old=alert_id, id=cancel_id))


@alerts_group.command("list")
@click.option("--status", help="draft, published, superseded, cancelled, expired")
def list_command(status):
    """List alerts, newest first, with their delivery progress."""
    db, _ = _db_and_config()
    for a in alerts.listing(db, status):
        p = broadcast.progress(db, f"alert:{a['id']}")
        sent = prompts.say("alerts.cli.sent", sent=p["sent"] + p["delivered"], total=p["total"])
        # The status stays a code (--status takes it back); the rest in words, the expiry in Vietnam time.
        what = prompts.say("alerts.cli.list_what", kind=prompts.say(f"alerts.kind.{a['kind']}"), level=a["level"])
        if a["msg_type"] != "alert":
            what += f" ({prompts.say('alerts.cli.msg_type.' + a['msg_type'])})"
        until = prompts.say("alerts.cli.until", until=broadcast.local_time(a["expires_at"]))
        click.echo(f"#{a['id']:<4} {a['status']:<10} {what:<24} {until:<16}{sent}  {a['text'][:50]}")


@alerts_group.command("report")
@click.argument("alert_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="The JSON the admin reads.")
def report_command(alert_id, as_json):
    """Per alert and per village, SMS and calls apart: recipients, sent, delivered, failed, acknowledged, skipped;
    then who did what."""
    db, _ = _db_and_config()
    try:
        data = alerts.report(db, alert_id)
    except LookupError:
        _missing(alert_id)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for line in _report_table(data):
        click.echo(line)


def _report_table(data: dict):
    """A line per village (its recipients), then one per channel: SMS and calls are never added together."""
    columns = ("recipients", "sent", "delivered", "failed", "acknowledged", "skipped_opted_out", "expired",
               "cancelled", "queued")
    names = {c: prompts.say(f"alerts.cli.report_columns.{c}") for c in columns}
    yield f"{'':<12}" + "".join(f"{names[c][:10]:>11}" for c in columns)
    for row in data["villages"] + [{"village": prompts.say("alerts.cli.total"), **data["totals"]}]:
        yield f"{row['village'] or '-':<12}{row['recipients']:>11}"
        for channel in ("sms", "call"):
            counts = row[channel]
            label = prompts.say(f"alerts.cli.report_channels.{channel}")
            yield f"  {label:<10}{'':>11}" + "".join(f"{counts.get(c, ''):>11}" for c in columns[1:])
    yield ""
    yield prompts.say("audit.heading")
    for row in data["audit"] or []:
        yield "  " + audit.line(row)
    if not data["audit"]:
        yield "  " + prompts.say("audit.none")


@alerts_group.command("export")
@click.option("--cap", "alert_id", type=int, required=True, help="The alert to write as CAP 1.2.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
def export_command(alert_id, output):
    """Write an alert as a CAP 1.2 document, valid against the OASIS schema."""
    db, config = _db_and_config()
    try:
        document = cap.export(db, config, alert_id)
    except LookupError:
        _missing(alert_id)
    if output:
        output.write_text(document, "utf-8")
    else:
        click.echo(document, nl=False)


@alerts_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--whole-commune", is_flag=True, help="Target the whole commune when no village is named.")
def import_command(file, whole_commune):
    """Import a provincial or national CAP 1.2 alert as a local draft (or apply its Update / Cancel)."""
    db, config = _db_and_config()
    with file.open("rb") as f:
        document = f.read(cap.MAX_BYTES + 1)       # never more: the path may be a pipe or a device
    try:
        result = cap.import_alert(db, config, document, whole_commune, actor=Actor.operator())
    except cap.InvalidCap as e:
        reason = (prompts.say(f"alerts.cli.cap_{e.reason}", kb=cap.MAX_BYTES // 1024, limit=cap.MAX_TEXT, length=e.detail)
                  if e.reason in ("too_large", "too_long") else str(e))
        raise click.ClickException(prompts.say("alerts.cli.invalid_cap", reason=reason)) from None
    except alerts.InvalidAlert as e:
        _fail(e)
    names = [places.village(db, v)["name"] for v in result.get("village_ids") or []]
    click.echo(prompts.say("alerts.cli.imported", id=result["id"], level=result.get("level", "-"),
                           villages=", ".join(names) or prompts.say("alerts.cli.commune")) + f" [{result['outcome']}]")


@alerts_group.command("checkin")
@click.option("--village", "villages", multiple=True, help="Repeat for several; none = the whole commune.")
@click.option("--flag", "flags", multiple=True, type=click.Choice(alerts.FLAGS))
@click.option("--alert", "alert_id", type=int, help="The alert this check-in follows.")
@click.option("--hours", default=checkins.DEFAULT_HOURS, show_default=True, type=float, help="How long answers count.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def checkin_command(villages, flags, alert_id, hours, yes):
    """After the flood: ask "1 if safe, 2 if you need help" by SMS and call."""
    db, config = _db_and_config()
    village_ids = _villages(db, villages)
    try:
        alert = checkins.follows(db, alert_id)      # the web admin's rule: only after a warning that went out
        # After an emergency-level alert opted-out residents are asked too: the preview must count them.
        p = checkins.preview(db, config, village_ids, list(flags), level=alert["level"] if alert else 1)
        click.echo(prompts.say("alerts.cli.preview", recipients=p["recipients"], skipped=p["skipped"],
                               calls=p["calls"]))
        if not yes:
            click.confirm(prompts.say("alerts.cli.confirm"), abort=True)
        result = checkins.start(db, config, village_ids, list(flags), alert_id, hours,   # checks again
                                actor=Actor.operator())
    except checkins.CheckinRefused as e:
        if e.reason == "unknown_alert":
            _missing(alert_id)
        raise click.ClickException(prompts.say("alerts.cli.checkin_not_published", id=alert_id,
                                               state=prompts.say(f"admin.alerts.states.{e.detail}"))) from None
    click.echo(prompts.say("alerts.cli.checkin_started", id=result["id"], queued=result["queued"]))


@alerts_group.command("checkins")
@click.argument("checkin_id", type=int, required=False)
@click.option("--full", is_flag=True, help="Show numbers in full (to call them back).")
def checkins_command(checkin_id, full):
    """Who answered "need help" (oldest first), for the village heads; all check-ins without ID."""
    db, _ = _db_and_config()
    if checkin_id:
        s = checkins.summary(db, checkin_id)
        click.echo(prompts.say("alerts.cli.checkin_summary", id=checkin_id, safe=s["safe"], help=s["help"],
                               asked=s["total"]))
    rows = checkins.needing_help(db, checkin_id)
    if not rows:
        click.echo(prompts.say("alerts.cli.no_help"))
    for r in rows:
        phone = r["phone"] if full else mask(r["phone"])
        channel = prompts.say(f"alerts.cli.report_channels.{r['channel']}")
        click.echo(f"{broadcast.local_time(r['answered_at'])}  {r['village'] or '-':<10} {r['name'] or '-':<22} {phone}"
                   f" ({channel})")


@click.command("worker")
@click.option("--progress", is_flag=True, help="Show what is queued and sent, per channel, as it goes.")
def worker_command(progress):
    """Send every queued SMS and call (paced, retried, exactly once) and run the periodic jobs."""
    _, config = _db_and_config()
    lock = worker.hold_lock(config, patience=3.0)
    if lock is None:
        raise click.ClickException(prompts.say("core.cli.worker_busy", instance=config["HOTLINE_INSTANCE"]))
    if inuse.hold(config["HOTLINE_DB"]) is None:      # held until the process ends: no restore meanwhile
        raise click.ClickException(prompts.say("core.cli.restore_running", db=config["HOTLINE_DB"]))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(prompts.say("core.cli.worker_started", sms_rate=config["HOTLINE_SMS_RATE"],
                           call_rate=config["HOTLINE_CALL_RATE"]))
    app.run_worker(config, stop, on_tick=_show_queue if progress else None)
    lock.close()


def _show_queue(db) -> None:
    counts = {f"{c}:{s}": n for c, s, n in db.execute(
        "SELECT channel, state, COUNT(*) FROM outbox WHERE state IN ('queued', 'claimed', 'sent', 'failed')"
        " GROUP BY channel, state")}
    line = prompts.say("core.cli.worker_queue", **{
        f"{c}_{what}": counts.get(f"{c}:{what}", 0) + (counts.get(f"{c}:claimed", 0) if what == "queued" else 0)
        for c in ("sms", "call") for what in ("queued", "sent", "failed")})
    sys.stdout.write("\r" + line + " " * 8)
    sys.stdout.flush()
