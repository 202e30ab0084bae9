package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

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
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := queue.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	st := sqlstore.NewStore(db, sqlstore.Options{Blobs: sqlstore.DiskBlobs{Dir: db.BlobDir()}})
	q, err := queue.New(db, handlers, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	st.SetJobs(q)
	return &system{db: db, store: st, queue: q}, nil
}

type workCmd struct {
	db  string
	cfg queue.Config
}

func parseWork(args []string, stderr io.Writer) (command, error) {
	c := &workCmd{}
	fs := newFlagSet("work", "work [flags]\n\nWorks the background jobs (the robot's steps) until interrupted. Safe to kill at any moment: every step is idempotent and resumes on restart.", stderr)
	db := dbFlag(fs.FlagSet)
	fs.IntVar(&c.cfg.Workers, "workers", 8, "jobs worked at once")
	fs.DurationVar(&c.cfg.JobTimeout, "job-timeout", time.Minute, "longest a job may run")
	fs.DurationVar(&c.cfg.RescueAfter, "rescue-after", 2*time.Minute, "when a job left running by a crashed process is retried (≥ job-timeout)")
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
	r := &robot.Robot{Log: log}
	c.cfg.Logger = log
	sys, err := openSystem(ctx, c.db, r.Handlers(), c.cfg)
	if err != nil {
		return err
	}
	defer sys.db.Close()
	r.Store = sys.store
	n, err := r.Resume(ctx, sys.queue)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	log.Info("working", "db", sys.db.Redacted, "resumed", n)
	if err := sys.queue.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = sys.queue.Stop(stop)
	log.Info("stopped")
	return err
}
