"""Reply caps through Twilio's signed webhook: per number, for the whole commune, and what goes whatever them."""
from __future__ import annotations

import logging

import pytest

from hotline import checkins, db as storage, inbox, places, prompts, residents
from hotline.simulator import Webhooks, send_sms
from tests.conftest import ANH_MINH, BA_LAN, OPERATOR

STRANGERS = [f"+8498765{i:04d}" for i in range(6)]
THANKS_HELP = prompts.sms("alerts.sms.checkin_thanks_help")


class Phone:
    """Texting an app as one persona; .db is the app's database file."""

    def __init__(self, app):
        self.app, self.hooks = app, Webhooks(app.config, client=app.test_client())
        self.db = storage.connect(app.config["HOTLINE_DB"])

    def __call__(self, phone, body):
        status, replies = send_sms(self.hooks, phone, body)
        assert status == 200 and len(replies) <= 1
        return replies[0] if replies else None

    def statuses(self, phone):
        return [r["reply_status"] for r in reversed(inbox.listing(self.db, 100)) if r["from_phone"] == phone]


@pytest.fixture
def texting(make_app):
    """texting(**settings) -> a Phone on an app with those settings."""
    opened = []

    def make(**settings):
        opened.append(Phone(make_app(**settings)))
        return opened[-1]

    yield make
    for phone in opened:
        phone.db.conn.close()


@pytest.fixture
def phone(texting):
    """Two replies a number and four for the whole commune, an hour: small enough to reach."""
    return texting(HOTLINE_SMS_REPLIES_PER_HOUR="2", HOTLINE_SMS_REPLIES_PER_HOUR_TOTAL="4")


def test_past_the_commune_cap_texts_are_recorded_and_acted_on_but_not_answered(phone, caplog):
    for stranger in STRANGERS[:4]:
        assert phone(stranger, "HELP") == prompts.sms("sms.help")
    with caplog.at_level(logging.WARNING, logger="sms.inbound"):
        assert phone(ANH_MINH, "DK Minh Ben Do") is None
        assert phone(STRANGERS[4], "HELP") is None
    assert residents.by_phone(phone.db, ANH_MINH)["village_id"] == places.find_village(phone.db, "Bến Đò")["id"]
    assert phone.statuses(ANH_MINH) == phone.statuses(STRANGERS[4]) == ["commune_cap"]
    assert "(commune_cap)" in inbox.describe(inbox.listing(phone.db, 1)[0])        # `hotline inbox` shows it
    warned = [r for r in caplog.records if "HOTLINE_SMS_REPLIES_PER_HOUR_TOTAL" in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelno == logging.WARNING               # once, not once a text
    health = phone.app.test_client().get("/health").get_json()["sms"]
    assert (health["replies_per_hour_total"], health["commune_capped_last_hour"]) == (4, 2)
    assert phone(ANH_MINH, "TU CHOI") == prompts.sms("sms.opt_out.opted_out")      # a refusal is still confirmed


def test_a_need_help_answer_is_acknowledged_whatever_the_caps(phone):
    checkins.start(phone.db, phone.app.config, [places.find_village(phone.db, "Yên Nông")["id"]], actor=OPERATOR)
    helped = [phone(BA_LAN, "HELP") for _ in range(3)]
    assert helped == [prompts.sms("sms.help")] * 2 + [prompts.sms("sms.rate_limited")]
    phone(STRANGERS[0], "HELP")                       # the commune's fourth reply: both caps reached
    assert phone(BA_LAN, "1") is None                 # "safe": a courtesy, capped like any reply
    assert phone(BA_LAN, "2") == THANKS_HELP          # "need help": she must know she was heard
    assert phone(STRANGERS[1], "2") is None           # not asked, so not a check-in answer: capped
    assert checkins.needing_help(phone.db)[0]["phone"] == BA_LAN


def test_need_help_acknowledgements_past_six_an_hour_are_ordinary_replies(phone):
    """A phone answering by itself (or a forged sender) cannot make the acknowledgement loop."""
    checkins.start(phone.db, phone.app.config, [places.find_village(phone.db, "Yên Nông")["id"]], actor=OPERATOR)
    for _ in range(3):
        phone(BA_LAN, "HELP")
    assert [phone(BA_LAN, "2") for _ in range(7)] == [THANKS_HELP] * 6 + [None]
    assert phone.statuses(BA_LAN)[-1] == "rate_limited"


def test_consent_is_confirmed_only_when_it_changes_and_past_the_cap_three_times_a_day(texting):
    phone = texting(HOTLINE_SMS_REPLIES_PER_HOUR="2")
    for _ in range(3):
        phone(ANH_MINH, "HELP")                       # two replies and the notice: the number's cap is reached
    assert phone(ANH_MINH, "TU CHOI") == prompts.sms("sms.opt_out.opted_out")
    assert phone(ANH_MINH, "TU CHOI") is None         # already out: no second confirmation, whatever the cap
    assert phone(ANH_MINH, "BAT") == prompts.sms("sms.opt_in.opted_in")
    assert phone(ANH_MINH, "TU CHOI") == prompts.sms("sms.opt_out.opted_out")
    assert phone(ANH_MINH, "BAT") is None             # a fourth change in a day: an ordinary, capped reply
    assert residents.by_phone(phone.db, ANH_MINH)["opted_out_at"] is None     # yet acted on
    assert phone.statuses(ANH_MINH)[3:] == ["replied", "silent", "replied", "replied", "rate_limited"]
