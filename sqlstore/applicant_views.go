package sqlstore

// What the household's own pages need beyond the records' basic reads and
// writes: applying for a month with one adult's signature (the application
// waits as a draft for the other adult's), signing and submitting in one
// step, the signatures given, and answering a supplement request.

import (
	"context"
	"fmt"
	"strings"

	"github.com/bistand/bistand"
)

// MaxSupplementMessage bounds a household's answer to a supplement request.
const MaxSupplementMessage = 4000

// ApplyForMonth creates the case's application for month with the
// household's declared facts and one adult's signature, in one transaction.
// When that signature is the last one the household needs (an adult living
// alone), the application is submitted in the same transaction with the
// work jobs gives (if not nil); otherwise it stays a draft until every
// other adult has signed (SignAndSubmit). A case applies once a month: an
// application for the month that is neither withdrawn nor an expired,
// never-submitted draft is ErrConflict.
func (s *Store) ApplyForMonth(ctx context.Context, actor bistand.Actor, caseID string, month bistand.Month, facts []FactInput, signed Signed, jobs func(bistand.Application) []Job) (bistand.Application, error) {
	a := bistand.Application{ID: bistand.NewID("app", s.now()), CaseID: caseID, Month: month, State: bistand.Draft, Version: 1}
	if month.IsZero() {
		return a, fmt.Errorf("%w: month required", bistand.ErrInvalid)
	}
	if actor.Kind != bistand.ActorApplicant || actor.ID != signed.PersonID {
		return a, fmt.Errorf("%w: a member of the household applies and signs for themselves", bistand.ErrForbidden)
	}
	err := s.write(ctx, actor, func(w *wtx) error {
		// The case's row lock (PostgreSQL; SQLite serialises writes) keeps
		// two applications for one month from being made at once.
		if _, err := w.ExecContext(w.ctx, "UPDATE cases SET status = status WHERE id = $1", caseID); err != nil {
			return err
		}
		var n int
		if err := w.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM applications WHERE case_id = $1 AND month = $2
			AND state <> $3 AND NOT (state = $4 AND submitted_at = '')`,
			caseID, month.String(), string(bistand.Withdrawn), string(bistand.Expired)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: the household has applied for %s already", bistand.ErrConflict, month)
		}
		if err := w.createApplication(&a); err != nil {
			return err
		}
		if _, err := w.addFacts(a.ID, facts); err != nil {
			return err
		}
		return w.signAndMaybeSubmit(&a, signed, jobs)
	})
	return a, err
}

// SignAndSubmit records an adult's signature of a draft and, when every
// adult of the household has then signed, submits it in the same
// transaction with the work jobs gives. submitted says whether it did.
func (s *Store) SignAndSubmit(ctx context.Context, actor bistand.Actor, appID string, signed Signed, jobs func(bistand.Application) []Job) (a bistand.Application, submitted bool, err error) {
	if actor.Kind != bistand.ActorApplicant || actor.ID != signed.PersonID {
		return a, false, fmt.Errorf("%w: a person signs for themselves", bistand.ErrForbidden)
	}
	err = s.write(ctx, actor, func(w *wtx) error {
		a, err = w.lockedApp(appID)
		if err != nil {
			return err
		}
		if err := w.checkHousehold(a.CaseID); err != nil {
			return err
		}
		var n int
		if err := w.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM signatures WHERE application_id = $1 AND person_id = $2", appID, signed.PersonID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: already signed", bistand.ErrConflict)
		}
		return w.signAndMaybeSubmit(&a, signed, jobs)
	})
	if err != nil {
		return a, false, err
	}
	return a, a.State == bistand.Submitted, nil
}

// signAndMaybeSubmit signs the draft a and submits it if no adult's
// signature is missing any more.
func (w *wtx) signAndMaybeSubmit(a *bistand.Application, signed Signed, jobs func(bistand.Application) []Job) error {
	if err := w.sign(a, signed.PersonID, signed.Method, signed.Reference); err != nil {
		return err
	}
	var missing int
	if err := w.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM case_members m
		WHERE m.case_id = $1 AND m.role IN ('applicant', 'partner')
		AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.application_id = $2 AND s.person_id = m.person_id)`, a.CaseID, a.ID).Scan(&missing); err != nil {
		return err
	}
	if missing > 0 {
		return nil
	}
	if err := w.transition(a, bistand.Submitted, "", bistand.Date{}); err != nil {
		return err
	}
	if jobs != nil {
		w.jobs = append(w.jobs, jobs(*a)...)
	}
	return nil
}

// Signatures lists an application's signatures in the order given.
func (s *Store) Signatures(ctx context.Context, appID string) ([]bistand.Signature, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT application_id, person_id, method, reference, signed_at FROM signatures WHERE application_id = $1 ORDER BY signed_at, id", appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bistand.Signature
	for rows.Next() {
		var sg bistand.Signature
		var at string
		if err := rows.Scan(&sg.ApplicationID, &sg.PersonID, &sg.Method, &sg.Reference, &at); err != nil {
			return nil, err
		}
		sg.SignedAt = parseTime(at)
		out = append(out, sg)
	}
	return out, rows.Err()
}

// AnswerSupplement records the household's answer to a supplement request
// in one transaction: the facts it corrects or adds (declared), and the
// move supplement_requested → supplemented with the message as its reason
// (anything like a personnummer in it is masked), with the work enqueue
// gives. Attachments are added before, with AddAttachment.
func (s *Store) AnswerSupplement(ctx context.Context, actor bistand.Actor, appID, message string, facts []FactInput, enqueue []Job) (a bistand.Application, err error) {
	if actor.Kind != bistand.ActorApplicant {
		return a, fmt.Errorf("%w: the household answers a supplement request", bistand.ErrForbidden)
	}
	message = RedactPersonnummer(strings.TrimSpace(message))
	if len(message) > MaxSupplementMessage {
		return a, fmt.Errorf("%w: the message is longer than %d characters", bistand.ErrInvalid, MaxSupplementMessage)
	}
	err = s.write(ctx, actor, func(w *wtx) error {
		a, err = w.lockedApp(appID)
		if err != nil {
			return err
		}
		if err := w.checkHousehold(a.CaseID); err != nil {
			return err
		}
		if a.State != bistand.SupplementRequested {
			return fmt.Errorf("%w: no supplement is requested (the application is %s)", bistand.ErrInvalidTransition, a.State)
		}
		for _, f := range facts {
			if f.Provenance != bistand.Declared {
				return fmt.Errorf("%w: the household's answer declares facts", bistand.ErrInvalid)
			}
		}
		if _, err := w.addFacts(appID, facts); err != nil {
			return err
		}
		// addFacts took the lock and read the application again; the
		// version is unchanged by facts.
		if err := w.transition(&a, bistand.Supplemented, message, bistand.Date{}); err != nil {
			return err
		}
		w.jobs = append(w.jobs, enqueue...)
		return nil
	})
	return a, err
}
