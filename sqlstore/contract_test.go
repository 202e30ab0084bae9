package sqlstore_test

// The contract of the system of record, on every engine: migrations,
// persons, cases, the lifecycle through the store, jobs, facts, decisions
// and attachments.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// --- helpers shared by the contract, audit and model tests ---

// The example household's figures, by hand from the 2026 riksnorm
// (rules/data/riksnorm.json) under the "national" guidelines, which do not
// round: couple 7 100 + child 7–10 with lunch 3 820 + shared costs for 3
// 1 780 = norm 12 700; costs rent 7 200 + electricity 300 = 7 500; income
// salary 8 000 of which 25 % is free under jobbstimulans (8 months on
// assistance, since 2025-12) = 6 000, + child allowance 1 250 = 7 250.
const (
	exampleNorm   = 7100 + 3820 + 1780
	exampleCosts  = 7200 + 300
	exampleIncome = 8000*3/4 + 1250
	// exampleAmount is what the example household is granted: 12 950 kr.
	exampleAmount = exampleNorm + exampleCosts - exampleIncome
)

var march2026 = bistand.MustMonth(2026, 3)

// home is the example household: applicant a, partner b, child, and their case.
type home struct {
	a, b, child bistand.Person
	c           bistand.Case
}

// home creates the example household and its first (draft) application.
func (f *fixture) home() (home, bistand.Application) {
	f.t.Helper()
	a, b, c, app := f.household("national")
	h := home{a: a, b: b, c: c}
	for _, m := range c.Members {
		if m.Role == "child" {
			h.child = bistand.Person{ID: m.PersonID}
		}
	}
	if h.child.ID == "" {
		f.t.Fatal("the example case has no child")
	}
	return h, app
}

// newApp creates another draft application for the household's case, with
// the example facts declared.
func (f *fixture) newApp(h home) bistand.Application {
	f.t.Helper()
	app, err := f.store.CreateApplication(f.ctx, applicant(h.a), h.c.ID, march2026)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.store.AddFacts(f.ctx, applicant(h.a), app.ID, exampleFacts(h.a.ID, h.b.ID, h.child.ID)); err != nil {
		f.t.Fatal(err)
	}
	return app
}

// actor returns an actor of the kind; an applicant is the household's applicant.
func (h home) actor(k bistand.ActorKind) bistand.Actor {
	switch k {
	case bistand.ActorApplicant:
		return applicant(h.a)
	case bistand.ActorCaseworker:
		return worker
	case bistand.ActorRobot:
		return robot
	}
	return system
}

var actorKinds = []bistand.ActorKind{bistand.ActorApplicant, bistand.ActorCaseworker, bistand.ActorRobot, bistand.ActorSystem}

var due = bistand.MustDate(2026, 3, 31)

// move makes a transition that must succeed.
func (f *fixture) move(actor bistand.Actor, app bistand.Application, to bistand.State) bistand.Application {
	f.t.Helper()
	got, ok, err := f.store.Transition(f.ctx, actor, app.ID, to, "skäl", sqlstore.TransitionOptions{SupplementDue: due})
	if err != nil || !ok {
		f.t.Fatalf("%s → %s by %s: ok=%v %v", app.State, to, actor, ok, err)
	}
	return got
}

func (f *fixture) signBoth(h home, app bistand.Application) {
	f.t.Helper()
	for _, p := range []bistand.Person{h.a, h.b} {
		if err := f.store.Sign(f.ctx, applicant(p), app.ID, p.ID, "demo", "sig-"+p.ID); err != nil {
			f.t.Fatal(err)
		}
	}
}

// to walks a draft application to st along the usual path (an expired or
// withdrawn application is one that was never submitted) and returns it.
func (f *fixture) to(h home, app bistand.Application, st bistand.State) bistand.Application {
	f.t.Helper()
	switch st {
	case bistand.Draft:
		return app
	case bistand.Submitted:
		f.signBoth(h, app)
		return f.move(applicant(h.a), app, bistand.Submitted)
	case bistand.Collecting:
		return f.move(robot, f.to(h, app, bistand.Submitted), bistand.Collecting)
	case bistand.Assessed:
		return f.move(robot, f.to(h, app, bistand.Collecting), bistand.Assessed)
	case bistand.RandomCheck:
		return f.move(robot, f.to(h, app, bistand.Assessed), bistand.RandomCheck)
	case bistand.SupplementRequested:
		return f.move(robot, f.to(h, app, bistand.Collecting), bistand.SupplementRequested)
	case bistand.Supplemented:
		return f.move(applicant(h.a), f.to(h, app, bistand.SupplementRequested), bistand.Supplemented)
	case bistand.Expired:
		return f.move(system, app, bistand.Expired)
	case bistand.Withdrawn:
		return f.move(applicant(h.a), app, bistand.Withdrawn)
	case bistand.Decided:
		f.to(h, app, bistand.Assessed)
		if _, ok, err := f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{}); err != nil || !ok {
			f.t.Fatalf("decide: ok=%v %v", ok, err)
		}
		return f.app(app.ID)
	case bistand.Paid:
		return f.move(system, f.to(h, app, bistand.Decided), bistand.Paid)
	}
	f.t.Fatalf("no path to %s", st)
	return app
}

// wasSubmitted tells whether an application brought to st by f.to was submitted.
func wasSubmitted(st bistand.State) bool {
	return st != bistand.Draft && st != bistand.Expired && st != bistand.Withdrawn
}

// app reads an application as the robot (whose reads are not audited).
func (f *fixture) app(id string) bistand.Application {
	f.t.Helper()
	a, err := f.store.Application(f.ctx, robot, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *fixture) transitions(id string) []bistand.Transition {
	f.t.Helper()
	trs, err := f.store.Transitions(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return trs
}

func (f *fixture) facts(id string) []bistand.Fact {
	f.t.Helper()
	fs, err := f.store.Facts(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return fs
}

// count runs a COUNT(*) query.
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRowContext(f.ctx, query, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (f *fixture) auditEvents() int { return f.count("SELECT COUNT(*) FROM audit_events") }

func (f *fixture) verify() *sqlstore.VerifyReport {
	f.t.Helper()
	rep, err := f.db.Verify(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return rep
}

// errClass names the domain error err wraps, for messages and comparisons.
func errClass(err error) string {
	for _, c := range []struct {
		err  error
		name string
	}{
		{bistand.ErrNotFound, "ErrNotFound"}, {bistand.ErrInvalidTransition, "ErrInvalidTransition"},
		{bistand.ErrConflict, "ErrConflict"}, {bistand.ErrInvalid, "ErrInvalid"}, {bistand.ErrForbidden, "ErrForbidden"},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	if err == nil {
		return "nil"
	}
	return "other"
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v (%s), want %v", err, errClass(err), target)
	}
}

func kr(k int64) *bistand.Money { m := bistand.Kronor(k); return &m }

// calculate calculates the household an application's facts describe now.
func (f *fixture) calculate(appID string) *rules.Result {
	f.t.Helper()
	h, _, err := f.store.Household(f.ctx, appID)
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := rules.Default().Calculate(h, rules.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// --- migrations ---

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url     string
		engine  sqlstore.Engine
		dsnHas  string
		wantErr bool
	}{
		{url: "sqlite:data/bistand.db", engine: sqlstore.SQLite, dsnHas: "file:data/bistand.db?"},
		{url: "sqlite:/var/lib/bistand/b.db", engine: sqlstore.SQLite, dsnHas: "file:/var/lib/bistand/b.db?"},
		{url: "sqlite:///var/lib/bistand/b.db", engine: sqlstore.SQLite, dsnHas: "file:/var/lib/bistand/b.db?"},
		{url: "sqlite:b.db", engine: sqlstore.SQLite, dsnHas: "foreign_keys(ON)"},
		{url: sqlstore.DefaultURL, engine: sqlstore.SQLite, dsnHas: "file:data/bistand.db?"},
		{url: "postgres://bistand:secret@db.example:5432/bistand?sslmode=disable", engine: sqlstore.Postgres, dsnHas: "postgres://bistand:secret@db.example:5432/bistand?sslmode=disable"},
		{url: "postgresql://localhost/bistand", engine: sqlstore.Postgres, dsnHas: "postgresql://localhost/bistand"},
		{url: "", wantErr: true},
		{url: "sqlite:", wantErr: true},
		{url: "sqlite://", wantErr: true},
		{url: "sqlite::memory:", wantErr: true},
		{url: "sqlite:b.db?mode=ro", wantErr: true},
		{url: "mysql://localhost/bistand", wantErr: true},
		{url: "data/bistand.db", wantErr: true},
		{url: "file:data/bistand.db", wantErr: true},
		{url: "postgres://%zz/bistand", wantErr: true},
		{url: "SQLITE:b.db", wantErr: true},
	} {
		engine, dsn, err := sqlstore.ParseURL(c.url)
		if c.wantErr {
			if err == nil {
				t.Errorf("ParseURL(%q) = %s %q, want an error", c.url, engine, dsn)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseURL(%q): %v", c.url, err)
			continue
		}
		if engine != c.engine || !strings.Contains(dsn, c.dsnHas) {
			t.Errorf("ParseURL(%q) = %s %q, want %s and a DSN containing %q", c.url, engine, dsn, c.engine, c.dsnHas)
		}
	}
}

func TestOpenTwice(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		url := sqltest.URL(t, engine)
		db1, err := sqlstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db1.Close()
		st := sqlstore.NewStore(db1, sqlstore.Options{})
		p, err := st.CreatePerson(ctx, system, personnummer.Generate(newFixtureRand(), bistand.MustDate(1980, 1, 1), false, false), false)
		if err != nil {
			t.Fatal(err)
		}
		// Again while the first is open, and again after it is closed.
		db2, err := sqlstore.Open(ctx, url)
		if err != nil {
			t.Fatalf("second open: %v", err)
		}
		if err := db2.Migrate(ctx); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
		db2.Close()
		db1.Close()
		db3, err := sqlstore.Open(ctx, url)
		if err != nil {
			t.Fatalf("third open: %v", err)
		}
		defer db3.Close()
		if _, err := sqlstore.NewStore(db3, sqlstore.Options{}).Person(ctx, p.ID); err != nil {
			t.Fatalf("the person did not survive reopening: %v", err)
		}
		var applied int
		if err := db3.QueryRowContext(ctx, "SELECT COUNT(*) FROM goose_db_version WHERE version_id = 1").Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if applied != 1 {
			t.Errorf("migration 1 recorded %d times", applied)
		}
		var headSeq int64
		if err := db3.QueryRowContext(ctx, "SELECT seq FROM audit_head WHERE id = 1").Scan(&headSeq); err != nil {
			t.Fatal(err)
		}
		if headSeq != 1 {
			t.Errorf("audit head seq %d after one change, want 1", headSeq)
		}
		rep, err := db3.Verify(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

// TestConcurrentOpenSerialisesMigrations: processes (say the web server and
// a worker) starting at once on a fresh database must not both run
// migration 1: Open takes a migration lock (PostgreSQL advisory lock, a lock
// file beside a SQLite database).
func TestConcurrentOpenSerialisesMigrations(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		for round := 0; round < 10; round++ {
			url := sqltest.URL(t, engine)
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := sqlstore.Open(context.Background(), url)
					errs[i] = err
					if db != nil {
						db.Close()
					}
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d: Open %d of %d concurrent on a fresh database: %v", round, i+1, len(errs), err)
				}
			}
		}
	})
}

// TestSQLitePathIsTakenLiterally: a '#', '%' or '?' in sqlite:PATH would
// change the file the "file:" URI names (sqlite:DIR/a#1.db and
// sqlite:DIR/a#2.db would be one database), so such paths are refused.
func TestSQLitePathIsTakenLiterally(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a#1.db", "b%41.db"} {
		db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(dir, name))
		if err != nil {
			continue // refusing the name is a fix too
		}
		db.Close()
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			var files []string
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				files = append(files, e.Name())
			}
			t.Errorf("sqlite:%s: no file %s; the directory holds %q", name, name, files)
		}
	}
}

// --- persons and cases ---

func TestPersons(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		pnr := personnummer.Generate(f.rng, bistand.MustDate(1990, 6, 15), false, true)
		p, err := f.store.CreatePerson(f.ctx, system, pnr, true)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.ID, "per-") || p.Personnummer != pnr.String() || !p.Protected || p.CreatedAt.IsZero() {
			t.Errorf("created %+v", p)
		}
		if strings.Contains(p.ID, pnr.String()[:8]) {
			t.Errorf("the id %s contains the birth date", p.ID)
		}
		events := f.auditEvents()
		_, err = f.store.CreatePerson(f.ctx, system, pnr, false)
		wantErr(t, err, bistand.ErrConflict)
		if n := f.count("SELECT COUNT(*) FROM persons"); n != 1 {
			t.Errorf("%d persons after a duplicate", n)
		}
		if f.auditEvents() != events {
			t.Error("a refused duplicate left audit events")
		}
		got, err := f.store.PersonByNumber(f.ctx, pnr)
		if err != nil {
			t.Fatal(err)
		}
		if got != p {
			t.Errorf("PersonByNumber = %+v, want %+v", got, p)
		}
		if got, err := f.store.Person(f.ctx, p.ID); err != nil || got != p {
			t.Errorf("Person = %+v %v", got, err)
		}
		other := personnummer.Generate(f.rng, bistand.MustDate(1991, 6, 15), false, true)
		_, err = f.store.PersonByNumber(f.ctx, other)
		wantErr(t, err, bistand.ErrNotFound)
		_, err = f.store.Person(f.ctx, "per-nobody")
		wantErr(t, err, bistand.ErrNotFound)
		_, err = f.store.CreatePerson(f.ctx, system, personnummer.Number{}, false)
		wantErr(t, err, bistand.ErrInvalid)
		_, err = f.store.CreatePerson(f.ctx, bistand.Actor{Kind: bistand.ActorSystem}, other, false)
		wantErr(t, err, bistand.ErrInvalid) // an actor without an id
		if n := f.count("SELECT COUNT(*) FROM persons"); n != 1 {
			t.Errorf("%d persons, want 1", n)
		}
	})
}

func TestOpenCase(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		a, b, c := f.person("1980-01-01"), f.person("1982-02-02"), f.person("2015-03-03")
		for _, bad := range []struct {
			name    string
			muni    string
			members []bistand.CaseMember
		}{
			{"no members", "national", nil},
			{"no applicant", "national", []bistand.CaseMember{{PersonID: a.ID, Role: "partner"}, {PersonID: c.ID, Role: "child"}}},
			{"two applicants", "national", []bistand.CaseMember{{PersonID: a.ID, Role: "applicant"}, {PersonID: b.ID, Role: "applicant"}}},
			{"unknown role", "national", []bistand.CaseMember{{PersonID: a.ID, Role: "applicant"}, {PersonID: b.ID, Role: "lodger"}}},
			{"empty role", "national", []bistand.CaseMember{{PersonID: a.ID, Role: "applicant"}, {PersonID: b.ID, Role: ""}}},
			{"no municipality", "", []bistand.CaseMember{{PersonID: a.ID, Role: "applicant"}}},
		} {
			_, err := f.store.OpenCase(f.ctx, system, bad.muni, bad.members)
			if !errors.Is(err, bistand.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", bad.name, err)
			}
		}
		_, err := f.store.OpenCase(f.ctx, system, "national", []bistand.CaseMember{{PersonID: a.ID, Role: "applicant"}, {PersonID: a.ID, Role: "partner"}})
		if err == nil {
			t.Error("the same person twice in a case was accepted")
		}
		if n := f.count("SELECT COUNT(*) FROM cases"); n != 0 {
			t.Fatalf("%d cases after refused ones", n)
		}
		members := []bistand.CaseMember{{PersonID: a.ID, Role: "applicant"}, {PersonID: b.ID, Role: "partner"}, {PersonID: c.ID, Role: "child"}}
		cs, err := f.store.OpenCase(f.ctx, system, "national", members)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.store.Case(f.ctx, robot, cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Members added together come back in no particular order.
		byID := func(x, y bistand.CaseMember) int { return strings.Compare(x.PersonID, y.PersonID) }
		slices.SortFunc(got.Members, byID)
		slices.SortFunc(members, byID)
		if got.ID != cs.ID || got.Municipality != "national" || got.Status != "open" || !got.CreatedAt.Equal(cs.CreatedAt) || !slices.Equal(got.Members, members) {
			t.Errorf("Case = %+v, want %+v", got, cs)
		}
		alone, err := f.store.OpenCase(f.ctx, system, "national", []bistand.CaseMember{{PersonID: f.person("1970-07-07").ID, Role: "applicant"}})
		if err != nil || len(alone.Members) != 1 {
			t.Errorf("a single applicant's case: %+v %v", alone, err)
		}
		_, err = f.store.Case(f.ctx, robot, "case-nothing")
		wantErr(t, err, bistand.ErrNotFound)
		_, err = f.store.CreateApplication(f.ctx, applicant(a), "case-nothing", march2026)
		wantErr(t, err, bistand.ErrNotFound)
		_, err = f.store.CreateApplication(f.ctx, applicant(a), cs.ID, 0)
		wantErr(t, err, bistand.ErrInvalid)
	})
}

func TestStaffReadsAreAudited(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		reads := func(entity, id string) int {
			return f.count("SELECT COUNT(*) FROM audit_events WHERE action = 'read' AND entity = $1 AND entity_id = $2", entity, id)
		}
		if _, err := f.store.Case(f.ctx, applicant(h.a), h.c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.Case(f.ctx, robot, h.c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.Application(f.ctx, applicant(h.a), app.ID); err != nil {
			t.Fatal(err)
		}
		if n := f.count("SELECT COUNT(*) FROM audit_events WHERE action = 'read'"); n != 0 {
			t.Fatalf("%d read events after reads by the applicant and the robot", n)
		}
		if _, err := f.store.Case(f.ctx, worker, h.c.ID); err != nil {
			t.Fatal(err)
		}
		if n := reads("cases", h.c.ID); n != 1 {
			t.Fatalf("%d read events for the case after a caseworker's read, want 1", n)
		}
		var kind, id, caseID string
		if err := f.db.QueryRowContext(f.ctx, "SELECT actor_kind, actor_id, case_id FROM audit_events WHERE action = 'read'").Scan(&kind, &id, &caseID); err != nil {
			t.Fatal(err)
		}
		if kind != "caseworker" || id != worker.ID || caseID != h.c.ID {
			t.Errorf("read event by %s:%s on case %s", kind, id, caseID)
		}
		if _, err := f.store.Application(f.ctx, worker, app.ID); err != nil {
			t.Fatal(err)
		}
		if n := reads("applications", app.ID); n != 1 {
			t.Errorf("%d read events for the application after a caseworker's read, want 1", n)
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatalf("verify: %+v", rep)
		}
	})
}

// --- the lifecycle through the store ---

// TestEveryTransition tries every (from, to, actor kind) on the store: what
// the domain table allows succeeds and is recorded; the rest fail with the
// error CheckTransition gives and change nothing. Decided is only reached
// by Decide.
func TestEveryTransition(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, _ := f.home()
		allowed := 0
		for _, from := range bistand.States() {
			probe := f.to(h, f.newApp(h), from)
			probeTrs := len(f.transitions(probe.ID))
			for _, to := range bistand.States() {
				for _, k := range actorKinds {
					check := bistand.CheckTransition(from, to, k, wasSubmitted(from))
					if check == nil && to != bistand.Decided {
						allowed++
						app := f.to(h, f.newApp(h), from)
						if to == bistand.Submitted {
							f.signBoth(h, app)
						}
						before := f.transitions(app.ID)
						reason := fmt.Sprintf("skäl %s→%s", from, to)
						got, ok, err := f.store.Transition(f.ctx, h.actor(k), app.ID, to, reason, sqlstore.TransitionOptions{SupplementDue: due})
						if err != nil || !ok {
							t.Errorf("%s → %s by %s: ok=%v %v", from, to, k, ok, err)
							continue
						}
						if got.State != to || got.Version != app.Version+1 {
							t.Errorf("%s → %s by %s returned state %s version %d (was %d)", from, to, k, got.State, got.Version, app.Version)
						}
						if stored := f.app(app.ID); stored.State != to || stored.Version != app.Version+1 {
							t.Errorf("%s → %s by %s stored state %s version %d", from, to, k, stored.State, stored.Version)
						}
						trs := f.transitions(app.ID)
						if len(trs) != len(before)+1 {
							t.Errorf("%s → %s by %s: %d transitions recorded, want %d", from, to, k, len(trs), len(before)+1)
							continue
						}
						last := trs[len(trs)-1]
						want := bistand.Transition{ApplicationID: app.ID, Seq: int64(len(trs)), From: from, To: to, Actor: h.actor(k), Reason: reason, At: last.At}
						if last != want || last.At.IsZero() || (len(trs) > 1 && last.At.Before(trs[len(trs)-2].At)) {
							t.Errorf("recorded %+v, want %+v", last, want)
						}
						checkHistory(t, trs, to)
						continue
					}
					_, ok, err := f.store.Transition(f.ctx, h.actor(k), probe.ID, to, "skäl", sqlstore.TransitionOptions{SupplementDue: due})
					wantClass := errClass(check)
					if to == bistand.Decided {
						wantClass = "ErrInvalidTransition"
					}
					if ok || errClass(err) != wantClass {
						t.Errorf("%s → %s by %s: ok=%v %v, want %s", from, to, k, ok, err, wantClass)
					}
				}
			}
			if got := f.app(probe.ID); got.State != from || got.Version != probe.Version {
				t.Errorf("refused transitions changed a %s application: %s version %d", from, got.State, got.Version)
			}
			if n := len(f.transitions(probe.ID)); n != probeTrs {
				t.Errorf("refused transitions from %s were recorded: %d, want %d", from, n, probeTrs)
			}
		}
		// 38 (from, to, actor kind) triples in the domain's table, besides decisions.
		if allowed != 38 {
			t.Errorf("%d allowed transitions tried, want 38", allowed)
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatalf("verify: %s", rep.Problem)
		}
	})
}

// checkHistory checks a transition history: sequence numbers 1, 2, …, each
// starting where the last ended, from draft to the state now.
func checkHistory(t testing.TB, trs []bistand.Transition, now bistand.State) {
	t.Helper()
	st := bistand.Draft
	for i, tr := range trs {
		if tr.Seq != int64(i+1) || tr.From != st {
			t.Errorf("transition %d: seq %d %s → %s, after state %s", i, tr.Seq, tr.From, tr.To, st)
		}
		st = tr.To
	}
	if st != now {
		t.Errorf("history ends in %s, application is %s", st, now)
	}
}

func TestTransitionToDecidedRefused(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Assessed)
		for _, actor := range []bistand.Actor{robot, worker} {
			_, ok, err := f.store.Transition(f.ctx, actor, app.ID, bistand.Decided, "beslut", sqlstore.TransitionOptions{})
			if ok {
				t.Fatal("ok")
			}
			wantErr(t, err, bistand.ErrInvalidTransition)
		}
		if st := f.app(app.ID).State; st != bistand.Assessed {
			t.Errorf("state %s", st)
		}
		if n := f.count("SELECT COUNT(*) FROM decisions"); n != 0 {
			t.Errorf("%d decisions", n)
		}
		_, _, err := f.store.Transition(f.ctx, robot, "app-nothing", bistand.Collecting, "", sqlstore.TransitionOptions{})
		wantErr(t, err, bistand.ErrNotFound)
	})
}

func TestSubmitNeedsBothAdultsSignatures(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		submit := func() error {
			_, _, err := f.store.Transition(f.ctx, applicant(h.a), app.ID, bistand.Submitted, "", sqlstore.TransitionOptions{})
			return err
		}
		wantErr(t, submit(), bistand.ErrInvalid) // nobody signed
		if err := f.store.Sign(f.ctx, applicant(h.a), app.ID, h.a.ID, "bankid", "ref-a"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, submit(), bistand.ErrInvalid) // the partner has not signed
		// The partner alone is not enough either.
		other := f.newApp(h)
		if err := f.store.Sign(f.ctx, applicant(h.b), other.ID, h.b.ID, "bankid", "ref-b"); err != nil {
			t.Fatal(err)
		}
		_, _, err := f.store.Transition(f.ctx, applicant(h.a), other.ID, bistand.Submitted, "", sqlstore.TransitionOptions{})
		wantErr(t, err, bistand.ErrInvalid)
		if f.app(app.ID).State != bistand.Draft || len(f.transitions(app.ID)) != 0 {
			t.Fatal("a refused submission changed the application")
		}
		if err := f.store.Sign(f.ctx, applicant(h.b), app.ID, h.b.ID, "bankid", "ref-b"); err != nil {
			t.Fatal(err)
		}
		if err := submit(); err != nil {
			t.Fatalf("submit with both signatures: %v", err)
		}
		got := f.app(app.ID)
		if got.State != bistand.Submitted || got.SubmittedAt.IsZero() {
			t.Errorf("after submit: %+v", got)
		}
		if n := f.count("SELECT COUNT(*) FROM signatures WHERE application_id = $1", app.ID); n != 2 {
			t.Errorf("%d signatures", n)
		}
	})
}

func TestSign(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		wantErr(t, f.store.Sign(f.ctx, applicant(h.a), app.ID, h.child.ID, "bankid", "ref-c"), bistand.ErrForbidden)
		stranger := f.person("1960-05-05")
		wantErr(t, f.store.Sign(f.ctx, applicant(stranger), app.ID, stranger.ID, "bankid", "ref-s"), bistand.ErrForbidden)
		wantErr(t, f.store.Sign(f.ctx, applicant(h.a), app.ID, h.a.ID, "", "ref-a"), bistand.ErrInvalid)
		wantErr(t, f.store.Sign(f.ctx, applicant(h.a), app.ID, h.a.ID, "bankid", ""), bistand.ErrInvalid)
		wantErr(t, f.store.Sign(f.ctx, applicant(h.a), "app-nothing", h.a.ID, "bankid", "ref"), bistand.ErrNotFound)
		if n := f.count("SELECT COUNT(*) FROM signatures"); n != 0 {
			t.Fatalf("%d signatures after refused ones", n)
		}
		if err := f.store.Sign(f.ctx, applicant(h.a), app.ID, h.a.ID, "bankid", "ref-a"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.store.Sign(f.ctx, applicant(h.a), app.ID, h.a.ID, "bankid", "ref-a2"), bistand.ErrConflict)
		// Only a draft is signed.
		for _, st := range []bistand.State{bistand.Submitted, bistand.Assessed, bistand.Withdrawn, bistand.Expired} {
			other := f.to(h, f.newApp(h), st)
			err := f.store.Sign(f.ctx, applicant(h.b), other.ID, h.b.ID, "bankid", "ref-late")
			if !errors.Is(err, bistand.ErrInvalidTransition) {
				t.Errorf("signing a %s application: %v, want ErrInvalidTransition", st, err)
			}
		}
	})
}

func TestSupplementRequest(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Collecting)
		_, ok, err := f.store.Transition(f.ctx, worker, app.ID, bistand.SupplementRequested, "lönespecifikation saknas", sqlstore.TransitionOptions{})
		if ok {
			t.Fatal("ok without a due date")
		}
		wantErr(t, err, bistand.ErrInvalid)
		if got := f.app(app.ID); got.State != bistand.Collecting || !got.SupplementDue.IsZero() {
			t.Fatalf("after a refused request: %+v", got)
		}
		d := bistand.MustDate(2026, 3, 24)
		got, ok, err := f.store.Transition(f.ctx, worker, app.ID, bistand.SupplementRequested, "lönespecifikation saknas", sqlstore.TransitionOptions{SupplementDue: d})
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if got.SupplementDue != d {
			t.Errorf("returned due %s", got.SupplementDue)
		}
		if stored := f.app(app.ID); stored.State != bistand.SupplementRequested || stored.SupplementDue != d {
			t.Errorf("stored %s due %s", stored.State, stored.SupplementDue)
		}
		got = f.move(applicant(h.a), got, bistand.Supplemented)
		if !got.SupplementDue.IsZero() || !f.app(app.ID).SupplementDue.IsZero() {
			t.Errorf("the due date survived the next transition: %s", f.app(app.ID).SupplementDue)
		}
		// A due date given with another transition is not stored.
		got, _, err = f.store.Transition(f.ctx, robot, app.ID, bistand.Collecting, "", sqlstore.TransitionOptions{SupplementDue: d})
		if err != nil || !f.app(app.ID).SupplementDue.IsZero() || !got.SupplementDue.IsZero() {
			t.Errorf("due date on a transition to collecting: %v %s", err, f.app(app.ID).SupplementDue)
		}
	})
}

func TestReasons(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		// A caseworker withdrawing, or answering a supplement request for
		// the household, gives a reason; the household need not.
		_, ok, err := f.store.Transition(f.ctx, worker, app.ID, bistand.Withdrawn, "", sqlstore.TransitionOptions{})
		if ok {
			t.Fatal("ok")
		}
		wantErr(t, err, bistand.ErrInvalid)
		if f.app(app.ID).State != bistand.Draft {
			t.Fatal("withdrawn without a reason")
		}
		if _, ok, err := f.store.Transition(f.ctx, worker, app.ID, bistand.Withdrawn, "hushållet ringde", sqlstore.TransitionOptions{}); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if trs := f.transitions(app.ID); len(trs) != 1 || trs[0].Reason != "hushållet ringde" || trs[0].Actor != worker {
			t.Errorf("transitions %+v", trs)
		}
		own := f.newApp(h)
		if _, ok, err := f.store.Transition(f.ctx, applicant(h.a), own.ID, bistand.Withdrawn, "", sqlstore.TransitionOptions{}); err != nil || !ok {
			t.Errorf("the applicant withdrawing without a reason: %v", err)
		}
		sup := f.to(h, f.newApp(h), bistand.SupplementRequested)
		_, _, err = f.store.Transition(f.ctx, worker, sup.ID, bistand.Supplemented, "", sqlstore.TransitionOptions{})
		wantErr(t, err, bistand.ErrInvalid)
		if _, _, err := f.store.Transition(f.ctx, system, sup.ID, bistand.Expired, "", sqlstore.TransitionOptions{}); err != nil {
			t.Errorf("the system expiring a supplement request without a reason: %v", err)
		}
	})
}

func TestIfState(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Submitted)
		events, jobs := f.auditEvents(), f.count("SELECT COUNT(*) FROM test_jobs")
		opt := sqlstore.TransitionOptions{IfState: bistand.Collecting, Enqueue: []sqlstore.Job{{Kind: "assess", Args: app.ID}}}
		got, ok, err := f.store.Transition(f.ctx, robot, app.ID, bistand.Assessed, "", opt)
		if err != nil || ok {
			t.Fatalf("IfState not met: ok=%v %v, want a no-op", ok, err)
		}
		if got.State != bistand.Submitted || got.Version != app.Version {
			t.Errorf("returned %s version %d, want the application unchanged", got.State, got.Version)
		}
		// Even a transition that would be illegal is a no-op when the guard fails.
		if _, ok, err := f.store.Transition(f.ctx, applicant(h.a), app.ID, bistand.Paid, "", sqlstore.TransitionOptions{IfState: bistand.Decided}); err != nil || ok {
			t.Errorf("guarded illegal transition: ok=%v %v", ok, err)
		}
		if got := f.app(app.ID); got.State != bistand.Submitted || got.Version != app.Version {
			t.Errorf("the application changed: %s version %d", got.State, got.Version)
		}
		if f.auditEvents() != events || f.count("SELECT COUNT(*) FROM test_jobs") != jobs || len(f.transitions(app.ID)) != 1 {
			t.Error("a no-op transition left audit events, jobs or a transition")
		}
		got, ok, err = f.store.Transition(f.ctx, robot, app.ID, bistand.Collecting, "", sqlstore.TransitionOptions{IfState: bistand.Submitted})
		if err != nil || !ok || got.State != bistand.Collecting {
			t.Fatalf("IfState met: %s ok=%v %v", got.State, ok, err)
		}
		// Repeating the step (as a retried job does) is a no-op.
		if _, ok, err := f.store.Transition(f.ctx, robot, app.ID, bistand.Collecting, "", sqlstore.TransitionOptions{IfState: bistand.Submitted}); err != nil || ok {
			t.Errorf("repeated step: ok=%v %v", ok, err)
		}
		if n := len(f.transitions(app.ID)); n != 2 {
			t.Errorf("%d transitions, want 2", n)
		}
	})
}

// --- jobs ---

func TestJobsCommitWithTheChange(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Submitted)
		jobs := []sqlstore.Job{{Kind: "collect", Args: map[string]string{"application": app.ID}}, {Kind: "notify", Args: 1}}
		if _, ok, err := f.store.Transition(f.ctx, robot, app.ID, bistand.Collecting, "", sqlstore.TransitionOptions{Enqueue: jobs}); err != nil || !ok {
			t.Fatal(ok, err)
		}
		rows, err := f.db.QueryContext(f.ctx, "SELECT kind, args FROM test_jobs ORDER BY kind")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var k, a string
			if err := rows.Scan(&k, &a); err != nil {
				t.Fatal(err)
			}
			got = append(got, k+" "+a)
		}
		rows.Close()
		want := []string{`collect {"application":"` + app.ID + `"}`, "notify 1"}
		if !slices.Equal(got, want) {
			t.Errorf("jobs %q, want %q", got, want)
		}
	})
}

func TestJobFailureRollsBack(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Collecting)
		events, trs := f.auditEvents(), len(f.transitions(app.ID))
		f.jobs.mu.Lock()
		f.jobs.fail = true
		f.jobs.mu.Unlock()
		enqueue := []sqlstore.Job{{Kind: "calculate", Args: app.ID}}
		_, ok, err := f.store.Transition(f.ctx, robot, app.ID, bistand.Assessed, "", sqlstore.TransitionOptions{Enqueue: enqueue})
		if err == nil || ok {
			t.Fatalf("a failing queue: ok=%v %v, want an error", ok, err)
		}
		if got := f.app(app.ID); got.State != bistand.Collecting || got.Version != app.Version {
			t.Errorf("the change survived the failed enqueue: %s version %d", got.State, got.Version)
		}
		if f.auditEvents() != events || len(f.transitions(app.ID)) != trs {
			t.Errorf("audit events %d → %d, transitions %d → %d: not rolled back", events, f.auditEvents(), trs, len(f.transitions(app.ID)))
		}
		// Without jobs the same change commits.
		f.move(robot, app, bistand.Assessed)
		events = f.auditEvents()
		_, ok, err = f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{Enqueue: []sqlstore.Job{{Kind: "letter", Args: app.ID}}})
		if err == nil || ok {
			t.Fatalf("decide with a failing queue: ok=%v %v", ok, err)
		}
		if n := f.count("SELECT COUNT(*) FROM decisions"); n != 0 || f.app(app.ID).State != bistand.Assessed || f.auditEvents() != events {
			t.Errorf("decision rows %d, state %s, audit events %d → %d after a failed enqueue", n, f.app(app.ID).State, events, f.auditEvents())
		}
		if n := f.count("SELECT COUNT(*) FROM test_jobs"); n != 0 {
			t.Errorf("%d jobs", n)
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatalf("verify: %s", rep.Problem)
		}
	})
}

func TestStoreWithoutQueue(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Submitted)
		bare := sqlstore.NewStore(f.db, sqlstore.Options{})
		events := f.auditEvents()
		_, ok, err := bare.Transition(f.ctx, robot, app.ID, bistand.Collecting, "", sqlstore.TransitionOptions{Enqueue: []sqlstore.Job{{Kind: "collect"}}})
		if err == nil || ok {
			t.Fatalf("a store without a queue enqueued: ok=%v %v", ok, err)
		}
		if f.app(app.ID).State != bistand.Submitted || f.auditEvents() != events {
			t.Error("the change was committed without its jobs")
		}
		if _, ok, err := bare.Transition(f.ctx, robot, app.ID, bistand.Collecting, "", sqlstore.TransitionOptions{}); err != nil || !ok {
			t.Errorf("a change without jobs: ok=%v %v", ok, err)
		}
	})
}

// --- facts ---

func TestFactPermissions(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, _ := f.home()
		cost := func(p bistand.Provenance, reason string) []sqlstore.FactInput {
			in := fact("cost:electricity", bistand.FactCost, map[string]any{"type": "electricity", "amount": 410})
			in.Provenance, in.Reason = p, reason
			if p == bistand.Register {
				in.Source, in.Reference, in.ObservedAt = "FK", "fk-1", time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			}
			return []sqlstore.FactInput{in}
		}
		type want struct {
			actor bistand.ActorKind
			prov  bistand.Provenance
			err   error // nil: allowed
		}
		apps := map[bistand.State]bistand.Application{}
		for _, st := range bistand.States() {
			apps[st] = f.to(h, f.newApp(h), st)
		}
		declaredStates := []bistand.State{bistand.Draft, bistand.SupplementRequested}
		registerStates := []bistand.State{bistand.Submitted, bistand.Collecting, bistand.Supplemented}
		tried := 0
		for _, st := range bistand.States() {
			for _, k := range actorKinds {
				for _, p := range []bistand.Provenance{bistand.Declared, bistand.Register, bistand.Caseworker} {
					var wantE error
					switch {
					case p == bistand.Declared && k != bistand.ActorApplicant, p == bistand.Register && k != bistand.ActorRobot && k != bistand.ActorSystem,
						p == bistand.Caseworker && k != bistand.ActorCaseworker:
						wantE = bistand.ErrForbidden
					case p == bistand.Declared && !slices.Contains(declaredStates, st), p == bistand.Register && !slices.Contains(registerStates, st),
						p == bistand.Caseworker && (st == bistand.Draft || st == bistand.Paid || st == bistand.Withdrawn):
						wantE = bistand.ErrInvalidTransition
					}
					before := len(f.facts(apps[st].ID))
					got, err := f.store.AddFacts(f.ctx, h.actor(k), apps[st].ID, cost(p, "kontrollerad"))
					tried++
					after := len(f.facts(apps[st].ID))
					if wantE == nil {
						if err != nil || len(got) != 1 || after != before+1 {
							t.Errorf("%s fact by %s on a %s application: %v", p, k, st, err)
						}
						continue
					}
					if !errors.Is(err, wantE) || after != before {
						t.Errorf("%s fact by %s on a %s application: %v (%d → %d facts), want %v", p, k, st, err, before, after, wantE)
					}
				}
			}
		}
		if tried != 11*4*3 {
			t.Errorf("tried %d", tried)
		}
		// A caseworker gives a reason.
		_, err := f.store.AddFacts(f.ctx, worker, apps[bistand.Assessed].ID, cost(bistand.Caseworker, ""))
		wantErr(t, err, bistand.ErrInvalid)
		_, err = f.store.AddFacts(f.ctx, worker, apps[bistand.Assessed].ID, cost("guess", "x"))
		wantErr(t, err, bistand.ErrInvalid)
		_, err = f.store.AddFacts(f.ctx, worker, "app-nothing", cost(bistand.Caseworker, "x"))
		wantErr(t, err, bistand.ErrNotFound)
	})
}

func TestFactValues(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		raw := func(key string, kind bistand.FactKind, v string) sqlstore.FactInput {
			return sqlstore.FactInput{Key: key, Kind: kind, Value: json.RawMessage(v), Provenance: bistand.Declared}
		}
		for _, bad := range []struct {
			name string
			in   sqlstore.FactInput
		}{
			{"unknown cost type", raw("cost:yacht", bistand.FactCost, `{"type":"yacht","amount":100}`)},
			{"negative cost", raw("cost:rent", bistand.FactCost, `{"type":"rent","amount":-1}`)},
			{"unknown field", raw("cost:rent", bistand.FactCost, `{"type":"rent","amount":100,"colour":"red"}`)},
			{"öre beyond two decimals", raw("cost:rent", bistand.FactCost, `{"type":"rent","amount":100.001}`)},
			{"cost key without a name", raw("cost:", bistand.FactCost, `{"type":"rent","amount":100}`)},
			{"cost with another kind's key", raw("income:rent", bistand.FactCost, `{"type":"rent","amount":100}`)},
			{"negative income", raw("income:x", bistand.FactIncome, `{"type":"salary","amount":-5}`)},
			{"unknown income type", raw("income:x", bistand.FactIncome, `{"type":"lottery","amount":5}`)},
			{"member key not the person", raw("member:"+h.a.ID, bistand.FactMember, `{"person_id":"`+h.b.ID+`","role":"partner"}`)},
			{"member without a role", raw("member:"+h.b.ID, bistand.FactMember, `{"person_id":"`+h.b.ID+`"}`)},
			{"member with an unknown role", raw("member:"+h.b.ID, bistand.FactMember, `{"person_id":"`+h.b.ID+`","role":"lodger"}`)},
			{"unknown asset type", raw("asset:x", bistand.FactAsset, `{"type":"gold","value":5}`)},
			{"dwelling size under another key", raw("dwelling", bistand.FactDwellingSize, `{"value":4}`)},
			{"months on assistance under another key", raw("months_on_assistance:2", bistand.FactMonthsOnAssistance, `{"value":4}`)},
			{"jobbstimulans under another key", raw("cost:jobb", bistand.FactJobbstimulansSince, `{"value":"2025-12"}`)},
			{"negative dwelling size", raw("dwelling_size", bistand.FactDwellingSize, `{"value":-1}`)},
			{"a month that is not one", raw("jobbstimulans_since", bistand.FactJobbstimulansSince, `{"value":"2025-13"}`)},
			{"unknown kind", raw("pet:cat", "pet", `{"type":"cat"}`)},
			{"not JSON", raw("cost:rent", bistand.FactCost, `{"type":"rent",`)},
			{"trailing data", raw("cost:rent", bistand.FactCost, `{"type":"rent","amount":1} {}`)},
		} {
			before, events := len(f.facts(app.ID)), f.auditEvents()
			// Alone, and in a batch after a good fact: the batch is refused whole.
			good := fact("cost:electricity", bistand.FactCost, map[string]any{"type": "electricity", "amount": 999})
			for _, batch := range [][]sqlstore.FactInput{{bad.in}, {good, bad.in}} {
				_, err := f.store.AddFacts(f.ctx, applicant(h.a), app.ID, batch)
				if !errors.Is(err, bistand.ErrInvalid) {
					t.Errorf("%s: %v, want ErrInvalid", bad.name, err)
				}
			}
			if len(f.facts(app.ID)) != before || f.auditEvents() != events {
				t.Errorf("%s: a refused batch left facts or audit events", bad.name)
			}
		}
		// Values are stored compact.
		got, err := f.store.AddFacts(f.ctx, applicant(h.a), app.ID, []sqlstore.FactInput{raw("dwelling_size", bistand.FactDwellingSize, "{ \"value\" :\n 4 }")})
		if err != nil {
			t.Fatal(err)
		}
		all := f.facts(app.ID)
		if string(got[0].Value) != `{"value":4}` || string(all[len(all)-1].Value) != `{"value":4}` {
			t.Errorf("stored %s / %s", got[0].Value, all[len(all)-1].Value)
		}
		if hh, _, err := f.store.Household(f.ctx, app.ID); err != nil || hh.DwellingSize != 4 {
			t.Errorf("dwelling size in the household: %v %v", hh, err)
		}
	})
}

func TestFactsSupersedeAndRetract(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		if got := f.calculate(app.ID).Amount; got != bistand.Kronor(exampleAmount) {
			t.Fatalf("example household: %s, want %d kr", got, exampleAmount)
		}
		must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, applicant(h.a), app.ID, []sqlstore.FactInput{
			fact("cost:electricity", bistand.FactCost, map[string]any{"type": "electricity", "amount": 450}),
		}))
		eff := sqlstore.Effective(f.facts(app.ID))
		var elec []bistand.Fact
		for _, x := range eff {
			if x.Key == "cost:electricity" {
				elec = append(elec, x)
			}
		}
		if len(elec) != 1 || !strings.Contains(string(elec[0].Value), `"amount":450`) {
			t.Fatalf("electricity in force: %+v", elec)
		}
		if got := f.calculate(app.ID).Amount; got != bistand.Kronor(exampleAmount+150) {
			t.Errorf("after electricity 300 → 450: %s, want %d kr", got, exampleAmount+150)
		}
		// A fact with no value retracts the key.
		must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, applicant(h.a), app.ID, []sqlstore.FactInput{
			{Key: "cost:electricity", Kind: bistand.FactCost, Provenance: bistand.Declared},
		}))
		all := f.facts(app.ID)
		if last := all[len(all)-1]; last.Value != nil || last.Key != "cost:electricity" {
			t.Errorf("the retraction is stored as %+v", last)
		}
		for _, x := range sqlstore.Effective(all) {
			if x.Key == "cost:electricity" {
				t.Errorf("a retracted key is in force: %+v", x)
			}
		}
		if len(sqlstore.Effective(all)) != 8 {
			t.Errorf("%d facts in force, want 8", len(sqlstore.Effective(all)))
		}
		if got := f.calculate(app.ID).Amount; got != bistand.Kronor(exampleAmount-300) {
			t.Errorf("without electricity: %s, want %d kr", got, exampleAmount-300)
		}
	})
}

func TestEffective(t *testing.T) {
	v := func(s string) json.RawMessage { return json.RawMessage(s) }
	all := []bistand.Fact{
		{Key: "a", Seq: 1, Value: v("1")}, {Key: "b", Seq: 2, Value: v("2")}, {Key: "a", Seq: 3, Value: v("3")},
		{Key: "c", Seq: 4, Value: v("4")}, {Key: "c", Seq: 5}, {Key: "d", Seq: 6}, {Key: "b", Seq: 7}, {Key: "b", Seq: 8, Value: v("8")},
	}
	var got []string
	for _, f := range sqlstore.Effective(all) {
		got = append(got, fmt.Sprintf("%s=%s", f.Key, f.Value))
	}
	// In the order each key first appeared; the latest value; retracted keys gone.
	if want := []string{"a=3", "b=8"}; !slices.Equal(got, want) {
		t.Errorf("Effective = %v, want %v", got, want)
	}
	if len(sqlstore.Effective(nil)) != 0 {
		t.Error("Effective(nil) is not empty")
	}
}

func TestHouseholdFromFacts(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		hh, snap, err := f.store.Household(f.ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		if hh.Month != march2026 || hh.Municipality != "national" || len(hh.Members) != 3 || len(hh.Costs) != 2 || len(hh.Incomes) != 2 ||
			hh.MonthsOnAssistance != 8 || hh.JobbstimulansSince != bistand.MustMonth(2025, 12) {
			t.Errorf("household %+v", hh)
		}
		roles := map[string]rules.Role{}
		for _, m := range hh.Members {
			roles[m.ID] = m.Role
		}
		if roles[h.a.ID] != rules.Applicant || roles[h.b.ID] != rules.Partner || roles[h.child.ID] != rules.Child {
			t.Errorf("members %+v", hh.Members)
		}
		if hh.Members[0].ID != h.a.ID || hh.Members[0].BirthDate != bistand.MustDate(1985, 4, 2) || hh.Members[2].BirthDate != bistand.MustDate(2018, 10, 1) {
			t.Errorf("members from the personnummer: %+v", hh.Members)
		}
		for _, p := range []bistand.Person{h.a, h.b} {
			if bytes.Contains(snap, []byte(p.Personnummer)) {
				t.Error("the snapshot holds a personnummer")
			}
		}
		app = f.to(h, app, bistand.Assessed)
		if got := f.calculate(app.ID).Amount; got != bistand.Kronor(exampleAmount) {
			t.Fatalf("before the caseworker: %s", got)
		}
		// A caseworker finds the rent is 6 000, not 7 200.
		rent := fact("cost:rent", bistand.FactCost, map[string]any{"type": "rent", "amount": 6000})
		rent.Provenance, rent.Reason = bistand.Caseworker, "hyresavtal visar 6 000 kr"
		must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, worker, app.ID, []sqlstore.FactInput{rent}))
		if got := f.calculate(app.ID).Amount; got != bistand.Kronor(exampleAmount-1200) {
			t.Errorf("after the caseworker's rent: %s, want %d kr", got, exampleAmount-1200)
		}
		d, ok, err := f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{})
		if err != nil || !ok || d.Amount != bistand.Kronor(11750) || d.Outcome != bistand.OutcomeApproved {
			t.Errorf("decision on the caseworker's rent: %s %s ok=%v %v, want approved 11 750 kr", d.Outcome, d.Amount, ok, err)
		}
		_, _, err = f.store.Household(f.ctx, "app-nothing")
		wantErr(t, err, bistand.ErrNotFound)
	})
}

func TestFactsProvenance(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Submitted)
		observed := time.Date(2026, 3, 2, 7, 30, 15, 123456000, time.FixedZone("CET", 3600))
		reg := fact("income:housing_allowance", bistand.FactIncome, map[string]any{"type": "housing_allowance", "amount": 1400})
		reg.Provenance, reg.Source, reg.Reference, reg.ObservedAt = bistand.Register, "FK", "ssbtek-4711", observed
		must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, robot, app.ID, []sqlstore.FactInput{reg}))
		cw := fact("dwelling_size", bistand.FactDwellingSize, map[string]any{"value": 4})
		cw.Provenance, cw.Reason = bistand.Caseworker, "inneboende"
		must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, worker, app.ID, []sqlstore.FactInput{cw}))
		all := f.facts(app.ID)
		if len(all) != 11 {
			t.Fatalf("%d facts, want 11", len(all))
		}
		for i, x := range all {
			if x.Seq != int64(i+1) || x.ApplicationID != app.ID || !strings.HasPrefix(x.ID, "fact-") || x.RecordedAt.IsZero() {
				t.Errorf("fact %d: %+v", i, x)
			}
			if i > 0 && x.RecordedAt.Before(all[i-1].RecordedAt) {
				t.Errorf("fact %d recorded before fact %d", i, i-1)
			}
		}
		first := all[0]
		if first.Provenance != bistand.Declared || first.Actor != applicant(h.a) || first.Key != "member:"+h.a.ID || first.Kind != bistand.FactMember ||
			first.Source != "" || first.Reason != "" || !first.ObservedAt.IsZero() {
			t.Errorf("declared fact %+v", first)
		}
		r := all[9]
		if r.Provenance != bistand.Register || r.Actor != robot || r.Source != "FK" || r.Reference != "ssbtek-4711" ||
			!r.ObservedAt.Equal(observed) || r.Key != "income:housing_allowance" || string(r.Value) != `{"amount":1400,"type":"housing_allowance"}` {
			t.Errorf("register fact %+v (value %s)", r, r.Value)
		}
		c := all[10]
		if c.Provenance != bistand.Caseworker || c.Actor != worker || c.Reason != "inneboende" || c.Kind != bistand.FactDwellingSize {
			t.Errorf("caseworker fact %+v", c)
		}
		if n, err := f.store.Facts(f.ctx, "app-nothing"); err != nil || len(n) != 0 {
			t.Errorf("facts of no application: %v %v", n, err)
		}
	})
}

// --- decisions ---

func TestDecideByRobot(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Assessed)
		d, ok, err := f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{Enqueue: []sqlstore.Job{{Kind: "letter", Args: app.ID}}})
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		ph, err := rules.Default().ParamsHash("national", march2026)
		if err != nil {
			t.Fatal(err)
		}
		if d.Outcome != bistand.OutcomeApproved || d.Amount != bistand.Kronor(exampleAmount) || d.ApplicationID != app.ID || d.CaseID != h.c.ID ||
			d.Month != march2026 || d.DecidedBy != robot || d.Replaces != "" || d.RulesVersion != rules.Default().Hash || d.ParamsHash != ph ||
			!strings.HasPrefix(d.ID, "dec-") || d.DecidedAt.IsZero() {
			t.Errorf("decision %+v", d)
		}
		if st := f.app(app.ID).State; st != bistand.Decided {
			t.Errorf("state %s", st)
		}
		trs := f.transitions(app.ID)
		if last := trs[len(trs)-1]; last.From != bistand.Assessed || last.To != bistand.Decided || last.Actor != robot {
			t.Errorf("last transition %+v", last)
		}
		// The job asked for, and the decision's own letter step.
		if n := f.count("SELECT COUNT(*) FROM test_jobs WHERE kind = 'letter' AND args = $1", `"`+app.ID+`"`); n != 1 {
			t.Errorf("%d jobs enqueued as asked", n)
		}
		if n := f.count("SELECT COUNT(*) FROM test_jobs WHERE kind = $1 AND args = $2", sqlstore.StepLetter, `{"decision_id":"`+d.ID+`"}`); n != 1 {
			t.Errorf("%d letter steps for the decision", n)
		}
		stored, err := f.store.Decision(f.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameDecision(t, stored, d)
		list, err := f.store.Decisions(f.ctx, app.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("Decisions: %d %v", len(list), err)
		}
		sameDecision(t, list[0], d)
		cur, err := f.store.CurrentDecision(f.ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameDecision(t, cur, d)
		_, err = f.store.Decision(f.ctx, "dec-nothing")
		wantErr(t, err, bistand.ErrNotFound)
		other := f.newApp(h)
		_, err = f.store.CurrentDecision(f.ctx, other.ID)
		wantErr(t, err, bistand.ErrNotFound)

		// Deciding again is refused and never makes a second decision.
		for _, actor := range []bistand.Actor{robot, worker} {
			_, ok, err := f.store.Decide(f.ctx, actor, app.ID, sqlstore.DecideInput{Motivation: "igen"})
			if err == nil || ok {
				t.Errorf("a second decision by %s: ok=%v %v", actor, ok, err)
			}
			wantErr(t, err, bistand.ErrInvalidTransition)
		}
		if _, ok, err := f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{IfState: bistand.Assessed}); err != nil || ok {
			t.Errorf("a guarded second decision: ok=%v %v, want a no-op", ok, err)
		}
		if n := f.count("SELECT COUNT(*) FROM decisions WHERE application_id = $1", app.ID); n != 1 {
			t.Errorf("%d decisions", n)
		}
		// Neither the applicant nor the system decides.
		a2 := f.to(h, f.newApp(h), bistand.Assessed)
		for _, actor := range []bistand.Actor{applicant(h.a), system} {
			_, _, err := f.store.Decide(f.ctx, actor, a2.ID, sqlstore.DecideInput{})
			wantErr(t, err, bistand.ErrForbidden)
		}
		// Nor is anything but an assessed application decided by the robot.
		for _, st := range []bistand.State{bistand.Draft, bistand.Submitted, bistand.Collecting, bistand.RandomCheck, bistand.SupplementRequested, bistand.Withdrawn} {
			x := f.to(h, f.newApp(h), st)
			_, ok, err := f.store.Decide(f.ctx, robot, x.ID, sqlstore.DecideInput{})
			if ok || !errors.Is(err, bistand.ErrInvalidTransition) {
				t.Errorf("deciding a %s application: ok=%v %v", st, ok, err)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM decisions"); n != 1 {
			t.Errorf("%d decisions in all", n)
		}
	})
}

func sameDecision(t testing.TB, got, want bistand.Decision) {
	t.Helper()
	if got.ID != want.ID || got.ApplicationID != want.ApplicationID || got.CaseID != want.CaseID || got.Month != want.Month ||
		got.Outcome != want.Outcome || got.Amount != want.Amount || !bytes.Equal(got.Snapshot, want.Snapshot) ||
		got.RulesVersion != want.RulesVersion || got.ParamsHash != want.ParamsHash || !bytes.Equal(got.Trace, want.Trace) ||
		got.DecidedBy != want.DecidedBy || got.Motivation != want.Motivation || got.Replaces != want.Replaces || !got.DecidedAt.Equal(want.DecidedAt) {
		t.Errorf("stored decision differs:\n got %+v\nwant %+v", got, want)
	}
}

// decideConcurrently has n goroutines decide the same assessed application
// (robot, IfState assessed) within timeout and returns how many got ok and
// the errors.
func (f *fixture) decideConcurrently(appID string, n int, timeout time.Duration) (oks int, errs []error) {
	ctx, cancel := context.WithTimeout(f.ctx, timeout)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, ok, err := f.store.Decide(ctx, robot, appID, sqlstore.DecideInput{IfState: bistand.Assessed})
			mu.Lock()
			defer mu.Unlock()
			if ok {
				oks++
			}
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return oks, errs
}

func TestDecideConcurrently(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		n := 8
		for round := 0; round < 3; round++ {
			app = f.to(h, app, bistand.Assessed)
			oks, errs := f.decideConcurrently(app.ID, n, 30*time.Second)
			if oks != 1 {
				t.Errorf("round %d: %d of %d concurrent deciders got ok, want exactly 1 (errors: %v)", round, oks, n, errs)
			}
			for _, err := range errs {
				if errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("round %d: %v", round, err)
				}
			}
			if c := f.count("SELECT COUNT(*) FROM decisions WHERE application_id = $1", app.ID); c != 1 {
				t.Errorf("round %d: %d decisions", round, c)
			}
			if trs := f.transitions(app.ID); trs[len(trs)-1].To != bistand.Decided || len(trs) != 4 {
				t.Errorf("round %d: transitions %+v", round, trs)
			}
			app = f.newApp(h)
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatalf("verify: %s", rep.Problem)
		}
	})
}

// TestDecidersDoNotExhaustPool: more deciders than the pool has
// connections, all inside their transactions before any reads the
// household. (Regression: Decide once read the members' persons through
// the pool rather than its transaction; with the pool full the decider
// that could proceed waited for a connection: on SQLite until the busy
// timeout failed the others, on PostgreSQL for ever.) The test's clock,
// which Decide reads right after BEGIN, waits until the pool is in use.
func TestDecidersDoNotExhaustPool(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Assessed)
		pool := f.db.Stats().MaxOpenConnections
		var gate sync.Mutex
		var full atomic.Bool
		clock := time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)
		f.store = sqlstore.NewStore(f.db, sqlstore.Options{Jobs: f.jobs, Now: func() time.Time {
			// Wait (at most a second) until the pool has once been full.
			for end := time.Now().Add(time.Second); !full.Load() && time.Now().Before(end); time.Sleep(time.Millisecond) {
				if f.db.Stats().InUse >= pool {
					full.Store(true)
				}
			}
			gate.Lock()
			defer gate.Unlock()
			clock = clock.Add(time.Second)
			return clock
		}})
		n := pool + 2
		start := time.Now()
		oks, errs := f.decideConcurrently(app.ID, n, 4*time.Second)
		if oks != 1 || len(errs) > 0 {
			var sample error
			if len(errs) > 0 {
				sample = errs[len(errs)-1]
			}
			t.Errorf("%d concurrent deciders: %d ok, %d errors after %v (e.g. %v); want exactly one ok and the rest no-ops",
				n, oks, len(errs), time.Since(start).Round(time.Millisecond), sample)
		}
	})
}

func TestDecideAmount(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, first := f.home()
		assessed := func() bistand.Application { return f.to(h, f.newApp(h), bistand.Assessed) }
		app := f.to(h, first, bistand.Assessed)
		// The robot records the calculation and nothing else.
		for _, in := range []sqlstore.DecideInput{
			{Amount: kr(10000), Motivation: "lägre"},
			{Amount: kr(exampleAmount)},
			{Outcome: bistand.OutcomeRejected, Motivation: "avslag"},
			{Outcome: bistand.OutcomePartlyApproved},
		} {
			_, ok, err := f.store.Decide(f.ctx, robot, app.ID, in)
			if ok {
				t.Fatal("ok")
			}
			wantErr(t, err, bistand.ErrForbidden)
		}
		// A caseworker always gives a motivation.
		_, _, err := f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Amount: kr(10000)})
		wantErr(t, err, bistand.ErrInvalid)
		_, _, err = f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Amount: kr(-1), Motivation: "fel"})
		wantErr(t, err, bistand.ErrInvalid)
		_, _, err = f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Amount: kr(10000), Outcome: bistand.OutcomeApproved, Motivation: "fel"})
		wantErr(t, err, bistand.ErrInvalid)
		_, _, err = f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Outcome: bistand.OutcomeRejected, Motivation: "fel"})
		wantErr(t, err, bistand.ErrInvalid) // rejecting needs the amount 0
		if n := f.count("SELECT COUNT(*) FROM decisions"); n != 0 || f.app(app.ID).State != bistand.Assessed {
			t.Fatalf("refused decisions left %d rows / state %s", n, f.app(app.ID).State)
		}
		for _, c := range []struct {
			in      sqlstore.DecideInput
			outcome bistand.Outcome
			amount  bistand.Money
		}{
			{sqlstore.DecideInput{Amount: kr(10000), Motivation: "hyran delvis godtagen"}, bistand.OutcomePartlyApproved, bistand.Kronor(10000)},
			{sqlstore.DecideInput{Amount: kr(10000), Outcome: bistand.OutcomePartlyApproved, Motivation: "hyran delvis godtagen"}, bistand.OutcomePartlyApproved, bistand.Kronor(10000)},
			{sqlstore.DecideInput{Amount: kr(0), Motivation: "inkomsten räcker"}, bistand.OutcomeRejected, 0},
			{sqlstore.DecideInput{Amount: kr(0), Outcome: bistand.OutcomeRejected, Motivation: "inkomsten räcker"}, bistand.OutcomeRejected, 0},
			{sqlstore.DecideInput{Amount: kr(13500), Motivation: "tandvård akut"}, bistand.OutcomeApproved, bistand.Kronor(13500)},
			{sqlstore.DecideInput{Amount: kr(exampleAmount), Motivation: "som beräknat"}, bistand.OutcomeApproved, bistand.Kronor(exampleAmount)},
		} {
			a := app
			app = bistand.Application{}
			if a.ID == "" {
				a = assessed()
			}
			d, ok, err := f.store.Decide(f.ctx, worker, a.ID, c.in)
			if err != nil || !ok {
				t.Errorf("%+v: ok=%v %v", c.in, ok, err)
				continue
			}
			if d.Outcome != c.outcome || d.Amount != c.amount || d.Motivation != c.in.Motivation || d.DecidedBy != worker {
				t.Errorf("%+v: decided %s %s", c.in, d.Outcome, d.Amount)
			}
			stored, err := f.store.CurrentDecision(f.ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameDecision(t, stored, d)
			if trs := f.transitions(a.ID); trs[len(trs)-1].Reason != c.in.Motivation || trs[len(trs)-1].Actor != worker {
				t.Errorf("the decided transition %+v", trs[len(trs)-1])
			}
		}
	})
}

// TestCaseworkerDecisionNeedsMotivation: a caseworker's decision always
// carries a motivation, also when it grants what was calculated.
func TestCaseworkerDecisionNeedsMotivation(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Assessed)
		d, ok, err := f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{})
		if err == nil || ok {
			t.Errorf("a caseworker's decision without a motivation was recorded: %s %s", d.Outcome, d.Amount)
		}
	})
}

func TestReplaceDecision(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Decided)
		d1, err := f.store.CurrentDecision(f.ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		trs := len(f.transitions(app.ID))
		// Only a caseworker replaces, with a motivation.
		_, _, err = f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{Replaces: d1.ID, Motivation: "omprövning"})
		wantErr(t, err, bistand.ErrForbidden)
		_, _, err = f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Replaces: d1.ID})
		wantErr(t, err, bistand.ErrInvalid)
		d2, ok, err := f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Replaces: d1.ID, Amount: kr(12000), Motivation: "omprövning: elkostnad ej styrkt"})
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if d2.Replaces != d1.ID || d2.Outcome != bistand.OutcomePartlyApproved || d2.Amount != bistand.Kronor(12000) || d2.ID == d1.ID {
			t.Errorf("replacement %+v", d2)
		}
		if st := f.app(app.ID).State; st != bistand.Decided {
			t.Errorf("state after a replacement: %s", st)
		}
		if n := len(f.transitions(app.ID)); n != trs {
			t.Errorf("a replacement recorded a transition: %d → %d", trs, n)
		}
		cur, err := f.store.CurrentDecision(f.ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameDecision(t, cur, d2)
		// The replaced decision is no longer the one in force.
		_, _, err = f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Replaces: d1.ID, Motivation: "igen"})
		wantErr(t, err, bistand.ErrConflict)
		_, _, err = f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Replaces: "dec-nothing", Motivation: "igen"})
		wantErr(t, err, bistand.ErrConflict)
		d3, ok, err := f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Replaces: d2.ID, Motivation: "omprövning igen: beräknat belopp"})
		if err != nil || !ok || d3.Replaces != d2.ID || d3.Amount != bistand.Kronor(exampleAmount) || d3.Outcome != bistand.OutcomeApproved {
			t.Fatalf("second replacement %+v ok=%v %v", d3, ok, err)
		}
		list, err := f.store.Decisions(f.ctx, app.ID)
		if err != nil || len(list) != 3 {
			t.Fatalf("Decisions: %d %v", len(list), err)
		}
		sameDecision(t, list[0], d1)
		sameDecision(t, list[1], d2)
		sameDecision(t, list[2], d3)
		// Another application's decision is not replaced through this one.
		other := f.to(h, f.newApp(h), bistand.Decided)
		_, _, err = f.store.Decide(f.ctx, worker, other.ID, sqlstore.DecideInput{Replaces: d3.ID, Motivation: "fel ärende"})
		wantErr(t, err, bistand.ErrConflict)
		// A paid application's decision is not replaced; nor an undecided one's.
		f.move(system, f.app(app.ID), bistand.Paid)
		_, _, err = f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Replaces: d3.ID, Motivation: "för sent"})
		wantErr(t, err, bistand.ErrInvalidTransition)
		assessed := f.to(h, f.newApp(h), bistand.Assessed)
		_, _, err = f.store.Decide(f.ctx, worker, assessed.ID, sqlstore.DecideInput{Replaces: d3.ID, Motivation: "fel"})
		wantErr(t, err, bistand.ErrInvalidTransition)
		if n := f.count("SELECT COUNT(*) FROM decisions WHERE application_id = $1", app.ID); n != 3 {
			t.Errorf("%d decisions", n)
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatalf("verify: %s", rep.Problem)
		}
	})
}

func TestDecideExpired(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		// A supplement request that ran out still needs a decision, by a person.
		app = f.move(system, f.to(h, app, bistand.SupplementRequested), bistand.Expired)
		_, _, err := f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{})
		wantErr(t, err, bistand.ErrForbidden)
		d, ok, err := f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Motivation: "beslut på befintligt underlag"})
		if err != nil || !ok || d.Amount != bistand.Kronor(exampleAmount) {
			t.Fatalf("deciding an expired supplement request: %+v ok=%v %v", d, ok, err)
		}
		trs := f.transitions(app.ID)
		if last := trs[len(trs)-1]; last.From != bistand.Expired || last.To != bistand.Decided || last.Actor != worker {
			t.Errorf("last transition %+v", last)
		}
		// An expired draft was never submitted and is not decided.
		draft := f.to(h, f.newApp(h), bistand.Expired)
		_, ok, err = f.store.Decide(f.ctx, worker, draft.ID, sqlstore.DecideInput{Motivation: "beslut"})
		if ok {
			t.Fatal("an expired draft was decided")
		}
		wantErr(t, err, bistand.ErrInvalidTransition)
		if n := f.count("SELECT COUNT(*) FROM decisions WHERE application_id = $1", draft.ID); n != 0 || f.app(draft.ID).State != bistand.Expired {
			t.Errorf("%d decisions on the expired draft, state %s", n, f.app(draft.ID).State)
		}
	})
}

// TestDecisionReplay: a decision's snapshot is valid `bistand calc` input
// and recalculating it gives the same amount and, byte for byte, the trace
// stored — also after the facts have changed since.
func TestDecisionReplay(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Decided)
		d, err := f.store.CurrentDecision(f.ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Facts recorded after the decision do not change it.
		later := fact("cost:rent", bistand.FactCost, map[string]any{"type": "rent", "amount": 1})
		later.Provenance, later.Reason = bistand.Caseworker, "efter beslutet"
		must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, worker, app.ID, []sqlstore.FactInput{later}))
		stored, err := f.store.Decision(f.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameDecision(t, stored, d)
		replay(t, stored, stored.Amount)

		// A caseworker's amount differs from the calculation, whose trace
		// the decision still keeps.
		other := f.to(h, f.newApp(h), bistand.Assessed)
		d2, _, err := f.store.Decide(f.ctx, worker, other.ID, sqlstore.DecideInput{Amount: kr(9000), Motivation: "delvis"})
		if err != nil {
			t.Fatal(err)
		}
		stored2, err := f.store.Decision(f.ctx, d2.ID)
		if err != nil {
			t.Fatal(err)
		}
		replay(t, stored2, bistand.Kronor(exampleAmount))
	})
}

// replay recalculates a decision's snapshot as `bistand calc --compact` does.
func replay(t testing.TB, d bistand.Decision, calculated bistand.Money) {
	t.Helper()
	h, err := rules.ParseHouseholdBytes(d.Snapshot)
	if err != nil {
		t.Fatalf("the snapshot is not calc input: %v\n%s", err, d.Snapshot)
	}
	res, err := rules.Default().Calculate(h, rules.Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Amount != calculated || res.RulesVersion != d.RulesVersion || res.ParamsHash != d.ParamsHash {
		t.Errorf("replay: %s (rules %s, params %s), want %s (%s, %s)", res.Amount, res.RulesVersion, res.ParamsHash, calculated, d.RulesVersion, d.ParamsHash)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		t.Fatal(err)
	}
	if got := bytes.TrimSuffix(buf.Bytes(), []byte("\n")); !bytes.Equal(got, d.Trace) {
		t.Errorf("the replayed trace differs from the stored one:\n got %.300s\nwant %.300s", got, d.Trace)
	}
	var amount struct {
		Amount bistand.Money `json:"amount"`
	}
	if err := json.Unmarshal(d.Trace, &amount); err != nil || amount.Amount != calculated {
		t.Errorf("the stored trace's amount: %s %v", amount.Amount, err)
	}
}

// --- attachments ---

func TestAttachments(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		dir := t.TempDir()
		at := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
		st := sqlstore.NewStore(f.db, sqlstore.Options{Jobs: f.jobs, Blobs: sqlstore.DiskBlobs{Dir: dir}, Now: func() time.Time { return at }})
		content := []byte("%PDF-1.7 lönespecifikation mars 2026\n")
		sum := sha256.Sum256(content)
		wantSHA := hex.EncodeToString(sum[:])
		a1, err := st.AddAttachment(f.ctx, applicant(h.a), app.ID, "lon.pdf", "application/pdf", bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		if a1.SHA256 != wantSHA || a1.Size != int64(len(content)) || a1.ApplicationID != app.ID || a1.UploadedBy != applicant(h.a) || a1.UploadedAt.IsZero() {
			t.Errorf("attachment %+v, want sha %s", a1, wantSHA)
		}
		a2, err := st.AddAttachment(f.ctx, applicant(h.b), app.ID, "samma.pdf", "application/pdf", bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		if a2.SHA256 != a1.SHA256 || a2.ID == a1.ID {
			t.Errorf("the same bytes twice: %s / %s", a1.SHA256, a2.SHA256)
		}
		var files []string
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, strings.TrimPrefix(p, dir))
			}
			return nil
		})
		if want := string(os.PathSeparator) + filepath.Join(wantSHA[:2], wantSHA[2:]); len(files) != 1 || files[0] != want {
			t.Errorf("blob files %v, want one at %s", files, want)
		}
		list, err := st.Attachments(f.ctx, app.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("Attachments: %v %v", list, err)
		}
		for _, a := range list {
			want := a1
			if a.ID == a2.ID {
				want = a2
			}
			if a.SHA256 != want.SHA256 || a.Filename != want.Filename || a.ContentType != want.ContentType || a.Size != want.Size ||
				a.UploadedBy != want.UploadedBy || !a.UploadedAt.Equal(want.UploadedAt) || a.ApplicationID != app.ID {
				t.Errorf("listed %+v, want %+v", a, want)
			}
		}
		rc, err := st.OpenAttachment(f.ctx, list[1])
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("OpenAttachment: %q %v", got, err)
		}
		// Limits.
		st.MaxAttachment = 16
		if _, err := st.AddAttachment(f.ctx, applicant(h.a), app.ID, "exakt.txt", "text/plain", strings.NewReader(strings.Repeat("x", 16))); err != nil {
			t.Errorf("an attachment of exactly the limit: %v", err)
		}
		rows := f.count("SELECT COUNT(*) FROM attachments")
		_, err = st.AddAttachment(f.ctx, applicant(h.a), app.ID, "stor.txt", "text/plain", strings.NewReader(strings.Repeat("y", 17)))
		if !errors.Is(err, sqlstore.ErrTooLarge) {
			t.Errorf("above the limit: %v, want ErrTooLarge", err)
		}
		if f.count("SELECT COUNT(*) FROM attachments") != rows {
			t.Error("a refused attachment was recorded")
		}
		_, err = st.AddAttachment(f.ctx, applicant(h.a), app.ID, "", "text/plain", strings.NewReader("z"))
		wantErr(t, err, bistand.ErrInvalid)
		_, err = st.AddAttachment(f.ctx, applicant(h.a), "app-nothing", "a.txt", "text/plain", strings.NewReader("z"))
		wantErr(t, err, bistand.ErrNotFound)
		if _, err := st.OpenAttachment(f.ctx, bistand.Attachment{SHA256: "../../etc/passwd"}); err == nil {
			t.Error("a hash that is not one opened a file")
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatalf("verify: %s", rep.Problem)
		}
	})
}

// TestApplicantOutsideTheHouseholdIsRefused: an applicant actor acts only on
// applications of a case they are an adult of.
func TestApplicantOutsideTheHouseholdIsRefused(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		stranger := f.person("1970-12-12")
		if _, err := f.store.OpenCase(f.ctx, system, "national", []bistand.CaseMember{{PersonID: stranger.ID, Role: "applicant"}}); err != nil {
			t.Fatal(err)
		}
		_, err := f.store.AddFacts(f.ctx, applicant(stranger), app.ID, []sqlstore.FactInput{
			fact("income:salary:"+h.a.ID, bistand.FactIncome, map[string]any{"type": "salary", "person": h.a.ID, "amount": 30000})})
		if !errors.Is(err, bistand.ErrForbidden) {
			t.Errorf("another household's applicant declared a fact on this application: %v", err)
		}
		_, _, err = f.store.Transition(f.ctx, applicant(stranger), app.ID, bistand.Withdrawn, "", sqlstore.TransitionOptions{})
		if !errors.Is(err, bistand.ErrForbidden) {
			t.Errorf("another household's applicant withdrew this application: %v (state now %s)", err, f.app(app.ID).State)
		}
	})
}

// TestReturnedTimesAsStored: times are stored to the microsecond, and what
// a call returns equals the record read back.
func TestReturnedTimesAsStored(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, _ := f.home()
		var mu sync.Mutex
		clock := time.Date(2026, 3, 11, 9, 0, 0, 123456789, time.UTC)
		f.store = sqlstore.NewStore(f.db, sqlstore.Options{Jobs: f.jobs, Blobs: sqlstore.DiskBlobs{Dir: t.TempDir()}, Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			clock = clock.Add(time.Second)
			return clock
		}})
		var diffs []string
		same := func(what string, returned, stored time.Time) {
			if !returned.Equal(stored) {
				diffs = append(diffs, fmt.Sprintf("%s: returned %s, stored %s", what, returned.Format(time.RFC3339Nano), stored.Format(time.RFC3339Nano)))
			}
		}
		p, err := f.store.CreatePerson(f.ctx, system, personnummer.Generate(f.rng, bistand.MustDate(1999, 9, 9), false, false), false)
		if err != nil {
			t.Fatal(err)
		}
		same("CreatePerson CreatedAt", p.CreatedAt, must[bistand.Person](t)(f.store.Person(f.ctx, p.ID)).CreatedAt)
		app := f.newApp(h)
		same("CreateApplication CreatedAt", app.CreatedAt, f.app(app.ID).CreatedAt)
		facts := must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, applicant(h.a), app.ID, []sqlstore.FactInput{
			fact("cost:electricity", bistand.FactCost, map[string]any{"type": "electricity", "amount": 310})}))
		all := f.facts(app.ID)
		same("AddFacts RecordedAt", facts[0].RecordedAt, all[len(all)-1].RecordedAt)
		app = f.to(h, app, bistand.Assessed)
		same("Transition UpdatedAt", app.UpdatedAt, f.app(app.ID).UpdatedAt)
		d, _, err := f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{})
		if err != nil {
			t.Fatal(err)
		}
		same("Decide DecidedAt", d.DecidedAt, must[bistand.Decision](t)(f.store.Decision(f.ctx, d.ID)).DecidedAt)
		att, err := f.store.AddAttachment(f.ctx, applicant(h.a), app.ID, "a.txt", "text/plain", strings.NewReader("a"))
		if err != nil {
			t.Fatal(err)
		}
		same("AddAttachment UploadedAt", att.UploadedAt, must[[]bistand.Attachment](t)(f.store.Attachments(f.ctx, app.ID))[0].UploadedAt)
		if len(diffs) > 0 {
			t.Errorf("returned records differ from the stored ones:\n%s", strings.Join(diffs, "\n"))
		}
	})
}

// newFixtureRand is a fixed random source for tests without a fixture.
func newFixtureRand() *rand.Rand { return rand.New(rand.NewPCG(3, 4)) }
