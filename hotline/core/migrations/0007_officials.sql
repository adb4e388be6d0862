-- Officials (cán bộ): who may record and approve announcements by phone and use the web admin.
CREATE TABLE officials (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL
        CHECK (role IN ('commune_chairman', 'village_head', 'association_leader', 'instructor')),
    phone TEXT NOT NULL UNIQUE,           -- E.164; the number they call from and log in with
    association_id INTEGER REFERENCES associations(id),   -- association leaders
    commune_wide INTEGER NOT NULL DEFAULT 0,              -- may address the whole commune (chairman: always)
    pin_hash TEXT NOT NULL,               -- scrypt$n$r$p$salt$hash, never the PIN
    password_hash TEXT,                   -- the web admin password, same scheme; NULL = no web login
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_pins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,                    -- PIN entry refused until then
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The villages an official may address (not used when commune_wide).
CREATE TABLE official_villages (
    official_id INTEGER NOT NULL REFERENCES officials(id) ON DELETE CASCADE,
    village_id INTEGER NOT NULL REFERENCES villages(id),
    PRIMARY KEY (official_id, village_id)
);

-- Calls in which an official has given the right PIN: later webhooks of the same call trust it.
CREATE TABLE official_calls (
    call_sid TEXT PRIMARY KEY,
    official_id INTEGER NOT NULL REFERENCES officials(id) ON DELETE CASCADE,
    verified_at TEXT NOT NULL
);

ALTER TABLE announcements ADD COLUMN official_id INTEGER REFERENCES officials(id);
ALTER TABLE announcements ADD COLUMN approved_by INTEGER REFERENCES officials(id);
ALTER TABLE announcements ADD COLUMN approved_at TEXT;
ALTER TABLE announcements ADD COLUMN alert_id INTEGER REFERENCES alerts(id);
