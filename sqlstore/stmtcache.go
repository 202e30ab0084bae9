package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
)

// SQLite connections keep their prepared statements.
//
// database/sql prepares a statement on a connection only for a *sql.Stmt;
// every other query is parsed and planned again, each time. The store's own
// statements are *sql.Stmt (Store.stmts), but River's SQLite driver runs its
// queries as text: its fetches, completions and job inserts, about a tenth
// of a month's CPU time in `bistand batch`, went to SQLite's parser, most of
// it on the one writing connection that every change waits for
// (docs/performance.md).
//
// cachingConn wraps a SQLite connection so that a query's statement is
// prepared once per connection and kept: database/sql, finding no
// QueryerContext or ExecerContext, prepares (here: takes from the cache),
// runs and closes (here: gives back). A statement in use — its rows still
// open, or held by a *sql.Stmt — is never handed out twice: the second user
// gets a statement of its own, finalized when closed. A statement that
// failed is not kept. SQLite prepares a kept statement again by itself
// when the schema changes.

// maxCachedStmts bounds the statements kept per connection; queries beyond
// it (one-off texts) are prepared and finalized as before.
const maxCachedStmts = 512

// cachingConnector opens SQLite connections through the registered driver
// and wraps them.
type cachingConnector struct {
	dsn  string
	base driver.Driver
}

// openCachingSQLite is sql.Open("sqlite", dsn) with connections that keep
// their statements.
func openCachingSQLite(dsn string) (*sql.DB, error) {
	// sql.Open connects to nothing: it only finds the registered driver.
	probe, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	base := probe.Driver()
	probe.Close()
	return sql.OpenDB(cachingConnector{dsn: dsn, base: base}), nil
}

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.base.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlstore: the SQLite driver's connection lacks an expected method")
	}
	return &cachingConn{c: sc, stmts: map[string]*cachedStmt{}}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.base }

// sqliteConn is what database/sql uses of modernc.org/sqlite's connection,
// except its QueryerContext and ExecerContext, which would bypass the cache.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachingConn struct {
	c     sqliteConn
	mu    sync.Mutex
	stmts map[string]*cachedStmt
}

var (
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.Pinger             = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
)

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.mu.Lock()
	if s := c.stmts[query]; s != nil && !s.busy {
		s.busy = true
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()
	st, err := c.c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ps, ok := st.(preparedStmt)
	if !ok {
		return st, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.stmts[query]; taken || len(c.stmts) >= maxCachedStmts {
		return st, nil // one of its own, finalized when closed
	}
	s := &cachedStmt{s: ps, conn: c, query: query, busy: true}
	c.stmts[query] = s
	return s, nil
}

func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.c.BeginTx(ctx, opts)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.c.Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error { return c.c.ResetSession(ctx) }

func (c *cachingConn) IsValid() bool { return c.c.IsValid() }

// Close finalizes the kept statements and closes the connection.
// (database/sql closes every *sql.Stmt's statement on a connection before
// the connection.)
func (c *cachingConn) Close() error {
	c.mu.Lock()
	stmts := c.stmts
	c.stmts = nil
	c.mu.Unlock()
	var errs []error
	for _, s := range stmts {
		errs = append(errs, s.s.Close())
	}
	return errors.Join(append(errs, c.c.Close())...)
}

// preparedStmt is what database/sql uses of a modernc.org/sqlite statement.
type preparedStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachedStmt is a kept statement, lent to one user at a time: Close gives
// it back.
type cachedStmt struct {
	s     preparedStmt
	conn  *cachingConn
	query string
	busy  bool // guarded by conn.mu
	// failed: an execution of the statement returned an error; it is
	// finalized when given back instead of kept.
	failed bool
}

func (s *cachedStmt) NumInput() int { return s.s.NumInput() }

func (s *cachedStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *cachedStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	r, err := s.s.ExecContext(ctx, args)
	if err != nil {
		s.failed = true
	}
	return r, err
}

// QueryContext runs the statement; the rows reset it when closed (the
// driver does that for a prepared statement), before database/sql closes
// the statement, that is, gives it back.
func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	r, err := s.s.QueryContext(ctx, args)
	if err != nil {
		s.failed = true
	}
	return r, err
}

func (s *cachedStmt) Close() error {
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	if !s.failed && c.stmts != nil && c.stmts[s.query] == s {
		s.busy = false
		return nil
	}
	if c.stmts != nil && c.stmts[s.query] == s {
		delete(c.stmts, s.query)
	}
	return s.s.Close()
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}
