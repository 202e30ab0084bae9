package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

// DecideInput is a decision to record. The store calculates the household
// from the application's facts in force, inside the same transaction, so a
// decision always rests on recorded facts, never on loose form fields.
type DecideInput struct {
	// Outcome and Amount: zero values take the calculation's. A caseworker
	// may grant less than calculated (partly approved, or rejected) or more,
	// with a Motivation; the robot may only record the calculation.
	Outcome bistand.Outcome
	Amount  *bistand.Money
	// Motivation is required from a caseworker and for a replacement.
	Motivation string
	// Replaces is the decision this one replaces (a caseworker's change).
	Replaces string
	// IfState makes Decide a no-op (ok false) unless the application is in
	// this state: an idempotent job's guard.
	IfState bistand.State
	// Enqueue is background work the decision needs (letters, payment).
	Enqueue []Job
}

const decisionColumns = "id, application_id, case_id, month, outcome, amount_ore, snapshot, rules_version, params_hash, trace, actor_kind, actor_id, motivation, replaces, decided_at, approved_by_kind, approved_by_id"

// Decide records a decision on an application and moves it to decided, in
// one transaction with its audit events and jobs.
func (s *Store) Decide(ctx context.Context, actor bistand.Actor, appID string, in DecideInput) (d bistand.Decision, ok bool, err error) {
	err = s.write(ctx, actor, func(w *wtx) error {
		d, ok, err = (&Change{w}).Decide(appID, in)
		return err
	})
	if err != nil {
		return bistand.Decision{}, false, err
	}
	return d, ok, nil
}

// Decide is Store.Decide within a Change.
func (c *Change) Decide(appID string, in DecideInput) (d bistand.Decision, ok bool, err error) {
	w := c.w
	if err := checkDecider(w.actor, in); err != nil {
		return d, false, err
	}
	a, err := w.lockedApp(appID)
	if err != nil {
		return d, false, err
	}
	if in.IfState != "" && a.State != in.IfState {
		return d, false, nil
	}
	if d, err = w.prepareDecision(a, w.actor, in); err != nil {
		return bistand.Decision{}, false, err
	}
	if err := w.recordDecision(&a, d); err != nil {
		return bistand.Decision{}, false, err
	}
	w.jobs = append(w.jobs, in.Enqueue...)
	return d, true, nil
}

// checkDecider refuses a decider who may not decide at all: only the robot
// or a caseworker decides, and a caseworker gives a motivation.
func checkDecider(actor bistand.Actor, in DecideInput) error {
	if actor.Kind != bistand.ActorRobot && actor.Kind != bistand.ActorCaseworker {
		return fmt.Errorf("%w: only the robot or a caseworker decides", bistand.ErrForbidden)
	}
	if actor.Kind == bistand.ActorCaseworker && in.Motivation == "" {
		return fmt.Errorf("%w: a caseworker's decision has a motivation", bistand.ErrInvalid)
	}
	return nil
}

// prepareDecision checks that decider may decide the application a (read
// under its lock) as in asks — the lifecycle, a replacement's rules, the
// amount's — and calculates the decision from the facts in force. It
// records nothing: recordDecision does.
func (w *wtx) prepareDecision(a bistand.Application, decider bistand.Actor, in DecideInput) (bistand.Decision, error) {
	d, res, err := w.calculateDecision(a, decider, in)
	if err != nil {
		return d, err
	}
	return d, decideAmount(&d, res, decider, in)
}

// calculateDecision is prepareDecision up to the amount: the lifecycle and
// a replacement's rules are checked and the decision calculated, its
// outcome and amount the calculation's.
func (w *wtx) calculateDecision(a bistand.Application, decider bistand.Actor, in DecideInput) (bistand.Decision, *rules.Result, error) {
	var d bistand.Decision
	if in.Replaces != "" {
		if decider.Kind != bistand.ActorCaseworker || in.Motivation == "" {
			return d, nil, fmt.Errorf("%w: a decision is changed by a caseworker, with a motivation", bistand.ErrForbidden)
		}
		if a.State != bistand.Decided {
			return d, nil, fmt.Errorf("%w: only a decided, unpaid application's decision is changed", bistand.ErrInvalidTransition)
		}
		cur, err := currentDecision(w.ctx, w, a.ID)
		if err != nil {
			return d, nil, err
		}
		if cur.ID != in.Replaces {
			return d, nil, fmt.Errorf("%w: decision %s is not the one in force", bistand.ErrConflict, in.Replaces)
		}
	} else if err := w.noOpenFindings(a.ID); err != nil {
		return d, nil, err
	} else if err := bistand.CheckTransition(a.State, bistand.Decided, decider.Kind, !a.SubmittedAt.IsZero()); err != nil {
		return d, nil, err
	}
	snap, err := w.s.householdJSON(w.ctx, w, a)
	if err != nil {
		return d, nil, err
	}
	h, err := rules.ParseHouseholdBytes(snap)
	if err != nil {
		return d, nil, fmt.Errorf("%w: the facts do not describe a valid household: %v", bistand.ErrInvalid, err)
	}
	res, err := engine().Calculate(h, rules.Options{Trace: true})
	if err != nil {
		return d, nil, fmt.Errorf("%w: %v", bistand.ErrInvalid, err)
	}
	d = bistand.Decision{
		ID: bistand.NewID("dec", w.now), ApplicationID: a.ID, CaseID: a.CaseID, Month: a.Month,
		RulesVersion: res.RulesVersion, ParamsHash: res.ParamsHash, Snapshot: snap,
		DecidedBy: decider, Motivation: in.Motivation, Replaces: in.Replaces, DecidedAt: w.now,
	}
	d.Outcome, d.Amount = calculatedOutcome(res), res.Amount
	var trace bytes.Buffer
	enc := json.NewEncoder(&trace)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return d, nil, err
	}
	d.Trace = bytes.TrimSpace(trace.Bytes())
	return d, res, nil
}

// recordDecision stores a prepared decision, enqueues its letter and,
// unless it replaces another, moves the application to decided.
func (w *wtx) recordDecision(a *bistand.Application, d bistand.Decision) error {
	var replaces sql.NullString
	if d.Replaces != "" {
		replaces = sql.NullString{String: d.Replaces, Valid: true}
	}
	k, actorID := actorOf(d.DecidedBy)
	ak, approverID := actorOf(d.ApprovedBy)
	if err := w.insert("decisions", a.CaseID, d.Motivation, "INSERT INTO decisions ("+decisionColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
		d.ID, a.ID, a.CaseID, a.Month.String(), string(d.Outcome), int64(d.Amount), string(d.Snapshot), d.RulesVersion, d.ParamsHash, string(d.Trace),
		k, actorID, d.Motivation, replaces, fmtTime(d.DecidedAt), ak, approverID); err != nil {
		return err
	}
	// Every decision gets its letter (letters.go), enqueued with it.
	w.jobs = append(w.jobs, LetterJob(d.ID))
	// Payment orders for what it grants (payments.go), in the same transaction.
	if err := w.planPayments(a, d); err != nil {
		return err
	}
	if d.Replaces == "" {
		return w.transition(a, bistand.Decided, d.Motivation, bistand.Date{})
	}
	return nil
}

// calculatedOutcome is the outcome of the calculation as it stands.
func calculatedOutcome(res *rules.Result) bistand.Outcome {
	if res.Outcome == rules.Rejected {
		return bistand.OutcomeRejected
	}
	return bistand.OutcomeApproved
}

// decideAmount sets the outcome and amount from the calculation and what
// the decider asked for.
func decideAmount(d *bistand.Decision, res *rules.Result, actor bistand.Actor, in DecideInput) error {
	calc := calculatedOutcome(res)
	d.Outcome, d.Amount = calc, res.Amount
	if in.Amount == nil && (in.Outcome == "" || in.Outcome == calc) {
		return nil
	}
	if actor.Kind != bistand.ActorCaseworker || in.Motivation == "" {
		return fmt.Errorf("%w: only a caseworker, with a motivation, decides other than calculated", bistand.ErrForbidden)
	}
	amount := res.Amount
	if in.Amount != nil {
		amount = *in.Amount
	}
	if amount < 0 {
		return fmt.Errorf("%w: negative amount", bistand.ErrInvalid)
	}
	want := in.Outcome
	switch {
	case amount == 0:
		d.Outcome = bistand.OutcomeRejected
	case amount < res.Amount:
		d.Outcome = bistand.OutcomePartlyApproved
	default:
		d.Outcome = bistand.OutcomeApproved
	}
	if want != "" && want != d.Outcome {
		return fmt.Errorf("%w: an amount of %s is %s, not %s", bistand.ErrInvalid, amount, d.Outcome, want)
	}
	d.Amount = amount
	return nil
}

func scanDecision(row interface{ Scan(...any) error }) (bistand.Decision, error) {
	var d bistand.Decision
	var month, outcome, snap, trace, kind, at string
	var amount int64
	var replaces sql.NullString
	var approverKind string
	if err := row.Scan(&d.ID, &d.ApplicationID, &d.CaseID, &month, &outcome, &amount, &snap, &d.RulesVersion, &d.ParamsHash, &trace, &kind, &d.DecidedBy.ID, &d.Motivation, &replaces, &at,
		&approverKind, &d.ApprovedBy.ID); err != nil {
		return d, err
	}
	d.ApprovedBy.Kind = bistand.ActorKind(approverKind)
	d.Month, _ = bistand.ParseMonth(month)
	d.Outcome, d.Amount = bistand.Outcome(outcome), bistand.Money(amount)
	d.Snapshot, d.Trace = json.RawMessage(snap), json.RawMessage(trace)
	d.DecidedBy.Kind, d.Replaces, d.DecidedAt = bistand.ActorKind(kind), replaces.String, parseTime(at)
	return d, nil
}

// Decision returns a decision by id.
func (s *Store) Decision(ctx context.Context, id string) (bistand.Decision, error) {
	d, err := scanDecision(s.r().QueryRowContext(ctx, "SELECT "+decisionColumns+" FROM decisions WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("decision", id)
	}
	return d, err
}

// Decisions returns every decision on an application, oldest first.
func (s *Store) Decisions(ctx context.Context, appID string) ([]bistand.Decision, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT "+decisionColumns+" FROM decisions WHERE application_id = $1 ORDER BY decided_at, id", appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bistand.Decision
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// currentDecision returns the decision in force: the one not replaced.
func currentDecision(ctx context.Context, q queryer, appID string) (bistand.Decision, error) {
	d, err := scanDecision(q.QueryRowContext(ctx, "SELECT "+decisionColumns+` FROM decisions d WHERE application_id = $1
		AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.replaces = d.id)`, appID))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("decision for application", appID)
	}
	return d, err
}

// CurrentDecision returns the decision in force on an application.
func (s *Store) CurrentDecision(ctx context.Context, appID string) (bistand.Decision, error) {
	return currentDecision(ctx, s.r(), appID)
}

// CaseDecisionFor returns the decision in force for a case's month (on any
// of its applications), or ErrNotFound.
func (s *Store) CaseDecisionFor(ctx context.Context, caseID string, month bistand.Month) (bistand.Decision, error) {
	d, err := scanDecision(s.r().QueryRowContext(ctx, "SELECT "+decisionColumns+` FROM decisions d WHERE case_id = $1 AND month = $2
		AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.replaces = d.id) ORDER BY decided_at DESC, id DESC LIMIT 1`, caseID, month.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("decision for case month", month.String())
	}
	return d, err
}

// noOpenFindings refuses a first decision on an application that still has
// open findings (avklaringar): each is resolved, saying how, before anyone
// decides. Findings about a payment come after a decision and do not count.
func (w *wtx) noOpenFindings(appID string) error {
	open, err := findings(w.ctx, w, appID, bistand.FindingOpen)
	if err != nil {
		return err
	}
	for _, f := range open {
		if !IsPaymentFinding(f.Kind) {
			return fmt.Errorf("%w: finding %s (%s) is open; resolve it before deciding", bistand.ErrInvalidTransition, f.ID, f.Kind)
		}
	}
	return nil
}
