"""Inbound texts through Twilio's signed webhook: once only, opt-out kept, limits, warnings and lessons."""
import xml.etree.ElementTree as ET

import pytest

from hotline.domain import alerts, inbox, lessons, outbox, places, residents
from hotline.core import prompts
from hotline.sim.phone import Webhooks, send_sms
from sms import commands
from tests.conftest import ANH_MINH, BA_LAN, CHI_HOA, ONG_TU, OPERATOR

FUTURE = "2030-03-05T01:00:00.000000Z"       # 8:00 in Vietnam


def count_rows(db, table):
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_it_replays_a_message_with_the_same_reply_and_no_second_effect(text, app_db):
    first = text(ANH_MINH, "DK Minh Yen Nong", sid="SM" + "1" * 32)
    residents.register(app_db, ANH_MINH, "admin", name="Anh Minh")      # changed since, by an official
    again = text(ANH_MINH, "DK Minh Yen Nong", sid="SM" + "1" * 32)
    assert again == first == prompts.sms("sms.register.registered", name="Minh", village="Yên Nông")
    assert residents.by_phone(app_db, ANH_MINH)["name"] == "Anh Minh"   # the replay did not register again
    assert count_rows(app_db, "sms_inbox") == 1


def test_a_replayed_enrolment_keeps_its_first_answer(app, text, app_db):
    lesson = lessons.get(app_db, lessons.create(app_db, "vneid", "Nhà văn hóa thôn Yên Nông", FUTURE, 20,
                                                actor=OPERATOR))
    first = text(BA_LAN, f"HOC {lesson['code']}", sid="SM" + "2" * 32)
    again = text(BA_LAN, f"HOC {lesson['code']}", sid="SM" + "2" * 32)
    fresh = text(BA_LAN, f"HOC {lesson['code']}")
    assert first == again and first.startswith(f"Da ghi danh lop {lesson['code']} VNeID, 8h00 5/3")
    assert fresh.startswith(f"Ban da ghi danh lop {lesson['code']}")     # a new message is a new request
    assert lessons.get(app_db, lesson["id"])["seated"] == 1


def test_opting_out_is_stored_before_the_reply_and_respected_by_later_sends(text, app_db):
    reply = text(BA_LAN, "TU CHOI")
    assert reply == prompts.sms("sms.opt_out.opted_out")
    assert residents.by_phone(app_db, BA_LAN)["opted_out_at"]
    notice = outbox.enqueue(app_db, "sms", BA_LAN, "notice", body="Hop thon")
    assert app_db["outbox"].get(notice)["state"] == "skipped"
    assert text(BA_LAN, "STOP") is None         # already out: she asked for silence, not a second confirmation
    assert text(BA_LAN, "BAT") == prompts.sms("sms.opt_in.opted_in")
    again = outbox.enqueue(app_db, "sms", BA_LAN, "notice", body="Hop thon lan 2")
    assert app_db["outbox"].get(again)["state"] == "queued"


def test_registering_again_lifts_an_earlier_refusal(text, app_db):
    text(ONG_TU, "STOP")
    text(ONG_TU, "DK Tu Yen Nong")
    assert residents.by_phone(app_db, ONG_TU)["opted_out_at"] is None


def test_a_short_name_keeps_the_full_name_of_the_register(text, app_db):
    assert text(ONG_TU, "dk tu yen nong") == prompts.sms("sms.register.updated", name="Nguyễn Văn Tư", village="Yên Nông")
    assert residents.by_phone(app_db, ONG_TU)["name"] == "Nguyễn Văn Tư"
    text(ONG_TU, "DK Le Van Tu Ben Do")
    assert residents.by_phone(app_db, ONG_TU)["name"] == "Le Van Tu"


def test_a_registration_with_an_unknown_village_changes_nothing(text, app_db):
    before = count_rows(app_db, "residents")
    assert "Yen Nong, Yen Bai, Dong Tam, Ben Do" in text(ANH_MINH, "DK Minh Thon Moi")
    assert count_rows(app_db, "residents") == before


@pytest.fixture
def capped(settings):
    return {**settings, "HOTLINE_SMS_REPLIES_PER_HOUR": "3"}


def test_replies_to_one_number_are_capped_per_hour_with_one_notice(capped):
    from hotline.app import create_app
    from hotline.core import db as storage
    from hotline import demo

    app = create_app(capped)
    with app.app_context():
        demo.load(storage.get_db())
    hooks = Webhooks(app.config, client=app.test_client())
    replies = [send_sms(hooks, ANH_MINH, "HELP")[1] for _ in range(6)]
    assert replies[:3] == [[prompts.sms("sms.help")]] * 3
    assert replies[3] == [prompts.sms("sms.rate_limited")]
    assert replies[4:] == [[], []]
    # Still acted on while silent, and a refusal is always confirmed.
    assert send_sms(hooks, ANH_MINH, "DK Minh Ben Do")[1] == []
    assert send_sms(hooks, ANH_MINH, "STOP")[1] == [prompts.sms("sms.opt_out.opted_out")]
    assert send_sms(hooks, BA_LAN, "HELP")[1] == [prompts.sms("sms.help")]     # other numbers unaffected
    db = storage.connect(capped["HOTLINE_DB"])
    assert residents.by_phone(db, ANH_MINH)["village_id"] == places.find_village(db, "Bến Đò")["id"]
    minh = [r["reply_status"] for r in reversed(inbox.listing(db)) if r["from_phone"] == ANH_MINH]
    assert minh == ["replied"] * 4 + ["rate_limited"] * 3 + ["replied"]
    db.conn.close()


@pytest.mark.parametrize("sender, status", [
    ("+12025550123", "blocked_country"),      # SMS pumping: premium foreign numbers texting to be answered
    ("+447911123456", "blocked_country"),
    ("VIETTEL", "not_a_phone"),               # a carrier's name: answering could start a loop
    ("9029", "not_a_phone"),                  # a short code
])
def test_it_does_not_answer_foreign_numbers_or_machines(text, app_db, sender, status):
    assert text(sender, "HELP") is None
    row = inbox.listing(app_db)[0]
    assert (row["reply"], row["reply_status"]) == (None, status)


def test_other_countries_can_be_allowed(settings):
    from hotline.app import create_app

    app = create_app({**settings, "HOTLINE_SMS_ALLOWED_COUNTRIES": "84, 856"})
    hooks = Webhooks(app.config, client=app.test_client())
    assert send_sms(hooks, "+8562055512345", "HELP")[1] == [prompts.sms("sms.help")]   # Laos
    assert send_sms(hooks, "+12025550123", "HELP")[1] == []


def test_a_resident_who_asks_for_accents_gets_them(text, app_db):
    assert text(CHI_HOA, "HELP") == prompts.sms("sms.help")
    text(CHI_HOA, "CO DAU")
    assert residents.by_phone(app_db, CHI_HOA)["sms_accents"] == 1
    assert text(CHI_HOA, "HELP") == prompts.sms("sms.help", accents=True)
    assert text(CHI_HOA, "KHONG DAU") == prompts.sms("sms.accents.off")
    assert text(CHI_HOA, "HELP") == prompts.sms("sms.help")


def test_a_setting_turns_accents_on_for_everyone(settings):
    from hotline.app import create_app

    app = create_app({**settings, "HOTLINE_SMS_ACCENTS": "1"})
    hooks = Webhooks(app.config, client=app.test_client())
    assert send_sms(hooks, ANH_MINH, "tro giup")[1] == [prompts.sms("sms.help", accents=True)]


def test_a_resident_can_turn_accents_off_when_the_commune_has_them_on(settings):
    from hotline.app import create_app

    app = create_app({**settings, "HOTLINE_SMS_ACCENTS": "1"})
    hooks = Webhooks(app.config, client=app.test_client())
    assert send_sms(hooks, BA_LAN, "KHONG DAU")[1] == [prompts.sms("sms.accents.off")]
    assert send_sms(hooks, BA_LAN, "HELP")[1] == [prompts.sms("sms.help")]     # two SMS' worth saved each time
    assert send_sms(hooks, CHI_HOA, "HELP")[1] == [prompts.sms("sms.help", accents=True)]   # no choice: the setting
    assert send_sms(hooks, BA_LAN, "CO DAU")[1] == [prompts.sms("sms.accents.on", accents=True)]
    assert send_sms(hooks, BA_LAN, "HELP")[1] == [prompts.sms("sms.help", accents=True)]


def test_it_reads_the_warnings_for_the_senders_village(app, text, app_db):
    yen_nong, ben_do = (places.find_village(app_db, v)["id"] for v in ("Yên Nông", "Bến Đò"))
    here = alerts.create(app_db, "flood", 4, "Nước sông lên nhanh, các hộ vùng trũng di chuyển đến nhà văn hóa.",
                         village_ids=[yen_nong], actor=OPERATOR)
    alerts.publish(app_db, app.config, here, actor=OPERATOR)
    assert text(BA_LAN, "LU") == "Canh bao cap 4: Nuoc song len nhanh, cac ho vung trung di chuyen den nha van hoa."
    residents.register(app_db, ANH_MINH, "sms", village_id=ben_do)
    assert text(ANH_MINH, "canh bao") == prompts.sms("sms.alerts.none", village="Bến Đò")
    everywhere = alerts.create(app_db, "storm", 3, "Bão số 5 vào đất liền đêm nay.", actor=OPERATOR)
    alerts.publish(app_db, app.config, everywhere, actor=OPERATOR)
    assert text(BA_LAN, "CANH BAO").startswith("Canh bao cap 4 (+1 tin khac): Nuoc song len nhanh")
    assert text(ANH_MINH, "CANH BAO") == "Canh bao cap 3: Bao so 5 vao dat lien dem nay."


@pytest.fixture
def lesson(app_db):
    """A lesson in Yên Nông with one seat and a waitlist."""
    lesson_id = lessons.create(app_db, "vneid", "Nhà văn hóa thôn Yên Nông", FUTURE, 1,
                               village_id=places.find_village(app_db, "Yên Nông")["id"], actor=OPERATOR)
    return lessons.get(app_db, lesson_id)


def test_hoc_lists_lessons_with_their_codes(text, lesson):
    reply = text(BA_LAN, "HOC")
    assert reply.startswith("Lop hoc: ") and f"{lesson['code']} VNeID 8h00 5/3" in reply


def test_enrolment_by_sms_says_each_outcome(text, app_db, lesson):
    code = lesson["code"]
    assert text(BA_LAN, f"hoc {code.lower()}") == prompts.sms(
        "sms.lessons.enrolled", code=code, topic="VNeID", when="8h00 5/3", place="Nhà văn hóa thôn Yên Nông")
    assert text(BA_LAN, f"HOC {code}") == prompts.sms("sms.lessons.already_enrolled", code=code, when="8h00 5/3")
    assert text(CHI_HOA, f"HOC{code}") == prompts.sms("sms.lessons.waitlisted", code=code, position=1)
    assert text(BA_LAN, f"HUY {code}") == prompts.sms("sms.lessons.cancelled", code=code)
    assert text(BA_LAN, f"HUY {code}") == prompts.sms("sms.lessons.not_enrolled", code=code)
    assert lessons.get(app_db, lesson["id"])["seated"] == 1      # chị Hoa was promoted from the waitlist


def test_an_unknown_number_is_registered_on_the_way_to_a_lesson(text, app_db, lesson):
    text(ANH_MINH, f"HOC {lesson['code']}")
    minh = residents.by_phone(app_db, ANH_MINH)
    assert minh and minh["consent_source"] == "sms"
    assert lessons.get(app_db, lesson["id"])["seated"] == 1


def test_a_hook_can_claim_a_text_before_the_keywords(app, text, monkeypatch):
    def check_in(db, config, phone, body):
        return ("sms.opt_in.already_in", {}) if body.strip() == "1" else None

    monkeypatch.setitem(app.extensions, "sms.hooks", (check_in,))
    assert text(BA_LAN, " 1 ") == prompts.sms("sms.opt_in.already_in")
    assert text(BA_LAN, "2") == prompts.sms("sms.unknown")


def test_a_failure_inside_is_an_apology_not_a_500_and_leaves_nothing_half_done(hooks, app_db, monkeypatch):
    def broken(ctx, args):
        residents.register(ctx.db, ctx.phone, "sms", name="Half")
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(commands.HANDLERS, "register", broken)
    status, body = hooks.post("/sms/incoming", {"MessageSid": "SM" + "9" * 32, "From": ANH_MINH,
                                                "To": "+84240000000", "Body": "DK Minh Yen Nong"})
    assert status == 200
    assert [m.text for m in ET.fromstring(body).iter("Message")] == [prompts.say("core.sms.sorry")]
    assert residents.by_phone(app_db, ANH_MINH) is None and count_rows(app_db, "sms_inbox") == 0


def test_the_sms_simulator_runs_end_to_end(cli_env, app):
    from click.testing import CliRunner

    from hotline.cli.main import main

    runner = CliRunner()
    result = runner.invoke(main, ["sms", "0987 654 321", "Đăng ký Minh Yên Nông"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert prompts.sms("sms.register.registered", name="Minh", village="Yên Nông") in result.output
    inbox_lines = runner.invoke(main, ["inbox"], env=cli_env).output
    assert "register/registered" in inbox_lines and "+8498****321" in inbox_lines and ANH_MINH not in inbox_lines
    listing = runner.invoke(main, ["residents", "list", "--village", "yen nong"], env=cli_env).output
    assert "Minh" in listing and ANH_MINH not in listing


def test_accented_replies_may_take_two_sms_but_no_more(app, text, app_db, lesson):
    from hotline.core.segments import count

    long = alerts.create(app_db, "flood", 5, "Mưa lớn kéo dài, nước sông lên nhanh. " * 8, actor=OPERATOR)
    alerts.publish(app_db, app.config, long, actor=OPERATOR)
    text(CHI_HOA, "CO DAU")
    for body in ("CANH BAO", "HOC", f"HOC {lesson['code']}", "DK Trần Thị Thanh Hương Yên Nông", "TRO GIUP"):
        reply = text(CHI_HOA, body)
        assert count(reply).encoding == "UCS-2" and count(reply).segments <= 2, body


def test_erasing_a_resident_erases_their_texts(text, app_db):
    text(ANH_MINH, "DK Minh Yen Nong")
    text(BA_LAN, "HELP")
    app_db.execute("DELETE FROM residents WHERE phone = ?", [ANH_MINH])
    assert [r["from_phone"] for r in inbox.listing(app_db)] == [BA_LAN]
