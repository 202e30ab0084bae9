// Package sqlstore is bistand's system of record: one SQL code path for
// SQLite (modernc.org/sqlite, the default) and PostgreSQL (pgx through
// database/sql), migrations with goose, and a hash-chained audit log written
// in the same transaction as every change.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Engine names a database engine.
type Engine string

// Supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DefaultURL is the database used when none is given: a SQLite file in ./data.
const DefaultURL = "sqlite:data/bistand.db"

// DB is an open database of either engine.
type DB struct {
	*sql.DB
	// read serves reads outside write transactions. SQLite: a pool of
	// read-only connections beside the one writer (WAL lets them read while
	// it writes); PostgreSQL: the same pool as DB.
	read   *sql.DB
	Engine Engine
	// Redacted is the URL without a password, for messages.
	Redacted string
	path     string // SQLite: the database file
}

// ParseURL tells the engine and driver data source name for a database URL:
// "sqlite:PATH" (a file, created if missing; "sqlite::memory:" is not
// supported because several connections must share the database) or
// "postgres://…" / "postgresql://…".
func ParseURL(raw string) (Engine, string, error) {
	switch {
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(raw, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" || strings.ContainsAny(path, "?#%") || path == ":memory:" {
			return "", "", fmt.Errorf("database URL %q: want sqlite:PATH to a file, without ?, # or %% in the path", raw)
		}
		// WAL lets readers run beside the one writer; a write transaction
		// takes the write lock at BEGIN (immediate), so writers queue on the
		// busy timeout instead of failing; FULL sync survives power loss.
		// The busy timeout comes first: it must already apply while the
		// other pragmas (switching to WAL) take their locks. Temporary
		// storage is in memory: the savepoints of a group commit keep their
		// undo pages there (the statement journal), not in a temporary file.
		// The page cache is 256 MB instead of SQLite's 2 MB, filled only as
		// pages are read: with 100 000 households (a 6.7 GB file) the small
		// cache sent every step to the operating system for its index pages
		// (docs/performance.md). Readers have 64 MB each (readerDSN).
		dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
			"&_pragma=foreign_keys(ON)&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-262144)&_txlock=immediate"
		return SQLite, dsn, nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return "", "", fmt.Errorf("database URL: %w", err)
		}
		return Postgres, raw, nil
	}
	return "", "", fmt.Errorf("database URL must start with sqlite: or postgres://")
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Open opens the database at url, creating a SQLite file's directory, and
// brings its schema up to date.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	engine, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	driver, path := "pgx", ""
	if engine == SQLite {
		driver = "sqlite"
		path = strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//")
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, err
		}
	}
	var sqldb *sql.DB
	if engine == SQLite {
		sqldb, err = openCachingSQLite(dsn)
	} else {
		sqldb, err = sql.Open(driver, dsn)
	}
	if err != nil {
		return nil, err
	}
	if engine == SQLite {
		// One connection: SQLite has one writer at a time anyway, and River's
		// SQLite driver needs it (several connections give SQLITE_BUSY under
		// load). Consequence: never use the pool while holding a transaction.
		sqldb.SetMaxOpenConns(1)
	} else {
		sqldb.SetMaxOpenConns(16)
		// database/sql keeps 2 idle connections by default; with more
		// workers than that it would reconnect all the time.
		sqldb.SetMaxIdleConns(16)
	}
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{DB: sqldb, read: sqldb, Engine: engine, Redacted: redact(rawURL), path: path}
	// The first connection to a new SQLite file switches it to WAL, which
	// takes a lock no busy timeout waits for; processes opening together
	// take turns (the same lock as migrations).
	err = db.WithMigrationLock(ctx, func() error {
		if err := db.PingContext(ctx); err != nil {
			return fmt.Errorf("open %s: %w", db.Redacted, err)
		}
		return db.migrate(ctx)
	})
	if err != nil {
		sqldb.Close()
		return nil, err
	}
	if engine == SQLite {
		// Readers: they never write (query_only) and begin deferred, so a
		// read, or a long audit walk, never waits for the writer nor holds
		// it up. Opened after the first connection made the file WAL.
		read, err := openCachingSQLite(readerDSN(path))
		if err != nil {
			sqldb.Close()
			return nil, err
		}
		read.SetMaxOpenConns(readConns)
		read.SetMaxIdleConns(readConns)
		read.SetConnMaxIdleTime(5 * time.Minute)
		db.read = read
	}
	return db, nil
}

// readConns is how many SQLite connections serve reads.
const readConns = 4

func readerDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)&_pragma=foreign_keys(ON)&_pragma=cache_size(-65536)"
}

// Reader is the pool for reads outside a write transaction: it sees every
// committed change, and on SQLite it reads beside the writer instead of
// queueing for its one connection.
func (db *DB) Reader() *sql.DB { return db.read }

// Close closes the database's connections.
func (db *DB) Close() error {
	err := db.DB.Close()
	if db.read != db.DB {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Migrate applies every embedded migration not yet applied.
func (db *DB) Migrate(ctx context.Context) error {
	return db.WithMigrationLock(ctx, func() error { return db.migrate(ctx) })
}

func (db *DB) migrate(ctx context.Context) error {
	dialect := goose.DialectPostgres
	if db.Engine == SQLite {
		dialect = goose.DialectSQLite3
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, db.DB, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil && !errors.Is(err, goose.ErrNoNextVersion) {
		return fmt.Errorf("migrations: %w", err)
	}
	return db.ensureGuards(ctx)
}

// BlobDir is where attachments and letters are kept: the directory
// BISTAND_BLOBS names, or else beside a SQLite database, or under ./data for
// PostgreSQL.
func (db *DB) BlobDir() string {
	if dir := os.Getenv(EnvBlobs); dir != "" {
		return dir
	}
	if db.Engine == SQLite {
		return filepath.Join(filepath.Dir(db.path), "blobs")
	}
	return filepath.Join("data", "blobs")
}

// EnvBlobs names the environment variable that sets BlobDir.
const EnvBlobs = "BISTAND_BLOBS"

// migrationLockKey is the PostgreSQL advisory lock that serialises schema
// migrations (bistand's and the queue's) across processes.
const migrationLockKey = 0x62697374616e64 // "bistand"

// WithMigrationLock runs fn holding a lock that keeps other processes from
// migrating the same database at the same time: a PostgreSQL advisory lock,
// or a lock on a file beside the SQLite database.
func (db *DB) WithMigrationLock(ctx context.Context, fn func() error) error {
	if db.Engine == SQLite {
		unlock, err := lockFile(db.path + ".migrate-lock")
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer unlock()
		return fn()
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open %s: %w", db.Redacted, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLockKey)); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", int64(migrationLockKey))
	return fn()
}

// Analyze brings the PostgreSQL planner's statistics up to date (ANALYZE),
// as autovacuum does on its own when it is on. Without statistics the
// planner takes every table for small and finds a case's contact facts by
// scanning all facts: in a 10 000-household database without statistics
// that query took 59 ms, with them 0.09 ms (docs/performance.md). SQLite
// plans from its indexes; nothing to do.
func (db *DB) Analyze(ctx context.Context) error {
	if db.Engine != Postgres {
		return nil
	}
	_, err := db.ExecContext(ctx, "ANALYZE")
	return err
}

// AutovacuumOff says whether the PostgreSQL server has autovacuum off, so
// that nothing keeps the planner's statistics up to date unless the
// operator runs ANALYZE. Always false on SQLite.
func (db *DB) AutovacuumOff(ctx context.Context) (bool, error) {
	if db.Engine != Postgres {
		return false, nil
	}
	var v string
	if err := db.QueryRowContext(ctx, "SHOW autovacuum").Scan(&v); err != nil {
		return false, err
	}
	return v == "off", nil
}
