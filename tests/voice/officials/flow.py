"""Shared by the officials' phone-flow tests: who calls with which PIN, and what the database holds."""
from hotline.domain import places
from hotline.core import prompts
from hotline.core.db import get_db

TU_PIN = "2468"
CHAIRMAN = "+84912500001"
CHAIRMAN_PIN = "1357"


def say(key, **values):
    return prompts.say(f"officials.voice.{key}", **values)


def published(app):
    with app.app_context():
        return list(get_db().query("SELECT * FROM announcements WHERE status = 'published' ORDER BY id"))


def every_announcement(app):
    with app.app_context():
        return list(get_db().query("SELECT * FROM announcements ORDER BY id"))


def village(app, name):
    with app.app_context():
        return places.find_village(get_db(), name)["id"]


def outbox_rows(app, ref):
    with app.app_context():
        return list(get_db().query("SELECT * FROM outbox WHERE ref = ? ORDER BY id", [ref]))
