package sqlstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// TestChange: a step's writes made together are kept together, or, when
// one of them fails, none is: the application stays where it was and no
// fact, finding or decision of the change remains.
func TestChange(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		a, b, app := f.submitted()
		before := must[[]bistand.Fact](t)(f.store.Facts(f.ctx, app.ID))
		draw, _ := json.Marshal(map[string]any{"per_mille": 20, "draw": 500, "selected": false})
		drawFact := sqlstore.FactInput{Key: "random_check", Kind: bistand.FactRandomCheck, Value: draw, Provenance: bistand.Automated, Reason: "Stickprov"}
		salary, _ := json.Marshal(map[string]any{"type": "salary", "person": b.ID, "amount": 8100})
		registerFact := sqlstore.FactInput{Key: "income:salary:" + b.ID, Kind: bistand.FactIncome, Value: salary, Provenance: bistand.Register,
			Source: "skv", Reference: "ref-1", ObservedAt: time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC)}
		finding := sqlstore.FindingInput{Kind: bistand.FindingIncomeChange, Subject: "lön", Text: "Inkomsten har ändrats."}

		// The last write fails (a decision on a collecting application):
		// the move to collecting, the fact and the finding go with it.
		// (No t.Fatal inside a change: on SQLite it runs on the writer.)
		var early error
		err := f.store.Change(f.ctx, robot, func(c *sqlstore.Change) error {
			if _, ok, err := c.Transition(app.ID, bistand.Collecting, "", sqlstore.TransitionOptions{IfState: bistand.Submitted}); err != nil || !ok {
				early = errors.Join(err, errors.New("to collecting: not moved"))
				return early
			}
			if err := c.RecordCollection(app.ID, []sqlstore.FactInput{registerFact}, []sqlstore.FindingInput{finding}, nil); err != nil {
				early = err
				return err
			}
			_, _, err := c.Decide(app.ID, sqlstore.DecideInput{})
			if err == nil {
				early = errors.New("decided a collecting application")
				return early
			}
			return err
		})
		if early != nil || err == nil {
			t.Fatalf("a decision on a collecting application: %v, %v", early, err)
		}
		got := must[bistand.Application](t)(f.store.Application(f.ctx, robot, app.ID))
		facts := must[[]bistand.Fact](t)(f.store.Facts(f.ctx, app.ID))
		found := must[[]bistand.Finding](t)(f.store.Findings(f.ctx, app.ID, ""))
		if got.State != bistand.Submitted || len(facts) != len(before) || len(found) != 0 {
			t.Fatalf("after the failed change: %s, %d facts (before %d), %d findings", got.State, len(facts), len(before), len(found))
		}

		// The same change ending in the move to assessed and a finding is
		// kept whole.
		err = f.store.Change(f.ctx, robot, func(c *sqlstore.Change) error {
			for _, to := range []bistand.State{bistand.Collecting, bistand.Assessed} {
				if _, ok, err := c.Transition(app.ID, to, "", sqlstore.TransitionOptions{}); err != nil || !ok {
					return errors.Join(err, errors.New("not moved"))
				}
			}
			if _, err := c.AddFacts(app.ID, []sqlstore.FactInput{drawFact}); err != nil {
				return err
			}
			_, err := c.AddFindings(app.ID, []sqlstore.FindingInput{finding})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got = must[bistand.Application](t)(f.store.Application(f.ctx, robot, app.ID))
		facts = must[[]bistand.Fact](t)(f.store.Facts(f.ctx, app.ID))
		found = must[[]bistand.Finding](t)(f.store.Findings(f.ctx, app.ID, bistand.FindingOpen))
		trs := must[[]bistand.Transition](t)(f.store.Transitions(f.ctx, app.ID))
		if got.State != bistand.Assessed || len(facts) != len(before)+1 || len(found) != 1 || len(trs) != 3 {
			t.Fatalf("after the change: %s, %d facts (before %d), %d findings, %d transitions", got.State, len(facts), len(before), len(found), len(trs))
		}
		// An applicant's change may not raise findings, within a change too.
		if err := f.store.Change(f.ctx, applicant(a), func(c *sqlstore.Change) error {
			_, err := c.AddFindings(app.ID, []sqlstore.FindingInput{finding})
			return err
		}); !errors.Is(err, bistand.ErrForbidden) {
			t.Errorf("an applicant raising a finding: %v", err)
		}
	})
}

// TestManyRowsOneChange: a change writing more facts, findings and audit
// events than one INSERT takes (64 rows) keeps every row, in order, each
// with its audit event, and the audit chain holds.
func TestManyRowsOneChange(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		_, b, app := f.submitted()
		before := must[[]bistand.Fact](t)(f.store.Facts(f.ctx, app.ID))
		const nFacts, nFindings = 150, 70
		var facts []sqlstore.FactInput
		for i := range nFacts {
			v, _ := json.Marshal(map[string]any{"type": "salary", "person": b.ID, "amount": 100 + i})
			facts = append(facts, sqlstore.FactInput{Key: fmt.Sprintf("income:test%03d", i), Kind: bistand.FactIncome, Value: v,
				Provenance: bistand.Register, Source: "skv", Reference: fmt.Sprintf("ref-%d", i), ObservedAt: time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC)})
		}
		var findings []sqlstore.FindingInput
		for i := range nFindings {
			findings = append(findings, sqlstore.FindingInput{Kind: bistand.FindingIncomeChange, Subject: fmt.Sprintf("s%03d", i), Text: "Inkomsten har ändrats."})
		}
		var early error
		err := f.store.Change(f.ctx, robot, func(c *sqlstore.Change) error {
			if _, ok, err := c.Transition(app.ID, bistand.Collecting, "", sqlstore.TransitionOptions{IfState: bistand.Submitted}); err != nil || !ok {
				early = errors.Join(err, errors.New("to collecting: not moved"))
				return early
			}
			return c.RecordCollection(app.ID, facts, findings, nil)
		})
		if early != nil || err != nil {
			t.Fatalf("the change: %v, %v", early, err)
		}
		got := must[[]bistand.Fact](t)(f.store.Facts(f.ctx, app.ID))
		if len(got) != len(before)+nFacts {
			t.Fatalf("%d facts, want %d", len(got), len(before)+nFacts)
		}
		for i, fact := range got[len(before):] {
			want := fmt.Sprintf("income:test%03d", i)
			if fact.Key != want || fact.Seq != int64(len(before)+i+1) || fact.Reference != fmt.Sprintf("ref-%d", i) {
				t.Fatalf("fact %d: key %s seq %d reference %s, want %s seq %d", i, fact.Key, fact.Seq, fact.Reference, want, len(before)+i+1)
			}
		}
		if found := must[[]bistand.Finding](t)(f.store.Findings(f.ctx, app.ID, "")); len(found) != nFindings {
			t.Fatalf("%d findings, want %d", len(found), nFindings)
		}
		var events int
		if err := f.db.QueryRowContext(f.ctx, "SELECT COUNT(*) FROM audit_events WHERE entity IN ('facts', 'findings') AND case_id = $1", app.CaseID).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if want := len(got) + nFindings; events != want {
			t.Fatalf("%d audit events for facts and findings, want %d", events, want)
		}
		rep, err := f.db.Verify(f.ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("audit chain: %v %+v", err, rep)
		}
	})
}

// submitted is a two-adult household's application, signed by both and
// submitted: where the robot's changes start.
func (f *fixture) submitted() (a, b bistand.Person, app bistand.Application) {
	f.t.Helper()
	a, b, _, app = f.household("national")
	for _, p := range []bistand.Person{a, b} {
		if err := f.store.Sign(f.ctx, applicant(p), app.ID, p.ID, "demo", "sig-"+p.ID); err != nil {
			f.t.Fatal(err)
		}
	}
	if _, _, err := f.store.Transition(f.ctx, applicant(a), app.ID, bistand.Submitted, "", sqlstore.TransitionOptions{}); err != nil {
		f.t.Fatal(err)
	}
	return a, b, app
}
