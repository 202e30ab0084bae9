package robot

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

func afFact(person string, registered bool, extent int, programme bool) bistand.Fact {
	v, _ := json.Marshal(map[string]any{"registered": registered, "extent": extent, "programme": programme})
	return bistand.Fact{Key: "af:" + person, Kind: bistand.FactAFStatus, Value: v, Provenance: bistand.Register}
}

// baseCheck is an application every check lets through: a recurring
// application, registered at Arbetsförmedlingen full time, granted as
// calculated within every limit.
func baseCheck() checkInput {
	month := bistand.MustMonth(2026, 11)
	policy := &rules.AutomationVersion{Mode: rules.ModeDecideApprovals, MaxAutoAmount: bistand.Kronor(25000), MaxChangePercent: 20,
		StandardCosts: []string{"rent", "electricity"}, RequireAFRegistration: true, SupplementDays: 14}
	return checkInput{
		app: bistand.Application{ID: "app-1", Month: month},
		h: &rules.Household{Month: month, MonthsOnAssistance: 5,
			Members: []rules.Member{{ID: "p1", Role: rules.Applicant, BirthDate: bistand.MustDate(1985, 3, 3)}},
			Costs:   []rules.Cost{{Type: rules.Rent, Amount: bistand.Kronor(6000)}}},
		res:            &rules.Result{Outcome: rules.Approved, Amount: bistand.Kronor(10000)},
		policy:         policy,
		aktivitetskrav: &rules.AktivitetskravVersion{FirstMonth: bistand.MustMonth(2026, 10), AfterMonths: 3, PensionAge: 67},
		previous:       &bistand.Decision{ID: "dec-0", Amount: bistand.Kronor(10000)},
		facts:          []bistand.Fact{afFact("p1", true, 100, false)},
		persons:        map[string]bistand.Person{"p1": {ID: "p1"}},
	}
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name   string
		change func(*checkInput)
		want   []bistand.FindingKind
	}{
		{"everything in order", func(*checkInput) {}, nil},
		{"first application", func(in *checkInput) { in.previous = nil }, []bistand.FindingKind{bistand.FindingFirstApplication}},
		{"protected identity", func(in *checkInput) { in.persons["p1"] = bistand.Person{ID: "p1", Protected: true} }, []bistand.FindingKind{bistand.FindingProtectedIdentity}},
		{"calculation rejects", func(in *checkInput) {
			in.res = &rules.Result{Outcome: rules.Rejected, Surplus: bistand.Kronor(300)}
		}, []bistand.FindingKind{bistand.FindingNotApproved, bistand.FindingAmountChange}},
		{"propose only", func(in *checkInput) { in.policy.Mode = rules.ModeProposeOnly }, []bistand.FindingKind{bistand.FindingProposal}},
		{"above the robot's limit", func(in *checkInput) {
			in.res.Amount = bistand.Kronor(26000)
			in.previous.Amount = bistand.Kronor(26000)
		}, []bistand.FindingKind{bistand.FindingAmountAboveLimit}},
		{"limit 0 means none", func(in *checkInput) {
			in.policy.MaxAutoAmount = 0
			in.res.Amount, in.previous.Amount = bistand.Kronor(90000), bistand.Kronor(90000)
		}, nil},
		{"changed 21 % since last month", func(in *checkInput) { in.res.Amount = bistand.Kronor(12100) }, []bistand.FindingKind{bistand.FindingAmountChange}},
		{"changed exactly 20 %", func(in *checkInput) { in.res.Amount = bistand.Kronor(8000) }, nil},
		{"cost outside the standard list", func(in *checkInput) {
			in.h.Costs = append(in.h.Costs, rules.Cost{Type: rules.DentalAcute, Amount: bistand.Kronor(900)}, rules.Cost{Type: rules.DentalAcute, Amount: bistand.Kronor(100)})
		}, []bistand.FindingKind{bistand.FindingCostOutsideStandard}},
		{"a zero cost outside the list is no cost", func(in *checkInput) {
			in.h.Costs = append(in.h.Costs, rules.Cost{Type: rules.Glasses})
		}, nil},
		{"not registered at Arbetsförmedlingen", func(in *checkInput) { in.facts = []bistand.Fact{afFact("p1", false, 0, false)} },
			[]bistand.FindingKind{bistand.FindingAFNotRegistered, bistand.FindingAktivitetskrav}},
		{"no register answer about registration", func(in *checkInput) { in.facts = nil },
			[]bistand.FindingKind{bistand.FindingAFNotRegistered, bistand.FindingAktivitetskrav}},
		{"registration not required", func(in *checkInput) {
			in.policy.RequireAFRegistration = false
			in.facts = []bistand.Fact{afFact("p1", false, 0, true)}
		}, nil},
		{"registered part time: aktivitetskrav", func(in *checkInput) { in.facts = []bistand.Fact{afFact("p1", true, 50, false)} },
			[]bistand.FindingKind{bistand.FindingAktivitetskrav}},
		{"part time but in a programme", func(in *checkInput) { in.facts = []bistand.Fact{afFact("p1", true, 50, true)} }, nil},
		{"aktivitetskrav not before its first month", func(in *checkInput) {
			in.app.Month = bistand.MustMonth(2026, 9)
			in.facts = []bistand.Fact{afFact("p1", true, 50, false)}
		}, nil},
		{"aktivitetskrav only after three months", func(in *checkInput) {
			in.h.MonthsOnAssistance = 2
			in.facts = []bistand.Fact{afFact("p1", true, 50, false)}
		}, nil},
		{"exempt on sickness benefit", func(in *checkInput) {
			in.facts = nil
			in.h.Incomes = []rules.Income{{Type: rules.SicknessBenefit, Person: "p1", Amount: bistand.Kronor(5000)}}
		}, nil},
		{"exempt at pension age", func(in *checkInput) {
			in.facts = nil
			in.h.Members[0].BirthDate = bistand.MustDate(1959, 10, 1)
		}, nil},
		{"children are not checked", func(in *checkInput) {
			in.h.Members = append(in.h.Members, rules.Member{ID: "c1", Role: rules.Child, BirthDate: bistand.MustDate(2008, 1, 1)})
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseCheck()
			tt.change(&in)
			var got []bistand.FindingKind
			for _, f := range runChecks(in) {
				got = append(got, f.Kind)
				if f.Text == "" || f.Subject == "" {
					t.Errorf("finding %s without text or subject", f.Kind)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChangesSinceLastMonth(t *testing.T) {
	snapshot := func(h *rules.Household) []byte {
		b, err := h.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := func() *rules.Household {
		return &rules.Household{Month: bistand.MustMonth(2026, 10), Municipality: "demo",
			Members: []rules.Member{{ID: "p1", Role: rules.Applicant, BirthDate: bistand.MustDate(1985, 3, 3)}},
			Costs:   []rules.Cost{{Type: rules.Rent, Amount: bistand.Kronor(6000)}},
			Incomes: []rules.Income{{Type: rules.HousingAllowance, Person: "p1", Amount: bistand.Kronor(1000)}}}
	}
	tests := []struct {
		name   string
		change func(h *rules.Household)
		want   []bistand.FindingKind
	}{
		{"nothing changed", func(*rules.Household) {}, nil},
		{"a child born", func(h *rules.Household) {
			h.Members = append(h.Members, rules.Member{ID: "c1", Role: rules.Child, BirthDate: bistand.MustDate(2026, 10, 2)})
		}, []bistand.FindingKind{bistand.FindingMemberAdded}},
		{"the partner moved out", nil, []bistand.FindingKind{bistand.FindingMemberRemoved}},
		{"a new income", func(h *rules.Household) {
			h.Incomes = append(h.Incomes, rules.Income{Type: rules.Salary, Person: "p1", Amount: bistand.Kronor(900)})
		}, []bistand.FindingKind{bistand.FindingIncomeTypeNew}},
		{"an income gone", func(h *rules.Household) { h.Incomes = nil }, []bistand.FindingKind{bistand.FindingIncomeTypeGone}},
		{"the same income, another amount", func(h *rules.Household) { h.Incomes[0].Amount = bistand.Kronor(1200) }, nil},
		{"rent changed", func(h *rules.Household) { h.Costs[0].Amount = bistand.Kronor(6500) }, []bistand.FindingKind{bistand.FindingRentChanged}},
		{"rent within the tolerance", func(h *rules.Household) { h.Costs[0].Amount = bistand.Kronor(6040) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev, cur := base(), base()
			if tt.change == nil { // the partner was there last month
				prev.Members = append(prev.Members, rules.Member{ID: "p2", Role: rules.Partner})
			} else {
				tt.change(cur)
			}
			in := baseCheck()
			in.h = cur
			in.policy.Tolerance = bistand.Kronor(50)
			in.previous.Snapshot = snapshot(prev)
			in.res.Amount = in.previous.Amount
			var got []bistand.FindingKind
			for _, f := range runChecks(in) {
				got = append(got, f.Kind)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEveryCheckHasAReasonAndSource(t *testing.T) {
	seen := map[bistand.FindingKind]bool{}
	for _, c := range Checks {
		if seen[c.Kind] || c.Reason == "" || c.Source == "" || !strings.HasSuffix(c.Reason, ".") {
			t.Errorf("check %s: duplicate or without reason and source", c.Kind)
		}
		seen[c.Kind] = true
	}
}
