package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bistand/bistand"
)

// This file holds what the web application keeps besides the case records:
// staff, case assignments, settings and login sessions (meetings.go has the
// meetings). Staff, assignments and settings are audited; sessions are not.

// Staff roles.
const (
	RoleCaseworker = "caseworker" // handles cases of their unit
	RoleSupervisor = "supervisor" // robot supervisor: sees the robot's work, pauses it
)

// Staff is a member of the municipality's staff.
type Staff struct {
	ID        string
	Name      string
	Role      string
	Unit      string
	Active    bool
	CreatedAt time.Time
}

// Actor is the staff member as an actor in records.
func (s Staff) Actor() bistand.Actor { return bistand.Actor{Kind: bistand.ActorCaseworker, ID: s.ID} }

// PutStaff records a member of staff, or updates their name, role, unit and
// whether they are active.
func (s *Store) PutStaff(ctx context.Context, actor bistand.Actor, st Staff) (Staff, error) {
	if st.ID == "" || strings.TrimSpace(st.Name) == "" || st.Unit == "" {
		return st, fmt.Errorf("%w: staff needs an id, a name and a unit", bistand.ErrInvalid)
	}
	if st.Role != RoleCaseworker && st.Role != RoleSupervisor {
		return st, fmt.Errorf("%w: staff role %q", bistand.ErrInvalid, st.Role)
	}
	err := s.write(ctx, actor, func(w *wtx) error {
		before, err := rowHash(ctx, w, "staff", st.ID)
		if err != nil {
			return err
		}
		if before == "" {
			st.CreatedAt = parseTime(w.at)
			return w.insert("staff", "", "", "INSERT INTO staff (id, name, role, unit, active, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
				st.ID, st.Name, st.Role, st.Unit, boolInt(st.Active), w.at)
		}
		if _, err := w.ExecContext(ctx, "UPDATE staff SET name = $1, role = $2, unit = $3, active = $4 WHERE id = $5",
			st.Name, st.Role, st.Unit, boolInt(st.Active), st.ID); err != nil {
			return err
		}
		return w.audit(ActionUpdate, "staff", st.ID, "", "", before)
	})
	return st, err
}

// StaffMember returns a member of staff by id.
func (s *Store) StaffMember(ctx context.Context, id string) (Staff, error) {
	var st Staff
	var active int
	var created string
	err := s.r().QueryRowContext(ctx, "SELECT id, name, role, unit, active, created_at FROM staff WHERE id = $1", id).
		Scan(&st.ID, &st.Name, &st.Role, &st.Unit, &active, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return st, notFound("staff", id)
	}
	st.Active, st.CreatedAt = active != 0, parseTime(created)
	return st, err
}

// StaffList returns every member of staff, by role and name.
func (s *Store) StaffList(ctx context.Context) ([]Staff, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT id, name, role, unit, active, created_at FROM staff ORDER BY role, name, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		var st Staff
		var active int
		var created string
		if err := rows.Scan(&st.ID, &st.Name, &st.Role, &st.Unit, &active, &created); err != nil {
			return nil, err
		}
		st.Active, st.CreatedAt = active != 0, parseTime(created)
		out = append(out, st)
	}
	return out, rows.Err()
}

// Assignment is which unit a case belongs to and who, if anyone, has it.
type Assignment struct {
	CaseID    string
	Unit      string
	Assignee  string // a staff id, or ""
	UpdatedAt time.Time
}

// Assign puts a case in a unit and (assignee not "") with a caseworker.
func (s *Store) Assign(ctx context.Context, actor bistand.Actor, caseID, unit, assignee string) error {
	if unit == "" {
		return fmt.Errorf("%w: a case is assigned to a unit", bistand.ErrInvalid)
	}
	return s.write(ctx, actor, func(w *wtx) error {
		before, err := rowHash(ctx, w, "case_assignments", caseID)
		if err != nil {
			return err
		}
		if before == "" {
			return w.insert("case_assignments", caseID, "", "INSERT INTO case_assignments (id, unit, assignee_id, updated_at) VALUES ($1, $2, $3, $4)",
				caseID, unit, assignee, w.at)
		}
		if _, err := w.ExecContext(ctx, "UPDATE case_assignments SET unit = $1, assignee_id = $2, updated_at = $3 WHERE id = $4",
			unit, assignee, w.at, caseID); err != nil {
			return err
		}
		return w.audit(ActionUpdate, "case_assignments", caseID, caseID, "", before)
	})
}

// CaseAssignment returns a case's assignment; a case never assigned has
// ok false (it belongs to its municipality's default unit).
func (s *Store) CaseAssignment(ctx context.Context, caseID string) (a Assignment, ok bool, err error) {
	var updated string
	err = s.r().QueryRowContext(ctx, "SELECT id, unit, assignee_id, updated_at FROM case_assignments WHERE id = $1", caseID).
		Scan(&a.CaseID, &a.Unit, &a.Assignee, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Assignment{CaseID: caseID}, false, nil
	}
	a.UpdatedAt = parseTime(updated)
	return a, err == nil, err
}

// CasesOfPerson returns the ids of the cases a person is a member of.
func (s *Store) CasesOfPerson(ctx context.Context, personID string) ([]string, error) {
	return s.r().strings(ctx, "SELECT DISTINCT case_id FROM case_members WHERE person_id = $1 ORDER BY case_id", personID)
}

// CaseApplications returns a case's applications, the latest month first.
func (s *Store) CaseApplications(ctx context.Context, caseID string) ([]bistand.Application, error) {
	return s.applications(ctx, "SELECT "+appColumns+" FROM applications WHERE case_id = $1 ORDER BY month DESC, created_at DESC", caseID)
}

// Setting keys.
const (
	// SettingAutomationPaused is "true" while a supervisor has paused the
	// robot's decisions: the robot still collects and calculates, and
	// leaves every case for a caseworker.
	SettingAutomationPaused = "automation_paused"
)

// Setting is a supervisor's setting with who set it, when and why.
type Setting struct {
	Key, Value, Reason string
	By                 bistand.Actor
	UpdatedAt          time.Time
}

// Setting returns a setting; one never set has ok false.
func (s *Store) Setting(ctx context.Context, key string) (st Setting, ok bool, err error) {
	var kind, updated string
	err = s.r().QueryRowContext(ctx, "SELECT id, value, reason, actor_kind, actor_id, updated_at FROM settings WHERE id = $1", key).
		Scan(&st.Key, &st.Value, &st.Reason, &kind, &st.By.ID, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Setting{Key: key}, false, nil
	}
	st.By.Kind, st.UpdatedAt = bistand.ActorKind(kind), parseTime(updated)
	return st, err == nil, err
}

// SetSetting changes a setting, saying why.
func (s *Store) SetSetting(ctx context.Context, actor bistand.Actor, key, value, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("%w: say why the setting changes", bistand.ErrInvalid)
	}
	return s.write(ctx, actor, func(w *wtx) error {
		before, err := rowHash(ctx, w, "settings", key)
		if err != nil {
			return err
		}
		k, id := actorOf(actor)
		if before == "" {
			return w.insert("settings", "", reason, "INSERT INTO settings (id, value, reason, actor_kind, actor_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
				key, value, reason, k, id, w.at)
		}
		if _, err := w.ExecContext(ctx, "UPDATE settings SET value = $1, reason = $2, actor_kind = $3, actor_id = $4, updated_at = $5 WHERE id = $6",
			value, reason, k, id, w.at, key); err != nil {
			return err
		}
		return w.audit(ActionUpdate, "settings", key, "", reason, before)
	})
}

// AutomationPaused reports whether a supervisor has paused the robot's
// decisions.
func (s *Store) AutomationPaused(ctx context.Context) (bool, error) {
	st, _, err := s.Setting(ctx, SettingAutomationPaused)
	return st.Value == "true", err
}

// Session is a login: who (an applicant's person id or a staff id) until when.
type Session struct {
	Kind      string // "applicant" or "staff"
	Subject   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateSession stores a session under a token the caller made (random,
// kept only in the user's cookie: the table holds its hash).
func (s *Store) CreateSession(ctx context.Context, token string, sess Session) error {
	if len(token) < 32 {
		return fmt.Errorf("%w: session token too short", bistand.ErrInvalid)
	}
	_, err := s.db.ExecContext(ctx, "INSERT INTO web_sessions (token_hash, kind, subject, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
		tokenHash(token), sess.Kind, sess.Subject, fmtTime(sess.CreatedAt), fmtTime(sess.ExpiresAt))
	return mapErr(err)
}

// SessionByToken returns the session a token names, if it has not expired
// at now.
func (s *Store) SessionByToken(ctx context.Context, token string, now time.Time) (Session, error) {
	var sess Session
	var created, expires string
	err := s.r().QueryRowContext(ctx, "SELECT kind, subject, created_at, expires_at FROM web_sessions WHERE token_hash = $1", tokenHash(token)).
		Scan(&sess.Kind, &sess.Subject, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, notFound("session", "")
	}
	if err != nil {
		return sess, err
	}
	sess.CreatedAt, sess.ExpiresAt = parseTime(created), parseTime(expires)
	if !now.Before(sess.ExpiresAt) {
		return Session{}, notFound("session", "")
	}
	return sess, nil
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM web_sessions WHERE token_hash = $1", tokenHash(token))
	return err
}

// DeleteExpiredSessions removes sessions expired before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM web_sessions WHERE expires_at <= $1", fmtTime(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
