// Package letters gives every decision its letter: it gathers what a
// decision letter says from the records (Assemble), renders it with package
// letter, stores it (sqlstore.StoreLetter) and tells the household it has
// come (Writer, the queue's letter step). docs/letters.md describes it.
//
// A letter is rendered from the records as they were when the decision was
// made — the decision, its stored calculation, the names and addresses the
// population register gave before it, the municipality's board and contact
// details — and dated the day of the decision, so rendering it again at any
// time gives the same bytes. Nothing here logs a name or an address.
package letters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
	_ "time/tzdata" // the decision's date is Swedish civil time, wherever this runs

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/letter"
	"github.com/bistand/bistand/municipality"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

// sweden is the time zone of decision dates.
var sweden = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic(err) // embedded by time/tzdata
	}
	return loc
}()

// DecisionDate is the Swedish civil date of a moment (a decision's time).
func DecisionDate(t time.Time) bistand.Date { return bistand.DateOf(t.In(sweden)) }

// ErrNoRecipient: the records hold no name (or, for a person who is not
// protected, no address) for the household from the population register, so
// the letter cannot be addressed. Collecting with Navet records them.
var ErrNoRecipient = errors.New("no name or address from the population register")

// storedResult reads a decision's stored calculation (its trace). A line's
// parameters are not needed for the letter and are not read back.
type storedResult struct {
	rules.Result
	Lines []struct {
		rules.Line
		Params json.RawMessage `json:"params,omitempty"`
	} `json:"lines"`
}

// Assemble gathers the letter of a decision from the records.
func Assemble(ctx context.Context, st *sqlstore.Store, decisionID string) (letter.Input, error) {
	var in letter.Input
	d, err := st.Decision(ctx, decisionID)
	if err != nil {
		return in, err
	}
	var sr storedResult
	if err := json.Unmarshal(d.Trace, &sr); err != nil {
		return in, fmt.Errorf("decision %s: stored calculation: %w", d.ID, err)
	}
	res := sr.Result
	res.Lines = make([]rules.Line, len(sr.Lines))
	for i, l := range sr.Lines {
		res.Lines[i] = l.Line
	}
	if res.Month != d.Month {
		return in, fmt.Errorf("decision %s: the stored calculation is for %s", d.ID, res.Month)
	}
	c, err := st.Case(ctx, actor, d.CaseID)
	if err != nil {
		return in, err
	}
	mun, err := municipality.Get(c.Municipality)
	if err != nil {
		return in, fmt.Errorf("decision %s: %w", d.ID, err)
	}
	h, err := rules.ParseHouseholdBytes(d.Snapshot)
	if err != nil {
		return in, fmt.Errorf("decision %s: stored snapshot: %w", d.ID, err)
	}
	contacts, err := st.Contacts(ctx, d.ApplicationID, d.DecidedAt)
	if err != nil {
		return in, err
	}

	// The recipients are the adults applying, applicant first (the
	// snapshot's order); anyone in the household protected protects the
	// address of all.
	var rcpt letter.Recipient
	names := map[string]string{}
	applicant := ""
	for _, m := range h.Members {
		p, err := st.Person(ctx, m.ID)
		if err != nil {
			return in, fmt.Errorf("decision %s: member %s: %w", d.ID, m.ID, err)
		}
		if p.Protected {
			rcpt.Protected = true
		}
		ct, ok := contacts[m.ID]
		if ok {
			names[m.ID] = ct.Name
		}
		if m.Role == rules.Applicant || m.Role == rules.Partner {
			if !ok {
				return in, fmt.Errorf("decision %s: %w for %s", d.ID, ErrNoRecipient, m.ID)
			}
			rcpt.Names = append(rcpt.Names, ct.Name)
			if m.Role == rules.Applicant {
				applicant = m.ID
			}
		}
	}
	if applicant == "" {
		return in, fmt.Errorf("decision %s: the household has no applicant", d.ID)
	}
	if rcpt.Protected {
		rcpt.Address = nil // never printed; not even passed on
	} else {
		rcpt.Address = contacts[applicant].Address
		if len(rcpt.Address) == 0 {
			return in, fmt.Errorf("decision %s: %w for %s", d.ID, ErrNoRecipient, applicant)
		}
	}

	decided := DecisionDate(d.DecidedAt)
	dec := letter.Decision{
		ID: d.ID, Month: d.Month, Outcome: d.Outcome, Amount: d.Amount, DecidedAt: decided,
		Automated: d.DecidedBy.Kind == bistand.ActorRobot, Motivation: d.Motivation, Replaces: d.Replaces,
	}
	if !dec.Automated {
		// bistand keeps no caseworkers' names: the letter names them by id.
		dec.DecidedBy = decider(d.DecidedBy)
		if d.ApprovedBy.ID != "" {
			dec.ApprovedBy = decider(d.ApprovedBy)
		}
	}
	in = letter.Input{
		Municipality: letter.Municipality{Name: mun.Name, Board: mun.Board, Contact: letter.Contact{
			Unit: mun.Contact.Unit, Phone: mun.Contact.Phone, Email: mun.Contact.Email,
			PostalAddress: mun.Contact.PostalAddress, Web: mun.Contact.Web,
		}},
		CaseRef:     d.CaseID,
		Date:        decided,
		Recipient:   rcpt,
		Decision:    dec,
		Result:      &res,
		NotGranted:  notGranted(d, &res, len(rcpt.Names) > 1),
		PersonNames: names,
	}
	if d.Amount > 0 {
		in.PaymentDate = mun.Payments.NextPayDate(decided)
	}
	return in, nil
}

// decider is how a letter names a member of staff: bistand stores no
// caseworkers' names, only their ids.
func decider(a bistand.Actor) string { return "handläggare " + a.ID }

// notGranted says what a partly approved or rejected decision did not grant
// and why: a rejection because income covers the needs says so with the
// surplus; a decider who granted less than calculated gave the reason in
// the motivation.
func notGranted(d bistand.Decision, res *rules.Result, several bool) []letter.NotGranted {
	switch {
	case d.Outcome == bistand.OutcomeApproved:
		return nil
	case d.Outcome == bistand.OutcomeRejected && res.Outcome == rules.Rejected:
		return []letter.NotGranted{letter.IncomeCoversNeeds(res, several)}
	default:
		return []letter.NotGranted{letter.DecidedLess(d.Month, res.Amount, d.Amount, d.Motivation)}
	}
}

// Render gathers and renders a decision's letter.
func Render(ctx context.Context, st *sqlstore.Store, decisionID string) (letter.Rendered, error) {
	in, err := Assemble(ctx, st, decisionID)
	if err != nil {
		return letter.Rendered{}, err
	}
	return letter.Render(in)
}

// actor is who reads the records to assemble a letter and stores it.
var actor = bistand.Actor{Kind: bistand.ActorSystem, ID: "letters"}

// Ensure returns a decision's stored letter, rendering and storing it first
// if it has none yet.
func Ensure(ctx context.Context, st *sqlstore.Store, decisionID string) (sqlstore.LetterMeta, []byte, []byte, error) {
	m, pdf, html, err := st.Letter(ctx, decisionID)
	if !errors.Is(err, bistand.ErrNotFound) {
		return m, pdf, html, err
	}
	if _, err := st.Decision(ctx, decisionID); err != nil {
		return m, nil, nil, err
	}
	r, err := Render(ctx, st, decisionID)
	if err != nil {
		return m, nil, nil, err
	}
	if err := st.StoreLetter(ctx, actor, decisionID, r); err != nil {
		return m, nil, nil, err
	}
	return st.Letter(ctx, decisionID)
}

// NotificationKind is the kind of the notification that a decision's letter
// has come; its Ref is the decision's id.
const NotificationKind = "decision_letter"

// Writer does the letter step: render, store and announce a decision's
// letter. Running it again for the same decision stores nothing twice and
// notifies once.
type Writer struct {
	Store *sqlstore.Store
	Log   *slog.Logger // ids only, never a name or an address
}

// Write renders the decision's letter unless it is stored, and stores it
// with a notification to the applicant (in the same transaction) unless
// one is in the outbox already.
func (w *Writer) Write(ctx context.Context, decisionID string) error {
	st := w.Store
	d, err := st.Decision(ctx, decisionID)
	if err != nil {
		return err
	}
	var r letter.Rendered
	m, pdf, html, err := st.Letter(ctx, decisionID)
	switch {
	case err == nil:
		r = letter.Rendered{PDF: pdf, HTML: html, PDFSHA256: m.PDFSHA256, HTMLSHA256: m.HTMLSHA256}
	case errors.Is(err, bistand.ErrNotFound):
		if r, err = Render(ctx, st, decisionID); err != nil {
			return err
		}
	default:
		return err
	}
	n, err := notification(ctx, st, d)
	if err != nil {
		return err
	}
	if err := st.StoreLetterAndNotify(ctx, actor, decisionID, r, n); err != nil {
		return err
	}
	// (No hash in the log: its hex digits could read as a personnummer.)
	w.log().Info("letter stored", "decision", decisionID)
	return nil
}

// notification tells the applicant that the decision's letter has come.
// It carries no amount and no personal data: only the month and the
// decision's id.
func notification(ctx context.Context, st *sqlstore.Store, d bistand.Decision) (bistand.Notification, error) {
	c, err := st.Case(ctx, actor, d.CaseID)
	if err != nil {
		return bistand.Notification{}, err
	}
	applicant := ""
	for _, m := range c.Members {
		if m.Role == "applicant" {
			applicant = m.PersonID
		}
	}
	return bistand.Notification{
		ApplicationID: d.ApplicationID, CaseID: d.CaseID, PersonID: applicant, Kind: NotificationKind, Ref: d.ID,
		Subject: "Du har fått ett beslut om ekonomiskt bistånd",
		Body: "Du har fått ett beslut om ekonomiskt bistånd (försörjningsstöd) för " + letter.MonthText(d.Month) + ". " +
			"Du kan läsa beslutet, hur vi har räknat och hur du överklagar i e-tjänsten. " +
			"Beslutets id är " + d.ID + ". Har du frågor? Kontakta oss.",
	}, nil
}

func (w *Writer) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}
