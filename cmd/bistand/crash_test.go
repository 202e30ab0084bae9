package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	"github.com/bistand/bistand/synth"
)

var personnummerLike = regexp.MustCompile(`\b(18|19|20)\d{6}[-+]?\d{4}\b|\b\d{6}[-+]\d{4}\b`)

// TestCrashRecovery submits synthetic applications, then starts the real
// `bistand work` and kills it with SIGKILL at random moments, many times,
// and finally lets it finish. Afterwards no application is lost, none is
// decided twice, every application the calculation approves is decided by
// the robot, and `bistand audit verify` passes.
func TestCrashRecovery(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		url := sqltest.URL(t, engine)
		const households = 150
		const kills = 25
		rng := rand.New(rand.NewPCG(2026, 11))

		// Seed through the store, as the web application will.
		db, err := sqlstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if err := queue.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		st := sqlstore.NewStore(db, sqlstore.Options{})
		q, err := queue.New(db, nil, queue.Config{})
		if err != nil {
			t.Fatal(err)
		}
		st.SetJobs(q)
		month := bistand.MustMonth(2026, 11)
		wantDecided := map[string]bool{}
		for range households {
			app, err := synth.SubmitHousehold(ctx, st, rng, "demo", month)
			if err != nil {
				t.Fatal(err)
			}
			h, _, err := st.Household(ctx, app.ID)
			if err != nil {
				t.Fatal(err)
			}
			res, err := rules.Default().Calculate(h, rules.Options{})
			if err != nil {
				t.Fatal(err)
			}
			wantDecided[app.ID] = res.Outcome == rules.Approved
		}
		// progress counts the state changes so far and what is still on its
		// way (read from outside while the worker runs).
		progress := func() (moves, left int) {
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM transitions").Scan(&moves); err != nil {
				t.Fatal(err)
			}
			counts, err := st.CountByState(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return moves, counts[bistand.Submitted] + counts[bistand.Collecting]
		}

		var logs []*bytes.Buffer // every worker's log
		work := func() (*exec.Cmd, *bytes.Buffer) {
			cmd := exec.Command(binPath, "work", "--db", url, "--workers", "4", "--job-timeout", "5s", "--rescue-after", "5s")
			var stderr bytes.Buffer
			logs = append(logs, &stderr)
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			return cmd, &stderr
		}
		midWork := 0
		before, _ := progress()
		for i := range kills {
			cmd, _ := work()
			time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatalf("kill %d: %v", i, err)
			}
			cmd.Wait()
			// A kill counts as landing mid-work when the worker had moved
			// something and there was still work left.
			if moves, left := progress(); moves > before && left > 0 {
				midWork++
				before = moves
			}
		}
		counts, err := st.CountByState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("after %d kills (%d while working): %v", kills, midWork, counts)
		if midWork < 5 {
			t.Fatalf("only %d kills landed while the worker was working; the test proves too little", midWork)
		}
		db.Close()
		db, err = sqlstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		st = sqlstore.NewStore(db, sqlstore.Options{})

		// Let a last worker finish the month, watching from outside.
		cmd, stderr := work()
		for {
			done := true
			for id, decided := range wantDecided {
				a, err := st.Application(ctx, bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}, id)
				if err != nil {
					t.Fatalf("application lost: %s: %v", id, err)
				}
				want := bistand.Assessed
				if decided {
					want = bistand.Decided
				}
				if a.State != want {
					done = false
					break
				}
			}
			if done {
				break
			}
			if ctx.Err() != nil {
				cmd.Process.Kill()
				t.Fatalf("not finished in time; worker log:\n%s", stderr)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// Give a decide step that is still running for a not-approved
		// application a moment, then stop the worker as an operator would.
		time.Sleep(300 * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("worker exit after SIGTERM: %v\n%s", err, stderr)
		}

		var apps, decisions int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM applications").Scan(&apps); err != nil {
			t.Fatal(err)
		}
		if apps != households {
			t.Errorf("%d applications, want %d", apps, households)
		}
		for id, decided := range wantDecided {
			ds, err := st.Decisions(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			if decided {
				want = 1
			}
			if len(ds) != want {
				t.Errorf("application %s has %d decisions, want %d", id, len(ds), want)
			}
			decisions += len(ds)
			if tr, _ := st.Transitions(ctx, id); len(tr) == 0 {
				t.Errorf("application %s has no recorded transitions", id)
			}
		}
		t.Logf("%d applications, %d decided by the robot, %d kills", apps, decisions, kills)
		// The logs name applications and decisions, never a personnummer.
		var all strings.Builder
		for _, l := range logs {
			all.Write(l.Bytes())
		}
		for _, line := range strings.Split(all.String(), "\n") {
			if strings.Contains(line, `"level":"ERROR"`) {
				t.Errorf("worker logged an error: %s", line)
			}
			if personnummerLike.MatchString(line) {
				t.Errorf("worker logged something like a personnummer: %s", line)
			}
		}
		// (A worker killed between a commit and its log line logs less, so
		// only check that decisions are logged at all.)
		if !strings.Contains(all.String(), `"msg":"decided"`) {
			t.Error("no worker logged a decision")
		}

		code, out, errOut := runBin(t, "", "audit", "verify", "--db", url)
		if code != 0 {
			t.Fatalf("audit verify exit %d: %s%s", code, out, errOut)
		}
	})
}
