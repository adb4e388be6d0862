"""Menu 3: lessons by keypad or voice — listen, choose, confirm, hear the outcome; cancel; call notices.

The caller's village comes first; an unknown number is registered on the way (village asked, name
optional). Every step is a menus.Menu; the state travels in each URL's query (code, offer, outcome). A key
that acts (enrol, cancel) acts in its own request, which also says the outcome: the outcome's menu has a
URL of its own, so * there repeats the words, never the act.
"""
from __future__ import annotations

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from hotline.core import clock, prompts
from hotline.domain import lessons, residents
from hotline.domain.lessons import reminders
from hotline.core.db import get_db
from hotline.speech import asr, audio
from hotline.sending import recordings

from voice import menus, steps, tts, villages
from voice.blueprint import bp
from voice.webhook import CallInput, Recorded, call_webhook

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


def _resident(db, call: CallInput) -> dict | None:
    return residents.by_phone(db, call.caller) if call.caller else None


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


def mine_menu(db, resident: dict | None) -> menus.Menu:
    mine = lessons.of_resident(db, resident["id"])[:LISTED] if resident else []
    items, options = _listed(mine)
    return menus.Menu("lessons.mine", f"{URL}/mine", [say("mine_intro" if mine else "mine_none"), *items], options,
                      _hint())


def detail_menu(db, lesson: dict, resident: dict | None, offer: str | None = None) -> menus.Menu:
    """The lesson, the caller's place in it, and what they may do. The offer made when the menu was
    first said travels in its URL, so "1" means what the caller heard even if seats changed meanwhile."""
    now = lessons.offer(db, lesson, resident and resident["id"])
    text = [prompts.say("voice.lessons.detail", **facts(lesson))]
    if now["offer"] == "cancel":
        text.append(say("you_are_waiting", position=now["position"]) if now["position"] else say("you_are_enrolled"))
    elif now["offer"] == "enrol":
        text.append(say("seats_left", left=now["left"]))
    else:
        text.append(say("waitlist_open") if now["offer"] == "waitlist" else say("no_seats"))
    offer = offer or now["offer"]
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


def _answer(menu: menus.Menu, call: CallInput, choose):
    """Show or answer a menu; choose(Choice) -> what to send next (usually steps.go to the next step)."""
    result = menus.handle(menu, call)
    return choose(result) if isinstance(result, menus.Choice) else result


def _detail_url(code: str) -> str:
    return menus.with_params(f"{URL}/detail", code=code)


def _outcome_url(code: str, outcome: str, position=None) -> str:
    return menus.with_params(f"{URL}/outcome", code=code, o=outcome, p=position)


def _enrol(db, call: CallInput, code: str):
    """Enrol the caller now and say the outcome in the same response (the outcome's own URL: * only repeats it)."""
    resident = _resident(db, call)
    if resident is None or not resident["village_id"]:
        return steps.go(call, menus.with_params(f"{URL}/village", code=code))
    result = lessons.enrol_by_code(db, resident["id"], code, channel="voice")
    menus.log_step(menus.Menu("lessons.enrol", URL), call, "enrol", result["outcome"])
    return steps.go(call, _outcome_url(code, result["outcome"], result.get("position")))


@bp.post("/lessons")
@call_webhook
def lessons_menu(call: CallInput):
    db = get_db()
    resident = _resident(db, call)
    menu = list_menu(db, current_app.config, resident and resident["village_id"], resident)
    return _answer(menu, call, lambda c: steps.go(call, f"{URL}/mine" if c.option.value == "mine"
                                                  else _detail_url(c.option.value)))


@bp.post("/lessons/mine")
@call_webhook
def lessons_mine(call: CallInput):
    db = get_db()
    return _answer(mine_menu(db, _resident(db, call)), call, lambda c: steps.go(call, _detail_url(c.option.value)))


@bp.post("/lessons/detail")
@call_webhook
def lesson_detail(call: CallInput):
    db = get_db()
    lesson = lessons.by_code(db, call.arg("code"))
    if lesson is None:
        return steps.go(call, URL)

    def next_step(choice):
        if choice.option.value == "others":
            return steps.go(call, URL)
        if choice.option.value == "cancel":     # asked again first: a seat given up may go to the waitlist at once
            return steps.go(call, menus.with_params(f"{URL}/cancel", code=lesson["code"]))
        return _enrol(db, call, lesson["code"])
    return _answer(detail_menu(db, lesson, _resident(db, call), call.query.get("offer")), call, next_step)


@bp.post("/lessons/village")
@call_webhook
def lesson_village(call: CallInput):
    """An unknown caller (or one without a village) is registered before enrolling; consent given by phone."""
    db, code = get_db(), call.arg("code")
    result = villages.ask(db, call, *village_question(code))
    if not isinstance(result, menus.Choice):
        return result
    residents.register(db, call.caller, "phone", village_id=int(result.option.value))
    if asr.get_recogniser().available:
        return steps.go(call, menus.with_params(f"{URL}/name", code=code))
    return _enrol(db, call, code)


@bp.post("/lessons/name")
@call_webhook
def lesson_name(call: CallInput):
    """Optional: the caller says their name; # or silence skips (an empty Record does not call its action)."""
    code = call.arg("code")
    response = VoiceResponse()
    tts.speak(response, say("ask_name"))
    response.record(max_length=NAME_SECONDS, timeout=3, finish_on_key="#", play_beep=True, trim="trim-silence",
                    action=menus.with_params(f"{URL}/name/heard", code=code))
    response.redirect(menus.with_params(f"{URL}/enrol", code=code))
    return response


@bp.post("/lessons/name/heard")
@call_webhook
def lesson_name_heard(call: CallInput):
    db, code = get_db(), call.arg("code")
    recording = call.recording or Recorded("", "")
    try:
        wav = recordings.download(current_app.config, recording.sid, recording.url, seconds=NAME_SECONDS)
        recordings.delete_later(current_app.config, recording.sid, recording.url)   # kept as text, the voice is not
        heard = asr.get_recogniser().transcribe(audio.to_wav_8k(wav)).strip()
    except Exception as e:  # a name is optional: enrolment goes on without it
        current_app.logger.warning("name not transcribed: %s", type(e).__name__)
        heard = ""
    if heard:
        residents.register(db, call.caller, "phone", name=heard.title())
    return _enrol(db, call, code)


@bp.post("/lessons/enrol")
@call_webhook
def lesson_enrol(call: CallInput):
    """Reached when the caller skipped saying their name (the <Record> fell through to its <Redirect>)."""
    return _enrol(get_db(), call, call.arg("code"))


@bp.post("/lessons/cancel")
@call_webhook
def lesson_cancel(call: CallInput):
    db = get_db()
    lesson = lessons.by_code(db, call.arg("code"))
    if lesson is None:
        return steps.go(call, URL)

    def decided(choice):
        if choice.option.value == "no":
            return steps.go(call, _outcome_url(lesson["code"], "kept"))
        resident = _resident(db, call)
        result = (lessons.cancel_by_code(db, resident["id"], lesson["code"]) if resident
                  else {"outcome": "not_enrolled"})
        return steps.go(call, _outcome_url(lesson["code"], result["outcome"]))
    return _answer(confirm_menu(lesson), call, decided)


@bp.post("/lessons/outcome")
@call_webhook
def lesson_outcome(call: CallInput):
    menu = outcome_menu(get_db(), call.arg("code"), call.arg("o", "unknown_code"), call.query.get("p"))
    return _answer(menu, call, lambda c: steps.go(call, URL))


NOTICE_URL = "/voice/lessons/notice/{id}"


def notice_url(outbox_id: int) -> str:
    """A lesson notice's call (voice/callout.py places it): the row's own text, read by lesson_notice."""
    return NOTICE_URL.format(id=outbox_id)


@bp.post("/lessons/notice/<int:outbox_id>")
@call_webhook
def lesson_notice(call: CallInput, outbox_id: int):
    """A call we placed: the notice said twice; about a seat the resident holds, "1" gives it up (asked again)."""
    notice = reminders.call_notice(get_db(), outbox_id)
    response = VoiceResponse()
    if notice is None:
        tts.speak(response, say("gone"))
        response.hangup()
        return response
    for item in (notice["body"], say("notice_again"), notice["body"]):
        tts.speak(response, item)
    if notice["may_cancel"]:
        gather = response.gather(input="dtmf", num_digits=1, timeout=6, finish_on_key="",
                                 action=menus.with_params(f"{URL}/cancel", code=notice["lesson"]["code"]))
        tts.speak(gather, say("notice_cancel"))
    tts.speak(response, say("goodbye"))
    response.hangup()
    return response


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
