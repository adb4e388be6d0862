-- Announcements from the commune and villages: the seam menu 4 reads. Owned by the officials work.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    village_id INTEGER REFERENCES villages(id),           -- NULL = the whole commune
    text TEXT,                                            -- transcript or typed text
    audio_path TEXT,                                      -- the recording, kept locally
    status TEXT NOT NULL DEFAULT 'draft',                 -- draft | published | withdrawn
    created_at TEXT NOT NULL,
    published_at TEXT
);
