// Package sqltest gives tests a fresh database of every engine bistand
// supports: SQLite always, and PostgreSQL when BISTAND_TEST_DATABASE_URL
// names a server (.ci/run sets it; there the PostgreSQL tests must run).
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/bistand/bistand/sqlstore"
)

// EnvURL names the PostgreSQL server tests use; each test gets a database
// of its own on it, dropped afterwards.
const EnvURL = "BISTAND_TEST_DATABASE_URL"

// Engines returns the engines to test on: sqlite, and postgres when
// BISTAND_TEST_DATABASE_URL is set.
func Engines() []sqlstore.Engine {
	if os.Getenv(EnvURL) != "" {
		return []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres}
	}
	return []sqlstore.Engine{sqlstore.SQLite}
}

// Run runs f as a subtest for every engine.
func Run(t *testing.T, f func(t *testing.T, engine sqlstore.Engine)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) { f(t, e) })
	}
}

// URL returns the URL of a fresh, empty database of the engine, removed when
// the test ends.
func URL(t testing.TB, engine sqlstore.Engine) string {
	t.Helper()
	if engine == sqlstore.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "bistand.db")
	}
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Fatalf("%s is not set", EnvURL)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "bistand_t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}

// Open opens a fresh database of the engine, migrated, closed when the test ends.
func Open(t testing.TB, engine sqlstore.Engine) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), URL(t, engine))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
