-- +goose Up
-- Payments (docs/payments.md). A decision that grants money becomes payment
-- orders in the same transaction; an order is put into exactly one payment
-- file (pain.001), stored byte for byte in the transaction that marks the
-- order, and marked paid or failed from the bank's status reports. Both
-- tables are audited like every other record (audit.go).
--
-- What the database itself guarantees, so that no order is paid twice:
--   * an order holds at most one file (file_id), set exactly when it leaves
--     'planned' for 'in_file', and never changed after (guards.go adds the
--     triggers that refuse any other change of status, file, payee or
--     amount, and any deletion, on each engine);
--   * one file per municipality and pay date, its MsgId the primary key;
--   * one live (planned, in_file or paid) order per decision and payee.

CREATE TABLE payment_files (
    id           TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 26), -- the pain.001 MsgId
    municipality TEXT NOT NULL,
    pay_date     TEXT NOT NULL,
    created_at   TEXT NOT NULL,  -- the file's CreDtTm
    sha256       TEXT NOT NULL,
    n            BIGINT NOT NULL CHECK (n > 0),
    ctrl_sum     BIGINT NOT NULL CHECK (ctrl_sum > 0),
    content      BYTEA NOT NULL, -- the file's bytes (SQLite keeps them as a BLOB)
    status       TEXT NOT NULL CHECK (status IN ('created', 'rejected', 'settled')),
    updated_at   TEXT NOT NULL,
    UNIQUE (municipality, pay_date)
);

CREATE TABLE payment_orders (
    id             TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 35), -- the EndToEndId
    decision_id    TEXT NOT NULL REFERENCES decisions (id),
    application_id TEXT NOT NULL REFERENCES applications (id),
    case_id        TEXT NOT NULL REFERENCES cases (id),
    person_id      TEXT NOT NULL REFERENCES persons (id),
    payee_name     TEXT NOT NULL,
    account_kind   TEXT NOT NULL CHECK (account_kind IN ('bankgiro', 'bank_account', 'iban')),
    account        TEXT NOT NULL,
    amount_ore     BIGINT NOT NULL CHECK (amount_ore > 0),
    remittance     TEXT NOT NULL,
    pay_date       TEXT NOT NULL,
    municipality   TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('planned', 'in_file', 'paid', 'failed', 'cancelled')),
    file_id        TEXT REFERENCES payment_files (id),
    status_reason  TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    -- In a file exactly when it has left 'planned' other than by cancelling.
    CHECK ((status IN ('planned', 'cancelled')) = (file_id IS NULL))
);
-- One live order per decision and payee: a decision is never paid twice to
-- the same person.
CREATE UNIQUE INDEX payment_orders_live ON payment_orders (decision_id, person_id)
    WHERE status IN ('planned', 'in_file', 'paid');
-- The orders a file takes: planned, by municipality and pay date.
CREATE INDEX payment_orders_planned ON payment_orders (municipality, status, pay_date);
CREATE INDEX payment_orders_application ON payment_orders (application_id, status);
CREATE INDEX payment_orders_file ON payment_orders (file_id);
-- The decision in force on an application is looked up for every paid
-- order (the unique index decisions_original covers originals only).
CREATE INDEX decisions_application ON decisions (application_id);

-- +goose Down
DROP INDEX decisions_application;
DROP TABLE payment_orders;
DROP TABLE payment_files;
