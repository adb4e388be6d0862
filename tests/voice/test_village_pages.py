"""Which village, past four: anh Minh reaches every one of nine villages by keypad, three a page, 4 for the others."""
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from hotline.core import db as storage, prompts
from hotline.domain import lessons, places, residents
from hotline.sim.phone import Webhooks
from tests.conftest import ANH_MINH
from tests.voice.conftest import Caller, spoken
from hotline.speech import audio
from voice import render, tts, villages
from voice.warnings import village_question

# The demo's four keep keys 1-4; two more have keypad numbers; three have none and follow by name (accent-blind).
ADDED = [("Trung Hòa", 5), ("Đông Xuân", 6), ("Tân Lập", None), ("An Lạc", None), ("Phú Mỹ", None)]
ORDER = ["Yên Nông", "Yên Bái", "Đồng Tâm", "Bến Đò", "Trung Hòa", "Đông Xuân", "An Lạc", "Phú Mỹ", "Tân Lập"]
PAGES = [ORDER[0:3], ORDER[3:6], ORDER[6:9]]


def keys_for(village: str) -> list[str]:
    """The keys that reach a village from the first page: 4 per page to turn, then its place on its page."""
    at = ORDER.index(village)
    return ["4"] * (at // 3) + [str(at % 3 + 1)]


def add_villages(app):
    with app.app_context():
        db = storage.get_db()
        commune = places.ensure_commune(db, "Thắng Lợi")
        for name, keypad in ADDED:
            places.ensure_village(db, commune, name, keypad)
    return app


@pytest.fixture
def nine(keypad_app):
    return add_villages(keypad_app)


@pytest.fixture
def nine_speaking(speech_app):
    return add_villages(speech_app)


def village_of(caller) -> str | None:
    database = caller.db()
    resident = residents.by_phone(database, ANH_MINH)
    name = resident and resident["village_id"] and places.village(database, resident["village_id"])["name"]
    database.conn.close()
    return name


def option_line(action: str, digit: int) -> str:
    return prompts.say("voice.menu.option", action=action, digit=digit)


def page_lines(number: int, ask=prompts.say("voice.warnings.ask_village"), option="voice.warnings.village_option"):
    """What page `number` of the question says, in order."""
    names = PAGES[number - 1]
    turn = prompts.say("voice.villages.first" if number == len(PAGES) else "voice.villages.more")
    return ([ask] if number == 1 else []) + [option_line(prompts.say(option, village=n), d)
                                               for d, n in enumerate(names, 1)] + [option_line(turn, 4)]


def test_a_keypad_caller_reaches_village_8_and_registers_there(nine):
    caller = Caller(nine, ANH_MINH)
    said = spoken(caller.call("1", "4", "4", "2", "1"))          # warnings, page 2, page 3, Phú Mỹ, register
    assert prompts.say("voice.warnings.registered", village="Phú Mỹ") in said
    assert village_of(caller) == "Phú Mỹ"
    assert residents.by_phone(caller.db(), ANH_MINH)["consent_source"] == "phone"


def test_a_keypad_caller_enrols_in_a_lesson_from_village_8(nine):
    caller = Caller(nine, ANH_MINH)
    said = spoken(caller.call("3", "1", "1", "4", "4", "2"))     # lessons, VN2, enrol, page 2, page 3, Phú Mỹ
    database = caller.db()
    vn2 = lessons.by_code(database, "VN2")
    resident = residents.by_phone(database, ANH_MINH)
    assert lessons.enrolment(database, vn2["id"], resident["id"])["status"] == "enrolled"
    assert village_of(caller) == "Phú Mỹ" and prompts.say("lessons.voice.ask_village") in said


@pytest.mark.parametrize("village", ORDER)
def test_every_village_is_reachable_by_keypad(nine, village):
    caller = Caller(nine, ANH_MINH)
    caller.call("1", *keys_for(village), "1")
    assert village_of(caller) == village


@pytest.mark.parametrize("audio_cache", [False, True], ids=["say", "play"])
@pytest.mark.parametrize("url, number", [("/voice/warnings", 1), ("/voice/warnings?p=2", 2),
                                          ("/voice/warnings?p=3", 3), ("/voice/warnings?p=12", 3)])
def test_each_page_says_at_most_four_options_in_vietnamese(make_app, url, number, audio_cache):
    app = add_villages(make_app(HOTLINE_TTS_ENGINES="espeak"))
    clips = {}
    with app.app_context():
        if audio_cache:              # every line pre-rendered: the page is then said with cached <Play>
            folder = tts.cache_dir(app.config)
            folder.mkdir(parents=True, exist_ok=True)
            for text in villages.spoken(storage.get_db(), *village_question()):
                name = f"{tts.digest(text, 'espeak', 'vi')}.wav"
                (folder / name).write_bytes(audio.wav(np.zeros(800, np.float32), 8000))
                clips[name] = text
    status, body = Webhooks(app.config, client=app.test_client()).post(url, {"From": ANH_MINH, "CallSid": "CA1"})
    gather = ET.fromstring(body).find("./Gather")
    assert status == 200 and gather.get("numDigits") == "1" and gather.get("finishOnKey") == ""
    if audio_cache:
        assert {el.tag for el in gather} == {"Play"}
        said = [clips[el.text.rsplit("/", 1)[-1]] for el in gather]
    else:
        assert {el.tag for el in gather} == {"Say"} and all(el.get("language") == "vi-VN" for el in gather)
        said = [el.text for el in gather]
    assert said == page_lines(number)
    assert len([s for s in said if s.endswith(tuple(f"bấm {d}." for d in "123456789"))]) <= 4


def test_the_last_pages_4_goes_back_to_the_first(nine):
    said = spoken(Caller(nine, ANH_MINH).call("1", "4", "4", "4"))
    ask = prompts.say("voice.warnings.ask_village")
    assert said.count(ask) == 2 and said[-len(page_lines(1)):] == page_lines(1)


@pytest.mark.parametrize("keys, then", [
    (["4", ""], "not_heard"),        # silence on page 2: page 2 again, after "not heard"
    (["4", "9"], "invalid"),         # a key that is not on page 2
    (["4", "*"], None),              # * repeats page 2
])
def test_silence_wrong_keys_and_star_stay_on_the_page(nine, keys, then):
    said = spoken(Caller(nine, ANH_MINH).call("1", *keys))
    page_2 = page_lines(2)
    assert said[-len(page_2):] == page_2
    if then:
        assert said[-len(page_2) - 1] == prompts.say(f"voice.menu.{then}")


def test_three_failures_on_a_later_page_say_goodbye_and_hash_goes_to_the_main_menu(nine):
    said = spoken(Caller(nine, ANH_MINH).call("1", "4", "", "9", ""))
    assert prompts.say("voice.menu.offer_help") in said and said[-1] == prompts.say("voice.menu.goodbye")
    said = spoken(Caller(nine, ANH_MINH).call("1", "4", "4", "#"))
    assert prompts.say("voice.main.intro") in said[said.index(page_lines(3)[-1]):]


@pytest.mark.parametrize("answers, village", [
    (["1", "", "phú mỹ"], "Phú Mỹ"),                # page 1, a village of page 3
    (["1", "4", "", "yen nong"], "Yên Nông"),        # page 2, a village of page 1
    (["1", "4", "4", "", "Trung Hòa"], "Trung Hòa"),  # page 3, a village of page 2
    (["1", "", "thôn khác", "", "đông xuân"], "Đông Xuân"),  # the page turned by voice, then a name on it
])
def test_any_villages_name_works_from_any_page(nine_speaking, recorder, answers, village):
    caller = Caller(nine_speaking, ANH_MINH, recorder)
    said = spoken(caller.call(*answers, "", "có"))
    assert prompts.say("voice.warnings.registered", village=village) in said
    assert village_of(caller) == village


def test_the_spoken_page_turn_lands_on_page_2(nine_speaking, recorder):
    said = spoken(Caller(nine_speaking, ANH_MINH, recorder).call("1", "", "các thôn khác"))
    assert said[-len(page_lines(2)):] == page_lines(2)


def test_prompts_render_collects_every_page(nine):
    with nine.app_context():
        texts = render.texts(storage.get_db(), nine.config)
    assert set(page_lines(1) + page_lines(2) + page_lines(3)) <= set(texts)
    lesson_ask = prompts.say("lessons.voice.ask_village")
    assert set(page_lines(3, lesson_ask, "lessons.voice.village_option")) <= set(texts)


def test_four_villages_are_asked_as_before(keypad_app):
    """The demo commune: one page, each village on its own key, no page turn, the same URL."""
    status, body = Webhooks(keypad_app.config, client=keypad_app.test_client()).post(
        "/voice/warnings", {"From": ANH_MINH, "CallSid": "CA1"})
    gather = ET.fromstring(body).find("./Gather")
    assert [el.text for el in gather] == [prompts.say("voice.warnings.ask_village")] + [
        option_line(prompts.say("voice.warnings.village_option", village=n), d) for d, n in enumerate(ORDER[:4], 1)]
    assert gather.get("action") == "/voice/warnings?ev=key&n=0"


def _row(id, name, keypad):
    return {"id": id, "name": name, "keypad": keypad}


@pytest.mark.parametrize("rows, expected", [
    ([_row(1, "A", 1), _row(2, "B", 2), _row(3, "C", 3), _row(4, "D", 4)], ["1A", "2B", "3C", "4D"]),
    ([_row(1, "A", 2), _row(2, "B", 4)], ["2A", "4B"]),                    # own keys kept, gaps and all
    ([_row(1, "A", 3), _row(2, "B", None), _row(3, "C", 7)], ["1B", "2C", "3A"]),   # no key or past 4: free ones
    ([_row(1, "A", 1), _row(2, "B", 1)], ["1A", "2B"]),                    # a key taken twice: the second moves
    ([], []),
])
def test_up_to_four_villages_share_one_page(rows, expected):
    book = villages.pages(rows)
    assert [f"{d}{v['name']}" for page in book for d, v in page] == expected and len(book) <= 1


def test_five_villages_make_two_pages_of_three_and_two(db):
    commune = places.ensure_commune(db, "X")
    for name in ("E", "D", "C", "B", "A"):
        places.ensure_village(db, commune, name)
    book = villages.pages(villages.ordered(db))
    assert [[f"{d}{v['name']}" for d, v in page] for page in book] == [["1A", "2B", "3C"], ["1D", "2E"]]
