"""Every form answered with a 422 ties each error to its field: a screen reader says it there, a tap reaches it.

Checked on the HTML: each error is outside any <label> and named by its control's aria-describedby (the control
aria-invalid); the error summary, focused by admin.js, links to each field with an error; every control has a
label; every id that aria-describedby names exists (the hints too)."""
from html.parser import HTMLParser

import pytest

from hotline.core.db import get_db
from hotline.domain import alerts, places
from tests.conftest import CHAIRMAN_PHONE, OPERATOR

CONTROLS = {"input", "select", "textarea"}
VOID = {"input", "br", "img", "meta", "link", "hr", "source"}


class Page(HTMLParser):
    """The elements of a page with their attributes, whether they sit in a <label>, and the error paragraphs."""

    def __init__(self, html: str):
        super().__init__()
        self.elements, self.labels, self.stack = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        in_label = any(t == "label" for t, _ in self.stack)
        self.elements.append({"tag": tag, "attrs": attrs, "in_label": in_label,
                              "in_summary": any(a.get("id") == "error-summary" for _, a in self.stack)})
        if tag == "label":
            self.labels.append(attrs.get("for"))
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def ids(self) -> dict:
        return {e["attrs"]["id"]: e for e in self.elements if e["attrs"].get("id")}


def _alert(app) -> int:
    with app.app_context():
        db = get_db()
        yen_nong = places.find_village(db, "Yen Nong")["id"]
        alert_id = alerts.create(db, "flood", 3, "Nuoc len", [yen_nong], actor=OPERATOR)
        alerts.publish(db, app.config, alert_id, actor=OPERATOR)
    return alert_id


FORMS = {   # what an official sends wrong, on each form that answers 422
    "new alert": lambda app: ("/admin/alerts/new", {"kind": "", "level": "9", "text": "", "village_ids": [],
                                                     "starts_at": "hôm qua", "action": "preview"}),
    "alert update": lambda app: (f"/admin/alerts/{_alert(app)}/update", {"level": "", "text": "",
                                                                          "expires_at": "mai"}),
    "check-in": lambda app: (f"/admin/alerts/{_alert(app)}/checkin", {"village_ids": [], "hours": "0",
                                                                       "action": "preview"}),
    "new resident": lambda app: ("/admin/residents/new", {"phone": "12", "name": "", "birth_year": "3000",
                                                          "associations": ["chess"]}),
    "new lesson": lambda app: ("/admin/lessons/new", {"topic": "", "place": "", "starts_at": "x",
                                                      "duration_min": "1", "capacity": "0"}),
    "enrol": lambda app: ("/admin/lessons/1/enrol", {"phone": "12"}),
    "new official": lambda app: ("/admin/officials/new", {"name": "", "role": "", "phone": "abc",
                                                          "village_ids": ["999"]}),
}


@pytest.mark.parametrize("form", FORMS)
def test_each_error_is_tied_to_its_field_and_listed_in_a_focused_summary(app, chair, form):
    path, data = FORMS[form](app)
    response = chair.post(path, data)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    ids = page.ids()
    errors = [e for e in page.elements if e["attrs"].get("class") == "error" and e["attrs"].get("id", "").endswith("-error")]
    assert errors
    for error in errors:
        assert not error["in_label"], error                        # outside the label: read once, after it
        owners = [e for e in page.elements if error["attrs"]["id"] in e["attrs"].get("aria-describedby", "").split()]
        assert len(owners) == 1, error["attrs"]["id"]
        if owners[0]["tag"] in CONTROLS:
            assert owners[0]["attrs"].get("aria-invalid") == "true"
    summary = ids["error-summary"]["attrs"]
    assert summary.get("tabindex") == "-1" and "data-autofocus" in summary
    links = [e["attrs"]["href"][1:] for e in page.elements if e["in_summary"] and e["tag"] == "a"]
    assert len(links) == len(errors)
    for target in links:
        assert ids[target]["tag"] in CONTROLS, target                # the link lands in the field itself
    for element in page.elements:
        for named in element["attrs"].get("aria-describedby", "").split():
            assert named in ids, named                               # hints and errors that exist
        kind = element["attrs"].get("type", "")
        if element["tag"] in CONTROLS and kind not in ("hidden", "submit"):
            assert element["in_label"] or element["attrs"].get("id") in page.labels, element


def test_a_wrong_password_is_tied_to_both_fields(web, chairman):
    web.get("/admin/login")
    page = Page(web.post("/admin/login", {"phone": CHAIRMAN_PHONE, "password": "sai"}).get_data(as_text=True))
    ids = page.ids()
    assert "login-error" in ids
    for name in ("f-phone", "f-password"):
        assert ids[name]["attrs"]["aria-describedby"] == "login-error" and ids[name]["attrs"]["aria-invalid"] == "true"


def test_the_time_zone_hint_is_tied_to_both_time_fields(tu):
    ids = Page(tu.get("/admin/alerts/new").get_data(as_text=True)).ids()
    assert ids["time-hint"]["tag"] == "p"
    for name in ("f-starts_at", "f-expires_at"):
        assert "time-hint" in ids[name]["attrs"]["aria-describedby"].split()


def test_the_search_box_and_the_filters_have_labels_of_their_own(tu):
    for path, controls in (("/admin/residents", ("f-q", "f-village")), ("/admin/coverage", ("f-period",))):
        page = Page(tu.get(path).get_data(as_text=True))
        for control in controls:
            assert control in page.labels, (path, control)


def _village_boxes(browser) -> list[tuple[str, bool]]:
    page = Page(browser.get("/admin/alerts/new").get_data(as_text=True))
    return [(e["attrs"]["value"], "checked" in e["attrs"]) for e in page.elements
            if e["attrs"].get("name") == "village_ids"]


def test_a_village_head_with_one_village_finds_it_chosen(app, tu):
    with app.app_context():
        yen_nong = str(places.find_village(get_db(), "Yen Nong")["id"])
    assert _village_boxes(tu) == [(yen_nong, True)]


def test_the_chairman_chooses_his_villages_himself(chair):
    boxes = _village_boxes(chair)
    assert len(boxes) > 1 and not any(checked for _, checked in boxes)     # none = the whole commune
