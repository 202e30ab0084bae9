package sqlstore_test

// ApplyForMonth, SignAndSubmit, Signatures and AnswerSupplement, on every
// engine.

import (
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

func TestApplyForMonthAndSign(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		a, b, child := f.person("1985-04-02"), f.person("1987-01-20"), f.person("2018-10-01")
		c := must[bistand.Case](t)(f.store.OpenCase(f.ctx, system, "national", []bistand.CaseMember{
			{PersonID: a.ID, Role: "applicant"}, {PersonID: b.ID, Role: "partner"}, {PersonID: child.ID, Role: "child"}}))
		collect := func(app bistand.Application) []sqlstore.Job {
			return []sqlstore.Job{{Kind: "collect", Args: map[string]string{"application_id": app.ID}}}
		}
		signedBy := func(p bistand.Person) sqlstore.Signed {
			return sqlstore.Signed{PersonID: p.ID, Method: "demo", Reference: "demo-" + p.ID}
		}

		// Another person's signature, a child's application: refused.
		_, err := f.store.ApplyForMonth(f.ctx, applicant(a), c.ID, march2026, exampleFacts(a.ID, b.ID, child.ID), signedBy(b), collect)
		wantErr(t, err, bistand.ErrForbidden)
		_, err = f.store.ApplyForMonth(f.ctx, applicant(child), c.ID, march2026, nil, signedBy(child), collect)
		wantErr(t, err, bistand.ErrForbidden)

		// The applicant applies: a draft with the facts and one signature,
		// no job yet.
		app, err := f.store.ApplyForMonth(f.ctx, applicant(a), c.ID, march2026, exampleFacts(a.ID, b.ID, child.ID), signedBy(a), collect)
		if err != nil {
			t.Fatal(err)
		}
		if app.State != bistand.Draft || f.app(app.ID).State != bistand.Draft {
			t.Fatalf("state %s, want draft waiting for the partner", app.State)
		}
		if n := len(sqlstore.Effective(f.facts(app.ID))); n != len(exampleFacts(a.ID, b.ID, child.ID)) {
			t.Errorf("%d facts", n)
		}
		if n := f.count("SELECT COUNT(*) FROM test_jobs"); n != 0 {
			t.Errorf("%d jobs before the partner signed", n)
		}
		// A second application for the month is a conflict, and a failed
		// one leaves nothing behind.
		apps := f.count("SELECT COUNT(*) FROM applications")
		_, err = f.store.ApplyForMonth(f.ctx, applicant(b), c.ID, march2026, nil, signedBy(b), collect)
		wantErr(t, err, bistand.ErrConflict)
		if f.count("SELECT COUNT(*) FROM applications") != apps {
			t.Error("a refused application was stored")
		}

		// Signing twice is a conflict; the partner's signature submits,
		// with the job, in one go.
		_, _, err = f.store.SignAndSubmit(f.ctx, applicant(a), app.ID, signedBy(a), collect)
		wantErr(t, err, bistand.ErrConflict)
		_, _, err = f.store.SignAndSubmit(f.ctx, applicant(a), app.ID, signedBy(b), collect)
		wantErr(t, err, bistand.ErrForbidden)
		got, submitted, err := f.store.SignAndSubmit(f.ctx, applicant(b), app.ID, signedBy(b), collect)
		if err != nil || !submitted || got.State != bistand.Submitted || got.SubmittedAt.IsZero() {
			t.Fatalf("partner's signature: %v %v %+v", submitted, err, got)
		}
		if n := f.count("SELECT COUNT(*) FROM test_jobs WHERE kind = 'collect'"); n != 1 {
			t.Errorf("%d collect jobs", n)
		}
		sigs, err := f.store.Signatures(f.ctx, app.ID)
		if err != nil || len(sigs) != 2 || sigs[0].PersonID != a.ID || sigs[1].PersonID != b.ID || sigs[0].Method != "demo" {
			t.Fatalf("signatures %+v %v", sigs, err)
		}

		// Withdrawn, the month may be applied for again; alone, one
		// signature submits.
		f.move(applicant(a), got, bistand.Withdrawn)
		single := f.person("1990-01-01")
		c2 := must[bistand.Case](t)(f.store.OpenCase(f.ctx, system, "national", []bistand.CaseMember{{PersonID: single.ID, Role: "applicant"}}))
		facts := []sqlstore.FactInput{fact("member:"+single.ID, bistand.FactMember, map[string]any{"person_id": single.ID, "role": "applicant"})}
		one, err := f.store.ApplyForMonth(f.ctx, applicant(single), c2.ID, march2026, facts, signedBy(single), collect)
		if err != nil || one.State != bistand.Submitted {
			t.Fatalf("alone: %v %s", err, one.State)
		}
		again, err := f.store.ApplyForMonth(f.ctx, applicant(b), c.ID, march2026, exampleFacts(a.ID, b.ID, child.ID), signedBy(b), collect)
		if err != nil || again.State != bistand.Draft {
			t.Fatalf("after withdrawal: %v %s", err, again.State)
		}
		// Someone outside the case cannot sign.
		_, _, err = f.store.SignAndSubmit(f.ctx, applicant(single), again.ID, signedBy(single), collect)
		wantErr(t, err, bistand.ErrForbidden)
		if r := f.verify(); !r.OK() {
			t.Fatal(r.Problem)
		}
	})
}

func TestAnswerSupplement(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		job := []sqlstore.Job{{Kind: "collect", Args: map[string]string{"application_id": app.ID}}}
		// Not while collecting.
		app = f.to(h, app, bistand.Collecting)
		_, err := f.store.AnswerSupplement(f.ctx, applicant(h.a), app.ID, "hej", nil, job)
		wantErr(t, err, bistand.ErrInvalidTransition)
		app = f.move(robot, app, bistand.SupplementRequested)
		// Only the household answers, with declared facts.
		_, err = f.store.AnswerSupplement(f.ctx, worker, app.ID, "hej", nil, job)
		wantErr(t, err, bistand.ErrForbidden)
		other := f.person("1970-01-01")
		_, err = f.store.AnswerSupplement(f.ctx, applicant(other), app.ID, "hej", nil, job)
		wantErr(t, err, bistand.ErrForbidden)
		rent := fact("cost:rent", bistand.FactCost, map[string]any{"type": "rent", "amount": 7300})
		bad := rent
		bad.Provenance = bistand.Register
		_, err = f.store.AnswerSupplement(f.ctx, applicant(h.a), app.ID, "hej", []sqlstore.FactInput{bad}, job)
		wantErr(t, err, bistand.ErrInvalid)

		got, err := f.store.AnswerSupplement(f.ctx, applicant(h.b), app.ID, "Hyresavin bifogad. Mitt nummer 19850402-1234.", []sqlstore.FactInput{rent}, job)
		if err != nil || got.State != bistand.Supplemented {
			t.Fatalf("answer: %v %s", err, got.State)
		}
		trs := f.transitions(app.ID)
		last := trs[len(trs)-1]
		if last.To != bistand.Supplemented || last.Actor.ID != h.b.ID || last.Reason != "Hyresavin bifogad. Mitt nummer [nummer]." {
			t.Errorf("transition %+v", last)
		}
		eff := sqlstore.Effective(f.facts(app.ID))
		for _, fa := range eff {
			if fa.Key == "cost:rent" && string(fa.Value) != `{"amount":7300,"type":"rent"}` {
				t.Errorf("rent %s", fa.Value)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM test_jobs WHERE kind = 'collect'"); n != 1 {
			t.Errorf("%d collect jobs", n)
		}
		// Answered once only.
		_, err = f.store.AnswerSupplement(f.ctx, applicant(h.a), app.ID, "igen", nil, job)
		wantErr(t, err, bistand.ErrInvalidTransition)
	})
}
