-- Digital-skills lessons: the seam the voice and SMS channels read. Owned by the lessons work.
CREATE TABLE lessons (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,            -- short code for SMS: HOC <code>
    topic TEXT NOT NULL,                  -- vneid | public_services | epayment_qr | online_safety | smartphone
    place TEXT NOT NULL,
    village_id INTEGER REFERENCES villages(id),
    starts_at TEXT NOT NULL,
    duration_min INTEGER NOT NULL DEFAULT 90,
    capacity INTEGER NOT NULL,
    association_id INTEGER REFERENCES associations(id),   -- NULL = the commune
    instructor TEXT,
    status TEXT NOT NULL DEFAULT 'scheduled',             -- scheduled | cancelled
    created_at TEXT NOT NULL
);
