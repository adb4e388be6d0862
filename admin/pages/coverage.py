"""Coverage of the digital-skills lessons: charts per association and per village, women and elderly reached."""
from __future__ import annotations

from flask import render_template, request

from hotline.domain.lessons import report as lessons_report
from hotline.core.db import get_db

from admin import charts
from admin.web import bp

PERIODS = ("year", "quarter", "month")


@bp.get("/coverage")
def coverage():
    chosen = request.args.get("period", "year")
    try:
        period = lessons_report.period_of(chosen)
        error = None
    except ValueError:
        period, error = lessons_report.period_of("year"), "admin.errors.bad_period"
    report = lessons_report.report(get_db(), period)
    villages = [{**v, "target": v["target_people"]} for v in report["villages"]]
    return render_template("admin/coverage.html", report=report, periods=PERIODS, chosen=chosen, error=error,
                           by_association=charts.rows(report["associations"]), by_village=charts.rows(villages),
                           percent=charts.percent)
