package letter

import (
	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

// Helpers for the caller that gathers an Input from the records: the items
// not granted in the letter's own words and with its legal references, so
// that every letter says the same thing the same way.

// LegalBasis returns the legal references for the right to försörjningsstöd
// and for what it covers, for the month the support is for (docs/letters.md).
func LegalBasis(m bistand.Month) (right, support string) { return legalBasis(m) }

// MonthText writes a month as the letter does: "november 2026".
func MonthText(m bistand.Month) string { return monthText(m) }

// IncomeCoversNeeds is the item not granted for a rejection because the
// calculation res shows income covering the needs. several is set for a
// letter to more than one applicant ("ni").
func IncomeCoversNeeds(res *rules.Result, several bool) NotGranted {
	p := singular
	if several {
		p = plural
	}
	reason := capital(p.dina) + " inkomster täcker hela " + p.ditt + " behov enligt riksnormen och " + p.dina + " skäliga kostnader."
	if res.Surplus > 0 {
		reason = capital(p.dina) + " inkomster är " + kronorShort(res.Surplus) + " högre än " + p.ditt + " behov enligt riksnormen och " +
			p.dina + " skäliga kostnader."
	}
	right, _ := legalBasis(res.Month)
	return NotGranted{What: "Försörjningsstöd för " + monthText(res.Month), Reason: reason, Legal: right}
}

// DecidedLess is the item not granted when the person who decided granted
// less than calculated: the difference, with their motivation as the
// reason. A rejection (granted 0) is of the whole month's support.
func DecidedLess(month bistand.Month, calculated, granted bistand.Money, motivation string) NotGranted {
	right, _ := legalBasis(month)
	what := "Försörjningsstöd för " + monthText(month)
	if granted > 0 {
		what = "En del av försörjningsstödet för " + monthText(month)
	}
	return NotGranted{What: what, Amount: calculated - granted, Reason: motivation, Legal: right}
}
