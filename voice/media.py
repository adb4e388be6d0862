"""GET /audio/<hash>.<ext>: pre-rendered prompts, cacheable forever (the name is the content's hash),
and /audio/file/<token>/<path>: recordings kept locally, behind an unguessable token."""
from __future__ import annotations

import hmac
import mimetypes

from flask import Blueprint, abort, current_app, send_file

from voice import tts

bp = Blueprint("audio", __name__, url_prefix="/audio")
NAME_CHARS = set("0123456789abcdef")
TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav"}


@bp.get("/<name>.<ext>")
def cached(name, ext):
    if ext not in TYPES or len(name) != 32 or not set(name) <= NAME_CHARS:
        abort(404)
    path = tts.cache_dir(current_app.config) / f"{name}.{ext}"
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=TYPES[ext], etag=name, conditional=True, max_age=31536000)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@bp.get("/file/<token>/<path:relative>")
def local(token, relative):
    config = current_app.config
    if not hmac.compare_digest(token, tts.file_token(config, relative)):
        abort(404)
    name = tts.local_name(config, relative)
    if name != relative:
        abort(404)
    path = config.path("HOTLINE_INSTANCE") / relative
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = send_file(path.resolve(), mimetype=mimetype, conditional=True, max_age=3600)
    response.cache_control.private = True
    return response
