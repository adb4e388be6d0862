"""/simulator: a phone in the browser. Keys and typed words go through the same signed webhooks as Twilio.

The page posts each key to the server, which signs the webhook with the local token and walks
the TwiML with hotline.sim.phone.Call in step mode; the paused call is kept in SQLite. Outside demo
mode it acts only as a reserved test number (simulator_numbers.py).
"""
from __future__ import annotations

import json
import secrets
import threading

from flask import (Blueprint, abort, current_app, g, jsonify, make_response, redirect, render_template, request,
                   session, url_for)

from hotline.domain import places, residents
from hotline.core.clock import shift
from hotline.core.db import get_db, now, transaction
from hotline.web.peers import on_this_machine
from hotline.core.phones import InvalidPhone, normalise
from hotline.sim.phone import Call, Webhooks, send_sms

from admin import csrf
from admin.words import t
from hotline.sim import numbers as simulator_numbers
from admin.web import current_official

bp = Blueprint("simulator", __name__, url_prefix="/simulator", template_folder="templates")
KEEP_HOURS = 2


def demo_request() -> bool:
    """Demo mode opens the simulator only to a browser on this machine, never through a proxy."""
    return current_app.config.flag("HOTLINE_DEMO") and on_this_machine(request)


@bp.before_request
def guard():
    g.official = current_official()
    if g.official is None and not demo_request():
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("admin.login", next=target))
    csrf.check()
    return None


def _hooks() -> Webhooks:
    # In-process, through the app's own signed routes: exactly what Twilio would post.
    return Webhooks(current_app.config, client=current_app.test_client())


def _owner() -> str:
    if "simulator" not in session:
        session["simulator"] = secrets.token_urlsafe(16)
    return session["simulator"]


def _refuse(reason: str, key: str, status: int = 422):
    """422 (or 403) with the reason for scripts and, for the person at the page, the words (admin.errors.*)."""
    abort(make_response(jsonify({"error": reason, "message": t(key)}), status))


def _phone(value: str, action: str | None = None) -> str:
    """The number typed, refused (403) outside demo mode unless it is a reserved test number; a call or an
    SMS (action) from one is recorded before anything is sent."""
    try:
        phone = normalise(value)
    except InvalidPhone as e:
        _refuse(e.reason, f"admin.errors.phone_{e.reason}")
    if demo_request():
        return phone
    db = get_db()
    refused = simulator_numbers.refusal(db, current_app.config, phone)
    if refused:
        _refuse(refused, f"admin.simulator.{refused}", 403)
    if action:
        simulator_numbers.record(db, g.official["id"], phone, action)
    return phone


_store_lock = threading.Lock()


def _recorder():
    """Typed words become a recording the app downloads like a caller's (hotline.sim.speech), read back by the
    script recogniser; with any other HOTLINE_ASR the words are silence, as a real line would be."""
    if (current_app.config.get("HOTLINE_ASR") or "").strip().lower() != "script":
        return None
    from hotline.sim.speech import RecordingStore

    with _store_lock:
        store = current_app.extensions.get("admin.recordings")
        if store is None:
            store = RecordingStore(current_app.config)
            store.thread.start()
            current_app.extensions["admin.recordings"] = store
    return store.record


def _event(event) -> dict:
    if event.kind != "play":
        return {"kind": event.kind, "text": event.text}
    from hotline.sim.speech import caption

    text = caption(current_app.config, event.text)
    return {"kind": "play", "url": _local(event.text), "text": "" if text == event.text else text}


def _call(caller: str) -> Call:
    return Call(_hooks(), caller, None, recorder=_recorder())


def _local(url: str) -> str:
    """<Play> URLs are absolute on the public address; the browser fetches them from wherever it is."""
    base = current_app.config.public_url
    return url[len(base):] if url.startswith(base + "/") else url


def _answer(call: Call, state: dict | None):
    db = get_db()
    sid = call.params["CallSid"]
    with transaction(db):
        if state is None:
            db.execute("DELETE FROM simulator_calls WHERE call_sid = ?", [sid])
        else:
            db.execute("INSERT INTO simulator_calls (call_sid, owner, state, updated_at) VALUES (?, ?, ?, ?)"
                       " ON CONFLICT (call_sid) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                       [sid, _owner(), json.dumps(state), now()])
    events = [_event(e) for e in call.events]
    waiting = {"kind": state["kind"], "attrs": state["attrs"]} if state else None
    return jsonify({"call_sid": sid, "events": events, "waiting": waiting})


def _saved(sid: str) -> dict:
    row = get_db().execute("SELECT state FROM simulator_calls WHERE call_sid = ? AND owner = ?",
                           [sid, _owner()]).fetchone()
    if row is None:
        abort(404)
    return json.loads(row[0])


@bp.get("")
def phone():
    db = get_db()
    if demo_request():
        people = [r for r in residents.listing(db) if r["name"]][:30]
    else:       # never offer a resident's number outside demo mode: only the test numbers may be used
        people = [{"phone": n, "name": "", "village": ""} for n in simulator_numbers.reserved(current_app.config)]
    return render_template("admin/simulator.html", people=people, villages=places.villages(db), demo=demo_request())


@bp.post("/call")
def call_start():
    caller = _phone(request.form.get("caller", ""), "call")
    stale = shift(now(), hours=-KEEP_HOURS)
    get_db().execute("DELETE FROM simulator_calls WHERE updated_at < ?", [stale])
    call = _call(caller)
    return _answer(call, call.begin("/voice/incoming"))


@bp.post("/call/<sid>/input")
def call_input(sid):
    state = _saved(sid)
    call = _call(state["params"]["From"])
    return _answer(call, call.resume(state, request.form.get("input", "")))


@bp.post("/call/<sid>/hangup")
def call_hangup(sid):
    state = _saved(sid)
    call = _call(state["params"]["From"])
    call.hang_up(state)
    return _answer(call, None)


@bp.post("/sms")
def sms_send():
    body = request.form.get("body", "").strip()
    if not body:
        _refuse("empty", "admin.errors.required")
    sender = _phone(request.form.get("phone", ""), "sms")
    status, replies = send_sms(_hooks(), sender, body)
    return jsonify({"status": status, "replies": replies, "outbox": _outbox(sender)})


@bp.get("/sms")
def sms_outbox():
    return jsonify({"outbox": _outbox(_phone(request.args.get("phone", "")))})


def _outbox(phone: str) -> list[dict]:
    rows = get_db().query("SELECT id, body, state, purpose, created_at FROM outbox WHERE to_phone = ?"
                          " AND channel = 'sms' ORDER BY id DESC LIMIT 30", [phone])
    return [dict(r) for r in rows]
