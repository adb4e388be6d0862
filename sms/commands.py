"""What each keyword does: domain call → outcome → reply text. One function per command."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from hotline.domain import alerts, lessons, places, residents
from hotline.core import prompts
from hotline.core.segments import count
from hotline.core.text import key as words_of, squash

from sms import keywords
from sms.replies import fitted, render, topic, when

log = logging.getLogger(__name__)
VILLAGE_WORDS = 4          # the longest village name, in words


@dataclass
class Context:
    db: object
    config: object
    phone: str
    resident: dict | None
    accents: bool

    def say(self, key: str, **values) -> str:
        return render(key, self.accents, **values)

    def fit(self, key: str, shrink: str, tail: str = "", **values) -> str:
        return fitted(key, self.accents, shrink, tail=tail, **values)

    @property
    def zone(self) -> str:
        return self.config.get("HOTLINE_TIMEZONE") or "Asia/Ho_Chi_Minh"


# Commands that change nothing: answered before the write lock (sms/inbound.py). A bare "1" or "2" is not one
# of them (it parses as unknown), so the check-in hook that claims it still runs inside the transaction.
READING = ("alerts", "guides", "help")


def reads_only(command: keywords.Command) -> bool:
    return command.name in READING or (command.name == "lessons" and not command.args)


def run(ctx: Context, command: keywords.Command) -> tuple[str, str | None]:
    """(outcome, reply) for a parsed command; reply None: nothing to say."""
    handler = HANDLERS.get(command.name, unknown)
    return handler(ctx, command.args)


def register(ctx, args):
    names = ", ".join(v["name"] for v in places.villages(ctx.db))
    if not args:
        return "usage", ctx.say("sms.register.usage", villages=names)
    village, name_words = split_village(ctx.db, args)
    if village is None:
        return "no_village", ctx.fit("sms.register.no_village", "given", given=" ".join(args[-2:]), villages=names)
    name = " ".join(name_words)[:60] or None
    if name and (name.islower() or name.isupper()):     # "nguyen van an" / "NGUYEN VAN AN" -> "Nguyen Van An"
        name = name.title()
    known = ctx.resident and ctx.resident["name"]
    if name and known and set(words_of(name).split()) <= set(words_of(known).split()):
        name = None         # a short unaccented name from a registered resident keeps the register's full, accented one
    resident, outcome = residents.register(ctx.db, ctx.phone, "sms", name=name, village_id=village["id"])
    if resident["opted_out_at"]:        # DK is a request for messages: it lifts an earlier refusal
        residents.opt_in(ctx.db, ctx.phone, "sms")
    shown = resident["name"] or prompts.say("sms.register.no_name")
    return outcome, ctx.fit(f"sms.register.{outcome}", "name", name=shown, village=village["name"])


def split_village(db, args: tuple[str, ...]) -> tuple[dict | None, tuple[str, ...]]:
    """The village named by the last words ("... Yen Nong", "... YENNONG"), exact names before fuzzy ones."""
    spans = range(min(VILLAGE_WORDS, len(args)), 0, -1)
    exact = {squash(v["name"]): v for v in places.villages(db)}
    for k in spans:
        if squash(" ".join(args[-k:])) in exact:
            return exact[squash(" ".join(args[-k:]))], args[:-k]
    for k in spans:
        found = places.find_village(db, " ".join(args[-k:]))
        if found:
            return found, args[:-k]
    for k in spans:         # "Yen Nnog": two letters swapped, which plain edit distance counts twice
        near = [v for name, v in exact.items() if keywords.typos(squash(" ".join(args[-k:])), name) == 1]
        if len(near) == 1:
            return near[0], args[:-k]
    return None, args


def warnings(ctx, args):
    village_id = ctx.resident["village_id"] if ctx.resident else None
    active = alerts.active_for_village(ctx.db, village_id)
    if not active:
        if village_id is None:
            return "none", ctx.say("sms.alerts.none_commune")
        return "none", ctx.say("sms.alerts.none", village=places.village(ctx.db, village_id)["name"])
    first = active[0]
    if len(active) == 1:
        return "shown", ctx.fit("sms.alerts.one", "text", level=first["level"], text=first["text"])
    return "shown", ctx.fit("sms.alerts.many", "text", level=first["level"], others=len(active) - 1,
                            text=first["text"])


def lessons_command(ctx, args):
    if args:
        return enrol(ctx, lesson_code(args))
    village_id = ctx.resident["village_id"] if ctx.resident else None
    upcoming = lessons.upcoming(ctx.db, village_id, limit=5)
    if not upcoming:
        return "none", ctx.say("sms.lessons.none")
    lines = [f"{x['code']} {topic(x['topic'])} {when(x['starts_at'], ctx.zone)}" for x in upcoming]
    n, budget = len(lines), (2 if ctx.accents else 1)    # as many as fit, own village and soonest first
    while n > 1 and count(ctx.say("sms.lessons.list", lines="; ".join(lines[:n]))).segments > budget:
        n -= 1
    return "listed", ctx.fit("sms.lessons.list", "lines", lines="; ".join(lines[:n]))


def lesson_code(args: tuple[str, ...]) -> str:
    """ "VN3", or "VN 3" / "vn 3" typed apart: a short first word joins the next."""
    return "".join(args[:2]) if len(args[0]) < 3 and len(args) > 1 else args[0]


def enrol(ctx, code: str):
    if ctx.resident is None:        # an unknown number is registered on the way; the reply asks for the village
        ctx.resident, _ = residents.register(ctx.db, ctx.phone, "sms")
    result = lessons.enrol_by_code(ctx.db, ctx.resident["id"], code, channel="sms")
    return result["outcome"], lesson_reply(ctx, "sms.lessons", result, code, tail=village_hint(ctx))


def village_hint(ctx) -> str:
    """How to add a village (DK <name> <village>), for a resident we cannot warn by village; "" otherwise.

    Warnings and officials' messages go by village, and nothing else would ever ask a texter for theirs.
    Someone who refused our messages is not invited back.
    """
    if ctx.resident["village_id"] or ctx.resident["opted_out_at"]:
        return ""
    return " " + ctx.say("sms.register.ask_village")


def cancel(ctx, args):
    if not args:
        sample = next(iter(lessons.upcoming(ctx.db, None, limit=1)), {"code": "VN3"})["code"]
        return "usage", ctx.say("sms.lessons.cancel_usage", code=sample)
    code = lesson_code(args)
    if ctx.resident is None:
        return "not_enrolled", ctx.say("sms.lessons.not_enrolled", code=code.upper())
    result = lessons.cancel_by_code(ctx.db, ctx.resident["id"], code)
    return result["outcome"], lesson_reply(ctx, "sms.lessons", result, code)


def lesson_reply(ctx, prefix: str, result: dict, code: str, tail: str = "") -> str:
    lesson = result.get("lesson") or {}
    key = f"{prefix}.{result['outcome']}"
    if key not in prompts.catalogue():
        log.warning("no SMS words for lesson outcome %s", result["outcome"])
        key = f"{prefix}.unknown_code" if not lesson else f"{prefix}.full"
    values = {"code": lesson.get("code") or code.upper(), "position": result.get("position") or "?",
              "topic": topic(lesson["topic"]) if lesson else "", "place": lesson.get("place", ""),
              "when": when(lesson["starts_at"], ctx.zone) if lesson else ""}
    return ctx.fit(key, "place", tail=tail, **values)


def guides(ctx, args):
    guide = keywords.guide(args)
    key = f"guides.{guide}.sms"
    if guide is None or key not in prompts.catalogue():
        return "menu", ctx.say("sms.guides.menu")
    return guide, ctx.say(key)


def opt_out(ctx, args):
    """Confirmed only when it changes something: a number that asked for silence is not answered again."""
    outcome = residents.opt_out(ctx.db, ctx.phone, "sms")
    return outcome, ctx.say(f"sms.opt_out.{outcome}") if outcome == "opted_out" else None


def opt_in(ctx, args):
    outcome = residents.opt_in(ctx.db, ctx.phone, "sms")
    return outcome, ctx.say(f"sms.opt_in.{outcome}")


def accents(wanted: bool):
    def handler(ctx, args):
        ctx.resident, _ = residents.register(ctx.db, ctx.phone, "sms", accents_choice=True, sms_accents=wanted)
        ctx.accents = wanted
        return ("accents_on" if wanted else "accents_off"), ctx.say("sms.accents.on" if wanted else "sms.accents.off")
    return handler


def help_command(ctx, args):
    return "help", ctx.say("sms.help")


def unknown(ctx, args):
    return "unknown", ctx.say("sms.unknown")


def empty(ctx, args):
    return "empty", ctx.say("sms.empty")


HANDLERS = {
    "register": register, "alerts": warnings, "lessons": lessons_command, "cancel": cancel, "guides": guides,
    "help": help_command, "opt_out": opt_out, "opt_in": opt_in, "accents_on": accents(True),
    "accents_off": accents(False), "unknown": unknown, "empty": empty,
}
