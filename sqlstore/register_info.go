package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bistand/bistand"
)

// The values of the facts the collector records from the registers'
// answers for the caseworker to see (bistand.FactVehicle, FactPermit,
// FactTax, FactCSN, FactFund, FactPlannedPayments, FactBenefitDecision).
// The calculation reads none of them (householdJSON ignores their kinds).
// Each names the person it is about, in its key too.

// VehicleValue is the value of a vehicle fact: a vehicle Transportstyrelsen
// registers to a person. Key "vehicle:<person>:<regnr>".
type VehicleValue struct {
	Person string `json:"person"`
	RegNr  string `json:"regnr"`
	Make   string `json:"make,omitempty"`  // fabrikat
	Model  string `json:"model,omitempty"` // handelsbeteckning
	Kind   string `json:"kind,omitempty"`  // fordonsslag: PERSONBIL, MOTORCYKEL, …
	Year   int    `json:"year,omitempty"`  // fordonsår
}

// PermitValue is the value of a permit fact: Migrationsverket's decisions
// on a person. Key "permit:<person>".
type PermitValue struct {
	Person  string        `json:"person"`
	Permits []PermitEntry `json:"permits"`
}

// PermitEntry is one of Migrationsverket's decisions.
type PermitEntry struct {
	CaseType         string       `json:"case_type,omitempty"` // arendeTyp, e.g. UAT
	CaseTypeName     string       `json:"case_type_name,omitempty"`
	DecisionCode     string       `json:"decision_code,omitempty"` // beslutsKod, e.g. BEV
	DecisionCodeName string       `json:"decision_code_name,omitempty"`
	DecisionType     string       `json:"decision_type,omitempty"` // beslutsTyp, e.g. PUT, TUT
	DecisionTypeName string       `json:"decision_type_name,omitempty"`
	Reason           string       `json:"reason,omitempty"`
	ReasonName       string       `json:"reason_name,omitempty"`
	AppliedOn        bistand.Date `json:"applied_on,omitzero"`
	DecidedOn        bistand.Date `json:"decided_on,omitzero"`
	From             bistand.Date `json:"from,omitzero"`
	To               bistand.Date `json:"to,omitzero"`
	Validity         string       `json:"validity,omitempty"` // PERMANENT or TIDBEGRANSAT
}

// TaxValue is the value of a tax fact: Skatteverket's capital income of a
// person. Key "tax:<person>".
type TaxValue struct {
	Person        string               `json:"person"`
	CapitalIncome []CapitalIncomeEntry `json:"capital_income"`
}

// CapitalIncomeEntry is the capital income of a tax year.
type CapitalIncomeEntry struct {
	TaxYear int           `json:"tax_year,omitempty"` // Taxeringsar
	Income  bistand.Money `json:"income"`             // SummaIntakterPaKapital
	Surplus bistand.Money `json:"surplus"`            // OverskottPaKapital (negative: a deficit)
}

// CSNValue is the value of a csn fact: CSN's cases of study support for a
// person. Key "csn:<person>".
type CSNValue struct {
	Person     string `json:"person"`
	ResultCode string `json:"result_code,omitempty"` // ResultatKod, "0": OK
	// Kinds are CSN's Studiestodstypforteckning, as CSN writes them.
	Kinds map[string]string `json:"kinds,omitempty"`
	Cases []CSNCaseEntry    `json:"cases"`
}

// CSNCaseEntry is one of CSN's cases.
type CSNCaseEntry struct {
	Kind    string          `json:"kind"` // Studiemedel, Studiehjalp, …
	Number  string          `json:"number,omitempty"`
	Form    string          `json:"form,omitempty"`   // stodform, e.g. GRUND
	Text    string          `json:"text,omitempty"`   // klartext
	Status  string          `json:"status,omitempty"` // BESLUTAD, …
	Granted []CSNGrantEntry `json:"granted,omitempty"`
}

// CSNGrantEntry is a granted period of study support.
type CSNGrantEntry struct {
	From  bistand.Date  `json:"from,omitzero"`
	To    bistand.Date  `json:"to,omitzero"`
	Pace  string        `json:"pace,omitempty"` // takt, percent
	Total bistand.Money `json:"total"`
}

// FundValue is the value of a fund fact: the unemployment funds' answer
// about a person. Key "fund:<person>".
type FundValue struct {
	Person string      `json:"person"`
	Funds  []FundEntry `json:"funds"`
}

// FundEntry is one fund's answer.
type FundEntry struct {
	Name                 string        `json:"name,omitempty"`   // SvarandeOrganisation
	Status               string        `json:"status,omitempty"` // StatusSvarandeOrganisation
	Suspensions          []PeriodEntry `json:"suspensions,omitempty"`
	EntitlementDecidedOn bistand.Date  `json:"entitlement_decided_on,omitzero"` // BeslutOmRattTillErsattning
	PaymentApplied       bool          `json:"payment_applied"`                 // AnsokanOmUtbetalningInlamnad
}

// PeriodEntry is a span of days, both included.
type PeriodEntry struct {
	From bistand.Date `json:"from,omitzero"`
	To   bistand.Date `json:"to,omitzero"`
}

// PlannedPaymentsValue is the value of a planned_payments fact: a
// register's payments to a person that are decided but not yet made. Key
// "planned_payments:<person>:<source>", the source FK, PM or CSN.
type PlannedPaymentsValue struct {
	Person   string                `json:"person"`
	Source   string                `json:"source"`
	Payments []PlannedPaymentEntry `json:"payments"`
}

// PlannedPaymentEntry is one planned payment.
type PlannedPaymentEntry struct {
	Benefit   string        `json:"benefit"`
	Reference string        `json:"reference"`
	PaidOn    bistand.Date  `json:"paid_on"`
	From      bistand.Date  `json:"from,omitzero"`
	To        bistand.Date  `json:"to,omitzero"`
	Gross     bistand.Money `json:"gross"`
	Tax       bistand.Money `json:"tax"`
	Net       bistand.Money `json:"net"`
}

// BenefitDecisionValue is the value of a benefit_decision fact:
// Försäkringskassan's or Pensionsmyndigheten's decisions on one benefit of
// a person. Key "benefit_decision:<person>:<source>:<benefit>", the source
// FK or PM and the benefit its förmånsgrupp ("BOB", "AP").
type BenefitDecisionValue struct {
	Person    string          `json:"person"`
	Source    string          `json:"source"`
	Benefit   string          `json:"benefit"`
	Decisions []DecisionEntry `json:"decisions"`
}

// DecisionEntry is one decision.
type DecisionEntry struct {
	ID        string               `json:"id,omitempty"` // PM's beslutsid
	DecidedOn bistand.Date         `json:"decided_on,omitzero"`
	Final     bool                 `json:"final"`
	Status    string               `json:"status,omitempty"`
	Outcome   string               `json:"outcome,omitempty"`
	Amounts   []DecidedAmountEntry `json:"amounts"`
}

// DecidedAmountEntry is an amount decided for a period. Gross is per
// Frequency (MANAD, KVARTAL, HALVAR, AR, VECKA, DAG, ENGANGS), or for the
// whole period when there is none; To is absent for an open period.
type DecidedAmountEntry struct {
	Kind      string        `json:"kind,omitempty"`
	From      bistand.Date  `json:"from,omitzero"`
	To        bistand.Date  `json:"to,omitzero"`
	Gross     bistand.Money `json:"gross"`
	Frequency string        `json:"frequency,omitempty"`
	Days      int           `json:"days,omitempty"`
}

// registerInfoKinds are the kinds of these facts.
var registerInfoKinds = map[bistand.FactKind]bool{
	bistand.FactVehicle: true, bistand.FactPermit: true, bistand.FactTax: true, bistand.FactCSN: true,
	bistand.FactFund: true, bistand.FactPlannedPayments: true, bistand.FactBenefitDecision: true,
}

// checkRegisterInfo checks the key and value of a fact of one of these
// kinds; ok is false for any other kind.
func checkRegisterInfo(in FactInput) (ok bool, err error) {
	if !registerInfoKinds[in.Kind] {
		return false, nil
	}
	prefix := string(in.Kind) + ":"
	rest, found := strings.CutPrefix(in.Key, prefix)
	if !found || rest == "" || len(in.Key) > 200 || strings.ContainsAny(in.Key, " \t\r\n") {
		return true, fmt.Errorf("%w: the key of a %s fact is %q, the person's id and what it is about (see bistand.%s)", bistand.ErrInvalid, in.Kind, prefix, in.Kind)
	}
	if in.Value == nil {
		return true, nil // a retraction
	}
	person, suffix, _ := strings.Cut(rest, ":")
	err = checkRegisterValue(in.Kind, in.Value, person, suffix)
	if err != nil {
		return true, fmt.Errorf("%w: %s fact %s: %v", bistand.ErrInvalid, in.Kind, in.Key, err)
	}
	return true, nil
}

func checkRegisterValue(kind bistand.FactKind, raw json.RawMessage, person, suffix string) error {
	samePerson := func(p string) error {
		if p == "" || p != person {
			return fmt.Errorf("person must be the person in the key")
		}
		return nil
	}
	noSuffix := func() error {
		if suffix != "" {
			return fmt.Errorf("the key is the kind and the person id only")
		}
		return nil
	}
	switch kind {
	case bistand.FactVehicle:
		var v VehicleValue
		if err := decodeStrictly(raw, &v); err != nil {
			return err
		}
		if v.RegNr == "" || v.RegNr != suffix {
			return fmt.Errorf("regnr must be the registration number in the key")
		}
		return samePerson(v.Person)
	case bistand.FactPermit:
		var v PermitValue
		if err := decodeStrictly(raw, &v); err != nil {
			return err
		}
		if len(v.Permits) == 0 {
			return fmt.Errorf("no permits: retract the fact instead")
		}
		return firstError(samePerson(v.Person), noSuffix())
	case bistand.FactTax:
		var v TaxValue
		if err := decodeStrictly(raw, &v); err != nil {
			return err
		}
		if len(v.CapitalIncome) == 0 {
			return fmt.Errorf("no capital income: retract the fact instead")
		}
		return firstError(samePerson(v.Person), noSuffix())
	case bistand.FactCSN:
		var v CSNValue
		if err := decodeStrictly(raw, &v); err != nil {
			return err
		}
		if len(v.Cases) == 0 {
			return fmt.Errorf("no cases: retract the fact instead")
		}
		return firstError(samePerson(v.Person), noSuffix())
	case bistand.FactFund:
		var v FundValue
		if err := decodeStrictly(raw, &v); err != nil {
			return err
		}
		if len(v.Funds) == 0 {
			return fmt.Errorf("no funds: retract the fact instead")
		}
		return firstError(samePerson(v.Person), noSuffix())
	case bistand.FactPlannedPayments:
		var v PlannedPaymentsValue
		if err := decodeStrictly(raw, &v); err != nil {
			return err
		}
		switch {
		case v.Source != "FK" && v.Source != "PM" && v.Source != "CSN", v.Source != suffix:
			return fmt.Errorf("source is FK, PM or CSN, as in the key")
		case len(v.Payments) == 0:
			return fmt.Errorf("no payments: retract the fact instead")
		}
		for _, p := range v.Payments {
			if p.Benefit == "" || p.PaidOn.IsZero() {
				return fmt.Errorf("a planned payment has a benefit and a payment date")
			}
		}
		return samePerson(v.Person)
	case bistand.FactBenefitDecision:
		var v BenefitDecisionValue
		if err := decodeStrictly(raw, &v); err != nil {
			return err
		}
		switch {
		case v.Source != "FK" && v.Source != "PM", v.Benefit == "", suffix != v.Source+":"+v.Benefit:
			return fmt.Errorf("source is FK or PM and benefit a förmånsgrupp, both in the key")
		case len(v.Decisions) == 0:
			return fmt.Errorf("no decisions: retract the fact instead")
		}
		for _, d := range v.Decisions {
			for _, a := range d.Amounts {
				if a.Days < 0 || (!a.From.IsZero() && !a.To.IsZero() && a.To.Before(a.From)) {
					return fmt.Errorf("a decided amount has days ≥ 0 and a period that does not end before it starts")
				}
			}
		}
		return samePerson(v.Person)
	}
	return nil
}

// firstError returns the first error that is not nil.
func firstError(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
