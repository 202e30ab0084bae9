package sqlstore_test

import (
	"database/sql"
	"testing"

	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// TestAnalyze: on PostgreSQL, Analyze gives the planner statistics for the
// records' tables (the CI server has autovacuum off, so nothing else does);
// on SQLite it does nothing and autovacuum is never "off".
func TestAnalyze(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		f.household("national")
		if err := f.db.Analyze(f.ctx); err != nil {
			t.Fatal(err)
		}
		off, err := f.db.AutovacuumOff(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if engine == sqlstore.SQLite {
			if off {
				t.Fatal("SQLite has no autovacuum to be off")
			}
			return
		}
		var analyzed sql.NullString
		if err := f.db.QueryRowContext(f.ctx, "SELECT COALESCE(last_analyze, last_autoanalyze)::text FROM pg_stat_user_tables WHERE relname = 'facts'").Scan(&analyzed); err != nil {
			t.Fatal(err)
		}
		if !analyzed.Valid {
			t.Fatal("facts has no statistics after Analyze")
		}
	})
}
