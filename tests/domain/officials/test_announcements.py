"""Announcements on an in-memory database: drafts, publishing to menu 4, approval, and the fan-out rows."""
import pytest

from hotline.domain.officials import announcements, fanout as announcements_fanout
from hotline.domain import officials, places, residents
from hotline.core.config import Config
from hotline.domain.officials.permissions import Actor, Forbidden
from tests.conftest import BA_LAN, ONG_TU, OPERATOR, PUBLIC_URL
from voice import callout


def _village(db, name):
    return places.find_village(db, name)["id"]


def _config(**overrides):
    return Config.from_env({}, HOTLINE_PUBLIC_URL=PUBLIC_URL, TWILIO_FROM="+84240000000", **overrides)


@pytest.fixture
def tu(demo_db):
    return officials.by_phone(demo_db, ONG_TU)["id"]


@pytest.fixture
def chairman(demo_db):
    return next(o["id"] for o in officials.listing(demo_db) if o["role"] == "commune_chairman")


@pytest.fixture
def draft(demo_db, tu, tmp_path):
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF")
    return announcements.create(demo_db, tu, _village(demo_db, "Yên Nông"), str(audio),
                                text="Chieu nay hop thon luc 5 gio tai nha van hoa", actor=OPERATOR)


def _as(db, official_id):
    """The official acting by phone."""
    return Actor.of(officials.get(db, official_id), "phone")


def _rows(db, ref):
    return list(db.query("SELECT * FROM outbox WHERE ref = ? ORDER BY id", [ref]))


def test_a_draft_is_not_heard_until_published(demo_db, draft):
    yen_nong = _village(demo_db, "Yên Nông")
    assert announcements.latest(demo_db, yen_nong) == []
    result = announcements.publish(demo_db, _config(), draft, actor=OPERATOR)
    assert result == {"outcome": "published", "fan_out": "none", "queued": 0, "alert_id": None}
    assert [a["id"] for a in announcements.latest(demo_db, yen_nong)] == [draft]
    assert announcements.latest(demo_db, _village(demo_db, "Bến Đò")) == []
    assert _rows(demo_db, f"announcement:{draft}") == []


def test_publishing_twice_is_refused(demo_db, draft):
    announcements.publish(demo_db, _config(), draft, actor=OPERATOR)
    assert announcements.publish(demo_db, _config(), draft, actor=OPERATOR)["outcome"] == "not_draft"


def test_an_official_cannot_aim_a_draft_at_a_village_they_may_not_address(demo_db, draft, tu):
    for village_id, reason in [(_village(demo_db, "Bến Đò"), "village"), (None, "commune")]:
        with pytest.raises(Forbidden) as refused:
            announcements.update_draft(demo_db, draft, village_id=village_id, actor=_as(demo_db, tu))
        assert refused.value.reason == reason
    assert announcements.get(demo_db, draft)["village_id"] == _village(demo_db, "Yên Nông")


def test_publish_refuses_an_audience_the_author_may_not_address(demo_db, tu):
    # Recorded for Bến Đò while ông Tư was its head too (the operator's doing), published after he no longer is.
    sneaky = announcements.create(demo_db, tu, _village(demo_db, "Bến Đò"), None, text="x", actor=OPERATOR)
    with pytest.raises(Forbidden):
        announcements.publish(demo_db, _config(), sneaky, actor=_as(demo_db, tu))
    assert announcements.latest(demo_db, _village(demo_db, "Bến Đò")) == []
    assert announcements.get(demo_db, sneaky)["status"] == "draft"


def test_fan_out_sends_an_sms_notice_to_the_village_and_calls_those_who_need_a_voice(demo_db, draft):
    yen_nong = _village(demo_db, "Yên Nông")
    result = announcements.publish(demo_db, _config(), draft, fan_out=True, actor=OPERATOR)
    rows = _rows(demo_db, f"announcement:{draft}")
    people = {r["id"]: r for r in residents.listing(demo_db, yen_nong)}
    assert result["fan_out"] == "queued" and result["queued"] == len(rows)
    assert {r["resident_id"] for r in rows if r["channel"] == "sms"} == set(people)
    callees = {r["resident_id"] for r in rows if r["channel"] == "call"}
    assert callees == {i for i, p in people.items() if p["elderly"] or p["cannot_read"] or p["prefers_voice"]}
    assert residents.by_phone(demo_db, BA_LAN)["id"] in callees
    call = next(r for r in rows if r["channel"] == "call")
    assert callout.url_for(call) == f"/voice/announcement/{draft}" and call["purpose"] == "announcement"
    sms = next(r for r in rows if r["channel"] == "sms")
    assert sms["body"].isascii() and "Chieu nay hop thon" in sms["body"] and "0240000000" in sms["body"]
    assert sms["segments"] <= 2 and sms["not_after"] > sms["created_at"]


def test_the_sms_notice_keeps_to_two_segments_whatever_the_transcript(demo_db, tu):
    long = announcements.create(demo_db, tu, None, None, text="rat dai " * 200, actor=OPERATOR)
    row = announcements.get(demo_db, long)
    text = announcements_fanout.sms_notice(demo_db, row, "+84240000000")
    from hotline.core.segments import count
    assert count(text).segments <= 2 and "rat dai" in text


def test_fan_out_never_sends_twice_and_skips_residents_who_opted_out(demo_db, draft):
    residents.opt_out(demo_db, BA_LAN, "sms")
    announcements.publish(demo_db, _config(), draft, fan_out=True, actor=OPERATOR)
    rows = _rows(demo_db, f"announcement:{draft}")
    lan = [r for r in rows if r["to_phone"] == BA_LAN]
    assert lan and all(r["state"] == "skipped" and r["error"] == "opted_out" for r in lan)
    keys = [r["dedupe_key"] for r in rows]
    assert len(keys) == len(set(keys))


def test_with_approval_required_the_fan_out_waits_for_another_official(demo_db, draft, tu, chairman):
    config = _config(HOTLINE_ANNOUNCEMENT_APPROVAL="1")
    result = announcements.publish(demo_db, config, draft, fan_out=True, actor=OPERATOR)
    assert result["fan_out"] == "awaiting_approval" and _rows(demo_db, f"announcement:{draft}") == []
    assert [a["id"] for a in announcements.latest(demo_db, _village(demo_db, "Yên Nông"))] == [draft]
    assert announcements.awaiting_approval(demo_db, _as(demo_db, tu)) == []
    assert [a["id"] for a in announcements.awaiting_approval(demo_db, _as(demo_db, chairman))] == [draft]
    with pytest.raises(Forbidden) as own:
        announcements.approve(demo_db, draft, config, actor=_as(demo_db, tu))
    assert own.value.reason == "own" and _rows(demo_db, f"announcement:{draft}") == []
    approved = announcements.approve(demo_db, draft, config, actor=_as(demo_db, chairman))
    assert approved["outcome"] == "approved" and approved["queued"] == len(_rows(demo_db, f"announcement:{draft}")) > 0
    assert announcements.approve(demo_db, draft, config, actor=_as(demo_db, chairman))["outcome"] == "not_awaiting"
    assert announcements.get(demo_db, draft)["approved_by"] == chairman


def test_the_officials_who_may_approve_are_asked_by_sms(demo_db, draft, tu, chairman):
    announcements.publish(demo_db, _config(HOTLINE_ANNOUNCEMENT_APPROVAL="1"), draft, fan_out=True, actor=OPERATOR)
    asked = {r["to_phone"]: r for r in _rows(demo_db, f"announcement:{draft}:approval")}
    # Not the author, and not an instructor (their work is attendance): the chairman and the associations' leaders.
    may = {o["phone"] for o in officials.listing(demo_db) if o["id"] != tu and o["role"] != "instructor"
           and officials.may_address(demo_db, o["id"], _village(demo_db, "Yên Nông"))}
    assert set(asked) == may and ONG_TU not in asked and officials.get(demo_db, chairman)["phone"] in asked
    assert not any(o["phone"] in asked for o in officials.listing(demo_db) if o["role"] == "instructor")
    assert all(r["purpose"] == "notice" and r["body"].isascii() and r["segments"] <= 2 for r in asked.values())


def test_without_approval_required_nobody_is_asked(demo_db, draft):
    announcements.publish(demo_db, _config(), draft, fan_out=True, actor=OPERATOR)
    assert _rows(demo_db, f"announcement:{draft}:approval") == []


def test_withdrawing_takes_it_off_the_hotline_and_cancels_what_was_not_sent(demo_db, draft):
    announcements.publish(demo_db, _config(), draft, fan_out=True, actor=OPERATOR)
    assert announcements.withdraw(demo_db, _config(), draft, actor=OPERATOR)["outcome"] == "withdrawn"
    assert announcements.latest(demo_db, _village(demo_db, "Yên Nông")) == []
    assert {r["state"] for r in _rows(demo_db, f"announcement:{draft}")} == {"cancelled"}
    assert announcements.withdraw(demo_db, _config(), draft, actor=OPERATOR)["outcome"] == "not_published"


def test_an_official_who_may_not_address_the_audience_cannot_approve(demo_db, chairman):
    config = _config(HOTLINE_ANNOUNCEMENT_APPROVAL="1")
    commune_wide = announcements.create(demo_db, chairman, None, None, text="Tiem phong", actor=OPERATOR)
    announcements.publish(demo_db, config, commune_wide, fan_out=True, actor=OPERATOR)
    instructor = next(o["id"] for o in officials.listing(demo_db) if o["role"] == "instructor")
    with pytest.raises(Forbidden):
        announcements.approve(demo_db, commune_wide, config, actor=_as(demo_db, instructor))
    assert announcements.get(demo_db, commune_wide)["fan_out"] == "awaiting_approval"


def test_cancelling_a_draft_deletes_its_recording(demo_db, draft):
    path = announcements.get(demo_db, draft)["audio_path"]
    assert announcements.cancel(demo_db, draft, actor=OPERATOR) == "cancelled"
    assert announcements.get(demo_db, draft)["status"] == "cancelled"
    import os
    assert not os.path.exists(path)
    assert announcements.publish(demo_db, _config(), draft, actor=OPERATOR)["outcome"] == "not_draft"


def test_the_transcript_is_kept_as_the_text(demo_db, draft, tu):
    assert announcements.transcript(demo_db, draft, " hop thon ", actor=_as(demo_db, tu)) == "saved"
    assert announcements.get(demo_db, draft)["text"] == "hop thon"
    path = announcements.get(demo_db, draft)["audio_path"]
    # The recogniser, off the call, comes after the official corrected the words: theirs stay.
    assert not announcements.transcribed(demo_db, draft, path, " hop thon luc 5 gio ")
    assert announcements.get(demo_db, draft)["text"] == "hop thon"
    assert announcements.transcript(demo_db, draft, "", actor=_as(demo_db, tu)) == "saved"
    assert announcements.transcribed(demo_db, draft, path, " hop thon luc 5 gio ")
    assert announcements.get(demo_db, draft)["text"] == "hop thon luc 5 gio"


def test_a_draft_left_behind_is_dropped_after_a_day_with_its_recording(demo_db, draft):
    import os
    from datetime import datetime, timedelta

    path = announcements.get(demo_db, draft)["audio_path"]
    created = datetime.fromisoformat(announcements.get(demo_db, draft)["created_at"].replace("Z", "+00:00"))
    stamp = lambda hours: (created + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
    assert announcements.drop_stale_drafts(demo_db, None, stamp(23)) == 0
    assert announcements.get(demo_db, draft)["status"] == "draft"
    assert announcements.drop_stale_drafts(demo_db, None, stamp(25)) == 1
    assert announcements.get(demo_db, draft)["status"] == "cancelled" and not os.path.exists(path)
