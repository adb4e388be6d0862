"""Menu 3 by voice: the outcome table walked the way Twilio runs the TwiML, by keypad and by speech."""
import uuid
import xml.etree.ElementTree as ET

import pytest

from hotline.core import db as storage, prompts
from hotline.domain import lessons, places, residents
from hotline.domain.lessons import reminders
from hotline.sim.phone import Call, HangUp, Webhooks
from tests.conftest import ANH_MINH, BA_LAN, CHI_HOA, OPERATOR
from tests.voice.conftest import speech_wav
from voice import callout, lessons as menu3

NGA = "+84986187109"            # holds one of QR3's two seats in the demo


@pytest.fixture
def keypad_app(make_app):
    return make_app(HOTLINE_ASR="off")


@pytest.fixture
def app(keypad_app):
    """The root app_db fixture opens this app's database."""
    return keypad_app


def walk(app, phone, *answers, url="/voice/incoming", recorder=None, at=None):
    """Call as phone; answers are keys ("" = silence) or, for a <Record>, words. at={step: fn(db)} runs
    fn just before the answer of that step (something happening elsewhere while the caller listens)."""
    queue, steps = list(answers), {"n": 0}

    def answer(kind, attrs):
        if not queue:
            raise HangUp
        steps["n"] += 1
        if at and steps["n"] in at:
            database = storage.connect(app.config["HOTLINE_DB"])
            at[steps["n"]](database)
            database.conn.close()
        return queue.pop(0)

    return Call(Webhooks(app.config, client=app.test_client()), phone, answer, recorder=recorder).run(url)


def heard(events) -> str:
    return " | ".join(e.text for e in events if e.kind in ("say", "play"))


def facts(db, code):
    return menu3.facts(lessons.by_code(db, code))


def status(db, phone, code):
    row = lessons.enrolment(db, lessons.by_code(db, code)["id"], residents.by_phone(db, phone)["id"])
    return row and row["status"]


# bà Lan (Yên Nông) hears Yên Nông's lessons first: 1 = VN2, 2 = DT7, then 3 = QR3 (Yên Bái, soonest other).
def test_it_lists_the_callers_village_first_and_enrols_on_confirmation(keypad_app, app_db):
    events = walk(keypad_app, BA_LAN, "3", "1", "1")
    text = heard(events)
    item = lambda code: prompts.say("voice.lessons.item", **{k: v for k, v in facts(app_db, code).items()  # noqa: E731
                                                             if k != "code"})
    assert text.index(item("VN2")) < text.index(item("QR3"))
    assert prompts.say("lessons.voice.outcome.enrolled", **facts(app_db, "VN2")) in text
    assert status(app_db, BA_LAN, "VN2") == "enrolled"


def test_it_puts_a_caller_on_the_waitlist_and_says_the_position(keypad_app, app_db):
    lessons.enrol(app_db, lessons.by_code(app_db, "QR3")["id"], residents.by_phone(app_db, CHI_HOA)["id"])
    text = heard(walk(keypad_app, BA_LAN, "3", "3", "1"))
    assert prompts.say("lessons.voice.waitlist_open") in text
    assert prompts.say("lessons.voice.outcome.waitlisted", **facts(app_db, "QR3"), position=2) in text
    assert status(app_db, BA_LAN, "QR3") == "waitlisted"


def _enrol(phone, code):
    return lambda db: lessons.enrol_by_code(db, residents.by_phone(db, phone)["id"], code)


def _fill(code):
    def fill(db):
        lesson = lessons.by_code(db, code)
        db.execute("UPDATE lessons SET capacity = 1, waitlist = 0 WHERE id = ?", [lesson["id"]])
        lessons.enrol(db, lesson["id"], residents.by_phone(db, CHI_HOA)["id"])
    return fill


def _cancel(code):
    return lambda db: lessons.cancel_lesson(db, lessons.by_code(db, code)["id"], actor=OPERATOR)


def _start(code):
    return lambda db: db.execute("UPDATE lessons SET starts_at = '2020-01-01T00:00:00.000000Z' WHERE code = ?",
                                 [code])


# Things that change while bà Lan listens to VN2's details (step 3 is her "1" to confirm).
@pytest.mark.parametrize("meanwhile, outcome", [
    (_enrol(BA_LAN, "VN2"), "already_enrolled"),      # she enrolled by SMS a moment ago
    (_fill("VN2"), "full"),                            # the last seat went to someone else
    (_cancel("VN2"), "lesson_cancelled"),
    (_start("VN2"), "closed"),
])
def test_it_says_the_outcome_when_things_change_before_the_caller_confirms(keypad_app, app_db, meanwhile, outcome):
    text = heard(walk(keypad_app, BA_LAN, "3", "1", "1", at={3: meanwhile}))
    lesson = lessons.by_code(app_db, "VN2")
    assert prompts.say(f"lessons.voice.outcome.{outcome}", topic=facts(app_db, "VN2")["topic"],
                       when=menu3.spoken_when(lesson["starts_at"]), place=lesson["place"], code="VN2",
                       position="") in text


def test_a_full_lesson_offers_no_enrolment(keypad_app, app_db):
    _fill("VN2")(app_db)
    events = walk(keypad_app, BA_LAN, "3", "1", "1", "")
    assert prompts.say("lessons.voice.no_seats") in heard(events)
    assert status(app_db, BA_LAN, "VN2") is None          # "1" is not an option there: re-prompted


def test_an_enrolled_caller_hears_so_and_cancels_from_the_same_menu(keypad_app, app_db):
    _enrol(BA_LAN, "VN2")(app_db)
    text = heard(walk(keypad_app, BA_LAN, "3", "4", "1", "1", "1"))    # mine → VN2 → cancel → yes
    assert prompts.say("lessons.voice.you_are_enrolled") in text
    assert prompts.say("lessons.voice.outcome.cancelled", **facts(app_db, "VN2")) in text
    assert status(app_db, BA_LAN, "VN2") == "cancelled"


def test_keeping_the_seat_cancels_nothing(keypad_app, app_db):
    _enrol(BA_LAN, "VN2")(app_db)
    text = heard(walk(keypad_app, BA_LAN, "3", "1", "1", "2"))          # VN2 → cancel → no, keep it
    assert prompts.say("lessons.voice.outcome.kept", **facts(app_db, "VN2")) in text
    assert status(app_db, BA_LAN, "VN2") == "enrolled"


def test_cancelling_by_phone_gives_the_seat_to_the_first_waiting(keypad_app, app_db):
    qr3 = lessons.by_code(app_db, "QR3")
    lessons.enrol(app_db, qr3["id"], residents.by_phone(app_db, CHI_HOA)["id"])    # waits
    walk(keypad_app, NGA, "3", "4", "1", "1", "1")                                  # Nga gives up her seat
    assert (status(app_db, NGA, "QR3"), status(app_db, CHI_HOA, "QR3")) == ("cancelled", "enrolled")
    assert app_db.execute("SELECT COUNT(*) FROM outbox WHERE to_phone = ? AND purpose = 'notice'",
                          [CHI_HOA]).fetchone()[0] == 1


def test_an_unknown_number_is_asked_its_village_and_registered_on_the_way(keypad_app, app_db):
    text = heard(walk(keypad_app, ANH_MINH, "3", "1", "1", "2"))        # VN2 → enrol → Yên Bái
    assert prompts.say("lessons.voice.ask_village") in text
    minh = residents.by_phone(app_db, ANH_MINH)
    assert (minh["village_id"], minh["consent_source"]) == (places.find_village(app_db, "Yên Bái")["id"], "phone")
    assert status(app_db, ANH_MINH, "VN2") == "enrolled"


@pytest.fixture
def speech_app(make_app, twilio_settings):
    return make_app(**{k: v for k, v in twilio_settings.items() if k.startswith(("TWILIO_", "HOTLINE_TWILIO"))},
                    HOTLINE_ASR="script")


@pytest.fixture
def recorder(fake_twilio):
    return lambda words: fake_twilio.add_recording("RE" + uuid.uuid4().hex, speech_wav(words))


def test_a_caller_chooses_confirms_and_registers_by_voice(speech_app, recorder):
    # Main menu: "học"; lessons: "thanh toán" (QR3); details: "ghi danh"; village: "Đồng Tâm"; name: "Minh".
    walk(speech_app, ANH_MINH, "", "học", "", "thanh toán", "", "ghi danh", "", "Đồng Tâm", "Minh", "",
         recorder=recorder)
    db = storage.connect(speech_app.config["HOTLINE_DB"])
    minh = residents.by_phone(db, ANH_MINH)
    assert (minh["name"], places.village(db, minh["village_id"])["name"]) == ("Minh", "Đồng Tâm")
    assert status(db, ANH_MINH, "QR3") == "waitlisted"           # QR3's two seats are taken in the demo
    db.conn.close()


def test_every_menu3_step_is_a_signed_vietnamese_gather_that_lets_hash_through(keypad_app):
    hooks = Webhooks(keypad_app.config, client=keypad_app.test_client())
    for url in ("/voice/lessons", "/voice/lessons/detail?code=VN2", "/voice/lessons/village?code=VN2"):
        status_code, body = hooks.post(url, {"From": BA_LAN, "CallSid": "CA1"})
        root = ET.fromstring(body)
        gather = root.find("./Gather")
        assert status_code == 200 and gather is not None and gather.get("finishOnKey") == ""
        assert all(s.get("language") == "vi-VN" for s in root.iter("Say"))
        assert root.find("./Redirect") is not None          # a timed-out Gather falls through to a re-prompt


def test_a_call_notice_is_said_twice_and_offers_to_give_the_seat_up(keypad_app, app_db):
    lesson = lessons.by_code(app_db, "VN2")
    lessons.enrol(app_db, lesson["id"], residents.by_phone(app_db, BA_LAN)["id"])
    row_id = reminders.notify(app_db, residents.by_phone(app_db, BA_LAN)["id"], "promoted", lesson)
    url = callout.url_for(app_db["outbox"].get(row_id))
    assert url == f"/voice/lessons/notice/{row_id}"
    hooks = Webhooks(keypad_app.config, client=keypad_app.test_client())
    call = Call(hooks, "+84240000000", lambda kind, attrs: (_ for _ in ()).throw(HangUp))
    call.params.update({"To": BA_LAN, "Direction": "outbound-api"})
    said = [e.text for e in call.run(url) if e.kind == "say"]
    body = prompts.say("lessons.notice_call.promoted", **reminders.values(lesson))
    assert said.count(body) == 2 and "HUY" not in body          # she cannot read: nothing to text
    # She presses 1, then confirms: the seat is given up.
    answers = iter(["1", "1"])
    call = Call(hooks, "+84240000000", lambda kind, attrs: next(answers, None) or (_ for _ in ()).throw(HangUp))
    call.params.update({"To": BA_LAN, "Direction": "outbound-api"})
    call.run(url)
    assert status(app_db, BA_LAN, "VN2") == "cancelled"


def test_a_notice_for_a_cancelled_lesson_offers_nothing_to_press(keypad_app, app_db):
    lesson = lessons.by_code(app_db, "VN2")
    lessons.enrol(app_db, lesson["id"], residents.by_phone(app_db, BA_LAN)["id"])
    lessons.cancel_lesson(app_db, lesson["id"], actor=OPERATOR)
    row = next(app_db.query("SELECT * FROM outbox WHERE to_phone = ? AND dedupe_key LIKE '%:cancelled:%'", [BA_LAN]))
    path = callout.url_for(row)                             # a path: the sender adds the public URL
    status_code, body = Webhooks(keypad_app.config, client=keypad_app.test_client()).post(
        path, {"To": BA_LAN, "From": "+84240000000", "Direction": "outbound-api"})
    root = ET.fromstring(body)
    assert status_code == 200 and root.find("./Gather") is None and root[-1].tag == "Hangup"
