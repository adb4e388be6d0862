"""The SMS section of GET /health: which transport, and whether what it needs is configured."""
from __future__ import annotations

import sqlite3

from hotline.domain import inbox
from hotline.core.db import get_db


def check(config, transports: dict) -> dict:
    name = config.sms_transport
    report = {"ok": name in transports, "transport": name, "accents": config.flag("HOTLINE_SMS_ACCENTS"),
              "replies_per_hour": int(config.number("HOTLINE_SMS_REPLIES_PER_HOUR")),
              "replies_per_hour_total": int(config.number("HOTLINE_SMS_REPLIES_PER_HOUR_TOTAL")),
              "allowed_countries": config["HOTLINE_SMS_ALLOWED_COUNTRIES"]}
    try:    # texts the commune-wide cap left unanswered: the operator decides whether to raise it
        report["commune_capped_last_hour"] = inbox.commune_capped_within(get_db())
    except sqlite3.Error as e:
        report["commune_capped_last_hour"] = f"unknown ({type(e).__name__})"
    missing = []
    if name == "twilio":
        if not config.twilio_configured:
            missing.append("TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN")
        if not (config["TWILIO_FROM"] or config["TWILIO_MESSAGING_SERVICE_SID"]):
            missing.append("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
    gateway_wanted = name == "android-gateway" or config["HOTLINE_GATEWAY_URL"]
    if gateway_wanted:
        for setting in ("HOTLINE_GATEWAY_URL", "HOTLINE_GATEWAY_PASSWORD", "HOTLINE_GATEWAY_SIGNING_KEY"):
            if not config[setting]:
                missing.append(setting)
        try:
            report["gateway_last_inbound"] = inbox.last_received(get_db(), "android-gateway")
        except sqlite3.Error as e:     # /health answers even when the database does not
            report["gateway_last_inbound"] = f"unknown ({type(e).__name__})"
    if missing:
        report.update(ok=False, missing=missing)
    return report
