package sqlstore_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// settableClock is a store's clock a test moves: each reading is a second
// after the last, from where the test set it.
type settableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *settableClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *settableClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func newClockFixture(t *testing.T, engine sqlstore.Engine) (*fixture, *settableClock) {
	db := sqltest.Open(t, engine)
	if _, err := db.Exec("CREATE TABLE test_jobs (kind TEXT NOT NULL, args TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	clock := &settableClock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	jobs := &recordingJobs{}
	blobs := t.TempDir()
	st := sqlstore.NewStore(db, sqlstore.Options{Jobs: jobs, Blobs: sqlstore.DiskBlobs{Dir: blobs}, Now: clock.now})
	return &fixture{t: t, ctx: context.Background(), db: db, store: st, jobs: jobs, rng: rand.New(rand.NewPCG(5, 6)), blobDir: blobs}, clock
}

func TestAutomationStats(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f, clock := newClockFixture(t, engine)
		ctx := f.ctx
		assessed := func() bistand.Application {
			a, b, _, app := f.household("national")
			f.toAssessed(a, b, app)
			return app
		}
		decide := func(actor bistand.Actor, appID string, in sqlstore.DecideInput) bistand.Decision {
			t.Helper()
			d, ok, err := f.store.Decide(ctx, actor, appID, in)
			if err != nil || !ok {
				t.Fatal(ok, err)
			}
			return d
		}
		raise := func(actor bistand.Actor, appID string, kind bistand.FindingKind, subject string) bistand.Finding {
			t.Helper()
			got, err := f.store.AddFindings(ctx, actor, appID, []sqlstore.FindingInput{{Kind: kind, Subject: subject, Text: "test"}})
			if err != nil || len(got) != 1 {
				t.Fatal(got, err)
			}
			return got[0]
		}

		// February: the robot decides A and raises a finding on it.
		clock.set(time.Date(2026, 2, 27, 10, 0, 0, 0, time.UTC))
		appA := assessed()
		fa := raise(robot, appA.ID, bistand.FindingRandomCheck, "case")
		if err := f.store.ResolveFinding(ctx, worker, fa.ID, "Kontrollerad."); err != nil {
			t.Fatal(err)
		}
		decA := decide(robot, appA.ID, sqlstore.DecideInput{})

		// March: the robot decides B, which a caseworker then changes; C is
		// routed with three findings and decided by a caseworker; D is routed
		// (one finding resolved, one raised by the program) and undecided.
		clock.set(time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC))
		appB := assessed()
		decB := decide(robot, appB.ID, sqlstore.DecideInput{})
		decide(worker, appB.ID, sqlstore.DecideInput{Replaces: decB.ID, Motivation: "Hyran var fel."})
		appC := assessed()
		// C's findings are resolved before the decision: the store refuses
		// a decision while any is open.
		raise(robot, appC.ID, bistand.FindingIncomeMismatch, "x")
		raise(robot, appC.ID, bistand.FindingIncomeMismatch, "y")
		raise(robot, appC.ID, bistand.FindingFirstApplication, "case")
		if _, ok, err := f.store.Decide(ctx, worker, appC.ID, sqlstore.DecideInput{Motivation: "Bedömt."}); ok || !errors.Is(err, bistand.ErrInvalidTransition) {
			t.Fatalf("decided with open findings: %v %v", ok, err)
		}
		open, _ := f.store.Findings(ctx, appC.ID, bistand.FindingOpen)
		for _, fo := range open {
			if err := f.store.ResolveFinding(ctx, worker, fo.ID, "Bedömt."); err != nil {
				t.Fatal(err)
			}
		}
		decide(worker, appC.ID, sqlstore.DecideInput{Motivation: "Bedömt."})
		appD := assessed()
		fd := raise(robot, appD.ID, bistand.FindingIncomeMismatch, "z")
		if err := f.store.ResolveFinding(ctx, worker, fd.ID, "Styrkt."); err != nil {
			t.Fatal(err)
		}
		raise(system, appD.ID, bistand.FindingSourceError, "CSN")
		// A caseworker's own finding is not a reason the robot routed.
		raise(worker, appD.ID, bistand.FindingRentChanged, "rent")

		march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		april := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			name     string
			from, to time.Time
			want     sqlstore.AutomationStats
			rate     int
			rateOK   bool
		}{
			{"march", march, april, sqlstore.AutomationStats{Decisions: 3, ByRobot: 1, ByPeople: 2, Changes: 1, Routed: 2}, 333, true},
			{"february", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), march, sqlstore.AutomationStats{Decisions: 1, ByRobot: 1, Routed: 1}, 1000, true},
			{"from is inclusive", decA.DecidedAt, march, sqlstore.AutomationStats{Decisions: 1, ByRobot: 1}, 1000, true},
			{"to is exclusive", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), decA.DecidedAt, sqlstore.AutomationStats{Routed: 1}, 0, false},
			{"nothing", april, april.AddDate(0, 1, 0), sqlstore.AutomationStats{}, 0, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := f.store.AutomationStats(ctx, tc.from, tc.to)
				if err != nil {
					t.Fatal(err)
				}
				tc.want.From, tc.want.To = tc.from, tc.to
				if got != tc.want {
					t.Errorf("got %+v, want %+v", got, tc.want)
				}
				if rate, ok := got.RatePerMille(); rate != tc.rate || ok != tc.rateOK {
					t.Errorf("rate %d %v, want %d %v", rate, ok, tc.rate, tc.rateOK)
				}
			})
		}

		all, err := f.store.FindingCounts(ctx, march, april)
		if err != nil {
			t.Fatal(err)
		}
		// The decisions raise findings about payments (the test municipality
		// has no payment data): counted, but not as reasons for routing.
		var counts []sqlstore.FindingCount
		payments := 0
		for _, c := range all {
			if sqlstore.IsPaymentFinding(c.Kind) {
				payments++
				continue
			}
			counts = append(counts, c)
		}
		if payments == 0 {
			t.Errorf("no payment findings counted: %+v", all)
		}
		want := []sqlstore.FindingCount{
			{Kind: bistand.FindingIncomeMismatch, Findings: 3, Resolved: 3, Applications: 2},
			{Kind: bistand.FindingFirstApplication, Findings: 1, Resolved: 1, Applications: 1},
			{Kind: bistand.FindingSourceError, Findings: 1, Open: 1, Applications: 1},
		}
		if !reflect.DeepEqual(counts, want) {
			t.Errorf("march findings\n got %+v\nwant %+v", counts, want)
		}
		if counts, err := f.store.FindingCounts(ctx, april, april.AddDate(0, 1, 0)); err != nil || len(counts) != 0 {
			t.Errorf("april findings %+v %v", counts, err)
		}
	})
}
