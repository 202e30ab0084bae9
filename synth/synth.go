// Package synth makes synthetic households for tests, benchmarks and the
// demo: invented people with generated personnummer, never real data.
package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/collect"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
)

var system = bistand.Actor{Kind: bistand.ActorSystem, ID: "synth"}

func applicant(p bistand.Person) bistand.Actor {
	return bistand.Actor{Kind: bistand.ActorApplicant, ID: p.ID}
}

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
		facts = append(facts, declared(collect.IncomeKey("salary", earner.ID), bistand.FactIncome, map[string]any{"type": "salary", "person": earner.ID, "amount": kr(1000, 14000)}))
	}
	if children > 0 {
		facts = append(facts, declared(collect.IncomeKey("child_allowance", people[0].ID), bistand.FactIncome, map[string]any{"type": "child_allowance", "person": people[0].ID, "amount": bistand.Kronor(int64(1250 * children))}))
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

// SubmitFromPopulation applies for month with household i of a synthetic
// population, declaring what the household declares
// (population.Declarations) with its register benefits mapped to income
// types by table. People are created once: a person already known is reused.
func SubmitFromPopulation(ctx context.Context, st *sqlstore.Store, pop *population.Population, table *collect.Table, i int, municipality string, month bistand.Month) (bistand.Application, error) {
	var app bistand.Application
	h := pop.Household(i)
	var people []bistand.Person
	var members []bistand.CaseMember
	var facts []sqlstore.FactInput
	for _, m := range h.Members {
		p, err := st.PersonByNumber(ctx, m.Number)
		if errors.Is(err, bistand.ErrNotFound) {
			p, err = st.CreatePerson(ctx, system, m.Number, false)
		}
		if err != nil {
			return app, err
		}
		people = append(people, p)
		members = append(members, bistand.CaseMember{PersonID: p.ID, Role: m.Role})
		v := map[string]any{"person_id": p.ID, "role": m.Role}
		if m.LunchElsewhere {
			v["lunch_elsewhere"] = true
		}
		if m.Role == "child" && month.FirstDay().Year()-m.BirthDate.Year() >= 19 {
			v["in_school"] = true
		}
		facts = append(facts, declared("member:"+p.ID, bistand.FactMember, v))
	}
	c, err := st.OpenCase(ctx, system, municipality, members)
	if err != nil {
		return app, err
	}
	app, err = st.CreateApplication(ctx, applicant(people[0]), c.ID, month)
	if err != nil {
		return app, err
	}
	facts = append(facts,
		declared("cost:rent", bistand.FactCost, map[string]any{"type": "rent", "amount": h.Rent}),
		declared("cost:electricity", bistand.FactCost, map[string]any{"type": "electricity", "amount": h.Electricity}),
	)
	if h.DwellingSize != len(h.Members) {
		facts = append(facts, declared("dwelling_size", bistand.FactDwellingSize, map[string]any{"value": h.DwellingSize}))
	}
	sums := map[string]bistand.Money{}
	var keys []string
	for _, d := range pop.Declarations(h, month) {
		typ := "salary"
		if d.Benefit != "salary" {
			m, ok := table.Lookup(benefitSource(d.Benefit), d.Benefit)
			if !ok {
				continue // a benefit bistand cannot map is not declared as income
			}
			typ = m.IncomeType
		}
		k := collect.IncomeKey(typ, people[d.Member].ID)
		if _, ok := sums[k]; !ok {
			keys = append(keys, k)
		}
		sums[k] += d.Net
	}
	for _, k := range keys {
		parts := strings.SplitN(k, ":", 3)
		facts = append(facts, declared(k, bistand.FactIncome, map[string]any{"type": parts[1], "person": parts[2], "amount": sums[k]}))
	}
	if _, err := st.AddFacts(ctx, applicant(people[0]), app.ID, facts); err != nil {
		return app, fmt.Errorf("facts: %w", err)
	}
	for j, m := range h.Members {
		if m.Role == "child" {
			continue
		}
		p := people[j]
		if err := st.Sign(ctx, applicant(p), app.ID, p.ID, "demo", "demo-"+p.ID); err != nil {
			return app, err
		}
	}
	app, _, err = st.Transition(ctx, applicant(people[0]), app.ID, bistand.Submitted, "",
		sqlstore.TransitionOptions{Enqueue: []sqlstore.Job{robot.Job(robot.StepCollect, app.ID)}})
	return app, err
}

// benefitSource is the register that pays a population benefit.
func benefitSource(benefit string) string {
	switch benefit {
	case population.BenefitPension:
		return string(population.PM)
	case population.BenefitUnemployment:
		return string(population.SO)
	case population.BenefitStudyAid:
		return string(population.CSN)
	}
	return string(population.FK)
}
