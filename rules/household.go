package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/bistand/bistand"
)

// Household is one household-month to calculate: who applies, for which
// month, under which municipality's guidelines, with which costs and incomes.
// Amounts are öre; dates are civil dates.
type Household struct {
	Month        bistand.Month
	Municipality string // guideline set; "" means DefaultMunicipality
	Members      []Member
	// DwellingSize is everyone living in the dwelling, applying or not;
	// 0 means the number of members.
	DwellingSize int
	Costs        []Cost
	Incomes      []Income
	// MonthsOnAssistance is the number of consecutive months of
	// försörjningsstöd just before Month.
	MonthsOnAssistance int
	// JobbstimulansSince is the first month jobbstimulans applied; zero when
	// it has not (it then starts this month if MonthsOnAssistance qualifies).
	JobbstimulansSince bistand.Month
}

// DefaultMunicipality is the guideline set used when none is named.
const DefaultMunicipality = "demo"

// Member is a person in the household applying.
type Member struct {
	ID             string
	Role           Role
	BirthDate      bistand.Date // required for a child
	LunchElsewhere bool         // a child up to 6 eating weekday lunch in förskola or similar
	InSchool       bool         // a young person at home still in school (counts at 19–20)
}

// Cost is one reasonable cost claimed for the month.
type Cost struct {
	Type       CostType
	Amount     bistand.Money
	Person     string // optional: whom the cost concerns
	Motivation string // required for OtherCost
	// CapNotified is when the household was told this cost is above the
	// municipality's guideline; the rådrum runs from then.
	CapNotified bistand.Date
}

// Income is one income of a member for the month, net of tax.
type Income struct {
	Type   IncomeType
	Person string // member id; "" means the applicant
	Amount bistand.Money
	// EarnedThisYear is, for a child's salary, what the child earned from it
	// earlier in the same calendar year (for the yearly exemption).
	EarnedThisYear bistand.Money
}

// FieldError is invalid input, naming the field in JSON path notation
// (for example "members[2].birth_date").
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

func indexed(list string, i int, field string) string {
	s := list + "[" + strconv.Itoa(i) + "]"
	if field != "" {
		s += "." + field
	}
	return s
}

// Limits that keep every sum far from overflow and a hostile input cheap.
const (
	MaxMembers      = 30
	MaxDwellingSize = 100
	MaxEntries      = 200 // costs or incomes
)

// member facts derived during validation.
type memberInfo struct {
	age  int // on the first day of the month; -1 for an adult without a birth date
	band int // child band, -1 for adults
}

// validate checks h against the rules of the input contract and derives each
// member's age and band. It does not depend on rule data.
func (h *Household) validate(infos []memberInfo) (applicant int, err error) {
	if h.Month.IsZero() {
		return 0, fieldErr("month", "required (YYYY-MM)")
	}
	if len(h.Members) == 0 {
		return 0, fieldErr("members", "at least the applicant is required")
	}
	if len(h.Members) > MaxMembers {
		return 0, fieldErr("members", "at most %d members", MaxMembers)
	}
	first, last := h.Month.FirstDay(), h.Month.LastDay()
	applicant, partner := -1, -1
	for i, m := range h.Members {
		if m.ID == "" {
			return 0, fieldErr(indexed("members", i, "id"), "required")
		}
		if len(m.ID) > 64 {
			return 0, fieldErr(indexed("members", i, "id"), "at most 64 characters")
		}
		if strings.ContainsFunc(m.ID, unicode.IsControl) {
			return 0, fieldErr(indexed("members", i, "id"), "must not contain control characters")
		}
		for j := range i {
			if h.Members[j].ID == m.ID {
				return 0, fieldErr(indexed("members", i, "id"), "%q is used twice", m.ID)
			}
		}
		info := memberInfo{age: -1, band: -1}
		if !m.BirthDate.IsZero() {
			if m.BirthDate.After(last) {
				return 0, fieldErr(indexed("members", i, "birth_date"), "after the month applied for")
			}
			info.age = max(m.BirthDate.AgeOn(first), 0)
		}
		switch m.Role {
		case Applicant:
			if applicant >= 0 {
				return 0, fieldErr(indexed("members", i, "role"), "a second applicant; a household has one applicant and at most one partner")
			}
			applicant = i
		case Partner:
			if partner >= 0 {
				return 0, fieldErr(indexed("members", i, "role"), "a second partner")
			}
			partner = i
		case Child:
			if m.BirthDate.IsZero() {
				return 0, fieldErr(indexed("members", i, "birth_date"), "required for a child")
			}
			info.band = bandOf(info.age)
			if info.band < 0 {
				return 0, fieldErr(indexed("members", i, "birth_date"), "a child is at most 20 years old on the first day of the month; an older young person applies on their own")
			}
			if info.band == numBands-1 && !m.InSchool {
				return 0, fieldErr(indexed("members", i, "in_school"), "a young person aged 19–20 counts in the household only while in school")
			}
		default:
			return 0, fieldErr(indexed("members", i, "role"), "must be applicant, partner or child")
		}
		if m.Role != Child && (m.LunchElsewhere || m.InSchool) {
			field := "lunch_elsewhere"
			if m.InSchool {
				field = "in_school"
			}
			return 0, fieldErr(indexed("members", i, field), "only for a child")
		}
		infos[i] = info
	}
	if applicant < 0 {
		if partner >= 0 {
			return 0, fieldErr(indexed("members", partner, "role"), "a partner without an applicant")
		}
		return 0, fieldErr("members", "an applicant is required")
	}
	if h.DwellingSize != 0 && (h.DwellingSize < len(h.Members) || h.DwellingSize > MaxDwellingSize) {
		return 0, fieldErr("dwelling_size", "must be between the number of members (%d) and %d", len(h.Members), MaxDwellingSize)
	}
	if h.MonthsOnAssistance < 0 || h.MonthsOnAssistance > 1200 {
		return 0, fieldErr("months_on_assistance", "must be between 0 and 1200")
	}
	if !h.JobbstimulansSince.IsZero() && h.JobbstimulansSince > h.Month {
		return 0, fieldErr("jobbstimulans_since", "after the month applied for")
	}
	if len(h.Costs) > MaxEntries {
		return 0, fieldErr("costs", "at most %d entries", MaxEntries)
	}
	for i, c := range h.Costs {
		if c.Type >= numCostTypes {
			return 0, fieldErr(indexed("costs", i, "type"), "unknown cost type")
		}
		if err := checkAmount(indexed("costs", i, "amount"), c.Amount); err != nil {
			return 0, err
		}
		if c.Person != "" && h.member(c.Person) < 0 {
			return 0, fieldErr(indexed("costs", i, "person"), "no member has id %q", c.Person)
		}
		if c.Type == OtherCost && c.Motivation == "" {
			return 0, fieldErr(indexed("costs", i, "motivation"), "required for a cost of type other")
		}
		if !c.CapNotified.IsZero() && c.CapNotified.After(last) {
			return 0, fieldErr(indexed("costs", i, "cap_notified"), "after the month applied for")
		}
	}
	if len(h.Incomes) > MaxEntries {
		return 0, fieldErr("incomes", "at most %d entries", MaxEntries)
	}
	for i, in := range h.Incomes {
		if in.Type >= numIncomeTypes {
			return 0, fieldErr(indexed("incomes", i, "type"), "unknown income type")
		}
		if err := checkAmount(indexed("incomes", i, "amount"), in.Amount); err != nil {
			return 0, err
		}
		p := h.earner(in, applicant)
		if p < 0 {
			return 0, fieldErr(indexed("incomes", i, "person"), "no member has id %q", in.Person)
		}
		if in.EarnedThisYear != 0 {
			if in.Type != Salary || h.Members[p].Role != Child {
				return 0, fieldErr(indexed("incomes", i, "earned_this_year"), "only for a child's salary")
			}
			if err := checkAmount(indexed("incomes", i, "earned_this_year"), in.EarnedThisYear); err != nil {
				return 0, err
			}
		}
	}
	return applicant, nil
}

func checkAmount(field string, m bistand.Money) error {
	if m < 0 || m > bistand.MaxMoney {
		return fieldErr(field, "must be between 0 and %s", bistand.MaxMoney.Decimal())
	}
	return nil
}

// earner returns the index of the member whose income in is: its person, or
// the applicant when none is named; -1 for an unknown person.
func (h *Household) earner(in Income, applicant int) int {
	if in.Person == "" {
		return applicant
	}
	return h.member(in.Person)
}

func (h *Household) member(id string) int {
	for i := range h.Members {
		if h.Members[i].ID == id {
			return i
		}
	}
	return -1
}
