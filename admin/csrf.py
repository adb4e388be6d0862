"""CSRF: one random token per session, required on every POST from the admin and the simulator."""
from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check() -> None:
    """400 unless the form field (or the X-CSRF-Token header, for fetch()) matches the session's token."""
    if request.method not in UNSAFE:
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
    expected = session.get("csrf", "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="csrf")


def rotate() -> None:
    """A fresh token at login and logout, so one seen before login is worthless after."""
    session["csrf"] = secrets.token_urlsafe(32)
