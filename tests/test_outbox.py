from hotline import outbox, residents
from tests.conftest import ANH_MINH, BA_LAN


def test_a_dedupe_key_is_queued_only_once(demo_db):
    first = outbox.enqueue(demo_db, "sms", BA_LAN, "alert", body="Lu", dedupe_key="alert:1:1:sms")
    again = outbox.enqueue(demo_db, "sms", BA_LAN, "alert", body="Lu", dedupe_key="alert:1:1:sms")
    assert first and again is None
    assert demo_db["outbox"].count == 1


def test_an_opted_out_resident_is_skipped_with_the_reason(demo_db):
    residents.opt_out(demo_db, BA_LAN, "sms")
    row_id = outbox.enqueue(demo_db, "sms", BA_LAN, "notice", body="Hop thon")
    row = demo_db["outbox"].get(row_id)
    assert (row["state"], row["error"]) == ("skipped", "opted_out")


def test_replies_and_emergencies_still_reach_an_opted_out_resident(demo_db):
    residents.opt_out(demo_db, BA_LAN, "sms")
    reply = outbox.enqueue(demo_db, "sms", BA_LAN, "reply", body="Da ngung")
    warning = outbox.enqueue(demo_db, "call", BA_LAN, "alert", url="/voice/alert/1", emergency=True)
    assert [demo_db["outbox"].get(i)["state"] for i in (reply, warning)] == ["queued", "queued"]


def test_the_listing_masks_numbers(demo_db):
    outbox.enqueue(demo_db, "sms", ANH_MINH, "reply", body="Xin chao")
    line = outbox.describe(outbox.listing(demo_db)[0])
    assert ANH_MINH not in line and "+8498****321" in line
