"""Round trips per common task, walked the way Twilio runs TwiML: each answer costs the caller one request.

Every request is a pause on the line (Twilio posts, we answer, Twilio speaks) that an elderly caller hears as
silence. A key that moves the caller on, or acts, is answered by the next step in the same response
(voice/steps.py go()); the table in docs/voice.md ("Round trips") is this one, with the counts from before.
"""
import pytest

from hotline.core import db as storage, prompts
from hotline.domain import lessons, residents
from hotline.sim.phone import Call, HangUp, Webhooks
from tests.conftest import ANH_MINH, BA_LAN, ONG_TU
from tests.voice.conftest import add_alert

TU_PIN = "2468"            # ông Tư's published demo PIN (tests/voice/officials/flow.py)


class Counting(Webhooks):
    """Webhooks that keep each request the caller waited on (the status callback at the end is not one)."""

    def __init__(self, config, client):
        super().__init__(config, client=client)
        self.trips: list[str] = []

    def post(self, url, params):
        if not url.endswith("/voice/status"):
            self.trips.append(url)
        return super().post(url, params)


def walk(app, phone, *answers, recorder=None):
    """(requests, what was said) of one call: each answer goes to the next <Gather> or <Record> (a menu's speech
    window stays silent), then the caller hangs up."""
    hooks, script = Counting(app.config, app.test_client()), list(answers)

    def answer(kind, attrs):
        if kind == "record" and attrs.get("playBeep") == "false":
            return ""
        if not script:
            raise HangUp
        return script.pop(0)

    events = Call(hooks, phone, answer, recorder=recorder).run()
    assert script == [], f"the call ended with answers left over: {script}"
    return hooks.trips, [e.text for e in events if e.kind in ("say", "play")]


@pytest.fixture
def app(make_app, twilio_settings):
    """Keypad only, the fake Twilio keeping recordings, the demo officials' PINs, the office closed."""
    return make_app(**{k: v for k, v in twilio_settings.items() if k.startswith(("TWILIO_", "HOTLINE_TWILIO"))},
                    HOTLINE_ASR="off", HOTLINE_DEMO="1", HOTLINE_OFFICE_HOURS="")


def _count(app, sql, *params) -> int:
    return storage.connect(app.config["HOTLINE_DB"]).execute(sql, params).fetchone()[0]


# task, caller, answers (keys, or words into a <Record>), requests in all, done(app, what was said). Before
# issue 14 a choice cost its request and then a <Redirect>'s, enrolling three: 1, 8, 7, 7, 3, 4 and 14.
TASKS = [
    ("bà Lan hears her village's warning", BA_LAN, (), 1,
     lambda app, texts: "Nước sông Hồng đang lên." in texts),
    ("bà Lan enrols in a lesson from menu 3", BA_LAN, ("3", "1", "1"), 4,
     lambda app, texts: _count(app, "SELECT COUNT(*) FROM enrolments WHERE status = 'enrolled' AND resident_id ="
                                    " (SELECT id FROM residents WHERE phone = ?)", BA_LAN) == 1),
    ("bà Lan hears a guide's second step", BA_LAN, ("2", "1", "1"), 4,
     lambda app, texts: prompts.say("voice.guides.step", number=2) in texts),
    ("anh Minh registers in his village from menu 1", ANH_MINH, ("1", "1", "1"), 4,
     lambda app, texts: _count(app, "SELECT COUNT(*) FROM residents WHERE phone = ? AND village_id IS NOT NULL",
                               ANH_MINH) == 1),
    ("bà Lan hears the announcements", BA_LAN, ("4",), 2,
     lambda app, texts: {prompts.say("voice.announcements.intro"), prompts.say("voice.announcements.none")} & set(texts)),
    ("bà Lan leaves a voicemail out of hours", BA_LAN, ("0", "con bò nhà tôi bị lạc"), 3,
     lambda app, texts: _count(app, "SELECT COUNT(*) FROM voicemails") == 1),
    ("ông Tư records and publishes an announcement", ONG_TU, (TU_PIN + "#", "1", "họp thôn tối nay", "1", "1",
                                                              "1", "1"), 8,
     lambda app, texts: _count(app, "SELECT COUNT(*) FROM announcements WHERE status = 'published'") == 1),
]


@pytest.mark.parametrize("task, phone, answers, total, done", TASKS, ids=[t[0] for t in TASKS])
def test_each_answer_costs_the_caller_one_round_trip(app, recorder, task, phone, answers, total, done):
    if "warning" in task:
        add_alert(app, "Nước sông Hồng đang lên.", villages=["Yên Nông"])
    trips, texts = walk(app, phone, *answers, recorder=recorder)
    assert done(app, texts)
    assert len(trips) == total == 1 + len(answers), trips     # the call's start, then one per answer


def said(texts, key, **values) -> int:
    return texts.count(prompts.say(key, **values))


def _db(app):
    return storage.connect(app.config["HOTLINE_DB"])


def _vn2(app) -> dict:
    from voice.lessons import facts

    return facts(lessons.by_code(_db(app), "VN2"))


def test_the_key_that_enrols_is_answered_with_the_outcome(app):
    trips, texts = walk(app, BA_LAN, "3", "1", "1")
    assert "/voice/lessons/detail?" in trips[-1] and "ev=key" in trips[-1]       # no /enrol, no /outcome fetched
    assert said(texts, "lessons.voice.outcome.enrolled", **_vn2(app)) == 1


# After an action, * repeats what was said, never the action: the words after it belong to a route of their own.
def test_star_after_enrolling_repeats_the_outcome_not_the_enrolment(app):
    trips, texts = walk(app, BA_LAN, "3", "1", "1", "*")
    assert said(texts, "lessons.voice.outcome.enrolled", **_vn2(app)) == 2
    assert said(texts, "lessons.voice.outcome.already_enrolled", **_vn2(app), position="") == 0
    resident = residents.by_phone(_db(app), BA_LAN)
    assert [(e["code"], e["enrolment"]) for e in lessons.of_resident(_db(app), resident["id"])] == [("VN2", "enrolled")]


def test_star_after_asking_for_a_guides_sms_repeats_the_step_not_the_sms(app):
    trips, texts = walk(app, BA_LAN, "2", "1", "3", "*")
    assert said(texts, "voice.guides.sms_sent") == 1 and said(texts, "voice.guides.sms_already") == 0
    assert said(texts, "voice.guides.step", number=1) == 2
    assert _db(app).execute("SELECT COUNT(*) FROM outbox WHERE purpose = 'guide'").fetchone()[0] == 1


def test_star_after_registering_repeats_the_main_menu_not_the_registration(app):
    trips, texts = walk(app, ANH_MINH, "1", "1", "1", "*")
    assert said(texts, "voice.warnings.registered", village="Yên Nông") == 1
    assert said(texts, "voice.main.intro") == 3                    # at the start, after registering, after *
    assert residents.by_phone(_db(app), ANH_MINH)["village_id"] is not None


def test_star_after_publishing_repeats_the_officials_menu_not_the_publishing(app, recorder):
    trips, texts = walk(app, ONG_TU, TU_PIN + "#", "1", "họp thôn", "1", "1", "1", "1", "*", recorder=recorder)
    assert said(texts, "officials.voice.published") == 1 and said(texts, "officials.voice.not_published") == 0
    assert said(texts, "officials.voice.menu") == 3                # after the PIN, after publishing, after *
    [(announcement, state, queued)] = _db(app).execute("SELECT id, status, queued FROM announcements").fetchall()
    assert state == "published"
    assert _db(app).execute("SELECT COUNT(*) FROM outbox WHERE ref = ?",
                            [f"announcement:{announcement}"]).fetchone()[0] == queued
