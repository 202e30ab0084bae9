package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/collect"
	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/resilience"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/synth"
)

type batchCmd struct {
	households   int
	month        string
	db           string
	out          string
	seed         uint64
	workers      int
	letterWork   int
	municipality string
	history      bool
	cpuprofile   string
}

func parseBatch(args []string, stderr io.Writer) (command, error) {
	c := &batchCmd{}
	fs := newFlagSet("batch", "batch --households N [--month YYYY-MM] [--db URL] [--out DIR] [--seed S]\n\nRuns one month for N synthetic households end to end against an in-process register simulator: apply, collect, calculate, check, decide or leave for a person. Prints one JSON object.", stderr)
	fs.IntVar(&c.households, "households", 1000, "households to run")
	fs.StringVar(&c.month, "month", "2026-11", "the month applied for")
	fs.StringVar(&c.db, "db", "", "database URL (default: a new SQLite file in a temporary directory, removed afterwards)")
	fs.StringVar(&c.out, "out", "", "directory for the run's report (batch.json), the month's letters (letters/DECISION_ID.pdf) and payment files (payments/MSGID.xml)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the synthetic population")
	fs.IntVar(&c.workers, "workers", 0, "jobs worked (and households set up) at once; 0: 64 per CPU on SQLite, where more at once means more changes per group commit, 4 per CPU on PostgreSQL")
	fs.IntVar(&c.letterWork, "letter-workers", 0, "letters rendered at once, beside the workers; 0: 8 per CPU")
	fs.StringVar(&c.municipality, "municipality", "demo", "guideline set of every case")
	fs.BoolVar(&c.history, "history", true, "each household also applied last month and a caseworker decided it (recurring applications)")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the month (not the setup) to this file")
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 || c.households <= 0 {
		return nil, &usageError{"batch: --households must be positive, and there are no arguments"}
	}
	if _, err := bistand.ParseMonth(c.month); err != nil {
		return nil, &usageError{"batch: --month: " + err.Error()}
	}
	return c, nil
}

// batchReport is what `bistand batch` prints.
type batchReport struct {
	Households           int            `json:"households"`
	Month                string         `json:"month"`
	Municipality         string         `json:"municipality"`
	DecidedAutomatically int            `json:"decided_automatically"`
	Routed               routedReport   `json:"routed"`
	RandomChecks         int            `json:"random_checks"`
	SupplementRequests   int            `json:"supplement_requests"`
	Outcomes             map[string]int `json:"outcomes"`
	AutomationRate       float64        `json:"automation_rate"` // a share, not money
	// Seconds per stage: setup (people, cases, last month and its letters;
	// not part of the month), submit (every household applies, while the
	// robot starts), process (until every application is decided or left
	// for a person), month (submit + process), letters (the wait for the
	// last of the month's letters after that), payments, end_to_end (the
	// month from the first application to the payment files) and total.
	Seconds     map[string]float64 `json:"seconds"`
	StepSeconds map[string]float64 `json:"step_seconds"` // summed over workers
	Engine      string             `json:"engine"`
	Workers     int                `json:"workers"`
	// GroupCommits says how the SQLite writer's transactions were shared:
	// changes per commit over the whole run (absent on PostgreSQL).
	GroupCommits *groupReport `json:"group_commits,omitempty"`
	// Payments: with --out, the month's payment files in DIR/payments/ and
	// the orders and sum in them (batch_pay.go); without, the orders planned.
	PaymentOrders int    `json:"payment_orders"`
	PaymentFiles  int    `json:"payment_files"`
	PaymentSum    string `json:"payment_sum"` // kronor
	// Letters is the number of this month's decision letters; with --out
	// they are in DIR/letters/ (batch_letters.go). SetupLetters are last
	// month's decisions' letters, made during setup.
	Letters      int `json:"letters"`
	SetupLetters int `json:"setup_letters"`
}

type routedReport struct {
	Total   int            `json:"total"`
	Reasons map[string]int `json:"reasons"` // applications per finding kind (an application may have several)
}

func (c *batchCmd) run(ctx context.Context, m *Main) error {
	month, _ := bistand.ParseMonth(c.month)
	// A batch is many small objects made and dropped quickly on a machine
	// given to it: collecting garbage at 4× the live heap instead of 2×
	// cost a 1 000-household month a fifth of its CPU time less, for about
	// 200 MB more memory (docs/performance.md). GOGC, when set, decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	var profile *os.File
	if c.cpuprofile != "" {
		f, err := os.Create(c.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		profile = f
	}
	start := time.Now()
	dbURL := c.db
	if dbURL == "" {
		dir, err := os.MkdirTemp("", "bistand-batch-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbURL = "sqlite:" + filepath.Join(dir, "batch.db")
	}
	pop := population.New(c.seed, c.households)
	simOpt := simOptions{seed: c.seed, households: c.households, today: month.FirstDay().AddDays(5).String()}

	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	metrics := &robot.Metrics{}
	r := &robot.Robot{Log: log, Metrics: metrics, PollInterval: time.Second}
	if c.workers <= 0 {
		c.workers = 4 * runtime.GOMAXPROCS(0)
		if engine, _, err := sqlstore.ParseURL(dbURL); err == nil && engine == sqlstore.SQLite {
			c.workers = 64 * runtime.GOMAXPROCS(0)
		}
	}
	if c.letterWork <= 0 {
		// A letter renders in about 2 ms and then waits for its group
		// commit: eight per CPU keep the renderer busy while they wait
		// (3 000 households: the wait for the last letters after the month
		// 4.2 s with two per CPU, 0.5–2.9 s with eight; docs/performance.md).
		c.letterWork = 8 * runtime.GOMAXPROCS(0)
	}
	sys, err := openSystem(ctx, dbURL, r.Handlers(), queue.Config{Workers: c.workers, BackgroundWorkers: c.letterWork, Logger: log})
	if err != nil {
		return err
	}
	defer sys.db.Close()
	r.Store = sys.store
	lettersBase, err := lettersBefore(ctx, sys.store)
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	col, stopSim, err := simOpt.inProcess(pop, sys.store, demoRegisters, hc, &resilience.Breakers{Threshold: 1 << 30})
	if err != nil {
		return err
	}
	defer stopSim()
	r.Collector = col

	// Setup: the households' people and cases, and last month's
	// applications, decided by a caseworker. Not part of the month.
	table := collect.DefaultTable()
	prepared := make([]*synth.Prepared, c.households)
	// A municipality's PostgreSQL keeps its planner's statistics with
	// autovacuum; on a server where that is off (as on the CI machine) the
	// batch gathers them every 30 s while it runs, or the plans made for
	// the first, nearly empty tables (a stored statement's generic plan
	// among them) would scan the tables as they grow.
	stopAnalyze := analyzeEvery(ctx, sys.db, 30*time.Second)
	defer stopAnalyze()
	if err := forEach(ctx, 0, c.households, c.workers, func(i int) error {
		p, err := synth.PrepareFromPopulation(ctx, sys.store, pop, table, i, c.municipality, month, synth.Options{History: c.history})
		prepared[i] = p
		return err
	}); err != nil {
		return err
	}
	// Last month's decisions were sent last month: their letters are made
	// now, before the month starts, so that the month's figures hold only
	// the month's work.
	if err := sys.queue.Start(ctx); err != nil {
		return err
	}
	setupLetters, err := waitLetters(ctx, sys.store, metrics, lettersBase)
	if err != nil {
		return err
	}
	if lettersBase, err = lettersBefore(ctx, sys.store); err != nil {
		return err
	}
	// The month starts with statistics of the whole setup.
	if err := sys.db.Analyze(ctx); err != nil {
		return err
	}
	setUp := time.Now()
	if profile != nil { // the month only, not the setup
		if err := pprof.StartCPUProfile(profile); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// The month: the households apply, many at once as they do on the first
	// days of a month (each application with the robot's first step
	// enqueued in the same transaction), while the robot works the queue
	// until every application is decided or left for a person.
	if err := forEach(ctx, 0, c.households, c.workers, func(i int) error {
		_, err := prepared[i].Submit(ctx, sys.store)
		return err
	}); err != nil {
		return err
	}
	submitted := time.Now()
	// The robot's own count says when to look; the database has the last
	// word. (Counting in the database all the time would take the writer's
	// connection from the robot on SQLite.)
	for {
		if s := metrics.Snapshot(); s.Decided+s.Routed+s.RandomChecks+s.Supplements >= c.households {
			left, err := unsettled(ctx, sys.db, month)
			if err != nil {
				return err
			}
			if left == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	processed := time.Now()
	// Every decision's letter: the letter steps wait behind the robot's.
	nLetters, err := waitLetters(ctx, sys.store, metrics, lettersBase)
	if err != nil {
		return err
	}
	lettered := time.Now()
	stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sys.queue.Stop(stop); err != nil {
		return err
	}

	s := metrics.Snapshot()
	rep := batchReport{
		Households: c.households, Month: month.String(), Municipality: c.municipality,
		DecidedAutomatically: s.Decided, RandomChecks: s.RandomChecks, SupplementRequests: s.Supplements,
		Routed:   routedReport{Total: s.Routed, Reasons: s.Reasons},
		Outcomes: s.Outcomes, AutomationRate: float64(s.Decided) / float64(c.households),
		Seconds: map[string]float64{
			"setup":   setUp.Sub(start).Seconds(),
			"submit":  submitted.Sub(setUp).Seconds(),
			"process": processed.Sub(submitted).Seconds(),
			"month":   processed.Sub(setUp).Seconds(),
			"letters": lettered.Sub(processed).Seconds(),
			"total":   lettered.Sub(start).Seconds(),
		},
		StepSeconds: s.StepSeconds, Engine: string(sys.db.Engine), Workers: c.workers,
	}
	if txs, changes := sys.store.GroupCommits(); txs > 0 {
		rep.GroupCommits = &groupReport{Transactions: txs, Changes: changes}
	}
	// Every household ends decided or left for a person, and the report
	// says so: anything else is a failure of the run.
	if done := rep.DecidedAutomatically + rep.Routed.Total + rep.RandomChecks + rep.SupplementRequests; done != c.households {
		return fmt.Errorf("batch: %d households, but %d decided, %d routed, %d drawn for a random check and %d asked to complete their application",
			c.households, rep.DecidedAutomatically, rep.Routed.Total, rep.RandomChecks, rep.SupplementRequests)
	}
	rep.Letters, rep.SetupLetters = nLetters, setupLetters
	if err := c.payments(ctx, sys.store, &rep); err != nil {
		return err
	}
	// The month end to end: from the first application to the payment
	// files, letters and all. Copying the letters out (--out) is not part
	// of it.
	rep.Seconds["end_to_end"] = time.Since(setUp).Seconds()
	if err := c.writeLetters(ctx, sys.store, month); err != nil {
		return err
	}
	rep.Seconds["total"] = time.Since(start).Seconds()
	if c.out != "" {
		if err := os.MkdirAll(c.out, 0o750); err != nil {
			return err
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(filepath.Join(c.out, "batch.json"), append(b, '\n'), 0o640); err != nil {
			return err
		}
	}
	return writeJSON(m.Stdout, rep, false)
}

// analyzeEvery gathers the PostgreSQL planner's statistics every period
// (sqlstore.DB.Analyze) until the returned stop is called, when the server
// does not (autovacuum off). It does nothing on SQLite or with autovacuum
// on. A failed ANALYZE is tried again next period.
func analyzeEvery(ctx context.Context, db *sqlstore.DB, period time.Duration) (stop func()) {
	if off, err := db.AutovacuumOff(ctx); err != nil || !off {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				db.Analyze(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// forEach calls fn for from … to-1 on up to workers goroutines and returns
// the first error (naming the household); after an error no new call
// starts.
func forEach(ctx context.Context, from, to, workers int, fn func(i int) error) error {
	var (
		next     atomic.Int64
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range max(1, workers) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := from + int(next.Add(1)-1)
				if i >= to {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { firstErr = fmt.Errorf("household %d: %w", i, err); cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr == nil {
		return ctx.Err()
	}
	return firstErr
}

type groupReport struct {
	Transactions int64 `json:"transactions"`
	Changes      int64 `json:"changes"`
}

// unsettled counts the month's applications the robot has not finished:
// still being collected, or assessed with neither a decision nor a finding
// saying why a person must take over.
func unsettled(ctx context.Context, db *sqlstore.DB, month bistand.Month) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications a WHERE a.month = $1
		AND (a.state IN ('submitted', 'collecting', 'supplemented')
		  OR (a.state = 'assessed' AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.application_id = a.id AND f.status = 'open')))`,
		month.String()).Scan(&n)
	return n, err
}
