-- Announcements from the commune and villages: the seam menu 4 reads. Owned by the officials work.
-- The officials who record and approve them arrive in 0007 (columns added there).
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    village_id INTEGER REFERENCES villages(id),           -- NULL = the whole commune
    kind TEXT NOT NULL DEFAULT 'announcement'
        CHECK (kind IN ('announcement', 'warning')),      -- a warning also becomes an alert (menu 1)
    level INTEGER CHECK (level BETWEEN 1 AND 5 OR level IS NULL),   -- warnings: the disaster risk level
    text TEXT,                                            -- transcript or typed text
    sms_text TEXT,                                        -- the notice sent by SMS on fan-out
    audio_path TEXT,                                      -- the recording, kept locally (8 kHz mono WAV)
    duration_s INTEGER,
    status TEXT NOT NULL DEFAULT 'draft',                 -- draft | published | withdrawn | cancelled
    fan_out TEXT NOT NULL DEFAULT 'none',                 -- none | awaiting_approval | queued
    callout_url TEXT,                                     -- absolute TwiML URL of the voice call-out
    queued INTEGER NOT NULL DEFAULT 0,                    -- outbox rows written by the fan-out
    created_at TEXT NOT NULL,
    published_at TEXT,
    fanned_out_at TEXT
);
CREATE INDEX announcements_latest ON announcements(status, published_at);
