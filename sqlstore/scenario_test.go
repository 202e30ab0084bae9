package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

var (
	robot     = bistand.Actor{Kind: bistand.ActorRobot, ID: "robot"}
	system    = bistand.Actor{Kind: bistand.ActorSystem, ID: "system"}
	worker    = bistand.Actor{Kind: bistand.ActorCaseworker, ID: "hl-anna"}
	applicant = func(p bistand.Person) bistand.Actor { return bistand.Actor{Kind: bistand.ActorApplicant, ID: p.ID} }
)

// recordingJobs enqueues jobs into a table of the same database, inside the
// caller's transaction, so tests can see that a change and its jobs commit
// or roll back together.
type recordingJobs struct {
	mu   sync.Mutex
	fail bool
}

func (r *recordingJobs) InsertTx(ctx context.Context, tx *sql.Tx, jobs []sqlstore.Job) error {
	r.mu.Lock()
	fail := r.fail
	r.mu.Unlock()
	if fail {
		return context.DeadlineExceeded
	}
	for _, j := range jobs {
		args, _ := json.Marshal(j.Args)
		if _, err := tx.ExecContext(ctx, "INSERT INTO test_jobs (kind, args) VALUES ($1, $2)", j.Kind, string(args)); err != nil {
			return err
		}
	}
	return nil
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *sqlstore.DB
	store *sqlstore.Store
	jobs  *recordingJobs
	rng   *rand.Rand
	// blobDir holds the store's attachments and letters.
	blobDir string
}

func newFixture(t *testing.T, engine sqlstore.Engine) *fixture {
	db := sqltest.Open(t, engine)
	if _, err := db.Exec("CREATE TABLE test_jobs (kind TEXT NOT NULL, args TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	jobs := &recordingJobs{}
	clock := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	blobs := t.TempDir()
	st := sqlstore.NewStore(db, sqlstore.Options{Jobs: jobs, Blobs: sqlstore.DiskBlobs{Dir: blobs}, Now: now})
	return &fixture{t: t, ctx: context.Background(), db: db, store: st, jobs: jobs, rng: rand.New(rand.NewPCG(1, 2)), blobDir: blobs}
}

func (f *fixture) person(birth string) bistand.Person {
	f.t.Helper()
	d, err := bistand.ParseDate(birth)
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := f.store.CreatePerson(f.ctx, system, personnummer.Generate(f.rng, d, false, f.rng.IntN(2) == 0), false)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func fact(key string, kind bistand.FactKind, v any) sqlstore.FactInput {
	b, _ := json.Marshal(v)
	return sqlstore.FactInput{Key: key, Kind: kind, Value: b, Provenance: bistand.Declared}
}

// household creates a couple with one child, a case in municipality and a
// draft application for 2026-03 with declared facts: the example household.
func (f *fixture) household(municipality string) (a, b bistand.Person, c bistand.Case, app bistand.Application) {
	t := f.t
	a, b = f.person("1985-04-02"), f.person("1987-01-20")
	child := f.person("2018-10-01")
	c = must[bistand.Case](t)(f.store.OpenCase(f.ctx, system, municipality, []bistand.CaseMember{
		{PersonID: a.ID, Role: "applicant"}, {PersonID: b.ID, Role: "partner"}, {PersonID: child.ID, Role: "child"}}))
	app = must[bistand.Application](t)(f.store.CreateApplication(f.ctx, applicant(a), c.ID, bistand.MustMonth(2026, 3)))
	must[[]bistand.Fact](t)(f.store.AddFacts(f.ctx, applicant(a), app.ID, exampleFacts(a.ID, b.ID, child.ID)))
	return a, b, c, app
}

// exampleFacts are the declared facts of the example household: a couple
// (applicant a, partner b) with one child aged 7 in 2026-03.
func exampleFacts(a, b, child string) []sqlstore.FactInput {
	return []sqlstore.FactInput{
		fact("member:"+a, bistand.FactMember, map[string]any{"person_id": a, "role": "applicant"}),
		fact("member:"+b, bistand.FactMember, map[string]any{"person_id": b, "role": "partner"}),
		fact("member:"+child, bistand.FactMember, map[string]any{"person_id": child, "role": "child", "lunch_elsewhere": true}),
		fact("cost:rent", bistand.FactCost, map[string]any{"type": "rent", "amount": 7200}),
		fact("cost:electricity", bistand.FactCost, map[string]any{"type": "electricity", "amount": 300}),
		fact("income:salary:"+b, bistand.FactIncome, map[string]any{"type": "salary", "person": b, "amount": 8000}),
		fact("income:child_allowance", bistand.FactIncome, map[string]any{"type": "child_allowance", "amount": 1250}),
		fact("months_on_assistance", bistand.FactMonthsOnAssistance, map[string]any{"value": 8}),
		fact("jobbstimulans_since", bistand.FactJobbstimulansSince, map[string]any{"value": "2025-12"}),
	}
}

// submit signs and submits the application and walks it to assessed.
func (f *fixture) toAssessed(a, b bistand.Person, app bistand.Application) {
	t := f.t
	for _, p := range []bistand.Person{a, b} {
		if err := f.store.Sign(f.ctx, applicant(p), app.ID, p.ID, "demo", "sig-"+p.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		actor bistand.Actor
		to    bistand.State
	}{{applicant(a), bistand.Submitted}, {robot, bistand.Collecting}, {robot, bistand.Assessed}} {
		if _, _, err := f.store.Transition(f.ctx, step.actor, app.ID, step.to, "", sqlstore.TransitionOptions{}); err != nil {
			t.Fatalf("→ %s: %v", step.to, err)
		}
	}
}

func TestScenario(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		a, b, _, app := f.household("national")
		f.toAssessed(a, b, app)
		d, ok, err := f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{})
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		// 2026 couple 7 100 + child 7–10 (age 7 on 1 March) 3 820 + shared(3)
		// 1 780 + 7 500 costs − (8 000 × 0.75 + 1 250) = 12 950.
		if d.Outcome != bistand.OutcomeApproved || d.Amount != bistand.Kronor(12950) {
			t.Errorf("decision %s %s", d.Outcome, d.Amount)
		}
		rep, err := f.db.Verify(f.ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}
