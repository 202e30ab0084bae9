package collect

import (
	"strings"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

func kr(k int64) bistand.Money { return bistand.Kronor(k) }

func day(s string) bistand.Date {
	d, err := bistand.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func kinds(out Output) []string {
	var ks []string
	for _, f := range out.Findings {
		ks = append(ks, string(f.Kind)+"("+f.Subject+")")
	}
	return ks
}

func TestDefaultTable(t *testing.T) {
	tab := DefaultTable()
	for _, tc := range []struct{ source, benefit, want string }{
		{"FK", "BOB", "housing_allowance"}, {"FK", "ABB", "child_allowance"}, {"SO", "ALE", "unemployment_benefit"},
		{"PM", "AP", "pension"}, {"CSN", "SM", "study_aid"},
	} {
		m, ok := tab.Lookup(tc.source, tc.benefit)
		if !ok || m.IncomeType != tc.want {
			t.Errorf("%s/%s → %v %v, want %s", tc.source, tc.benefit, m, ok, tc.want)
		}
	}
	if _, ok := tab.Lookup("FK", "XYZ"); ok {
		t.Error("unknown benefit mapped")
	}
	if !tab.Covered("housing_allowance") || tab.Covered("salary") {
		t.Error("covered types wrong")
	}
	for _, bad := range []string{
		`{"mappings":[{"source":"FK","benefit":"X","income_type":"lottery","label":"x","change_threshold_percent":12}]}`,
		`{"mappings":[{"source":"FK","benefit":"X","income_type":"salary","label":"","change_threshold_percent":12}]}`,
		`{"mappings":[{"source":"FK","benefit":"X","income_type":"salary","label":"x","change_threshold_percent":12},{"source":"FK","benefit":"X","income_type":"salary","label":"x","change_threshold_percent":12}]}`,
		`{"mappings":[],"extra":1}`,
	} {
		if _, err := ParseTable([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestCompare(t *testing.T) {
	month := bistand.MustMonth(2026, 11) // calculation month 2026-10, previous 2026-09
	base := Input{Month: month, Applicant: "p1", Today: day("2026-11-05"), CollectingSince: day("2026-11-01")}
	late := base
	late.Today = day("2026-11-20") // polling window (5 days) closed
	pay := func(person, src, benefit, paid string, net int64) Payment {
		return Payment{Person: person, Source: src, Benefit: benefit, PaidOn: day(paid), Net: kr(net), Reference: src + "-" + paid}
	}
	declared := func(person, typ string, amount int64) Income {
		return Income{Key: "income:" + typ + ":" + person, Person: person, Type: typ, Amount: kr(amount), Provenance: bistand.Declared}
	}
	prevHH := &rules.Household{Members: []rules.Member{{ID: "p1", Role: rules.Applicant}},
		Incomes: []rules.Income{{Type: rules.HousingAllowance, Person: "p1", Amount: kr(2000)}, {Type: rules.Salary, Person: "p1", Amount: kr(3000)}},
		Costs:   []rules.Cost{{Type: rules.Rent, Amount: kr(6000)}}}
	tests := []struct {
		name      string
		in        Input
		want      []string
		waiting   bool
		incomes   int
		retracted int
	}{
		{"declared matches register", with(base, func(in *Input) {
			in.Incomes = []Income{declared("p1", "housing_allowance", 2000)}
			in.Payments = []Payment{pay("p1", "FK", "BOB", "2026-10-26", 2000)}
		}), nil, false, 1, 0},
		{"within tolerance", with(base, func(in *Input) {
			in.Incomes = []Income{declared("p1", "housing_allowance", 2040)}
			in.Payments = []Payment{pay("p1", "FK", "BOB", "2026-10-26", 2000)}
		}), nil, false, 1, 0},
		{"mismatch beyond tolerance", with(base, func(in *Input) {
			in.Incomes = []Income{declared("p1", "housing_allowance", 1500)}
			in.Payments = []Payment{pay("p1", "FK", "BOB", "2026-10-26", 2000)}
		}), []string{"income_mismatch(housing_allowance:p1)"}, false, 1, 0},
		{"not declared", with(base, func(in *Input) {
			in.Payments = []Payment{pay("p2", "SO", "ALE", "2026-10-15", 5400)}
		}), []string{"income_not_declared(unemployment_benefit:p2)"}, false, 1, 0},
		{"declared under another key is replaced", with(base, func(in *Input) {
			in.Incomes = []Income{{Key: "income:child_allowance", Type: "child_allowance", Amount: kr(1250), Provenance: bistand.Declared}}
			in.Payments = []Payment{pay("p1", "FK", "ABB", "2026-10-20", 1250)}
		}), nil, false, 1, 1},
		{"payment of another month ignored", with(base, func(in *Input) {
			in.Payments = []Payment{pay("p1", "FK", "BOB", "2026-11-02", 2000), pay("p1", "FK", "BOB", "2026-08-26", 2000)}
		}), nil, false, 0, 0},
		{"unmapped payment", with(base, func(in *Input) {
			in.Payments = []Payment{pay("p1", "FK", "XYZ", "2026-10-10", 700)}
		}), []string{"unmapped_register_income(FK:XYZ:p1)"}, false, 0, 0},
		{"change above 12 %", with(base, func(in *Input) {
			in.Incomes = []Income{declared("p1", "unemployment_benefit", 6000)}
			in.Payments = []Payment{pay("p1", "SO", "ALE", "2026-09-15", 5000), pay("p1", "SO", "ALE", "2026-10-15", 6000)}
		}), []string{"income_change(SO:ALE:p1)"}, false, 1, 0},
		{"change of exactly 12 % is no finding", with(base, func(in *Input) {
			in.Incomes = []Income{declared("p1", "unemployment_benefit", 5600)}
			in.Payments = []Payment{pay("p1", "SO", "ALE", "2026-09-15", 5000), pay("p1", "SO", "ALE", "2026-10-15", 5600)}
		}), nil, false, 1, 0},
		{"declared but not yet in register: wait", with(base, func(in *Input) {
			in.Incomes = []Income{declared("p1", "housing_allowance", 2000)}
		}), nil, true, 0, 0},
		{"declared but not in register after polling", with(late, func(in *Input) {
			in.Incomes = []Income{declared("p1", "housing_allowance", 2000)}
		}), []string{"income_not_in_register(housing_allowance:p1)"}, false, 0, 0},
		{"salary is in no register", with(late, func(in *Input) {
			in.Incomes = []Income{declared("p1", "salary", 9000)}
		}), nil, false, 0, 0},
		{"last month's income expected: wait", with(base, func(in *Input) {
			in.Previous = prevHH
			in.Incomes = []Income{declared("p1", "salary", 3000)}
		}), nil, true, 0, 0},
		{"last month's income missing after polling", with(late, func(in *Input) {
			in.Previous = prevHH
			in.Incomes = []Income{declared("p1", "salary", 3000)}
		}), []string{"expected_income_missing(housing_allowance:p1)"}, false, 0, 0},
		{"salary gone since last month", with(late, func(in *Input) {
			in.Previous = prevHH
			in.Payments = []Payment{pay("p1", "FK", "BOB", "2026-10-26", 2000)}
			in.Incomes = []Income{declared("p1", "housing_allowance", 2000)}
		}), []string{"income_type_gone(salary:p1)"}, false, 1, 0},
		{"source error: wait and say so", with(base, func(in *Input) {
			in.Errors = []SourceError{{Person: "p1", Source: "CSN", Code: "T01", Message: "timeout"}}
		}), []string{"source_error(CSN:p1)"}, true, 0, 0},
		{"register data with last month's decision", with(late, func(in *Input) {
			in.Previous = prevHH
			in.Incomes = []Income{declared("p1", "salary", 3000), declared("p1", "housing_allowance", 2000)}
			in.Payments = []Payment{pay("p1", "FK", "BOB", "2026-10-26", 2000), pay("p1", "PM", "AP", "2026-10-19", 4000)}
			in.Current = &rules.Household{Members: []rules.Member{{ID: "p1", Role: rules.Applicant}, {ID: "p9", Role: rules.Child}},
				Incomes: []rules.Income{{Type: rules.Salary, Person: "p1", Amount: kr(3000)}, {Type: rules.HousingAllowance, Person: "p1", Amount: kr(2000)}},
				Costs:   []rules.Cost{{Type: rules.Rent, Amount: kr(6500)}}}
		}), []string{"income_not_declared(pension:p1)"}, false, 2, 0}, // changes since last month: the robot's checks
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Compare(DefaultTable(), DefaultConfig(), tt.in)
			got := kinds(out)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
			if out.Waiting != tt.waiting {
				t.Errorf("waiting %v, want %v", out.Waiting, tt.waiting)
			}
			if len(out.Incomes) != tt.incomes || len(out.Retract) != tt.retracted {
				t.Errorf("incomes %v retract %v", out.Incomes, out.Retract)
			}
			for _, f := range out.Findings {
				if f.Text == "" || f.Data == nil {
					t.Errorf("finding %s without text or data", f.Kind)
				}
			}
			again := Compare(DefaultTable(), DefaultConfig(), tt.in)
			if strings.Join(kinds(again), " ") != strings.Join(got, " ") {
				t.Error("not deterministic")
			}
		})
	}
}

func with(in Input, f func(*Input)) Input {
	f(&in)
	return in
}

func TestRegisterIncomeSums(t *testing.T) {
	in := Input{Month: bistand.MustMonth(2026, 11), Applicant: "p1", Payments: []Payment{
		{Person: "p1", Source: "SO", Benefit: "ALE", PaidOn: day("2026-10-05"), Net: kr(2000), Reference: "a"},
		{Person: "p1", Source: "SO", Benefit: "ALE", PaidOn: day("2026-10-19"), Net: kr(2100), Reference: "b"},
	}}
	out := Compare(DefaultTable(), DefaultConfig(), in)
	if len(out.Incomes) != 1 || out.Incomes[0].Amount != kr(4100) || len(out.Incomes[0].References) != 2 || out.Incomes[0].LastPaidOn != day("2026-10-19") {
		t.Errorf("incomes %+v", out.Incomes)
	}
	if out.Incomes[0].Key() != "income:unemployment_benefit:p1" {
		t.Errorf("key %s", out.Incomes[0].Key())
	}
}

// The income basis decides which month a payment belongs to. A household
// whose Försäkringskassan pays late (population's Late: the benefit for a
// month arrives a few days into the next) is the case where the two differ:
// applying for November, "paid" counts what landed in October (the
// September benefit paid on 3 October), "period" what is for October (paid
// on 3 November).
func TestIncomeBasis(t *testing.T) {
	month := bistand.MustMonth(2026, 11) // calculation month 2026-10, previous 2026-09
	// A payment for the month `forMonth`, paid on `paid`.
	late := func(paid, forMonth string, net int64) Payment {
		return Payment{Person: "p1", Source: "FK", Benefit: "BOB", PaidOn: day(paid), For: day(forMonth + "-01").Month(), Net: kr(net), Reference: "FK:BOB:" + paid}
	}
	// August's 1 500 kr paid on 3 September, September's 1 800 kr on 3
	// October, October's 2 000 kr on 3 November.
	payments := []Payment{
		late("2026-09-03", "2026-08", 1500),
		late("2026-10-03", "2026-09", 1800),
		late("2026-11-03", "2026-10", 2000),
	}
	declared := func(amount int64) []Income {
		return []Income{{Key: "income:housing_allowance:p1", Person: "p1", Type: "housing_allowance", Amount: kr(amount), Provenance: bistand.Declared}}
	}
	in := func(incomes []Income, pays []Payment) Input {
		return Input{Month: month, Applicant: "p1", Today: day("2026-11-20"), CollectingSince: day("2026-11-01"), Incomes: incomes, Payments: pays}
	}
	tests := []struct {
		name    string
		basis   IncomeBasis
		in      Input
		counted int64 // the housing allowance counted, kronor
		want    []string
	}{
		// 1 500 landed in September, 1 800 in October: +20 %, a change.
		{"paid: what landed in October", IncomeBasisPaid, in(declared(1800), payments), 1800,
			[]string{"income_change(FK:BOB:p1)"}},
		// 1 800 for September, 2 000 for October: +11 %, no change.
		{"period: what is for October", IncomeBasisPeriod, in(declared(2000), payments), 2000, nil},
		{"empty is paid", "", in(declared(1800), payments), 1800,
			[]string{"income_change(FK:BOB:p1)"}},
		{"paid: the October benefit paid in November is not counted", IncomeBasisPaid, in(declared(2000), payments[2:]), 0,
			[]string{"income_not_in_register(housing_allowance:p1)"}},
		{"period: the October benefit paid in November is counted", IncomeBasisPeriod, in(declared(2000), payments[2:]), 2000, nil},
		{"period: without a period the payment date decides", IncomeBasisPeriod, in(declared(1800), []Payment{
			{Person: "p1", Source: "FK", Benefit: "BOB", PaidOn: day("2026-10-03"), Net: kr(1800), Reference: "r"}}), 1800, nil},
		{"paid: a household declaring what is for October mismatches", IncomeBasisPaid, in(declared(2000), payments), 1800,
			[]string{"income_change(FK:BOB:p1)", "income_mismatch(housing_allowance:p1)"}},
		{"period: a household declaring what landed in October mismatches", IncomeBasisPeriod, in(declared(1800), payments), 2000,
			[]string{"income_mismatch(housing_allowance:p1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.IncomeBasis = tt.basis
			out := Compare(DefaultTable(), cfg, tt.in)
			var counted bistand.Money
			for _, r := range out.Incomes {
				counted += r.Amount
			}
			if counted != kr(tt.counted) {
				t.Errorf("counted %s, want %s (incomes %+v)", counted, kr(tt.counted), out.Incomes)
			}
			if got := kinds(out); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
		})
	}
	if DefaultConfig().IncomeBasis != IncomeBasisPaid {
		t.Error("the default basis is not the month paid")
	}
}
