-- +goose Up
-- Four-eyes approval and the household's notifications outbox. Both tables
-- are audited like every other record (audit.go).

-- Who approved a caseworker's decision that needed a second caseworker
-- (four eyes); '' for a decision made by one decider. Rows recorded before
-- this migration hash as they did (see auditedTables' added columns).
ALTER TABLE decisions ADD COLUMN approved_by_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN approved_by_id TEXT NOT NULL DEFAULT '';

-- A caseworker's decision above the municipality's four-eyes amount waits
-- here for a second caseworker. app_version and basis_hash are what the
-- proposal was made on (the application's version; the calculation's input
-- snapshot and rules): an approval of anything since changed is refused.
CREATE TABLE decision_proposals (
    id               TEXT PRIMARY KEY,
    application_id   TEXT NOT NULL REFERENCES applications (id),
    case_id          TEXT NOT NULL REFERENCES cases (id),
    outcome          TEXT NOT NULL,
    amount_ore       BIGINT NOT NULL,
    motivation       TEXT NOT NULL,
    replaces         TEXT REFERENCES decisions (id),
    app_version      BIGINT NOT NULL,
    basis_hash       TEXT NOT NULL,
    proposed_by_kind TEXT NOT NULL,
    proposed_by_id   TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    status           TEXT NOT NULL,
    reviewed_by_kind TEXT NOT NULL DEFAULT '',
    reviewed_by_id   TEXT NOT NULL DEFAULT '',
    review_note      TEXT NOT NULL DEFAULT '',
    reviewed_at      TEXT NOT NULL DEFAULT '',
    decision_id      TEXT REFERENCES decisions (id)
);
-- At most one pending proposal per application.
CREATE UNIQUE INDEX decision_proposals_pending ON decision_proposals (application_id) WHERE status = 'pending';
CREATE INDEX decision_proposals_application ON decision_proposals (application_id, status);
CREATE INDEX decision_proposals_status ON decision_proposals (status, created_at);

-- Messages to the household, in Swedish, waiting to be sent (sent_at '')
-- or sent. ref says what a notification is about within its kind (a
-- reminder: the due date), so that the same one is never made twice.
CREATE TABLE notifications (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    case_id        TEXT NOT NULL REFERENCES cases (id),
    person_id      TEXT NOT NULL REFERENCES persons (id),
    kind           TEXT NOT NULL,
    ref            TEXT NOT NULL DEFAULT '',
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    sent_at        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX notifications_ref ON notifications (application_id, kind, ref) WHERE ref <> '';
CREATE INDEX notifications_application ON notifications (application_id);
CREATE INDEX notifications_unsent ON notifications (sent_at, created_at);

-- +goose Down
DROP TABLE notifications;
DROP TABLE decision_proposals;
ALTER TABLE decisions DROP COLUMN approved_by_id;
ALTER TABLE decisions DROP COLUMN approved_by_kind;
