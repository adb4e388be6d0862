"""Officials: list, add, edit, a new phone PIN shown once, disable and enable. The commune chairman's pages."""
from __future__ import annotations

import logging
from functools import wraps

from flask import abort, g, make_response, redirect, render_template, request, url_for

from hotline.domain import officials, places
from hotline.core.db import get_db, now

from admin.words import t
from admin.forms import Form
from admin.web import actor, bp, found, outcome

log = logging.getLogger(__name__)
# A reason the registry refuses a change -> the field it belongs to and its words (admin.errors.*).
REFUSED = {"duplicate_phone": ("phone", "phone_taken"), "last_chairman": ("role", "last_chairman"),
           "bad_role": ("role", "bad_choice"), "unknown_village": ("village_ids", "bad_choice"),
           "unknown_association": ("association", "bad_choice")}


def managers_only(view):
    """The page itself is the chairman's (its 403 says so); every change is checked again by the registry."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if not officials.may_manage(g.official):
            abort(403)
        return view(*args, **kwargs)
    return guarded


def _choices(db) -> dict:
    return {"roles": [(r, t(f"officials.roles.{r}")) for r in officials.ROLES], "villages": places.villages(db),
            "association_options": [(a["code"], a["name"]) for a in places.associations(db)]}


def _check(db, form: Form, official_id: int | None = None) -> dict:
    form.text("name", required=True, max_len=100)
    form.choice("role", officials.ROLES, required=True)
    phone = form.phone("phone")
    form.choices("village_ids", [v["id"] for v in places.villages(db)])
    form.choice("association", [a["code"] for a in places.associations(db)])
    other = officials.by_phone(db, phone) if phone else None
    if other and other["id"] != official_id:
        form.fail("phone", "phone_taken")
    return form.clean


def _form_page(db, official, values, errors, status=200):
    return render_template("admin/official.html", official=official, values=values, errors=errors,
                           **_choices(db)), status


def _typed() -> dict:
    return {**request.form.to_dict(), "village_ids": request.form.getlist("village_ids")}


def _pin_page(official: dict, pin: str, added: bool = False):
    """The PIN is in this one response only: never in a URL, a log or the database, and never cached."""
    response = make_response(render_template("admin/official_pin.html", official=official, pin=pin, added=added))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/officials")
@managers_only
def officials_list():
    db = get_db()
    names = {v["id"]: v["name"] for v in places.villages(db)}
    associations = {a["id"]: a["name"] for a in places.associations(db)}
    return render_template("admin/officials.html", rows=officials.listing(db), village_names=names,
                           associations=associations, now=now(), outcome=outcome("admin.officials.outcomes"))


@bp.route("/officials/new", methods=["GET", "POST"])
@managers_only
def official_new():
    db = get_db()
    if request.method == "GET":
        return _form_page(db, None, {"village_ids": []}, {})
    form = Form(request.form)
    clean = _check(db, form)
    if not form.ok:
        return _form_page(db, None, _typed(), form.errors, 422)
    pin = officials.random_pin()
    try:
        official_id = officials.add(db, clean["name"], clean["role"], clean["phone"], clean["village_ids"] or None,
                                    pin, association=clean["association"], actor=actor())
    except officials.InvalidOfficial as e:
        field, code = REFUSED[e.reason]
        return _form_page(db, None, _typed(), {field: f"admin.errors.{code}"}, 422)
    log.info("official #%s added by official #%s", official_id, g.official["id"])
    return _pin_page(officials.get(db, official_id), pin, added=True)


@bp.route("/officials/<int:official_id>", methods=["GET", "POST"])
@managers_only
def official_edit(official_id):
    db = get_db()
    official = found(officials.get(db, official_id))
    if request.method == "GET":
        codes = {a["id"]: a["code"] for a in places.associations(db)}
        values = {"name": official["name"], "role": official["role"], "phone": official["phone"],
                  "association": codes.get(official["association_id"]),
                  "village_ids": [str(v) for v in official["village_ids"]]}
        return _form_page(db, official, values, {})
    form = Form(request.form)
    clean = _check(db, form, official_id)
    if not form.ok:
        return _form_page(db, official, _typed(), form.errors, 422)
    try:
        officials.update(db, official_id, clean["name"], clean["role"], clean["phone"], clean["village_ids"] or None,
                         clean["association"], actor=actor())
    except officials.InvalidOfficial as e:
        field, code = REFUSED[e.reason]
        return _form_page(db, official, _typed(), {field: f"admin.errors.{code}"}, 422)
    return redirect(url_for("admin.officials_list", outcome="saved"))


@bp.post("/officials/<int:official_id>/pin")
@managers_only
def official_pin(official_id):
    db = get_db()
    official = found(officials.get(db, official_id))
    pin = officials.new_pin(db, official_id, actor=actor())
    log.info("official #%s: new PIN set by official #%s", official_id, g.official["id"])
    return _pin_page(official, pin)


@bp.post("/officials/<int:official_id>/disable")
@managers_only
def official_disable(official_id):
    return _set_disabled(official_id, True)


@bp.post("/officials/<int:official_id>/enable")
@managers_only
def official_enable(official_id):
    return _set_disabled(official_id, False)


def _set_disabled(official_id: int, disabled: bool):
    db = get_db()
    found(officials.get(db, official_id))
    result = officials.set_disabled(db, official_id, disabled, actor=actor())
    return redirect(url_for("admin.officials_list", outcome=result))
