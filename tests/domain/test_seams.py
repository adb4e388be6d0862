"""The read seams the channels use for alerts, lessons and announcements."""
from hotline.domain import alerts, lessons, places
from hotline.domain.officials import announcements
from hotline.core.db import now


def _village(db, name):
    return places.find_village(db, name)["id"]


def test_an_alert_is_active_only_when_published_started_unexpired_and_aimed_here(demo_db):
    yen_nong, ben_do = _village(demo_db, "Yên Nông"), _village(demo_db, "Bến Đò")
    base = {"kind": "flood", "level": 3, "text": "Lu", "created_at": now(), "starts_at": "2000-01-01T00:00:00Z",
            "expires_at": "2999-01-01T00:00:00Z", "status": "published", "published_at": now()}
    here = demo_db["alerts"].insert({**base, "scope": "villages"}).last_pk
    demo_db["alert_villages"].insert({"alert_id": here, "village_id": yen_nong})
    demo_db["alerts"].insert({**base, "status": "draft"})
    demo_db["alerts"].insert({**base, "expires_at": "2001-01-01T00:00:00Z"})
    everywhere = demo_db["alerts"].insert({**base, "level": 4}).last_pk
    assert [a["id"] for a in alerts.active_for_village(demo_db, yen_nong)] == [everywhere, here]
    assert [a["id"] for a in alerts.active_for_village(demo_db, ben_do)] == [everywhere]


def test_upcoming_lessons_put_the_callers_village_first(demo_db):
    yen_nong, ben_do = _village(demo_db, "Yên Nông"), _village(demo_db, "Bến Đò")
    row = {"topic": "vneid", "place": "Nha van hoa", "capacity": 20, "created_at": now()}
    demo_db["lessons"].insert({**row, "code": "A1", "village_id": ben_do, "starts_at": "2999-01-01T08:00:00Z"})
    demo_db["lessons"].insert({**row, "code": "A2", "village_id": yen_nong, "starts_at": "2999-02-01T08:00:00Z"})
    demo_db["lessons"].insert({**row, "code": "A3", "village_id": yen_nong, "starts_at": "2000-01-01T08:00:00Z"})
    ours = [x["code"] for x in lessons.upcoming(demo_db, yen_nong, limit=100) if x["code"] in ("A1", "A2", "A3")]
    assert ours == ["A2", "A1"]  # the demo's own upcoming lessons may sit among them


def test_latest_announcements_include_the_communes_and_the_villages_own(demo_db):
    yen_nong, ben_do = _village(demo_db, "Yên Nông"), _village(demo_db, "Bến Đò")
    for village, published in [(None, "2026-01-02"), (yen_nong, "2026-01-03"), (ben_do, "2026-01-04")]:
        demo_db["announcements"].insert({"village_id": village, "text": "x", "status": "published",
                                         "created_at": now(), "published_at": published})
    assert [a["published_at"] for a in announcements.latest(demo_db, yen_nong)] == ["2026-01-03", "2026-01-02"]
