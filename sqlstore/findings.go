package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bistand/bistand"
)

// FindingInput is a finding to raise.
type FindingInput struct {
	Kind    bistand.FindingKind
	Subject string
	Text    string
	Data    any // JSON-encodable: the values and fact keys behind the finding
}

const findingColumns = "id, application_id, case_id, kind, subject, text, data, status, actor_kind, actor_id, created_at, resolved_by_kind, resolved_by_id, resolution, resolved_at"

// AddFindings raises findings on an application. A finding whose kind and
// subject are already open on the application is not raised again. It
// returns the findings raised.
func (s *Store) AddFindings(ctx context.Context, actor bistand.Actor, appID string, ins []FindingInput) ([]bistand.Finding, error) {
	var out []bistand.Finding
	err := s.write(ctx, actor, func(w *wtx) error {
		var err error
		out, err = (&Change{w}).AddFindings(appID, ins)
		return err
	})
	return out, err
}

// AddFindings is Store.AddFindings within a Change.
func (c *Change) AddFindings(appID string, ins []FindingInput) ([]bistand.Finding, error) {
	if k := c.w.actor.Kind; k != bistand.ActorRobot && k != bistand.ActorSystem && k != bistand.ActorCaseworker {
		return nil, fmt.Errorf("%w: %s may not raise findings", bistand.ErrForbidden, k)
	}
	return c.w.addFindings(appID, ins)
}

func (w *wtx) addFindings(appID string, ins []FindingInput) ([]bistand.Finding, error) {
	if len(ins) == 0 {
		return nil, nil
	}
	ctx := w.ctx
	a, err := w.lockedApp(appID)
	if err != nil {
		return nil, err
	}
	open, err := findings(ctx, w, appID, bistand.FindingOpen)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range open {
		seen[string(f.Kind)+"\x00"+f.Subject] = true
	}
	var out []bistand.Finding
	var rows []newRow
	k, id := actorOf(w.actor)
	for _, in := range ins {
		if in.Kind == "" || in.Subject == "" || in.Text == "" {
			return nil, fmt.Errorf("%w: a finding needs a kind, a subject and a text", bistand.ErrInvalid)
		}
		key := string(in.Kind) + "\x00" + in.Subject
		if seen[key] {
			continue
		}
		seen[key] = true
		data, err := json.Marshal(in.Data)
		if err != nil {
			return nil, err
		}
		f := bistand.Finding{ID: bistand.NewID("fnd", w.now), ApplicationID: appID, CaseID: a.CaseID, Kind: in.Kind, Subject: in.Subject,
			Text: in.Text, Data: data, Status: bistand.FindingOpen, CreatedBy: w.actor, CreatedAt: w.now}
		rows = append(rows, newRow{caseID: a.CaseID, vals: []any{
			f.ID, appID, a.CaseID, string(in.Kind), in.Subject, in.Text, string(data), f.Status, k, id, w.at, "", "", "", ""}})
		out = append(out, f)
	}
	if err := w.insertRows("findings", rows); err != nil {
		return nil, err
	}
	return out, nil
}

// ResolveFinding closes an open finding, by a caseworker who says how it
// was resolved.
func (s *Store) ResolveFinding(ctx context.Context, actor bistand.Actor, findingID, resolution string) error {
	if actor.Kind != bistand.ActorCaseworker {
		return fmt.Errorf("%w: a caseworker resolves findings", bistand.ErrForbidden)
	}
	if resolution == "" {
		return fmt.Errorf("%w: say how the finding was resolved", bistand.ErrInvalid)
	}
	return s.write(ctx, actor, func(w *wtx) error {
		var appID, caseID, status string
		err := w.QueryRowContext(ctx, "SELECT application_id, case_id, status FROM findings WHERE id = $1", findingID).Scan(&appID, &caseID, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("finding", findingID)
		}
		if err != nil {
			return err
		}
		if _, err := w.lockedApp(appID); err != nil {
			return err
		}
		if status != bistand.FindingOpen {
			return fmt.Errorf("%w: the finding is already resolved", bistand.ErrConflict)
		}
		before, err := rowHash(ctx, w, "findings", findingID)
		if err != nil {
			return err
		}
		k, id := actorOf(actor)
		if _, err := w.ExecContext(ctx, "UPDATE findings SET status = $1, resolved_by_kind = $2, resolved_by_id = $3, resolution = $4, resolved_at = $5 WHERE id = $6",
			bistand.FindingResolved, k, id, resolution, w.at, findingID); err != nil {
			return err
		}
		return w.audit(ActionUpdate, "findings", findingID, caseID, resolution, before)
	})
}

// Findings returns an application's findings, oldest first; status ""
// means all.
func (s *Store) Findings(ctx context.Context, appID, status string) ([]bistand.Finding, error) {
	return findings(ctx, s.r(), appID, status)
}

func findings(ctx context.Context, q queryer, appID, status string) ([]bistand.Finding, error) {
	query := "SELECT " + findingColumns + " FROM findings WHERE application_id = $1"
	args := []any{appID}
	if status != "" {
		query += " AND status = $2"
		args = append(args, status)
	}
	rows, err := q.QueryContext(ctx, query+" ORDER BY created_at, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bistand.Finding
	for rows.Next() {
		var f bistand.Finding
		var kind, data, ak, created, rk, resolved string
		if err := rows.Scan(&f.ID, &f.ApplicationID, &f.CaseID, &kind, &f.Subject, &f.Text, &data, &f.Status, &ak, &f.CreatedBy.ID, &created, &rk, &f.ResolvedBy.ID, &f.Resolution, &resolved); err != nil {
			return nil, err
		}
		f.Kind, f.Data = bistand.FindingKind(kind), json.RawMessage(data)
		f.CreatedBy.Kind, f.ResolvedBy.Kind = bistand.ActorKind(ak), bistand.ActorKind(rk)
		f.CreatedAt, f.ResolvedAt = parseTime(created), parseTime(resolved)
		out = append(out, f)
	}
	return out, rows.Err()
}

// RecordCollection records, within a change, what collecting register
// data concluded for an application: register facts, the findings it
// raised and the jobs that follow.
func (c *Change) RecordCollection(appID string, facts []FactInput, found []FindingInput, next []Job) error {
	w := c.w
	if _, err := w.addFacts(appID, facts); err != nil {
		return err
	}
	if _, err := w.addFindings(appID, found); err != nil {
		return err
	}
	w.jobs = append(w.jobs, next...)
	return nil
}

// MarkProtected records that a person has (or no longer has) a protected
// identity, as the population register says.
func (s *Store) MarkProtected(ctx context.Context, actor bistand.Actor, personID string, protected bool, reason string) error {
	return s.write(ctx, actor, func(w *wtx) error {
		before, err := rowHash(ctx, w, "persons", personID)
		if err != nil {
			return err
		}
		if before == "" {
			return notFound("person", personID)
		}
		res, err := w.ExecContext(ctx, "UPDATE persons SET protected_identity = $1 WHERE id = $2 AND protected_identity <> $1", boolInt(protected), personID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already so
		}
		return w.audit(ActionUpdate, "persons", personID, "", reason, before)
	})
}
