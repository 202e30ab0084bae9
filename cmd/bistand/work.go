package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/bistand/bistand/collect"
	"github.com/bistand/bistand/navet"
	"github.com/bistand/bistand/resilience"
	"github.com/bistand/bistand/ssbtek"

	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
)

// system is an opened database with its store and queue.
type system struct {
	db    *sqlstore.DB
	store *sqlstore.Store
	queue *queue.Queue
}

// openSystem opens the database, brings the records' and the queue's schema
// up to date and wires the store to the queue. With handlers the queue can
// work jobs.
func openSystem(ctx context.Context, url string, handlers map[string]queue.Handler, cfg queue.Config) (*system, error) {
	return openSystemIn(ctx, url, "", handlers, cfg)
}

// openSystemIn is openSystem with attachments and letters kept in blobDir
// ("" for the database's default, DB.BlobDir).
func openSystemIn(ctx context.Context, url, blobDir string, handlers map[string]queue.Handler, cfg queue.Config) (*system, error) {
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := queue.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if blobDir == "" {
		blobDir = db.BlobDir()
	}
	st := sqlstore.NewStore(db, sqlstore.Options{Blobs: sqlstore.DiskBlobs{Dir: blobDir}})
	q, err := queue.New(db, handlers, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	st.SetJobs(q)
	return &system{db: db, store: st, queue: q}, nil
}

// warnAutovacuum logs a warning when the PostgreSQL server keeps no
// planner statistics up to date on its own (autovacuum off): the robot's
// queries then slow down as the tables grow (docs/architecture.md).
func warnAutovacuum(ctx context.Context, db *sqlstore.DB, log *slog.Logger) {
	if off, err := db.AutovacuumOff(ctx); err == nil && off {
		log.Warn("PostgreSQL has autovacuum off: run ANALYZE regularly, or the planner's statistics grow stale and queries scan whole tables", "db", db.Redacted)
	}
}

type workCmd struct {
	db           string
	cfg          queue.Config
	regs         registerFlags
	reminderDays int
}

// registerFlags configure the register connectors (SSBTEK and Navet).
type registerFlags struct {
	ssbtekURL, navetURL string
	cert, key, ca       string
	orgNumber, orgName  string
	aktorsID            string
	pollInterval        time.Duration
	pollDays            int
}

func (r *registerFlags) flags(fs *flagSet) {
	env := func(name, def string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&r.ssbtekURL, "ssbtek-url", env("BISTAND_SSBTEK_URL", ""), "SSBTEK endpoint (env BISTAND_SSBTEK_URL); empty: no register collection")
	fs.StringVar(&r.navetURL, "navet-url", env("BISTAND_NAVET_URL", ""), "Navet endpoint (env BISTAND_NAVET_URL)")
	fs.StringVar(&r.cert, "tls-cert", env("BISTAND_TLS_CERT", ""), "client certificate for mutual TLS with the registers (PEM)")
	fs.StringVar(&r.key, "tls-key", env("BISTAND_TLS_KEY", ""), "its private key (PEM)")
	fs.StringVar(&r.ca, "tls-ca", env("BISTAND_TLS_CA", ""), "CA certificate the registers' servers are verified with (PEM)")
	fs.StringVar(&r.orgNumber, "org-number", env("BISTAND_ORG_NUMBER", "2120009994"), "the municipality's organisationsnummer")
	fs.StringVar(&r.orgName, "org-name", env("BISTAND_ORG_NAME", "Demoköpings kommun"), "the municipality's name")
	fs.StringVar(&r.aktorsID, "aktorsid", env("BISTAND_AKTORSID", "demo-aktor"), "the municipality's LEFI actor id (from Försäkringskassan)")
	fs.DurationVar(&r.pollInterval, "poll-interval", 6*time.Hour, "wait before asking the registers again for expected data")
	fs.IntVar(&r.pollDays, "poll-days", 5, "days to keep asking before a person takes over")
}

// collector returns the register collector, or nil without a SSBTEK URL.
func (r *registerFlags) collector(st *sqlstore.Store) (*collect.Registers, error) {
	if r.ssbtekURL == "" && r.navetURL == "" {
		return nil, nil
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	if r.cert != "" || r.ca != "" {
		tc, err := ssbtek.TLSConfig(r.cert, r.key, r.ca)
		if err != nil {
			return nil, err
		}
		hc.Transport = &http.Transport{TLSClientConfig: tc}
	}
	cfg := collect.DefaultConfig()
	cfg.PollDays = r.pollDays
	c := &collect.Registers{Store: st, Config: cfg, Breakers: &resilience.Breakers{}}
	if r.ssbtekURL != "" {
		c.SSBTEK = ssbtek.NewClient(ssbtek.Config{URL: r.ssbtekURL, HTTPClient: hc, OrgNumber: r.orgNumber, OrgName: r.orgName, AktorsID: r.aktorsID})
	}
	if r.navetURL != "" {
		n, err := navet.NewClient(navet.Config{URL: r.navetURL, HTTPClient: hc, OrgNumber: r.orgNumber, Purpose: "Handläggning av ekonomiskt bistånd"})
		if err != nil {
			return nil, err
		}
		c.Navet = n
	}
	return c, nil
}

func parseWork(args []string, stderr io.Writer) (command, error) {
	c := &workCmd{}
	fs := newFlagSet("work", "work [flags]\n\nWorks the background jobs (the robot's steps) until interrupted. Safe to kill at any moment: every step is idempotent and resumes on restart.", stderr)
	db := dbFlag(fs.FlagSet)
	fs.IntVar(&c.cfg.Workers, "workers", 8, "jobs worked at once")
	fs.IntVar(&c.cfg.BackgroundWorkers, "letter-workers", 0, "letters rendered at once, beside the workers (0: one per CPU)")
	fs.DurationVar(&c.cfg.JobTimeout, "job-timeout", time.Minute, "longest a job may run")
	fs.DurationVar(&c.cfg.RescueAfter, "rescue-after", 2*time.Minute, "when a job left running by a crashed process is retried (≥ job-timeout)")
	c.regs.flags(fs)
	fs.IntVar(&c.reminderDays, "reminder-days", 3, "days before a supplement request's due date the household is reminded")
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, &usageError{"work takes no arguments"}
	}
	if c.cfg.RescueAfter < c.cfg.JobTimeout {
		return nil, &usageError{"work: --rescue-after must be at least --job-timeout"}
	}
	c.db = *db
	return c, nil
}

func (c *workCmd) run(ctx context.Context, m *Main) error {
	log := slog.New(slog.NewJSONHandler(m.Stderr, nil))
	r := &robot.Robot{Log: log, PollInterval: c.regs.pollInterval}
	c.cfg.Logger = log
	sys, err := openSystem(ctx, c.db, r.Handlers(), c.cfg)
	if err != nil {
		return err
	}
	defer sys.db.Close()
	warnAutovacuum(ctx, sys.db, log)
	r.Store = sys.store
	col, err := c.regs.collector(sys.store)
	if err != nil {
		return err
	}
	if col != nil {
		r.Collector = col
	}
	n, err := r.Resume(ctx, sys.queue)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	log.Info("working", "db", sys.db.Redacted, "resumed", n)
	if err := sys.queue.Start(ctx); err != nil {
		return err
	}
	go sweepLoop(ctx, r, log, c.reminderDays)
	<-ctx.Done()
	stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = sys.queue.Stop(stop)
	log.Info("stopped")
	return err
}
