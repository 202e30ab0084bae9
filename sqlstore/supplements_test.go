package sqlstore_test

// ApplicationsDueBy and ExpireSupplement, on every engine.

import (
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

func TestExpireSupplement(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.SupplementRequested) // due 2026-03-31
		later := f.to(h, f.newApp(h), bistand.Collecting)
		if _, _, err := f.store.Transition(f.ctx, robot, later.ID, bistand.SupplementRequested, "Hyresavi", sqlstore.TransitionOptions{SupplementDue: bistand.MustDate(2026, 4, 15)}); err != nil {
			t.Fatal(err)
		}
		f.to(h, f.newApp(h), bistand.Assessed) // not waiting for anything

		for _, c := range []struct {
			by   bistand.Date
			want []string
		}{
			{bistand.MustDate(2026, 3, 30), nil},
			{bistand.MustDate(2026, 3, 31), []string{app.ID}},
			{bistand.MustDate(2026, 12, 31), []string{app.ID, later.ID}},
		} {
			got, err := f.store.ApplicationsDueBy(f.ctx, bistand.SupplementRequested, c.by, 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			if len(ids) != len(c.want) || (len(ids) > 0 && (ids[0] != c.want[0] || ids[len(ids)-1] != c.want[len(c.want)-1])) {
				t.Errorf("due by %s: %v, want %v", c.by, ids, c.want)
			}
			if len(got) > 0 && got[0].SupplementDue != due {
				t.Errorf("due %s", got[0].SupplementDue)
			}
		}
		if got, _ := f.store.ApplicationsDueBy(f.ctx, bistand.SupplementRequested, bistand.MustDate(2026, 12, 31), 1); len(got) != 1 {
			t.Errorf("limit 1: %d", len(got))
		}

		finding := sqlstore.FindingInput{Kind: bistand.FindingSupplementExpired, Subject: "supplement:2026-03-31", Text: "Kompletteringen kom inte in."}
		// Only the system expires; a different due date is a no-op.
		_, _, err := f.store.ExpireSupplement(f.ctx, robot, app.ID, due, "för sent", finding)
		wantErr(t, err, bistand.ErrForbidden)
		if _, ok, err := f.store.ExpireSupplement(f.ctx, system, app.ID, due.AddDays(1), "för sent", finding); ok || err != nil {
			t.Errorf("another due date: ok=%v %v", ok, err)
		}
		if st := f.app(app.ID).State; st != bistand.SupplementRequested {
			t.Fatalf("state %s", st)
		}
		a, ok, err := f.store.ExpireSupplement(f.ctx, system, app.ID, due, "Kompletteringen kom inte in i tid.", finding)
		if err != nil || !ok || a.State != bistand.Expired || !a.SupplementDue.IsZero() {
			t.Fatalf("expire: %+v ok=%v %v", a, ok, err)
		}
		trs := f.transitions(app.ID)
		if last := trs[len(trs)-1]; last.From != bistand.SupplementRequested || last.To != bistand.Expired || last.Actor != system || last.Reason != "Kompletteringen kom inte in i tid." {
			t.Errorf("last transition %+v", last)
		}
		open, _ := f.store.Findings(f.ctx, app.ID, bistand.FindingOpen)
		if len(open) != 1 || open[0].Kind != bistand.FindingSupplementExpired || open[0].CreatedBy != system {
			t.Errorf("findings %+v", open)
		}
		// Again: nothing.
		if _, ok, err := f.store.ExpireSupplement(f.ctx, system, app.ID, due, "igen", finding); ok || err != nil {
			t.Errorf("expired twice: ok=%v %v", ok, err)
		}
		if open, _ := f.store.Findings(f.ctx, app.ID, ""); len(open) != 1 {
			t.Errorf("%d findings", len(open))
		}
		// A caseworker resolves the finding and decides what the case holds.
		if err := f.store.ResolveFinding(f.ctx, worker, open[0].ID, "Beslut på befintligt underlag."); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Motivation: "Beslut på befintligt underlag."}); err != nil || !ok {
			t.Errorf("decide the expired application: %v %v", ok, err)
		}
		f.mustVerify()
	})
}
