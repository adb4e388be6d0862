"""One inbound text, whatever carried it: once only, parsed, acted on, answered within the limits."""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from hotline.domain import inbox, outbox, residents
from hotline.domain.inbox import Message, allowed_destination  # noqa: F401  (the channel's names for them)
from hotline.core.db import transaction
from hotline.core.phones import InvalidPhone, mask, normalise
from hotline.core.segments import count
from hotline.core.text import nfc

from sms import commands, keywords
from sms.replies import render

log = logging.getLogger(__name__)
HELP_ACK = "alerts.sms.checkin_thanks_help"     # the check-in hook's outcome for a "2": "we heard you"
# Answers that go whatever the reply caps (per number and commune-wide): a change of consent, and the
# acknowledgement of a "need help". Each kind has its own allowance per number (most, hours), past which
# it is an ordinary reply again: a phone that answers by itself, or a forged sender, cannot loop them.
BEYOND_CAPS = {"opted_out": "consent", "opted_in": "consent", HELP_ACK: "help"}
ALLOWANCE = {"consent": (3, 24.0), "help": (6, 1.0)}


@dataclass(frozen=True)
class Result:
    reply: str | None
    command: str
    outcome: str
    reply_status: str       # replied | queued | rate_limited | blocked_country | not_a_phone
    replayed: bool = False


def reply_key(message: Message) -> str:
    """The queued reply's dedupe key: one reply per inbound message, however often it is delivered."""
    return f"reply:{message.transport}:{message.provider_id}"


def receive(db, config, message: Message, queue_reply: bool = False, hooks: tuple = ()) -> Result:
    """Handle a message once: a replay of the same provider id gets the stored reply and no new effect.

    hooks: fn(db, config, phone, text) -> (prompt key, values) | None each, tried before the keywords (the
    check-in's bare "1"/"2"); hotline.app lists them.

    The effect, the log row and (for the gateway) the queued reply commit together, so an opt-out
    is stored before any reply leaves, and a crash leaves either all of it or none.
    """
    body = nfc(message.body)
    # Parsing needs no database: done before the write lock, which every SMS request queues for.
    parsed = keywords.parse(body[:inbox.MAX_BODY])
    phone = _phone(message.sender)
    if phone is not None and len(body) <= inbox.MAX_BODY and commands.reads_only(parsed):
        return _answer_reading(db, config, message, body, parsed, phone, queue_reply, hooks)
    with transaction(db):
        seen = inbox.find(db, message.transport, message.provider_id)
        if seen:
            return _replayed(message, seen)
        ctx = _context(db, config, phone)
        if phone is None:       # a short code or a name ("VIETTEL"): answering could start a loop
            command, outcome, reply = parsed.name, "ignored", None
        elif len(body) > inbox.MAX_BODY:
            command, outcome, reply = "too_long", "ignored", ctx.say("sms.too_long")
        else:
            command, outcome, reply = _act(ctx, body, parsed, hooks)
        ctx.resident = residents.by_phone(db, phone) if phone else None     # the command may have created one
        result = _store(db, config, ctx, message, body, command, outcome, reply, queue_reply)
    return _logged(phone, result)


def _answer_reading(db, config, message: Message, body: str, parsed, phone: str, queue_reply: bool,
                    hooks: tuple) -> Result:
    """A command that only reads (the warnings, a guide, help) is answered outside the write lock; only the
    inbox row and the queued reply are written, in one short transaction. Under load every SMS queues for
    SQLite's single writer, so what is done before it is time the others do not wait."""
    ctx = _context(db, config, phone)
    command, outcome, reply = _act(ctx, body, parsed, hooks)
    try:
        with transaction(db):
            result = _store(db, config, ctx, message, body, command, outcome, reply, queue_reply)
    except sqlite3.IntegrityError:      # delivered before (a provider's retry): the stored reply, no new row
        seen = inbox.find(db, message.transport, message.provider_id)
        if seen is None:
            raise
        return _replayed(message, seen)
    return _logged(phone, result)


def _context(db, config, phone: str | None) -> commands.Context:
    resident = residents.by_phone(db, phone) if phone else None
    return commands.Context(db, config, phone or "", resident,
                            residents.wants_accents(resident, config.flag("HOTLINE_SMS_ACCENTS")))


def _store(db, config, ctx, message: Message, body: str, command: str, outcome: str, reply: str | None,
           queue_reply: bool) -> Result:
    """Inside the transaction: the reply cap, the inbox row and (gateway) the queued reply."""
    phone = ctx.phone or None
    reply, status = _limit(db, config, ctx, phone, reply, queue_reply, outcome)
    inbox_id = inbox.record(db, transport=message.transport, provider_id=message.provider_id,
                            from_phone=phone or message.sender[:40], to_phone=message.to,
                            body=body[:inbox.MAX_BODY], body_length=len(body), command=command,
                            outcome=outcome, resident_id=ctx.resident["id"] if ctx.resident else None,
                            reply=reply, reply_status=status)
    if reply and queue_reply:
        outbox.enqueue(db, "sms", phone, "reply", body=reply, resident_id=ctx.resident and ctx.resident["id"],
                       ref=f"sms_inbox:{inbox_id}", dedupe_key=reply_key(message), segments=count(reply).segments,
                       priority=outbox.PRIORITY["help_ack" if outcome == HELP_ACK else "reply"])
    return Result(reply, command, outcome, status)


def _replayed(message: Message, seen: dict) -> Result:
    log.info("sms %s replayed: same reply, no new effect", message.provider_id)
    return Result(seen["reply"], seen["command"], seen["outcome"], seen["reply_status"], replayed=True)


def _logged(phone: str | None, result: Result) -> Result:
    if log.isEnabledFor(logging.INFO):
        log.info("sms from %s: %s -> %s (%s)", mask(phone or ""), result.command, result.outcome,
                 result.reply_status)
    return result


def _act(ctx, body: str, command, hooks: tuple) -> tuple[str, str, str | None]:
    for hook in hooks:
        claimed = hook(ctx.db, ctx.config, ctx.phone, body)
        if claimed:
            key, values = claimed
            return "hook", key, ctx.say(key, **values)
    outcome, reply = commands.run(ctx, command)
    return command.name, outcome, reply


def _limit(db, config, ctx, phone, reply, queue_reply, outcome) -> tuple[str | None, str]:
    """Who may be answered: real numbers, allowed countries, N replies an hour each (+ one notice), and M an
    hour for the whole commune; BEYOND_CAPS answers within their allowance whatever the caps."""
    if phone is None:
        return None, "not_a_phone"
    if not allowed_destination(config, phone):
        return None, "blocked_country"
    if not reply:
        return None, "silent"
    status = "queued" if queue_reply else "replied"
    if _within_allowance(db, phone, outcome):
        return reply, status
    cap = int(config.number("HOTLINE_SMS_REPLIES_PER_HOUR"))
    sent = inbox.replies_within(db, phone, up_to=cap + 1)
    if sent > cap:
        return None, "rate_limited"
    if _commune_capped(db, config):
        return None, inbox.COMMUNE_CAPPED
    if sent == cap:     # one last reply says why the next ones will not come
        return render("sms.rate_limited", ctx.accents), status
    return reply, status


def _within_allowance(db, phone: str, outcome: str) -> bool:
    kind = BEYOND_CAPS.get(outcome)
    if kind is None:
        return False
    most, hours = ALLOWANCE[kind]
    outcomes = [o for o, k in BEYOND_CAPS.items() if k == kind]
    return inbox.outcome_replies_within(db, phone, outcomes, hours, up_to=most) < most


def _commune_capped(db, config) -> bool:
    """The commune's replies this hour have reached HOTLINE_SMS_REPLIES_PER_HOUR_TOTAL; the first text
    left unanswered in an hour is logged as a warning (every one shows in `hotline sms inbox` and /health)."""
    cap = int(config.number("HOTLINE_SMS_REPLIES_PER_HOUR_TOTAL"))
    if inbox.commune_replies_within(db, up_to=cap) < cap:
        return False
    if not inbox.commune_capped_within(db, up_to=1):
        log.warning("%d SMS replies in the last hour: the commune-wide cap (HOTLINE_SMS_REPLIES_PER_HOUR_TOTAL)"
                    " is reached; texts are recorded and acted on, replies withheld", cap)
    return True


def _phone(sender: str) -> str | None:
    try:
        return normalise(sender)
    except InvalidPhone:
        return None
