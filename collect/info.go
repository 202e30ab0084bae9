package collect

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/ssbtek"
)

// What the registers say beside the payments counted as income and
// Arbetsförmedlingen's registration: the vehicles, permits, capital
// income, CSN cases, unemployment funds, planned payments and benefit
// decisions of each member, recorded as facts for the caseworker
// (bistand.FactVehicle … FactBenefitDecision, values in sqlstore's
// register_info.go). They inform; the calculation reads none of them and
// none raises a finding.
//
// A fact is recorded when a source's answer reports the information and
// differs from the fact in force, and retracted when a complete answer
// from the source (no error, no gaps) no longer reports it. A source that
// failed, was not asked or answered in part changes nothing: what it said
// before stands.

// infoFact is one information fact computed from an answer.
type infoFact struct {
	key    string
	kind   bistand.FactKind
	source string
	value  any
}

// informationFacts returns the facts to record for a member from an
// SSBTEK answer, given the facts in force (in order).
func informationFacts(person string, ans *ssbtek.Answer, inForce []bistand.Fact, observed time.Time) []sqlstore.FactInput {
	var found []infoFact
	// owned lists, per key prefix, whether the source behind it answered
	// completely: only then is a fact no longer reported retracted.
	owned := map[string]bool{}
	answered := func(s ssbtek.Source) *ssbtek.SourceAnswer {
		sa := ans.Sources[s]
		if sa == nil || sa.Err != nil {
			return nil
		}
		return sa
	}
	own := func(prefix string, sa *ssbtek.SourceAnswer) { owned[prefix] = sa.Complete() }

	if sa := answered(ssbtek.TNS); sa != nil {
		own(string(bistand.FactVehicle)+":"+person+":", sa)
		for _, v := range sa.Vehicles {
			if v.RegNr == "" {
				continue
			}
			found = append(found, infoFact{string(bistand.FactVehicle) + ":" + person + ":" + v.RegNr, bistand.FactVehicle, string(ssbtek.TNS),
				sqlstore.VehicleValue{Person: person, RegNr: v.RegNr, Make: v.Make, Model: v.Model, Kind: v.Kind, Year: v.Year}})
		}
	}
	if sa := answered(ssbtek.MIV); sa != nil {
		key := string(bistand.FactPermit) + ":" + person
		own(key, sa)
		if len(sa.Permits) > 0 {
			v := sqlstore.PermitValue{Person: person}
			for _, p := range sa.Permits {
				v.Permits = append(v.Permits, sqlstore.PermitEntry{
					CaseType: p.CaseType, CaseTypeName: p.CaseTypeName, DecisionCode: p.DecisionCode, DecisionCodeName: p.DecisionCodeName,
					DecisionType: p.DecisionType, DecisionTypeName: p.DecisionTypeName, Reason: p.Reason, ReasonName: p.ReasonName,
					AppliedOn: p.AppliedOn, DecidedOn: p.DecidedOn, From: p.From, To: p.To, Validity: p.Validity,
				})
			}
			found = append(found, infoFact{key, bistand.FactPermit, string(ssbtek.MIV), v})
		}
	}
	if sa := answered(ssbtek.SKV); sa != nil {
		key := string(bistand.FactTax) + ":" + person
		own(key, sa)
		if len(sa.CapitalIncome) > 0 {
			v := sqlstore.TaxValue{Person: person}
			for _, c := range sa.CapitalIncome {
				v.CapitalIncome = append(v.CapitalIncome, sqlstore.CapitalIncomeEntry{TaxYear: c.TaxYear, Income: c.Income, Surplus: c.Surplus})
			}
			found = append(found, infoFact{key, bistand.FactTax, string(ssbtek.SKV), v})
		}
	}
	if sa := answered(ssbtek.CSN); sa != nil {
		key := string(bistand.FactCSN) + ":" + person
		own(key, sa)
		if st := sa.CSN; st != nil && len(st.Cases) > 0 {
			v := sqlstore.CSNValue{Person: person, ResultCode: st.ResultCode}
			if len(st.Kinds) > 0 {
				v.Kinds = st.Kinds
			}
			for _, c := range st.Cases {
				e := sqlstore.CSNCaseEntry{Kind: c.Kind, Number: c.Number, Form: c.Form, Text: c.Text, Status: c.Status}
				for _, g := range c.Granted {
					e.Granted = append(e.Granted, sqlstore.CSNGrantEntry{From: g.From, To: g.To, Pace: g.Pace, Total: g.Total})
				}
				v.Cases = append(v.Cases, e)
			}
			found = append(found, infoFact{key, bistand.FactCSN, string(ssbtek.CSN), v})
		}
	}
	if sa := answered(ssbtek.SO); sa != nil {
		key := string(bistand.FactFund) + ":" + person
		own(key, sa)
		if len(sa.Funds) > 0 {
			v := sqlstore.FundValue{Person: person}
			for _, f := range sa.Funds {
				e := sqlstore.FundEntry{Name: f.Name, Status: f.Status, EntitlementDecidedOn: f.EntitlementDecidedOn, PaymentApplied: f.PaymentApplied}
				for _, s := range f.Suspensions {
					e.Suspensions = append(e.Suspensions, sqlstore.PeriodEntry{From: s.From, To: s.To})
				}
				v.Funds = append(v.Funds, e)
			}
			found = append(found, infoFact{key, bistand.FactFund, string(ssbtek.SO), v})
		}
	}
	// Planned payments, per paying register: FK's answer holds PM's too.
	planned := func(sa *ssbtek.SourceAnswer, sources ...ssbtek.Source) {
		for _, src := range sources {
			key := string(bistand.FactPlannedPayments) + ":" + person + ":" + string(src)
			own(key, sa)
			v := sqlstore.PlannedPaymentsValue{Person: person, Source: string(src)}
			for _, p := range sa.Planned {
				if p.Source == src {
					v.Payments = append(v.Payments, sqlstore.PlannedPaymentEntry{Benefit: p.Benefit, Reference: p.Reference, PaidOn: p.PaidOn,
						From: p.From, To: p.To, Gross: p.Gross, Tax: p.Tax, Net: p.Net})
				}
			}
			if len(v.Payments) > 0 {
				found = append(found, infoFact{key, bistand.FactPlannedPayments, string(src), v})
			}
		}
	}
	if sa := answered(ssbtek.CSN); sa != nil {
		planned(sa, ssbtek.CSN)
	}
	if sa := answered(ssbtek.FK); sa != nil {
		planned(sa, ssbtek.FK, ssbtek.PM)
		own(string(bistand.FactBenefitDecision)+":"+person+":", sa)
		byBenefit := map[string]*sqlstore.BenefitDecisionValue{}
		var order []string
		for _, d := range sa.Decisions {
			k := string(d.Source) + ":" + d.Benefit
			v := byBenefit[k]
			if v == nil {
				v = &sqlstore.BenefitDecisionValue{Person: person, Source: string(d.Source), Benefit: d.Benefit}
				byBenefit[k] = v
				order = append(order, k)
			}
			e := sqlstore.DecisionEntry{ID: d.ID, DecidedOn: d.DecidedOn, Final: d.Final, Status: d.Status, Outcome: d.Outcome, Amounts: []sqlstore.DecidedAmountEntry{}}
			for _, a := range d.Amounts {
				e.Amounts = append(e.Amounts, sqlstore.DecidedAmountEntry{Kind: a.Kind, From: a.From, To: a.To, Gross: a.Gross, Frequency: a.Frequency, Days: a.Days})
			}
			v.Decisions = append(v.Decisions, e)
		}
		for _, k := range order {
			v := byBenefit[k]
			found = append(found, infoFact{string(bistand.FactBenefitDecision) + ":" + person + ":" + k, bistand.FactBenefitDecision, v.Source, *v})
		}
	}

	var out []sqlstore.FactInput
	current := map[string]bistand.Fact{}
	for _, f := range inForce {
		current[f.Key] = f
	}
	reported := map[string]bool{}
	reference := "SSBTEK " + ans.CorrelationID
	for _, f := range found {
		reported[f.key] = true
		value, err := json.Marshal(f.value)
		if err != nil {
			continue // the values are plain data: they always marshal
		}
		if c, ok := current[f.key]; ok && c.Provenance == bistand.Register && string(c.Value) == string(value) {
			continue // already recorded: collecting again changes nothing
		}
		out = append(out, sqlstore.FactInput{Key: f.key, Kind: f.kind, Value: value, Provenance: bistand.Register,
			Source: f.source, Reference: reference, ObservedAt: observed})
	}
	// What a complete answer no longer reports is retracted.
	prefixes := make([]string, 0, len(owned))
	for p := range owned {
		prefixes = append(prefixes, p)
	}
	slices.Sort(prefixes)
	for _, f := range inForce {
		if reported[f.Key] || f.Provenance != bistand.Register || !infoKinds[f.Kind] {
			continue
		}
		for _, p := range prefixes {
			if owned[p] && (f.Key == p || (strings.HasSuffix(p, ":") && strings.HasPrefix(f.Key, p))) {
				out = append(out, sqlstore.FactInput{Key: f.Key, Kind: f.Kind, Provenance: bistand.Register,
					Source: f.Source, Reference: reference, ObservedAt: observed,
					Reason: "Registret visar inte längre uppgiften."})
				break
			}
		}
	}
	return out
}

// infoKinds are the kinds informationFacts records.
var infoKinds = map[bistand.FactKind]bool{
	bistand.FactVehicle: true, bistand.FactPermit: true, bistand.FactTax: true, bistand.FactCSN: true,
	bistand.FactFund: true, bistand.FactPlannedPayments: true, bistand.FactBenefitDecision: true,
}
