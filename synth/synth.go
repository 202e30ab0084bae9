// Package synth makes synthetic households for tests, benchmarks and the
// demo: invented people with generated personnummer, never real data.
package synth

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
)

var system = bistand.Actor{Kind: bistand.ActorSystem, ID: "synth"}

func applicant(p bistand.Person) bistand.Actor {
	return bistand.Actor{Kind: bistand.ActorApplicant, ID: p.ID}
}

// collectKey is the key convention for income facts (collect.IncomeKey):
// one key per person and income type, so that a register income replaces
// the declared one.
func collectKey(incomeType, person string) string { return "income:" + incomeType + ":" + person }

func declared(key string, kind bistand.FactKind, v any) sqlstore.FactInput {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return sqlstore.FactInput{Key: key, Kind: kind, Value: b, Provenance: bistand.Declared}
}

// SubmitHousehold creates a synthetic household (one or two adults, up to
// three children), its case and a signed application for month with declared
// facts, and submits it, enqueuing the robot's first step in the same
// transaction. The household always describes a valid household-month.
func SubmitHousehold(ctx context.Context, st *sqlstore.Store, rng *rand.Rand, municipality string, month bistand.Month) (bistand.Application, error) {
	first := month.FirstDay()
	birth := func(minAge, maxAge int) bistand.Date {
		age := minAge + rng.IntN(maxAge-minAge+1)
		return first.AddMonths(-12*age - 1 - rng.IntN(11)).AddDays(-rng.IntN(28))
	}
	newPerson := func(b bistand.Date) (bistand.Person, error) {
		return st.CreatePerson(ctx, system, personnummer.Generate(rng, b, rng.IntN(20) == 0, rng.IntN(2) == 0), false)
	}
	var app bistand.Application
	adults := 1 + rng.IntN(2)
	children := rng.IntN(4)
	var people []bistand.Person
	var members []bistand.CaseMember
	var facts []sqlstore.FactInput
	for i := range adults + children {
		role, b := "applicant", birth(20, 64)
		switch {
		case i == 1 && adults == 2:
			role = "partner"
		case i >= adults:
			role, b = "child", birth(0, 17)
		}
		p, err := newPerson(b)
		if err != nil {
			return app, err
		}
		people = append(people, p)
		members = append(members, bistand.CaseMember{PersonID: p.ID, Role: role})
		facts = append(facts, declared("member:"+p.ID, bistand.FactMember, map[string]any{
			"person_id": p.ID, "role": role, "lunch_elsewhere": role == "child" && rng.IntN(2) == 0 && first.Year()-b.Year() <= 6,
		}))
	}
	c, err := st.OpenCase(ctx, system, municipality, members)
	if err != nil {
		return app, err
	}
	app, err = st.CreateApplication(ctx, applicant(people[0]), c.ID, month)
	if err != nil {
		return app, err
	}
	kr := func(lo, hi int) bistand.Money { return bistand.Kronor(int64(lo + rng.IntN(hi-lo+1))) }
	facts = append(facts,
		declared("cost:rent", bistand.FactCost, map[string]any{"type": "rent", "amount": kr(3500, 9500)}),
		declared("cost:electricity", bistand.FactCost, map[string]any{"type": "electricity", "amount": kr(150, 700)}),
		declared("months_on_assistance", bistand.FactMonthsOnAssistance, map[string]any{"value": rng.IntN(30)}),
	)
	if rng.IntN(3) == 0 {
		earner := people[rng.IntN(adults)]
		facts = append(facts, declared(collectKey("salary", earner.ID), bistand.FactIncome, map[string]any{"type": "salary", "person": earner.ID, "amount": kr(1000, 14000)}))
	}
	if children > 0 {
		facts = append(facts, declared(collectKey("child_allowance", people[0].ID), bistand.FactIncome, map[string]any{"type": "child_allowance", "person": people[0].ID, "amount": bistand.Kronor(int64(1250 * children))}))
	}
	if _, err := st.AddFacts(ctx, applicant(people[0]), app.ID, facts); err != nil {
		return app, fmt.Errorf("facts: %w", err)
	}
	for i := range adults {
		p := people[i]
		if err := st.Sign(ctx, applicant(p), app.ID, p.ID, "demo", fmt.Sprintf("demo-%s", p.ID)); err != nil {
			return app, err
		}
	}
	app, _, err = st.Transition(ctx, applicant(people[0]), app.ID, bistand.Submitted, "",
		sqlstore.TransitionOptions{Enqueue: []sqlstore.Job{robot.Job(robot.StepCollect, app.ID)}})
	return app, err
}
