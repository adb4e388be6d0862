"""`hotline officials …`: register officials, list them, disable them, reset their PIN or web password."""
from __future__ import annotations

import click

from hotline.core import clock, prompts
from hotline.domain import officials as registry, places
from hotline.cli.text import TEXT
from hotline.cli.villages import village_ids
from hotline.core.db import now
from hotline.domain.officials.permissions import Actor
from hotline.core.phones import InvalidPhone, mask


def _db():
    from hotline.cli.common import open_db

    return open_db()


def _official(database, phone: str) -> dict:
    from hotline.cli.common import phone_number as _phone

    found = registry.by_phone(database, _phone(phone))
    if not found:
        raise click.ClickException(prompts.say("officials.cli.unknown", phone=mask(_phone(phone))))
    return found


# Asked when --pin / --password is omitted; help texts stay English (no Vietnamese in code), these are data.
PIN = {"prompt": prompts.say("officials.cli.pin"), "confirmation_prompt": prompts.say("officials.cli.repeat"),
       "hide_input": True}
PASSWORD = {**PIN, "prompt": prompts.say("officials.cli.password")}


def _fail(error: registry.InvalidOfficial):
    raise click.ClickException(prompts.say(f"officials.cli.reason.{error.reason}", detail=error.detail))


@click.group()
def officials():
    """Officials: who may record announcements by phone and log in to the web admin."""


@officials.command("add")
@click.option("--name", required=True, type=TEXT, help="Full name, as residents know them.")
@click.option("--role", required=True, type=click.Choice(registry.ROLES))
@click.option("--phone", required=True, help="The number they call from (any Vietnamese form).")
@click.option("--village", "villages", multiple=True, help="A village they may address (repeat); none = whole commune.")
@click.option("--association", help="women | farmers | youth, for association leaders.")
@click.option("--pin", **PIN, help="4-8 digits (asked when omitted).")
@click.option("--with-password", is_flag=True, help="Also ask for a web admin password.")
def add(name, role, phone, villages, association, pin, with_password):
    """Register an official; the PIN (and password) are stored hashed."""
    database = _db()
    chosen = village_ids(database, villages)
    password = click.prompt(PASSWORD["prompt"], hide_input=True,
                            confirmation_prompt=PASSWORD["confirmation_prompt"]) if with_password else None
    try:
        official_id = registry.add(database, name, role, phone, chosen or None, pin, password, association,
                                   actor=Actor.operator())
    except registry.InvalidOfficial as e:
        _fail(e)
    except InvalidPhone as e:
        from hotline.cli.common import bad_phone

        raise click.BadParameter(bad_phone(phone, e), param_hint="--phone") from None
    click.echo(prompts.say("officials.cli.added", id=official_id, name=name, phone=mask(registry.get(
        database, official_id)["phone"])))


@officials.command("list")
@click.option("--all", "include_disabled", is_flag=True, help="Include disabled officials.")
def listing(include_disabled):
    """List officials with their role and villages (numbers masked)."""
    database = _db()
    names = {v["id"]: v["name"] for v in places.villages(database)}
    associations = {a["id"]: a["name"] for a in places.associations(database)}
    for o in registry.listing(database, include_disabled):
        where = prompts.say("officials.whole_commune") if o["commune_wide"] else ", ".join(
            names[v] for v in o["village_ids"])
        role = prompts.say("officials.roles." + o["role"])
        if o["association_id"] in associations:         # which association an association leader leads
            role += f" ({associations[o['association_id']]})"
        marks = [prompts.say("officials.cli.disabled")] if o["disabled"] else []
        if o["locked_until"] and o["locked_until"] > now():
            marks.append(prompts.say("officials.cli.locked"))
        click.echo(f"{o['id']:>3} {mask(o['phone'])} {o['name']} · {role}"
                   f" · {where}{' · ' + ', '.join(marks) if marks else ''}")


@officials.command("disable")
@click.argument("phone")
@click.option("--enable", is_flag=True, help="Re-enable instead.")
def disable(phone, enable):
    """Disable (or --enable) an official: no officials' menu, no web login.

    The web admin's guard holds here too: the last enabled commune chairman stays. There is no
    override on purpose; add the new chairman first, and set-pin / set-password shut out a leaked secret.
    """
    database = _db()
    official = _official(database, phone)
    if registry.set_disabled(database, official["id"], not enable, actor=Actor.operator()) == "last_chairman":
        raise click.ClickException(prompts.say("officials.cli.reason.last_chairman") + " "
                                   + prompts.say("officials.cli.last_chairman_hint"))
    click.echo(prompts.say("officials.cli.enabled" if enable else "officials.cli.disabled_done", name=official["name"]))


@officials.command("set-pin")
@click.argument("phone")
@click.option("--pin", **PIN, help="4-8 digits (asked when omitted).")
def set_pin(phone, pin):
    """Set a new PIN (also lifts a lock after wrong PINs)."""
    _set_secret(phone, registry.set_pin, pin, "officials.cli.pin_set")


@officials.command("set-password")
@click.argument("phone")
@click.option("--password", **PASSWORD, help="At least 8 characters (asked when omitted).")
def set_password(phone, password):
    """Set the official's web admin password."""
    _set_secret(phone, registry.set_password, password, "officials.cli.password_set")


def _set_secret(phone: str, setter, secret: str, done_key: str) -> None:
    database = _db()
    official = _official(database, phone)
    try:
        setter(database, official["id"], secret, actor=Actor.operator())
    except registry.InvalidOfficial as e:
        _fail(e)
    click.echo(prompts.say(done_key, name=official["name"]))


@click.group()
def announcements():
    """Announcements officials recorded by phone: list them, withdraw one."""


@announcements.command("list")
@click.option("--status", type=click.Choice(["draft", "published", "withdrawn", "cancelled"]))
@click.option("--limit", default=20, show_default=True)
def announcements_list(status, limit):
    """List announcements: who, for where, kind, status, fan-out, transcript."""
    from hotline.domain.officials import announcements as domain

    database = _db()
    for a in domain.listing(database, status, limit):
        place = domain.audience_name(database, a["village_id"])
        kind = a["kind"] + (f" {a['level']}" if a["level"] else "")
        when = clock.local(a["published_at"] or a["created_at"]).strftime("%Y-%m-%d %H:%M")     # Vietnam time
        click.echo(prompts.say("officials.cli.announcement_row", id=a["id"], when=when,
                               official=a["official"] or "-", place=place, kind=kind, status=a["status"],
                               fan_out=a["fan_out"], queued=a["queued"], text=a["text"] or ""))


@announcements.command("withdraw")
@click.argument("announcement_id", type=int)
def announcements_withdraw(announcement_id):
    """Take a published announcement off the hotline; unsent notices and calls (and a warning's alert) are cancelled."""
    from hotline.domain.officials import announcements as domain
    from hotline.core.config import Config

    result = domain.withdraw(_db(), Config.from_env(), announcement_id, actor=Actor.operator())
    if result["outcome"] != "withdrawn":
        raise click.ClickException(prompts.say("officials.cli.not_published", id=announcement_id))
    click.echo(prompts.say("officials.cli.withdrawn", id=announcement_id, cancelled=result["cancelled"]))
