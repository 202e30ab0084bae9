package sqlstore

import (
	"context"

	"github.com/bistand/bistand"
)

// ApplicationsDueBy lists up to limit applications in a state whose
// supplement due date is on or before by, the earliest due first (then by
// id). Only applications with a due date are listed: in practice those in
// supplement_requested.
func (s *Store) ApplicationsDueBy(ctx context.Context, state bistand.State, by bistand.Date, limit int) ([]bistand.Application, error) {
	return s.applications(ctx, "SELECT "+appColumns+" FROM applications WHERE state = $1 AND supplement_due <> '' AND supplement_due <= $2 ORDER BY supplement_due, id LIMIT $3",
		string(state), by.String(), limit)
}

// applications runs a query of appColumns and returns its applications.
func (s *Store) applications(ctx context.Context, query string, args ...any) ([]bistand.Application, error) {
	rows, err := s.r().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bistand.Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ExpireSupplement moves an application whose supplement request ran out
// to expired and raises a finding (if finding has a kind) so that a
// caseworker decides on what the case holds: both in one transaction, so
// an expired request never lacks its finding. It does nothing (ok false)
// unless the application is still in supplement_requested with the due
// date given, so a request made again meanwhile is not expired by mistake.
// The caller says the due date has passed; the lifecycle lets only the
// system expire a request.
func (s *Store) ExpireSupplement(ctx context.Context, actor bistand.Actor, appID string, due bistand.Date, reason string, finding FindingInput) (a bistand.Application, ok bool, err error) {
	err = s.write(ctx, actor, func(w *wtx) error {
		a, err = w.lockedApp(appID)
		if err != nil {
			return err
		}
		if a.State != bistand.SupplementRequested || a.SupplementDue != due {
			return nil
		}
		if err := w.transition(&a, bistand.Expired, reason, bistand.Date{}); err != nil {
			return err
		}
		if finding.Kind != "" {
			if _, err := w.addFindings(appID, []FindingInput{finding}); err != nil {
				return err
			}
		}
		ok = true
		return nil
	})
	if err != nil {
		return a, false, err
	}
	return a, ok, nil
}
