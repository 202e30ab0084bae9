// Package collect turns register data into facts and findings: it maps
// register payments to the calculation's income types by a table (data, not
// code), compares them with what the household declared and with last
// month, and says what a person must look at. Compare is pure; Collector
// (collector.go) fetches the data and records the outcome.
package collect

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

// Mapping says which income type a register payment is.
type Mapping struct {
	Source                 string `json:"source"`
	Benefit                string `json:"benefit"`
	IncomeType             string `json:"income_type"`
	Label                  string `json:"label"`
	ChangeThresholdPercent int64  `json:"change_threshold_percent"`
}

// Table is the mapping from register payments to income types.
type Table struct {
	mappings []Mapping
	covered  map[string]bool // income types some register reports
}

//go:embed mapping.json
var mappingJSON []byte

// DefaultTable returns the mapping shipped with bistand (collect/mapping.json).
func DefaultTable() *Table {
	t, err := ParseTable(mappingJSON)
	if err != nil {
		panic(err) // the embedded table is tested
	}
	return t
}

// ParseTable reads a mapping table and checks every income type exists.
func ParseTable(b []byte) (*Table, error) {
	var raw struct {
		About    string    `json:"about"`
		Mappings []Mapping `json:"mappings"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	t := &Table{covered: map[string]bool{}}
	seen := map[string]bool{}
	for _, m := range raw.Mappings {
		if _, ok := rules.ParseIncomeType(m.IncomeType); !ok {
			return nil, fmt.Errorf("mapping %s/%s: unknown income type %q", m.Source, m.Benefit, m.IncomeType)
		}
		if m.Source == "" || m.Benefit == "" || m.Label == "" || m.ChangeThresholdPercent <= 0 {
			return nil, fmt.Errorf("mapping %s/%s: source, benefit, label and change_threshold_percent are required", m.Source, m.Benefit)
		}
		if seen[m.Source+"/"+m.Benefit] {
			return nil, fmt.Errorf("mapping %s/%s twice", m.Source, m.Benefit)
		}
		seen[m.Source+"/"+m.Benefit] = true
		t.mappings = append(t.mappings, m)
		t.covered[m.IncomeType] = true
	}
	return t, nil
}

// Lookup returns the mapping of a payment.
func (t *Table) Lookup(source, benefit string) (Mapping, bool) {
	for _, m := range t.mappings {
		if m.Source == source && m.Benefit == benefit {
			return m, true
		}
	}
	return Mapping{}, false
}

// Covered reports whether some register reports the income type.
func (t *Table) Covered(incomeType string) bool { return t.covered[incomeType] }

// IncomeBasis says which month a register payment belongs to.
type IncomeBasis string

// The income bases.
const (
	// IncomeBasisPaid: a payment belongs to the month it was paid out in
	// (its payment date), whatever month it is for. With
	// CalculationMonthOffset −1 the income counted for a month is what was
	// paid in the month before — what municipalities count today, and
	// what the household sees on its bank statement. A benefit for October
	// paid on 3 November counts in November.
	IncomeBasisPaid IncomeBasis = "paid"
	// IncomeBasisPeriod: a payment belongs to the month it is for (its
	// period, when the register gives one within a month; else the month
	// it was paid). A benefit for October paid on 3 November counts in
	// October.
	IncomeBasisPeriod IncomeBasis = "period"
)

// Config holds the municipality's settings for the comparison.
type Config struct {
	// Tolerance is how far declared and register amounts may differ
	// without a finding.
	Tolerance bistand.Money
	// CalculationMonthOffset is which month's payments count for the month
	// applied for: -1, the month before, as municipalities do.
	CalculationMonthOffset int
	// IncomeBasis is which month a payment belongs to: IncomeBasisPaid
	// (also when empty) or IncomeBasisPeriod. The calculation month, the
	// month before it (for the change check) and "not in the register"
	// are all read on this basis.
	IncomeBasis IncomeBasis
	// PollDays is how long to keep asking the registers for income that
	// is expected but has not arrived, before a person takes over.
	PollDays int
}

// DefaultConfig is what bistand does unless a municipality says otherwise.
func DefaultConfig() Config {
	return Config{Tolerance: bistand.Kronor(50), CalculationMonthOffset: -1, IncomeBasis: IncomeBasisPaid, PollDays: 5}
}

// Payment is one register payment to a household member.
type Payment struct {
	Person    string // member's person id
	Source    string
	Benefit   string
	Reference string
	PaidOn    bistand.Date
	// For is the month the payment is for: the month of its period when the
	// register gives one within a month; zero otherwise.
	For bistand.Month
	Net bistand.Money
}

// month is the month the payment belongs to on a basis: the month it was
// paid (IncomeBasisPaid, and an unknown basis), or the month it is for
// (IncomeBasisPeriod; the month paid when the register gives no period).
func (p Payment) month(basis IncomeBasis) bistand.Month {
	if basis == IncomeBasisPeriod && !p.For.IsZero() {
		return p.For
	}
	return p.PaidOn.Month()
}

// SourceError is a register that did not answer for a member.
type SourceError struct {
	Person  string
	Source  string
	Code    string
	Message string
}

// Income is an income fact in force.
type Income struct {
	Key        string
	Person     string // person id ("" = the applicant)
	Type       string
	Amount     bistand.Money
	Provenance bistand.Provenance
}

// Input is everything the comparison looks at.
type Input struct {
	Month     bistand.Month
	Applicant string // the applicant's person id
	Incomes   []Income
	Payments  []Payment
	Errors    []SourceError
	// Previous is the household-month last decided for the case, if any.
	Previous *rules.Household
	// Current is the household-month the facts describe now, if valid.
	Current *rules.Household
	// Today and CollectingSince bound the polling for expected income.
	Today, CollectingSince bistand.Date
}

// RegisterIncome is an income the registers show for the calculation month.
type RegisterIncome struct {
	Person     string
	Type       string
	Amount     bistand.Money
	Sources    []string // source/benefit of each payment
	References []string // the registers' ids of the payments
	LastPaidOn bistand.Date
}

// Key is the fact key the income is recorded under.
func (r RegisterIncome) Key() string { return IncomeKey(r.Type, r.Person) }

// IncomeKey is the fact key of a person's income of a type: a register
// income replaces the declared one under the same key.
func IncomeKey(incomeType, person string) string { return "income:" + incomeType + ":" + person }

// Output is what the comparison concludes.
type Output struct {
	Incomes []RegisterIncome
	// Retract lists declared income keys that a register income replaces
	// under another key.
	Retract  []string
	Findings []sqlstore.FindingInput
	// Waiting is true when expected register data has not arrived and the
	// polling window is still open: ask again later.
	Waiting bool
}

type personType struct{ person, typ string }

// Compare maps, compares and concludes. It is deterministic: the same input
// gives the same output in the same order.
func Compare(t *Table, cfg Config, in Input) Output {
	var out Output
	calc := in.Month.Add(cfg.CalculationMonthOffset)
	prev := calc.Add(-1)
	pollOpen := !in.CollectingSince.IsZero() && in.Today.Before(in.CollectingSince.AddDays(cfg.PollDays))
	person := func(p string) string {
		if p == "" {
			return in.Applicant
		}
		return p
	}
	// Register payments by person and benefit, for the two months.
	type benefitKey struct{ person, source, benefit string }
	amounts := map[benefitKey][2]bistand.Money{} // [previous month, calculation month]
	var benefitOrder []benefitKey
	register := map[personType]*RegisterIncome{}
	var registerOrder []personType
	for _, p := range in.Payments {
		mo := p.month(cfg.IncomeBasis)
		if mo != calc && mo != prev {
			continue
		}
		m, ok := t.Lookup(p.Source, p.Benefit)
		if !ok {
			if mo == calc {
				out.Findings = append(out.Findings, sqlstore.FindingInput{
					Kind: bistand.FindingUnmappedRegisterIncome, Subject: p.Source + ":" + p.Benefit + ":" + p.Person,
					Text: fmt.Sprintf("En utbetalning från %s (förmån %s, %s) finns inte i tabellen över inkomsttyper. Bedöm om den ska räknas som inkomst.", p.Source, p.Benefit, p.Net),
					Data: map[string]any{"person": p.Person, "source": p.Source, "benefit": p.Benefit, "net": p.Net, "paid_on": p.PaidOn, "reference": p.Reference},
				})
			}
			continue
		}
		bk := benefitKey{p.Person, p.Source, p.Benefit}
		a, seen := amounts[bk]
		if !seen {
			benefitOrder = append(benefitOrder, bk)
		}
		if mo == calc {
			a[1] += p.Net
			k := personType{p.Person, m.IncomeType}
			r := register[k]
			if r == nil {
				r = &RegisterIncome{Person: p.Person, Type: m.IncomeType}
				register[k] = r
				registerOrder = append(registerOrder, k)
			}
			r.Amount += p.Net
			r.Sources = append(r.Sources, p.Source+"/"+p.Benefit)
			r.References = append(r.References, p.Reference)
			if p.PaidOn.After(r.LastPaidOn) {
				r.LastPaidOn = p.PaidOn
			}
		} else {
			a[0] += p.Net
		}
		amounts[bk] = a
	}
	// Changes between the two previous months, per benefit.
	for _, bk := range benefitOrder {
		a := amounts[bk]
		m, _ := t.Lookup(bk.source, bk.benefit)
		if a[0] <= 0 || a[1] <= 0 {
			continue
		}
		diff := a[1] - a[0]
		if diff < 0 {
			diff = -diff
		}
		if int64(diff)*100 > int64(a[0])*m.ChangeThresholdPercent {
			out.Findings = append(out.Findings, sqlstore.FindingInput{
				Kind: bistand.FindingIncomeChange, Subject: bk.source + ":" + bk.benefit + ":" + bk.person,
				Text: fmt.Sprintf("%s ändrades från %s i %s till %s i %s, mer än %d %%.", m.Label, a[0], prev, a[1], calc, m.ChangeThresholdPercent),
				Data: map[string]any{"person": bk.person, "source": bk.source, "benefit": bk.benefit, "previous": a[0], "current": a[1], "threshold_percent": m.ChangeThresholdPercent,
					"facts": []string{IncomeKey(m.IncomeType, bk.person)}},
			})
		}
	}
	// Declared incomes per person and type.
	declared := map[personType]bistand.Money{}
	declaredKeys := map[personType][]string{}
	var declaredOrder []personType
	for _, inc := range in.Incomes {
		if inc.Provenance != bistand.Declared {
			continue
		}
		k := personType{person(inc.Person), inc.Type}
		if _, ok := declaredKeys[k]; !ok {
			declaredOrder = append(declaredOrder, k)
		}
		declared[k] += inc.Amount
		declaredKeys[k] = append(declaredKeys[k], inc.Key)
	}
	// Register against declared.
	for _, k := range registerOrder {
		r := register[k]
		out.Incomes = append(out.Incomes, *r)
		d, wasDeclared := declared[k]
		m := t.label(k.typ)
		facts := append([]string{r.Key()}, declaredKeys[k]...)
		switch {
		case !wasDeclared:
			out.Findings = append(out.Findings, sqlstore.FindingInput{
				Kind: bistand.FindingIncomeNotDeclared, Subject: k.typ + ":" + k.person,
				Text: fmt.Sprintf("%s på %s finns i registret men uppgavs inte i ansökan. Registeruppgiften räknas.", m, r.Amount),
				Data: map[string]any{"person": k.person, "income_type": k.typ, "register": r.Amount, "references": r.References, "facts": facts},
			})
		case absDiff(d, r.Amount) > cfg.Tolerance:
			out.Findings = append(out.Findings, sqlstore.FindingInput{
				Kind: bistand.FindingIncomeMismatch, Subject: k.typ + ":" + k.person,
				Text: fmt.Sprintf("%s: uppgiven %s, enligt registret %s. Registeruppgiften räknas.", m, d, r.Amount),
				Data: map[string]any{"person": k.person, "income_type": k.typ, "declared": d, "register": r.Amount, "tolerance": cfg.Tolerance, "references": r.References, "facts": facts},
			})
		}
		for _, key := range declaredKeys[k] {
			if key != r.Key() {
				out.Retract = append(out.Retract, key)
			}
		}
	}
	// Declared incomes a register should show but does not (yet).
	for _, k := range declaredOrder {
		if !t.Covered(k.typ) || register[k] != nil {
			continue
		}
		if pollOpen {
			out.Waiting = true
			continue
		}
		out.Findings = append(out.Findings, sqlstore.FindingInput{
			Kind: bistand.FindingIncomeNotInRegister, Subject: k.typ + ":" + k.person,
			Text: fmt.Sprintf("%s på %s uppgavs i ansökan men syns inte i registret för %s.", t.label(k.typ), declared[k], calc),
			Data: map[string]any{"person": k.person, "income_type": k.typ, "declared": declared[k], "month": calc, "facts": declaredKeys[k]},
		})
	}
	// Every income type counted last month must appear again.
	if in.Previous != nil {
		now := map[personType]bool{}
		for k := range declared {
			now[k] = true
		}
		for k := range register {
			now[k] = true
		}
		var missing []personType
		for _, inc := range in.Previous.Incomes {
			k := personType{inc.Person, inc.Type.String()}
			if k.person == "" {
				k.person = applicantOf(in.Previous)
			}
			if !now[k] && !slices.Contains(missing, k) {
				missing = append(missing, k)
			}
		}
		for _, k := range missing {
			if t.Covered(k.typ) && pollOpen {
				out.Waiting = true
				continue
			}
			kind, text := bistand.FindingIncomeTypeGone, fmt.Sprintf("%s räknades förra månaden men finns inte med nu.", t.label(k.typ))
			if t.Covered(k.typ) {
				kind, text = bistand.FindingExpectedIncomeMissing, fmt.Sprintf("%s räknades förra månaden men har inte kommit enligt registret.", t.label(k.typ))
			}
			out.Findings = append(out.Findings, sqlstore.FindingInput{Kind: kind, Subject: k.typ + ":" + k.person, Text: text,
				Data: map[string]any{"person": k.person, "income_type": k.typ, "facts": []string{IncomeKey(k.typ, k.person)}}})
		}
	}
	// Sources that did not answer.
	for _, e := range in.Errors {
		if pollOpen {
			out.Waiting = true
		}
		out.Findings = append(out.Findings, sqlstore.FindingInput{
			Kind: bistand.FindingSourceError, Subject: e.Source + ":" + e.Person,
			Text: fmt.Sprintf("%s svarade inte (%s). Uppgifter från källan saknas.", e.Source, strings.TrimSpace(e.Code+" "+e.Message)),
			Data: map[string]any{"person": e.Person, "source": e.Source, "code": e.Code, "message": e.Message},
		})
	}
	return out
}

func applicantOf(h *rules.Household) string {
	for _, m := range h.Members {
		if m.Role == rules.Applicant {
			return m.ID
		}
	}
	return ""
}

func absDiff(a, b bistand.Money) bistand.Money {
	if a > b {
		return a - b
	}
	return b - a
}

// label names an income type in Swedish for a finding.
func (t *Table) label(incomeType string) string {
	it, ok := rules.ParseIncomeType(incomeType)
	if !ok {
		return incomeType
	}
	if r := rules.Default().Rule("income." + it.String()); r != nil {
		return r.Label
	}
	return incomeType
}
