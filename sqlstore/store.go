package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/rules"
)

// timeFormat is how times are stored: UTC, fixed width, microseconds, so
// that text order is time order and both engines hold the same bytes.
const timeFormat = "2006-01-02T15:04:05.000000Z"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Job is background work to enqueue in the same transaction as the change
// that needs it.
type Job struct {
	Kind  string
	Args  any       // JSON-encodable
	RunAt time.Time // zero: as soon as possible
	// Background puts the job on the queue's background workers: work that
	// is heavy on the CPU and may lag (letters), kept from crowding out the
	// pipeline's steps.
	Background bool
}

// JobInserter enqueues jobs inside a database transaction. The queue package
// implements it with River; a Store without one refuses changes that need jobs.
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, jobs []Job) error
}

// Store is the system of record.
type Store struct {
	db    *DB
	jobs  JobInserter
	blobs BlobStore
	now   func() time.Time
	// stmts caches prepared statements by SQL text: the same few dozen
	// statements run for every application, and preparing them is a good
	// part of their cost on SQLite.
	stmts sync.Map // string → *sql.Stmt
	// rstmts are the same for the read pool (SQLite: other connections).
	rstmts sync.Map // string → *sql.Stmt
	// MaxAttachment is the largest attachment accepted, in bytes.
	MaxAttachment int64
	// failpoint is Options.Failpoint.
	failpoint func(point string) error
	// group is the SQLite group committer's queue (see write).
	group struct {
		sync.Mutex
		queue   []*pendingWrite
		running bool
		// groups and calls count the transactions and the calls in them.
		groups, calls atomic.Int64
	}
}

// GroupCommits returns how many transactions the SQLite group committer
// has committed and how many changes were in them (both 0 on PostgreSQL).
func (s *Store) GroupCommits() (transactions, changes int64) {
	return s.group.groups.Load(), s.group.calls.Load()
}

// Options configure a Store.
type Options struct {
	Jobs  JobInserter
	Blobs BlobStore
	Now   func() time.Time // default time.Now
	// Failpoint, for crash tests only, is called at named points of
	// operations whose crash safety is tested (PaymentFile:
	// "payment-file:built", after the file is made and its orders marked,
	// before the commit; "payment-file:committed", after the commit). An
	// error it returns is returned as if the process had died there: before
	// the commit nothing is kept. nil in production.
	Failpoint func(point string) error
}

// NewStore returns a store over db.
func NewStore(db *DB, opt Options) *Store {
	s := &Store{db: db, jobs: opt.Jobs, blobs: opt.Blobs, now: opt.Now, MaxAttachment: 20 << 20, failpoint: opt.Failpoint}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// DB returns the store's database.
func (s *Store) DB() *DB { return s.db }

// SetJobs sets the job inserter (the queue needs the database first).
func (s *Store) SetJobs(j JobInserter) { s.jobs = j }

// Enqueue adds jobs on their own, outside any change (to resume work).
func (s *Store) Enqueue(ctx context.Context, jobs []Job) error {
	if s.jobs == nil {
		return errors.New("sqlstore: no queue")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := s.jobs.InsertTx(ctx, tx, jobs); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// wtx is one write transaction: the changes, their audit events and the
// jobs they need, committed together or not at all.
type wtx struct {
	*sql.Tx
	s     *Store
	ctx   context.Context
	actor bistand.Actor
	now   time.Time
	at    string
	jobs  []Job
	// unprepared are statements to prepare once the transaction is over.
	unprepared []string
	// events are the audit events of the transaction, chained at commit.
	events []event
}

// write runs fn in a transaction and commits it with the jobs fn enqueued.
//
// On PostgreSQL every call is its own transaction. On SQLite, which has one
// writer, concurrent calls are committed together (group commit): each runs
// in its own savepoint of a shared transaction, so a call that fails is
// rolled back alone, and the transaction commits once for all of them. A
// call returns only after the commit its changes are in; if that commit
// fails, every call in it gets the error and none of their changes is kept.
// Either way a call's changes, audit events and jobs are kept together or
// not at all.
func (s *Store) write(ctx context.Context, actor bistand.Actor, fn func(w *wtx) error) error {
	if !actor.Valid() {
		return fmt.Errorf("%w: actor %q", bistand.ErrInvalid, actor.String())
	}
	if s.db.Engine == SQLite {
		return s.groupWrite(ctx, actor, fn)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		// A change that panics leaves no transaction open behind it.
		if v := recover(); v != nil {
			tx.Rollback()
			panic(v)
		}
	}()
	w := s.newWtx(tx, ctx, actor)
	if err := w.run(fn, false); err != nil {
		tx.Rollback()
		return err
	}
	err = tx.Commit()
	if len(w.unprepared) > 0 {
		s.prepare(ctx, w.unprepared)
	}
	return err
}

func (s *Store) newWtx(tx *sql.Tx, ctx context.Context, actor bistand.Actor) *wtx {
	// Times are stored to the microsecond; what a call returns equals what
	// is read back.
	now := s.now().UTC().Truncate(time.Microsecond)
	return &wtx{Tx: tx, s: s, ctx: ctx, actor: actor, now: now, at: fmtTime(now)}
}

// run runs fn and then what every change ends with: its jobs are enqueued
// and its audit events join the chain (unless deferChain: a group commit
// chains the events of all its changes at once, before it commits), in the
// same transaction. The chain comes last: appending takes the chain head's
// row lock, which on PostgreSQL holds every other writer back until this
// transaction commits.
func (w *wtx) run(fn func(w *wtx) error, deferChain bool) error {
	if err := fn(w); err != nil {
		return err
	}
	if len(w.jobs) > 0 {
		if w.s.jobs == nil {
			return errors.New("sqlstore: a change needs background jobs but the store has no queue")
		}
		if err := w.s.jobs.InsertTx(w.ctx, w.Tx, w.jobs); err != nil {
			return fmt.Errorf("enqueue: %w", err)
		}
	}
	if !deferChain {
		if err := chain(w.ctx, w.s.db.Engine, w, w.events); err != nil {
			return err
		}
	}
	return nil
}

// maxGroup is the most calls one group commit takes.
const maxGroup = 64

// pendingWrite is a call waiting for the group committer.
type pendingWrite struct {
	ctx   context.Context
	actor bistand.Actor
	fn    func(w *wtx) error
	done  chan error // receives the call's result once its group is over
	// panicked holds what fn panicked with, to panic with in the caller.
	panicked any
}

// groupWrite queues the call for the group committer, starting it if it is
// not running, and waits for the result.
func (s *Store) groupWrite(ctx context.Context, actor bistand.Actor, fn func(w *wtx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &pendingWrite{ctx: ctx, actor: actor, fn: fn, done: make(chan error, 1)}
	s.group.Lock()
	s.group.queue = append(s.group.queue, p)
	if !s.group.running {
		s.group.running = true
		go s.commitGroups()
	}
	s.group.Unlock()
	// A call, once queued, is waited for even if ctx ends: it may already
	// be in a transaction, and the caller must learn whether it committed.
	// A call whose ctx has ended before its turn is not run.
	err := <-p.done
	if p.panicked != nil {
		panic(p.panicked)
	}
	return err
}

// commitGroups runs the queued calls, up to maxGroup per transaction, until
// the queue is empty.
func (s *Store) commitGroups() {
	for {
		s.group.Lock()
		n := min(len(s.group.queue), maxGroup)
		if n == 0 {
			s.group.running = false
			s.group.Unlock()
			return
		}
		batch := make([]*pendingWrite, n)
		copy(batch, s.group.queue)
		rest := copy(s.group.queue, s.group.queue[n:])
		clear(s.group.queue[rest:])
		s.group.queue = s.group.queue[:rest]
		s.group.Unlock()
		s.commitGroup(batch)
	}
}

// commitGroup runs batch in one transaction, each call in a savepoint, and
// commits. It never leaves a call without an answer.
func (s *Store) commitGroup(batch []*pendingWrite) {
	results := make([]error, len(batch))
	answer := func() {
		for i, p := range batch {
			p.done <- results[i]
		}
	}
	// The transaction is not the caller's: one caller giving up must not
	// take the others' changes with it. (A cancelled context interrupts
	// SQLite, which rolls back the whole transaction.)
	bg := context.Background()
	tx, err := s.db.BeginTx(bg, nil)
	if err != nil {
		for i := range results {
			results[i] = err
		}
		answer()
		return
	}
	s.group.groups.Add(1)
	s.group.calls.Add(int64(len(batch)))
	if len(batch) == 1 {
		// Alone: no savepoint needed; a failure rolls back the transaction.
		p := batch[0]
		if err := p.ctx.Err(); err != nil {
			tx.Rollback()
			results[0] = err
			answer()
			return
		}
		w := s.newWtx(tx, context.WithoutCancel(p.ctx), p.actor)
		if err := w.runRecovering(p, false); err != nil {
			tx.Rollback()
			results[0] = err
		} else {
			results[0] = tx.Commit()
		}
		if len(w.unprepared) > 0 {
			s.prepare(bg, w.unprepared)
		}
		answer()
		return
	}
	var committed []int
	var unprepared []string
	var events []event
	for i, p := range batch {
		if err := p.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := tx.ExecContext(bg, "SAVEPOINT w"); err != nil {
			results[i] = err
			s.abortGroup(tx, batch, results, committed, err)
			answer()
			return
		}
		w := s.newWtx(tx, context.WithoutCancel(p.ctx), p.actor)
		err := w.runRecovering(p, true)
		unprepared = append(unprepared, w.unprepared...)
		if err != nil {
			results[i] = err
			if _, rerr := tx.ExecContext(bg, "ROLLBACK TO w"); rerr != nil {
				s.abortGroup(tx, batch, results, committed, rerr)
				answer()
				return
			}
		}
		if _, err := tx.ExecContext(bg, "RELEASE w"); err != nil {
			if results[i] == nil {
				results[i] = err
			}
			s.abortGroup(tx, batch, results, committed, err)
			answer()
			return
		}
		if results[i] == nil {
			committed = append(committed, i)
			events = append(events, w.events...)
		}
	}
	// The audit events of every change kept, in the order the changes ran:
	// one update of the chain's head for the whole group.
	// (Through a wtx for its prepared statements.)
	gw := &wtx{Tx: tx, s: s, ctx: bg}
	if err := chain(bg, s.db.Engine, gw, events); err != nil {
		s.abortGroup(tx, batch, results, committed, err)
		answer()
		return
	}
	unprepared = append(unprepared, gw.unprepared...)
	err = tx.Commit()
	for _, i := range committed {
		results[i] = err
	}
	if len(unprepared) > 0 {
		s.prepare(bg, unprepared)
	}
	answer()
}

// abortGroup rolls the group's transaction back after a failure of the
// transaction itself: the calls that had succeeded in it get err too.
func (s *Store) abortGroup(tx *sql.Tx, batch []*pendingWrite, results []error, committed []int, err error) {
	tx.Rollback()
	for _, i := range committed {
		results[i] = fmt.Errorf("sqlstore: the transaction this change was in failed: %w", err)
	}
	for i := range batch {
		if results[i] == nil && !slices.Contains(committed, i) {
			results[i] = fmt.Errorf("sqlstore: not run, the transaction failed: %w", err)
		}
	}
}

// runRecovering is run for a queued call: a panic in fn is caught here, so
// the other calls of the group are answered, and raised again in the caller.
func (w *wtx) runRecovering(p *pendingWrite, deferChain bool) (err error) {
	defer func() {
		if v := recover(); v != nil {
			p.panicked = v
			err = fmt.Errorf("sqlstore: panic in a change: %v", v)
		}
	}()
	return w.run(p.fn, deferChain)
}

// stmt returns the transaction's handle on the cached prepared statement
// for query, or nil when it is not prepared yet: it is then prepared after
// the transaction (a SQLite store has one connection, which the
// transaction holds).
func (w *wtx) stmt(query string) *sql.Stmt {
	v, ok := w.s.stmts.Load(query)
	if !ok {
		w.unprepared = append(w.unprepared, query)
		return nil
	}
	return w.Tx.StmtContext(w.ctx, v.(*sql.Stmt))
}

// reader runs reads outside a transaction as prepared statements.
type reader struct{ s *Store }

func (s *Store) r() reader { return reader{s} }

func (r reader) stmt(ctx context.Context, query string) *sql.Stmt {
	if v, ok := r.s.rstmts.Load(query); ok {
		return v.(*sql.Stmt)
	}
	st, err := r.s.db.Reader().PrepareContext(ctx, query)
	if err != nil {
		return nil // it runs unprepared
	}
	if v, loaded := r.s.rstmts.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt)
	}
	return st
}

func (r reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.s.db.Reader().QueryContext(ctx, query, args...)
}

func (r reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.s.db.Reader().QueryRowContext(ctx, query, args...)
}

// strings runs a query of one text column and returns its values in order.
func (r reader) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (r reader) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.s.db.ExecContext(ctx, query, args...)
}

// prepare prepares the statements a transaction found missing.
func (s *Store) prepare(ctx context.Context, queries []string) {
	for _, q := range queries {
		if _, ok := s.stmts.Load(q); ok {
			continue
		}
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			continue // it runs unprepared, as before
		}
		if _, loaded := s.stmts.LoadOrStore(q, st); loaded {
			st.Close()
		}
	}
}

// ExecContext runs query in the transaction, prepared once per store. The
// transaction's own context is used, whatever ctx is given: in a group
// commit a caller's cancellation must not interrupt the others' changes.
func (w *wtx) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	if st := w.stmt(query); st != nil {
		return st.ExecContext(w.ctx, args...)
	}
	return w.Tx.ExecContext(w.ctx, query, args...)
}

// QueryContext runs query in the transaction, prepared once per store (with
// the transaction's context, as ExecContext).
func (w *wtx) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := w.stmt(query); st != nil {
		return st.QueryContext(w.ctx, args...)
	}
	return w.Tx.QueryContext(w.ctx, query, args...)
}

// QueryRowContext runs query in the transaction, prepared once per store
// (with the transaction's context, as ExecContext).
func (w *wtx) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	if st := w.stmt(query); st != nil {
		return st.QueryRowContext(w.ctx, args...)
	}
	return w.Tx.QueryRowContext(w.ctx, query, args...)
}

// audit records a change (create or update) or a read. For a change the
// after hash is read now, from the row as the transaction has it; the events
// join the chain when the transaction commits (chain).
func (w *wtx) audit(action, entity, id, caseID, reason, before string) error {
	k, a := actorOf(w.actor)
	e := event{At: w.at, ActorKind: k, ActorID: a, Action: action, Entity: entity, EntityID: id,
		CaseID: caseID, Reason: reason, BeforeHash: before}
	if action != ActionRead {
		h, err := rowHash(w.ctx, w, entity, id)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		if h == "" {
			return fmt.Errorf("audit: %s %s does not exist", entity, id)
		}
		e.AfterHash = h
	}
	w.events = append(w.events, e)
	return nil
}

func (w *wtx) insert(entity, caseID, reason, query string, args ...any) error {
	if _, err := w.ExecContext(w.ctx, query, args...); err != nil {
		return mapErr(err)
	}
	id, _ := args[0].(string)
	return w.audit(ActionCreate, entity, id, caseID, reason, "")
}

// insertRow inserts a row into an audited table, given a value for each of
// its columns in hashing order (auditedTables), and records its creation.
// The row's hash is computed from the values written rather than from the
// row read back, which costs a query per row on the one writing connection
// (most of all for facts: a month's applications and collections write
// dozens per household). That is exact for the values the schema's columns
// give back unchanged — text, integers and NULL — which is all an audited
// table holds; any other value is hashed from the row read back. The
// package's tests check every hash made so against the row read back, on
// both engines (checkWrittenHashes).
func (w *wtx) insertRow(entity, caseID, reason string, vals ...any) error {
	return w.insertRows(entity, []newRow{{caseID: caseID, reason: reason, vals: vals}})
}

// newRow is one row for insertRows: its values, in the table's hashing
// order, and the case and reason its audit event names.
type newRow struct {
	caseID, reason string
	vals           []any
}

// insertRows is insertRow for several rows of one table, written up to
// maxInsertRows to a statement: a round trip and a statement's work for
// many rows (the facts of an application or a collection).
func (w *wtx) insertRows(entity string, rows []newRow) error {
	t, ok := insertable[entity]
	if !ok {
		return fmt.Errorf("sqlstore: insertRow: %s is not an insertable audited table", entity)
	}
	for _, r := range rows {
		if len(r.vals) != len(t.columns) {
			return fmt.Errorf("sqlstore: insertRow: %s takes a value for each of its %d columns, got %d", entity, len(t.columns), len(r.vals))
		}
	}
	if err := insertMany(w.ctx, w, w.s.db.Engine, t.name, t.columns, len(rows), func(i int) []any { return rows[i].vals }); err != nil {
		return mapErr(err)
	}
	k, a := actorOf(w.actor)
	for _, r := range rows {
		id, _ := r.vals[0].(string)
		written, ok := canonicalValues(r.vals)
		if !ok {
			if err := w.audit(ActionCreate, entity, id, r.caseID, r.reason, ""); err != nil {
				return err
			}
			continue
		}
		h := t.hashRow(written)
		if checkWrittenHashes {
			read, err := rowHash(w.ctx, w, entity, id)
			if err != nil {
				return err
			}
			if read != h {
				return fmt.Errorf("sqlstore: %s %s: hash of the values written %s, of the row read back %s", entity, id, h, read)
			}
		}
		w.events = append(w.events, event{At: w.at, ActorKind: k, ActorID: a, Action: ActionCreate, Entity: entity, EntityID: id,
			CaseID: r.caseID, Reason: r.reason, AfterHash: h})
	}
	return nil
}

// insertMany inserts n rows into table, row i's values (one per column)
// given by vals(i), up to maxInsertRows to a statement.
func insertMany(ctx context.Context, q queryer, engine Engine, table string, columns []string, n int, vals func(i int) []any) error {
	for from := 0; from < n; from += maxInsertRows {
		to := min(n, from+maxInsertRows)
		args := make([]any, 0, (to-from)*len(columns))
		for i := from; i < to; i++ {
			args = append(args, vals(i)...)
		}
		if _, err := q.ExecContext(ctx, insertSQL(engine, table, columns, to-from), args...); err != nil {
			return err
		}
	}
	return nil
}

// maxInsertRows is the most rows one INSERT writes. 64 rows of the widest
// audited table stay far below both engines' limits on parameters (SQLite
// 32 766, PostgreSQL 65 535).
const maxInsertRows = 64

// insertSQL returns the INSERT of n rows into table's columns, made once
// for each engine, table and n: the same text each time lets the SQLite
// statement cache and PostgreSQL's prepared statements reuse it.
//
// On SQLite the parameters are anonymous (?): the driver asks SQLite for
// each parameter's name, which for numbered parameters ($1) is a search
// through all of them, so that binding 832 numbered parameters cost more
// than writing the rows one by one (docs/performance.md).
func insertSQL(engine Engine, table string, columns []string, n int) string {
	key := insertKey{engine, table, n}
	if q, ok := insertSQLs.Load(key); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES ")
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range columns {
			if c > 0 {
				b.WriteString(", ")
			}
			if engine == SQLite {
				b.WriteByte('?')
			} else {
				b.WriteString("$" + strconv.Itoa(r*len(columns)+c+1))
			}
		}
		b.WriteByte(')')
	}
	q, _ := insertSQLs.LoadOrStore(key, b.String())
	return q.(string)
}

type insertKey struct {
	engine Engine
	table  string
	rows   int
}

var insertSQLs sync.Map // insertKey → string

// checkWrittenHashes makes insertRow read every row back and compare its
// hash with the one computed from the values written (set by the tests).
var checkWrittenHashes = false

// insertable are the audited tables without added columns: insertRow
// gives a value for each column.
var insertable = func() map[string]auditedTable {
	m := map[string]auditedTable{}
	for _, t := range auditedTables {
		if len(t.added) == 0 {
			m[t.name] = t
		}
	}
	return m
}()

// canonicalValues converts values as database/sql does before they reach
// the driver, and says whether all of them come back from either engine as
// they went in: text, integers, booleans (0/1 in SQLite) and NULL.
func canonicalValues(vals []any) ([]any, bool) {
	out := make([]any, len(vals))
	for i, v := range vals {
		c, err := driver.DefaultParameterConverter.ConvertValue(v)
		if err != nil {
			return nil, false
		}
		switch c.(type) {
		case nil, string, int64, bool:
		case []byte:
			c = string(c.([]byte))
		default:
			return nil, false
		}
		out[i] = c
	}
	return out, true
}

// mapErr turns constraint violations into ErrConflict.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "unique") || strings.Contains(msg, "duplicate key"):
		return fmt.Errorf("%w: %v", bistand.ErrConflict, err)
	case strings.Contains(msg, "foreign key"):
		return fmt.Errorf("%w: refers to a record that does not exist: %v", bistand.ErrInvalid, err)
	}
	return err
}

func notFound(what, id string) error {
	return fmt.Errorf("%w: %s %s", bistand.ErrNotFound, what, id)
}

// --- persons and cases ---

// CreatePerson records a person by personnummer or samordningsnummer.
func (s *Store) CreatePerson(ctx context.Context, actor bistand.Actor, pnr personnummer.Number, protected bool) (bistand.Person, error) {
	if pnr.IsZero() {
		return bistand.Person{}, fmt.Errorf("%w: no personnummer", bistand.ErrInvalid)
	}
	p := bistand.Person{ID: bistand.NewID("per", s.now()), Personnummer: pnr.String(), Protected: protected}
	err := s.write(ctx, actor, func(w *wtx) error {
		p.CreatedAt = parseTime(w.at)
		return w.insert("persons", "", "", "INSERT INTO persons (id, personnummer, protected_identity, created_at) VALUES ($1, $2, $3, $4)",
			p.ID, p.Personnummer, boolInt(protected), w.at)
	})
	return p, err
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// PersonByNumber finds a person by personnummer.
func (s *Store) PersonByNumber(ctx context.Context, pnr personnummer.Number) (bistand.Person, error) {
	return s.person(ctx, "personnummer", pnr.String())
}

// Person returns a person by id.
func (s *Store) Person(ctx context.Context, id string) (bistand.Person, error) {
	return s.person(ctx, "id", id)
}

func (s *Store) person(ctx context.Context, col, v string) (bistand.Person, error) {
	return person(ctx, s.r(), col, v)
}

func person(ctx context.Context, q queryer, col, v string) (bistand.Person, error) {
	var p bistand.Person
	var prot int64
	var created string
	err := q.QueryRowContext(ctx, "SELECT id, personnummer, protected_identity, created_at FROM persons WHERE "+col+" = $1", v).
		Scan(&p.ID, &p.Personnummer, &prot, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("person", "")
	}
	p.Protected, p.CreatedAt = prot != 0, parseTime(created)
	return p, err
}

// OpenCase opens a household case for the given members under a
// municipality's guidelines.
func (s *Store) OpenCase(ctx context.Context, actor bistand.Actor, municipality string, members []bistand.CaseMember) (bistand.Case, error) {
	c := bistand.Case{ID: bistand.NewID("case", s.now()), Municipality: municipality, Status: "open", Members: members}
	if municipality == "" {
		return c, fmt.Errorf("%w: municipality required", bistand.ErrInvalid)
	}
	applicants := 0
	for _, m := range members {
		switch m.Role {
		case "applicant":
			applicants++
		case "partner", "child":
		default:
			return c, fmt.Errorf("%w: role %q", bistand.ErrInvalid, m.Role)
		}
	}
	if applicants != 1 {
		return c, fmt.Errorf("%w: a case has exactly one applicant", bistand.ErrInvalid)
	}
	err := s.write(ctx, actor, func(w *wtx) error {
		c.CreatedAt = parseTime(w.at)
		if err := w.insert("cases", c.ID, "", "INSERT INTO cases (id, municipality, status, created_at) VALUES ($1, $2, $3, $4)",
			c.ID, municipality, c.Status, w.at); err != nil {
			return err
		}
		for i, m := range members {
			if err := w.insertMember(c.ID, m, int64(i+1)); err != nil {
				return err
			}
		}
		return nil
	})
	return c, err
}

func (w *wtx) insertMember(caseID string, m bistand.CaseMember, position int64) error {
	return w.insert("case_members", caseID, "", "INSERT INTO case_members (id, case_id, person_id, role, position, added_at) VALUES ($1, $2, $3, $4, $5, $6)",
		bistand.NewID("mem", w.now), caseID, m.PersonID, m.Role, position, w.at)
}

// AddCaseMember adds a person to a case: a partner moving in or a child
// born. A case keeps one applicant.
func (s *Store) AddCaseMember(ctx context.Context, actor bistand.Actor, caseID string, m bistand.CaseMember) error {
	if m.Role != "partner" && m.Role != "child" {
		return fmt.Errorf("%w: a member added later is a partner or a child", bistand.ErrInvalid)
	}
	if actor.Kind != bistand.ActorCaseworker && actor.Kind != bistand.ActorSystem {
		return fmt.Errorf("%w: a caseworker adds members to a case", bistand.ErrForbidden)
	}
	return s.write(ctx, actor, func(w *wtx) error {
		c, err := s.caseByID(ctx, w, caseID)
		if err != nil {
			return err
		}
		for _, x := range c.Members {
			if m.Role == "partner" && x.Role == "partner" {
				return fmt.Errorf("%w: the case has a partner", bistand.ErrConflict)
			}
		}
		return w.insertMember(caseID, m, int64(len(c.Members)+1))
	})
}

// Case returns a case with its members. A member of staff's read is audited.
func (s *Store) Case(ctx context.Context, actor bistand.Actor, id string) (bistand.Case, error) {
	c, err := s.caseByID(ctx, s.r(), id)
	if err != nil {
		return c, err
	}
	return c, s.auditRead(ctx, actor, "cases", id, id)
}

func (s *Store) caseByID(ctx context.Context, q queryer, id string) (bistand.Case, error) {
	var c bistand.Case
	var created string
	err := q.QueryRowContext(ctx, "SELECT id, municipality, status, created_at FROM cases WHERE id = $1", id).Scan(&c.ID, &c.Municipality, &c.Status, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("case", id)
	}
	if err != nil {
		return c, err
	}
	c.CreatedAt = parseTime(created)
	rows, err := q.QueryContext(ctx, "SELECT person_id, role FROM case_members WHERE case_id = $1 ORDER BY position", id)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var m bistand.CaseMember
		if err := rows.Scan(&m.PersonID, &m.Role); err != nil {
			return c, err
		}
		c.Members = append(c.Members, m)
	}
	return c, rows.Err()
}

// checkHousehold refuses an applicant actor who is not an adult of the case:
// a household acts only on its own applications.
func (w *wtx) checkHousehold(caseID string) error {
	if w.actor.Kind != bistand.ActorApplicant {
		return nil
	}
	var role string
	err := w.QueryRowContext(w.ctx, "SELECT role FROM case_members WHERE case_id = $1 AND person_id = $2", caseID, w.actor.ID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role == "child") {
		return fmt.Errorf("%w: only an adult of the household acts on its applications", bistand.ErrForbidden)
	}
	return err
}

// auditRead records that a member of staff read a case.
func (s *Store) auditRead(ctx context.Context, actor bistand.Actor, entity, id, caseID string) error {
	if !actor.Staff() {
		return nil
	}
	return s.write(ctx, actor, func(w *wtx) error { return w.audit(ActionRead, entity, id, caseID, "", "") })
}

// --- applications ---

const appColumns = "id, case_id, month, state, version, created_at, updated_at, submitted_at, supplement_due"

func scanApp(row interface{ Scan(...any) error }) (bistand.Application, error) {
	var a bistand.Application
	var month, state, created, updated, submitted, due string
	if err := row.Scan(&a.ID, &a.CaseID, &month, &state, &a.Version, &created, &updated, &submitted, &due); err != nil {
		return a, err
	}
	a.Month, _ = bistand.ParseMonth(month)
	a.State = bistand.State(state)
	a.CreatedAt, a.UpdatedAt, a.SubmittedAt = parseTime(created), parseTime(updated), parseTime(submitted)
	if due != "" {
		a.SupplementDue, _ = bistand.ParseDate(due)
	}
	return a, nil
}

// lockedApp reads an application inside a write transaction after taking
// its row lock, so that concurrent changes to one application run one after
// the other and each sees the state the previous one committed. (SQLite's
// write transactions are serialised already; the no-op UPDATE is what takes
// the lock on PostgreSQL.)
func (w *wtx) lockedApp(id string) (bistand.Application, error) {
	if _, err := w.ExecContext(w.ctx, "UPDATE applications SET version = version WHERE id = $1", id); err != nil {
		return bistand.Application{}, err
	}
	return w.s.app(w.ctx, w, id)
}

func (s *Store) app(ctx context.Context, q queryer, id string) (bistand.Application, error) {
	a, err := scanApp(q.QueryRowContext(ctx, "SELECT "+appColumns+" FROM applications WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("application", id)
	}
	return a, err
}

// CreateApplication starts a draft application for a case and month.
func (s *Store) CreateApplication(ctx context.Context, actor bistand.Actor, caseID string, month bistand.Month) (bistand.Application, error) {
	a := bistand.Application{ID: bistand.NewID("app", s.now()), CaseID: caseID, Month: month, State: bistand.Draft, Version: 1}
	if month.IsZero() {
		return a, fmt.Errorf("%w: month required", bistand.ErrInvalid)
	}
	err := s.write(ctx, actor, func(w *wtx) error { return w.createApplication(&a) })
	return a, err
}

func (w *wtx) createApplication(a *bistand.Application) error {
	if _, err := w.s.caseByID(w.ctx, w, a.CaseID); err != nil {
		return err
	}
	if err := w.checkHousehold(a.CaseID); err != nil {
		return err
	}
	a.CreatedAt, a.UpdatedAt = w.now, w.now
	return w.insertRow("applications", a.CaseID, "",
		a.ID, a.CaseID, a.Month.String(), string(a.State), a.Version, w.at, w.at, "", "")
}

// Signed is a household member's signature given with an application: the
// e-ID method and the provider's reference for it.
type Signed struct {
	PersonID, Method, Reference string
}

// Apply creates an application for a case and month, records the
// household's facts and every adult's signature, and submits it — all in one
// transaction with the jobs the submission needs. It is the one-request form
// of CreateApplication, AddFacts, Sign and Transition(submitted), for an
// application sent whole (an app, a bulk import). jobs, if not nil, gives
// the background work the new application needs.
func (s *Store) Apply(ctx context.Context, actor bistand.Actor, caseID string, month bistand.Month, facts []FactInput, signed []Signed, jobs func(bistand.Application) []Job) (bistand.Application, error) {
	a := bistand.Application{ID: bistand.NewID("app", s.now()), CaseID: caseID, Month: month, State: bistand.Draft, Version: 1}
	if month.IsZero() {
		return a, fmt.Errorf("%w: month required", bistand.ErrInvalid)
	}
	if actor.Kind != bistand.ActorApplicant {
		return a, fmt.Errorf("%w: the household applies", bistand.ErrForbidden)
	}
	err := s.write(ctx, actor, func(w *wtx) error {
		if err := w.createApplication(&a); err != nil {
			return err
		}
		if _, err := w.addFacts(a.ID, facts); err != nil {
			return err
		}
		for _, sg := range signed {
			if err := w.sign(&a, sg.PersonID, sg.Method, sg.Reference); err != nil {
				return err
			}
		}
		if err := w.transition(&a, bistand.Submitted, "", bistand.Date{}); err != nil {
			return err
		}
		if jobs != nil {
			w.jobs = append(w.jobs, jobs(a)...)
		}
		return nil
	})
	return a, err
}

// Application returns an application. A member of staff's read is audited.
func (s *Store) Application(ctx context.Context, actor bistand.Actor, id string) (bistand.Application, error) {
	a, err := s.app(ctx, s.r(), id)
	if err != nil {
		return a, err
	}
	return a, s.auditRead(ctx, actor, "applications", id, a.CaseID)
}

// ApplicationsInState lists the ids of applications in a state, oldest first.
func (s *Store) ApplicationsInState(ctx context.Context, state bistand.State, limit int) ([]string, error) {
	return s.r().strings(ctx, "SELECT id FROM applications WHERE state = $1 ORDER BY id LIMIT $2", string(state), limit)
}

// CountByState counts applications per state.
func (s *Store) CountByState(ctx context.Context) (map[bistand.State]int, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT state, COUNT(*) FROM applications GROUP BY state")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[bistand.State]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[bistand.State(st)] = n
	}
	return out, rows.Err()
}

// TransitionOptions go with a state change.
type TransitionOptions struct {
	// SupplementDue is required when requesting a komplettering.
	SupplementDue bistand.Date
	// Enqueue is background work the new state needs, enqueued in the same
	// transaction.
	Enqueue []Job
	// IfState makes the transition a no-op (returning the application
	// unchanged, and ok false) unless the application is in this state:
	// how idempotent jobs avoid repeating a step.
	IfState bistand.State
	// Notify are messages to the household made in the same transaction
	// (a caseworker's supplement request and the household's notice of it
	// are kept or lost together).
	Notify []bistand.Notification
}

// Transition moves an application to another state, if the lifecycle and
// the actor allow it, and records who, when and why.
func (s *Store) Transition(ctx context.Context, actor bistand.Actor, id string, to bistand.State, reason string, opt TransitionOptions) (a bistand.Application, ok bool, err error) {
	err = s.write(ctx, actor, func(w *wtx) error {
		a, ok, err = (&Change{w}).Transition(id, to, reason, opt)
		return err
	})
	if err != nil {
		return a, false, err
	}
	return a, ok, nil
}

// Transition is Store.Transition within a Change.
func (c *Change) Transition(id string, to bistand.State, reason string, opt TransitionOptions) (a bistand.Application, ok bool, err error) {
	w := c.w
	if to == bistand.Decided {
		return a, false, fmt.Errorf("%w: an application is decided by recording a decision", bistand.ErrInvalidTransition)
	}
	a, err = w.lockedApp(id)
	if err != nil {
		return a, false, err
	}
	if opt.IfState != "" && a.State != opt.IfState {
		return a, false, nil
	}
	if err := w.checkHousehold(a.CaseID); err != nil {
		return a, false, err
	}
	if err := w.transition(&a, to, reason, opt.SupplementDue); err != nil {
		return a, false, err
	}
	for i := range opt.Notify {
		n := &opt.Notify[i]
		if err := checkNotification(w.actor, *n); err != nil {
			return a, false, err
		}
		if err := w.addNotification(n); err != nil {
			return a, false, err
		}
	}
	w.jobs = append(w.jobs, opt.Enqueue...)
	return a, true, nil
}

// Change is a robot step's writes, made together in one transaction
// (Store.Change): the methods are the Store's methods of the same names,
// without a transaction of their own. A step that collects, or decides,
// records its state, facts, findings and decision at once: fewer changes
// for the one SQLite writer, and no moment at which an application is
// assessed but its findings or decision are not yet recorded.
type Change struct{ w *wtx }

// Change runs fn as one change: everything fn records is kept, or, if fn
// returns an error, nothing. fn uses only c: on SQLite it runs on the one
// writing connection's goroutine, so reading through the Store inside it
// would hold every other change up (read first, then change).
func (s *Store) Change(ctx context.Context, actor bistand.Actor, fn func(c *Change) error) error {
	return s.write(ctx, actor, func(w *wtx) error { return fn(&Change{w}) })
}

// transition changes a's state inside w after checking the lifecycle.
func (w *wtx) transition(a *bistand.Application, to bistand.State, reason string, due bistand.Date) error {
	from := a.State
	if err := bistand.CheckTransition(from, to, w.actor.Kind, !a.SubmittedAt.IsZero()); err != nil {
		return err
	}
	switch to {
	case bistand.Submitted:
		if err := w.checkSigned(a); err != nil {
			return err
		}
		a.SubmittedAt = w.now
	case bistand.SupplementRequested:
		if due.IsZero() {
			return fmt.Errorf("%w: a supplement request needs a due date", bistand.ErrInvalid)
		}
		a.SupplementDue = due
	case bistand.Withdrawn, bistand.Expired, bistand.Supplemented:
		if reason == "" && w.actor.Kind == bistand.ActorCaseworker {
			return fmt.Errorf("%w: a caseworker gives a reason", bistand.ErrInvalid)
		}
	}
	if to != bistand.SupplementRequested {
		a.SupplementDue = bistand.Date{}
	}
	before, err := rowHash(w.ctx, w, "applications", a.ID)
	if err != nil {
		return err
	}
	res, err := w.ExecContext(w.ctx, "UPDATE applications SET state = $1, version = version + 1, updated_at = $2, submitted_at = $3, supplement_due = $4 WHERE id = $5 AND version = $6",
		string(to), w.at, fmtTime(a.SubmittedAt), a.SupplementDue.String(), a.ID, a.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("%w: application %s changed meanwhile", bistand.ErrConflict, a.ID)
	}
	a.State, a.Version, a.UpdatedAt = to, a.Version+1, w.now
	if err := w.audit(ActionUpdate, "applications", a.ID, a.CaseID, reason, before); err != nil {
		return err
	}
	var seq int64
	if err := w.QueryRowContext(w.ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM transitions WHERE application_id = $1", a.ID).Scan(&seq); err != nil {
		return err
	}
	k, actorID := actorOf(w.actor)
	return w.insertRow("transitions", a.CaseID, reason,
		bistand.NewID("tr", w.now), a.ID, seq, string(from), string(to), k, actorID, reason, w.at)
}

// checkSigned requires a signature of every adult in the case.
func (w *wtx) checkSigned(a *bistand.Application) error {
	rows, err := w.QueryContext(w.ctx, `SELECT m.person_id FROM case_members m
		WHERE m.case_id = $1 AND m.role IN ('applicant', 'partner')
		AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.application_id = $2 AND s.person_id = m.person_id)`, a.CaseID, a.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		return fmt.Errorf("%w: every adult in the household must sign before the application is submitted", bistand.ErrInvalid)
	}
	return rows.Err()
}

// Transitions returns an application's history of state changes.
func (s *Store) Transitions(ctx context.Context, appID string) ([]bistand.Transition, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT application_id, seq, from_state, to_state, actor_kind, actor_id, reason, at FROM transitions WHERE application_id = $1 ORDER BY seq", appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bistand.Transition
	for rows.Next() {
		var t bistand.Transition
		var from, to, kind, at string
		if err := rows.Scan(&t.ApplicationID, &t.Seq, &from, &to, &kind, &t.Actor.ID, &t.Reason, &at); err != nil {
			return nil, err
		}
		t.From, t.To, t.Actor.Kind, t.At = bistand.State(from), bistand.State(to), bistand.ActorKind(kind), parseTime(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

// --- signatures and attachments ---

// Sign records an adult household member's signature of a draft.
func (s *Store) Sign(ctx context.Context, actor bistand.Actor, appID, personID, method, reference string) error {
	if method == "" || reference == "" {
		return fmt.Errorf("%w: signature method and reference required", bistand.ErrInvalid)
	}
	if actor.Kind != bistand.ActorApplicant || actor.ID != personID {
		return fmt.Errorf("%w: a person signs for themselves", bistand.ErrForbidden)
	}
	return s.write(ctx, actor, func(w *wtx) error {
		a, err := s.app(ctx, w, appID)
		if err != nil {
			return err
		}
		return w.sign(&a, personID, method, reference)
	})
}

// sign records an adult member's signature of a draft.
func (w *wtx) sign(a *bistand.Application, personID, method, reference string) error {
	if method == "" || reference == "" {
		return fmt.Errorf("%w: signature method and reference required", bistand.ErrInvalid)
	}
	if a.State != bistand.Draft {
		return fmt.Errorf("%w: only a draft is signed", bistand.ErrInvalidTransition)
	}
	var role string
	err := w.QueryRowContext(w.ctx, "SELECT role FROM case_members WHERE case_id = $1 AND person_id = $2", a.CaseID, personID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role == "child") {
		return fmt.Errorf("%w: only an adult in the household signs", bistand.ErrForbidden)
	}
	if err != nil {
		return err
	}
	return w.insertRow("signatures", a.CaseID, "",
		bistand.NewID("sig", w.now), a.ID, personID, method, reference, w.at)
}

// AddAttachment stores a file for an application by its content hash.
func (s *Store) AddAttachment(ctx context.Context, actor bistand.Actor, appID, filename, contentType string, r io.Reader) (bistand.Attachment, error) {
	at := bistand.Attachment{ID: bistand.NewID("att", s.now()), ApplicationID: appID, Filename: filename, ContentType: contentType, UploadedBy: actor}
	if s.blobs == nil {
		return at, errors.New("sqlstore: no blob store")
	}
	if filename == "" || contentType == "" {
		return at, fmt.Errorf("%w: filename and content type required", bistand.ErrInvalid)
	}
	a, err := s.app(ctx, s.r(), appID)
	if err != nil {
		return at, err
	}
	at.SHA256, at.Size, err = s.blobs.Put(ctx, r, s.MaxAttachment)
	if err != nil {
		return at, err
	}
	err = s.write(ctx, actor, func(w *wtx) error {
		cur, err := w.lockedApp(appID)
		if err != nil {
			return err
		}
		if err := w.checkHousehold(cur.CaseID); err != nil {
			return err
		}
		if cur.State == bistand.Withdrawn || cur.State == bistand.Expired || cur.State == bistand.Paid {
			return fmt.Errorf("%w: no attachments to a %s application", bistand.ErrInvalidTransition, cur.State)
		}
		at.UploadedAt = w.now
		k, id := actorOf(actor)
		return w.insert("attachments", a.CaseID, "", "INSERT INTO attachments (id, application_id, sha256, filename, content_type, size, actor_kind, actor_id, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			at.ID, appID, at.SHA256, filename, contentType, at.Size, k, id, w.at)
	})
	return at, err
}

// Attachments lists an application's attachments.
func (s *Store) Attachments(ctx context.Context, appID string) ([]bistand.Attachment, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT id, application_id, sha256, filename, content_type, size, actor_kind, actor_id, uploaded_at FROM attachments WHERE application_id = $1 ORDER BY id", appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bistand.Attachment
	for rows.Next() {
		var a bistand.Attachment
		var kind, at string
		if err := rows.Scan(&a.ID, &a.ApplicationID, &a.SHA256, &a.Filename, &a.ContentType, &a.Size, &kind, &a.UploadedBy.ID, &at); err != nil {
			return nil, err
		}
		a.UploadedBy.Kind, a.UploadedAt = bistand.ActorKind(kind), parseTime(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// OpenAttachment returns an attachment's contents.
func (s *Store) OpenAttachment(ctx context.Context, a bistand.Attachment) (io.ReadCloser, error) {
	return s.blobs.Open(ctx, a.SHA256)
}

// compactJSON returns v as compact JSON, or v re-compacted if it is JSON.
func compactJSON(raw json.RawMessage) (string, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "", fmt.Errorf("%w: not JSON: %v", bistand.ErrInvalid, err)
	}
	return b.String(), nil
}

// engine returns the rules engine the store calculates with.
func engine() *rules.Engine { return rules.Default() }
