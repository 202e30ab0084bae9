package robot

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

// Check is one of the robot's checks before it may decide: a named rule
// with the Swedish reason a caseworker sees and where it comes from.
type Check struct {
	Kind   bistand.FindingKind
	Reason string // Swedish
	Source string
}

// Checks lists every check the robot makes, in the order it makes them.
// Findings raised while collecting (docs/registers.md) also stop it.
var Checks = []Check{
	{bistand.FindingFirstApplication, "Första ansökan, eller första efter ett uppehåll, bedöms alltid av en person.", "Kommunens automatiseringsbeslut: roboten beviljar bara fortsatt försörjningsstöd"},
	{bistand.FindingProtectedIdentity, "Någon i hushållet har skyddade personuppgifter; ärendet handläggs av en person.", "Folkbokföringen (Navet); offentlighets- och sekretesslagen"},
	{bistand.FindingNotApproved, "Beräkningen ger avslag eller lägre belopp än sökt; sådana beslut fattas alltid av en person.", "Kommunens automatiseringsbeslut: roboten säger aldrig nej"},
	{bistand.FindingProposal, "Nämnden har inte delegerat beslutet till roboten; roboten föreslår, en person beslutar.", "kommunallagen (2017:725) 6 kap. 37 §; kommunens delegationsordning"},
	{bistand.FindingAmountAboveLimit, "Beloppet är högre än roboten får bevilja själv.", "Kommunens automatiseringsbeslut"},
	{bistand.FindingAmountChange, "Beloppet har ändrats mer än gränsen sedan förra månaden.", "Kommunens automatiseringsbeslut"},
	{bistand.FindingCostOutsideStandard, "En kostnad utanför standardlistan kräver en individuell bedömning.", "4 kap. 1 § socialtjänstlagen (2001:453), livsföring i övrigt; kommunens riktlinjer"},
	{bistand.FindingAFNotRegistered, "Ingen inskrivning hos Arbetsförmedlingen kunde bekräftas för en vuxen i arbetsför ålder.", "Kommunens riktlinjer: den som kan arbeta ska vara arbetssökande"},
	{bistand.FindingAktivitetskrav, "Deltagande i heltidsaktivitet (aktivitetskravet) kunde inte bekräftas för en vuxen.", "socialtjänstlagen (2025:400), aktivitetskrav från 2026-07-01 (prop. 2025/26:207)"},
	{bistand.FindingAutomationPaused, "Automatiserade beslut är pausade av robotansvarig; en person beslutar.", "Robotansvarigs paus (bistand, inställningen automation_paused)"},
	{bistand.FindingRandomCheck, "Ansökan har lottats till stickprovskontroll.", "Kommunens automatiseringsbeslut: stickprov"},
	{bistand.FindingMemberAdded, "En person har tillkommit i hushållet sedan förra månaden.", "Jämförelse med förra månadens beslut"},
	{bistand.FindingMemberRemoved, "En person som fanns i hushållet förra månaden finns inte med nu.", "Jämförelse med förra månadens beslut"},
	{bistand.FindingIncomeTypeNew, "En inkomst har tillkommit sedan förra månaden.", "Jämförelse med förra månadens beslut"},
	{bistand.FindingIncomeTypeGone, "En inkomst som räknades förra månaden finns inte med nu.", "Jämförelse med förra månadens beslut"},
	{bistand.FindingRentChanged, "Boendekostnaden har ändrats sedan förra månaden.", "Jämförelse med förra månadens beslut"},
}

func reason(k bistand.FindingKind) string {
	for _, c := range Checks {
		if c.Kind == k {
			return c.Reason
		}
	}
	return string(k)
}

// checkInput is what the checks look at.
type checkInput struct {
	app    bistand.Application
	h      *rules.Household
	res    *rules.Result
	policy *rules.AutomationVersion
	// aktivitetskrav is the activity requirement in force, or nil.
	aktivitetskrav *rules.AktivitetskravVersion
	previous       *bistand.Decision // last month's decision in force, or nil
	facts          []bistand.Fact    // in force
	persons        map[string]bistand.Person
}

// runChecks returns the findings that keep the robot from deciding.
func runChecks(in checkInput) []sqlstore.FindingInput {
	var out []sqlstore.FindingInput
	add := func(k bistand.FindingKind, subject, detail string, data map[string]any) {
		text := reason(k)
		if detail != "" {
			text += " " + detail
		}
		out = append(out, sqlstore.FindingInput{Kind: k, Subject: subject, Text: text, Data: data})
	}
	if in.previous == nil {
		add(bistand.FindingFirstApplication, "case", "", map[string]any{"month": in.app.Month})
	}
	for _, m := range in.h.Members {
		if p, ok := in.persons[m.ID]; ok && p.Protected {
			add(bistand.FindingProtectedIdentity, m.ID, "", map[string]any{"person": m.ID})
		}
	}
	if in.res.Outcome != rules.Approved {
		add(bistand.FindingNotApproved, "outcome", fmt.Sprintf("Överskott: %s.", in.res.Surplus), map[string]any{"surplus": in.res.Surplus})
	}
	if in.policy.Mode == rules.ModeProposeOnly {
		add(bistand.FindingProposal, "mode", fmt.Sprintf("Förslag: %s enligt beräkningen.", in.res.Amount), map[string]any{"amount": in.res.Amount})
	}
	if lim := in.policy.MaxAutoAmount; lim > 0 && in.res.Amount > lim {
		add(bistand.FindingAmountAboveLimit, "amount", fmt.Sprintf("Belopp %s, gräns %s.", in.res.Amount, lim), map[string]any{"amount": in.res.Amount, "limit": lim})
	}
	if in.previous != nil && in.policy.MaxChangePercent > 0 && in.previous.Amount > 0 {
		diff := in.res.Amount - in.previous.Amount
		if diff < 0 {
			diff = -diff
		}
		if int64(diff)*100 > int64(in.previous.Amount)*in.policy.MaxChangePercent {
			add(bistand.FindingAmountChange, "amount", fmt.Sprintf("Förra månaden %s, nu %s (gräns %d %%).", in.previous.Amount, in.res.Amount, in.policy.MaxChangePercent),
				map[string]any{"previous": in.previous.Amount, "current": in.res.Amount, "limit_percent": in.policy.MaxChangePercent, "previous_decision": in.previous.ID})
		}
	}
	seenCost := map[rules.CostType]bool{}
	for _, c := range in.h.Costs {
		if c.Amount > 0 && !in.policy.Standard(c.Type) && !seenCost[c.Type] {
			seenCost[c.Type] = true
			add(bistand.FindingCostOutsideStandard, c.Type.String(), fmt.Sprintf("Kostnad: %s.", c.Type), map[string]any{"cost_type": c.Type.String(), "facts": []string{"cost:" + c.Type.String()}})
		}
	}
	out = append(out, activityChecks(in)...)
	if in.previous != nil {
		if prev, err := rules.ParseHouseholdBytes(in.previous.Snapshot); err == nil {
			out = append(out, changes(prev, in.h, in.policy.Tolerance)...)
		}
	}
	return out
}

// changes compares the household with last month's decided one: members and
// income types appearing or going, and the rent.
func changes(prev, cur *rules.Household, tolerance bistand.Money) []sqlstore.FindingInput {
	var out []sqlstore.FindingInput
	add := func(k bistand.FindingKind, subject, detail string, data map[string]any) {
		out = append(out, sqlstore.FindingInput{Kind: k, Subject: subject, Text: strings.TrimSpace(reason(k) + " " + detail), Data: data})
	}
	inPrev, inCur := map[string]bool{}, map[string]bool{}
	for _, m := range prev.Members {
		inPrev[m.ID] = true
	}
	for _, m := range cur.Members {
		inCur[m.ID] = true
		if !inPrev[m.ID] {
			add(bistand.FindingMemberAdded, m.ID, "", map[string]any{"person": m.ID, "role": m.Role.String(), "facts": []string{"member:" + m.ID}})
		}
	}
	for _, m := range prev.Members {
		if !inCur[m.ID] {
			add(bistand.FindingMemberRemoved, m.ID, "", map[string]any{"person": m.ID, "role": m.Role.String()})
		}
	}
	type personType struct{ person, typ string }
	incomes := func(h *rules.Household) []personType {
		applicant := ""
		for _, m := range h.Members {
			if m.Role == rules.Applicant {
				applicant = m.ID
			}
		}
		var out []personType
		for _, inc := range h.Incomes {
			p := inc.Person
			if p == "" {
				p = applicant
			}
			k := personType{p, inc.Type.String()}
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
		return out
	}
	before, now := incomes(prev), incomes(cur)
	for _, k := range now {
		if !slices.Contains(before, k) {
			add(bistand.FindingIncomeTypeNew, k.typ+":"+k.person, fmt.Sprintf("(%s)", k.typ), map[string]any{"person": k.person, "income_type": k.typ})
		}
	}
	for _, k := range before {
		if !slices.Contains(now, k) {
			add(bistand.FindingIncomeTypeGone, k.typ+":"+k.person, fmt.Sprintf("(%s)", k.typ), map[string]any{"person": k.person, "income_type": k.typ})
		}
	}
	rent := func(h *rules.Household) bistand.Money {
		var s bistand.Money
		for _, c := range h.Costs {
			if c.Type == rules.Rent {
				s += c.Amount
			}
		}
		return s
	}
	if a, b := rent(prev), rent(cur); a != b && (a-b > tolerance || b-a > tolerance) {
		add(bistand.FindingRentChanged, "rent", fmt.Sprintf("Förra månaden %s, nu %s.", a, b), map[string]any{"previous": a, "current": b, "facts": []string{"cost:rent"}})
	}
	return out
}

// afStatus is the af_status fact of a person.
type afStatus struct {
	Registered bool `json:"registered"`
	Extent     int  `json:"extent"`
	Programme  bool `json:"programme"`
}

// activityChecks: registration at Arbetsförmedlingen and, from its first
// month, the aktivitetskrav, for every adult of working age who is not
// exempt (on sickness or parental benefit, studying, of pension age).
func activityChecks(in checkInput) []sqlstore.FindingInput {
	var out []sqlstore.FindingInput
	af := map[string]*afStatus{}
	for _, f := range in.facts {
		if f.Kind == bistand.FactAFStatus {
			var v afStatus
			if json.Unmarshal(f.Value, &v) == nil {
				af[strings.TrimPrefix(f.Key, "af:")] = &v
			}
		}
	}
	exempt := map[string]bool{}
	for _, inc := range in.h.Incomes {
		switch inc.Type {
		case rules.SicknessBenefit, rules.ParentalBenefit, rules.StudyAid, rules.Pension:
			exempt[inc.Person] = true
		}
	}
	ak := in.aktivitetskrav
	akApplies := ak != nil && in.app.Month >= ak.FirstMonth && in.h.MonthsOnAssistance >= ak.AfterMonths
	pensionAge := 67
	if ak != nil {
		pensionAge = ak.PensionAge
	}
	first := in.app.Month.FirstDay()
	for _, m := range in.h.Members {
		if m.Role == rules.Child {
			continue
		}
		person := m.ID
		if exempt[person] || (!m.BirthDate.IsZero() && (m.BirthDate.AgeOn(first) >= pensionAge || m.BirthDate.AgeOn(first) < 18)) {
			continue
		}
		st := af[person]
		if in.policy.RequireAFRegistration && (st == nil || !st.Registered) {
			out = append(out, sqlstore.FindingInput{Kind: bistand.FindingAFNotRegistered, Subject: person, Text: reason(bistand.FindingAFNotRegistered),
				Data: map[string]any{"person": person, "facts": []string{"af:" + person}}})
		}
		if akApplies && (st == nil || !(st.Programme || (st.Registered && st.Extent >= 100))) {
			out = append(out, sqlstore.FindingInput{Kind: bistand.FindingAktivitetskrav, Subject: person,
				Text: reason(bistand.FindingAktivitetskrav) + fmt.Sprintf(" (%d månader i följd med försörjningsstöd.)", in.h.MonthsOnAssistance),
				Data: map[string]any{"person": person, "months_on_assistance": in.h.MonthsOnAssistance, "after_months": ak.AfterMonths, "facts": []string{"af:" + person}}})
		}
	}
	return out
}

// draw draws an application for a random check at the policy's rate and
// gives the fact that records the draw (so it is audited), to be recorded
// with the outcome; selected applications go to the random-check state. A
// draw already recorded is kept, and no fact is given: a rerun never draws
// again.
func (r *Robot) draw(facts []bistand.Fact, perMille int) (selected bool, record *sqlstore.FactInput, err error) {
	for _, f := range facts {
		if f.Kind == bistand.FactRandomCheck {
			var v struct {
				Selected bool `json:"selected"`
			}
			return v.Selected, nil, json.Unmarshal(f.Value, &v)
		}
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return false, nil, err
	}
	n := int(binary.BigEndian.Uint64(b[:]) % 1000)
	selected = n < perMille
	value, _ := json.Marshal(map[string]any{"per_mille": perMille, "draw": n, "selected": selected})
	return selected, &sqlstore.FactInput{Key: "random_check", Kind: bistand.FactRandomCheck, Value: value, Provenance: bistand.Automated,
		Reason: fmt.Sprintf("Stickprov: dragning %d av 1000 mot %d ‰.", n, perMille)}, nil
}

// previousDecision returns the decision in force for the case's previous
// month, or nil.
func (r *Robot) previousDecision(ctx context.Context, app bistand.Application) (*bistand.Decision, error) {
	d, err := r.Store.CaseDecisionFor(ctx, app.CaseID, app.Month.Add(-1))
	if errors.Is(err, bistand.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}
