"""The officials' phone menu is held by the same rules as the admin: every role × announcement or flood warning ×
own village / another village / whole commune, walked the way Twilio runs the call."""
import pytest

from hotline.domain import officials, places
from hotline.core import prompts
from hotline.core.db import get_db
from tests.conftest import CHI_HOA, ONG_TU, OPERATOR
from tests.voice.officials.flow import CHAIRMAN, CHAIRMAN_PIN, TU_PIN, every_announcement, say
from voice import menus
from voice.officials import menu_options

INSTRUCTOR, INSTRUCTOR_PIN = "+84912500005", "4444"      # Vũ Thị Thu (demo): Yên Nông and Yên Bái
HOA_PIN = "5678"
CALLERS = {"chairman": (CHAIRMAN, CHAIRMAN_PIN), "village_head": (ONG_TU, TU_PIN),
           "association_leader": (CHI_HOA, HOA_PIN), "instructor": (INSTRUCTOR, INSTRUCTOR_PIN)}
# The audience key: Yên Nông is keypad 1 (and the only one offered to ông Tư and chị Hoa), Đồng Tâm keypad 3.
KEYS = {"own": "1", "other": "3", "commune": "9"}
PLACE = {"own": "Yên Nông", "other": "Đồng Tâm", "commune": None}
#                       announcement (own other commune)  warning (own other commune)
EXPECTED = {"chairman": ("YYY", "YYY"), "village_head": ("YNN", "YNN"), "association_leader": ("YNN", "NNN"),
            "instructor": ("NNN", "NNN")}
CASES = [(role, kind, scope, EXPECTED[role][k][s]) for role in EXPECTED for k, kind in enumerate(("announcement",
         "warning")) for s, scope in enumerate(KEYS)]


@pytest.fixture
def hoa(app):
    """chị Hoa leads the Women's Union in Yên Nông only."""
    with app.app_context():
        db = get_db()
        officials.add(db, "Trần Thị Hoa", "association_leader", CHI_HOA, [places.find_village(db, "Yên Nông")["id"]],
                      HOA_PIN, association="women", actor=OPERATOR)


def _script(role, kind, scope, expected):
    pin = CALLERS[role][1] + "#"
    if role == "instructor":
        return [pin, "1", "#"]          # 1 is not offered to an instructor: nothing to record
    keys = [pin, "1", "hop thon", "1", KEYS[scope]]
    if expected == "N" and (scope != "own"):
        return keys + ["#"]             # refused at the audience: back to the officials' menu
    keys.append("2" if kind == "warning" else "1")
    if expected == "N":
        return keys + ["#"]             # refused at the kind: back to the officials' menu
    return keys + (["4", "1"] if kind == "warning" else ["1"])


def _state(app):
    with app.app_context():
        db = get_db()
        return {"alerts": list(db.query("SELECT * FROM alerts")), "outbox": db["outbox"].count,
                "audit": list(db.query("SELECT * FROM audit_log WHERE channel = 'phone'"))}


@pytest.mark.parametrize("role, kind, scope, expected", CASES, ids=[f"{r}-{k}-{s}-{e}" for r, k, s, e in CASES])
def test_every_role_every_kind_every_scope_by_phone(app, phone, hoa, role, kind, scope, expected):
    call = phone(CALLERS[role][0]).call(*_script(role, kind, scope, expected))
    rows, state = every_announcement(app), _state(app)
    with app.app_context():
        village = places.find_village(get_db(), PLACE[scope])["id"] if PLACE[scope] else None
    if expected == "Y":
        (row,) = rows
        assert (row["status"], row["kind"], row["village_id"]) == ("published", kind, village)
        assert state["outbox"] > 0 and {r["channel"] for r in state["audit"]} == {"phone"}
        if kind == "warning":
            (alert,) = state["alerts"]
            assert alert["status"] == "published" and alert["level"] == 4
        return
    assert not [r for r in rows if r["status"] == "published"] and state["alerts"] == [] and state["outbox"] == 0
    assert not [r for r in rows if r["village_id"] == village and r["kind"] == kind and scope != "own"]
    if role == "instructor":
        record, resident = menus.option_line(menu_options(False)[0]), menus.option_line(menu_options(False, False)[0])
        assert rows == [] and call.heard(resident) and not call.heard(record)      # offered 3, never 1
    elif scope != "own":
        place = PLACE[scope] or prompts.say("officials.whole_commune")
        assert call.heard(say("not_allowed", place=place))
    else:
        assert call.heard(say("not_allowed_warning")) and rows[0]["kind"] == "announcement"


@pytest.mark.parametrize("change, words", [("role", "not_your_role"), ("villages", "no_village")])
def test_what_is_taken_away_during_the_recording_keeps_nothing(app, client, recorder, change, words):
    """The chairman changes ông Tư's role or villages while he speaks: the recording is not kept."""
    from tests.voice.officials.conftest import Phone

    def record_then_change(spoken):
        url = recorder(spoken)
        with app.app_context():
            db = get_db()
            tu = officials.by_phone(db, ONG_TU)
            if change == "role":
                officials.update(db, tu["id"], tu["name"], "instructor", ONG_TU, tu["village_ids"], actor=OPERATOR)
            else:
                officials.set_villages(db, tu["id"], [], actor=OPERATOR)
        return url

    call = Phone(app, client, record_then_change, ONG_TU).call(TU_PIN + "#", "1", "hop thon", "1", "1", "1", "1")
    assert call.heard(say(words)) and every_announcement(app) == []
    kept = app.config.path("HOTLINE_INSTANCE").resolve() / "recordings" / "announcements"
    assert not kept.exists() or list(kept.iterdir()) == []
