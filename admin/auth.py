"""Login and logout with the officials' web passwords, rate-limited per account and per address."""
from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, session, url_for

from hotline import officials, officials_demo
from hotline.db import get_db
from hotline.phones import InvalidPhone, normalise

from . import csrf, throttle
from .web import bp, safe_next


def _account(phone: str) -> str:
    try:
        return normalise(phone)
    except InvalidPhone:
        return phone.strip()[:32]


def client_address() -> str:
    """Who is knocking. Behind the local TLS proxy (docs/operations.md) every request comes from
    127.0.0.1, so only then is X-Forwarded-For trusted, and only its last entry: the one the proxy added."""
    peer = request.remote_addr or "?"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if peer in ("127.0.0.1", "::1") and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:64]
    return peer


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.official is not None:
            return redirect(safe_next(request.args.get("next")))
        return render_template("admin/login.html", values={}, error=None, next=request.args.get("next", ""))
    config, db = current_app.config, get_db()
    phone, password = request.form.get("phone", "").strip(), request.form.get("password", "")
    values, account, ip = {"phone": phone}, _account(phone), client_address()
    limit, window = int(config.number("HOTLINE_LOGIN_ATTEMPTS")), config.number("HOTLINE_LOGIN_WINDOW_MIN")
    error, status = None, 200
    if not phone or not password:
        error = "admin.login.missing"
    elif throttle.blocked(db, ip, account, limit, window):
        error, status = "admin.login.too_many", 429
    else:
        official = officials.check_password(db, phone, password)
        if official is not None and officials_demo.published_secret(config, official, "password_hash"):
            official = None  # a demo password on a public install: refused like a wrong one
        if official is None:
            throttle.failed(db, ip, account, window)
            error, status = "admin.login.wrong", 401
        else:
            throttle.succeeded(db, account)
            session.clear()  # a fresh session: nothing from before the login carries over
            session.permanent = True
            session["official_id"] = official["id"]
            csrf.rotate()
            return redirect(safe_next(request.form.get("next")))
    return render_template("admin/login.html", values=values, error=error, next=request.form.get("next", "")), status


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("admin.login"))
