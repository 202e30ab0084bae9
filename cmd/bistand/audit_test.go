package main

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	"github.com/bistand/bistand/synth"
)

// TestAuditVerifyCommand: `bistand audit verify` passes on untouched
// records and exits 1 naming the first broken link after a stored decision
// or an audit event is edited by hand with plain SQL.
func TestAuditVerifyCommand(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		tampers := []struct {
			name, sql, want string
		}{
			{"decision amount", "UPDATE decisions SET amount_ore = amount_ore + 100000 WHERE id = $1", "decisions "},
			{"decision snapshot", "UPDATE decisions SET snapshot = replace(snapshot, 'rent', 'other') WHERE id = $1", "decisions "},
			{"audit event", "UPDATE audit_events SET reason = 'nothing happened' WHERE seq = 3 AND $1 <> ''", "audit event 3"},
			{"audit event deleted", "DELETE FROM audit_events WHERE seq = 5 AND $1 <> ''", "audit event 6"},
		}
		for _, tc := range tampers {
			t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
				ctx := context.Background()
				url := sqltest.URL(t, engine)
				db, err := sqlstore.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if err := queue.Migrate(ctx, db); err != nil {
					t.Fatal(err)
				}
				st := sqlstore.NewStore(db, sqlstore.Options{})
				q, err := queue.New(db, nil, queue.Config{})
				if err != nil {
					t.Fatal(err)
				}
				st.SetJobs(q)
				app, err := synth.SubmitHousehold(ctx, st, rand.New(rand.NewPCG(1, 1)), "national", bistand.MustMonth(2026, 5), synth.Options{})
				if err != nil {
					t.Fatal(err)
				}
				for _, to := range []bistand.State{bistand.Collecting, bistand.Assessed} {
					if _, _, err := st.Transition(ctx, robot.Actor, app.ID, to, "", sqlstore.TransitionOptions{}); err != nil {
						t.Fatal(err)
					}
				}
				caseworker := bistand.Actor{Kind: bistand.ActorCaseworker, ID: "hl-test"}
				d, _, err := st.Decide(ctx, caseworker, app.ID, sqlstore.DecideInput{Motivation: "Beviljas enligt beräkningen."})
				if err != nil {
					t.Fatal(err)
				}
				if code, out, errOut := runBin(t, "", "audit", "verify", "--db", url); code != 0 || !strings.HasPrefix(out, "audit verified:") {
					t.Fatalf("untouched records: exit %d %s%s", code, out, errOut)
				}
				if _, err := db.ExecContext(ctx, tc.sql, d.ID); err != nil {
					t.Fatal(err)
				}
				code, out, errOut := runBin(t, "", "audit", "verify", "--db", url)
				if code != 1 || out != "" {
					t.Fatalf("after editing %s: exit %d, stdout %q", tc.name, code, out)
				}
				if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) != 1 || !strings.Contains(errOut, tc.want) {
					t.Errorf("after editing %s: stderr %q, want one line naming %q", tc.name, errOut, tc.want)
				}
			})
		}
	})
}
