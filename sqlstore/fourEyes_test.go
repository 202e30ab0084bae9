package sqlstore_test

// Four eyes: a caseworker's decision above the municipality's amount waits
// as a proposal for a second caseworker, on every engine.

import (
	"errors"
	"sync"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// colleague is a second caseworker.
var colleague = bistand.Actor{Kind: bistand.ActorCaseworker, ID: "hl-bo"}

func (f *fixture) mustVerify() {
	f.t.Helper()
	if rep := f.verify(); !rep.OK() {
		f.t.Fatalf("verify: %s", rep.Problem)
	}
}

// propose makes a proposal that must be stored as one.
func (f *fixture) propose(actor bistand.Actor, appID string, in sqlstore.DecideInput, above bistand.Money) bistand.Proposal {
	f.t.Helper()
	d, p, err := f.store.ProposeDecision(f.ctx, actor, appID, in, above)
	if err != nil || p == nil || d.ID != "" {
		f.t.Fatalf("propose: decision %q, proposal %v, %v", d.ID, p, err)
	}
	return *p
}

func TestProposeBelowThresholdDecides(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, _ := f.home()
		for _, c := range []struct {
			name  string
			actor bistand.Actor
			in    sqlstore.DecideInput
			above bistand.Money
			want  bistand.Money
		}{
			{"calculated amount below", worker, sqlstore.DecideInput{Motivation: "styrkt"}, bistand.Kronor(20000), bistand.Kronor(exampleAmount)},
			{"calculated amount equal", worker, sqlstore.DecideInput{Motivation: "styrkt"}, bistand.Kronor(exampleAmount), bistand.Kronor(exampleAmount)},
			{"four eyes off", worker, sqlstore.DecideInput{Motivation: "styrkt"}, 0, bistand.Kronor(exampleAmount)},
			// The amount asked for counts, not the calculated one.
			{"amount asked for below", worker, sqlstore.DecideInput{Amount: kr(9000), Motivation: "delvis"}, bistand.Kronor(10000), bistand.Kronor(9000)},
			// The robot's decisions are not a caseworker's.
			{"robot", robot, sqlstore.DecideInput{}, bistand.Kronor(1000), bistand.Kronor(exampleAmount)},
		} {
			app := f.to(h, f.newApp(h), bistand.Assessed)
			d, p, err := f.store.ProposeDecision(f.ctx, c.actor, app.ID, c.in, c.above)
			if err != nil || p != nil || d.ID == "" {
				t.Fatalf("%s: decision %q, proposal %v, %v", c.name, d.ID, p, err)
			}
			if d.Amount != c.want || d.DecidedBy != c.actor || d.ApprovedBy != (bistand.Actor{}) {
				t.Errorf("%s: decision %s by %s approved by %s", c.name, d.Amount, d.DecidedBy, d.ApprovedBy)
			}
			if st := f.app(app.ID).State; st != bistand.Decided {
				t.Errorf("%s: state %s", c.name, st)
			}
			stored, err := f.store.Decision(f.ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameDecision(t, stored, d)
		}
		if n := f.count("SELECT COUNT(*) FROM decision_proposals"); n != 0 {
			t.Errorf("%d proposals", n)
		}
		f.mustVerify()
	})
}

func TestProposeAboveThreshold(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Assessed)
		// Checked as Decide checks: nothing stored when refused.
		_, _, err := f.store.ProposeDecision(f.ctx, worker, app.ID, sqlstore.DecideInput{}, bistand.Kronor(10000))
		wantErr(t, err, bistand.ErrInvalid) // no motivation
		_, _, err = f.store.ProposeDecision(f.ctx, applicant(h.a), app.ID, sqlstore.DecideInput{Motivation: "x"}, bistand.Kronor(10000))
		wantErr(t, err, bistand.ErrForbidden)
		_, _, err = f.store.ProposeDecision(f.ctx, worker, app.ID, sqlstore.DecideInput{Amount: kr(-1), Motivation: "fel"}, bistand.Kronor(10000))
		wantErr(t, err, bistand.ErrInvalid)
		_, _, err = f.store.ProposeDecision(f.ctx, worker, app.ID, sqlstore.DecideInput{Amount: kr(12000), Outcome: bistand.OutcomeApproved, Motivation: "fel"}, bistand.Kronor(10000))
		wantErr(t, err, bistand.ErrInvalid) // 12 000 of 12 950 is partly approved
		draft := f.newApp(h)
		_, _, err = f.store.ProposeDecision(f.ctx, worker, draft.ID, sqlstore.DecideInput{Motivation: "x"}, bistand.Kronor(10000))
		wantErr(t, err, bistand.ErrInvalidTransition)
		_, _, err = f.store.ProposeDecision(f.ctx, worker, app.ID, sqlstore.DecideInput{Motivation: "x", Enqueue: []sqlstore.Job{{Kind: "letter"}}}, bistand.Kronor(10000))
		wantErr(t, err, bistand.ErrInvalid) // a proposal carries no jobs
		_, _, err = f.store.ProposeDecision(f.ctx, worker, app.ID, sqlstore.DecideInput{Motivation: "x", IfState: bistand.Collecting}, bistand.Kronor(10000))
		wantErr(t, err, bistand.ErrConflict)
		if n := f.count("SELECT COUNT(*) FROM decision_proposals"); n != 0 {
			t.Fatalf("%d proposals after refusals", n)
		}

		p := f.propose(worker, app.ID, sqlstore.DecideInput{Motivation: "Hyran styrkt med kontrakt."}, bistand.Kronor(10000))
		if p.Status != bistand.ProposalPending || p.Outcome != bistand.OutcomeApproved || p.Amount != bistand.Kronor(exampleAmount) ||
			p.ProposedBy != worker || p.ApplicationID != app.ID || p.CaseID != h.c.ID || p.Motivation != "Hyran styrkt med kontrakt." ||
			p.AppVersion != f.app(app.ID).Version || p.BasisHash == "" || p.CreatedAt.IsZero() || p.Replaces != "" || p.DecisionID != "" {
			t.Errorf("proposal %+v", p)
		}
		// Nothing is decided yet.
		if st := f.app(app.ID).State; st != bistand.Assessed {
			t.Errorf("state %s", st)
		}
		if n := f.count("SELECT COUNT(*) FROM decisions WHERE application_id = $1", app.ID); n != 0 {
			t.Errorf("%d decisions", n)
		}
		// The amount asked for counts: 11 000 is above 10 000.
		other := f.to(h, f.newApp(h), bistand.Assessed)
		p2 := f.propose(worker, other.ID, sqlstore.DecideInput{Amount: kr(11000), Motivation: "delvis"}, bistand.Kronor(10000))
		if p2.Outcome != bistand.OutcomePartlyApproved || p2.Amount != bistand.Kronor(11000) {
			t.Errorf("proposal %s %s", p2.Outcome, p2.Amount)
		}
		got, err := f.store.Proposals(f.ctx, app.ID, bistand.ProposalPending)
		if err != nil || len(got) != 1 || got[0] != p {
			t.Errorf("Proposals: %+v %v, want %+v", got, err, p)
		}
		if got, err := f.store.Proposal(f.ctx, p.ID); err != nil || got != p {
			t.Errorf("Proposal: %+v %v", got, err)
		}
		_, err = f.store.Proposal(f.ctx, "prop-nothing")
		wantErr(t, err, bistand.ErrNotFound)
		queue, err := f.store.PendingProposals(f.ctx, 10)
		if err != nil || len(queue) != 2 || queue[0].ID != p.ID || queue[1].ID != p2.ID {
			t.Errorf("PendingProposals: %v %v", queue, err)
		}
		if queue, _ := f.store.PendingProposals(f.ctx, 1); len(queue) != 1 {
			t.Errorf("PendingProposals(1): %d", len(queue))
		}
		if n := f.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'decision_proposals' AND entity_id = $1 AND action = 'create' AND actor_id = $2", p.ID, worker.ID); n != 1 {
			t.Errorf("%d audit events for the proposal", n)
		}
		f.mustVerify()
	})
}

func TestApproveProposal(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Assessed)
		p := f.propose(worker, app.ID, sqlstore.DecideInput{Amount: kr(12000), Motivation: "Elkostnaden är inte styrkt."}, bistand.Kronor(10000))
		for _, actor := range []bistand.Actor{worker, robot, system, applicant(h.a)} {
			_, err := f.store.ApproveProposal(f.ctx, actor, p.ID, "ok")
			wantErr(t, err, bistand.ErrForbidden)
		}
		_, err := f.store.ApproveProposal(f.ctx, colleague, "prop-nothing", "ok")
		wantErr(t, err, bistand.ErrNotFound)
		if st := f.app(app.ID).State; st != bistand.Assessed {
			t.Fatalf("state %s after refused approvals", st)
		}
		d, err := f.store.ApproveProposal(f.ctx, colleague, p.ID, "Granskat, stämmer.")
		if err != nil {
			t.Fatal(err)
		}
		if d.DecidedBy != worker || d.ApprovedBy != colleague || d.Amount != bistand.Kronor(12000) || d.Outcome != bistand.OutcomePartlyApproved ||
			d.Motivation != p.Motivation || d.ApplicationID != app.ID || d.Replaces != "" {
			t.Errorf("decision %+v", d)
		}
		stored, err := f.store.Decision(f.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameDecision(t, stored, d)
		if stored.ApprovedBy != colleague {
			t.Errorf("stored approver %s", stored.ApprovedBy)
		}
		replay(t, stored, bistand.Kronor(exampleAmount))
		if st := f.app(app.ID).State; st != bistand.Decided {
			t.Errorf("state %s", st)
		}
		trs := f.transitions(app.ID)
		if last := trs[len(trs)-1]; last.To != bistand.Decided || last.Actor != colleague {
			t.Errorf("last transition %+v", last)
		}
		got, err := f.store.Proposal(f.ctx, p.ID)
		if err != nil || got.Status != bistand.ProposalApproved || got.ReviewedBy != colleague || got.ReviewNote != "Granskat, stämmer." ||
			got.ReviewedAt.IsZero() || got.DecisionID != d.ID {
			t.Errorf("approved proposal %+v %v", got, err)
		}
		// The approval is the second caseworker's act in the audit.
		if n := f.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'decisions' AND entity_id = $1 AND action = 'create' AND actor_id = $2", d.ID, colleague.ID); n != 1 {
			t.Errorf("%d audit events for the decision by the approver", n)
		}
		if n := f.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'decision_proposals' AND entity_id = $1 AND action = 'update' AND actor_id = $2", p.ID, colleague.ID); n != 1 {
			t.Errorf("%d audit events for the approval", n)
		}
		_, err = f.store.ApproveProposal(f.ctx, colleague, p.ID, "igen")
		wantErr(t, err, bistand.ErrConflict)
		if n := f.count("SELECT COUNT(*) FROM decisions WHERE application_id = $1", app.ID); n != 1 {
			t.Errorf("%d decisions", n)
		}
		f.mustVerify()

		// A replacement above the amount needs four eyes too.
		p3 := f.propose(worker, app.ID, sqlstore.DecideInput{Replaces: d.ID, Motivation: "Omprövning: elkostnaden styrkt."}, bistand.Kronor(10000))
		if p3.Replaces != d.ID || p3.Amount != bistand.Kronor(exampleAmount) {
			t.Errorf("replacement proposal %+v", p3)
		}
		d3, err := f.store.ApproveProposal(f.ctx, colleague, p3.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if cur, err := f.store.CurrentDecision(f.ctx, app.ID); err != nil || cur.ID != d3.ID || cur.Replaces != d.ID || cur.ApprovedBy != colleague {
			t.Errorf("decision in force %+v %v", cur, err)
		}
		f.mustVerify()

		// The approver is covered by the audit: changing it by hand is found.
		f.exec("UPDATE decisions SET approved_by_id = 'hl-x' WHERE id = $1", d.ID)
		if rep := f.verify(); rep.OK() {
			t.Error("a changed approver verified")
		}
		f.exec("UPDATE decisions SET approved_by_id = $1 WHERE id = $2", colleague.ID, d.ID)
		f.mustVerify()
		// So is an approver written into a decision that had none.
		robotDecided := f.to(h, f.newApp(h), bistand.Decided)
		f.exec("UPDATE decisions SET approved_by_kind = 'caseworker', approved_by_id = 'hl-x' WHERE application_id = $1", robotDecided.ID)
		if rep := f.verify(); rep.OK() {
			t.Error("an approver added by hand verified")
		}
	})
}

func TestRefuseAndWithdrawProposal(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Assessed)
		in := sqlstore.DecideInput{Motivation: "Beviljas enligt beräkning."}
		p := f.propose(worker, app.ID, in, bistand.Kronor(10000))
		wantErr(t, f.store.RefuseProposal(f.ctx, worker, p.ID, "eget förslag"), bistand.ErrForbidden)
		wantErr(t, f.store.RefuseProposal(f.ctx, robot, p.ID, "nej"), bistand.ErrForbidden)
		wantErr(t, f.store.RefuseProposal(f.ctx, colleague, p.ID, ""), bistand.ErrInvalid)
		wantErr(t, f.store.RefuseProposal(f.ctx, colleague, "prop-nothing", "nej"), bistand.ErrNotFound)
		if err := f.store.RefuseProposal(f.ctx, colleague, p.ID, "Hyran är inte styrkt."); err != nil {
			t.Fatal(err)
		}
		got, _ := f.store.Proposal(f.ctx, p.ID)
		if got.Status != bistand.ProposalRefused || got.ReviewedBy != colleague || got.ReviewNote != "Hyran är inte styrkt." || got.ReviewedAt.IsZero() || got.DecisionID != "" {
			t.Errorf("refused proposal %+v", got)
		}
		wantErr(t, f.store.WithdrawProposal(f.ctx, worker, p.ID), bistand.ErrConflict)
		_, err := f.store.ApproveProposal(f.ctx, colleague, p.ID, "ändå")
		wantErr(t, err, bistand.ErrConflict)
		if st := f.app(app.ID).State; st != bistand.Assessed {
			t.Errorf("state %s after refusal", st)
		}

		// Refused, a new proposal may be made; its proposer withdraws it.
		p2 := f.propose(worker, app.ID, in, bistand.Kronor(10000))
		wantErr(t, f.store.WithdrawProposal(f.ctx, colleague, p2.ID), bistand.ErrForbidden)
		wantErr(t, f.store.WithdrawProposal(f.ctx, robot, p2.ID), bistand.ErrForbidden)
		if err := f.store.WithdrawProposal(f.ctx, worker, p2.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = f.store.Proposal(f.ctx, p2.ID)
		if got.Status != bistand.ProposalWithdrawn || got.ReviewedBy != worker || got.ReviewedAt.IsZero() {
			t.Errorf("withdrawn proposal %+v", got)
		}
		wantErr(t, f.store.WithdrawProposal(f.ctx, worker, p2.ID), bistand.ErrConflict)
		wantErr(t, f.store.RefuseProposal(f.ctx, colleague, p2.ID, "nej"), bistand.ErrConflict)
		_, err = f.store.ApproveProposal(f.ctx, colleague, p2.ID, "ok")
		wantErr(t, err, bistand.ErrConflict)

		all, err := f.store.Proposals(f.ctx, app.ID, "")
		if err != nil || len(all) != 2 || all[0].ID != p.ID || all[1].ID != p2.ID {
			t.Fatalf("Proposals: %v %v", all, err)
		}
		if pending, _ := f.store.Proposals(f.ctx, app.ID, bistand.ProposalPending); len(pending) != 0 {
			t.Errorf("%d pending", len(pending))
		}
		if queue, _ := f.store.PendingProposals(f.ctx, 10); len(queue) != 0 {
			t.Errorf("work queue %v", queue)
		}
		if n := f.count("SELECT COUNT(*) FROM decisions"); n != 0 {
			t.Errorf("%d decisions", n)
		}
		f.mustVerify()
		f.exec("UPDATE decision_proposals SET review_note = 'ändrad' WHERE id = $1", p.ID)
		if rep := f.verify(); rep.OK() {
			t.Error("an edited proposal verified")
		}
	})
}

func TestOnePendingProposalPerApplication(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Assessed)
		f.propose(worker, app.ID, sqlstore.DecideInput{Motivation: "första"}, bistand.Kronor(10000))
		_, _, err := f.store.ProposeDecision(f.ctx, colleague, app.ID, sqlstore.DecideInput{Motivation: "andra"}, bistand.Kronor(10000))
		wantErr(t, err, bistand.ErrConflict)
		// Nor does anyone decide through ProposeDecision meanwhile, even
		// below the amount.
		_, _, err = f.store.ProposeDecision(f.ctx, colleague, app.ID, sqlstore.DecideInput{Amount: kr(5000), Motivation: "delvis"}, bistand.Kronor(10000))
		wantErr(t, err, bistand.ErrConflict)
		if n := f.count("SELECT COUNT(*) FROM decision_proposals WHERE application_id = $1", app.ID); n != 1 {
			t.Errorf("%d proposals", n)
		}
		// The schema holds the rule too.
		_, err = f.db.ExecContext(f.ctx, `INSERT INTO decision_proposals (id, application_id, case_id, outcome, amount_ore, motivation, app_version, basis_hash, proposed_by_kind, proposed_by_id, created_at, status)
			VALUES ('prop-x', $1, $2, 'approved', 1, 'x', 1, 'x', 'caseworker', 'hl-x', '2026-03-10T09:00:00.000000Z', 'pending')`, app.ID, h.c.ID)
		if err == nil {
			t.Error("a second pending proposal was inserted")
		}

		// Concurrent proposals on one application: exactly one is stored.
		other := f.to(h, f.newApp(h), bistand.Assessed)
		var wg sync.WaitGroup
		var mu sync.Mutex
		oks, conflicts := 0, 0
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				actor := worker
				if i%2 == 1 {
					actor = colleague
				}
				_, p, err := f.store.ProposeDecision(f.ctx, actor, other.ID, sqlstore.DecideInput{Motivation: "samtidigt"}, bistand.Kronor(10000))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && p != nil:
					oks++
				case errors.Is(err, bistand.ErrConflict):
					conflicts++
				default:
					t.Errorf("concurrent proposal: %v", err)
				}
			}()
		}
		wg.Wait()
		if oks != 1 || conflicts != 5 {
			t.Errorf("%d proposals stored, %d conflicts; want 1 and 5", oks, conflicts)
		}
		if n := f.count("SELECT COUNT(*) FROM decision_proposals WHERE application_id = $1", other.ID); n != 1 {
			t.Errorf("%d proposals stored", n)
		}
		f.mustVerify()
	})
}

func TestStaleProposal(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		in := sqlstore.DecideInput{Motivation: "Beviljas enligt beräkning."}

		// The application left assessed and came back: its state changed
		// since the proposal, even though it is assessed again.
		app = f.to(h, app, bistand.Assessed)
		p := f.propose(worker, app.ID, in, bistand.Kronor(10000))
		f.move(robot, app, bistand.SupplementRequested)
		_, err := f.store.ApproveProposal(f.ctx, colleague, p.ID, "ok")
		wantErr(t, err, bistand.ErrConflict)
		f.move(applicant(h.a), f.app(app.ID), bistand.Supplemented)
		f.move(robot, f.app(app.ID), bistand.Collecting)
		f.move(robot, f.app(app.ID), bistand.Assessed)
		_, err = f.store.ApproveProposal(f.ctx, colleague, p.ID, "ok")
		wantErr(t, err, bistand.ErrConflict)
		if st := f.app(app.ID).State; st != bistand.Assessed {
			t.Errorf("state %s", st)
		}
		if n := f.count("SELECT COUNT(*) FROM decisions"); n != 0 {
			t.Errorf("%d decisions from a stale proposal", n)
		}
		// Still pending: it is refused, and a fresh one approved.
		if got, _ := f.store.Proposal(f.ctx, p.ID); got.Status != bistand.ProposalPending {
			t.Errorf("status %s", got.Status)
		}
		if err := f.store.RefuseProposal(f.ctx, colleague, p.ID, "Ärendet har ändrats."); err != nil {
			t.Fatal(err)
		}

		// A caseworker's fact changed what the decision is calculated on.
		other := f.to(h, f.newApp(h), bistand.Assessed)
		p2 := f.propose(worker, other.ID, in, bistand.Kronor(10000))
		rent := fact("cost:rent", bistand.FactCost, map[string]any{"type": "rent", "amount": 7400})
		rent.Provenance, rent.Reason = bistand.Caseworker, "ny hyresavi"
		must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, colleague, other.ID, []sqlstore.FactInput{rent}))
		_, err = f.store.ApproveProposal(f.ctx, colleague, p2.ID, "ok")
		wantErr(t, err, bistand.ErrConflict)
		if st := f.app(other.ID).State; st != bistand.Assessed {
			t.Errorf("state %s", st)
		}
		if err := f.store.WithdrawProposal(f.ctx, worker, p2.ID); err != nil {
			t.Fatal(err)
		}
		p3 := f.propose(worker, other.ID, in, bistand.Kronor(10000))
		d, err := f.store.ApproveProposal(f.ctx, colleague, p3.ID, "")
		if err != nil || d.Amount != bistand.Kronor(exampleAmount+200) {
			t.Errorf("fresh proposal approved: %s %v", d.Amount, err)
		}

		// The decision a replacement proposal would replace was replaced
		// meanwhile.
		decided := f.to(h, f.newApp(h), bistand.Decided)
		d1, _ := f.store.CurrentDecision(f.ctx, decided.ID)
		p4 := f.propose(worker, decided.ID, sqlstore.DecideInput{Replaces: d1.ID, Motivation: "omprövning"}, bistand.Kronor(10000))
		if _, _, err := f.store.Decide(f.ctx, colleague, decided.ID, sqlstore.DecideInput{Replaces: d1.ID, Amount: kr(5000), Motivation: "annan omprövning"}); err != nil {
			t.Fatal(err)
		}
		_, err = f.store.ApproveProposal(f.ctx, colleague, p4.ID, "ok")
		wantErr(t, err, bistand.ErrConflict)
		f.mustVerify()
	})
}
