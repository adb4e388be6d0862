"""Announcements in the admin: listen (from the instance folder, logged in only), correct, publish, approve."""
import pytest

from hotline.domain.officials import announcements
from hotline.domain import places
from hotline.core import prompts
from hotline.core.db import get_db
from tests.conftest import CHI_HOA, OPERATOR, Browser

WAV = b"RIFF" + b"\x00" * 40


@pytest.fixture
def settings(settings):
    """A commune that wants a second official to approve before households are messaged."""
    return {**settings, "HOTLINE_ANNOUNCEMENT_APPROVAL": "1"}


@pytest.fixture
def recorded(app, ong_tu, tmp_path):
    """ông Tư's recording for Yên Nông, kept in the instance folder."""
    path = tmp_path / "var" / "recordings" / "a1.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(WAV)
    with app.app_context():
        db = get_db()
        village = places.find_village(db, "Yen Nong")["id"]
        return announcements.create(db, ong_tu, village, str(path), text="Họp thôn tối nay lúc 19 giờ", actor=OPERATOR)


def test_an_official_listens_to_the_recording(tu, recorded):
    page = tu.get("/admin/announcements").get_data(as_text=True)
    assert (f'<audio controls preload="none" src="/admin/announcements/{recorded}/audio"'
            f' aria-label="Nghe bản ghi thông báo #{recorded}">') in page
    with tu.client.get(f"/admin/announcements/{recorded}/audio") as audio:
        assert audio.status_code == 200 and audio.data == WAV and audio.mimetype == "audio/wav"


def test_a_recording_outside_the_instance_folder_is_never_served(app, tu, ong_tu, tmp_path):
    outside = tmp_path / "secret.wav"
    outside.write_bytes(WAV)
    with app.app_context():
        sneaky = announcements.create(get_db(), ong_tu, None, str(tmp_path / "var" / ".." / "secret.wav"),
                                      actor=OPERATOR)
    assert tu.get(f"/admin/announcements/{sneaky}/audio").status_code == 404


def test_publish_then_a_second_official_approves_the_fan_out(app, tu, recorded, chi_hoa_official):
    tu.post(f"/admin/announcements/{recorded}/transcript", {"text": "Họp thôn tối nay lúc 19 giờ 30"})
    published = tu.confirmed(f"/admin/announcements/{recorded}/publish", {"fan_out": "1"})
    page = tu.get(published.headers["Location"]).get_data(as_text=True)
    assert "Đã phát thông báo." in page and "Chờ cán bộ khác duyệt gửi" in page
    assert "Duyệt gửi cho người dân" not in page          # not his own
    own = tu.post(f"/admin/announcements/{recorded}/approve", {"confirm": "forged"})
    assert own.status_code == 403 and "Không thể tự duyệt" in own.get_data(as_text=True)

    hoa = Browser(app.test_client())
    hoa.login(CHI_HOA)
    assert "Duyệt gửi cho người dân" in hoa.get("/admin/announcements").get_data(as_text=True)
    approved = hoa.confirmed(f"/admin/announcements/{recorded}/approve")
    page = hoa.get(approved.headers["Location"]).get_data(as_text=True)
    assert "Đã duyệt" in page and f'data-ref="announcement:{recorded}"' in page
    with app.app_context():
        row = announcements.get(get_db(), recorded)
        queued = get_db().execute("SELECT COUNT(*) FROM outbox WHERE ref = ?", [f"announcement:{recorded}"]).fetchone()[0]
    assert row["text"] == "Họp thôn tối nay lúc 19 giờ 30" and queued > 0


def test_a_transcript_with_a_control_character_is_not_saved(app, tu, recorded):
    kept = tu.post(f"/admin/announcements/{recorded}/transcript", {"text": "Họp thôn\x00 tối nay"})
    assert prompts.say("admin.announcements.outcomes.bad_characters") in tu.get(kept.headers["Location"]).get_data(
        as_text=True)
    with app.app_context():
        assert "\x00" not in (announcements.get(get_db(), recorded)["text"] or "")
