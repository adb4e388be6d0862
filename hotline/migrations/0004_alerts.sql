-- Alerts (warnings): the seam the voice and SMS channels read. Owned by the alerts work.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('flood', 'storm', 'landslide', 'general')),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),   -- Vietnam's disaster risk level
    text TEXT NOT NULL,
    audio_path TEXT,                                          -- an official's recording, if any
    scope TEXT NOT NULL DEFAULT 'commune' CHECK (scope IN ('commune', 'villages')),
    status TEXT NOT NULL DEFAULT 'draft',                     -- draft | published | superseded | cancelled
    supersedes_id INTEGER REFERENCES alerts(id),
    starts_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    published_at TEXT
);

CREATE TABLE alert_villages (
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    village_id INTEGER NOT NULL REFERENCES villages(id),
    PRIMARY KEY (alert_id, village_id)
);
