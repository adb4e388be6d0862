-- Foundation: places, people, associations and the outbox.
CREATE TABLE communes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE villages (
    id INTEGER PRIMARY KEY,
    commune_id INTEGER NOT NULL REFERENCES communes(id),
    name TEXT NOT NULL,
    keypad INTEGER,                       -- the key that chooses it in voice menus
    UNIQUE (commune_id, name)
);

CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    village_id INTEGER NOT NULL REFERENCES villages(id),
    name TEXT NOT NULL,                   -- usually the head of household
    address TEXT,
    low_lying INTEGER NOT NULL DEFAULT 0,
    UNIQUE (village_id, name)
);

CREATE TABLE residents (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL UNIQUE,           -- E.164
    name TEXT,
    village_id INTEGER REFERENCES villages(id),
    household_id INTEGER REFERENCES households(id),
    gender TEXT CHECK (gender IN ('F', 'M') OR gender IS NULL),
    birth_year INTEGER,
    elderly INTEGER NOT NULL DEFAULT 0,
    low_lying INTEGER NOT NULL DEFAULT 0,
    prefers_voice INTEGER NOT NULL DEFAULT 0,
    cannot_read INTEGER NOT NULL DEFAULT 0,
    sms_accents INTEGER NOT NULL DEFAULT 0,
    consent_source TEXT,                  -- csv | sms | phone | admin | demo
    consent_at TEXT,
    opted_out_at TEXT,
    opted_out_channel TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX residents_village ON residents(village_id);

CREATE TABLE associations (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,            -- women | farmers | youth
    name TEXT NOT NULL
);

CREATE TABLE memberships (
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    association_id INTEGER NOT NULL REFERENCES associations(id),
    PRIMARY KEY (resident_id, association_id)
);

-- Everything that leaves the machine goes through here: SMS and calls, replies and broadcasts.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'call')),
    to_phone TEXT NOT NULL,
    resident_id INTEGER REFERENCES residents(id),
    body TEXT,                            -- the SMS text, or what the call says
    url TEXT,                             -- the call's TwiML URL
    purpose TEXT NOT NULL,                -- reply | alert | reminder | notice | callback | test
    ref TEXT,                             -- what it belongs to, e.g. alert:12
    dedupe_key TEXT UNIQUE,               -- one row per (thing, person, channel): never twice
    segments INTEGER,
    state TEXT NOT NULL DEFAULT 'queued', -- queued | claimed | sent | delivered | failed | expired | cancelled | skipped
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    not_after TEXT,                       -- never sent after this (alert expiry)
    transport TEXT,
    provider_id TEXT,
    error_code TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    claimed_at TEXT,
    sent_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_provider ON outbox(provider_id);
CREATE INDEX outbox_ref ON outbox(ref);
