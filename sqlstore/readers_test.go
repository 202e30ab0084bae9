package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// Reads and the audit walk do not wait for the writer: on SQLite they have
// connections of their own beside the one that writes, and they see every
// committed change but nothing uncommitted.
func TestReadsBesideAnOpenWrite(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		_, app := f.home()
		tx, err := f.db.BeginTx(f.ctx, nil) // holds SQLite's one writer
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(f.ctx, "UPDATE applications SET state = 'withdrawn' WHERE id = $1", app.ID); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
		defer cancel()
		got, err := f.store.Application(ctx, robot, app.ID)
		if err != nil {
			t.Fatalf("read beside an open write: %v", err)
		}
		if got.State != app.State {
			t.Errorf("read saw uncommitted state %s, want %s", got.State, app.State)
		}
		rep, err := f.db.Verify(ctx)
		if err != nil {
			t.Fatalf("audit walk beside an open write: %v", err)
		}
		if !rep.OK() {
			t.Errorf("verify: %s", rep.Problem)
		}
		// The read pool refuses to write.
		if _, err := f.db.Reader().ExecContext(ctx, "DELETE FROM audit_events"); err == nil && engine == sqlstore.SQLite {
			t.Error("the read pool wrote")
		}
	})
}
