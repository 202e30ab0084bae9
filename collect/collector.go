package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/navet"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/resilience"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/ssbtek"
)

// SSBTEK is the composite register service as the collector uses it
// (*ssbtek.Client implements it).
type SSBTEK interface {
	Fetch(ctx context.Context, req ssbtek.Request) (*ssbtek.Answer, error)
}

// Registers gathers register data for an application: the population
// register (Navet) and SSBTEK for every member, with retries, backoff and a
// circuit breaker per source, and compares it (Compare). It implements
// robot.Collector.
type Registers struct {
	Store  *sqlstore.Store
	SSBTEK SSBTEK         // nil: no SSBTEK
	Navet  navet.Lookuper // nil: no Navet
	Table  *Table
	Config Config
	// Backoff is how one call is retried; Breakers rest a source that keeps
	// failing.
	Backoff  resilience.Backoff
	Breakers *resilience.Breakers
	Now      func() time.Time
	// Caseworker is sent to SSBTEK as handläggare.
	Caseworker string
}

const navetSource = "NAVET"

func (r *Registers) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Registers) breaker(key string) *resilience.Breaker {
	if r.Breakers == nil {
		r.Breakers = &resilience.Breakers{}
	}
	return r.Breakers.For(key)
}

type member struct {
	id     string
	role   string
	number personnummer.Number
	prot   bool
}

// Collect implements robot.Collector.
func (r *Registers) Collect(ctx context.Context, app bistand.Application, since time.Time) (robot.Collection, error) {
	var out robot.Collection
	table, cfg := r.Table, r.Config
	if table == nil {
		table = DefaultTable()
	}
	if cfg == (Config{}) {
		cfg = DefaultConfig()
	}
	if b := cfg.IncomeBasis; b != "" && b != IncomeBasisPaid && b != IncomeBasisPeriod {
		return out, fmt.Errorf("collect: unknown income basis %q (%q or %q)", b, IncomeBasisPaid, IncomeBasisPeriod)
	}
	all, err := r.Store.Facts(ctx, app.ID)
	if err != nil {
		return out, err
	}
	effective := sqlstore.Effective(all)
	var members []member
	var incomes []Income
	applicant := ""
	for _, f := range effective {
		switch f.Kind {
		case bistand.FactMember:
			var v struct {
				PersonID string `json:"person_id"`
				Role     string `json:"role"`
			}
			if err := json.Unmarshal(f.Value, &v); err != nil {
				return out, err
			}
			p, err := r.Store.Person(ctx, v.PersonID)
			if err != nil {
				return out, err
			}
			n, err := personnummer.ParseCanonical(p.Personnummer)
			if err != nil {
				return out, fmt.Errorf("person %s: %w", p.ID, err)
			}
			members = append(members, member{id: p.ID, role: v.Role, number: n, prot: p.Protected})
			if v.Role == "applicant" {
				applicant = p.ID
			}
		}
	}
	// What the household declared: for each key its latest declaration, even
	// where a register fact has since replaced it (so that collecting again
	// compares with the declaration, not with last time's register data).
	declaredLatest := map[string]bistand.Fact{}
	var declaredOrder []string
	for _, f := range all {
		if f.Kind != bistand.FactIncome || f.Provenance != bistand.Declared {
			continue
		}
		if _, ok := declaredLatest[f.Key]; !ok {
			declaredOrder = append(declaredOrder, f.Key)
		}
		declaredLatest[f.Key] = f
	}
	for _, key := range declaredOrder {
		f := declaredLatest[key]
		if f.Value == nil {
			continue // the household took it back
		}
		var v struct {
			Type   string        `json:"type"`
			Person string        `json:"person"`
			Amount bistand.Money `json:"amount"`
		}
		if err := json.Unmarshal(f.Value, &v); err != nil {
			return out, err
		}
		incomes = append(incomes, Income{Key: f.Key, Person: v.Person, Type: v.Type, Amount: v.Amount, Provenance: f.Provenance})
	}
	in := Input{Month: app.Month, Applicant: applicant, Incomes: incomes,
		Today: bistand.DateOf(r.now()), CollectingSince: bistand.DateOf(since)}
	from := app.Month.Add(cfg.CalculationMonthOffset - 1).FirstDay()
	to := app.Month.LastDay()
	af := map[string]*ssbtek.AFStatus{}
	afRef := map[string]string{}
	answers := map[string]*ssbtek.Answer{}
	var contacts []sqlstore.ContactValue
	for _, m := range members {
		if r.Navet != nil {
			if c := r.lookup(ctx, app, m, &in, &out); c != nil {
				contacts = append(contacts, *c)
			}
		}
		if r.SSBTEK != nil {
			ans := r.fetch(ctx, app, m, from, to, &in)
			if ans == nil {
				continue
			}
			answers[m.id] = ans
			if sa := ans.Sources[ssbtek.AF]; sa != nil && sa.Err == nil && sa.AF != nil && m.role != "child" {
				af[m.id], afRef[m.id] = sa.AF, ans.CorrelationID
			}
		}
	}
	if d, err := r.Store.CaseDecisionFor(ctx, app.CaseID, app.Month.Add(-1)); err == nil {
		if h, err := rules.ParseHouseholdBytes(d.Snapshot); err == nil {
			in.Previous = h
		}
	} else if !errors.Is(err, bistand.ErrNotFound) {
		return out, err
	}
	if h, _, err := r.Store.Household(ctx, app.ID); err == nil {
		in.Current = h
	}
	res := Compare(table, cfg, in)
	out.Findings = append(out.Findings, res.Findings...)
	out.Waiting = res.Waiting
	inForce := map[string]bistand.Fact{}
	for _, f := range effective {
		inForce[f.Key] = f
	}
	for _, ri := range res.Incomes {
		value, _ := json.Marshal(map[string]any{"type": ri.Type, "person": ri.Person, "amount": ri.Amount})
		if f, ok := inForce[ri.Key()]; ok && f.Provenance == bistand.Register && string(f.Value) == string(value) {
			continue // already recorded: collecting again changes nothing
		}
		out.Facts = append(out.Facts, sqlstore.FactInput{
			Key: ri.Key(), Kind: bistand.FactIncome, Value: value, Provenance: bistand.Register,
			Source: strings.Join(ri.Sources, ","), Reference: strings.Join(ri.References, ","),
			ObservedAt: time.Date(ri.LastPaidOn.Year(), ri.LastPaidOn.MonthOfYear(), ri.LastPaidOn.Day(), 0, 0, 0, 0, time.UTC),
		})
	}
	for _, m := range members {
		st := af[m.id]
		if st == nil {
			continue
		}
		// Registration and a programme (a decision on compensation in force
		// this month) are what the aktivitetskrav check looks at.
		programme := false
		for _, d := range st.Decisions {
			if !d.From.After(app.Month.LastDay()) && (d.To.IsZero() || !d.To.Before(app.Month.FirstDay())) {
				programme = true
			}
		}
		value, _ := json.Marshal(map[string]any{"registered": st.Registered, "extent": min(max(st.Extent, 0), 100), "programme": programme})
		key := "af:" + m.id
		if f, ok := inForce[key]; ok && string(f.Value) == string(value) {
			continue
		}
		out.Facts = append(out.Facts, sqlstore.FactInput{Key: key, Kind: bistand.FactAFStatus, Value: value, Provenance: bistand.Register,
			Source: "AF", Reference: "SSBTEK " + afRef[m.id], ObservedAt: r.now()})
	}
	// What else the registers say, for the caseworker: vehicles, permits,
	// capital income, CSN, the funds, planned payments and decisions
	// (info.go).
	for _, m := range members {
		if ans := answers[m.id]; ans != nil {
			out.Facts = append(out.Facts, informationFacts(m.id, ans, effective, r.now())...)
		}
	}
	// Names and addresses for the decision letter. One protected member
	// protects the household: its address is stored for nobody.
	protected := len(out.Protected) > 0
	for _, m := range members {
		protected = protected || m.prot
	}
	for _, f := range out.Findings {
		protected = protected || f.Kind == bistand.FindingProtectedIdentity
	}
	for _, c := range contacts {
		if protected {
			c.Address = nil
		}
		value, _ := json.Marshal(c)
		key := sqlstore.ContactKey(c.PersonID)
		if f, ok := inForce[key]; ok && string(f.Value) == string(value) {
			continue // already recorded
		}
		out.Facts = append(out.Facts, sqlstore.FactInput{Key: key, Kind: bistand.FactContact, Value: value,
			Provenance: bistand.Register, Source: navetSource, Reference: "uppslag för ärende " + app.CaseID, ObservedAt: r.now()})
	}
	for _, key := range res.Retract {
		if _, ok := inForce[key]; !ok {
			continue
		}
		out.Facts = append(out.Facts, sqlstore.FactInput{Key: key, Kind: bistand.FactIncome, Provenance: bistand.Register,
			Reason: "Ersätts av registeruppgiften för samma person och inkomsttyp."})
	}
	return out, nil
}

// lookup asks the population register about a member and returns, when it
// answers, the member's name and, unless the person is protected, postal
// address: what a decision letter is addressed with.
func (r *Registers) lookup(ctx context.Context, app bistand.Application, m member, in *Input, out *robot.Collection) *sqlstore.ContactValue {
	br := r.breaker(navetSource)
	if !br.Allow() {
		in.Errors = append(in.Errors, SourceError{Person: m.id, Source: navetSource, Code: "CIRCUIT_OPEN", Message: "källan vilar efter upprepade fel"})
		return nil
	}
	var p *navet.Person
	err := resilience.Retry(ctx, r.Backoff, navet.IsRetryable, func(ctx context.Context) error {
		var err error
		p, err = r.Navet.Lookup(ctx, m.number, app.CaseID)
		return err
	})
	switch {
	case errors.Is(err, navet.ErrNotFound):
		br.Record(nil)
		out.Findings = append(out.Findings, sqlstore.FindingInput{Kind: bistand.FindingNotInPopulationReg, Subject: m.id,
			Text: "Personen finns inte i folkbokföringen.", Data: map[string]any{"person": m.id, "role": m.role}})
	case err != nil:
		br.Record(err)
		in.Errors = append(in.Errors, SourceError{Person: m.id, Source: navetSource, Code: "ERROR", Message: errorText(err)})
	default:
		br.Record(nil)
		if p.Protected() {
			if !m.prot {
				out.Protected = append(out.Protected, m.id)
			}
			out.Findings = append(out.Findings, sqlstore.FindingInput{Kind: bistand.FindingProtectedIdentity, Subject: m.id,
				Text: "Personen har skyddade personuppgifter. Ärendet handläggs av en person, och adressen visas, skrivs ut eller lämnas ut aldrig.",
				Data: map[string]any{"person": m.id, "sekretessmarkering": p.Sekretessmarkering, "skyddad_folkbokforing": p.SkyddadFolkbokforing}})
		}
		return contact(m, p)
	}
	return nil
}

// contact is the name and address of a member the population register
// answered about; nil if it gave no name. A protected person's address is
// never kept (the register client drops it already; this is the second
// guard), nor that of a member the store knows as protected.
func contact(m member, p *navet.Person) *sqlstore.ContactValue {
	name := strings.TrimSpace(strings.TrimSpace(p.GivenName) + " " + strings.TrimSpace(p.FamilyName))
	if name == "" {
		return nil
	}
	c := &sqlstore.ContactValue{PersonID: m.id, Name: name}
	if a := p.Address; a != nil && !p.Protected() && !m.prot && a.Street != "" {
		c.Address = []string{a.Street, strings.TrimSpace(a.PostalCode + " " + a.City)}
	}
	return c
}

// fetch asks SSBTEK about a member for the period, source by source through
// their breakers, adds the payments to in and each source's failure to
// in.Errors, and returns the answer (nil when the whole call failed or no
// source could be asked).
func (r *Registers) fetch(ctx context.Context, app bistand.Application, m member, from, to bistand.Date, in *Input) *ssbtek.Answer {
	var sources []ssbtek.Source
	for _, s := range ssbtek.Sources {
		if r.breaker(string(s)).Allow() {
			sources = append(sources, s)
		} else {
			in.Errors = append(in.Errors, SourceError{Person: m.id, Source: string(s), Code: "CIRCUIT_OPEN", Message: "källan vilar efter upprepade fel"})
		}
	}
	if len(sources) == 0 {
		return nil
	}
	caseworker := r.Caseworker
	if caseworker == "" {
		caseworker = "robot"
	}
	var ans *ssbtek.Answer
	err := resilience.Retry(ctx, r.Backoff, ssbtek.IsRetryable, func(ctx context.Context) error {
		var err error
		ans, err = r.SSBTEK.Fetch(ctx, ssbtek.Request{Person: m.number, CaseID: app.CaseID, Caseworker: caseworker, From: from, To: to, Sources: sources})
		return err
	})
	if err != nil {
		for _, s := range sources {
			r.breaker(string(s)).Record(err)
			in.Errors = append(in.Errors, SourceError{Person: m.id, Source: string(s), Code: "SSBTEK", Message: errorText(err)})
		}
		return nil
	}
	for _, s := range sources {
		sa := ans.Sources[s]
		switch {
		case sa == nil:
			r.breaker(string(s)).Record(errors.New("no answer"))
			in.Errors = append(in.Errors, SourceError{Person: m.id, Source: string(s), Code: "MISSING", Message: "inget svar från källan"})
			continue
		case sa.Err != nil:
			r.breaker(string(s)).Record(sa.Err)
			in.Errors = append(in.Errors, SourceError{Person: m.id, Source: string(s), Code: sa.Err.Kalla + " " + sa.Err.Code, Message: errorText(sa.Err)})
			continue
		}
		r.breaker(string(s)).Record(nil)
		// Parts of an answer that are missing although the source answered
		// (an utlämnare unavailable, an avvikelse, an unreadable item) are
		// missing data too: never treated as complete.
		for _, g := range sa.Gaps {
			in.Errors = append(in.Errors, SourceError{Person: m.id, Source: string(s), Code: g.Code, Message: strings.TrimSpace(g.Group + ": " + g.Text)})
		}
		for _, p := range sa.Payments {
			pay := Payment{Person: m.id, Source: string(p.Source), Benefit: p.Benefit, Reference: p.Reference, PaidOn: p.PaidOn, Net: p.Net}
			if !p.From.IsZero() && !p.To.IsZero() && p.From.Month() == p.To.Month() {
				pay.For = p.From.Month() // a period within one month (CSN's weeks may span two: then the payment date)
			}
			in.Payments = append(in.Payments, pay)
		}
	}
	slices.SortStableFunc(in.Payments, func(a, b Payment) int { return a.PaidOn.Compare(b.PaidOn) })
	return ans
}

// errorText is an error as one line without digits runs that could be a
// personnummer (the clients never put one there; this is a second guard).
func errorText(err error) string {
	s := err.Error()
	var b strings.Builder
	digits := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			digits++
			if digits > 6 {
				continue
			}
		} else {
			digits = 0
		}
		if c == '\n' {
			c = ' '
		}
		b.WriteRune(c)
	}
	return b.String()
}
