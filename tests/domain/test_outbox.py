from hotline.domain import outbox, residents
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


def test_rows_waiting_at_the_upgrade_move_onto_the_new_send_order():
    """Migration 0016: the replies-first trigger goes, and what waits is re-levelled and marked emergency."""
    from hotline.core import db as storage

    old = storage.connect(":memory:")
    storage.migrate(old, target=max(m.version for m in storage.migrations() if m.version < 16))
    old.execute("INSERT INTO residents (phone, opted_out_at, created_at, updated_at) VALUES (?, 'x', 'x', 'x')",
                [BA_LAN])
    rows = {   # name: (purpose, to, priority as the old code queued it, state)
        "reply": ("reply", ANH_MINH, 0, "queued"), "heads": ("notice", ANH_MINH, 9, "queued"),
        "emergency": ("alert", ANH_MINH, 8, "queued"), "checkin": ("checkin", ANH_MINH, 7, "queued"),
        "checkin_to_opted_out": ("checkin", BA_LAN, 7, "queued"), "alert": ("alert", ANH_MINH, 6, "queued"),
        "announcement": ("announcement", ANH_MINH, 0, "queued"), "reminder": ("reminder", ANH_MINH, 0, "queued"),
        "sent_reply": ("reply", ANH_MINH, 0, "sent"),
    }
    for name, (purpose, to, priority, state) in rows.items():
        old.execute("INSERT INTO outbox (channel, to_phone, purpose, ref, state, priority, created_at, updated_at)"
                    " VALUES ('sms', ?, ?, ?, ?, ?, 'x', 'x')", [to, purpose, name, state, priority])
    assert old.execute("SELECT priority FROM outbox WHERE ref = 'reply'").fetchone()[0] == 9   # the old trigger
    storage.migrate(old)
    after = {r["ref"]: (r["priority"], r["emergency"]) for r in old.query("SELECT * FROM outbox")}
    level = outbox.PRIORITY
    assert after == {"reply": (level["reply"], 0), "heads": (level["help"], 1), "emergency": (level["emergency"], 1),
                     "checkin": (level["checkin"], 0), "checkin_to_opted_out": (level["checkin"], 1),
                     "alert": (level["alert"], 0), "announcement": (level["notice"], 0),
                     "reminder": (level["reminder"], 0), "sent_reply": (9, 0)}
    old.execute("INSERT INTO outbox (channel, to_phone, purpose, ref, priority, created_at, updated_at)"
                " VALUES ('sms', ?, 'reply', 'new_reply', 0, 'x', 'x')", [ANH_MINH])
    assert old.execute("SELECT priority FROM outbox WHERE ref = 'new_reply'").fetchone()[0] == 0   # no trigger now
    old.conn.close()
