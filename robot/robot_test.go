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
		st := sqlstore.NewStore(db, sqlstore.Options{})
		r := &robot.Robot{Store: st}
		q, err := queue.New(db, r.Handlers(), queue.Config{Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		st.SetJobs(q)
		rng := rand.New(rand.NewPCG(7, 7))
		const n = 25
		for range n {
			if _, err := synth.SubmitHousehold(ctx, st, rng, "demo", bistand.MustMonth(2026, 11)); err != nil {
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
				if counts[bistand.Decided]+counts[bistand.Assessed] != n || counts[bistand.Decided] == 0 {
					t.Fatalf("queue empty but applications are %v", counts)
				}
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("timed out: %v", counts)
			}
			time.Sleep(50 * time.Millisecond)
		}
		ids, err := st.ApplicationsInState(ctx, bistand.Decided, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			ds, err := st.Decisions(ctx, id)
			if err != nil || len(ds) != 1 || ds[0].DecidedBy != robot.Actor {
				t.Fatalf("application %s: decisions %v, %v", id, ds, err)
			}
		}
		rep, err := db.Verify(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}
