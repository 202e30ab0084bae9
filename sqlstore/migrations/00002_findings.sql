-- +goose Up
-- Findings (avklaringar): what a person must look at before an application
-- is decided, with the facts behind each, raised by the robot or the system
-- and resolved by a caseworker. Audited like every other record.
CREATE TABLE findings (
    id                TEXT PRIMARY KEY,
    application_id    TEXT NOT NULL REFERENCES applications (id),
    case_id           TEXT NOT NULL REFERENCES cases (id),
    kind              TEXT NOT NULL,
    subject           TEXT NOT NULL,
    text              TEXT NOT NULL,
    data              TEXT NOT NULL,
    status            TEXT NOT NULL,
    actor_kind        TEXT NOT NULL,
    actor_id          TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    resolved_by_kind  TEXT NOT NULL DEFAULT '',
    resolved_by_id    TEXT NOT NULL DEFAULT '',
    resolution        TEXT NOT NULL DEFAULT '',
    resolved_at       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX findings_application ON findings (application_id, status);

-- +goose Down
DROP TABLE findings;
