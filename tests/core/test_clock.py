"""hotline.core.clock: the stored time format, shifting it, and Vietnam time with or without tzdata."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfoNotFoundError

import pytest

from hotline.core import clock, db


def test_it_writes_utc_text_with_microseconds_and_a_z():
    moment = datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc)
    assert clock.stamp(moment) == "2026-11-25T08:30:00.000000Z"
    assert clock.parse(clock.stamp(moment)) == moment and clock.parse(clock.stamp(moment)).tzinfo == timezone.utc


def test_it_reads_its_own_now_back_and_db_now_is_the_same_clock():
    text = clock.now()
    assert len(text) == 27 and text.endswith("Z") and clock.stamp(clock.parse(text)) == text
    assert db.now is clock.now


def test_stamps_sort_as_text_in_time_order():
    start = datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
    moments = [start + timedelta(microseconds=n ** 3) for n in (0, 1, 30, 400, 5000)]
    texts = [clock.stamp(m) for m in moments]
    assert sorted(texts) == texts and texts[1] == "2027-01-01T00:00:00.000000Z"


@pytest.mark.parametrize("delta, shifted", [
    ({"hours": 24}, "2026-11-26T08:30:00.000000Z"),
    ({"minutes": -45}, "2026-11-25T07:45:00.000000Z"),
    ({"seconds": 0.5}, "2026-11-25T08:30:00.500000Z"),
    ({"days": -30}, "2026-10-26T08:30:00.000000Z"),
])
def test_it_shifts_a_stamp(delta, shifted):
    assert clock.shift("2026-11-25T08:30:00.000000Z", **delta) == shifted


def test_aware_times_from_any_zone_are_stored_in_utc():
    assert clock.stamp(datetime(2026, 11, 25, 15, 30, tzinfo=clock.VIETNAM)) == "2026-11-25T08:30:00.000000Z"
    assert clock.parse("2026-11-25T15:30:00+07:00") == datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc)


def test_a_naive_time_is_utc_unless_the_caller_names_its_zone():
    naive = datetime(2026, 11, 25, 6, 0)
    assert clock.stamp(naive) == "2026-11-25T06:00:00.000000Z"
    assert clock.stamp(naive, naive=clock.VIETNAM) == "2026-11-24T23:00:00.000000Z"   # the day before, in UTC
    assert clock.parse("2026-11-25T06:00:00") == datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc)


def test_late_evening_utc_is_the_next_morning_in_vietnam():
    moment = clock.local("2026-12-31T17:30:00.000000Z")
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == (2027, 1, 1, 0, 30)
    assert moment.utcoffset() == timedelta(hours=7)


def test_vietnam_is_utc_plus_seven_without_tzdata(monkeypatch):
    def missing(name):
        raise ZoneInfoNotFoundError(name)

    monkeypatch.setattr(clock, "ZoneInfo", missing)
    zone = clock.zone()
    assert zone == timezone(timedelta(hours=7))
    assert clock.local("2026-11-30T17:30:00.000000Z", zone).strftime("%H:%M %d/%m") == "00:30 01/12"


def test_an_unknown_zone_name_falls_back_to_vietnam():
    assert clock.zone("Not/AZone") == timezone(timedelta(hours=7))
    assert clock.zone("../etc") == timezone(timedelta(hours=7))
    assert str(clock.zone("Asia/Ho_Chi_Minh")) == "Asia/Ho_Chi_Minh"
