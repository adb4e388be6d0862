"""Every page renders for a logged-in official, on the demo commune."""
import pytest

PAGES = ["/admin/", "/admin/alerts", "/admin/alerts/new", "/admin/announcements", "/admin/residents",
         "/admin/residents/new", "/admin/residents/import", "/admin/lessons", "/admin/lessons/new",
         "/admin/coverage", "/admin/coverage?period=month", "/simulator"]


@pytest.mark.parametrize("path", PAGES)
def test_it_renders_each_page_in_vietnamese_for_a_phone_screen(tu, path):
    response = tu.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    text = response.get_data(as_text=True)
    assert '<html lang="vi">' in text and 'name="viewport"' in text
    assert "Đăng xuất" in text


def test_an_unknown_record_is_a_vietnamese_404(tu):
    for path in ("/admin/alerts/999", "/admin/residents/999", "/admin/lessons/999"):
        response = tu.get(path)
        assert response.status_code == 404
        assert "Không tìm thấy" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/announcements?outcome=publish_gone", "/admin/lessons/1?outcome=x"])
def test_an_old_or_edited_outcome_link_still_shows_the_page(tu, path):
    response = tu.get(path)
    assert response.status_code == 200 and 'class="notice"' not in response.get_data(as_text=True)
