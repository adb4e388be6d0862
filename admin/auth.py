"""Login and logout with the officials' web passwords, throttled per account and address (throttle.py)."""
from __future__ import annotations

import math

from flask import current_app, g, make_response, redirect, render_template, request, session, url_for

from hotline.domain.officials import sessions as admin_sessions
from hotline.domain import officials
from hotline.domain.officials import demo_secrets
from hotline.core.db import get_db
from hotline.web.peers import client_address
from hotline.core.phones import InvalidPhone, normalise

from admin import csrf, throttle
from admin.web import bp, safe_next


def _account(phone: str) -> str:
    try:
        return normalise(phone)
    except InvalidPhone:
        return phone.strip()[:32]


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.official is not None:
            return redirect(safe_next(request.args.get("next")))
        return _page({}, None)
    config, db = current_app.config, get_db()
    phone, password = request.form.get("phone", "").strip(), request.form.get("password", "")
    values, account, ip = {"phone": phone}, _account(phone), client_address(request)
    limits = throttle.Limits.of(config)
    if not phone or not password:
        return _page(values, "admin.login.missing")
    wait = throttle.wait_seconds(db, ip, account, limits)
    if wait:
        response = _page(values, "admin.login.too_many", 429, minutes=max(1, math.ceil(wait / 60)))
        response.headers["Retry-After"] = str(wait)
        return response
    official = officials.check_password(db, phone, password)
    if official is not None and demo_secrets.published_secret(config, official, "password_hash"):
        official = None  # a demo password outside demo mode: refused like a wrong one
    if official is None:
        throttle.failed(db, ip, account, limits)
        return _page(values, "admin.login.wrong", 401)
    throttle.succeeded(db, ip, account)
    session.clear()  # a fresh session: nothing from before the login carries over
    session.permanent = True
    session["sid"] = admin_sessions.start(db, official["id"])
    csrf.rotate()
    return redirect(safe_next(request.form.get("next")))


def _page(values: dict, error: str | None, status: int = 200, **words):
    """The login page; an error's key and its values (the minutes to wait) are said on it in Vietnamese."""
    return make_response(render_template("admin/login.html", values=values, error=error, words=words,
                                         next=request.values.get("next", "")), status)


@bp.post("/logout")
def logout():
    """Ends the session on the server too: the same cookie, copied before, no longer opens anything."""
    admin_sessions.end(get_db(), session.get("sid"), "logout")
    session.clear()
    return redirect(url_for("admin.login"))
