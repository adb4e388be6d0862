-- Web admin sessions kept on the server. The signed cookie holds only a random id (stored here as its
-- SHA-256), so logout, a new password or disabling the account ends a session even in a copied cookie.
CREATE TABLE admin_sessions (
    id TEXT PRIMARY KEY,                  -- SHA-256 (hex) of the random id in the cookie
    official_id INTEGER NOT NULL REFERENCES officials(id),
    created_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,                -- last request, to the minute: idle sessions end
    ended_at TEXT,
    ended_why TEXT                        -- logout | password | disabled
);
CREATE INDEX admin_sessions_official ON admin_sessions(official_id, ended_at);

-- Who used the browser simulator outside demo mode, when, and as which reserved test number.
CREATE TABLE simulator_uses (
    id INTEGER PRIMARY KEY,
    official_id INTEGER NOT NULL REFERENCES officials(id),
    phone TEXT NOT NULL,                  -- E.164, one of HOTLINE_SIMULATOR_NUMBERS
    action TEXT NOT NULL,                 -- call | sms
    at TEXT NOT NULL
);
CREATE INDEX simulator_uses_at ON simulator_uses(at);
