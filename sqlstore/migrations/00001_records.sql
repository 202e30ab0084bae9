-- +goose Up
-- The system of record. One schema for SQLite and PostgreSQL: TEXT ids,
-- times as TEXT in UTC (2006-01-02T15:04:05.000000Z), money as BIGINT öre,
-- flags as INTEGER 0/1, JSON as TEXT (stored byte for byte, so that hashes
-- and replays are exact). Every table below that has an id is audited: its
-- rows' hashes are recorded in audit_events (see audit.go).

CREATE TABLE persons (
    id                 TEXT PRIMARY KEY,
    personnummer       TEXT NOT NULL UNIQUE,
    protected_identity INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL
);

CREATE TABLE cases (
    id           TEXT PRIMARY KEY,
    municipality TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE case_members (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES cases (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    role      TEXT NOT NULL,
    position  BIGINT NOT NULL,
    added_at  TEXT NOT NULL,
    UNIQUE (case_id, person_id)
);

CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    month          TEXT NOT NULL,
    state          TEXT NOT NULL,
    version        BIGINT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    submitted_at   TEXT NOT NULL DEFAULT '',
    supplement_due TEXT NOT NULL DEFAULT ''
);
CREATE INDEX applications_case ON applications (case_id, month);
CREATE INDEX applications_state ON applications (state);

CREATE TABLE facts (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    seq            BIGINT NOT NULL,
    fact_key       TEXT NOT NULL,
    kind           TEXT NOT NULL,
    value          TEXT,
    provenance     TEXT NOT NULL,
    source         TEXT NOT NULL DEFAULT '',
    reference      TEXT NOT NULL DEFAULT '',
    observed_at    TEXT NOT NULL DEFAULT '',
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    recorded_at    TEXT NOT NULL,
    UNIQUE (application_id, seq)
);

CREATE TABLE attachments (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    sha256         TEXT NOT NULL,
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           BIGINT NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    uploaded_at    TEXT NOT NULL
);
CREATE INDEX attachments_application ON attachments (application_id);

CREATE TABLE signatures (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    person_id      TEXT NOT NULL REFERENCES persons (id),
    method         TEXT NOT NULL,
    reference      TEXT NOT NULL,
    signed_at      TEXT NOT NULL,
    UNIQUE (application_id, person_id)
);

CREATE TABLE transitions (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    seq            BIGINT NOT NULL,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    at             TEXT NOT NULL,
    UNIQUE (application_id, seq)
);

CREATE TABLE decisions (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    case_id        TEXT NOT NULL REFERENCES cases (id),
    month          TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    amount_ore     BIGINT NOT NULL,
    snapshot       TEXT NOT NULL,
    rules_version  TEXT NOT NULL,
    params_hash    TEXT NOT NULL,
    trace          TEXT NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    motivation     TEXT NOT NULL,
    replaces       TEXT REFERENCES decisions (id),
    decided_at     TEXT NOT NULL
);
-- One original decision per application, and each decision replaced at most
-- once: an application is never decided twice by accident.
CREATE UNIQUE INDEX decisions_original ON decisions (application_id) WHERE replaces IS NULL;
CREATE UNIQUE INDEX decisions_replacement ON decisions (replaces) WHERE replaces IS NOT NULL;

CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    case_id     TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    before_hash TEXT NOT NULL DEFAULT '',
    after_hash  TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);
CREATE INDEX audit_events_case ON audit_events (case_id);

-- The head of the chain: the last sequence number and hash. Appending
-- updates this one row, which serialises appenders on both engines.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'genesis');

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_events;
DROP TABLE decisions;
DROP TABLE transitions;
DROP TABLE signatures;
DROP TABLE attachments;
DROP TABLE facts;
DROP TABLE applications;
DROP TABLE case_members;
DROP TABLE cases;
DROP TABLE persons;
