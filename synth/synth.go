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

var (
	system     = bistand.Actor{Kind: bistand.ActorSystem, ID: "synth"}
	caseworker = bistand.Actor{Kind: bistand.ActorCaseworker, ID: "synth-handlaggare"}
)

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

// Options shape what is created.
type Options struct {
	// History: the household also applied the month before, and a
	// caseworker decided that application (as at a first meeting), so this
	// month's application is a recurring one the robot may decide.
	History bool
	// Months is how many months before this one the household applied,
	// each decided by a caseworker (with History; 0 means 1). The demo
	// shows a few months of history.
	Months int
}

// household is what an application declares, before the records exist.
type household struct {
	people  []bistand.Person
	members []bistand.CaseMember
	facts   func(month bistand.Month) []sqlstore.FactInput
	// contacts are the members' names and address as the population
	// register gives them, recorded on last month's application (History)
	// as its collection would have: what decision letters are addressed with.
	contacts []sqlstore.ContactValue
}

// Prepared is a household whose case exists (with last month decided, if
// History) and whose application for the month is not yet sent.
type Prepared struct {
	h      household
	caseID string
	month  bistand.Month
}

// Submit sends the prepared household's application for the month.
func (p *Prepared) Submit(ctx context.Context, st *sqlstore.Store) (bistand.Application, error) {
	return submit(ctx, st, p.h, p.caseID, p.month, true)
}

// apply opens the case and applies for month (and, with History, for the
// month before, decided by a caseworker), submitting this month's
// application with the robot's first step enqueued in the same transaction.
func apply(ctx context.Context, st *sqlstore.Store, h household, municipality string, month bistand.Month, opt Options) (bistand.Application, error) {
	p, err := prepare(ctx, st, h, municipality, month, opt)
	if err != nil {
		return bistand.Application{}, err
	}
	return p.Submit(ctx, st)
}

func prepare(ctx context.Context, st *sqlstore.Store, h household, municipality string, month bistand.Month, opt Options) (*Prepared, error) {
	c, err := st.OpenCase(ctx, system, municipality, h.members)
	if err != nil {
		return nil, err
	}
	p := &Prepared{h: h, caseID: c.ID, month: month}
	if opt.History {
		months := max(opt.Months, 1)
		for k := months; k >= 1; k-- {
			reason, motivation := "Fortsatt ansökan, bedömd av handläggare.", "Uppgifterna stämmer med förra månaden och registren."
			if k == months {
				reason, motivation = "Första ansökan, bedömd vid nybesök.", "Första ansökan; uppgifterna styrkta vid nybesök."
			}
			if err := decidedMonth(ctx, st, h, c.ID, month.Add(-k), reason, motivation); err != nil {
				return nil, fmt.Errorf("history: %w", err)
			}
		}
	}
	return p, nil
}

// decidedMonth applies for a past month and has a caseworker assess and
// decide it, with the household's names and address recorded as its
// collection would have.
func decidedMonth(ctx context.Context, st *sqlstore.Store, h household, caseID string, month bistand.Month, reason, motivation string) error {
	prev, err := submit(ctx, st, h, caseID, month, false)
	if err != nil {
		return err
	}
	for _, to := range []bistand.State{bistand.Collecting, bistand.Assessed} {
		if _, _, err := st.Transition(ctx, caseworker, prev.ID, to, reason, sqlstore.TransitionOptions{}); err != nil {
			return err
		}
		if to == bistand.Collecting && len(h.contacts) > 0 {
			if _, err := st.AddFacts(ctx, system, prev.ID, contactFacts(h.contacts, caseID)); err != nil {
				return err
			}
		}
	}
	_, _, err = st.Decide(ctx, caseworker, prev.ID, sqlstore.DecideInput{Motivation: motivation})
	return err
}

// submit applies for the month in one request (Store.Apply): facts, every
// adult's signature and the submission, with the robot's collect step when
// collect is set.
func submit(ctx context.Context, st *sqlstore.Store, h household, caseID string, month bistand.Month, collect bool) (bistand.Application, error) {
	var signed []sqlstore.Signed
	for i, m := range h.members {
		if m.Role != "child" {
			signed = append(signed, sqlstore.Signed{PersonID: h.people[i].ID, Method: "demo", Reference: "demo-" + h.people[i].ID + "-" + month.String()})
		}
	}
	var jobs func(bistand.Application) []sqlstore.Job
	if collect {
		jobs = func(a bistand.Application) []sqlstore.Job { return []sqlstore.Job{robot.Job(robot.StepCollect, a.ID)} }
	}
	return st.Apply(ctx, applicant(h.people[0]), caseID, month, h.facts(month), signed, jobs)
}

// SubmitHousehold creates a synthetic household (one or two adults, up to
// three children), its case and a signed application for month with declared
// facts, and submits it, enqueuing the robot's first step in the same
// transaction. The household always describes a valid household-month.
func SubmitHousehold(ctx context.Context, st *sqlstore.Store, rng *rand.Rand, municipality string, month bistand.Month, opt Options) (bistand.Application, error) {
	first := month.FirstDay()
	birth := func(minAge, maxAge int) bistand.Date {
		age := minAge + rng.IntN(maxAge-minAge+1)
		return first.AddMonths(-12*age - 1 - rng.IntN(11)).AddDays(-rng.IntN(28))
	}
	var h household
	adults := 1 + rng.IntN(2)
	children := rng.IntN(4)
	var memberFacts []sqlstore.FactInput
	for i := range adults + children {
		role, b := "applicant", birth(20, 64)
		switch {
		case i == 1 && adults == 2:
			role = "partner"
		case i >= adults:
			role, b = "child", birth(0, 17)
		}
		p, err := st.CreatePerson(ctx, system, personnummer.Generate(rng, b, rng.IntN(20) == 0, rng.IntN(2) == 0), false)
		if err != nil {
			return bistand.Application{}, err
		}
		h.people = append(h.people, p)
		h.members = append(h.members, bistand.CaseMember{PersonID: p.ID, Role: role})
		memberFacts = append(memberFacts, declared("member:"+p.ID, bistand.FactMember, map[string]any{
			"person_id": p.ID, "role": role, "lunch_elsewhere": role == "child" && rng.IntN(2) == 0 && first.Year()-b.Year() <= 6,
		}))
	}
	kr := func(lo, hi int) bistand.Money { return bistand.Kronor(int64(lo + rng.IntN(hi-lo+1))) }
	rest := []sqlstore.FactInput{
		declared("cost:rent", bistand.FactCost, map[string]any{"type": "rent", "amount": kr(3500, 9500)}),
		declared("cost:electricity", bistand.FactCost, map[string]any{"type": "electricity", "amount": kr(150, 700)}),
	}
	if rng.IntN(3) == 0 {
		earner := h.people[rng.IntN(adults)]
		rest = append(rest, declared(collect.IncomeKey("salary", earner.ID), bistand.FactIncome, map[string]any{"type": "salary", "person": earner.ID, "amount": kr(1000, 14000)}))
	}
	if children > 0 {
		rest = append(rest, declared(collect.IncomeKey("child_allowance", h.people[0].ID), bistand.FactIncome, map[string]any{"type": "child_allowance", "person": h.people[0].ID, "amount": bistand.Kronor(int64(1250 * children))}))
	}
	months := rng.IntN(30)
	// Where to pay: the applicant's synthetic account, or for one couple in
	// four half each to both adults' accounts.
	seed := rng.Uint64()
	var names []string
	for i := range adults {
		names = append(names, syntheticName(seed+uint64(i)))
	}
	rest = append(rest, payoutFacts(h.people[:adults], names, seed, seed%4 == 0, nil)...)
	h.facts = func(mo bistand.Month) []sqlstore.FactInput {
		fs := append(append([]sqlstore.FactInput(nil), memberFacts...), rest...)
		n := months
		if mo < month {
			n = max(n-1, 0)
		}
		return append(fs, declared("months_on_assistance", bistand.FactMonthsOnAssistance, map[string]any{"value": n}))
	}
	for i, m := range h.members {
		h.contacts = append(h.contacts, sqlstore.ContactValue{PersonID: h.people[i].ID, Name: testName(m.Role, i),
			Address: []string{"Exempelgatan 1", "999 99 Demoköping"}})
	}
	return apply(ctx, st, h, municipality, month, opt)
}

// SubmitFromPopulation applies for month with household i of a synthetic
// population, declaring what the household declares
// (population.Declarations) with its register benefits mapped to income
// types by table. People are created once: a person already known is reused.
func SubmitFromPopulation(ctx context.Context, st *sqlstore.Store, pop *population.Population, table *collect.Table, i int, municipality string, month bistand.Month, opt Options) (bistand.Application, error) {
	p, err := PrepareFromPopulation(ctx, st, pop, table, i, municipality, month, opt)
	if err != nil {
		return bistand.Application{}, err
	}
	return p.Submit(ctx, st)
}

// PrepareFromPopulation does what SubmitFromPopulation does except sending
// this month's application: the people, the case and (with History) last
// month's decided application.
func PrepareFromPopulation(ctx context.Context, st *sqlstore.Store, pop *population.Population, table *collect.Table, i int, municipality string, month bistand.Month, opt Options) (*Prepared, error) {
	ph := pop.Household(i)
	var h household
	var memberFacts []sqlstore.FactInput
	for _, m := range ph.Members {
		p, err := st.PersonByNumber(ctx, m.Number)
		if errors.Is(err, bistand.ErrNotFound) {
			// A household that applied last month was looked up in the
			// population register then: the system already knows who is
			// protected (and last month's letter must not wait for this
			// month's collection to learn it).
			p, err = st.CreatePerson(ctx, system, m.Number, opt.History && m.Protected)
		}
		if err != nil {
			return nil, err
		}
		h.people = append(h.people, p)
		h.members = append(h.members, bistand.CaseMember{PersonID: p.ID, Role: m.Role})
		v := map[string]any{"person_id": p.ID, "role": m.Role}
		if m.LunchElsewhere {
			v["lunch_elsewhere"] = true
		}
		if m.Role == "child" && month.FirstDay().Year()-m.BirthDate.Year() >= 19 {
			v["in_school"] = true
		}
		memberFacts = append(memberFacts, declared("member:"+p.ID, bistand.FactMember, v))
	}
	// Where to pay: the applicant's synthetic account; for some couples
	// both adults', in halves or 600/400.
	var adults []bistand.Person
	var names []string
	for j, m := range ph.Members {
		if m.Role != "child" {
			adults = append(adults, h.people[j])
			names = append(names, m.GivenName+" "+m.FamilyName)
		}
	}
	var shares []int
	if ph.Index%12 == 6 {
		shares = []int{600, 400}
	}
	payout := payoutFacts(adults, names, uint64(ph.Index), ph.Index%4 == 0 || ph.Index%12 == 6, shares)
	h.facts = func(mo bistand.Month) []sqlstore.FactInput {
		facts := append([]sqlstore.FactInput(nil), memberFacts...)
		facts = append(facts, payout...)
		facts = append(facts,
			declared("cost:rent", bistand.FactCost, map[string]any{"type": "rent", "amount": ph.Rent}),
			declared("cost:electricity", bistand.FactCost, map[string]any{"type": "electricity", "amount": ph.Electricity}),
			declared("months_on_assistance", bistand.FactMonthsOnAssistance, map[string]any{"value": 2 + mo.Since(month.Add(-1)) + ph.Index%10}),
		)
		if ph.DwellingSize != len(ph.Members) {
			facts = append(facts, declared("dwelling_size", bistand.FactDwellingSize, map[string]any{"value": ph.DwellingSize}))
		}
		sums := map[string]bistand.Money{}
		var keys []string
		for _, d := range pop.Declarations(ph, mo) {
			typ := "salary"
			if d.Benefit != "salary" {
				m, ok := table.Lookup(benefitSource(d.Benefit), d.Benefit)
				if !ok {
					continue // a benefit bistand cannot map is not declared as income
				}
				typ = m.IncomeType
			}
			k := collect.IncomeKey(typ, h.people[d.Member].ID)
			if _, ok := sums[k]; !ok {
				keys = append(keys, k)
			}
			sums[k] += d.Net
		}
		for _, k := range keys {
			parts := strings.SplitN(k, ":", 3)
			facts = append(facts, declared(k, bistand.FactIncome, map[string]any{"type": parts[1], "person": parts[2], "amount": sums[k]}))
		}
		return facts
	}
	protected := false
	for _, m := range ph.Members {
		protected = protected || m.Protected
	}
	for j, m := range ph.Members {
		c := sqlstore.ContactValue{PersonID: h.people[j].ID, Name: m.GivenName + " " + m.FamilyName}
		if !protected { // a protected household's address is never stored
			c.Address = []string{ph.Address.Street, ph.Address.PostalCode + " " + ph.Address.City}
		}
		h.contacts = append(h.contacts, c)
	}
	return prepare(ctx, st, h, municipality, month, opt)
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

// contactFacts are the register facts of a household's names and address.
func contactFacts(cs []sqlstore.ContactValue, caseID string) []sqlstore.FactInput {
	var out []sqlstore.FactInput
	for _, c := range cs {
		b, err := json.Marshal(c)
		if err != nil {
			panic(err)
		}
		out = append(out, sqlstore.FactInput{Key: sqlstore.ContactKey(c.PersonID), Kind: bistand.FactContact, Value: b,
			Provenance: bistand.Register, Source: "NAVET", Reference: "uppslag för ärende " + caseID})
	}
	return out
}

// testName is a synthetic member's name: "Testperson 1", "Testbarn 3".
func testName(role string, i int) string {
	if role == "child" {
		return fmt.Sprintf("Testbarn %d", i+1)
	}
	return fmt.Sprintf("Testperson %d", i+1)
}

// CaseID is the prepared household's case.
func (p *Prepared) CaseID() string { return p.caseID }
