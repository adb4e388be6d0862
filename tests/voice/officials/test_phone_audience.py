"""Whom an announcement is for: in a commune of eleven villages every one reachable, 9 still the whole commune;
a new draft for the first village heard; an official given no village told whom to ask."""
import pytest

from hotline.domain.officials import announcements
from hotline.domain import officials, places
from hotline.core import prompts
from hotline.core.db import get_db
from hotline.domain.officials.permissions import Actor, Forbidden
from hotline.sim.phone import Call, HangUp
from tests.conftest import OPERATOR
from tests.voice.officials.flow import CHAIRMAN, CHAIRMAN_PIN, every_announcement, published, say, village
from voice import villages

# The demo's four keep keypad 1-4; seven more, one with keypad 9 (the whole commune's key) and one with none.
ADDED = [(f"Village {n}", n) for n in range(5, 11)] + [("Hillside", None)]
PAGE_1 = ["Village 5", "Village 6", "Village 7"]          # after the demo's four, on keys 1-7
PAGE_2 = ["Village 8", "Village 9", "Village 10", "Hillside"]
HEAD, HEAD_PIN = "+84912500099", "8642"                   # a village head of Village 10 and Hillside only


@pytest.fixture
def eleven(app):
    with app.app_context():
        db = get_db()
        commune = places.ensure_commune(db, "Commune")
        ids = {name: places.ensure_village(db, commune, name, keypad) for name, keypad in ADDED}
        officials.add(db, "Head of two", "village_head", HEAD, [ids["Village 10"], ids["Hillside"]], HEAD_PIN,
                      actor=OPERATOR)
    return app


def villages_of(app) -> list[dict]:
    with app.app_context():
        return places.villages(get_db())


def keypad(app, number: int) -> str:
    """A demo village's name, by its keypad number (its words live in prompts/demo)."""
    with app.app_context():
        return places.village_by_keypad(get_db(), number)["name"]


def line(name: str, digit) -> str:
    return say("audience_village", village=name, digit=digit)


def turn(key: str) -> str:
    return prompts.say("voice.menu.option", action=prompts.say(f"voice.villages.{key}"), digit=8)


def chairman_sends(phone, *audience_keys):
    """The chairman records, publishes, picks the audience with these keys, an announcement, hotline only."""
    return phone(CHAIRMAN).call(CHAIRMAN_PIN + "#", "1", "vaccination day", "1", *audience_keys, "1", "2")


def test_the_chairman_reaches_village_10_on_the_second_page(eleven, phone, app):
    chairman = chairman_sends(phone, "8", "3")
    (row,) = published(app)
    assert row["village_id"] == village(app, "Village 10")
    assert chairman.heard(turn("more")) and chairman.heard(turn("first"))
    assert all(chairman.heard(line(name, digit)) for digit, name in enumerate(PAGE_2, 1))
    assert chairman.said.count(say("audience_commune")) == 2  # the whole commune, said on both pages


@pytest.mark.parametrize("keys", [["9"], ["8", "9"]], ids=["first_page", "second_page"])
def test_the_chairman_reaches_the_whole_commune_with_9_on_any_page(eleven, phone, app, keys):
    chairman_sends(phone, *keys)
    (row,) = published(app)
    assert row["village_id"] is None


@pytest.mark.parametrize("name, keys", [
    (1, ["1"]), ("Village 7", ["7"]), ("Village 8", ["8", "1"]),
    ("Village 9", ["8", "2"]), ("Hillside", ["8", "4"]), (4, ["8", "8", "4"]),  # the last page's 8: back to the first
])
def test_every_village_is_one_or_two_keys_away(eleven, phone, app, name, keys):
    chairman_sends(phone, *keys)
    (row,) = published(app)
    assert row["village_id"] == village(app, keypad(app, name) if isinstance(name, int) else name)


def test_the_first_page_keeps_the_keypad_numbers_officials_know(eleven, phone, app):
    chairman = phone(CHAIRMAN).call(CHAIRMAN_PIN + "#", "1", "vaccination day", "1")
    assert all(chairman.heard(line(keypad(app, digit), digit)) for digit in range(1, 5))
    assert all(chairman.heard(line(name, digit)) for digit, name in enumerate(PAGE_1, 5))
    assert not chairman.heard(line("Village 8", 1))  # not before the page is turned


def test_a_village_head_with_two_villages_hears_only_those(eleven, phone, app):
    head = phone(HEAD).call(HEAD_PIN + "#", "1", "meeting tonight", "1", "2", "1", "2")
    every_line = {line(v["name"], d) for v in villages_of(app) for d in range(1, 9)}
    assert [text for text in head.said if text in every_line] == [line("Village 10", 1), line("Hillside", 2)]
    assert not head.heard(say("audience_commune")) and not head.heard(turn("more"))
    (row,) = published(app)
    assert row["village_id"] == village(app, "Hillside")


@pytest.mark.parametrize("page", ["", "2", "3", "-1", "x"])
def test_a_forged_key_or_page_never_reaches_a_village_the_head_may_not_address(eleven, phone, hooks, app, page):
    head = phone(HEAD).call(HEAD_PIN + "#", "1", "meeting tonight")  # hangs up at listen back: a draft
    (draft,) = every_announcement(app)
    allowed = {village(app, "Village 10"), village(app, "Hillside")}
    for digit in "0123456789*#":
        status, body = hooks.post(f"/voice/officials/audience?a={draft['id']}&p={page}&ev=key&n=0",
                                  {**head.call_obj.params, "Digits": digit})
        assert status == 200
        (row,) = every_announcement(app)
        assert row["status"] == "draft" and row["village_id"] in allowed, (page, digit)
        if "/voice/officials/kind" in body:
            assert digit in "12"
    _, body = hooks.post(f"/voice/officials/audience?a={draft['id']}&p={page}&ev=key&n=0",
                         {**head.call_obj.params, "Digits": "5"})
    assert say("not_allowed", place="Village 5") in body
    _, body = hooks.post(f"/voice/officials/audience?a={draft['id']}&p={page}&ev=key&n=0",
                         {**head.call_obj.params, "Digits": "9"})
    assert say("not_allowed", place=prompts.say("officials.whole_commune")) in body


def test_the_draft_refuses_the_village_even_without_the_keypad(eleven, app):
    with app.app_context():
        db = get_db()
        head = officials.by_phone(db, HEAD)
        me = Actor.of(head, "phone")
        draft = announcements.create(db, head["id"], head["village_ids"][0], None, text="x", actor=me)
        for elsewhere in (village(app, "Village 9"), None):
            with pytest.raises(Forbidden):
                announcements.update_draft(db, draft, village_id=elsewhere, actor=me)
        assert announcements.get(db, draft)["village_id"] == head["village_ids"][0]


# --- the pages themselves -----------------------------------------------------------------------


def _row(id, name, keypad):
    return {"id": id, "name": name, "keypad": keypad}


@pytest.mark.parametrize("rows, expected", [
    ([_row(i, f"V{i}", i) for i in range(1, 9)], [[f"{i}V{i}" for i in range(1, 9)]]),       # eight: own keys
    ([_row(1, "A", 12), _row(2, "B", 2)], [["1A", "2B"]]),              # keypad 12 is not keys 1 and 2
    ([_row(1, "A", 9), _row(2, "B", None)], [["1A", "2B"]]),            # 9 is the commune: free digits
    ([_row(i, f"V{i}", i) for i in range(1, 10)],
     [[f"{i}V{i}" for i in range(1, 8)], ["1V8", "2V9"]]),              # nine: seven, then two; 8 turns
])
def test_officials_pages_hold_eight_villages_or_seven_and_a_turn(rows, expected):
    book = villages.pages(rows, "12345678")
    assert [[f"{d}{v['name']}" for d, v in page] for page in book] == expected


# --- the first village heard, and none at all ---------------------------------------------------

NOBODY, NOBODY_PIN = "+84912500098", "9753"               # an official given no village and not the commune


def test_a_new_draft_is_for_the_first_village_the_head_hears(app, phone):
    with app.app_context():
        db = get_db()
        commune = places.ensure_commune(db, "Commune")
        later = places.ensure_village(db, commune, "Zed", 6)     # the lower id, heard second
        first = places.ensure_village(db, commune, "Aaa", 5)
        officials.add(db, "Head of two", "village_head", HEAD, [later, first], HEAD_PIN, actor=OPERATOR)
    head = phone(HEAD).call(HEAD_PIN + "#", "1", "meeting tonight", "1")   # hangs up at the audience question
    their_lines = {line(name, digit) for name in ("Aaa", "Zed") for digit in range(1, 9)}
    assert [text for text in head.said if text in their_lines] == [line("Aaa", 5), line("Zed", 6)]
    (draft,) = every_announcement(app)
    assert draft["status"] == "draft" and draft["village_id"] == first


@pytest.fixture
def nobody(app):
    with app.app_context():
        officials.add(get_db(), "No village", "village_head", NOBODY, [], NOBODY_PIN, actor=OPERATOR)
    return app


def test_an_official_with_no_village_is_told_whom_to_ask_before_recording(nobody, phone, app):
    official = phone(NOBODY).call(NOBODY_PIN + "#", "1")
    assert official.heard(say("no_village"))
    assert official.said.count(say("menu")) == 2                 # back at the officials' menu
    assert not official.heard(say("audience")) and every_announcement(app) == []
    assert not any(e.kind == "record" and e.attrs.get("playBeep") == "true" for e in official.events)


def test_an_official_whose_village_was_taken_mid_call_is_told_and_the_draft_dropped(app, phone, hooks):
    with app.app_context():
        db = get_db()
        officials.add(db, "Head of one", "village_head", NOBODY, [places.village_by_keypad(db, 2)["id"]], NOBODY_PIN,
                      actor=OPERATOR)
    head = phone(NOBODY).call(NOBODY_PIN + "#", "1", "meeting tonight")     # hangs up at listen back: a draft
    (draft,) = every_announcement(app)
    with app.app_context():
        officials.set_villages(get_db(), officials.by_phone(get_db(), NOBODY)["id"], [], actor=OPERATOR)
    later = Call(hooks, NOBODY, hang_up)
    later.params = head.call_obj.params                           # the same call, at the audience question
    said = [e.text for e in later.run(f"/voice/officials/audience?a={draft['id']}") if e.kind == "say"]
    assert said[:3] == [say("no_village"), say("cancelled"), say("menu")]
    (row,) = every_announcement(app)
    assert row["status"] == "cancelled"


def hang_up(kind, attrs):
    raise HangUp
