package robot_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io/fs"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	"github.com/bistand/bistand/synth"
)

// fullTime is a collector that confirms every adult is registered at
// Arbetsförmedlingen full time, and nothing else.
type fullTime struct{ st *sqlstore.Store }

func (c fullTime) Collect(ctx context.Context, app bistand.Application, _ time.Time) (robot.Collection, error) {
	var out robot.Collection
	facts, err := c.st.Facts(ctx, app.ID)
	if err != nil {
		return out, err
	}
	for _, f := range sqlstore.Effective(facts) {
		if f.Kind != bistand.FactMember {
			continue
		}
		var m struct {
			PersonID string `json:"person_id"`
			Role     string `json:"role"`
		}
		json.Unmarshal(f.Value, &m)
		if m.Role == "child" {
			continue
		}
		v, _ := json.Marshal(map[string]any{"registered": true, "extent": 100, "programme": false})
		out.Facts = append(out.Facts, sqlstore.FactInput{Key: "af:" + m.PersonID, Kind: bistand.FactAFStatus, Value: v,
			Provenance: bistand.Register, Source: "AF", Reference: "test", ObservedAt: time.Now()})
	}
	return out, nil
}

// engineWith returns a rule engine whose demo automation policy from
// 2022-10-01 is changed by edit (the JSON text replaced).
func engineWith(t *testing.T, old, new string) *rules.Engine {
	t.Helper()
	m := fstest.MapFS{}
	sub := rules.EmbeddedFS()
	fs.WalkDir(sub, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(sub, p)
		if p == "municipalities/demo.json" {
			if !strings.Contains(string(b), old) {
				t.Fatalf("demo.json has no %q", old)
			}
			b = []byte(strings.Replace(string(b), old, new, 1))
		}
		m[p] = &fstest.MapFile{Data: b}
		return nil
	})
	d, err := rules.Load(m)
	if err != nil {
		t.Fatal(err)
	}
	e, err := rules.NewEngine(d)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// run takes one application through the robot's steps directly (no queue).
func run(t *testing.T, ctx context.Context, r *robot.Robot, appID string) bistand.Application {
	t.Helper()
	h := r.Handlers()
	args, _ := json.Marshal(robot.Args{ApplicationID: appID})
	for _, step := range []string{robot.StepCollect, robot.StepAssess, robot.StepDecide} {
		if err := h[step](ctx, args); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	a, err := r.Store.Application(ctx, robot.Actor, appID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// discard accepts jobs and drops them: the test runs the steps itself.
type discard struct{}

func (discard) InsertTx(context.Context, *sql.Tx, []sqlstore.Job) error { return nil }

func TestPolicySwitches(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		tests := []struct {
			name         string
			municipality string
			rules        *rules.Engine
			want         bistand.State
			finding      bistand.FindingKind
			paused       bool
		}{
			{"approvals only: the robot grants", "demo", engineWith(t, `"sample_per_mille": 30`, `"sample_per_mille": 0`), bistand.Decided, "", false},
			{"propose only: a person decides", "national", nil, bistand.Assessed, bistand.FindingProposal, false},
			{"amount above the limit", "demo", engineWith(t, `"max_auto_amount": 25000`, `"max_auto_amount": 100`), bistand.Assessed, bistand.FindingAmountAboveLimit, false},
			{"every application sampled", "demo", engineWith(t, `"sample_per_mille": 30`, `"sample_per_mille": 1000`), bistand.RandomCheck, bistand.FindingRandomCheck, false},
			{"rejections always to a person", "demo", engineWith(t, `"sample_per_mille": 30`, `"sample_per_mille": 0`), bistand.Assessed, bistand.FindingNotApproved, false},
			{"paused by a supervisor: a person decides", "demo", engineWith(t, `"sample_per_mille": 30`, `"sample_per_mille": 0`), bistand.Assessed, bistand.FindingAutomationPaused, true},
		}
		for _, tt := range tests {
			t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
				db := sqltest.Open(t, engine)
				st := sqlstore.NewStore(db, sqlstore.Options{Jobs: discard{}})
				r := &robot.Robot{Store: st, Collector: fullTime{st}, Rules: tt.rules}
				if tt.paused {
					supervisor := bistand.Actor{Kind: bistand.ActorCaseworker, ID: "supervisor-1"}
					if err := st.SetSetting(ctx, supervisor, sqlstore.SettingAutomationPaused, "true", "Test: paus"); err != nil {
						t.Fatal(err)
					}
				}
				// A household whose calculation approves (or, for the
				// rejection case, rejects); last month had the same facts.
				wantApproved := tt.finding != bistand.FindingNotApproved
				rng := rand.New(rand.NewPCG(11, 2))
				var app bistand.Application
				for {
					a, err := synth.SubmitHousehold(ctx, st, rng, tt.municipality, bistand.MustMonth(2026, 11), synth.Options{History: true})
					if err != nil {
						t.Fatal(err)
					}
					h, _, err := st.Household(ctx, a.ID)
					if err != nil {
						t.Fatal(err)
					}
					res, _ := rules.Default().Calculate(h, rules.Options{})
					if (res.Outcome == rules.Approved) == wantApproved && !hasOther(h) {
						app = a
						break
					}
				}
				a := run(t, ctx, r, app.ID)
				if a.State != tt.want {
					found, _ := st.Findings(ctx, app.ID, bistand.FindingOpen)
					t.Fatalf("state %s, want %s; findings %v", a.State, tt.want, found)
				}
				found, _ := st.Findings(ctx, app.ID, bistand.FindingOpen)
				if tt.finding == "" && len(found) > 0 {
					t.Errorf("findings %v", found)
				}
				if tt.finding != "" && !slicesContainsKind(found, tt.finding) {
					t.Errorf("no %s finding in %v", tt.finding, found)
				}
				ds, _ := st.Decisions(ctx, app.ID)
				if (tt.want == bistand.Decided) != (len(ds) == 1) {
					t.Errorf("%d decisions in state %s", len(ds), a.State)
				}
				if len(ds) == 1 && ds[0].DecidedBy != robot.Actor {
					t.Errorf("decided by %v", ds[0].DecidedBy)
				}
				// The draw is recorded (and so audited) when there was one.
				facts, _ := st.Facts(ctx, app.ID)
				drawn := false
				for _, f := range facts {
					drawn = drawn || f.Kind == bistand.FactRandomCheck
				}
				if drawn != (tt.want == bistand.RandomCheck) {
					t.Errorf("draw recorded: %v", drawn)
				}
				// Running the decision step again changes nothing.
				before, _ := st.Transitions(ctx, app.ID)
				args, _ := json.Marshal(robot.Args{ApplicationID: app.ID})
				if err := r.Handlers()[robot.StepDecide](ctx, args); err != nil {
					t.Fatal(err)
				}
				after, _ := st.Transitions(ctx, app.ID)
				if len(after) != len(before) {
					t.Error("a second run of the decision step changed the application")
				}
				if rep, err := db.Verify(ctx); err != nil || !rep.OK() {
					t.Fatalf("verify: %v %+v", err, rep)
				}
			})
		}
	})
}

func hasOther(h *rules.Household) bool {
	for _, c := range h.Costs {
		if c.Type != rules.Rent && c.Type != rules.Electricity {
			return true
		}
	}
	return false
}

func slicesContainsKind(fs []bistand.Finding, k bistand.FindingKind) bool {
	for _, f := range fs {
		if f.Kind == k {
			return true
		}
	}
	return false
}

// TestSupplementRequest: facts that do not describe a household that can be
// calculated make the robot ask for a komplettering, due in the policy's
// days, and tell the applicant once.
func TestSupplementRequest(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		db := sqltest.Open(t, engine)
		st := sqlstore.NewStore(db, sqlstore.Options{Jobs: discard{}})
		today := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
		r := &robot.Robot{Store: st, Collector: fullTime{st}, Now: func() time.Time { return today }}
		rng := rand.New(rand.NewPCG(5, 5))
		app, err := synth.SubmitHousehold(ctx, st, rng, "demo", bistand.MustMonth(2026, 11), synth.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// A young person of 19 not in school does not belong in the
		// household's calculation: the household must say how it is.
		c, _ := st.Case(ctx, robot.Actor, mustApp(t, st, app.ID).CaseID)
		p, err := st.CreatePerson(ctx, robot.Actor, personnummerFor(rng, bistand.MustDate(2007, 5, 5)), false)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AddCaseMember(ctx, bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}, c.ID, bistand.CaseMember{PersonID: p.ID, Role: "child"}); err != nil {
			t.Fatal(err)
		}
		v, _ := json.Marshal(map[string]any{"person_id": p.ID, "role": "child"})
		if _, err := st.AddFacts(ctx, bistand.Actor{Kind: bistand.ActorCaseworker, ID: "hl"}, app.ID, []sqlstore.FactInput{
			{Key: "member:" + p.ID, Kind: bistand.FactMember, Value: v, Provenance: bistand.Caseworker, Reason: "Uppgift från folkbokföringen."}}); err != nil {
			t.Fatal(err)
		}
		a := run(t, ctx, r, app.ID)
		if a.State != bistand.SupplementRequested || a.SupplementDue != bistand.MustDate(2026, 11, 17) {
			t.Fatalf("state %s due %s, want supplement_requested due 2026-11-17 (14 days)", a.State, a.SupplementDue)
		}
		ns, err := st.Notifications(ctx, app.ID)
		if err != nil || len(ns) != 1 || ns[0].Kind != "supplement_request" || !strings.Contains(ns[0].Body, "2026-11-17") {
			t.Fatalf("notifications %+v %v", ns, err)
		}
		// Running the step again neither asks again nor tells twice.
		run(t, ctx, r, app.ID)
		if ns, _ := st.Notifications(ctx, app.ID); len(ns) != 1 {
			t.Errorf("%d notifications after a second run", len(ns))
		}
		if rep, err := db.Verify(ctx); err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

func mustApp(t *testing.T, st *sqlstore.Store, id string) bistand.Application {
	t.Helper()
	a, err := st.Application(context.Background(), robot.Actor, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func personnummerFor(r *rand.Rand, birth bistand.Date) personnummer.Number {
	return personnummer.Generate(r, birth, false, r.IntN(2) == 0)
}
