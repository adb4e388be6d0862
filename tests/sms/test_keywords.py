"""What residents actually type, through the signed webhook: the command understood and the reply sent."""
import pytest

from hotline.core import prompts
from sms import keywords
from tests.conftest import ANH_MINH, BA_LAN


def said(key, **values):
    return prompts.sms(key, **values)


def guide(gid):
    return prompts.sms(f"guides.{gid}.sms")


YEN_NONG, DONG_TAM, BEN_DO, YEN_BAI = "Yên Nông", "Đồng Tâm", "Bến Đò", "Yên Bái"
VILLAGES = "Yên Nông, Yên Bái, Đồng Tâm, Bến Đò"
REGISTERED = "sms.register.registered"
HELP, UNKNOWN = said("sms.help"), said("sms.unknown")
ALERTS_NONE = said("sms.alerts.none", village=YEN_NONG)
LESSONS = "lessons"          # the demo's upcoming lessons, or none: checked by prefix below

# (body, sender, command, expected reply)
TABLE = [
    # help, in every spelling
    ("TRO GIUP", ANH_MINH, "help", HELP),
    ("trợ giúp", ANH_MINH, "help", HELP),
    ("Tro Giup", ANH_MINH, "help", HELP),
    ("TROGIUP", ANH_MINH, "help", HELP),
    ("tro giupp", ANH_MINH, "help", HELP),                       # one extra letter
    ("HELP", ANH_MINH, "help", HELP),
    ("help", ANH_MINH, "help", HELP),
    ("HLEP", ANH_MINH, "help", HELP),                            # two letters swapped = one typo
    ("?", ANH_MINH, "help", HELP),
    ("  ?  ", ANH_MINH, "help", HELP),
    ("??", ANH_MINH, "help", HELP),
    # registration: the village accent-blind and fuzzy, the reply names what was understood
    ("DK Minh Yen Nong", ANH_MINH, "register", said(REGISTERED, name="Minh", village=YEN_NONG)),
    ("dk minh yên nông", ANH_MINH, "register", said(REGISTERED, name="Minh", village=YEN_NONG)),
    ("ĐK Minh YENNONG", ANH_MINH, "register", said(REGISTERED, name="Minh", village=YEN_NONG)),
    ("Đăng ký Trần Văn Minh Đồng Tâm", ANH_MINH, "register", said(REGISTERED, name="Trần Văn Minh", village=DONG_TAM)),
    ("DANG KY Minh Ben Do", ANH_MINH, "register", said(REGISTERED, name="Minh", village=BEN_DO)),
    ("dang ky   Minh    Yen   Bai ", ANH_MINH, "register", said(REGISTERED, name="Minh", village=YEN_BAI)),
    ("DANGKY Minh Dong Tam", ANH_MINH, "register", said(REGISTERED, name="Minh", village=DONG_TAM)),
    ("DANG KI Minh Dong Tam", ANH_MINH, "register", said(REGISTERED, name="Minh", village=DONG_TAM)),
    ("DK Minh Yen Nnog", ANH_MINH, "register", said(REGISTERED, name="Minh", village=YEN_NONG)),
    ("dk MINH dong tâm", ANH_MINH, "register", said(REGISTERED, name="Minh", village=DONG_TAM)),
    ("DK: Minh, Yen Nong.", ANH_MINH, "register", said(REGISTERED, name="Minh", village=YEN_NONG)),
    ("DK Yen Bai", ANH_MINH, "register", said(REGISTERED, name=prompts.say("sms.register.no_name"), village=YEN_BAI)),
    ("DK Minh Xom Moi", ANH_MINH, "register", said("sms.register.no_village", given="Xom Moi", villages=VILLAGES)),
    ("DK", ANH_MINH, "register", said("sms.register.usage", villages=VILLAGES)),
    # warnings for the sender's village
    ("CANH BAO", BA_LAN, "alerts", ALERTS_NONE),
    ("cảnh báo", BA_LAN, "alerts", ALERTS_NONE),
    ("Canh Bao", BA_LAN, "alerts", ALERTS_NONE),
    ("CANHBAO", BA_LAN, "alerts", ALERTS_NONE),
    ("CANH BAP", BA_LAN, "alerts", ALERTS_NONE),
    ("canh  bao  lu", BA_LAN, "alerts", ALERTS_NONE),
    ("LU", BA_LAN, "alerts", ALERTS_NONE),
    ("lũ", BA_LAN, "alerts", ALERTS_NONE),
    ("Lũ lụt", BA_LAN, "alerts", ALERTS_NONE),
    ("LUT", BA_LAN, "alerts", ALERTS_NONE),
    ("canh bao", ANH_MINH, "alerts", said("sms.alerts.none_commune")),
    # lessons
    ("HOC", BA_LAN, "lessons", LESSONS),
    ("học", BA_LAN, "lessons", LESSONS),
    ("Hoc", ANH_MINH, "lessons", LESSONS),
    ("HOC ZZ9", BA_LAN, "lessons", said("sms.lessons.unknown_code", code="ZZ9")),
    ("hoc zz9", BA_LAN, "lessons", said("sms.lessons.unknown_code", code="ZZ9")),
    ("HOCZZ9", BA_LAN, "lessons", said("sms.lessons.unknown_code", code="ZZ9")),
    ("HUY ZZ9", BA_LAN, "cancel", said("sms.lessons.unknown_code", code="ZZ9")),
    ("HỦY ZZ9", BA_LAN, "cancel", said("sms.lessons.unknown_code", code="ZZ9")),
    ("huy zz9", ANH_MINH, "cancel", said("sms.lessons.not_enrolled", code="ZZ9")),
    # guides
    ("HD", ANH_MINH, "guides", said("sms.guides.menu")),
    ("HUONG DAN", ANH_MINH, "guides", said("sms.guides.menu")),
    ("hướng dẫn", ANH_MINH, "guides", said("sms.guides.menu")),
    ("HUONGDAN", ANH_MINH, "guides", said("sms.guides.menu")),
    ("HUONG DANN", ANH_MINH, "guides", said("sms.guides.menu")),
    ("HD VNEID", ANH_MINH, "guides", guide("vneid")),
    ("hd vneid", ANH_MINH, "guides", guide("vneid")),
    ("HD DVC", ANH_MINH, "guides", guide("dvc")),
    ("HD dịch vụ công", ANH_MINH, "guides", guide("dvc")),
    ("HD QR", ANH_MINH, "guides", guide("qr")),
    ("HD LUA DAO", ANH_MINH, "guides", guide("lua_dao")),
    ("hd lừa đảo", ANH_MINH, "guides", guide("lua_dao")),
    ("Huong dan lua dao", ANH_MINH, "guides", guide("lua_dao")),
    ("HD chuyen khac", ANH_MINH, "guides", said("sms.guides.menu")),
    ("HD thanh toan qr", ANH_MINH, "guides", guide("qr")),
    ("hd lua dao qua dien thoai", ANH_MINH, "guides", guide("lua_dao")),
    ("HD VNEDI", ANH_MINH, "guides", guide("vneid")),
    # opting out and back in
    ("TU CHOI", BA_LAN, "opt_out", said("sms.opt_out.opted_out")),
    ("từ chối", BA_LAN, "opt_out", said("sms.opt_out.opted_out")),
    ("TUCHOI", BA_LAN, "opt_out", said("sms.opt_out.opted_out")),
    ("TU CHOU", BA_LAN, "opt_out", said("sms.opt_out.opted_out")),
    ("tu choi nhan tin", BA_LAN, "opt_out", said("sms.opt_out.opted_out")),
    ("STOP", BA_LAN, "opt_out", said("sms.opt_out.opted_out")),
    ("stop", BA_LAN, "opt_out", said("sms.opt_out.opted_out")),
    ("DUNG", BA_LAN, "opt_out", said("sms.opt_out.opted_out")),
    ("Dừng", BA_LAN, "opt_out", said("sms.opt_out.opted_out")),
    ("dung roi", BA_LAN, "unknown", UNKNOWN),                       # "đúng rồi" (that's right) is not a refusal
    ("DANG", BA_LAN, "unknown", UNKNOWN),                           # nor a typo of an everyday word
    ("STPO", BA_LAN, "opt_out", said("sms.opt_out.opted_out")),
    ("BAT", BA_LAN, "opt_in", said("sms.opt_in.already_in")),
    ("bật", ANH_MINH, "opt_in", said("sms.opt_in.unknown")),
    ("START", BA_LAN, "opt_in", said("sms.opt_in.already_in")),
    ("bat dau", BA_LAN, "unknown", UNKNOWN),
    # accents on request
    ("CO DAU", BA_LAN, "accents_on", prompts.sms("sms.accents.on", accents=True)),
    ("có dấu", BA_LAN, "accents_on", prompts.sms("sms.accents.on", accents=True)),
    ("KHONG DAU", BA_LAN, "accents_off", said("sms.accents.off")),
    # nothing we know
    ("", ANH_MINH, "empty", said("sms.empty")),
    ("   ", ANH_MINH, "empty", said("sms.empty")),
    ("xin chao", ANH_MINH, "unknown", UNKNOWN),
    ("Yen Nong", ANH_MINH, "unknown", UNKNOWN),
    ("😀", ANH_MINH, "unknown", UNKNOWN),
    ("🌊🌊 lũ", BA_LAN, "alerts", ALERTS_NONE),                     # emoji are not words: "lũ" is first
    ("!!!", ANH_MINH, "unknown", UNKNOWN),
    ("...", ANH_MINH, "unknown", UNKNOWN),
    ("x" * 1601, ANH_MINH, "too_long", said("sms.too_long")),
    ("DK Minh Yen Nong " + "a" * 1600, ANH_MINH, "too_long", said("sms.too_long")),
    ("🌊" * 1601, ANH_MINH, "too_long", said("sms.too_long")),
]


def test_the_table_is_big_enough():
    assert len(TABLE) >= 60
    assert len({row[0] for row in TABLE}) == len(TABLE)


@pytest.mark.parametrize("body, sender, command, expected", TABLE, ids=[repr(r[0][:24]) for r in TABLE])
def test_it_understands_what_residents_type(text, app_db, body, sender, command, expected):
    reply = text(sender, body)
    row = next(app_db.query("SELECT * FROM sms_inbox ORDER BY id DESC LIMIT 1"))
    assert row["command"] == command
    if expected == LESSONS:
        listed, none = said("sms.lessons.list", lines="|").split("|")[0], said("sms.lessons.none")
        assert reply.startswith(listed) or reply == none
    else:
        assert reply == expected
    assert reply == row["reply"]


@pytest.mark.parametrize("body, name, args", [
    ("Đăng ký Nguyễn Thị Lan Yên Nông", "register", ("Nguyễn", "Thị", "Lan", "Yên", "Nông")),
    ("hoc  vn3", "lessons", ("vn3",)),
    ("HOCVN3", "lessons", ("VN3",)),
    ("HUY A1", "cancel", ("A1",)),
    ("HD LUA DAO", "guides", ("LUA", "DAO")),
])
def test_it_keeps_the_words_after_the_keyword_as_written(body, name, args):
    assert keywords.parse(body) == keywords.Command(name, args)


@pytest.mark.parametrize("a, b, typos", [("help", "hlep", 1), ("canhbao", "canhbap", 1), ("stop", "tsop", 1),
                                         ("stop", "spot", 2), ("dung", "dung", 0), ("hoc", "hcoo", 2)])
def test_a_swap_of_two_letters_is_one_typo(a, b, typos):
    assert keywords.typos(a, b) == typos


def test_short_keywords_forgive_no_typo():
    assert keywords.parse("HOV").name == "unknown"       # HOC has three letters: no typo allowed
    assert keywords.parse("DJ Lan Yen Nong").name == "unknown"
