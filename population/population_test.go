package population

import (
	"testing"

	"github.com/bistand/bistand"
)

func TestDeterministicAndUnique(t *testing.T) {
	a, b := New(7, 3000), New(7, 3000)
	seen := map[string]bool{}
	kinds := map[string]int{}
	for i := range a.Size() {
		ha, hb := a.Household(i), b.Household(i)
		if len(ha.Members) != len(hb.Members) || ha.Rent != hb.Rent {
			t.Fatalf("household %d differs between two populations of the same seed", i)
		}
		for j, m := range ha.Members {
			if m.Number != hb.Members[j].Number {
				t.Fatalf("household %d member %d: numbers differ", i, j)
			}
			if seen[m.Number.String()] {
				t.Fatalf("household %d member %d: number used twice", i, j)
			}
			seen[m.Number.String()] = true
			if m.Number.BirthDate() != m.BirthDate {
				t.Fatalf("number and birth date disagree")
			}
			h, k, ok := a.Lookup(m.Number)
			if !ok || h.Index != i || k != j {
				t.Fatalf("lookup of household %d member %d found %d %d %v", i, j, h.Index, k, ok)
			}
			kinds[m.Profile]++
		}
		if ha.Members[0].Protected {
			kinds["protected"]++
		}
		if ha.Late {
			kinds["late"]++
		}
		if ha.Contradicts {
			kinds["contradicts"]++
		}
		if ha.FailsSource != "" {
			kinds["fails"]++
		}
	}
	for _, k := range []string{"unemployed", "salary", "sick", "parental", "pension", "student", "activity", "protected", "late", "contradicts", "fails"} {
		if kinds[k] == 0 {
			t.Errorf("no %s household among %d", k, a.Size())
		}
	}
}

func TestPaymentsRespectAsOfAndMonth(t *testing.T) {
	p := New(1, 500)
	month := bistand.MustMonth(2026, 10)
	late, onTime := 0, 0
	for i := range p.Size() {
		h := p.Household(i)
		for j := range h.Members {
			all := p.Payments(h, j, month, bistand.MustDate(2026, 12, 31))
			early := p.Payments(h, j, month, bistand.MustDate(2026, 10, 31))
			for _, pay := range all {
				if pay.From.Month() != month || pay.Net <= 0 || pay.Gross < pay.Net {
					t.Fatalf("payment %+v", pay)
				}
				if pay.PaidOn.Month() != month {
					late++
					if !h.Late {
						t.Fatalf("household %d pays late without the trait", i)
					}
				} else {
					onTime++
				}
			}
			if len(early) > len(all) {
				t.Fatal("more payments known earlier than later")
			}
			for _, pay := range early {
				if pay.PaidOn.After(bistand.MustDate(2026, 10, 31)) {
					t.Fatalf("a payment after asOf: %+v", pay)
				}
			}
		}
	}
	if late == 0 || onTime == 0 {
		t.Errorf("late %d on time %d", late, onTime)
	}
	if p.Payments(p.Household(0), 0, p.Epoch.Add(-1), bistand.MustDate(2030, 1, 1)) != nil {
		t.Error("payments before the epoch")
	}
}

func TestContradictingHouseholdsLeaveOutAnIncome(t *testing.T) {
	p := New(3, 2000)
	month := bistand.MustMonth(2026, 11)
	checked := 0
	for i := range p.Size() {
		h := p.Household(i)
		registered := 0
		for j := range h.Members {
			registered += len(p.Payments(h, j, month.Add(-1), month.LastDay()))
			if h.Members[j].Profile == "salary" {
				registered++
			}
		}
		declared := len(p.Declarations(h, month))
		switch {
		case h.Contradicts && registered > 0 && h.Members[0].Profile != "salary":
			checked++
			if declared >= registered {
				t.Errorf("household %d contradicts but declares %d of %d incomes", i, declared, registered)
			}
		case !h.Contradicts && declared != registered:
			t.Errorf("household %d declares %d incomes, the registers hold %d", i, declared, registered)
		}
	}
	if checked == 0 {
		t.Error("no contradicting household checked")
	}
}

// A household declares what was paid out to it in the month before the
// month applied for: for a household whose Försäkringskassan pays late,
// the benefits for the month before that.
func TestDeclarationsArePaidTheMonthBefore(t *testing.T) {
	p := New(5, 1500)
	month := bistand.MustMonth(2026, 11)
	prev := month.Add(-1)
	late := 0
	for i := range p.Size() {
		h := p.Household(i)
		if h.Contradicts {
			continue
		}
		var want []Declared
		for j, m := range h.Members {
			if m.salary > 0 {
				want = append(want, Declared{Member: j, Benefit: "salary", Net: m.salary})
			}
			for mo := prev.Add(-2); mo <= month; mo++ {
				for _, pay := range p.Payments(h, j, mo, bistand.MustDate(2030, 1, 1)) {
					if pay.PaidOn.Month() == prev {
						want = append(want, Declared{Member: j, Benefit: pay.Benefit, Net: pay.Net})
						if pay.From.Month() != prev {
							late++
						}
					}
				}
			}
		}
		got := p.Declarations(h, month)
		if len(got) != len(want) {
			t.Fatalf("household %d declares %+v, was paid %+v", i, got, want)
		}
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Fatalf("household %d does not declare %+v: %+v", i, w, got)
			}
		}
	}
	if late == 0 {
		t.Error("no late payment declared")
	}
}
