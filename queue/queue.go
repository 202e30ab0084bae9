// Package queue runs bistand's background work on River
// (github.com/riverqueue/river), in the same database as the records: a job
// is enqueued in the same transaction as the change that needs it, so the two
// commit or roll back together.
//
// Every job is one River kind, "bistand_step", carrying the name of a step
// and its JSON arguments; the steps' handlers are plain functions. Steps must
// be idempotent: after a crash a job may run again.
package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/bistand/bistand/sqlstore"
)

// StepArgs are the arguments of every bistand job.
type StepArgs struct {
	Step string          `json:"step"`
	Args json.RawMessage `json:"args"`
}

// Kind implements river.JobArgs.
func (StepArgs) Kind() string { return "bistand_step" }

// Handler does one step. Returning an error retries the job with backoff.
type Handler func(ctx context.Context, args json.RawMessage) error

// Config tunes the queue.
type Config struct {
	Workers int // concurrent jobs; default 8
	// BackgroundWorkers work the background jobs (sqlstore.Job.Background:
	// CPU work that may lag, such as letters) beside the Workers; default
	// one per CPU, so that they never take more than the machine has from
	// the pipeline's steps.
	BackgroundWorkers int
	// JobTimeout bounds one job; RescueAfter is when a job left running by a
	// crashed process is retried (River requires RescueAfter ≥ JobTimeout).
	JobTimeout  time.Duration // default 1 minute
	RescueAfter time.Duration // default 2 minutes
	MaxAttempts int           // default 10
	Logger      *slog.Logger
}

// BackgroundQueue is the River queue of background jobs.
const BackgroundQueue = "background"

// Queue enqueues jobs and, when started with handlers, works them.
type Queue struct {
	db       *sqlstore.DB
	client   *river.Client[*sql.Tx]
	handlers map[string]Handler
	log      *slog.Logger
}

// Migrate brings River's own tables (river_*) up to date in db.
func Migrate(ctx context.Context, db *sqlstore.DB) error {
	// River's migrations take no lock of their own.
	err := db.WithMigrationLock(ctx, func() error {
		if db.Engine == sqlstore.SQLite {
			return migrate(ctx, riversqlite.New(db.DB))
		}
		return migrate(ctx, riverdatabasesql.New(db.DB))
	})
	if err != nil {
		return fmt.Errorf("queue migrations: %w", err)
	}
	return nil
}

func migrate[D riverdriver.Driver[*sql.Tx]](ctx context.Context, d D) error {
	m, err := rivermigrate.New(d, nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// New returns a queue on db. With no handlers it only enqueues; with
// handlers, Start works the jobs.
func New(db *sqlstore.DB, handlers map[string]Handler, cfg Config) (*Queue, error) {
	q := &Queue{db: db, handlers: handlers, log: cfg.Logger}
	if q.log == nil {
		q.log = slog.New(slog.DiscardHandler)
	}
	rc := &river.Config{
		Logger:      q.log,
		MaxAttempts: cfg.MaxAttempts,
		// Polling, tuned for low latency; River's SQLite driver also checks
		// its notification table every 50 ms.
		FetchCooldown:        10 * time.Millisecond,
		FetchPollInterval:    100 * time.Millisecond,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
	}
	if rc.MaxAttempts == 0 {
		rc.MaxAttempts = 10
	}
	if rc.JobTimeout == 0 {
		rc.JobTimeout = time.Minute
	}
	if rc.RescueStuckJobsAfter == 0 {
		rc.RescueStuckJobsAfter = 2 * time.Minute
	}
	if len(handlers) > 0 {
		workers := river.NewWorkers()
		river.AddWorker(workers, &stepWorker{q: q})
		n := cfg.Workers
		if n == 0 {
			n = 8
		}
		rc.Workers = workers
		bg := cfg.BackgroundWorkers
		if bg <= 0 {
			bg = runtime.GOMAXPROCS(0)
		}
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}, BackgroundQueue: {MaxWorkers: bg}}
	}
	var err error
	switch db.Engine {
	case sqlstore.SQLite:
		q.client, err = river.NewClient(riversqlite.New(db.DB), rc)
	default:
		q.client, err = river.NewClient(riverdatabasesql.New(db.DB), rc)
	}
	if err != nil {
		return nil, err
	}
	return q, nil
}

// InsertTx implements sqlstore.JobInserter.
func (q *Queue) InsertTx(ctx context.Context, tx *sql.Tx, jobs []sqlstore.Job) error {
	params := make([]river.InsertManyParams, 0, len(jobs))
	for _, j := range jobs {
		b, err := json.Marshal(j.Args)
		if err != nil {
			return fmt.Errorf("job %s: %w", j.Kind, err)
		}
		p := river.InsertManyParams{Args: StepArgs{Step: j.Kind, Args: b}}
		if !j.RunAt.IsZero() || j.Background {
			p.InsertOpts = &river.InsertOpts{ScheduledAt: j.RunAt}
			if j.Background {
				p.InsertOpts.Queue = BackgroundQueue
			}
		}
		params = append(params, p)
	}
	_, err := q.client.InsertManyTx(ctx, tx, params)
	return err
}

// Waiting returns the arguments of the jobs for a step that wait to run
// (available, pending, scheduled or retryable; not running).
func (q *Queue) Waiting(ctx context.Context, step string) ([]json.RawMessage, error) {
	return q.jobsIn(ctx, step, "'available', 'pending', 'scheduled', 'retryable'")
}

// Ready returns the arguments of the jobs for a step that are ready to run
// now (available or pending): not those waiting out a retry's backoff.
func (q *Queue) Ready(ctx context.Context, step string) ([]json.RawMessage, error) {
	return q.jobsIn(ctx, step, "'available', 'pending'")
}

// jobsIn reads River's table directly, the one place the SQL differs by
// engine: River keeps arguments as JSONB on both, with different operators.
func (q *Queue) jobsIn(ctx context.Context, step, states string) ([]json.RawMessage, error) {
	query := `SELECT json(json_extract(args, '$.args')) FROM river_job
		WHERE kind = 'bistand_step' AND json_extract(args, '$.step') = $1
		AND state IN (` + states + `)`
	if q.db.Engine == sqlstore.Postgres {
		query = `SELECT (args->'args')::text FROM river_job
		WHERE kind = 'bistand_step' AND args->>'step' = $1
		AND state IN (` + states + `)`
	}
	rows, err := q.db.QueryContext(ctx, query, step)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []json.RawMessage
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, json.RawMessage(s))
	}
	return out, rows.Err()
}

// Cancel marks err as permanent: a handler returning it ends its job
// without the retries that cannot help (the data it needs is missing).
func Cancel(err error) error { return river.JobCancel(err) }

// Start starts working jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop stops working jobs, letting running ones finish until ctx ends.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

type stepWorker struct {
	river.WorkerDefaults[StepArgs]
	q *Queue
}

func (w *stepWorker) Work(ctx context.Context, job *river.Job[StepArgs]) error {
	h := w.q.handlers[job.Args.Step]
	if h == nil {
		return river.JobCancel(fmt.Errorf("no handler for step %q", job.Args.Step))
	}
	err := h(ctx, job.Args.Args)
	if err != nil && !errors.Is(err, context.Canceled) {
		w.q.log.Warn("job failed", "step", job.Args.Step, "job", job.ID, "attempt", job.Attempt, "err", err)
	}
	return err
}
