"""Lessons: schedule one, see who enrolled (and who waits), mark attendance, cancel."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from hotline.domain import lessons, places, residents
from hotline.domain.officials import permissions
from hotline.core.clock import shift
from hotline.core.db import get_db, now

from admin.forms import Form
from admin.web import actor, bp, found, may, outcome


def _topics() -> dict:
    return {k: v["name"] for k, v in lessons.topics().items()}


def _choices(db) -> dict:
    return {"topics": list(_topics().items()),
            "village_options": [(v["id"], v["name"]) for v in places.villages(db)],
            "association_options": [(a["code"], a["name"]) for a in places.associations(db)]}


@bp.get("/lessons")
def lessons_list():
    since = shift(now(), days=-30)
    rows = lessons.listing(get_db(), since=since)
    return render_template("admin/lessons.html", rows=rows, topics=_topics())


@bp.route("/lessons/new", methods=["GET", "POST"])
def lesson_new():
    db = get_db()
    permissions.require_role(db, actor(), "lesson.create")     # instructors mark attendance; they do not schedule
    if request.method == "GET":
        return render_template("admin/lesson_new.html", values={"duration_min": "90", "capacity": "20"}, errors={},
                               **_choices(db))
    form = Form(request.form)
    form.choice("topic", lessons.topics(), required=True)
    form.text("place", required=True, max_len=120)
    form.choice("village_id", [v["id"] for v in places.villages(db)])
    form.local_datetime("starts_at", required=True)
    form.integer("duration_min", 15, 600, required=True)
    form.integer("capacity", 1, 500, required=True)
    form.integer("waitlist", 0, 500)
    form.choice("association", [a["code"] for a in places.associations(db)])
    form.text("instructor", max_len=100)
    clean = form.clean
    if form.ok:
        try:
            lesson_id = lessons.create(db, clean["topic"], clean["place"], clean["starts_at"], clean["capacity"],
                                       actor=actor(), village_id=clean["village_id"], association=clean["association"],
                                       instructor=clean["instructor"], duration_min=clean["duration_min"],
                                       waitlist=clean["waitlist"])
            return redirect(url_for("admin.lesson_detail", lesson_id=lesson_id))
        except lessons.LessonError as e:
            form.fail("topic", f"lesson_{e.reason}")
    return render_template("admin/lesson_new.html", values=request.form.to_dict(), errors=form.errors,
                           **_choices(db)), 422


def _detail(db, lesson: dict, outcome=None, errors=None, values=None, status=200):
    scope = lessons.target(lesson)
    allowed = {action: may(f"lesson.{action}", scope) for action in ("cancel", "attendance", "enrol")}
    return render_template("admin/lesson.html", lesson=lesson, roster=lessons.roster(db, lesson["id"]),
                           topics=_topics(), outcome=outcome, errors=errors or {}, values=values or {},
                           allowed=allowed), status


@bp.get("/lessons/<int:lesson_id>")
def lesson_detail(lesson_id):
    db = get_db()
    return _detail(db, found(lessons.get(db, lesson_id)), outcome=outcome("admin.lessons.outcomes"))


@bp.post("/lessons/<int:lesson_id>/attendance")
def lesson_attendance(lesson_id):
    db = get_db()
    found(lessons.get(db, lesson_id))
    present = {int(i) for i in request.form.getlist("present") if i.isdigit()}
    listed = {r["resident_id"] for r in lessons.roster(db, lesson_id)}
    by = f"official:{actor().official_id}"
    result = lessons.mark_attendance(db, lesson_id, sorted(present & listed), True, by=by, actor=actor())
    if result["outcome"] == "marked":  # unticked boxes take a mark back
        attended = {r["resident_id"] for r in lessons.roster(db, lesson_id) if r["status"] == "attended"}
        lessons.mark_attendance(db, lesson_id, sorted(attended - present), False, by=by, actor=actor())
    return redirect(url_for("admin.lesson_detail", lesson_id=lesson_id, outcome=f"attendance_{result['outcome']}"))


@bp.post("/lessons/<int:lesson_id>/enrol")
def lesson_enrol(lesson_id):
    """An official enrols someone who asked in person (by their phone number)."""
    db = get_db()
    lesson = found(lessons.get(db, lesson_id))
    form = Form(request.form)
    phone = form.phone("phone")
    person = residents.by_phone(db, phone) if phone else None
    if phone and person is None:
        form.fail("phone", "not_a_resident")
    if not form.ok:
        return _detail(db, lesson, errors=form.errors, values=request.form.to_dict(), status=422)
    result = lessons.enrol_in_person(db, lesson_id, person["id"], actor=actor())
    return redirect(url_for("admin.lesson_detail", lesson_id=lesson_id, outcome=f"enrol_{result['outcome']}"))


@bp.post("/lessons/<int:lesson_id>/cancel")
def lesson_cancel(lesson_id):
    db = get_db()
    found(lessons.get(db, lesson_id))
    result = lessons.cancel_lesson(db, lesson_id, actor=actor())
    return redirect(url_for("admin.lesson_detail", lesson_id=lesson_id, outcome=f"cancel_{result['outcome']}"))
