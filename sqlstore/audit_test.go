package sqlstore_test

// The hash-chained audit log: after a full scenario Verify is OK, and every
// edit made with plain SQL, behind bistand's back, is reported naming what
// was changed.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// scenario is what fullScenario recorded.
type scenario struct {
	h        home
	app      bistand.Application // decided, replaced, paid
	other    bistand.Application // withdrawn
	d1, d2   bistand.Decision    // the robot's decision and the caseworker's replacement
	rent     bistand.Fact        // the declared rent
	register bistand.Fact        // a register fact
}

// fullScenario runs an application through its whole life with staff
// reading it on the way: facts of every provenance, a signature each, an
// attachment, a decision and its replacement, payment; and a second
// application withdrawn.
func (f *fixture) fullScenario() scenario {
	t := f.t
	t.Helper()
	var s scenario
	s.h, s.app = f.home()
	for _, x := range f.facts(s.app.ID) {
		if x.Key == "cost:rent" {
			s.rent = x
		}
	}
	if _, err := f.store.AddAttachment(f.ctx, applicant(s.h.a), s.app.ID, "hyra.pdf", "application/pdf", strings.NewReader("hyresavi")); err != nil {
		t.Fatal(err)
	}
	s.app = f.to(s.h, s.app, bistand.Collecting)
	reg := fact("income:housing_allowance", bistand.FactIncome, map[string]any{"type": "housing_allowance", "amount": 500})
	reg.Provenance, reg.Source, reg.Reference = bistand.Register, "FK", "fk-1"
	s.register = must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, robot, s.app.ID, []sqlstore.FactInput{reg}))[0]
	s.app = f.move(robot, s.app, bistand.Assessed)
	cw := fact("cost:electricity", bistand.FactCost, map[string]any{"type": "electricity", "amount": 250})
	cw.Provenance, cw.Reason = bistand.Caseworker, "elräkning"
	must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, worker, s.app.ID, []sqlstore.FactInput{cw}))
	must[bistand.Case](t)(f.store.Case(f.ctx, worker, s.h.c.ID))
	must[bistand.Application](t)(f.store.Application(f.ctx, worker, s.app.ID))
	var err error
	if s.d1, _, err = f.store.Decide(f.ctx, robot, s.app.ID, sqlstore.DecideInput{}); err != nil {
		t.Fatal(err)
	}
	if s.d2, _, err = f.store.Decide(f.ctx, worker, s.app.ID, sqlstore.DecideInput{Replaces: s.d1.ID, Amount: kr(12000), Motivation: "omprövning"}); err != nil {
		t.Fatal(err)
	}
	must[bistand.Application](t)(f.store.Application(f.ctx, worker, s.app.ID))
	s.app = f.move(system, f.app(s.app.ID), bistand.Paid)
	s.other = f.move(applicant(s.h.a), f.newApp(s.h), bistand.Withdrawn)
	return s
}

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestAuditVerifyAfterScenario(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		sc := f.fullScenario()
		rep := f.verify()
		if !rep.OK() {
			t.Fatalf("verify after the scenario: %s", rep.Problem)
		}
		events := f.auditEvents()
		rows := 0
		for _, table := range []string{"persons", "cases", "case_members", "applications", "facts", "attachments", "signatures", "transitions", "decisions", "findings", "payment_orders", "payment_files"} {
			rows += f.count("SELECT COUNT(*) FROM " + table)
		}
		var headSeq int64
		var headHash string
		if err := f.db.QueryRowContext(f.ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
			t.Fatal(err)
		}
		if rep.Events != int64(events) || rep.HeadSeq != int64(events) || rep.HeadSeq != headSeq || rep.HeadHash != headHash ||
			!hexHash.MatchString(rep.HeadHash) || rep.Rows != int64(rows) || rows == 0 {
			t.Errorf("report %+v; want %d events, head %d %s, %d rows", rep, events, headSeq, headHash, rows)
		}
		// Staff reads are links of the chain: three of them, by the caseworker.
		reads := f.count("SELECT COUNT(*) FROM audit_events WHERE action = 'read' AND actor_kind = 'caseworker' AND actor_id = $1", worker.ID)
		if reads != 3 {
			t.Errorf("%d read events, want 3", reads)
		}
		// Reading more keeps it verifying and moves the head.
		must[bistand.Case](t)(f.store.Case(f.ctx, worker, sc.h.c.ID))
		again := f.verify()
		if !again.OK() || again.Events != rep.Events+1 || again.HeadHash == rep.HeadHash || again.Rows != rep.Rows {
			t.Errorf("after one more read: %+v", again)
		}
		// Every event links to the one before.
		var brokenLinks int
		if err := f.db.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM audit_events e JOIN audit_events p ON p.seq = e.seq - 1 WHERE e.prev_hash <> p.hash`).Scan(&brokenLinks); err != nil {
			t.Fatal(err)
		}
		if brokenLinks != 0 {
			t.Errorf("%d events do not link to the one before", brokenLinks)
		}
	})
}

// seqOf returns the sequence number of the event that created a row.
func (f *fixture) seqOf(entity, id string) int64 {
	f.t.Helper()
	var seq int64
	if err := f.db.QueryRowContext(f.ctx, "SELECT seq FROM audit_events WHERE entity = $1 AND entity_id = $2 AND action = 'create'", entity, id).Scan(&seq); err != nil {
		f.t.Fatal(err)
	}
	return seq
}

func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	res, err := f.db.ExecContext(f.ctx, query, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		f.t.Fatalf("%s: no row changed", query)
	}
}

const eventColumns = "at, actor_kind, actor_id, action, entity, entity_id, case_id, reason, before_hash, after_hash, prev_hash, hash"

// swapEvents swaps the content (all but the sequence number) of two events.
func (f *fixture) swapEvents(i, j int64) {
	f.t.Helper()
	read := func(seq int64) []any {
		vals := make([]string, 12)
		ptrs := make([]any, 12)
		for k := range vals {
			ptrs[k] = &vals[k]
		}
		if err := f.db.QueryRowContext(f.ctx, "SELECT "+eventColumns+" FROM audit_events WHERE seq = $1", seq).Scan(ptrs...); err != nil {
			f.t.Fatal(err)
		}
		out := make([]any, 12)
		for k, v := range vals {
			out[k] = v
		}
		return out
	}
	a, b := read(i), read(j)
	set := "at = $1, actor_kind = $2, actor_id = $3, action = $4, entity = $5, entity_id = $6, case_id = $7, reason = $8, before_hash = $9, after_hash = $10, prev_hash = $11, hash = $12"
	f.exec("UPDATE audit_events SET "+set+" WHERE seq = $13", append(b, i)...)
	f.exec("UPDATE audit_events SET "+set+" WHERE seq = $13", append(a, j)...)
}

func TestAuditTamper(t *testing.T) {
	type tamper struct {
		name string
		// do edits the database and returns what the problem must start
		// with and contain.
		do func(f *fixture, s scenario) (prefix, contains string)
	}
	tampers := []tamper{
		{"decision amount", func(f *fixture, s scenario) (string, string) {
			f.exec("UPDATE decisions SET amount_ore = amount_ore + 100 WHERE id = $1", s.d1.ID)
			return "decisions " + s.d1.ID + ":", "changed outside bistand"
		}},
		{"decision motivation", func(f *fixture, s scenario) (string, string) {
			f.exec("UPDATE decisions SET motivation = 'beviljas i sin helhet' WHERE id = $1", s.d2.ID)
			return "decisions " + s.d2.ID + ":", "changed outside bistand"
		}},
		{"decision deleted", func(f *fixture, s scenario) (string, string) {
			f.exec("DELETE FROM decisions WHERE id = $1", s.d2.ID)
			return "decisions " + s.d2.ID + ":", "missing"
		}},
		{"application state", func(f *fixture, s scenario) (string, string) {
			f.exec("UPDATE applications SET state = 'decided' WHERE id = $1", s.app.ID)
			return "applications " + s.app.ID + ":", "changed outside bistand"
		}},
		{"fact value", func(f *fixture, s scenario) (string, string) {
			f.exec(`UPDATE facts SET value = '{"amount":1,"type":"rent"}' WHERE id = $1`, s.rent.ID)
			return "facts " + s.rent.ID + ":", "changed outside bistand"
		}},
		{"fact deleted", func(f *fixture, s scenario) (string, string) {
			f.exec("DELETE FROM facts WHERE id = $1", s.register.ID)
			return "facts " + s.register.ID + ":", "missing (deleted outside bistand)"
		}},
		{"fact inserted", func(f *fixture, s scenario) (string, string) {
			f.exec(`INSERT INTO facts (id, application_id, seq, fact_key, kind, value, provenance, source, reference, observed_at, actor_kind, actor_id, reason, recorded_at)
				VALUES ('fact-forged', $1, 999, 'income:gift', 'income', '{"amount":1,"type":"salary"}', 'declared', '', '', '', 'applicant', $2, '', '2026-03-10T09:00:00.000000Z')`,
				s.app.ID, s.h.a.ID)
			return "facts fact-forged:", "no audit event records this row"
		}},
		{"transition deleted", func(f *fixture, s scenario) (string, string) {
			var id string
			if err := f.db.QueryRowContext(f.ctx, "SELECT id FROM transitions WHERE application_id = $1 AND to_state = 'paid'", s.app.ID).Scan(&id); err != nil {
				f.t.Fatal(err)
			}
			f.exec("DELETE FROM transitions WHERE id = $1", id)
			return "transitions " + id + ":", "missing"
		}},
		{"personnummer changed", func(f *fixture, s scenario) (string, string) {
			f.exec("UPDATE persons SET personnummer = '190001010017' WHERE id = $1", s.h.b.ID)
			return "persons " + s.h.b.ID + ":", "changed outside bistand"
		}},
		{"event reason", func(f *fixture, s scenario) (string, string) {
			k := f.seqOf("decisions", s.d2.ID)
			f.exec("UPDATE audit_events SET reason = 'utan skäl' WHERE seq = $1", k)
			return fmt.Sprintf("audit event %d:", k), "content does not match its hash"
		}},
		{"event actor", func(f *fixture, s scenario) (string, string) {
			k := f.seqOf("decisions", s.d1.ID)
			f.exec("UPDATE audit_events SET actor_kind = 'caseworker', actor_id = 'hl-bo' WHERE seq = $1", k)
			return fmt.Sprintf("audit event %d:", k), "content does not match its hash"
		}},
		{"event deleted in the middle", func(f *fixture, s scenario) (string, string) {
			k := f.seqOf("decisions", s.d1.ID)
			f.exec("DELETE FROM audit_events WHERE seq = $1", k)
			return fmt.Sprintf("audit event %d:", k+1), fmt.Sprintf("expected sequence number %d", k)
		}},
		{"last event deleted", func(f *fixture, s scenario) (string, string) {
			f.exec("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)")
			return "audit head:", "events were removed or the head was edited"
		}},
		{"event hash", func(f *fixture, s scenario) (string, string) {
			k := f.seqOf("facts", s.register.ID)
			f.exec("UPDATE audit_events SET hash = $1 WHERE seq = $2", strings.Repeat("0", 64), k)
			return fmt.Sprintf("audit event %d:", k), "content does not match its hash"
		}},
		{"events swapped", func(f *fixture, s scenario) (string, string) {
			k := f.seqOf("decisions", s.d1.ID)
			f.swapEvents(k, k+2)
			return fmt.Sprintf("audit event %d:", k), "does not link"
		}},
		{"event appended", func(f *fixture, s scenario) (string, string) {
			n := int64(f.auditEvents())
			f.exec(`INSERT INTO audit_events (seq, at, actor_kind, actor_id, action, entity, entity_id, case_id, reason, before_hash, after_hash, prev_hash, hash)
				VALUES ($1, '2026-03-10T09:00:00.000000Z', 'caseworker', 'hl-bo', 'read', 'cases', $2, $2, '', '', '', 'made-up', 'made-up')`, n+1, s.h.c.ID)
			return fmt.Sprintf("audit event %d:", n+1), "does not link"
		}},
		{"head edited", func(f *fixture, s scenario) (string, string) {
			f.exec("UPDATE audit_head SET hash = 'genesis' WHERE id = 1")
			return "audit head:", ""
		}},
	}
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		for _, tc := range tampers {
			t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, engine)
				s := f.fullScenario()
				if rep := f.verify(); !rep.OK() {
					t.Fatalf("before tampering: %s", rep.Problem)
				}
				prefix, contains := tc.do(f, s)
				rep := f.verify()
				if rep.OK() {
					t.Fatalf("Verify did not notice (%+v)", rep)
				}
				if !strings.HasPrefix(rep.Problem, prefix) || !strings.Contains(rep.Problem, contains) {
					t.Errorf("problem %q, want one starting %q and containing %q", rep.Problem, prefix, contains)
				}
			})
		}
	})
}

// TestAuditTruncationNeedsRecordedHead: cutting the tail and rewriting the
// head row to match verifies (the gap audit.go documents); the head hash
// recorded outside the database is what shows it.
func TestAuditTruncationNeedsRecordedHead(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		f.fullScenario()
		recorded := f.verify()
		f.exec("DELETE FROM audit_events WHERE seq = $1", recorded.HeadSeq)
		f.exec("UPDATE audit_head SET seq = seq - 1, hash = (SELECT hash FROM audit_events WHERE seq = $1) WHERE id = 1", recorded.HeadSeq-1)
		rep := f.verify()
		if rep.HeadSeq != recorded.HeadSeq-1 || rep.HeadHash == recorded.HeadHash {
			t.Errorf("after cutting the last event the head is %d %s, recorded %d %s", rep.HeadSeq, rep.HeadHash, recorded.HeadSeq, recorded.HeadHash)
		}
	})
}

// TestVerifyCatchesTamperFollowedByUpdate: a row edited by hand and then
// changed through bistand must not verify again (the edit laundered). Input:
// an application in collecting; UPDATE applications SET state = 'assessed';
// then the robot decides it. Verify reports "applications <id>: …", because
// the update event's before-hash is not what the previous event recorded.
func TestVerifyCatchesTamperFollowedByUpdate(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Collecting)
		f.exec("UPDATE applications SET state = 'assessed' WHERE id = $1", app.ID)
		if rep := f.verify(); !strings.HasPrefix(rep.Problem, "applications "+app.ID) {
			t.Fatalf("the edit alone: %q", rep.Problem)
		}
		if _, _, err := f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{}); err != nil {
			t.Fatal(err)
		}
		rep := f.verify()
		if !strings.HasPrefix(rep.Problem, "applications "+app.ID) {
			t.Errorf("after the robot decided the edited application Verify reports %q, want the application named", rep.Problem)
		}
	})
}
