package queue_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// TestInsertTxFollowsTheTransaction: a job enqueued in a transaction exists
// only if the transaction commits, and Waiting sees it.
func TestInsertTxFollowsTheTransaction(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		db := sqltest.Open(t, engine)
		if err := queue.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := queue.Migrate(ctx, db); err != nil { // idempotent
			t.Fatal(err)
		}
		q, err := queue.New(db, nil, queue.Config{})
		if err != nil {
			t.Fatal(err)
		}
		enqueue := func(id string, commit bool) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := q.InsertTx(ctx, tx, []sqlstore.Job{{Kind: "collect", Args: map[string]string{"application_id": id}}}); err != nil {
				t.Fatal(err)
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
		enqueue("app-rolled-back", false)
		enqueue("app-committed", true)
		waiting, err := q.Waiting(ctx, "collect")
		if err != nil {
			t.Fatal(err)
		}
		if len(waiting) != 1 {
			t.Fatalf("waiting %s, want the committed job only", waiting)
		}
		var args map[string]string
		if err := json.Unmarshal(waiting[0], &args); err != nil || args["application_id"] != "app-committed" {
			t.Errorf("waiting args %s (%v)", waiting[0], err)
		}
		if other, err := q.Waiting(ctx, "assess"); err != nil || len(other) != 0 {
			t.Errorf("waiting for another step: %s %v", other, err)
		}
	})
}
