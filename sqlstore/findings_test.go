package sqlstore_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

func TestFindings(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		a, b, _, app := f.household("national")
		f.toAssessed(a, b, app)
		in := []sqlstore.FindingInput{
			{Kind: bistand.FindingIncomeMismatch, Subject: "housing_allowance:" + a.ID, Text: "Bostadsbidrag skiljer.", Data: map[string]any{"declared": 1500, "register": 2000}},
			{Kind: bistand.FindingSourceError, Subject: "CSN:" + a.ID, Text: "CSN svarade inte."},
		}
		got, err := f.store.AddFindings(f.ctx, robot, app.ID, in)
		if err != nil || len(got) != 2 {
			t.Fatalf("raised %v, %v", got, err)
		}
		// The same kind and subject is not raised twice while open.
		again, err := f.store.AddFindings(f.ctx, robot, app.ID, in[:1])
		if err != nil || len(again) != 0 {
			t.Fatalf("raised again: %v, %v", again, err)
		}
		if _, err := f.store.AddFindings(f.ctx, applicant(a), app.ID, in); !errors.Is(err, bistand.ErrForbidden) {
			t.Errorf("an applicant raised findings: %v", err)
		}
		if _, err := f.store.AddFindings(f.ctx, robot, app.ID, []sqlstore.FindingInput{{Kind: bistand.FindingSourceError}}); !errors.Is(err, bistand.ErrInvalid) {
			t.Errorf("a finding without subject or text: %v", err)
		}
		open, err := f.store.Findings(f.ctx, app.ID, bistand.FindingOpen)
		if err != nil || len(open) != 2 {
			t.Fatalf("open %v %v", open, err)
		}
		var data map[string]int
		if err := json.Unmarshal(open[0].Data, &data); err != nil || data["register"] != 2000 {
			t.Errorf("data %s", open[0].Data)
		}
		if err := f.store.ResolveFinding(f.ctx, robot, open[0].ID, "ok"); !errors.Is(err, bistand.ErrForbidden) {
			t.Errorf("the robot resolved a finding: %v", err)
		}
		if err := f.store.ResolveFinding(f.ctx, worker, open[0].ID, ""); !errors.Is(err, bistand.ErrInvalid) {
			t.Errorf("resolved without saying how: %v", err)
		}
		if err := f.store.ResolveFinding(f.ctx, worker, open[0].ID, "Bostadsbidraget är styrkt med beslut från FK."); err != nil {
			t.Fatal(err)
		}
		if err := f.store.ResolveFinding(f.ctx, worker, open[0].ID, "igen"); !errors.Is(err, bistand.ErrConflict) {
			t.Errorf("resolved twice: %v", err)
		}
		all, _ := f.store.Findings(f.ctx, app.ID, "")
		resolved := all[0]
		if resolved.Status != bistand.FindingResolved || resolved.ResolvedBy != worker || resolved.Resolution == "" || resolved.ResolvedAt.IsZero() {
			t.Errorf("resolved finding %+v", resolved)
		}
		// Once resolved, the same finding may be raised again.
		if again, err := f.store.AddFindings(f.ctx, robot, app.ID, in[:1]); err != nil || len(again) != 1 {
			t.Errorf("raised after resolution: %v %v", again, err)
		}
		rep, err := f.db.Verify(f.ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
		if _, err := f.db.Exec("UPDATE findings SET resolution = 'ändrad' WHERE id = $1", resolved.ID); err != nil {
			t.Fatal(err)
		}
		if rep, _ := f.db.Verify(f.ctx); rep.OK() {
			t.Error("an edited finding verified")
		}
	})
}

func TestMarkProtectedAndRecordCollection(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		a, b, _, app := f.household("national")
		f.toAssessed(a, b, app)
		if err := f.store.MarkProtected(f.ctx, system, a.ID, true, "Navet: skyddad folkbokföring"); err != nil {
			t.Fatal(err)
		}
		if err := f.store.MarkProtected(f.ctx, system, a.ID, true, "igen"); err != nil {
			t.Fatal(err)
		}
		p, err := f.store.Person(f.ctx, a.ID)
		if err != nil || !p.Protected {
			t.Fatalf("person %+v %v", p, err)
		}
		var updates int
		f.db.QueryRow("SELECT COUNT(*) FROM audit_events WHERE entity = 'persons' AND entity_id = $1 AND action = 'update'", a.ID).Scan(&updates)
		if updates != 1 {
			t.Errorf("%d audited updates, want 1 (the second mark changed nothing)", updates)
		}
		// A register fact, a finding and a job in one transaction; a
		// failing queue rolls back all three.
		facts := []sqlstore.FactInput{fact("income:housing_allowance:"+a.ID, bistand.FactIncome, map[string]any{"type": "housing_allowance", "person": a.ID, "amount": 2000})}
		facts[0].Provenance = bistand.Register
		found := []sqlstore.FindingInput{{Kind: bistand.FindingIncomeNotDeclared, Subject: "housing_allowance:" + a.ID, Text: "Bostadsbidrag i registret."}}
		if _, _, err := f.store.Transition(f.ctx, robot, app.ID, bistand.Collecting, "", sqlstore.TransitionOptions{}); err != nil {
			t.Fatal(err)
		}
		f.jobs.fail = true
		record := func(c *sqlstore.Change) error {
			return c.RecordCollection(app.ID, facts, found, []sqlstore.Job{{Kind: "assess"}})
		}
		if err := f.store.Change(f.ctx, robot, record); err == nil {
			t.Fatal("recorded with a failing queue")
		}
		if fs, _ := f.store.Findings(f.ctx, app.ID, ""); len(fs) != 0 {
			t.Errorf("findings survived the rollback: %v", fs)
		}
		f.jobs.fail = false
		if err := f.store.Change(f.ctx, robot, record); err != nil {
			t.Fatal(err)
		}
		all, _ := f.store.Facts(f.ctx, app.ID)
		if last := all[len(all)-1]; last.Provenance != bistand.Register || last.Key != facts[0].Key {
			t.Errorf("last fact %+v", last)
		}
		if fs, _ := f.store.Findings(f.ctx, app.ID, bistand.FindingOpen); len(fs) != 1 {
			t.Errorf("findings %v", fs)
		}
		var jobs int
		f.db.QueryRow("SELECT COUNT(*) FROM test_jobs WHERE kind = 'assess'").Scan(&jobs)
		if jobs != 1 {
			t.Errorf("%d assess jobs", jobs)
		}
	})
}
