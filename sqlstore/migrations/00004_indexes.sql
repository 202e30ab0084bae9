-- +goose Up
-- A case's decision for a month (the robot's "last month" check, the
-- comparison with last month) is looked up for every application.
CREATE INDEX decisions_case_month ON decisions (case_id, month);
CREATE INDEX transitions_application ON transitions (application_id, to_state);

-- +goose Down
DROP INDEX transitions_application;
DROP INDEX decisions_case_month;
