package robot_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// waiting is an application the household is asked to supplement.
type waiting struct {
	app       bistand.Application
	applicant bistand.Person
}

// requestSupplement creates a one-adult household whose application for
// March 2026 the robot asked to supplement by due, for reason.
func requestSupplement(t *testing.T, ctx context.Context, st *sqlstore.Store, rng *rand.Rand, due bistand.Date, reason string) waiting {
	t.Helper()
	sys := bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}
	p, err := st.CreatePerson(ctx, sys, personnummer.Generate(rng, bistand.MustDate(1985, 4, 2), false, rng.IntN(2) == 0), false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.OpenCase(ctx, sys, "national", []bistand.CaseMember{{PersonID: p.ID, Role: "applicant"}})
	if err != nil {
		t.Fatal(err)
	}
	me := bistand.Actor{Kind: bistand.ActorApplicant, ID: p.ID}
	app, err := st.CreateApplication(ctx, me, c.ID, bistand.MustMonth(2026, 3))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Sign(ctx, me, app.ID, p.ID, "demo", "sig-"+p.ID); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		actor  bistand.Actor
		to     bistand.State
		reason string
	}{{me, bistand.Submitted, ""}, {robot.Actor, bistand.Collecting, ""}, {robot.Actor, bistand.SupplementRequested, reason}} {
		if app, _, err = st.Transition(ctx, step.actor, app.ID, step.to, step.reason, sqlstore.TransitionOptions{SupplementDue: due}); err != nil {
			t.Fatalf("→ %s: %v", step.to, err)
		}
	}
	return waiting{app: app, applicant: p}
}

func TestSweep(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		db := sqltest.Open(t, engine)
		clock := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		st := sqlstore.NewStore(db, sqlstore.Options{Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
		r := &robot.Robot{Store: st}
		rng := rand.New(rand.NewPCG(3, 4))
		day := func(d int) bistand.Date { return bistand.MustDate(2026, 3, d) }

		a := requestSupplement(t, ctx, st, rng, day(20), "Kopia av hyreskontraktet för mars.")
		b := requestSupplement(t, ctx, st, rng, day(14), "Lönespecifikation för februari")
		c := requestSupplement(t, ctx, st, rng, bistand.MustDate(2026, 4, 30), "Kontoutdrag")
		d := requestSupplement(t, ctx, st, rng, day(16), "Intyg från Försäkringskassan")

		sweep := func(today bistand.Date, days int, want robot.SweepResult) {
			t.Helper()
			got, err := r.Sweep(ctx, today, days)
			if err != nil || got != want {
				t.Fatalf("sweep %s (%d days): %+v %v, want %+v", today, days, got, err, want)
			}
		}
		notifications := func(w waiting) []bistand.Notification {
			t.Helper()
			ns, err := st.Notifications(ctx, w.app.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ns
		}
		state := func(w waiting) bistand.State {
			t.Helper()
			app, err := st.Application(ctx, robot.Actor, w.app.ID)
			if err != nil {
				t.Fatal(err)
			}
			return app.State
		}

		// Without reminder days nobody is reminded; a request past its
		// due date expires all the same.
		sweep(day(15), 0, robot.SweepResult{Expired: 1})
		if state(b) != bistand.Expired {
			t.Fatalf("b is %s", state(b))
		}
		trs, _ := st.Transitions(ctx, b.app.ID)
		last := trs[len(trs)-1]
		if last.From != bistand.SupplementRequested || last.To != bistand.Expired || last.Actor.Kind != bistand.ActorSystem || !strings.Contains(last.Reason, "14 mars 2026") {
			t.Errorf("expiry recorded as %+v", last)
		}
		found, err := st.Findings(ctx, b.app.ID, bistand.FindingOpen)
		if err != nil || len(found) != 1 || found[0].Kind != bistand.FindingKind("supplement_expired") ||
			!strings.Contains(found[0].Text, "Lönespecifikation för februari") || !strings.Contains(found[0].Text, "14 mars 2026") {
			t.Fatalf("findings %+v %v", found, err)
		}
		var data map[string]string
		if err := json.Unmarshal(found[0].Data, &data); err != nil || data["due"] != "2026-03-14" || data["requested"] != "Lönespecifikation för februari" {
			t.Errorf("finding data %s", found[0].Data)
		}
		if len(notifications(b)) != 0 {
			t.Error("an expired request was reminded")
		}

		// Five days before the due date and on any day after, once.
		sweep(day(15), 5, robot.SweepResult{Reminded: 2}) // a (due 20th) and d (due 16th)
		sweep(day(15), 5, robot.SweepResult{})
		sweep(day(16), 5, robot.SweepResult{}) // d is due today: neither reminded again nor expired
		ns := notifications(a)
		if len(ns) != 1 {
			t.Fatalf("a has %d notifications", len(ns))
		}
		n := ns[0]
		if n.Kind != "supplement_reminder" || n.PersonID != a.applicant.ID || n.CaseID != a.app.CaseID || n.Ref != "2026-03-20" || !n.SentAt.IsZero() ||
			!strings.Contains(n.Subject, "20 mars 2026") || !strings.Contains(n.Body, "20 mars 2026") ||
			!strings.Contains(n.Body, "Kopia av hyreskontraktet för mars.") || !strings.Contains(n.Body, "mars 2026") {
			t.Errorf("reminder %+v", n)
		}
		if len(notifications(c)) != 0 || state(c) != bistand.SupplementRequested {
			t.Error("a request due in April was touched")
		}
		unsent, _ := st.Unsent(ctx, 10)
		if len(unsent) != 2 {
			t.Errorf("%d in the outbox", len(unsent))
		}

		sweep(day(17), 5, robot.SweepResult{Expired: 1}) // d
		if state(d) != bistand.Expired || state(a) != bistand.SupplementRequested {
			t.Errorf("d %s, a %s", state(d), state(a))
		}
		sweep(day(17), 5, robot.SweepResult{})
		if fs, _ := st.Findings(ctx, d.app.ID, ""); len(fs) != 1 {
			t.Errorf("d has %d findings", len(fs))
		}

		// The household answers, and a new request with a new due date is
		// reminded again, with what the new request asks for (never a
		// personnummer, even when the request names one).
		me := bistand.Actor{Kind: bistand.ActorApplicant, ID: a.applicant.ID}
		pnr := a.applicant.Personnummer
		for _, step := range []struct {
			actor  bistand.Actor
			to     bistand.State
			reason string
		}{{me, bistand.Supplemented, ""}, {robot.Actor, bistand.Collecting, ""}, {robot.Actor, bistand.SupplementRequested, "Intyg för " + pnr[2:8] + "-" + pnr[8:] + " från arbetsgivaren"}} {
			if _, _, err := st.Transition(ctx, step.actor, a.app.ID, step.to, step.reason, sqlstore.TransitionOptions{SupplementDue: day(28)}); err != nil {
				t.Fatal(err)
			}
		}
		sweep(day(22), 5, robot.SweepResult{})
		sweep(day(23), 5, robot.SweepResult{Reminded: 1})
		sweep(day(27), 5, robot.SweepResult{})
		ns = notifications(a)
		if len(ns) != 2 || ns[1].Ref != "2026-03-28" || !strings.Contains(ns[1].Body, "från arbetsgivaren") || !strings.Contains(ns[1].Body, "28 mars 2026") ||
			strings.Contains(ns[1].Body, pnr[8:]) || sqlstore.LooksLikePersonnummer(ns[1].Body) {
			t.Errorf("second reminder %+v", ns[len(ns)-1])
		}
		sweep(day(29), 5, robot.SweepResult{Expired: 1})
		sweep(day(29), 5, robot.SweepResult{})
		if state(a) != bistand.Expired || state(c) != bistand.SupplementRequested {
			t.Errorf("a %s, c %s", state(a), state(c))
		}

		rep, err := db.Verify(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}
