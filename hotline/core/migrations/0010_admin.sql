-- The web admin: failed logins (rate limit shared by every server process) and simulator calls.
CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    ip TEXT NOT NULL,
    account TEXT NOT NULL,                -- the phone typed, normalised when possible
    at TEXT NOT NULL
);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);
CREATE INDEX login_attempts_account ON login_attempts(account, at);

-- A browser simulator call waiting for the caller's next key: the TwiML document and where it paused.
CREATE TABLE simulator_calls (
    call_sid TEXT PRIMARY KEY,
    owner TEXT NOT NULL,                  -- the browser session that placed it
    state TEXT NOT NULL,                  -- JSON: params, url, xml, index, kind, attrs
    updated_at TEXT NOT NULL
);
