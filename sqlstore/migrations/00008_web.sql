-- +goose Up
-- What the web application needs (docs/web.md): staff and their units,
-- which unit and caseworker a case is assigned to, meetings with the
-- household, settings a robot supervisor changes (the pause switch) and
-- login sessions. Staff, assignments, meetings and settings are audited like
-- every other record (audit.go); sessions are not records of a case.

CREATE TABLE staff (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('caseworker', 'supervisor')),
    unit       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- A case's unit and (optionally) the caseworker it is assigned to; a case
-- without a row belongs to its municipality's default unit.
CREATE TABLE case_assignments (
    id          TEXT PRIMARY KEY REFERENCES cases (id), -- the case id
    unit        TEXT NOT NULL,
    assignee_id TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL
);
CREATE INDEX case_assignments_assignee ON case_assignments (assignee_id);
CREATE INDEX case_assignments_unit ON case_assignments (unit);

-- A meeting with the household: booked, then held, cancelled or missed;
-- notes and a follow-up date are recorded when it is held.
CREATE TABLE meetings (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    starts_at     TEXT NOT NULL, -- local civil time, YYYY-MM-DDTHH:MM
    minutes       BIGINT NOT NULL CHECK (minutes > 0),
    kind          TEXT NOT NULL CHECK (kind IN ('visit', 'phone', 'video', 'home')),
    purpose       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('booked', 'held', 'cancelled', 'missed')),
    notes         TEXT NOT NULL DEFAULT '',
    follow_up     TEXT NOT NULL DEFAULT '', -- a civil date, or ''
    caseworker_id TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX meetings_case ON meetings (case_id, starts_at);
CREATE INDEX meetings_caseworker ON meetings (caseworker_id, starts_at);

-- Settings a supervisor changes at run time, by key (automation_paused).
CREATE TABLE settings (
    id         TEXT PRIMARY KEY, -- the key
    value      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Login sessions: the cookie holds a random token, the table its SHA-256.
-- subject is a person id (applicants) or a staff id.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- +goose Down
DROP TABLE web_sessions;
DROP TABLE settings;
DROP TABLE meetings;
DROP TABLE case_assignments;
DROP TABLE staff;
