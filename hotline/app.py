"""The composition root: the web app with every channel, and the worker with every job and transport.

Nothing joins the machine by being imported: what runs is listed here, and only here (docs/architecture.md).
"""
from __future__ import annotations

import admin
import sms
import voice
from hotline.core.db import get_db
from hotline.domain import alerts, inbox, voicemail
from hotline.domain.alerts import checkins
from hotline.domain.lessons import reminders
from hotline.domain.officials import announcements
from hotline.sending import transcripts, voicemail_fetch, worker
from hotline.sending.android_gateway import GatewaySMS
from hotline.sending.transports import LocalTransport, pick
from hotline.sending.twilio_calls import TwilioCalls
from hotline.sending.twilio_sms import TwilioSMS
from hotline.sim import browser as simulator
from hotline.web import health
from hotline.web.factory import HotlineApp, base_app
from voice import callout, officials as officials_by_phone, render

# How an outbox row leaves the machine, by the name HOTLINE_SMS_TRANSPORT gives; calls go through Twilio once
# it is configured. "outbox" keeps everything here (`hotline outbox`).
SMS_TRANSPORTS = {"outbox": LocalTransport, "twilio": TwilioSMS, "android-gateway": GatewaySMS}
CALL_TRANSPORTS = {"outbox": LocalTransport, "twilio": TwilioCalls}

# What the worker does about once a minute, each fn(db, config, now); one failing never stops the others.
WORKER_JOBS = (
    alerts.expire,                      # published warnings past their end: expired, their pending sends too
    render.new_warnings_job,            # a warning's words rendered to audio as soon as it is published
    reminders.queue_due,                # lesson reminders (the day before, and hours before)
    announcements.drop_stale_drafts,    # drafts an official left behind when they hung up
    voicemail_fetch.retry_job,          # voicemail audio that could not be downloaded during the call
    transcripts.transcribe_job,         # announcements' and voicemails' words, in a thread beside the loop
    voicemail.retention_job,            # residents' voicemail audio older than HOTLINE_AUDIO_RETENTION_DAYS
    inbox.housekeeping,                 # inbound texts older than HOTLINE_SMS_LOG_DAYS
)

# Tried before the SMS keywords on every inbound text: a bare 1 or 2 answers an open check-in.
SMS_HOOKS = (checkins.sms_hook,)
# Tried first on every incoming call: an official's number hears the PIN prompt.
INCOMING_CALL_HOOKS = (officials_by_phone.incoming_hook,)
# Where each call the worker places is answered: the domain queues a purpose and a reference, the voice channel
# knows its routes (sending may not import it).
CALL_URLS = callout.urls


def create_app(test_config: dict | None = None, background: bool = True) -> HotlineApp:
    """The app; background=False starts no thread and loads the speech model now, for the server's parent
    process to share with the workers it forks."""
    app = base_app(test_config)
    app.register_blueprint(health.bp)
    health.register_check(app, "worker", lambda: worker.status(app.config, get_db()))
    voice.init_app(app, background, incoming_hooks=INCOMING_CALL_HOOKS)
    sms.init_app(app, hooks=SMS_HOOKS, transports=SMS_TRANSPORTS)
    admin.init_app(app)
    app.register_blueprint(simulator.bp)        # the browser phone simulator, behind the admin's login
    return app


def transports(config) -> dict:
    """Each channel's transport class, as the settings choose it."""
    calls = "twilio" if config.twilio_configured else "outbox"
    return {"sms": pick(SMS_TRANSPORTS, config.sms_transport, "HOTLINE_SMS_TRANSPORT"),
            "call": pick(CALL_TRANSPORTS, calls, "the call transport")}


def run_worker(config, stop=None, on_send=None, on_tick=None) -> None:
    """`hotline worker`: every queued SMS and call, paced and exactly once, and WORKER_JOBS about once a minute."""
    worker.run(config, WORKER_JOBS, transports(config), stop, on_send, on_tick, call_urls=CALL_URLS)
