-- The audit trail (docs/security.md): who created, published, updated, cancelled, approved or withdrew
-- what, when, and from which channel. Written in the same transaction as the change it records, so a
-- change is never without its row and a refused or rolled-back one leaves none.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    official_id INTEGER REFERENCES officials(id),     -- NULL: the operator at the terminal
    actor TEXT NOT NULL,                  -- the official's name at the time, or operator@<OS user>
    channel TEXT NOT NULL CHECK (channel IN ('web', 'phone', 'cli')),
    action TEXT NOT NULL,                 -- alert.publish, announcement.approve … (hotline/permissions.py)
    subject TEXT NOT NULL,                -- alert | announcement | checkin | lesson | resident | official
    subject_id INTEGER,
    detail TEXT                           -- JSON: level, audience, counts; never a phone number or a secret
);
CREATE INDEX audit_log_subject ON audit_log(subject, subject_id);
