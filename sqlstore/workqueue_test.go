package sqlstore_test

// The caseworker's work queue: which applications each view holds, the
// counts, the unit and the filters, on every engine.

import (
	"slices"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

func TestWorkQueue(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		const unit, other = "forsorjningsstod", "forsorjningsstod-vast"
		today := bistand.MustDate(2026, 3, 10)
		finding := func(app bistand.Application, kind bistand.FindingKind) {
			t.Helper()
			if _, err := f.store.AddFindings(f.ctx, robot, app.ID, []sqlstore.FindingInput{{Kind: kind, Subject: "s", Text: "text", Data: map[string]any{"x": 1}}}); err != nil {
				t.Fatal(err)
			}
		}
		// An application of a new household in a state.
		appIn := func(st bistand.State) (home, bistand.Application) {
			t.Helper()
			h, app := f.home()
			return h, f.to(h, app, st)
		}
		_, routed := appIn(bistand.Assessed) // new, findings
		finding(routed, bistand.FindingAmountAboveLimit)
		finding(routed, bistand.FindingRentChanged)
		hMine, mine := appIn(bistand.Assessed) // mine, findings
		finding(mine, bistand.FindingIncomeMismatch)
		if err := f.store.Assign(f.ctx, worker, hMine.c.ID, unit, worker.ID); err != nil {
			t.Fatal(err)
		}
		_, random := appIn(bistand.RandomCheck) // new, findings, random
		finding(random, bistand.FindingRandomCheck)
		hLate, late := appIn(bistand.Collecting) // overdue (due 2026-03-05)
		if _, _, err := f.store.Transition(f.ctx, robot, late.ID, bistand.SupplementRequested, "Kontoutdrag", sqlstore.TransitionOptions{SupplementDue: bistand.MustDate(2026, 3, 5)}); err != nil {
			t.Fatal(err)
		}
		_, waiting := appIn(bistand.SupplementRequested) // not overdue (due 2026-03-31)
		hExp, expired := appIn(bistand.Collecting)       // new, findings, overdue
		if _, _, err := f.store.Transition(f.ctx, robot, expired.ID, bistand.SupplementRequested, "Hyresavi", sqlstore.TransitionOptions{SupplementDue: bistand.MustDate(2026, 3, 1)}); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := f.store.ExpireSupplement(f.ctx, system, expired.ID, bistand.MustDate(2026, 3, 1), "förfallen",
			sqlstore.FindingInput{Kind: bistand.FindingSupplementExpired, Subject: "komplettering", Text: "Kompletteringen kom inte in."}); err != nil || !ok {
			t.Fatal(ok, err)
		}
		_, proposed := appIn(bistand.Assessed) // four eyes
		f.propose(worker, proposed.ID, sqlstore.DecideInput{Motivation: "styrkt"}, bistand.Kronor(1000))
		hWest, west := appIn(bistand.Assessed) // another unit's
		finding(west, bistand.FindingAmountAboveLimit)
		if err := f.store.Assign(f.ctx, worker, hWest.c.ID, other, ""); err != nil {
			t.Fatal(err)
		}
		_, done := appIn(bistand.Decided) // nobody's work, once its findings are resolved
		for _, fd := range must[[]bistand.Finding](t)(f.store.Findings(f.ctx, done.ID, bistand.FindingOpen)) {
			// (No payout fact: the decision raised payment_account_missing.)
			if err := f.store.ResolveFinding(f.ctx, worker, fd.ID, "Kontot finns nu."); err != nil {
				t.Fatal(err)
			}
		}
		_, payIssue := appIn(bistand.Decided) // findings: the bank refused the payment
		finding(payIssue, bistand.FindingPaymentFailed)
		_, gone := appIn(bistand.Withdrawn) // withdrawn: its findings are nobody's work
		finding(gone, bistand.FindingIncomeMismatch)
		appIn(bistand.Expired) // an expired draft: nobody's work
		// Another month of the mine household, submitted, without findings.
		feb, err := f.store.CreateApplication(f.ctx, applicant(hMine.a), hMine.c.ID, bistand.MustMonth(2026, 2))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.AddFacts(f.ctx, applicant(hMine.a), feb.ID, exampleFacts(hMine.a.ID, hMine.b.ID, hMine.child.ID)); err != nil {
			t.Fatal(err)
		}
		feb = f.to(hMine, feb, bistand.Submitted)
		_, _ = hLate, hExp

		ids := func(items []sqlstore.WorkItem) []string {
			var out []string
			for _, it := range items {
				out = append(out, it.ApplicationID)
			}
			slices.Sort(out)
			return out
		}
		sorted := func(apps ...bistand.Application) []string {
			var out []string
			for _, a := range apps {
				out = append(out, a.ID)
			}
			slices.Sort(out)
			return out
		}
		for _, c := range []struct {
			name   string
			filter sqlstore.WorkQueueFilter
			want   []string
			counts sqlstore.WorkCounts
		}{
			{"new", sqlstore.WorkQueueFilter{View: sqlstore.ViewNew}, sorted(routed, random, expired),
				sqlstore.WorkCounts{"new": 3, "mine": 2, "findings": 5, "overdue": 2, "random": 1, "foureyes": 1}},
			{"mine", sqlstore.WorkQueueFilter{View: sqlstore.ViewMine}, sorted(mine, feb), nil},
			{"findings", sqlstore.WorkQueueFilter{View: sqlstore.ViewFindings}, sorted(routed, mine, random, expired, payIssue), nil},
			{"overdue", sqlstore.WorkQueueFilter{View: sqlstore.ViewOverdue}, sorted(late, expired), nil},
			{"random", sqlstore.WorkQueueFilter{View: sqlstore.ViewRandom}, sorted(random), nil},
			{"four eyes", sqlstore.WorkQueueFilter{View: sqlstore.ViewFourEyes}, sorted(proposed), nil},
			{"month", sqlstore.WorkQueueFilter{View: sqlstore.ViewMine, Month: bistand.MustMonth(2026, 2)}, sorted(feb),
				sqlstore.WorkCounts{"new": 0, "mine": 1, "findings": 0, "overdue": 0, "random": 0, "foureyes": 0}},
			{"kind", sqlstore.WorkQueueFilter{View: sqlstore.ViewFindings, Kind: bistand.FindingRentChanged}, sorted(routed),
				sqlstore.WorkCounts{"new": 1, "mine": 0, "findings": 1, "overdue": 0, "random": 0, "foureyes": 0}},
			{"other unit", sqlstore.WorkQueueFilter{View: sqlstore.ViewFindings, Unit: other}, sorted(west),
				sqlstore.WorkCounts{"new": 1, "mine": 0, "findings": 1, "overdue": 0, "random": 0, "foureyes": 0}},
			{"page", sqlstore.WorkQueueFilter{View: sqlstore.ViewFindings, Limit: 2, Offset: 4}, nil, nil},
		} {
			flt := c.filter
			if flt.Unit == "" {
				flt.Unit = unit
			}
			flt.DefaultUnit, flt.Me, flt.Today = unit, worker.ID, today
			items, counts, err := f.store.WorkQueue(f.ctx, flt)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if c.name == "page" {
				if len(items) != 1 {
					t.Errorf("page: %d items, want 1 (5 in the view, from the 5th)", len(items))
				}
				continue
			}
			if got := ids(items); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
			for v, n := range c.counts {
				if counts[v] != n {
					t.Errorf("%s: count %s = %d, want %d (all %v)", c.name, v, counts[v], n, counts)
				}
			}
		}
		_ = waiting

		// What a row holds.
		items, _, err := f.store.WorkQueue(f.ctx, sqlstore.WorkQueueFilter{Unit: unit, DefaultUnit: unit, Me: worker.ID, Today: today, View: sqlstore.ViewFindings})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			switch it.ApplicationID {
			case routed.ID:
				if !slices.Equal(it.OpenFindings, []bistand.FindingKind{bistand.FindingAmountAboveLimit, bistand.FindingRentChanged}) ||
					it.Members != 3 || it.State != bistand.Assessed || it.Assignee != "" || it.Month != march2026 || it.SubmittedAt.IsZero() {
					t.Errorf("routed row %+v", it)
				}
			case mine.ID:
				if it.Assignee != worker.ID || it.CaseID != hMine.c.ID {
					t.Errorf("mine row %+v", it)
				}
			}
		}
		items, _, err = f.store.WorkQueue(f.ctx, sqlstore.WorkQueueFilter{Unit: unit, DefaultUnit: unit, Today: today, View: sqlstore.ViewFourEyes})
		if err != nil || len(items) != 1 || items[0].ProposalID == "" || items[0].ProposedBy != worker.ID || items[0].ProposalAmount != bistand.Kronor(exampleAmount) {
			t.Errorf("four eyes row %+v %v", items, err)
		}
		if _, _, err := f.store.WorkQueue(f.ctx, sqlstore.WorkQueueFilter{Unit: unit, View: "everything"}); err == nil {
			t.Error("an unknown view was accepted")
		}

		// A finding by id.
		fs := f.findingsOf(routed.ID, bistand.FindingRentChanged)
		got, err := f.store.FindingByID(f.ctx, fs[0].ID)
		if err != nil || got.ApplicationID != routed.ID || got.Kind != bistand.FindingRentChanged || got.Status != bistand.FindingOpen || string(got.Data) != `{"x":1}` {
			t.Errorf("FindingByID: %+v %v", got, err)
		}
		if _, err := f.store.FindingByID(f.ctx, "fnd-none"); err == nil {
			t.Error("a missing finding was found")
		}
	})
}

func TestFollowUpsAndMeetingsToRecord(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h1, _ := f.home()
		h2, _ := f.home()
		book := func(c bistand.Case, at string) sqlstore.Meeting {
			t.Helper()
			m, err := f.store.BookMeeting(f.ctx, worker, sqlstore.Meeting{CaseID: c.ID, StartsAt: at, Minutes: 30, Kind: "visit", Purpose: "Planering"})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		held := func(m sqlstore.Meeting, follow bistand.Date) {
			t.Helper()
			if _, err := f.store.RecordMeeting(f.ctx, worker, m.ID, sqlstore.MeetingHeld, "Vi pratade.", follow); err != nil {
				t.Fatal(err)
			}
		}
		m1 := book(h1.c, "2026-03-02T10:00")
		held(m1, bistand.MustDate(2026, 3, 9))
		m2 := book(h2.c, "2026-03-03T10:00")
		held(m2, bistand.MustDate(2026, 3, 12))
		late := book(h2.c, "2026-03-01T09:00") // booked in the past, never recorded
		due, err := f.store.FollowUpsDue(f.ctx, worker.ID, bistand.MustDate(2026, 3, 10), 10)
		if err != nil || len(due) != 1 || due[0].ID != m1.ID {
			t.Fatalf("follow-ups due: %+v %v", due, err)
		}
		// A meeting booked after the held one answers its follow-up.
		book(h1.c, "2026-03-20T10:00")
		if due, err = f.store.FollowUpsDue(f.ctx, worker.ID, bistand.MustDate(2026, 3, 31), 10); err != nil || len(due) != 1 || due[0].ID != m2.ID {
			t.Fatalf("follow-ups due after booking: %+v %v", due, err)
		}
		if due, _ := f.store.FollowUpsDue(f.ctx, "hl-bo", bistand.MustDate(2026, 3, 31), 10); len(due) != 0 {
			t.Errorf("another caseworker's follow-ups: %+v", due)
		}
		rec, err := f.store.MeetingsToRecord(f.ctx, worker.ID, "2026-03-10T12:00", 10)
		if err != nil || len(rec) != 1 || rec[0].ID != late.ID {
			t.Errorf("meetings to record: %+v %v", rec, err)
		}
	})
}
