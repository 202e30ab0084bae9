package robot_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	"github.com/bistand/bistand/synth"
)

// TestPipeline submits synthetic households and works the queue until every
// application is decided or left for a caseworker, on every engine.
func TestPipeline(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		db := sqltest.Open(t, engine)
		if err := queue.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		st := sqlstore.NewStore(db, sqlstore.Options{Blobs: sqlstore.DiskBlobs{Dir: t.TempDir()}})
		r := &robot.Robot{Store: st}
		q, err := queue.New(db, r.Handlers(), queue.Config{Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		st.SetJobs(q)
		rng := rand.New(rand.NewPCG(7, 7))
		const n = 25
		for range n {
			if _, err := synth.SubmitHousehold(ctx, st, rng, "demo", bistand.MustMonth(2026, 11), synth.Options{History: true}); err != nil {
				t.Fatal(err)
			}
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(context.Background())
		for {
			counts, err := st.CountByState(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var queued int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'pending', 'running', 'retryable', 'scheduled')").Scan(&queued); err != nil {
				t.Fatal(err)
			}
			if queued == 0 {
				// n decided last month by a caseworker (history), and n this
				// month: each decided by the robot or left for a person.
				if counts[bistand.Decided]+counts[bistand.Assessed]+counts[bistand.RandomCheck] != 2*n {
					t.Fatalf("queue empty but applications are %v", counts)
				}
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("timed out: %v", counts)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// Without register data no adult's registration at Arbetsförmedlingen
		// is confirmed: the robot decides nothing and says why for each.
		for _, st8 := range []bistand.State{bistand.Decided, bistand.Assessed} {
			ids, err := st.ApplicationsInState(ctx, st8, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				a, _ := st.Application(ctx, robot.Actor, id)
				ds, _ := st.Decisions(ctx, id)
				open, _ := st.Findings(ctx, id, bistand.FindingOpen)
				switch {
				case a.Month == bistand.MustMonth(2026, 10) && (len(ds) != 1 || ds[0].DecidedBy.Kind != bistand.ActorCaseworker):
					t.Errorf("history %s: decisions %v", id, ds)
				case a.Month == bistand.MustMonth(2026, 11) && (st8 != bistand.Assessed || len(open) == 0):
					t.Errorf("%s: %s with %d open findings and %d decisions", id, st8, len(open), len(ds))
				}
			}
		}
		// Every decision has its letter (the letter step ran with the rest),
		// and the household was told once.
		if decisions, letters, err := st.LetterCounts(ctx); err != nil || decisions != n || letters != n {
			t.Errorf("%d decisions, %d letters: %v", decisions, letters, err)
		}
		var told int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM notifications WHERE kind = 'decision_letter'").Scan(&told); err != nil || told != n {
			t.Errorf("%d notifications of a letter: %v", told, err)
		}
		rep, err := db.Verify(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

// TestResumeEnqueuesLetters: a letter step held by a process that died
// (still "running" in the queue), or waiting out a retry's backoff, does
// not make the letter wait: Resume enqueues a step for every decision
// without a letter and without a step ready to run, and the letters get
// made.
func TestResumeEnqueuesLetters(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db := sqltest.Open(t, engine)
		if err := queue.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		st := sqlstore.NewStore(db, sqlstore.Options{Blobs: sqlstore.DiskBlobs{Dir: t.TempDir()}})
		r := &robot.Robot{Store: st}
		q, err := queue.New(db, r.Handlers(), queue.Config{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		st.SetJobs(q)
		rng := rand.New(rand.NewPCG(8, 8))
		const n = 3
		for range n {
			if _, err := synth.SubmitHousehold(ctx, st, rng, "demo", bistand.MustMonth(2026, 11), synth.Options{History: true}); err != nil {
				t.Fatal(err)
			}
		}
		// Each decision's letter step is waiting: nothing to add for letters.
		before, err := r.Resume(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		// Now a dead process holds one, and two wait out a retry's backoff
		// (an hour: longer than the test).
		if _, err := db.ExecContext(ctx, "UPDATE river_job SET state = 'running', attempt = 1, attempted_at = created_at WHERE queue = 'background'"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE river_job SET state = 'retryable', scheduled_at = $1
			WHERE id IN (SELECT id FROM river_job WHERE queue = 'background' ORDER BY id LIMIT 2)`, time.Now().Add(time.Hour).UTC()); err != nil {
			t.Fatal(err)
		}
		after, err := r.Resume(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if after-before != n {
			t.Fatalf("resume enqueued %d letter steps, want %d", after-before, n)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(context.Background())
		for {
			decisions, letters, err := st.LetterCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if decisions == n && letters == n {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("%d letters for %d decisions", letters, decisions)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
