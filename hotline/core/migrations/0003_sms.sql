-- SMS channel: every inbound text with the reply it got (idempotency: one row per provider message),
-- delivery reports as they arrive, and gateway webhook signatures already used (replay guard).
CREATE TABLE sms_inbox (
    id INTEGER PRIMARY KEY,
    transport TEXT NOT NULL,              -- twilio | android-gateway
    provider_id TEXT NOT NULL,            -- Twilio MessageSid, or the gateway's message key
    from_phone TEXT NOT NULL,             -- E.164 when it is a phone number, else as received
    to_phone TEXT,
    body TEXT NOT NULL,                   -- NFC, at most the first 1,600 characters
    body_length INTEGER NOT NULL,         -- characters as received
    command TEXT,                         -- register | alerts | lessons | … | unknown | empty | too_long
    outcome TEXT,                         -- what the command did: registered, opted_out, enrolled …
    resident_id INTEGER REFERENCES residents(id) ON DELETE CASCADE,   -- erasing a resident erases their texts
    reply TEXT,                           -- the reply sent (NULL = none)
    reply_status TEXT NOT NULL,           -- replied | queued | rate_limited | blocked_country | not_a_phone
    received_at TEXT NOT NULL,
    UNIQUE (transport, provider_id)
);
CREATE INDEX sms_inbox_sender ON sms_inbox(from_phone, received_at);

-- Status callbacks (Twilio) and sms:sent / delivered / failed events (gateway), kept as received.
-- A report whose message is not in the outbox yet (the callback outran the worker's commit) waits
-- with applied_at NULL and is applied once the row appears.
CREATE TABLE sms_delivery_reports (
    id INTEGER PRIMARY KEY,
    provider_id TEXT NOT NULL,
    state TEXT NOT NULL,                  -- sent | delivered | failed
    error_code TEXT,
    error TEXT,
    received_at TEXT NOT NULL,
    applied_at TEXT
);
CREATE INDEX sms_delivery_reports_pending ON sms_delivery_reports(applied_at, provider_id);

CREATE TABLE gateway_signatures (
    signature TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
);
