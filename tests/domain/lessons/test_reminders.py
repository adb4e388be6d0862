"""Reminders: the day before at the configured local time, optionally hours before, each exactly once."""
import pytest

from hotline.core import clock, db as storage, segments
from hotline import demo
from hotline.domain import lessons, residents
from hotline.domain.lessons import reminders
from hotline.core.config import Config
from tests.conftest import BA_LAN, CHI_HOA, ONG_TU, OPERATOR
from tests.domain.lessons.conftest import FUTURE, resident_id

EARLY = "2030-03-01T00:00:00.000000Z"          # when people enrolled
DAY_BEFORE_17H = "2030-03-04T10:00:00.000000Z"  # 17:00 in Vietnam, the day before FUTURE (8:00 on 5/3)


def _config(**settings):
    return Config.from_env({}, **settings)


def _reminders(db, lesson):
    return list(db.query("SELECT * FROM outbox WHERE ref = ? AND purpose = 'reminder' ORDER BY to_phone",
                         [f"lesson:{lesson['id']}"]))


@pytest.fixture
def lesson(demo_db, new_lesson, people):
    """8:00 on 5 March 2030 in Yên Nông: ông Tư and chị Hoa hold seats, bà Lan waits."""
    row = new_lesson(capacity=2)
    for who in ("ong_tu", "chi_hoa", "ba_lan"):
        lessons.enrol(demo_db, row["id"], people[who], now=EARLY)
    return row


def test_it_queues_the_day_before_reminder_at_17_local_for_those_holding_a_seat(demo_db, lesson):
    config = _config()
    assert reminders.queue_due(demo_db, config, "2030-03-04T09:59:59.000000Z")["remind-day"] == 0
    assert reminders.queue_due(demo_db, config, DAY_BEFORE_17H)["remind-day"] == 2
    rows = _reminders(demo_db, lesson)
    assert [(r["to_phone"], r["channel"]) for r in rows] == [(ONG_TU, "sms"), (CHI_HOA, "sms")]
    assert all(r["not_after"] == FUTURE and lesson["code"] in r["body"] for r in rows)


def test_it_queues_each_reminder_once_however_often_it_runs_and_across_a_restart(tmp_path, people):
    path = str(tmp_path / "hotline.db")
    first = storage.connect(path)
    storage.migrate(first)
    demo.load(first)
    lesson_id = lessons.create(first, "vneid", "Nhà văn hóa", FUTURE, 5, actor=OPERATOR)
    for phone in (ONG_TU, CHI_HOA):
        lessons.enrol(first, lesson_id, resident_id(first, phone), now=EARLY)
    assert reminders.queue_due(first, _config(), DAY_BEFORE_17H)["remind-day"] == 2
    assert reminders.queue_due(first, _config(), "2030-03-04T10:01:00.000000Z")["remind-day"] == 0
    first.conn.close()                                     # the worker stops …
    second = storage.connect(path)                         # … and starts again
    assert reminders.queue_due(second, _config(), "2030-03-04T12:00:00.000000Z")["remind-day"] == 0
    count = second.execute("SELECT COUNT(*) FROM outbox WHERE purpose = 'reminder'").fetchone()[0]
    second.conn.close()
    assert count == 2


def test_it_catches_up_after_the_worker_was_down_at_17h(demo_db, lesson):
    assert reminders.queue_due(demo_db, _config(), "2030-03-04T14:30:00.000000Z")["remind-day"] == 2


def test_it_sends_nothing_after_the_lesson_has_started(demo_db, lesson):
    assert reminders.queue_due(demo_db, _config(), "2030-03-05T01:00:00.000000Z")["remind-day"] == 0


def test_it_reminds_nobody_who_cancelled_or_enrolled_after_the_reminder_time(demo_db, lesson, people):
    lessons.cancel_by_code(demo_db, people["ong_tu"], lesson["code"], now=EARLY)   # bà Lan takes his seat
    late = resident_id(demo_db, "+84915123757")
    lessons.set_capacity(demo_db, lesson["id"], 3, actor=OPERATOR)
    lessons.enrol(demo_db, lesson["id"], late, now="2030-03-04T11:00:00.000000Z")
    reminders.queue_due(demo_db, _config(), "2030-03-04T11:30:00.000000Z")
    assert {r["to_phone"] for r in _reminders(demo_db, lesson)} == {CHI_HOA, BA_LAN}


def test_a_queued_reminder_is_withdrawn_when_its_person_cancels(demo_db, lesson, people):
    reminders.queue_due(demo_db, _config(), DAY_BEFORE_17H)
    lessons.cancel_by_code(demo_db, people["chi_hoa"], lesson["code"], now="2030-03-04T10:05:00.000000Z")
    states = {r["to_phone"]: r["state"] for r in _reminders(demo_db, lesson)}
    assert states == {ONG_TU: "queued", CHI_HOA: "cancelled"}
    # bà Lan, promoted after the reminders went out, hears of her seat (by call: she prefers voice).
    notice = next(demo_db.query("SELECT * FROM outbox WHERE to_phone = ? AND purpose = 'notice'", [BA_LAN]))
    assert notice["channel"] == "call"


def test_a_cancelled_lesson_gets_no_reminders_and_its_queued_ones_are_withdrawn(demo_db, lesson):
    reminders.queue_due(demo_db, _config(), DAY_BEFORE_17H)
    lessons.cancel_lesson(demo_db, lesson["id"], actor=OPERATOR)
    assert {r["state"] for r in _reminders(demo_db, lesson)} == {"cancelled"}
    assert reminders.queue_due(demo_db, _config(), "2030-03-04T11:00:00.000000Z") == {"remind-day": 0,
                                                                                     "remind-soon": 0}


@pytest.mark.parametrize("settings, starts_at, now, expected", [
    ({"HOTLINE_LESSON_REMINDER_AT": "19:30"}, FUTURE, DAY_BEFORE_17H, {"remind-day": 0, "remind-soon": 0}),
    ({"HOTLINE_LESSON_REMINDER_AT": "19:30"}, FUTURE, "2030-03-04T12:30:00.000000Z",
     {"remind-day": 2, "remind-soon": 0}),
    ({"HOTLINE_LESSON_REMINDER_AT": "off"}, FUTURE, "2030-03-04T23:00:00.000000Z", {"remind-day": 0, "remind-soon": 0}),
    # 2 hours before 14:00 is noon: due; 2 hours before 8:00 would be 6:00, too early to ring anyone.
    ({"HOTLINE_LESSON_REMINDER_AT": "off", "HOTLINE_LESSON_REMINDER_HOURS": "2"}, "2030-03-05T07:00:00.000000Z",
     "2030-03-05T05:00:00.000000Z", {"remind-day": 0, "remind-soon": 2}),
    ({"HOTLINE_LESSON_REMINDER_AT": "off", "HOTLINE_LESSON_REMINDER_HOURS": "2"}, "2030-03-05T07:00:00.000000Z",
     "2030-03-05T04:59:00.000000Z", {"remind-day": 0, "remind-soon": 0}),
    ({"HOTLINE_LESSON_REMINDER_AT": "off", "HOTLINE_LESSON_REMINDER_HOURS": "2"}, FUTURE,
     "2030-03-05T00:30:00.000000Z", {"remind-day": 0, "remind-soon": 0}),
])
def test_it_follows_the_reminder_settings(demo_db, new_lesson, people, settings, starts_at, now, expected):
    row = new_lesson(capacity=5, starts_at=starts_at)
    for who in ("ong_tu", "chi_hoa"):
        lessons.enrol(demo_db, row["id"], people[who], now=EARLY)
    assert reminders.queue_due(demo_db, _config(**settings), now) == expected


# The longest topic name, a long place and the widest date: every notice still fits one SMS unaccented.
LONGEST = {"id": 1, "topic": "epayment_qr", "place": "Nhà văn hóa thôn Đồng Tâm", "code": "QR3",
           "starts_at": "2030-12-29T12:30:00.000000Z"}   # 19:30 Chủ nhật 29/12


@pytest.mark.parametrize("kind", ["promoted", "remind_day", "remind_soon", "cancelled"])
def test_every_notice_fits_one_sms(kind):
    from hotline.core import prompts

    text = prompts.sms(f"lessons.notice.{kind}", **reminders.values(LONGEST))
    assert segments.count(text).segments == 1, (len(text), text)


def test_the_worker_sends_each_reminder_once_across_a_restart(tmp_path):
    """The real worker: its periodic job queues the reminders, it sends them, and a restarted worker adds none."""
    import threading
    from datetime import datetime, timedelta, timezone

    from hotline.app import run_worker

    config = _config(HOTLINE_DB=str(tmp_path / "hotline.db"), HOTLINE_INSTANCE=str(tmp_path / "var"),
                     HOTLINE_PUBLIC_URL="https://hotline.example.vn")
    db = storage.connect(config["HOTLINE_DB"])
    storage.migrate(db)
    demo.load(db)
    # In three hours: yesterday's or today's 17:00 reminder time has passed, the lesson has not started.
    start = datetime.now(timezone.utc) + timedelta(hours=3)
    lesson_id = lessons.create(db, "smartphone", "Nhà văn hóa", clock.stamp(start), 5, actor=OPERATOR)
    for phone in (ONG_TU, BA_LAN):
        lessons.enrol(db, lesson_id, resident_id(db, phone), now=clock.stamp(start - timedelta(days=3)))

    def run_worker_until_sent():
        stop = threading.Event()

        def tick(tick_db):
            if tick_db.execute("SELECT COUNT(*) FROM outbox WHERE purpose = 'reminder' AND state = 'sent'"
                               ).fetchone()[0] == 2:
                stop.set()

        thread = threading.Thread(target=run_worker, args=(config, stop), kwargs={"on_tick": tick})
        thread.start()
        thread.join(timeout=30)
        stop.set()
        assert not thread.is_alive()

    run_worker_until_sent()
    run_worker_until_sent()          # a restart: the job runs again at once
    rows = list(db.query("SELECT to_phone, channel, state, attempts FROM outbox WHERE purpose = 'reminder'"
                         " ORDER BY to_phone"))
    db.conn.close()
    assert rows == [{"to_phone": BA_LAN, "channel": "call", "state": "sent", "attempts": 1},
                    {"to_phone": ONG_TU, "channel": "sms", "state": "sent", "attempts": 1}]


def test_a_notice_call_says_its_row_and_offers_the_seat_up_only_while_the_lesson_holds(demo_db, lesson, people):
    assert residents.by_phone(demo_db, BA_LAN)["prefers_voice"]                   # bà Lan is called
    promoted = reminders.notify(demo_db, people["ba_lan"], "promoted", lesson)
    notice = reminders.call_notice(demo_db, promoted)
    assert notice["body"] == demo_db["outbox"].get(promoted)["body"] and notice["lesson"]["code"] == lesson["code"]
    assert notice["may_cancel"] is True
    lessons.cancel_lesson(demo_db, lesson["id"], actor=OPERATOR)
    assert reminders.call_notice(demo_db, promoted)["may_cancel"] is False      # nothing left to give up
    [told] = [r["id"] for r in demo_db.query("SELECT id FROM outbox WHERE channel = 'call' AND dedupe_key LIKE ?",
                                             [f"lesson:{lesson['id']}:cancelled:%"])]
    assert reminders.call_notice(demo_db, told)["may_cancel"] is False
    sms = reminders.notify(demo_db, people["chi_hoa"], "promoted", lesson, "again")     # chị Hoa reads texts
    assert reminders.call_notice(demo_db, sms) is None and reminders.call_notice(demo_db, 10**6) is None
