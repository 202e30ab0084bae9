package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bistand/bistand"
)

// Four eyes: a caseworker's decision above the municipality's amount
// (rules.AutomationVersion.FourEyesAbove) is stored as a proposal and
// recorded only when a second caseworker approves it. The proposal is
// checked as Decide checks a decision when it is made, and again when it is
// approved, on the application as it is then.

const proposalColumns = "id, application_id, case_id, outcome, amount_ore, motivation, replaces, app_version, basis_hash, proposed_by_kind, proposed_by_id, created_at, status, reviewed_by_kind, reviewed_by_id, review_note, reviewed_at, decision_id"

// ProposeDecision decides an application as Decide does, unless the decider
// is a caseworker and the decision's amount (the one asked for, or the
// calculated one) is above fourEyesAbove (0 or less: never): then the
// decision, checked as Decide would check it, is stored as a pending
// proposal for a second caseworker (ApproveProposal) and returned instead
// of a decision. Exactly one of the decision and the proposal is set.
//
// An application has at most one pending proposal; while it has one,
// ProposeDecision refuses (ErrConflict). IfState, when set and not the
// application's state, is ErrConflict (there is no no-op here). A proposal
// cannot carry jobs: Enqueue with a decision that needs approval is
// ErrInvalid.
func (s *Store) ProposeDecision(ctx context.Context, actor bistand.Actor, appID string, in DecideInput, fourEyesAbove bistand.Money) (bistand.Decision, *bistand.Proposal, error) {
	if err := checkDecider(actor, in); err != nil {
		return bistand.Decision{}, nil, err
	}
	var d bistand.Decision
	var p *bistand.Proposal
	err := s.write(ctx, actor, func(w *wtx) error {
		a, err := w.lockedApp(appID)
		if err != nil {
			return err
		}
		if in.IfState != "" && a.State != in.IfState {
			return fmt.Errorf("%w: application %s is %s, not %s", bistand.ErrConflict, a.ID, a.State, in.IfState)
		}
		pending, err := proposals(ctx, w, appID, bistand.ProposalPending, 1)
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			return fmt.Errorf("%w: proposal %s is waiting for approval; it is approved, refused or withdrawn first", bistand.ErrConflict, pending[0].ID)
		}
		prepared, err := w.prepareDecision(a, actor, in)
		if err != nil {
			return err
		}
		if actor.Kind != bistand.ActorCaseworker || fourEyesAbove <= 0 || prepared.Amount <= fourEyesAbove {
			if err := w.recordDecision(&a, prepared); err != nil {
				return err
			}
			w.jobs = append(w.jobs, in.Enqueue...)
			d = prepared
			return nil
		}
		if len(in.Enqueue) > 0 {
			return fmt.Errorf("%w: a decision that needs approval cannot enqueue jobs", bistand.ErrInvalid)
		}
		p = &bistand.Proposal{
			ID: bistand.NewID("prop", w.now), ApplicationID: a.ID, CaseID: a.CaseID, Outcome: prepared.Outcome, Amount: prepared.Amount,
			Motivation: in.Motivation, Replaces: in.Replaces, AppVersion: a.Version, BasisHash: basisHash(prepared),
			ProposedBy: actor, CreatedAt: w.now, Status: bistand.ProposalPending,
		}
		k, id := actorOf(actor)
		return w.insert("decision_proposals", a.CaseID, in.Motivation, "INSERT INTO decision_proposals ("+proposalColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, '', '', '', '', NULL)",
			p.ID, a.ID, a.CaseID, string(p.Outcome), int64(p.Amount), p.Motivation, nullable(p.Replaces), p.AppVersion, p.BasisHash, k, id, w.at, p.Status)
	})
	if err != nil {
		return bistand.Decision{}, nil, err
	}
	return d, p, nil
}

// basisHash identifies what a decision is calculated on: the household
// snapshot and the rules.
func basisHash(d bistand.Decision) string {
	return hashValues([]any{string(d.Snapshot), d.RulesVersion, d.ParamsHash})
}

func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// ApproveProposal records a pending proposal's decision, approved by actor:
// a caseworker other than the proposer. The decision is the one proposed
// (DecidedBy the proposer, ApprovedBy actor, the proposer's motivation); it
// is recorded, the application moved to decided (unless the decision
// replaces another) and the proposal marked approved in one transaction.
// If the application changed state since the proposal, or the facts or
// rules it was calculated on changed, the approval is refused with
// ErrConflict: the proposal is then refused or withdrawn and made again.
func (s *Store) ApproveProposal(ctx context.Context, actor bistand.Actor, proposalID, note string) (bistand.Decision, error) {
	if actor.Kind != bistand.ActorCaseworker {
		return bistand.Decision{}, fmt.Errorf("%w: a caseworker approves a proposed decision", bistand.ErrForbidden)
	}
	var d bistand.Decision
	err := s.write(ctx, actor, func(w *wtx) error {
		p, a, err := w.pendingProposal(proposalID)
		if err != nil {
			return err
		}
		if p.ProposedBy == actor {
			return fmt.Errorf("%w: a second caseworker, not the proposer, approves a proposal", bistand.ErrForbidden)
		}
		if a.Version != p.AppVersion {
			return fmt.Errorf("%w: application %s changed since the proposal (now %s)", bistand.ErrConflict, a.ID, a.State)
		}
		// The decision as proposed, by the proposer, on the same facts and
		// rules: anything else was not what the approver was shown.
		amount := p.Amount
		in := DecideInput{Outcome: p.Outcome, Amount: &amount, Motivation: p.Motivation, Replaces: p.Replaces}
		prepared, res, err := w.calculateDecision(a, p.ProposedBy, in)
		if err != nil {
			return err
		}
		if basisHash(prepared) != p.BasisHash {
			return fmt.Errorf("%w: the facts or rules of application %s changed since the proposal", bistand.ErrConflict, a.ID)
		}
		if err := decideAmount(&prepared, res, p.ProposedBy, in); err != nil {
			return err
		}
		if prepared.Outcome != p.Outcome || prepared.Amount != p.Amount {
			return fmt.Errorf("%w: proposal %s no longer decides %s %s", bistand.ErrConflict, p.ID, p.Outcome, p.Amount)
		}
		prepared.ApprovedBy = actor
		if err := w.recordDecision(&a, prepared); err != nil {
			return err
		}
		d = prepared
		return w.review(p, bistand.ProposalApproved, note, d.ID)
	})
	if err != nil {
		return bistand.Decision{}, err
	}
	return d, nil
}

// RefuseProposal refuses a pending proposal: by a caseworker other than
// the proposer, saying why.
func (s *Store) RefuseProposal(ctx context.Context, actor bistand.Actor, proposalID, note string) error {
	if actor.Kind != bistand.ActorCaseworker {
		return fmt.Errorf("%w: a caseworker refuses a proposed decision", bistand.ErrForbidden)
	}
	if note == "" {
		return fmt.Errorf("%w: say why the proposal is refused", bistand.ErrInvalid)
	}
	return s.write(ctx, actor, func(w *wtx) error {
		p, _, err := w.pendingProposal(proposalID)
		if err != nil {
			return err
		}
		if p.ProposedBy == actor {
			return fmt.Errorf("%w: a second caseworker, not the proposer, refuses a proposal (the proposer withdraws it)", bistand.ErrForbidden)
		}
		return w.review(p, bistand.ProposalRefused, note, "")
	})
}

// WithdrawProposal withdraws a pending proposal, by its proposer.
func (s *Store) WithdrawProposal(ctx context.Context, actor bistand.Actor, proposalID string) error {
	return s.write(ctx, actor, func(w *wtx) error {
		p, _, err := w.pendingProposal(proposalID)
		if err != nil {
			return err
		}
		if p.ProposedBy != actor {
			return fmt.Errorf("%w: only the proposer withdraws a proposal", bistand.ErrForbidden)
		}
		return w.review(p, bistand.ProposalWithdrawn, "", "")
	})
}

// pendingProposal reads a proposal and its application under the
// application's lock, and refuses one that is no longer pending.
func (w *wtx) pendingProposal(id string) (bistand.Proposal, bistand.Application, error) {
	p, err := proposal(w.ctx, w, id)
	if err != nil {
		return p, bistand.Application{}, err
	}
	a, err := w.lockedApp(p.ApplicationID)
	if err != nil {
		return p, a, err
	}
	// Read again under the lock: a concurrent review may have committed.
	if p, err = proposal(w.ctx, w, id); err != nil {
		return p, a, err
	}
	if p.Status != bistand.ProposalPending {
		return p, a, fmt.Errorf("%w: proposal %s is %s", bistand.ErrConflict, id, p.Status)
	}
	return p, a, nil
}

// review closes a pending proposal with a status.
func (w *wtx) review(p bistand.Proposal, status, note, decisionID string) error {
	before, err := rowHash(w.ctx, w, "decision_proposals", p.ID)
	if err != nil {
		return err
	}
	k, id := actorOf(w.actor)
	res, err := w.ExecContext(w.ctx, `UPDATE decision_proposals SET status = $1, reviewed_by_kind = $2, reviewed_by_id = $3, review_note = $4, reviewed_at = $5, decision_id = $6
		WHERE id = $7 AND status = $8`, status, k, id, note, w.at, nullable(decisionID), p.ID, bistand.ProposalPending)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("%w: proposal %s changed meanwhile", bistand.ErrConflict, p.ID)
	}
	reason := note
	if reason == "" {
		reason = status
	}
	return w.audit(ActionUpdate, "decision_proposals", p.ID, p.CaseID, reason, before)
}

// Proposal returns a proposal by id.
func (s *Store) Proposal(ctx context.Context, id string) (bistand.Proposal, error) {
	return proposal(ctx, s.r(), id)
}

// Proposals returns an application's proposals, oldest first; status ""
// means all.
func (s *Store) Proposals(ctx context.Context, appID, status string) ([]bistand.Proposal, error) {
	return proposals(ctx, s.r(), appID, status, 0)
}

// PendingProposals returns up to limit proposals waiting for approval, the
// oldest first: a second caseworker's work queue.
func (s *Store) PendingProposals(ctx context.Context, limit int) ([]bistand.Proposal, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT "+proposalColumns+" FROM decision_proposals WHERE status = $1 ORDER BY created_at, id LIMIT $2", bistand.ProposalPending, limit)
	if err != nil {
		return nil, err
	}
	return scanProposals(rows)
}

func proposal(ctx context.Context, q queryer, id string) (bistand.Proposal, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+proposalColumns+" FROM decision_proposals WHERE id = $1", id)
	if err != nil {
		return bistand.Proposal{}, err
	}
	ps, err := scanProposals(rows)
	if err != nil {
		return bistand.Proposal{}, err
	}
	if len(ps) == 0 {
		return bistand.Proposal{}, notFound("proposal", id)
	}
	return ps[0], nil
}

// proposals lists an application's proposals in a status ("" all), oldest
// first; limit 0 means all.
func proposals(ctx context.Context, q queryer, appID, status string, limit int) ([]bistand.Proposal, error) {
	query := "SELECT " + proposalColumns + " FROM decision_proposals WHERE application_id = $1"
	args := []any{appID}
	if status != "" {
		query += " AND status = $2"
		args = append(args, status)
	}
	query += " ORDER BY created_at, id"
	if limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanProposals(rows)
}

func scanProposals(rows *sql.Rows) ([]bistand.Proposal, error) {
	defer rows.Close()
	var out []bistand.Proposal
	for rows.Next() {
		var p bistand.Proposal
		var outcome, pk, created, rk, reviewed string
		var amount int64
		var replaces, decision sql.NullString
		if err := rows.Scan(&p.ID, &p.ApplicationID, &p.CaseID, &outcome, &amount, &p.Motivation, &replaces, &p.AppVersion, &p.BasisHash,
			&pk, &p.ProposedBy.ID, &created, &p.Status, &rk, &p.ReviewedBy.ID, &p.ReviewNote, &reviewed, &decision); err != nil {
			return nil, err
		}
		p.Outcome, p.Amount, p.Replaces, p.DecisionID = bistand.Outcome(outcome), bistand.Money(amount), replaces.String, decision.String
		p.ProposedBy.Kind, p.ReviewedBy.Kind = bistand.ActorKind(pk), bistand.ActorKind(rk)
		p.CreatedAt, p.ReviewedAt = parseTime(created), parseTime(reviewed)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
