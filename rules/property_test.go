package rules_test

// Property tests of the calculation engine with pgregory.net/rapid. A
// generator draws valid households (every one must calculate without error)
// and each test checks one property of the engine over them. Run with
// -rapid.checks=N for more cases.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
	"unicode"

	"pgregory.net/rapid"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

// propMunicipalities are the guideline sets the generator draws from; ""
// means rules.DefaultMunicipality.
var propMunicipalities = []string{"demo", "national", ""}

// coveredMonths lists, per municipality, every month the engine has rules
// for, found with (*Engine).Covers.
var coveredMonths = sync.OnceValue(func() map[string][]bistand.Month {
	e := rules.Default()
	out := map[string][]bistand.Month{}
	for _, id := range propMunicipalities {
		if id == "" {
			continue
		}
		for y := 2000; y <= 2035; y++ {
			for m := time.January; m <= time.December; m++ {
				mo := bistand.MustMonth(y, m)
				if e.Covers(id, mo) {
					out[id] = append(out[id], mo)
				}
			}
		}
	}
	return out
})

func muniID(id string) string {
	if id == "" {
		return rules.DefaultMunicipality
	}
	return id
}

func civil(t time.Time) bistand.Date {
	return bistand.MustDate(t.Year(), t.Month(), t.Day())
}

func timeOf(d bistand.Date) time.Time {
	return time.Date(d.Year(), d.MonthOfYear(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// drawBirthDate draws a birth date on which a person is exactly age years
// old on day first (the first day of a month).
func drawBirthDate(t *rapid.T, first bistand.Date, age int, label string) bistand.Date {
	// first − age years − k days with 0 ≤ k < 365 lies in the year of life
	// that ends on first, so the age on first is exactly age.
	k := rapid.IntRange(0, 364).Draw(t, label+"_days_before")
	d := civil(timeOf(first).AddDate(-age, 0, -k))
	if got := d.AgeOn(first); got != age {
		t.Fatalf("generator: birth date %s is %d on %s, want %d", d, got, first, age)
	}
	return d
}

var idNames = []string{"anna", "bo", "Åsa", "x", "id-1", "Örjan Ek", "märta", "7", "långt-id-med-bindestreck"}

func drawID(t *rapid.T, prefix, label string) string {
	return prefix + ":" + rapid.SampledFrom(idNames).Draw(t, label)
}

// drawChild draws a child valid in month mo: aged 0–20 on the first day of
// the month (19–20 only when in school), now and then born during the month
// itself, which the engine counts as age 0.
func drawChild(t *rapid.T, mo bistand.Month, id string) rules.Member {
	first := mo.FirstDay()
	label := "child_" + id
	c := rules.Member{ID: id, Role: rules.Child}
	if rapid.IntRange(0, 19).Draw(t, label+"_born_this_month") == 0 {
		day := rapid.IntRange(1, mo.LastDay().Day()).Draw(t, label+"_birth_day")
		c.BirthDate = bistand.MustDate(mo.Year(), mo.MonthOfYear(), day)
	} else {
		age := rapid.IntRange(0, 20).Draw(t, label+"_age")
		c.BirthDate = drawBirthDate(t, first, age, label)
	}
	age := max(c.BirthDate.AgeOn(first), 0)
	c.InSchool = age >= 19 || rapid.Bool().Draw(t, label+"_in_school")
	c.LunchElsewhere = rapid.Bool().Draw(t, label+"_lunch_elsewhere")
	return c
}

func drawAdult(t *rapid.T, mo bistand.Month, id string, role rules.Role) rules.Member {
	m := rules.Member{ID: id, Role: role}
	if rapid.Bool().Draw(t, id+"_has_birth_date") {
		age := rapid.IntRange(18, 90).Draw(t, id+"_age")
		m.BirthDate = drawBirthDate(t, mo.FirstDay(), age, id)
	}
	return m
}

// drawMoney draws an amount of 0–20 000 kr in öre, often whole kronor.
func drawMoney(t *rapid.T, label string) bistand.Money {
	switch rapid.IntRange(0, 5).Draw(t, label+"_kind") {
	case 0:
		return 0
	case 1, 2, 3:
		return bistand.Kronor(rapid.Int64Range(0, 20_000).Draw(t, label+"_kr"))
	}
	return bistand.Money(rapid.Int64Range(0, 2_000_000).Draw(t, label+"_ore"))
}

// drawDateInOrBefore draws a day from two years before month mo up to the
// last day of mo.
func drawDateInOrBefore(t *rapid.T, mo bistand.Month, label string) bistand.Date {
	m := mo.Add(-rapid.IntRange(0, 24).Draw(t, label+"_months_before"))
	day := rapid.IntRange(1, m.LastDay().Day()).Draw(t, label+"_day")
	return bistand.MustDate(m.Year(), m.MonthOfYear(), day)
}

var motivationRunes = rapid.RuneFrom([]rune(" ,.:;-()/%"), unicode.Letter, unicode.Digit)

func drawCost(t *rapid.T, h *rules.Household, label string) rules.Cost {
	c := rules.Cost{
		Type:   rapid.SampledFrom(rules.CostTypes()).Draw(t, label+"_type"),
		Amount: drawMoney(t, label+"_amount"),
	}
	if rapid.IntRange(0, 3).Draw(t, label+"_has_person") == 0 {
		c.Person = h.Members[rapid.IntRange(0, len(h.Members)-1).Draw(t, label+"_person")].ID
	}
	if c.Type == rules.OtherCost || rapid.IntRange(0, 5).Draw(t, label+"_has_motivation") == 0 {
		c.Motivation = rapid.StringOfN(motivationRunes, 1, 40, -1).Draw(t, label+"_motivation")
	}
	notify := 5 // rent is notified of its cap more often than other costs
	if c.Type == rules.Rent {
		notify = 1
	}
	if rapid.IntRange(0, notify).Draw(t, label+"_notified") == 0 {
		c.CapNotified = drawDateInOrBefore(t, h.Month, label+"_cap_notified")
	}
	return c
}

func drawIncome(t *rapid.T, h *rules.Household, label string) rules.Income {
	in := rules.Income{
		Type:   rapid.SampledFrom(rules.IncomeTypes()).Draw(t, label+"_type"),
		Amount: drawMoney(t, label+"_amount"),
	}
	// "" means the applicant.
	if k := rapid.IntRange(-1, len(h.Members)-1).Draw(t, label+"_person"); k >= 0 {
		in.Person = h.Members[k].ID
	}
	if in.Type == rules.Salary && in.Person != "" && rapid.Bool().Draw(t, label+"_has_earned") {
		for _, m := range h.Members {
			if m.ID == in.Person && m.Role == rules.Child {
				// Around the yearly limit of one prisbasbelopp.
				in.EarnedThisYear = bistand.Kronor(rapid.Int64Range(0, 80_000).Draw(t, label+"_earned_this_year"))
			}
		}
	}
	return in
}

// drawHousehold draws a valid household-month.
func drawHousehold(t *rapid.T) *rules.Household {
	muni := rapid.SampledFrom(propMunicipalities).Draw(t, "municipality")
	months := coveredMonths()[muniID(muni)]
	if len(months) == 0 {
		t.Fatalf("no covered months for municipality %q", muniID(muni))
	}
	h := &rules.Household{
		Month:        rapid.SampledFrom(months).Draw(t, "month"),
		Municipality: muni,
	}
	h.Members = append(h.Members, drawAdult(t, h.Month, drawID(t, "a", "applicant_id"), rules.Applicant))
	if rapid.Bool().Draw(t, "has_partner") {
		h.Members = append(h.Members, drawAdult(t, h.Month, drawID(t, "p", "partner_id"), rules.Partner))
	}
	n := rapid.IntRange(0, 9).Draw(t, "children")
	for i := range n {
		h.Members = append(h.Members, drawChild(t, h.Month, drawID(t, fmt.Sprintf("c%d", i), "child_id")))
	}
	// The applicant need not come first.
	h.Members = rapid.Permutation(h.Members).Draw(t, "member_order")
	switch rapid.IntRange(0, 3).Draw(t, "dwelling_kind") {
	case 1:
		h.DwellingSize = len(h.Members)
	case 2:
		h.DwellingSize = len(h.Members) + rapid.IntRange(1, 6).Draw(t, "dwelling_extra")
	case 3:
		h.DwellingSize = rapid.IntRange(len(h.Members), rules.MaxDwellingSize).Draw(t, "dwelling_size")
	}
	for i := range rapid.IntRange(0, 14).Draw(t, "costs") {
		h.Costs = append(h.Costs, drawCost(t, h, fmt.Sprintf("cost%d", i)))
	}
	for i := range rapid.IntRange(0, 12).Draw(t, "incomes") {
		h.Incomes = append(h.Incomes, drawIncome(t, h, fmt.Sprintf("income%d", i)))
	}
	h.MonthsOnAssistance = rapid.IntRange(0, 40).Draw(t, "months_on_assistance")
	if rapid.Bool().Draw(t, "has_jobbstimulans_since") {
		h.JobbstimulansSince = h.Month.Add(-rapid.IntRange(0, 40).Draw(t, "jobbstimulans_months_before"))
	}
	return h
}

var householdGen = rapid.Custom(drawHousehold)

// nearBoundaryGen draws households whose income falls just short of or just
// exceeds the needs: a counted income of type other is added so that the
// needs exceed the income by −300 to +300 kr. That is where rounding may
// bring the amount to zero and where the outcome turns.
var nearBoundaryGen = rapid.Custom(func(t *rapid.T) *rules.Household {
	h := drawHousehold(t)
	r := mustCalc(t, h, false)
	net := r.NeedsTotal - r.IncomeTotal
	want := bistand.Money(rapid.Int64Range(-30_000, 30_000).Draw(t, "net_wanted"))
	if extra := net - want; extra >= 0 {
		h.Incomes = append(h.Incomes, rules.Income{Type: rules.OtherIncome, Amount: extra})
	}
	return h
})

// anyHouseholdGen draws from both generators.
var anyHouseholdGen = rapid.OneOf(householdGen, nearBoundaryGen)

func cloneHousehold(h *rules.Household) *rules.Household {
	c := *h
	c.Members = slices.Clone(h.Members)
	c.Costs = slices.Clone(h.Costs)
	c.Incomes = slices.Clone(h.Incomes)
	return &c
}

// mustCalc calculates a household the generator made valid: an error is a
// failure of the engine (or of the generator).
func mustCalc(t interface {
	Helper()
	Fatalf(string, ...any)
}, h *rules.Household, trace bool) *rules.Result {
	t.Helper()
	r, err := rules.Default().Calculate(h, rules.Options{Trace: trace})
	if err != nil {
		b, _ := h.MarshalJSON()
		t.Fatalf("valid household rejected: %v\n%s", err, b)
	}
	if r == nil {
		t.Fatalf("Calculate returned neither a result nor an error")
	}
	return r
}

func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v (marshal: %v)", v, err)
	}
	return string(b)
}

// checkResult checks the invariants every result satisfies: the lines of a
// traced result add up to the totals, the outcome agrees with the amount and
// the surplus, and the verification counts agree with the lines.
func checkResult(r *rules.Result, traced bool) error {
	if r.NeedsTotal != r.NormTotal+r.CostsTotal {
		return fmt.Errorf("needs %d != norm %d + costs %d", r.NeedsTotal, r.NormTotal, r.CostsTotal)
	}
	if r.Amount < 0 || r.Surplus < 0 {
		return fmt.Errorf("negative amount %d or surplus %d", r.Amount, r.Surplus)
	}
	if r.Verified != (r.UnverifiedLines == 0) {
		return fmt.Errorf("verified %v with %d unverified lines", r.Verified, r.UnverifiedLines)
	}
	var sums = map[rules.Section]bistand.Money{}
	unverified := 0
	for i, l := range r.Lines {
		switch l.Section {
		case rules.SectionNorm, rules.SectionCosts, rules.SectionIncome, rules.SectionResult:
		default:
			return fmt.Errorf("line %d (%s): unknown section %q", i, l.Rule, l.Section)
		}
		sums[l.Section] += l.Amount
		if !l.Verified {
			unverified++
		}
		if want := l.Status == "" || l.Status == rules.Confirmed; l.Verified != want {
			return fmt.Errorf("line %d (%s): verified %v with status %q", i, l.Rule, l.Verified, l.Status)
		}
	}
	if traced {
		if sums[rules.SectionNorm] != r.NormTotal {
			return fmt.Errorf("norm lines sum to %d, norm total %d", sums[rules.SectionNorm], r.NormTotal)
		}
		if sums[rules.SectionCosts] != r.CostsTotal {
			return fmt.Errorf("cost lines sum to %d, costs total %d", sums[rules.SectionCosts], r.CostsTotal)
		}
		if sums[rules.SectionIncome] != r.IncomeTotal {
			return fmt.Errorf("income lines sum to %d, income total %d", sums[rules.SectionIncome], r.IncomeTotal)
		}
		if unverified != r.UnverifiedLines {
			return fmt.Errorf("%d lines are not verified, unverified_lines %d", unverified, r.UnverifiedLines)
		}
	} else if len(r.Lines) != 0 {
		return fmt.Errorf("%d lines without a trace", len(r.Lines))
	}
	switch r.Outcome {
	case rules.Approved:
		if r.Amount <= 0 {
			return fmt.Errorf("approved with amount %d", r.Amount)
		}
		if traced {
			if want := r.NeedsTotal - r.IncomeTotal + sums[rules.SectionResult]; r.Amount != want {
				return fmt.Errorf("approved amount %d != needs %d − income %d + result lines %d", r.Amount, r.NeedsTotal, r.IncomeTotal, sums[rules.SectionResult])
			}
		}
		if r.Surplus != 0 {
			return fmt.Errorf("approved with surplus %d", r.Surplus)
		}
	case rules.Rejected:
		if r.Amount != 0 {
			return fmt.Errorf("rejected with amount %d", r.Amount)
		}
		if want := max(0, r.IncomeTotal-r.NeedsTotal); r.Surplus != want {
			return fmt.Errorf("rejected with surplus %d, want max(0, income %d − needs %d) = %d", r.Surplus, r.IncomeTotal, r.NeedsTotal, want)
		}
	default:
		return fmt.Errorf("unknown outcome %q", r.Outcome)
	}
	return nil
}

// (a) More income never raises the amount.
func TestPropertyMoreIncomeNeverRaisesAmount(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := anyHouseholdGen.Draw(t, "household")
		before := mustCalc(t, h, false)
		h2 := cloneHousehold(h)
		if len(h2.Incomes) > 0 && rapid.Bool().Draw(t, "raise_existing") {
			i := rapid.IntRange(0, len(h2.Incomes)-1).Draw(t, "raise_index")
			h2.Incomes[i].Amount += bistand.Money(rapid.Int64Range(1, 2_000_000).Draw(t, "raise_by"))
		} else {
			in := drawIncome(t, h2, "added_income")
			in.Amount += bistand.Money(rapid.Int64Range(0, 100).Draw(t, "added_extra"))
			h2.Incomes = append(h2.Incomes, in)
		}
		after := mustCalc(t, h2, false)
		if after.Amount > before.Amount {
			t.Fatalf("more income raised the amount from %d to %d\nbefore: %s\nafter:  %s", before.Amount, after.Amount, dump(h), dump(h2))
		}
		if after.IncomeTotal < before.IncomeTotal {
			t.Fatalf("more income lowered the income counted from %d to %d\nbefore: %s\nafter:  %s", before.IncomeTotal, after.IncomeTotal, dump(h), dump(h2))
		}
		if before.Outcome == rules.Rejected && after.Outcome == rules.Rejected && after.Surplus < before.Surplus {
			t.Fatalf("more income lowered the surplus from %d to %d\nbefore: %s\nafter:  %s", before.Surplus, after.Surplus, dump(h), dump(h2))
		}
	})
}

// (b) Adding a member never lowers the norm.
func TestPropertyAddingMemberNeverLowersNorm(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := anyHouseholdGen.Draw(t, "household")
		before := mustCalc(t, h, false)
		h2 := cloneHousehold(h)
		hasPartner := slices.ContainsFunc(h.Members, func(m rules.Member) bool { return m.Role == rules.Partner })
		var added rules.Member
		if !hasPartner && rapid.Bool().Draw(t, "add_partner") {
			added = drawAdult(t, h.Month, "added-partner", rules.Partner)
		} else {
			added = drawChild(t, h.Month, "added-child")
		}
		pos := rapid.IntRange(0, len(h2.Members)).Draw(t, "added_position")
		h2.Members = slices.Insert(h2.Members, pos, added)
		if h2.DwellingSize != 0 && h2.DwellingSize == len(h.Members) {
			h2.DwellingSize++
		}
		after := mustCalc(t, h2, false)
		if after.HouseholdSize != before.HouseholdSize+1 {
			t.Fatalf("household size %d after adding a member to %d", after.HouseholdSize, before.HouseholdSize)
		}
		if after.NormTotal < before.NormTotal {
			t.Fatalf("adding a %s lowered the norm from %d to %d\nbefore: %s\nafter:  %s", added.Role, before.NormTotal, after.NormTotal, dump(h), dump(h2))
		}
	})
}

// (c) The lines of a traced result add up to its totals, and the outcome,
// amount, surplus and verification agree.
func TestPropertyTraceLinesAddUp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := anyHouseholdGen.Draw(t, "household")
		r := mustCalc(t, h, true)
		if err := checkResult(r, true); err != nil {
			t.Fatalf("%v\nhousehold: %s\nresult: %s", err, dump(h), dump(r))
		}
		if r.HouseholdSize != len(h.Members) {
			t.Fatalf("household size %d, %d members", r.HouseholdSize, len(h.Members))
		}
	})
}

// (d) Tracing changes nothing but the lines.
func TestPropertyTraceOnOffSameTotals(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := anyHouseholdGen.Draw(t, "household")
		on := mustCalc(t, h, true)
		off := mustCalc(t, h, false)
		if err := checkResult(off, false); err != nil {
			t.Fatalf("without trace: %v\nhousehold: %s", err, dump(h))
		}
		stripped := *on
		stripped.Lines = nil
		if !reflect.DeepEqual(&stripped, off) {
			t.Fatalf("trace changed the result\nhousehold: %s\nwith trace:    %s\nwithout trace: %s", dump(h), dump(&stripped), dump(off))
		}
		if on.Amount != off.Amount || on.Outcome != off.Outcome || on.Verified != off.Verified || on.UnverifiedLines != off.UnverifiedLines {
			t.Fatalf("trace changed amount, outcome or verification")
		}
	})
}

// (e) Marshalling is deterministic, and a household marshalled, parsed back
// and calculated again gives the same result, byte for byte.
func TestPropertyDeterministicReplay(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := anyHouseholdGen.Draw(t, "household")
		r := mustCalc(t, h, true)
		b1, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("result does not marshal: %v\nhousehold: %s", err, dump(h))
		}
		b2, err := json.Marshal(r)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("marshalling twice differs (%v):\n%s\n%s", err, b1, b2)
		}
		if b3, err := json.Marshal(mustCalc(t, h, true)); err != nil || !bytes.Equal(b1, b3) {
			t.Fatalf("calculating twice differs (%v):\n%s\n%s", err, b1, b3)
		}
		hb, err := h.MarshalJSON()
		if err != nil {
			t.Fatalf("household does not marshal: %v", err)
		}
		h2, err := rules.ParseHouseholdBytes(hb)
		if err != nil {
			t.Fatalf("marshalled household does not parse: %v\n%s", err, hb)
		}
		hb2, err := h2.MarshalJSON()
		if err != nil || !bytes.Equal(hb, hb2) {
			t.Fatalf("household JSON not stable across a round trip (%v):\n%s\n%s", err, hb, hb2)
		}
		rb, err := json.Marshal(mustCalc(t, h2, true))
		if err != nil {
			t.Fatalf("replayed result does not marshal: %v", err)
		}
		if !bytes.Equal(b1, rb) {
			t.Fatalf("replay differs\nhousehold: %s\noriginal: %s\nreplayed: %s", hb, b1, rb)
		}
	})
}

// roundingOf returns the rounding rule of municipality id in month mo
// from the rule data.
func roundingOf(t *rapid.T, id string, mo bistand.Month) *rules.RoundingVersion {
	m := rules.Default().Municipality(id)
	if m == nil {
		t.Fatalf("no municipality %q", id)
	}
	for _, r := range m.Rounding {
		if r.Contains(mo.FirstDay()) {
			return r
		}
	}
	t.Fatalf("no rounding rule for %s in %s", id, mo)
	return nil
}

// (f) The amount is never negative, and rounding moves it by less than the
// rounding unit.
func TestPropertyAmountNonNegativeRoundingBounded(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := anyHouseholdGen.Draw(t, "household")
		for _, trace := range []bool{false, true} {
			r := mustCalc(t, h, trace)
			if r.Amount < 0 {
				t.Fatalf("negative amount %d\nhousehold: %s", r.Amount, dump(h))
			}
			rv := roundingOf(t, muniID(h.Municipality), h.Month)
			unit := bistand.Money(rv.Unit * 100)
			net := r.NeedsTotal - r.IncomeTotal
			if net <= 0 {
				if r.Amount != 0 {
					t.Fatalf("amount %d although income %d covers needs %d", r.Amount, r.IncomeTotal, r.NeedsTotal)
				}
				continue
			}
			if d := r.Amount - net; d <= -unit || d >= unit {
				t.Fatalf("rounding %q to %d kr moved %d to %d\nhousehold: %s", rv.Mode, rv.Unit, net, r.Amount, dump(h))
			}
			if rv.Mode == rules.RoundNone && r.Amount != net {
				t.Fatalf("no rounding, yet %d became %d", net, r.Amount)
			}
			if !trace {
				continue
			}
			var rounding []rules.Line
			for _, l := range r.Lines {
				if l.Section == rules.SectionResult {
					rounding = append(rounding, l)
				}
			}
			if len(rounding) != 1 || rounding[0].Amount != r.Amount-net {
				t.Fatalf("want one result line of %d, got %s", r.Amount-net, dump(rounding))
			}
		}
	})
}
