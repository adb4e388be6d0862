-- Voice: the call log (steps, recognised words, timings) and voicemails left for call-back.
CREATE TABLE calls (
    sid TEXT PRIMARY KEY,                 -- Twilio CallSid
    phone TEXT NOT NULL,                  -- the resident's number (E.164): From inbound, To on a call-back
    resident_id INTEGER REFERENCES residents(id),
    direction TEXT NOT NULL DEFAULT 'inbound',
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT,                          -- Twilio's final CallStatus
    outcome TEXT                          -- rejected_for_callback | warning_heard | …
);
CREATE INDEX calls_phone ON calls(phone, started_at);

CREATE TABLE call_steps (
    id INTEGER PRIMARY KEY,
    call_sid TEXT NOT NULL,               -- calls.sid (no foreign key: one write per step on the call path)
    at TEXT NOT NULL,
    menu TEXT NOT NULL,                   -- main | warnings | guide.vneid | operator …
    event TEXT NOT NULL,                  -- shown | key | speech | silence | invalid | …
    input TEXT,                           -- the keys pressed
    heard TEXT,                           -- recognised words
    confidence REAL,
    outcome TEXT,                         -- the option taken, repeat, main, goodbye …
    elapsed_ms INTEGER                    -- time we took to answer this step
);
CREATE INDEX call_steps_call ON call_steps(call_sid, id);

CREATE TABLE voicemails (
    id INTEGER PRIMARY KEY,
    call_sid TEXT NOT NULL,
    phone TEXT NOT NULL,
    resident_id INTEGER REFERENCES residents(id),
    recording_sid TEXT UNIQUE,
    recording_url TEXT,
    duration_s INTEGER,
    audio_path TEXT,                      -- local copy under the instance folder; NULL once purged
    fetch_error TEXT,
    created_at TEXT NOT NULL,
    handled_at TEXT,                      -- an official called back
    purged_at TEXT
);
CREATE INDEX voicemails_open ON voicemails(handled_at, created_at);
