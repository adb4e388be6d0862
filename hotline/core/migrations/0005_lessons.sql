-- Digital-skills lessons ("Bình dân học vụ số"), enrolments with capacity and waitlist, and
-- training targets per association and village. Owned by the lessons work.
CREATE TABLE lessons (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,            -- short code for SMS (HOC <code>): 2 letters + digit, upper case
    topic TEXT NOT NULL,                  -- vneid | public_services | epayment_qr | online_safety | smartphone
    place TEXT NOT NULL,                  -- usually a village cultural house
    village_id INTEGER REFERENCES villages(id),
    starts_at TEXT NOT NULL,              -- UTC, hotline.db.now() format
    duration_min INTEGER NOT NULL DEFAULT 90 CHECK (duration_min > 0),
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    waitlist INTEGER,                     -- most people on the waitlist; NULL = no limit, 0 = none
    association_id INTEGER REFERENCES associations(id),   -- host; NULL = the commune
    instructor TEXT,
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    cancelled_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX lessons_upcoming ON lessons(status, starts_at);

-- One row per (lesson, resident): cancelling and enrolling again reuses it.
CREATE TABLE enrolments (
    id INTEGER PRIMARY KEY,
    lesson_id INTEGER NOT NULL REFERENCES lessons(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('enrolled', 'waitlisted', 'cancelled', 'attended')),
    queue_no INTEGER NOT NULL,            -- order of arrival in this lesson; the waitlist is served by it
    channel TEXT,                         -- sms | voice | cli | admin
    enrolled_at TEXT,                     -- when a seat was given (directly or by promotion)
    promoted_at TEXT,
    cancelled_at TEXT,
    attended_at TEXT,
    marked_by TEXT,                       -- who marked attendance (instructor or official)
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (lesson_id, resident_id)
);
CREATE INDEX enrolments_lesson ON enrolments(lesson_id, status, queue_no);
CREATE INDEX enrolments_resident ON enrolments(resident_id);

-- Quotas: members of an association trained per period, and a village's target share of adults.
CREATE TABLE lesson_targets (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('association', 'village')),
    subject_id INTEGER NOT NULL,          -- associations.id or villages.id
    period TEXT NOT NULL,                 -- 2026 | 2026-Q4 | 2026-11
    target INTEGER,                       -- association: people trained
    share REAL,                           -- village: share of adults trained (0..1)
    updated_at TEXT NOT NULL,
    UNIQUE (kind, subject_id, period)
);
