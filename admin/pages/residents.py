"""Residents: search, edit, add, CSV import with its report of bad rows, export."""
from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for

from hotline.domain.officials import permissions
from hotline.domain import places, records, registers, residents
from hotline.core.db import get_db

from admin.forms import Form, this_year
from admin.web import actor, bp, found

GENDERS = ("F", "M")


def _choices(db):
    villages = places.villages(db)
    return {"villages": villages, "village_options": [(v["id"], v["name"]) for v in villages],
            "associations": places.associations(db), "flags": residents.FLAGS}


@bp.get("/residents")
def residents_list():
    db = get_db()
    q = request.args.get("q", "").strip()
    village = request.args.get("village", "")
    village_id = int(village) if village.isdigit() else None
    rows = residents.listing(db, village_id, q or None)
    villages, commune = permissions.choices(db, actor(), "resident.edit")
    editable = {v["id"] for v in villages} | ({None} if commune else set())   # no village yet: the commune's
    return render_template("admin/residents.html", rows=rows[:500], total=len(rows), q=q, village=village_id,
                           editable=editable, **_choices(db))


def _check(db, form: Form) -> dict:
    form.text("name", required=True, max_len=100)
    form.choice("village_id", [v["id"] for v in places.villages(db)], required=True)
    form.choice("gender", GENDERS)
    form.integer("birth_year", 1900, this_year())
    for flag in residents.FLAGS:
        form.flag(flag)
    form.choices("associations", [a["code"] for a in places.associations(db)])
    return form.clean


@bp.route("/residents/<int:resident_id>", methods=["GET", "POST"])
def resident_edit(resident_id):
    db = get_db()
    resident = found(residents.get(db, resident_id))
    permissions.require(db, actor(), "resident.edit", records.target(resident["village_id"]))
    if request.method == "GET":
        values = {**resident, "associations": residents.association_codes(db, resident_id)}
        return render_template("admin/resident.html", resident=resident, values=values, errors={}, **_choices(db))
    form = Form(request.form)
    clean = _check(db, form)
    if not form.ok:
        values = {**request.form.to_dict(), "associations": request.form.getlist("associations")}
        return render_template("admin/resident.html", resident=resident, values=values, errors=form.errors,
                               **_choices(db)), 422
    records.update(db, resident_id, clean, clean["associations"], actor=actor())
    return redirect(url_for("admin.residents_list", q=resident["phone"], saved=1))


@bp.route("/residents/new", methods=["GET", "POST"])
def resident_new():
    db = get_db()
    permissions.require_role(db, actor(), "resident.edit")
    if request.method == "GET":
        return render_template("admin/resident.html", resident=None, values={"associations": []}, errors={},
                               **_choices(db))
    form = Form(request.form)
    phone = form.phone("phone")
    clean = _check(db, form)
    if phone and residents.by_phone(db, phone):
        form.fail("phone", "phone_taken")
    if not form.ok:
        values = {**request.form.to_dict(), "associations": request.form.getlist("associations")}
        return render_template("admin/resident.html", resident=None, values=values, errors=form.errors,
                               **_choices(db)), 422
    records.add(db, phone, clean, clean["associations"], actor=actor())
    return redirect(url_for("admin.residents_list", q=phone, saved=1))


@bp.route("/residents/import", methods=["GET", "POST"])
def residents_import():
    permissions.require_role(get_db(), actor(), "resident.import")
    if request.method == "GET":
        return render_template("admin/residents_import.html", report=None, error=None)
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    if not data:
        return render_template("admin/residents_import.html", report=None, error="admin.errors.no_file"), 422
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return render_template("admin/residents_import.html", report=None, error="admin.errors.not_utf8"), 422
    report = registers.import_csv(get_db(), text, actor=actor())
    return render_template("admin/residents_import.html", report=report, error=None)


@bp.get("/residents/export.csv")
def residents_export():
    # A BOM so that Excel, which village heads use, opens the Vietnamese names correctly.
    body = "\ufeff" + registers.export_csv(get_db(), actor=actor())
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=residents.csv", "Cache-Control": "no-store"})
