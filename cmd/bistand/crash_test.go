package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/collect"
	navetsim "github.com/bistand/bistand/navet/sim"
	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	ssbteksim "github.com/bistand/bistand/ssbtek/sim"
	"github.com/bistand/bistand/synth"
)

var personnummerLike = regexp.MustCompile(`\b(18|19|20)\d{6}[-+]?\d{4}\b|\b\d{6}[-+]\d{4}\b`)

// TestCrashRecovery submits applications of synthetic households, then
// starts the real `bistand work` — collecting from the register simulators
// over HTTP — and kills it with SIGKILL at random moments, many times, and
// finally lets it finish. Afterwards no application is lost, none is decided
// twice, every application is decided by the robot or left for a person
// with the reasons recorded, and `bistand audit verify` passes.
func TestCrashRecovery(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		url := sqltest.URL(t, engine)
		const households = 100
		const kills = 25
		pop := population.New(2026, households)
		today := func() bistand.Date { return bistand.MustDate(2026, 11, 6) }
		ssbSrv := httptest.NewServer(ssbteksim.NewSSBTEK(pop, ssbteksim.Options{Now: today}))
		defer ssbSrv.Close()
		navSrv := httptest.NewServer(navetsim.NewNavet(pop, navetsim.Options{}))
		defer navSrv.Close()

		// Seed through the store, as the web application will: each
		// household applied last month (decided by a caseworker) and now.
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
		var apps []string
		for i := range households {
			app, err := synth.SubmitFromPopulation(ctx, st, pop, collect.DefaultTable(), i, "demo", month, synth.Options{History: true})
			if err != nil {
				t.Fatal(err)
			}
			apps = append(apps, app.ID)
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

		var logs []*lockedBuffer // every worker's log
		blobs := t.TempDir()     // the letters (PostgreSQL's default is ./data/blobs)
		work := func() (*exec.Cmd, *lockedBuffer) {
			cmd := exec.Command(binPath, "work", "--db", url, "--workers", "4", "--job-timeout", "5s", "--rescue-after", "5s",
				"--ssbtek-url", ssbSrv.URL, "--navet-url", navSrv.URL, "--poll-interval", "100ms", "--poll-days", "0")
			cmd.Env = append(os.Environ(), sqlstore.EnvBlobs+"="+blobs)
			stderr := &lockedBuffer{}
			logs = append(logs, stderr)
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			return cmd, stderr
		}
		midWork := 0
		before, _ := progress()
		for i := range kills {
			cmd, _ := work()
			time.Sleep(time.Duration(150+i*37%400) * time.Millisecond)
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

		// Let a last worker finish the month, watching from outside: every
		// application decided, or assessed with its reasons recorded, or
		// drawn for a random check.
		cmd, stderr := work()
		settled := func(id string) bool {
			a, err := st.Application(ctx, bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}, id)
			if err != nil {
				t.Fatalf("application lost: %s: %v", id, err)
			}
			switch a.State {
			case bistand.Decided, bistand.RandomCheck:
				return true
			case bistand.Assessed:
				open, err := st.Findings(ctx, id, bistand.FindingOpen)
				return err == nil && len(open) > 0
			}
			return false
		}
		for {
			done := true
			for _, id := range apps {
				if !settled(id) {
					done = false
					break
				}
			}
			// ... and every decision's letter stored (letters may lag).
			if decisions, letters, err := st.LetterCounts(ctx); err != nil || letters != decisions {
				done = false
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
		// Stop it as an operator would, once it is up (a signal before it
		// listens for one would just kill it).
		for !strings.Contains(stderr.String(), `"msg":"working"`) && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("worker exit after SIGTERM: %v\n%s", err, stderr)
		}

		var total int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM applications").Scan(&total); err != nil {
			t.Fatal(err)
		}
		if total != 2*households {
			t.Errorf("%d applications, want %d (two months of %d households)", total, 2*households, households)
		}
		decided := 0
		for _, id := range apps {
			ds, err := st.Decisions(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := st.Application(ctx, bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}, id)
			switch {
			case a.State == bistand.Decided && (len(ds) != 1 || ds[0].DecidedBy.Kind != bistand.ActorRobot):
				t.Errorf("application %s: decided, with decisions %v", id, ds)
			case a.State != bistand.Decided && len(ds) != 0:
				t.Errorf("application %s in %s has %d decisions", id, a.State, len(ds))
			}
			if a.State == bistand.Decided {
				decided++
			}
		}
		t.Logf("%d applications this month, %d decided by the robot, %d kills", households, decided, kills)
		if decided == 0 {
			t.Error("the robot decided nothing")
		}
		// The logs name applications and decisions, never a personnummer.
		var all strings.Builder
		for _, l := range logs {
			all.WriteString(l.String())
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

		// One letter per decision (the letters table's key), and the
		// household told once per decision, however often the worker died.
		var decisions, told int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM decisions").Scan(&decisions); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM notifications WHERE kind = 'decision_letter'").Scan(&told); err != nil || told != decisions {
			t.Errorf("%d decisions, %d notifications of their letters: %v", decisions, told, err)
		}

		code, out, errOut := runBin(t, "", "audit", "verify", "--db", url)
		if code != 0 {
			t.Fatalf("audit verify exit %d: %s%s", code, out, errOut)
		}
	})
}

// lockedBuffer is a buffer a child process writes to while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
