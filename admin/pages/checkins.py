"""A safety check-in after a warning, from the warning's page: villages and filters, the cost, then confirm."""
from __future__ import annotations

import logging

from flask import current_app, g, redirect, request, url_for

from hotline.domain import alerts, places
from hotline.domain.alerts import checkins
from hotline.domain.officials import permissions
from hotline.core.db import get_db

from admin.forms import Form
from admin.web import actor, bp, found
from admin.pages.alerts import audience, detail

log = logging.getLogger(__name__)
MAX_HOURS = 14 * 24     # answers counted for at most two weeks


def _check(db, form: Form) -> dict:
    """Any village is a valid choice here; whether it is this official's is the domain's decision (403)."""
    _, commune = audience(db, "checkin.start")
    form.choices("village_ids", [v["id"] for v in places.villages(db)])
    if not form.clean["village_ids"] and not commune:
        form.fail("village_ids", "choose_village")
    form.choices("flags", alerts.FLAGS)
    form.integer("hours", 1, MAX_HOURS, required=True)
    return form.clean


@bp.post("/alerts/<int:alert_id>/checkin")
def alert_checkin(alert_id):
    """action=preview shows what it costs; action=start (the confirm form) asks everyone chosen."""
    db, config = get_db(), current_app.config
    alert = found(alerts.get(db, alert_id))
    permissions.require_role(db, actor(), "checkin.start")
    current = {"level": alert["level"], "text": alert["text"]}
    try:
        checkins.follows(db, alert_id)
    except checkins.CheckinRefused:
        return _refused(db, alert_id, current)
    form = Form(request.form)
    clean = _check(db, form)
    typed = {"village_ids": request.form.getlist("village_ids"), "flags": request.form.getlist("flags"),
             "hours": request.form.get("hours", "")}
    if not form.ok:
        return detail(db, alert, {}, current, 422, checkin={"values": typed, "errors": form.errors})
    village_ids = clean["village_ids"] or None
    # Even the cost of asking a village that is not theirs is not shown: the domain's rule, asked here first.
    permissions.require(db, actor(), "checkin.start", permissions.Target(permissions.audience(village_ids)))
    if request.form.get("action") != "start":
        cost = checkins.preview(db, config, village_ids, clean["flags"], level=alert["level"])
        return detail(db, alert, {}, current, checkin={"values": typed, "preview": cost})
    # The confirm form carries how many check-ins the official saw: a double click, or a colleague
    # starting one meanwhile, must not text the whole village twice.
    if request.form.get("seen") != str(len(checkins.for_alert(db, alert_id))):
        return detail(db, alert, {}, current, 409, problem="admin.errors.checkin_changed")
    try:
        started = checkins.start(db, config, village_ids, clean["flags"], alert_id, clean["hours"], actor=actor())
    except checkins.CheckinRefused:     # cancelled or replaced since the preview
        return _refused(db, alert_id, current)
    log.info("check-in #%s after alert #%s started by official #%s: %s queued", started["id"], alert_id,
             g.official["id"], started["queued"])
    return redirect(url_for("admin.alert_detail", alert_id=alert_id, outcome="checkin_started", _anchor="checkins"))


def _refused(db, alert_id: int, current: dict):
    """Only after a warning that went out: a draft, a cancelled or a replaced one is answered 409."""
    return detail(db, alerts.get(db, alert_id), {}, current, 409, problem="admin.errors.checkin_not_published")
