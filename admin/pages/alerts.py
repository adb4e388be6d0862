"""Alerts (warnings): create with a preview of cost and reach, publish and update after a confirmation, cancel,
follow, report, check-ins, and who did what (the audit trail)."""
from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for

from hotline.domain import alerts, audit, places
from hotline.domain.alerts import broadcast, checkins
from hotline.core import clock
from hotline.domain.officials import permissions
from hotline.core.db import get_db, now

from admin.words import t
from admin.confirm import digest
from admin.forms import Form
from admin.web import actor, bp, found, may, outcome

FLAGS = alerts.FLAGS
BROADCASTS = ("alert:", "announcement:", "checkin:")   # the refs /admin/progress.json answers for


def audience(db, action: str = "alert.create") -> tuple[list[dict], bool]:
    """The villages this official may warn (or ask), and whether the whole commune is theirs."""
    return permissions.choices(db, actor(), action)


def _check(db, form: Form) -> dict:
    """Any village of the commune is a valid choice here: whether it is this official's is the domain's
    decision (a forged village is refused there, 403). Choosing none means the whole commune only to
    those it belongs to; anyone else is asked to choose."""
    _, commune = audience(db)
    form.choice("kind", alerts.KINDS, required=True)
    form.choice("level", range(1, 6), required=True)
    form.text("text", required=True, max_len=600)
    form.choices("village_ids", [v["id"] for v in places.villages(db)])
    if not form.clean["village_ids"] and not commune:
        form.fail("village_ids", "choose_village")
    form.choices("flags", FLAGS)
    form.local_datetime("starts_at")
    form.local_datetime("expires_at")
    if form.clean["expires_at"] and form.clean["expires_at"] <= (form.clean["starts_at"] or ""):
        form.fail("expires_at", "expires_before_start")
    return form.clean


def _page(db, values, errors, preview=None, status=200):
    villages, commune = audience(db)
    kinds = [(k, t(f"alerts.kind.{k}")) for k in alerts.KINDS]
    levels = [(n, t(f"admin.alerts.levels.l{n}")) for n in range(1, 6)]
    return render_template("admin/alert_new.html", values=values, errors=errors, preview=preview, kind_options=kinds,
                           level_options=levels, villages=villages, commune=commune, flags=FLAGS), status


def _values(form) -> dict:
    return {**form.to_dict(), "village_ids": form.getlist("village_ids"), "flags": form.getlist("flags")}


@bp.get("/alerts")
def alerts_list():
    rows = alerts.listing(get_db(), limit=100)
    return render_template("admin/alerts.html", rows=rows)


@bp.route("/alerts/new", methods=["GET", "POST"])
def alert_new():
    db = get_db()
    permissions.require_role(db, actor(), "alert.create")   # association leaders and instructors: not their work
    if request.method == "GET":
        villages, commune = audience(db)
        # An official with one village and not the commune has no choice to make: it is made for them.
        chosen = [str(villages[0]["id"])] if len(villages) == 1 and not commune else []
        return _page(db, {"kind": "flood", "level": "2", "village_ids": chosen, "flags": []}, {})
    form = Form(request.form)
    clean = _check(db, form)
    values = _values(request.form)
    if not form.ok:
        return _page(db, values, form.errors, status=422)
    village_ids = clean["village_ids"] or None
    hours = current_app.config.number("HOTLINE_ALERT_HOURS")
    # Even the reach of another village's warning is not previewed: the domain's rule, asked here first.
    permissions.require(db, actor(), "alert.create", permissions.Target(permissions.audience(village_ids)))
    if request.form.get("action") == "preview":
        # The SMS says "until …": the expiry the alert would get, typed or HOTLINE_ALERT_HOURS after its start.
        until = clean["expires_at"] or clock.shift(clean["starts_at"] or now(), hours=hours)
        preview = broadcast.preview(db, current_app.config, clean["text"], village_ids, clean["flags"],
                                    kind=clean["kind"], level=clean["level"], expires_at=until)
        return _page(db, values, {}, preview=preview)
    try:
        alert_id = alerts.create(db, clean["kind"], clean["level"], clean["text"], village_ids, clean["flags"],
                                 clean["starts_at"], clean["expires_at"], hours=hours, actor=actor())
    except alerts.InvalidAlert as e:
        return _page(db, values, {"text": f"admin.errors.alert_{e.reason}"}, status=422)
    return redirect(url_for("admin.alert_detail", alert_id=alert_id))


@bp.get("/alerts/<int:alert_id>")
def alert_detail(alert_id):
    db = get_db()
    alert = found(alerts.get(db, alert_id))
    return detail(db, alert, {}, {"level": alert["level"], "text": alert["text"]})


def detail(db, alert, errors, values, status=200, problem=None, checkin=None):
    alert_id = alert["id"]
    preview = None
    if alert["status"] == "draft":
        preview = broadcast.preview(db, current_app.config, alert["text"], alert["village_ids"] or None,
                                    alert["flag_list"], kind=alert["kind"], level=alert["level"],
                                    expires_at=alert["expires_at"])
    scope = alerts.target(alert)
    allowed = {action: may(f"alert.{action}", scope) for action in ("publish", "update", "cancel")}
    return render_template("admin/alert.html", alert=alert, preview=preview, village_names=_names(db, alert),
                           progress=broadcast.progress(db, f"alert:{alert_id}"), errors=errors, values=values,
                           problem=problem, checkin=_checkin_panel(db, alert, checkin), allowed=allowed,
                           trail=[audit.line(r) for r in alerts.trail(db, alert_id)],
                           outcome=outcome("admin.alerts.outcomes"),
                           level_options=[(n, t(f"admin.alerts.levels.l{n}")) for n in range(1, 6)]), status


def _names(db, alert: dict) -> list[str]:
    names = {v["id"]: v["name"] for v in places.villages(db)}
    return [names[i] for i in alert["village_ids"]]


def _checkin_panel(db, alert: dict, state: dict | None) -> dict:
    """The check-in form (values, errors, cost preview) and the check-ins already run after this alert."""
    villages, commune = audience(db, "checkin.start")
    mine = {v["id"] for v in villages}
    runs = checkins.for_alert(db, alert["id"])
    defaults = {"village_ids": [str(v) for v in alert["village_ids"] if v in mine], "flags": [],
                "hours": str(checkins.DEFAULT_HOURS)}
    return {"allowed": alert["status"] in checkins.FOLLOWS and bool(villages or commune), "villages": villages,
            "commune": commune, "flags": FLAGS, "values": defaults, "errors": {}, "preview": None, "seen": len(runs),
            "runs": runs, "help": {r["id"]: checkins.needing_help(db, r["id"]) for r in runs}, **(state or {})}


def seen(alert: dict) -> str:
    """What the official confirms about a warning (admin.confirm)."""
    return digest(alert, ("id", "status", "kind", "level", "text", "village_ids", "flags", "starts_at", "expires_at"))


def _confirm_page(db, alert: dict, action: str, changes: dict | None = None, typed: dict | None = None,
                  changed: bool = False):
    """Before a warning goes out: level, audience, who and how many, SMS segments, calls, cost, time to send.

    typed: the update form's fields as typed, carried to the confirming POST (checked again there)."""
    level, text = (changes or {}).get("level", alert["level"]), (changes or {}).get("text", alert["text"])
    preview = broadcast.preview(db, current_app.config, text, alert["village_ids"] or None, alert["flag_list"],
                                kind=alert["kind"], level=level,
                                expires_at=(changes or {}).get("expires_at") or alert["expires_at"])
    return render_template("admin/alert_confirm.html", alert=alert, action=action, typed=typed or {}, level=level,
                           text=text, village_names=_names(db, alert), preview=preview, cost=broadcast.cost(preview),
                           confirm=seen(alert), changed=changed), 409 if changed else 200


@bp.post("/alerts/<int:alert_id>/publish")
def alert_publish(alert_id):
    """The first POST shows what will go out; only the confirmation's POST (carrying what was seen) publishes."""
    db = get_db()
    alert = found(alerts.get(db, alert_id))
    confirm = request.form.get("confirm")
    if alert["status"] == "draft" and confirm != seen(alert):
        permissions.require(db, actor(), "alert.publish", alerts.target(alert))
        return _confirm_page(db, alert, "publish", changed=bool(confirm))
    return _act(alert_id, alerts.publish)


@bp.post("/alerts/<int:alert_id>/cancel")
def alert_cancel(alert_id):
    return _act(alert_id, alerts.cancel)


def _act(alert_id: int, action):
    """Publish or cancel; when the warning no longer allows it (already sent, ended), its page says why."""
    db = get_db()
    alert = found(alerts.get(db, alert_id))
    try:
        action(db, current_app.config, alert_id, actor=actor())
    except alerts.InvalidAlert as e:
        return detail(db, alerts.get(db, alert_id), {}, {"level": alert["level"], "text": alert["text"]}, 409,
                       problem=f"admin.errors.alert_{e.reason}")
    return redirect(url_for("admin.alert_detail", alert_id=alert_id))


@bp.post("/alerts/<int:alert_id>/update")
def alert_update(alert_id):
    """A published warning changes (the water rises further): after a confirmation of what goes out, the
    update supersedes it everywhere."""
    db = get_db()
    alert = found(alerts.get(db, alert_id))
    form = Form(request.form)
    form.choice("level", range(1, 6), required=True)
    form.text("text", required=True, max_len=600)
    form.local_datetime("expires_at")
    if not form.ok:
        return detail(db, alert, form.errors, request.form.to_dict(), 422)
    changes = {"level": form.clean["level"], "text": form.clean["text"]}
    if form.clean["expires_at"]:
        changes["expires_at"] = form.clean["expires_at"]
    confirm = request.form.get("confirm")
    if alert["status"] == "published" and confirm != seen(alert):
        permissions.require(db, actor(), "alert.update", alerts.target(alert))
        typed = {k: request.form.get(k, "") for k in ("level", "text", "expires_at")}
        return _confirm_page(db, alert, "update", changes, typed, changed=bool(confirm))
    try:
        new_id = alerts.update(db, current_app.config, alert_id, actor=actor(), **changes)
    except alerts.InvalidAlert as e:
        return detail(db, alert, {"text": f"admin.errors.alert_{e.reason}"}, request.form.to_dict(), 422)
    return redirect(url_for("admin.alert_detail", alert_id=new_id))


@bp.get("/alerts/<int:alert_id>/report")
def alert_report(alert_id):
    db = get_db()
    alert = found(alerts.get(db, alert_id))
    report = alerts.report(db, alert_id)
    return render_template("admin/alert_report.html", alert=alert, report=report,
                           trail=[audit.line(r) for r in report["audit"]])


@bp.get("/progress.json")
def progress_json():
    """Counts for the broadcasts a page shows; polled every few seconds so numbers move without reloading."""
    db = get_db()
    refs = [r for r in request.args.get("refs", "").split(",") if r.startswith(BROADCASTS)][:20]
    return jsonify({ref: broadcast.progress(db, ref) for ref in refs})
