"""Recordings kept in the instance folder, served only to logged-in officials and only from there."""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_file


def send_recording(stored: str | None):
    """404 unless the path resolves inside HOTLINE_INSTANCE (no ../ escapes, no other folders)."""
    if not stored:
        abort(404)
    instance = current_app.config.path("HOTLINE_INSTANCE").resolve()
    path = Path(stored)
    path = (path if path.is_absolute() else Path.cwd() / path).resolve()
    if not path.is_relative_to(instance) or not path.is_file():
        abort(404)
    return send_file(path, mimetype="audio/wav", conditional=True, max_age=0)
