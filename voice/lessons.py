"""Menu 3: lessons by keypad or voice — listen, choose, confirm, hear the outcome; cancel; call notices.

The caller's village comes first; an unknown number is registered on the way (village asked, name
optional). Every step is a menus.Menu; the state travels in each URL's query (code, offer, outcome).
"""
from __future__ import annotations

from flask import current_app, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.core import clock, prompts
from hotline.domain import lessons, residents
from hotline.core.db import get_db
from hotline.web.webhooks import twilio_signed, twiml

from hotline.speech import asr, audio
from voice import menus, tts, villages
from hotline.sending import recordings
from voice.blueprint import bp

URL = "/voice/lessons"
LISTED = 3                  # lessons per menu; key 4 is the caller's own enrolments
NAME_SECONDS = 5


def say(key: str, **values) -> str:
    return prompts.say(f"lessons.voice.{key}", **values)


def spoken_when(starts_at: str) -> str:
    """The lesson's start in local time, worded as menu 3 has always said it (prompts/lessons.toml)."""
    moment = clock.local(starts_at)
    return prompts.say("voice.lessons.when", hour=moment.hour, minute=f"{moment.minute:02d}", day=moment.day,
                       month=moment.month)


def facts(lesson: dict) -> dict:
    return {"topic": prompts.say(f"voice.lessons.topic.{lesson['topic']}"), "when": spoken_when(lesson["starts_at"]),
            "place": lesson["place"], "code": lesson["code"]}


def _option(digit: str, action: str, value: str, *word_keys: str) -> menus.Option:
    words = tuple(w for k in word_keys for w in prompts.raw(k))
    return menus.Option(digit, action, value, words)


def _resident(db):
    return residents.by_phone(db, menus.caller())


def _hint() -> list[str]:
    return [say("hint")]


def _listed(rows: list[dict]) -> tuple[list[str], list[menus.Option]]:
    """Each lesson said in full, then chosen by its number or its topic's words."""
    items = [prompts.say("voice.lessons.item", topic=f["topic"], when=f["when"], place=f["place"])
             for f in map(facts, rows)]
    return items, [_option(str(n), prompts.say("voice.lessons.choose", number=n), x["code"],
                           f"lessons.topics.{x['topic']}.words") for n, x in enumerate(rows, 1)]


def list_menu(db, config=None, village_id: int | None = None, resident: dict | None = None) -> menus.Menu:
    """Upcoming lessons, the village's first; 4 = the caller's own enrolments (to hear or cancel)."""
    upcoming = lessons.upcoming(db, village_id, limit=LISTED)
    items, options = _listed(upcoming)
    if resident and lessons.of_resident(db, resident["id"]):
        options.append(_option("4", say("mine"), "mine", "lessons.voice.words.mine"))
    intro = prompts.say("voice.lessons.intro") if upcoming else prompts.say("voice.lessons.none")
    return menus.Menu("lessons", URL, [intro, *items], options, _hint())


def mine_menu(db) -> menus.Menu:
    resident = _resident(db)
    mine = lessons.of_resident(db, resident["id"])[:LISTED] if resident else []
    items, options = _listed(mine)
    return menus.Menu("lessons.mine", f"{URL}/mine", [say("mine_intro" if mine else "mine_none"), *items], options,
                      _hint())


def detail_menu(db, lesson: dict, offer: str | None = None) -> menus.Menu:
    """The lesson, the caller's place in it, and what they may do. The offer made when the menu was
    first said travels in its URL, so "1" means what the caller heard even if seats changed meanwhile."""
    resident = _resident(db)
    text = [prompts.say("voice.lessons.detail", **facts(lesson))]
    mine = resident and lessons.enrolment(db, lesson["id"], resident["id"])
    left = lesson["capacity"] - lesson["seated"]
    waitlist_open = lesson["waitlist"] is None or lesson["waiting"] < lesson["waitlist"]
    if mine and mine["status"] in ("enrolled", "waitlisted"):
        position = lessons.waitlist_position(db, mine)
        text.append(say("you_are_waiting", position=position) if position else say("you_are_enrolled"))
        offer = offer or "cancel"
    elif left > 0:
        text.append(say("seats_left", left=left))
        offer = offer or "enrol"
    else:
        text.append(say("waitlist_open") if waitlist_open else say("no_seats"))
        offer = offer or ("waitlist" if waitlist_open else "none")
    options = {"enrol": [_option("1", say("enrol"), "enrol", "lessons.voice.words.enrol")],
               "waitlist": [_option("1", say("enrol_waitlist"), "enrol", "lessons.voice.words.enrol")],
               "cancel": [_option("1", say("cancel"), "cancel", "lessons.voice.words.cancel")]}.get(offer, [])
    options.append(_option("2", say("others"), "others", "lessons.voice.words.others"))
    url = menus.with_params(f"{URL}/detail", code=lesson["code"], offer=offer)
    return menus.Menu("lessons.detail", url, text, options, _hint())


def confirm_menu(lesson: dict) -> menus.Menu:
    return menus.Menu("lessons.cancel", menus.with_params(f"{URL}/cancel", code=lesson["code"]),
                      [say("confirm_cancel", **facts(lesson))],
                      [_option("1", say("confirm_yes"), "yes", "lessons.voice.words.yes"),
                       _option("2", say("confirm_no"), "no", "lessons.voice.words.no")], _hint())


def village_question(code: str) -> tuple:
    """Before enrolling an unknown caller: which village (voice/villages.py pages it past four)."""
    url = menus.with_params(f"{URL}/village", code=code)
    return "lessons.village", url, say("ask_village"), "lessons.voice.village_option"


def outcome_menu(db, code: str, outcome: str, position: str | None) -> menus.Menu:
    lesson = lessons.by_code(db, code)
    values = facts(lesson) if lesson else {}
    if outcome == "already_enrolled" and position:
        outcome = "already_waiting"
    key = outcome if lesson or outcome == "unknown_code" else "unknown_code"
    text = say(f"outcome.{key}", **values, position=position or "")
    url = menus.with_params(f"{URL}/outcome", code=code, o=outcome, p=position)
    return menus.Menu("lessons.outcome", url, [text],
                      [_option("1", say("others"), "others", "lessons.voice.words.others")], _hint())


def _answer(menu: menus.Menu, choose):
    """Show or answer a menu; choose(Choice) -> URL to go to next."""
    result = menus.handle(menu)
    if isinstance(result, menus.Choice):
        return twiml(menus.redirect(choose(result)))
    return twiml(result)


def _detail_url(code: str) -> str:
    return menus.with_params(f"{URL}/detail", code=code)


@bp.post("/lessons")
@twilio_signed
def lessons_menu():
    db = get_db()
    resident = _resident(db)
    menu = list_menu(db, current_app.config, resident and resident["village_id"], resident)
    return _answer(menu, lambda c: f"{URL}/mine" if c.option.value == "mine" else _detail_url(c.option.value))


@bp.post("/lessons/mine")
@twilio_signed
def lessons_mine():
    return _answer(mine_menu(get_db()), lambda c: _detail_url(c.option.value))


@bp.post("/lessons/detail")
@twilio_signed
def lesson_detail():
    db = get_db()
    lesson = lessons.by_code(db, request.args.get("code", ""))
    if lesson is None:
        return twiml(menus.redirect(URL))

    def next_step(choice):
        if choice.option.value == "others":
            return URL
        if choice.option.value == "cancel":
            return menus.with_params(f"{URL}/cancel", code=lesson["code"])
        resident = _resident(db)
        if resident is None or not resident["village_id"]:
            return menus.with_params(f"{URL}/village", code=lesson["code"])
        return menus.with_params(f"{URL}/enrol", code=lesson["code"])
    return _answer(detail_menu(db, lesson, request.args.get("offer")), next_step)


@bp.post("/lessons/village")
@twilio_signed
def lesson_village():
    """An unknown caller (or one without a village) is registered before enrolling; consent given by phone."""
    db, code = get_db(), request.args.get("code", "")

    def registered(choice):
        residents.register(db, menus.caller(), "phone", village_id=int(choice.option.value))
        if asr.get_recogniser().available:
            return menus.with_params(f"{URL}/name", code=code)
        return menus.with_params(f"{URL}/enrol", code=code)
    result = villages.ask(db, *village_question(code))
    return twiml(menus.redirect(registered(result)) if isinstance(result, menus.Choice) else result)


@bp.post("/lessons/name")
@twilio_signed
def lesson_name():
    """Optional: the caller says their name; # or silence skips (an empty Record does not call its action)."""
    code = request.args.get("code", "")
    response = VoiceResponse()
    tts.speak(response, say("ask_name"))
    response.record(max_length=NAME_SECONDS, timeout=3, finish_on_key="#", play_beep=True, trim="trim-silence",
                    action=menus.with_params(f"{URL}/name/heard", code=code))
    response.redirect(menus.with_params(f"{URL}/enrol", code=code))
    return twiml(response)


@bp.post("/lessons/name/heard")
@twilio_signed
def lesson_name_heard():
    db, code = get_db(), request.args.get("code", "")
    try:
        sid, posted = request.form.get("RecordingSid", ""), request.form.get("RecordingUrl", "")
        recording = recordings.download(current_app.config, sid, posted, seconds=NAME_SECONDS)
        recordings.delete_later(current_app.config, sid, posted)     # the name is kept as text, the voice is not
        heard = asr.get_recogniser().transcribe(audio.to_wav_8k(recording)).strip()
    except Exception as e:  # a name is optional: enrolment goes on without it
        current_app.logger.warning("name not transcribed: %s", type(e).__name__)
        heard = ""
    if heard:
        residents.register(db, menus.caller(), "phone", name=heard.title())
    return twiml(menus.redirect(menus.with_params(f"{URL}/enrol", code=code)))


@bp.post("/lessons/enrol")
@twilio_signed
def lesson_enrol():
    """The confirmed enrolment: done once here, then the outcome is a plain menu (* repeats it, not the act)."""
    db, code = get_db(), request.args.get("code", "")
    resident = _resident(db)
    if resident is None:
        return twiml(menus.redirect(menus.with_params(f"{URL}/village", code=code)))
    result = lessons.enrol_by_code(db, resident["id"], code, channel="voice")
    menus.log_step(menus.Menu("lessons.enrol", URL), "enrol", result["outcome"])
    return twiml(menus.redirect(menus.with_params(f"{URL}/outcome", code=code, o=result["outcome"],
                                                  p=result.get("position"))))


@bp.post("/lessons/cancel")
@twilio_signed
def lesson_cancel():
    db = get_db()
    lesson = lessons.by_code(db, request.args.get("code", ""))
    if lesson is None:
        return twiml(menus.redirect(URL))

    def decided(choice):
        if choice.option.value == "no":
            return menus.with_params(f"{URL}/outcome", code=lesson["code"], o="kept")
        resident = _resident(db)
        result = (lessons.cancel_by_code(db, resident["id"], lesson["code"]) if resident
                  else {"outcome": "not_enrolled"})
        return menus.with_params(f"{URL}/outcome", code=lesson["code"], o=result["outcome"])
    return _answer(confirm_menu(lesson), decided)


@bp.post("/lessons/outcome")
@twilio_signed
def lesson_outcome():
    db = get_db()
    menu = outcome_menu(db, request.args.get("code", ""), request.args.get("o", "unknown_code"), request.args.get("p"))
    return _answer(menu, lambda c: URL)


@bp.post("/lessons/notice/<int:outbox_id>")
@twilio_signed
def lesson_notice(outbox_id: int):
    """A call we placed: the notice said twice; about a seat the resident holds, "1" gives it up."""
    db = get_db()
    row = next(db.query("SELECT * FROM outbox WHERE id = ? AND channel = 'call' AND ref LIKE 'lesson:%'",
                        [outbox_id]), None)
    response = VoiceResponse()
    if row is None:
        tts.speak(response, say("gone"))
        response.hangup()
        return twiml(response)
    for item in (row["body"], say("notice_again"), row["body"]):
        tts.speak(response, item)
    lesson = lessons.get(db, int(row["ref"].split(":")[1]))
    if ":cancelled:" not in row["dedupe_key"] and lesson and lesson["status"] == "scheduled":
        gather = response.gather(input="dtmf", num_digits=1, timeout=6, finish_on_key="",
                                 action=menus.with_params(f"{URL}/cancel", code=lesson["code"]))
        tts.speak(gather, say("notice_cancel"))
    tts.speak(response, say("goodbye"))
    response.hangup()
    return twiml(response)


def spoken_texts(db, config) -> list[str]:
    """What menu 3 says that is known ahead, for `hotline prompts render` (listed in voice.render.SOURCES)."""
    found = [v for k, v in prompts.catalogue().items()
             if k.startswith("lessons.voice.") and isinstance(v, str) and not prompts.placeholders(v)]
    for lesson in lessons.upcoming(db, None, limit=100):
        f = facts(lesson)
        found += [prompts.say("voice.lessons.detail", **f), say("confirm_cancel", **f),
                  prompts.say("voice.lessons.item", topic=f["topic"], when=f["when"], place=f["place"])]
        found += [say(f"outcome.{o}", **f) for o in ("enrolled", "already_enrolled", "full", "lesson_cancelled",
                                                    "closed", "cancelled", "not_enrolled", "kept")]
    return found + villages.spoken(db, *village_question(""))
