"""The voice call-out as Twilio runs it: signed webhooks, TwiML parsed, and the simulator's Call walker."""
from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest

from hotline.domain import alerts, places
from hotline.core import clock, db as storage, prompts
from hotline.sending import sender
from hotline.core.db import now as db_now
from hotline.sim.phone import Call, HangUp
from tests.conftest import BA_LAN, OPERATOR, rows
from voice import callout


@pytest.fixture
def db(app):
    database = storage.connect(app.config["HOTLINE_DB"])
    yield database
    database.conn.close()


@pytest.fixture
def alert(app, db):
    alert_id = alerts.create(db, "flood", 4, "Nuoc song len nhanh, di den nha van hoa",
                             [places.find_village(db, "Yên Nông")["id"]], actor=OPERATOR)
    alerts.publish(db, app.config, alert_id, actor=OPERATOR)
    return alert_id


@pytest.fixture
def lan(db):
    return db.execute("SELECT id FROM residents WHERE phone = ?", [BA_LAN]).fetchone()[0]


def _twiml(hooks, url, **params):
    status, body = hooks.post(url, {"CallSid": "CA1", "To": BA_LAN, "From": "+84240000000", **params})
    assert status == 200
    return ET.fromstring(body)


def test_it_plays_the_warning_twice_inside_a_keypad_gather_then_says_goodbye(hooks, alert, lan):
    root = _twiml(hooks, f"/voice/alert/{alert}?r={lan}", AnsweredBy="human")
    gather = root.find("Gather")
    assert (gather.get("numDigits"), gather.get("finishOnKey")) == ("1", "")
    assert gather.get("action").startswith(f"/voice/alert/{alert}/answer")
    said = [s.text for s in gather.iter("Say")]
    assert sum("Nuoc song len nhanh" in t for t in said) == 2
    assert all(s.get("language") == "vi-VN" for s in root.iter("Say"))
    assert [child.tag for child in root][-1] == "Say"   # a timed-out Gather falls through to the goodbye


@pytest.mark.parametrize("keys, plays, acked", [
    (["1"], 2, True),
    (["2", "1"], 3, True),
    (["2", "2", "1"], 3, False),     # the second 2 is past MAX_PLAYS: goodbye, no Gather left for the 1
    ([""], 2, False),
    (["9", ""], 3, False),
])
def test_the_callee_acknowledges_or_hears_it_again_as_twilio_runs_the_call(hooks, db, alert, lan, keys, plays,
                                                                           acked):
    script = list(keys)

    def press(kind, attrs):
        if not script:
            raise HangUp
        return script.pop(0)

    events = Call(hooks, BA_LAN, press).run(f"/voice/alert/{alert}?r={lan}")
    said = [e.text for e in events if e.kind == "say"]
    assert sum("Nuoc song len nhanh" in t for t in said) == plays
    assert (db.execute("SELECT COUNT(*) FROM alert_acks WHERE alert_id = ? AND resident_id = ?",
                       [alert, lan]).fetchone()[0] == 1) is acked
    assert events[-1].kind == "hangup"


def test_an_acknowledgement_is_kept_once_with_its_first_answer(db, alert, lan):
    from hotline.domain.alerts import acks

    assert acks.acknowledge(db, alert, lan, "call") is True
    assert acks.acknowledge(db, alert, lan, "machine") is False                 # pressed again, or a retry
    assert db.execute("SELECT channel FROM alert_acks WHERE alert_id = ? AND resident_id = ?",
                      [alert, lan]).fetchall() == [("call",)]


@pytest.mark.parametrize("limit", [2, 4, 6])
def test_pressing_2_again_and_again_reads_the_warning_max_plays_times_then_says_goodbye(monkeypatch, hooks, db,
                                                                                     alert, lan, limit):
    monkeypatch.setattr(callout, "MAX_PLAYS", limit)
    asked = []

    def keep_pressing_2(kind, attrs):
        asked.append(attrs["action"])
        return "2"

    events = Call(hooks, BA_LAN, keep_pressing_2).run(f"/voice/alert/{alert}?r={lan}")
    said = [e.text for e in events if e.kind == "say"]
    assert sum("Nuoc song len nhanh" in t for t in said) == limit
    assert len(asked) == limit - 1          # the first Gather reads it twice, each later one once
    assert said[-1] == prompts.say("alerts.voice.goodbye")
    assert [e.kind for e in events[-2:]] == ["say", "hangup"]   # out of verbs after the goodbye: Twilio hangs up
    assert db.execute("SELECT COUNT(*) FROM alert_acks").fetchone()[0] == 0


def test_the_warning_is_read_three_times_at_most(hooks, db, alert, lan):
    events = Call(hooks, BA_LAN, lambda kind, attrs: "2").run(f"/voice/alert/{alert}?r={lan}")
    said = [e.text for e in events if e.kind == "say"]
    assert sum("Nuoc song len nhanh" in t for t in said) == callout.MAX_PLAYS == 3
    assert said[-1] == prompts.say("alerts.voice.goodbye")


@pytest.mark.parametrize("count", ["", "x", "-1"])
def test_an_answer_without_a_readable_count_says_goodbye_rather_than_reading_on(hooks, alert, lan, count):
    root = _twiml(hooks, f"/voice/alert/{alert}/answer?r={lan}&n={count}", Digits="2")
    assert root.find("Gather") is None
    assert [s.text for s in root.iter("Say")] == [prompts.say("alerts.voice.goodbye")]


def test_an_answering_machine_gets_the_message_after_the_beep_without_a_gather(hooks, alert, lan):
    root = _twiml(hooks, f"/voice/alert/{alert}?r={lan}", AnsweredBy="machine_end_beep")
    assert root.find("Gather") is None
    assert sum("Nuoc song len nhanh" in (s.text or "") for s in root.iter("Say")) == 2


def test_a_call_answered_after_an_update_plays_the_update_and_after_a_cancel_says_so(app, hooks, db, alert, lan):
    newer = alerts.update(db, app.config, alert, text="Nuoc da rut, don dep nha cua", actor=OPERATOR)
    said = " ".join(s.text for s in _twiml(hooks, f"/voice/alert/{alert}?r={lan}").iter("Say"))
    assert "Nuoc da rut" in said and "Nuoc song len nhanh" not in said
    alerts.cancel(db, app.config, newer, actor=OPERATOR)
    said = " ".join(s.text for s in _twiml(hooks, f"/voice/alert/{alert}?r={lan}").iter("Say"))
    assert "Nuoc" not in said and _twiml(hooks, f"/voice/alert/{alert}?r={lan}").find("Gather") is None


def test_an_unknown_alert_gets_valid_twiml_not_a_500(hooks):
    root = _twiml(hooks, "/voice/alert/999?r=1")
    assert root.tag == "Response" and root.find("Say") is not None


def _placed(app, db, alert):
    row = next(r for r in rows(db, f"alert:{alert}", "call") if r["to_phone"] == BA_LAN)
    sid = f"CA{row['attempts']}{row['id']:030d}"
    sender.claim(db, row, "twilio")
    sender.confirm(db, row, sid)
    return row["id"], sid


def _status(hooks, sid, status, **extra):
    code, _ = hooks.post("/voice/callout/status", {"CallSid": sid, "CallStatus": status, **extra})
    assert code == 204


@pytest.mark.parametrize("order", list(itertools.permutations(["initiated", "ringing", "in-progress", "completed"])))
def test_call_status_callbacks_end_delivered_in_any_order(app, hooks, db, alert, order):
    row_id, sid = _placed(app, db, alert)
    for status in order:
        _status(hooks, sid, status, AnsweredBy="human")
    assert db["outbox"].get(row_id)["state"] == "delivered"
    assert db.execute("SELECT status FROM call_attempts WHERE provider_id = ?", [sid]).fetchone()[0] == "completed"


@pytest.mark.parametrize("order", list(itertools.permutations(["initiated", "ringing", "no-answer"])))
def test_an_unanswered_call_is_retried_later_whatever_the_callback_order(app, hooks, db, alert, order):
    row_id, sid = _placed(app, db, alert)
    for status in order:
        _status(hooks, sid, status)
    row = db["outbox"].get(row_id)
    assert (row["state"], row["error"]) == ("queued", "no-answer")
    assert row["next_attempt_at"] > row["updated_at"]   # at the first retry interval, not at once


def test_busy_calls_are_retried_three_times_at_growing_intervals_then_fail(app, hooks, db, alert):
    waits = []
    for attempt in range(4):
        row_id, sid = _placed(app, db, alert)
        _status(hooks, sid, "busy")
        row = db["outbox"].get(row_id)
        if attempt < 3:
            waits.append(clock.parse(row["next_attempt_at"]) - clock.parse(row["updated_at"]))
            db.execute("UPDATE outbox SET next_attempt_at = updated_at WHERE id = ?", [row_id])
    assert [round(w.total_seconds() / 60) for w in waits] == [5, 15, 30]
    assert (row["state"], row["error"]) == ("failed", "busy")


def test_a_call_retry_that_would_fall_due_after_the_warnings_expiry_ends_as_failed(app, hooks, db, alert):
    """Retries wait 5, then 15 minutes: with 10 minutes left, the first is tried and the second never queued."""
    row_id, sid = _placed(app, db, alert)
    db.execute("UPDATE outbox SET not_after = ? WHERE id = ?", [clock.shift(db_now(), minutes=10), row_id])
    _status(hooks, sid, "no-answer")
    assert db["outbox"].get(row_id)["state"] == "queued"
    db.execute("UPDATE outbox SET next_attempt_at = updated_at WHERE id = ?", [row_id])
    row_id, sid = _placed(app, db, alert)
    _status(hooks, sid, "busy")
    row = db["outbox"].get(row_id)
    assert (row["state"], row["error"]) == ("failed", "busy")


def test_a_late_callback_for_an_earlier_attempt_changes_nothing(app, hooks, db, alert):
    row_id, first = _placed(app, db, alert)
    _status(hooks, first, "busy")
    db.execute("UPDATE outbox SET next_attempt_at = updated_at WHERE id = ?", [row_id])
    _, second = _placed(app, db, alert)
    _status(hooks, second, "completed", AnsweredBy="machine_end_beep")
    _status(hooks, first, "completed")
    row = db["outbox"].get(row_id)
    assert (row["state"], row["provider_id"], row["error"]) == ("delivered", second, "machine")


def test_an_officials_recording_is_played_instead_of_the_synthesized_text(app, hooks, db, lan):
    from pathlib import Path

    recording = Path(app.config["HOTLINE_INSTANCE"]) / "recordings" / "flood.wav"
    recording.parent.mkdir(parents=True, exist_ok=True)
    recording.write_bytes(b"RIFF0000WAVE")
    alert_id = alerts.create(db, "flood", 4, "Ban ghi cua truong thon", None, audio_path=str(recording), actor=OPERATOR)
    alerts.publish(db, app.config, alert_id, actor=OPERATOR)
    gather = _twiml(hooks, f"/voice/alert/{alert_id}?r={lan}").find("Gather")
    plays = [p.text for p in gather.iter("Play")]
    assert len(plays) == 2 and all(p.startswith("https://hotline.example.vn/audio/") for p in plays)
    assert not any("Ban ghi" in (s.text or "") for s in gather.iter("Say"))
