-- Alerts (warnings), their recipients' answers, call attempts and safety check-ins. Owned by the alerts work.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('flood', 'storm', 'landslide', 'general')),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),   -- Vietnam's disaster risk level
    text TEXT NOT NULL,
    audio_path TEXT,                                          -- an official's recording, if any
    scope TEXT NOT NULL DEFAULT 'commune' CHECK (scope IN ('commune', 'villages')),
    flags TEXT NOT NULL DEFAULT '',                           -- comma list: low_lying, elderly (all must hold)
    -- draft | published | superseded | cancelled | expired; a cancel notice itself is 'cancel'
    status TEXT NOT NULL DEFAULT 'draft',
    msg_type TEXT NOT NULL DEFAULT 'alert' CHECK (msg_type IN ('alert', 'update', 'cancel')),
    supersedes_id INTEGER REFERENCES alerts(id),              -- the alert this one updates or cancels
    superseded_by INTEGER REFERENCES alerts(id),
    source TEXT NOT NULL DEFAULT 'local',                     -- local | cap (imported)
    cap_identifier TEXT UNIQUE,                               -- identifier of an imported CAP alert
    cap_sender TEXT,
    starts_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    published_at TEXT,
    ended_at TEXT                                             -- superseded or cancelled at
);
CREATE INDEX alerts_status ON alerts(status, expires_at);

CREATE TABLE alert_villages (
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    village_id INTEGER NOT NULL REFERENCES villages(id),
    PRIMARY KEY (alert_id, village_id)
);

-- "Press 1 if you heard clearly": one row per (alert, resident), the first answer kept.
CREATE TABLE alert_acks (
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    channel TEXT NOT NULL,                                    -- call | machine
    acked_at TEXT NOT NULL,
    PRIMARY KEY (alert_id, resident_id)
);

-- Every outbound call attempt, with its latest status: callbacks only ever move it forward.
CREATE TABLE call_attempts (
    provider_id TEXT PRIMARY KEY,
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    rank INTEGER NOT NULL,
    answered_by TEXT,
    duration INTEGER,
    updated_at TEXT NOT NULL
);
CREATE INDEX call_attempts_outbox ON call_attempts(outbox_id);

-- Safety check-ins after a flood: "1 if safe, 2 if you need help", by SMS and by call.
CREATE TABLE checkins (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER REFERENCES alerts(id),
    scope TEXT NOT NULL DEFAULT 'commune',
    flags TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',                      -- open | closed
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE checkin_villages (
    checkin_id INTEGER NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
    village_id INTEGER NOT NULL REFERENCES villages(id),
    PRIMARY KEY (checkin_id, village_id)
);

CREATE TABLE checkin_answers (
    checkin_id INTEGER NOT NULL REFERENCES checkins(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    answer TEXT NOT NULL CHECK (answer IN ('safe', 'help')),
    channel TEXT NOT NULL,                                    -- sms | call
    answered_at TEXT NOT NULL,
    notified_at TEXT,                                         -- the village head was told
    PRIMARY KEY (checkin_id, resident_id)
);
