package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// cachedOn runs fn with the caching connection behind one *sql.Conn.
func cachedOn(t *testing.T, conn *sql.Conn, fn func(c *cachingConn)) {
	t.Helper()
	if err := conn.Raw(func(dc any) error {
		c, ok := dc.(*cachingConn)
		if !ok {
			return fmt.Errorf("connection is %T, not a caching one", dc)
		}
		fn(c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func openCachingTest(t *testing.T) (*sql.DB, *sql.Conn) {
	t.Helper()
	ctx := context.Background()
	_, dsn, err := ParseURL("sqlite:" + filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := openCachingSQLite(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(ctx, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := conn.ExecContext(ctx, "INSERT INTO t (k, v) VALUES ($1, $2)", i, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	return db, conn
}

// TestStatementCache: a query's statement is prepared once per connection
// and reused; results stay right when the same text runs inside its own
// open rows, after a failure, and after the schema changes.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	_, conn := openCachingTest(t)
	const q = "SELECT v FROM t WHERE k = $1"
	var first *cachedStmt
	for i := 1; i <= 3; i++ {
		var v string
		if err := conn.QueryRowContext(ctx, q, i).Scan(&v); err != nil || v != fmt.Sprint("v", i) {
			t.Fatalf("k=%d: %q %v", i, v, err)
		}
		cachedOn(t, conn, func(c *cachingConn) {
			s := c.stmts[q]
			switch {
			case s == nil:
				t.Fatalf("run %d: the statement was not kept", i)
			case s.busy:
				t.Fatalf("run %d: the statement was not given back", i)
			case first == nil:
				first = s
			case s != first:
				t.Fatalf("run %d: prepared again", i)
			}
		})
	}

	// The same text inside its own open rows: the inner use gets a
	// statement of its own, and neither disturbs the other.
	const all = "SELECT k, v FROM t WHERE k >= $1 ORDER BY k"
	rows, err := conn.QueryContext(ctx, all, 1)
	if err != nil {
		t.Fatal(err)
	}
	var outer []string
	for rows.Next() {
		var k int
		var v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		outer = append(outer, v)
		inner, err := conn.QueryContext(ctx, all, k)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for inner.Next() {
			n++
		}
		if err := inner.Close(); err != nil || n != 4-k {
			t.Fatalf("inner query from k=%d: %d rows, %v", k, n, err)
		}
	}
	if err := rows.Close(); err != nil || fmt.Sprint(outer) != "[v1 v2 v3]" {
		t.Fatalf("outer rows %v, %v", outer, err)
	}

	// A statement that failed is not kept; the text works again.
	const ins = "INSERT INTO t (k, v) VALUES ($1, $2)"
	if _, err := conn.ExecContext(ctx, ins, 1, "dup"); err == nil {
		t.Fatal("a duplicate key was inserted")
	}
	cachedOn(t, conn, func(c *cachingConn) {
		if c.stmts[ins] != nil {
			t.Error("a statement kept after it failed")
		}
	})
	if _, err := conn.ExecContext(ctx, ins, 4, "v4"); err != nil {
		t.Fatal(err)
	}

	// The schema changes under a kept statement: SQLite prepares it again.
	const star = "SELECT * FROM t WHERE k = $1"
	var k int
	var v string
	if err := conn.QueryRowContext(ctx, star, 4).Scan(&k, &v); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "ALTER TABLE t ADD COLUMN w TEXT NOT NULL DEFAULT 'x'"); err != nil {
		t.Fatal(err)
	}
	var w string
	if err := conn.QueryRowContext(ctx, star, 4).Scan(&k, &v, &w); err != nil || w != "x" {
		t.Fatalf("after ALTER TABLE: %q %v", w, err)
	}
}

// TestStatementCacheBound: one-off texts beyond the bound are prepared and
// finalized as without the cache.
func TestStatementCacheBound(t *testing.T) {
	ctx := context.Background()
	_, conn := openCachingTest(t)
	for i := range maxCachedStmts + 20 {
		var n int
		if err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) + %d FROM t", i)).Scan(&n); err != nil || n != 3+i {
			t.Fatalf("%d: %d %v", i, n, err)
		}
	}
	cachedOn(t, conn, func(c *cachingConn) {
		if len(c.stmts) != maxCachedStmts {
			t.Errorf("%d statements kept, bound %d", len(c.stmts), maxCachedStmts)
		}
	})
}

// TestStatementCacheTx: statements kept inside transactions, committed and
// rolled back, and a *sql.Stmt beside the same text.
func TestStatementCacheTx(t *testing.T) {
	ctx := context.Background()
	db, conn := openCachingTest(t)
	conn.Close()
	db.SetMaxOpenConns(1)
	st, err := db.PrepareContext(ctx, "SELECT COUNT(*) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, commit := range []bool{true, false, true} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO t (k, v) VALUES ($1, 'x')", 10+i); err != nil {
			t.Fatal(err)
		}
		var viaText, viaStmt int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&viaText); err != nil {
			t.Fatal(err)
		}
		if err := tx.StmtContext(ctx, st).QueryRowContext(ctx).Scan(&viaStmt); err != nil {
			t.Fatal(err)
		}
		if viaText != viaStmt {
			t.Fatalf("text %d, statement %d", viaText, viaStmt)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil || n != 5 {
		t.Fatalf("%d rows after two commits and a rollback: %v", n, err)
	}
}
