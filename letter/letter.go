// Package letter renders a decision letter (beslutsbrev) on ekonomiskt
// bistånd as PDF and as HTML, in Swedish.
//
// Everything a letter says comes from its Input: the package does no I/O and
// reads no clock, so the same Input always gives byte-identical PDF and HTML,
// returned with their SHA-256 so the caller can store a letter by its hash.
// Both outputs are rendered from one content model, so they say the same
// thing. docs/letters.md describes what a letter contains and why.
package letter

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

// Input is everything a letter says.
type Input struct {
	Municipality Municipality
	// CaseRef is the case's reference (ärendenummer) as the municipality
	// writes it.
	CaseRef string
	// Date is the day the letter is produced; it is also the PDF's creation
	// date. Never read from the clock.
	Date      bistand.Date
	Recipient Recipient
	Decision  Decision
	// Result is the calculation the decision rests on, calculated with the
	// trace (rules.Options{Trace: true}): the letter's table is its lines.
	Result *rules.Result
	// NotGranted lists what was applied for and not granted, and why. A
	// partly approved or rejected decision needs at least one item; an
	// approved one has none.
	NotGranted []NotGranted
	// PaymentDate is when the money is paid out; the zero Date when not
	// known (the letter then says nothing about when).
	PaymentDate bistand.Date
	// PersonNames maps the member ids on the calculation's lines to the
	// names the letter shows; an id without a name is shown as it is.
	PersonNames map[string]string
}

// Municipality is the municipality and board that decided.
type Municipality struct {
	Name    string // "Demoköpings kommun"
	Board   string // "Socialnämnden i Demoköpings kommun"
	Contact Contact
}

// Contact is where the household reaches the municipality; the postal
// address is also where an appeal is sent.
type Contact struct {
	Unit          string   // "Enheten för ekonomiskt bistånd"
	Phone         string   // "0123-45 67 89"
	Email         string   // "ekonomisktbistand@demokoping.example"
	PostalAddress []string // lines, e.g. {"Socialnämnden", "Box 1", "123 45 Demoköping"}
	Web           string   // "https://demokoping.example/bistand"
}

// Recipient is who the letter is to.
type Recipient struct {
	Names []string // the applicants
	// Address is the postal address, one line per element. It is never
	// printed when Protected.
	Address []string
	// Protected is set when any member has skyddad folkbokföring or
	// sekretessmarkering: the letter then prints no address at all, only
	// that it is sent through Skatteverket.
	Protected bool
}

// Decision is the decision the letter announces.
type Decision struct {
	ID      string
	Month   bistand.Month
	Outcome bistand.Outcome
	Amount  bistand.Money // granted; 0 when rejected
	// DecidedAt is the day of the decision.
	DecidedAt bistand.Date
	// Automated is set when the robot decided (automatiserat
	// beslutsfattande under the board's delegation); DecidedBy and
	// ApprovedBy are then empty.
	Automated bool
	// DecidedBy is the name or title of the person who decided.
	DecidedBy string
	// ApprovedBy is the name or title of the second caseworker who approved
	// the decision (four eyes), or "".
	ApprovedBy string
	// Motivation is the decider's own reasons, or "". It may hold line
	// breaks. It is required when the amount differs from the calculation.
	Motivation string
	// Replaces is the id of the decision this one replaces, or "".
	Replaces string
}

// NotGranted is one thing applied for and not granted.
type NotGranted struct {
	What   string        // Swedish: "Hyra utöver riktlinjernas nivå"
	Amount bistand.Money // what was applied for and not granted; 0 if not an amount
	Reason string        // Swedish, plain language; may hold line breaks
	Legal  string        // the legal reference: "4 kap. 1 § socialtjänstlagen (2001:453)"
}

// Rendered is a letter as PDF and HTML with the SHA-256 (hex) of each.
type Rendered struct {
	PDF, HTML             []byte
	PDFSHA256, HTMLSHA256 string
}

// Render renders the letter. Input that is incomplete or contradicts itself
// (a rejection that does not say what was not granted, an automated decision
// with a named decider, a calculation for another month, …) is an error
// wrapping bistand.ErrInvalid; nothing is rendered then.
func Render(in Input) (Rendered, error) {
	if err := in.validate(); err != nil {
		return Rendered{}, err
	}
	d := build(&in)
	pdf, err := renderPDF(d)
	if err != nil {
		return Rendered{}, fmt.Errorf("letter: pdf: %w", err)
	}
	html, err := renderHTML(d)
	if err != nil {
		return Rendered{}, fmt.Errorf("letter: html: %w", err)
	}
	return Rendered{PDF: pdf, HTML: html, PDFSHA256: sha256Hex(pdf), HTMLSHA256: sha256Hex(html)}, nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("letter: %w: %s", bistand.ErrInvalid, fmt.Sprintf(format, args...))
}

// checkText refuses text that is empty (when required), not UTF-8, or holds
// control characters; only multiline text may hold line breaks.
func checkText(field, s string, required, multiline bool) error {
	if strings.TrimSpace(s) == "" {
		if required {
			return invalid("%s is empty", field)
		}
		return nil
	}
	if !utf8.ValidString(s) {
		return invalid("%s is not UTF-8", field)
	}
	for _, r := range s {
		if r == '\n' && multiline {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return invalid("%s holds the control character %U", field, r)
		}
	}
	return nil
}

func checkLines(field string, lines []string) error {
	for i, l := range lines {
		if err := checkText(fmt.Sprintf("%s[%d]", field, i), l, true, false); err != nil {
			return err
		}
	}
	return nil
}

func checkMoney(field string, m bistand.Money) error {
	if m < 0 || m > bistand.MaxMoney {
		return invalid("%s %s is out of range", field, m.Decimal())
	}
	return nil
}

var knownSections = map[rules.Section]bool{
	rules.SectionNorm: true, rules.SectionCosts: true, rules.SectionIncome: true, rules.SectionResult: true,
}

func (in *Input) validate() error {
	m := &in.Municipality
	for _, f := range []struct {
		name, v string
		req     bool
	}{
		{"municipality name", m.Name, true}, {"board", m.Board, true},
		{"contact unit", m.Contact.Unit, true}, {"contact phone", m.Contact.Phone, false},
		{"contact email", m.Contact.Email, false}, {"contact web", m.Contact.Web, false},
		{"case reference", in.CaseRef, true},
	} {
		if err := checkText(f.name, f.v, f.req, false); err != nil {
			return err
		}
	}
	if strings.TrimSpace(m.Contact.Phone) == "" && strings.TrimSpace(m.Contact.Email) == "" {
		return invalid("contact has neither phone nor email")
	}
	if len(m.Contact.PostalAddress) == 0 {
		return invalid("contact postal address is empty: an appeal is sent there")
	}
	if err := checkLines("contact postal address", m.Contact.PostalAddress); err != nil {
		return err
	}
	if in.Date.IsZero() {
		return invalid("letter date is missing")
	}

	r := &in.Recipient
	if len(r.Names) == 0 {
		return invalid("recipient has no name")
	}
	if err := checkLines("recipient name", r.Names); err != nil {
		return err
	}
	if !r.Protected {
		if len(r.Address) == 0 {
			return invalid("recipient address is empty")
		}
		if err := checkLines("recipient address", r.Address); err != nil {
			return err
		}
	}

	d := &in.Decision
	if err := checkText("decision id", d.ID, true, false); err != nil {
		return err
	}
	if d.Month.IsZero() {
		return invalid("decision month is missing")
	}
	if d.DecidedAt.IsZero() {
		return invalid("decision date is missing")
	}
	if in.Date.Before(d.DecidedAt) {
		return invalid("letter date %s is before the decision date %s", in.Date, d.DecidedAt)
	}
	if err := checkMoney("decision amount", d.Amount); err != nil {
		return err
	}
	if err := checkText("motivation", d.Motivation, false, true); err != nil {
		return err
	}
	if err := checkText("replaces", d.Replaces, false, false); err != nil {
		return err
	}
	if d.Replaces != "" && d.Replaces == d.ID {
		return invalid("decision %s replaces itself", d.ID)
	}
	if d.Automated {
		if d.DecidedBy != "" || d.ApprovedBy != "" {
			return invalid("an automated decision has no named decider or approver")
		}
	} else {
		if err := checkText("decided by", d.DecidedBy, true, false); err != nil {
			return err
		}
		if err := checkText("approved by", d.ApprovedBy, false, false); err != nil {
			return err
		}
		if d.ApprovedBy != "" && strings.TrimSpace(d.ApprovedBy) == strings.TrimSpace(d.DecidedBy) {
			return invalid("four eyes: the approver is the decider")
		}
	}

	switch d.Outcome {
	case bistand.OutcomeApproved:
		if d.Amount <= 0 {
			return invalid("an approved decision grants an amount")
		}
		if len(in.NotGranted) > 0 {
			return invalid("an approved decision lists what was not granted: it is partly approved")
		}
	case bistand.OutcomePartlyApproved:
		if d.Amount <= 0 {
			return invalid("a partly approved decision grants an amount")
		}
		if len(in.NotGranted) == 0 {
			return invalid("a partly approved decision must say what was not granted and why")
		}
	case bistand.OutcomeRejected:
		if d.Amount != 0 {
			return invalid("a rejected decision grants nothing")
		}
		if len(in.NotGranted) == 0 {
			return invalid("a rejected decision must say what was not granted and why")
		}
		if !in.PaymentDate.IsZero() {
			return invalid("a rejected decision has no payment date")
		}
	default:
		return invalid("unknown outcome %q", d.Outcome)
	}
	if !in.PaymentDate.IsZero() && in.PaymentDate.Before(d.DecidedAt) {
		return invalid("payment date %s is before the decision date %s", in.PaymentDate, d.DecidedAt)
	}
	for i, n := range in.NotGranted {
		field := fmt.Sprintf("not granted[%d]", i)
		if err := checkText(field+".what", n.What, true, false); err != nil {
			return err
		}
		if err := checkText(field+".reason", n.Reason, true, true); err != nil {
			return err
		}
		if err := checkText(field+".legal", n.Legal, true, false); err != nil {
			return err
		}
		if err := checkMoney(field+".amount", n.Amount); err != nil {
			return err
		}
	}

	res := in.Result
	if res == nil {
		return invalid("no calculation")
	}
	if len(res.Lines) == 0 {
		return invalid("the calculation has no lines: calculate with the trace")
	}
	if res.Month != d.Month {
		return invalid("the calculation is for %s, the decision for %s", res.Month, d.Month)
	}
	if res.Outcome != rules.Approved && res.Outcome != rules.Rejected {
		return invalid("the calculation has no outcome")
	}
	if d.Outcome != bistand.OutcomeRejected && d.Amount != res.Amount && strings.TrimSpace(d.Motivation) == "" && len(in.NotGranted) == 0 {
		return invalid("the amount %s differs from the calculated %s without a motivation", d.Amount.Decimal(), res.Amount.Decimal())
	}
	for _, v := range []struct {
		name string
		m    bistand.Money
	}{{"norm total", res.NormTotal}, {"needs total", res.NeedsTotal}, {"surplus", res.Surplus}} {
		if err := checkMoney("calculation "+v.name, v.m); err != nil {
			return err
		}
	}
	for i, l := range res.Lines {
		field := fmt.Sprintf("calculation line %d", i)
		if !knownSections[l.Section] {
			return invalid("%s has an unknown section %q", field, l.Section)
		}
		if err := checkText(field+" label", l.Label, true, false); err != nil {
			return err
		}
		if err := checkText(field+" person", l.Person, false, false); err != nil {
			return err
		}
		if err := checkText(field+" source", l.Source, true, false); err != nil {
			return err
		}
		if l.Amount < -bistand.MaxMoney || l.Amount > bistand.MaxMoney {
			return invalid("%s amount is out of range", field)
		}
	}
	ids := make([]string, 0, len(in.PersonNames))
	for id := range in.PersonNames {
		ids = append(ids, id)
	}
	slices.Sort(ids) // the first bad name is the same every time
	for _, id := range ids {
		if err := checkText("person name for "+id, in.PersonNames[id], true, false); err != nil {
			return err
		}
	}
	return nil
}
