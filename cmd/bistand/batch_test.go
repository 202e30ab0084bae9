package main

import (
	"context"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	"github.com/bistand/bistand/synth"
)

// TestBatch runs `bistand batch` for a small month and checks the report
// accounts for every household.
func TestBatch(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runBin(t, "", "batch", "--households", "40", "--seed", "3", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep batchReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if rep.Households != 40 || rep.Month != "2026-11" || rep.Engine != "sqlite" {
		t.Errorf("report %+v", rep)
	}
	if rep.DecidedAutomatically+rep.Routed.Total+rep.RandomChecks+rep.SupplementRequests != 40 {
		t.Errorf("decided %d + routed %d + random %d + supplements %d ≠ 40", rep.DecidedAutomatically, rep.Routed.Total, rep.RandomChecks, rep.SupplementRequests)
	}
	if rep.DecidedAutomatically == 0 || rep.Routed.Total == 0 || len(rep.Routed.Reasons) == 0 {
		t.Errorf("a month of 40 households with nothing decided or nothing routed: %+v", rep)
	}
	if rep.AutomationRate != float64(rep.DecidedAutomatically)/40 {
		t.Errorf("automation rate %v", rep.AutomationRate)
	}
	for _, stage := range []string{"submit", "process", "total"} {
		if rep.Seconds[stage] <= 0 {
			t.Errorf("no time for %s", stage)
		}
	}
	if rep.Outcomes["approved"]+rep.Outcomes["rejected"] != 40 {
		t.Errorf("outcomes %v", rep.Outcomes)
	}
	b, err := os.ReadFile(filepath.Join(out, "batch.json"))
	if err != nil || !strings.Contains(string(b), `"households": 40`) {
		t.Errorf("batch.json: %v %s", err, b)
	}
	// Every decision has its letter: last month's 40 (a caseworker's),
	// made during setup, and this month's (the robot's), in DIR/letters.
	if rep.SetupLetters != 40 || rep.Letters != rep.DecidedAutomatically || rep.Seconds["letters"] <= 0 {
		t.Errorf("%d letters at setup and %d this month for %d decisions, in %v s", rep.SetupLetters, rep.Letters, rep.DecidedAutomatically, rep.Seconds["letters"])
	}
	if e := rep.Seconds["end_to_end"]; e < rep.Seconds["month"]+rep.Seconds["letters"] || e > rep.Seconds["total"]-rep.Seconds["setup"] {
		t.Errorf("end to end %v s: month %v, letters %v, setup %v, total %v", e, rep.Seconds["month"], rep.Seconds["letters"], rep.Seconds["setup"], rep.Seconds["total"])
	}
	files, err := filepath.Glob(filepath.Join(out, "letters", "dec-*.pdf"))
	if err != nil || len(files) != rep.DecidedAutomatically {
		t.Fatalf("%d letters in %s, want %d: %v", len(files), out, rep.DecidedAutomatically, err)
	}
	for _, f := range files {
		if b, err := os.ReadFile(f); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
			t.Errorf("%s: not a PDF: %v", f, err)
		}
	}
}

// TestReplayCommand: a stored decision replays as identical; a snapshot
// edited by hand does not, and the difference is shown.
func TestReplayCommand(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		url := sqltest.URL(t, engine)
		db, err := sqlstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := queue.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		st := sqlstore.NewStore(db, sqlstore.Options{})
		q, _ := queue.New(db, nil, queue.Config{})
		st.SetJobs(q)
		app, err := synth.SubmitHousehold(ctx, st, rand.New(rand.NewPCG(4, 4)), "demo", bistand.MustMonth(2026, 6), synth.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []bistand.State{bistand.Collecting, bistand.Assessed} {
			if _, _, err := st.Transition(ctx, robot.Actor, app.ID, to, "", sqlstore.TransitionOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		d, _, err := st.Decide(ctx, bistand.Actor{Kind: bistand.ActorCaseworker, ID: "hl"}, app.ID, sqlstore.DecideInput{Motivation: "Enligt beräkningen."})
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runBin(t, "", "replay", d.ID, "--db", url)
		if code != 0 || strings.TrimSpace(out) != "identical" {
			t.Fatalf("replay: exit %d %q %s", code, out, errOut)
		}
		if _, err := db.ExecContext(ctx, "UPDATE decisions SET snapshot = replace(snapshot, '\"type\":\"rent\"', '\"type\":\"medical\"') WHERE id = $1", d.ID); err != nil {
			t.Fatal(err)
		}
		code, out, _ = runBin(t, "", "replay", "--db", url, d.ID)
		if code != 1 || !strings.Contains(out, "differs") || !strings.Contains(out, `-       "rule": "cost.rent"`) || !strings.Contains(out, `+       "rule": "cost.medical"`) {
			t.Fatalf("after editing the snapshot: exit %d\n%s", code, out)
		}
		if code, _, errOut := runBin(t, "", "replay", "dec-nothing", "--db", url); code != 1 || !strings.Contains(errOut, "not found") {
			t.Errorf("unknown decision: exit %d %s", code, errOut)
		}
	})
}

// monthHouseholds sizes BenchmarkMonth: docs/performance.md records runs of
// 1 000, 10 000 and 100 000 households (-month.households 100000).
var monthHouseholds = flag.Int("month.households", 200, "households in each BenchmarkMonth month")

// BenchmarkMonth reports household-months per second through the whole
// pipeline (`bistand batch` with its payment file): submit, collect from
// the simulator, calculate, check, decide or route, letters, payments,
// end to end. On SQLite, and on PostgreSQL when BISTAND_TEST_DATABASE_URL
// is set (a fresh database for each month).
func BenchmarkMonth(b *testing.B) {
	for _, engine := range sqltest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			for b.Loop() {
				url := sqltest.URL(b, engine)
				var out strings.Builder
				m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out}
				args := []string{"batch", "--households", strconv.Itoa(*monthHouseholds), "--seed", "9", "--db", url, "--out", b.TempDir()}
				if code := m.Main(context.Background(), args); code != 0 {
					b.Fatalf("exit %d: %s", code, out.String())
				}
				var rep batchReport
				if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rep.Households)/rep.Seconds["end_to_end"], "households/s")
				b.ReportMetric(rep.Seconds["end_to_end"], "end_to_end_s")
				b.ReportMetric(rep.AutomationRate, "automation")
			}
		})
	}
}

// TestAnalyzeEvery: on a PostgreSQL server with autovacuum off (the CI
// server), the batch gathers the planner's statistics while it runs; on
// SQLite, or with autovacuum on, it leaves them alone.
func TestAnalyzeEvery(t *testing.T) {
	for _, engine := range sqltest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := sqltest.Open(t, engine)
			off, err := db.AutovacuumOff(ctx)
			if err != nil {
				t.Fatal(err)
			}
			stop := analyzeEvery(ctx, db, 20*time.Millisecond)
			defer stop()
			if engine == sqlstore.SQLite || !off {
				return
			}
			// Waits for the first ANALYZE, however loaded the machine.
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				var n int
				if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'facts' AND last_analyze IS NOT NULL").Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n == 1 {
					return
				}
				if time.Now().After(deadline) {
					t.Fatal("facts not analysed within 30 s while the batch ran")
				}
			}
		})
	}
}
