-- +goose Up
-- Decision letters (beslutsbrev): one per decision, rendered by the letter
-- package (deterministic PDF and HTML). The bytes are kept in the BlobStore by
-- their SHA-256, like attachments; the row holds the hashes. Audited like
-- every other record (audit.go), keyed by the decision.
CREATE TABLE letters (
    decision_id TEXT PRIMARY KEY REFERENCES decisions (id),
    case_id     TEXT NOT NULL REFERENCES cases (id),
    pdf_sha256  TEXT NOT NULL,
    html_sha256 TEXT NOT NULL,
    pdf_size    BIGINT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX letters_case ON letters (case_id);

-- +goose Down
DROP TABLE letters;
