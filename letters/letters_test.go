package letters_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/letter"
	"github.com/bistand/bistand/letters"
	"github.com/bistand/bistand/municipality"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// Synthetic people and places only.

var (
	robot   = bistand.Actor{Kind: bistand.ActorRobot, ID: "robot"}
	system  = bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}
	worker  = bistand.Actor{Kind: bistand.ActorCaseworker, ID: "hl-anna"}
	worker2 = bistand.Actor{Kind: bistand.ActorCaseworker, ID: "hl-bo"}
	month   = bistand.MustMonth(2026, 11)
	// decidedAt is late in the evening UTC: the next day in Sweden.
	decidedAt = time.Date(2026, 11, 2, 23, 30, 0, 0, time.UTC)
)

// discard accepts the jobs the store enqueues (the tests run the letter
// step themselves).
type discard struct{}

func (discard) InsertTx(context.Context, *sql.Tx, []sqlstore.Job) error { return nil }

type world struct {
	t   *testing.T
	ctx context.Context
	st  *sqlstore.Store
	db  *sqlstore.DB
	rng *rand.Rand
}

func newWorld(t *testing.T, engine sqlstore.Engine) *world {
	db := sqltest.Open(t, engine)
	st := sqlstore.NewStore(db, sqlstore.Options{Jobs: discard{}, Blobs: sqlstore.DiskBlobs{Dir: t.TempDir()},
		Now: func() time.Time { return decidedAt }})
	return &world{t: t, ctx: context.Background(), st: st, db: db, rng: rand.New(rand.NewPCG(5, 6))}
}

type household struct {
	a, b, child bistand.Person
	c           bistand.Case
	app         bistand.Application
}

func fact(key string, kind bistand.FactKind, prov bistand.Provenance, v any) sqlstore.FactInput {
	b, _ := json.Marshal(v)
	return sqlstore.FactInput{Key: key, Kind: kind, Value: b, Provenance: prov, Source: "NAVET", Reference: "test"}
}

const street = "Exempelgatan 12 B"

// apply makes a couple with a child in the demo municipality apply for
// November 2026 with the given salary (kronor) and walks the application to
// assessed, recording the names (and, unless protect, the address) the
// population register gives while collecting. protect marks the child
// protected first — after the address was recorded, when addressFirst.
func (w *world) apply(salary int64, protect, addressFirst bool) household {
	t := w.t
	t.Helper()
	var h household
	mk := func(birth bistand.Date) bistand.Person {
		p, err := w.st.CreatePerson(w.ctx, system, personnummer.Generate(w.rng, birth, false, w.rng.IntN(2) == 0), false)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	h.a, h.b, h.child = mk(bistand.MustDate(1985, 4, 2)), mk(bistand.MustDate(1987, 1, 20)), mk(bistand.MustDate(2018, 10, 1))
	var err error
	h.c, err = w.st.OpenCase(w.ctx, system, "demo", []bistand.CaseMember{{PersonID: h.a.ID, Role: "applicant"}, {PersonID: h.b.ID, Role: "partner"}, {PersonID: h.child.ID, Role: "child"}})
	if err != nil {
		t.Fatal(err)
	}
	me := bistand.Actor{Kind: bistand.ActorApplicant, ID: h.a.ID}
	h.app, err = w.st.CreateApplication(w.ctx, me, h.c.ID, month)
	if err != nil {
		t.Fatal(err)
	}
	decl := bistand.Declared
	if _, err := w.st.AddFacts(w.ctx, me, h.app.ID, []sqlstore.FactInput{
		fact("member:"+h.a.ID, bistand.FactMember, decl, map[string]any{"person_id": h.a.ID, "role": "applicant"}),
		fact("member:"+h.b.ID, bistand.FactMember, decl, map[string]any{"person_id": h.b.ID, "role": "partner"}),
		fact("member:"+h.child.ID, bistand.FactMember, decl, map[string]any{"person_id": h.child.ID, "role": "child"}),
		fact("cost:rent", bistand.FactCost, decl, map[string]any{"type": "rent", "amount": 7200}),
		fact("cost:electricity", bistand.FactCost, decl, map[string]any{"type": "electricity", "amount": 300}),
		fact("income:salary:"+h.b.ID, bistand.FactIncome, decl, map[string]any{"type": "salary", "person": h.b.ID, "amount": salary}),
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []bistand.Person{h.a, h.b} {
		if err := w.st.Sign(w.ctx, bistand.Actor{Kind: bistand.ActorApplicant, ID: p.ID}, h.app.ID, p.ID, "demo", "sig-"+p.ID); err != nil {
			t.Fatal(err)
		}
	}
	w.move(me, h.app.ID, bistand.Submitted)
	w.move(robot, h.app.ID, bistand.Collecting)
	if protect && !addressFirst {
		if err := w.st.MarkProtected(w.ctx, robot, h.child.ID, true, "Folkbokföringen: skyddad identitet"); err != nil {
			t.Fatal(err)
		}
	}
	var address []string
	if !protect || addressFirst {
		address = []string{street, "999 12 Demoköping"}
	}
	var cs []sqlstore.FactInput
	for _, m := range []struct {
		p    bistand.Person
		name string
	}{{h.a, "Testperson Ett"}, {h.b, "Testperson Två"}, {h.child, "Testbarn Ett"}} {
		cs = append(cs, fact(sqlstore.ContactKey(m.p.ID), bistand.FactContact, bistand.Register,
			sqlstore.ContactValue{PersonID: m.p.ID, Name: m.name, Address: address}))
	}
	if _, err := w.st.AddFacts(w.ctx, robot, h.app.ID, cs); err != nil {
		t.Fatal(err)
	}
	if protect && addressFirst {
		if err := w.st.MarkProtected(w.ctx, robot, h.child.ID, true, "Folkbokföringen: skyddad identitet"); err != nil {
			t.Fatal(err)
		}
	}
	w.move(robot, h.app.ID, bistand.Assessed)
	return h
}

func (w *world) move(actor bistand.Actor, appID string, to bistand.State) {
	w.t.Helper()
	if _, _, err := w.st.Transition(w.ctx, actor, appID, to, "", sqlstore.TransitionOptions{}); err != nil {
		w.t.Fatalf("→ %s: %v", to, err)
	}
}

func (w *world) decide(actor bistand.Actor, appID string, in sqlstore.DecideInput) bistand.Decision {
	w.t.Helper()
	d, ok, err := w.st.Decide(w.ctx, actor, appID, in)
	if err != nil || !ok {
		w.t.Fatal(ok, err)
	}
	return d
}

func (w *world) assemble(id string) letter.Input {
	w.t.Helper()
	in, err := letters.Assemble(w.ctx, w.st, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return in
}

func kr(k int64) *bistand.Money { m := bistand.Kronor(k); return &m }

// TestAutomatedDecisionLetter: the robot's decision gives a letter to both
// adults at the applicant's address, dated the decision's Swedish date,
// automated, with the payment day, the children's names in the table and
// the board and contact from the municipality's data.
func TestAutomatedDecisionLetter(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		w := newWorld(t, engine)
		h := w.apply(4000, false, false)
		d := w.decide(robot, h.app.ID, sqlstore.DecideInput{})
		in := w.assemble(d.ID)
		day := bistand.MustDate(2026, 11, 3) // 23:30 UTC on the 2nd is past midnight in Sweden
		mun, _ := municipality.Get("demo")
		switch {
		case in.Date != day || in.Decision.DecidedAt != day:
			t.Errorf("dated %s, decided %s; want %s", in.Date, in.Decision.DecidedAt, day)
		case !in.Decision.Automated || in.Decision.DecidedBy != "" || in.Decision.ID != d.ID || in.Decision.Amount != d.Amount || in.Decision.Outcome != bistand.OutcomeApproved:
			t.Errorf("decision %+v", in.Decision)
		case strings.Join(in.Recipient.Names, "|") != "Testperson Ett|Testperson Två" || strings.Join(in.Recipient.Address, "|") != street+"|999 12 Demoköping" || in.Recipient.Protected:
			t.Errorf("recipient %+v", in.Recipient)
		case in.PaymentDate != mun.Payments.NextPayDate(day) || in.PaymentDate.IsZero():
			t.Errorf("payment date %s", in.PaymentDate)
		case in.PersonNames[h.child.ID] != "Testbarn Ett" || in.CaseRef != h.c.ID || len(in.NotGranted) != 0:
			t.Errorf("names %v, case %s, not granted %v", in.PersonNames, in.CaseRef, in.NotGranted)
		case in.Municipality.Board != mun.Board || in.Municipality.Contact.Phone != mun.Contact.Phone || in.Result.Amount != d.Amount || len(in.Result.Lines) == 0:
			t.Errorf("municipality %+v, result amount %s with %d lines", in.Municipality, in.Result.Amount, len(in.Result.Lines))
		}
		r, err := letters.Render(w.ctx, w.st, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, r.PDF)
		amount := strings.ReplaceAll(letter.FormatKronor(d.Amount), "\u00a0", " ")
		for _, want := range []string{"Testperson Ett", street, amount, "automatiskt", "överklaga", mun.Board} {
			if !strings.Contains(text, want) {
				t.Errorf("the letter does not say %q", want)
			}
		}
		// Deterministic: the same records give the same bytes.
		again, err := letters.Render(w.ctx, w.st, d.ID)
		if err != nil || again.PDFSHA256 != r.PDFSHA256 || again.HTMLSHA256 != r.HTMLSHA256 {
			t.Errorf("rendered again: %v, %s ≠ %s", err, again.PDFSHA256, r.PDFSHA256)
		}
	})
}

// TestWriterStoresOnceAndTellsOnce: the letter step run twice stores one
// letter, the one rendered, and one notification, without a personnummer.
func TestWriterStoresOnceAndTellsOnce(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		w := newWorld(t, engine)
		h := w.apply(4000, false, false)
		d := w.decide(robot, h.app.ID, sqlstore.DecideInput{})
		wr := &letters.Writer{Store: w.st}
		for range 2 {
			if err := wr.Write(w.ctx, d.ID); err != nil {
				t.Fatal(err)
			}
		}
		m, pdf, _, err := w.st.Letter(w.ctx, d.ID)
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatalf("stored letter: %v", err)
		}
		r, _ := letters.Render(w.ctx, w.st, d.ID)
		if m.PDFSHA256 != r.PDFSHA256 {
			t.Errorf("stored %s, renders %s", m.PDFSHA256, r.PDFSHA256)
		}
		ns, err := w.st.Notifications(w.ctx, h.app.ID)
		if err != nil {
			t.Fatal(err)
		}
		var told []bistand.Notification
		for _, n := range ns {
			if n.Kind == letters.NotificationKind {
				told = append(told, n)
			}
		}
		if len(told) != 1 || told[0].PersonID != h.a.ID || told[0].Ref != d.ID || !strings.Contains(told[0].Body, "november 2026") || !strings.Contains(told[0].Subject, "beslut") {
			t.Fatalf("notifications %+v", told)
		}
		if sqlstore.LooksLikePersonnummer(told[0].Body) || strings.Contains(told[0].Body, d.Amount.Decimal()) {
			t.Errorf("the notification says too much: %q", told[0].Body)
		}
		if rep, err := w.db.Verify(w.ctx); err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

// TestWhatWasNotGranted: a person's partial approval says what was not
// granted (the difference, with the motivation); a rejection as calculated
// says the income covers the needs, with the surplus; a rejection against
// the calculation says the month's support was not granted, and why.
func TestWhatWasNotGranted(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		w := newWorld(t, engine)

		h := w.apply(4000, false, false)
		calc := w.decide(robot, h.app.ID, sqlstore.DecideInput{}) // the calculated amount, to compare with
		h = w.apply(4000, false, false)
		motivation := "Hyran är högre än kommunens riktlinjer sedan rådrummet gick ut."
		d := w.decide(worker, h.app.ID, sqlstore.DecideInput{Amount: new(calc.Amount - bistand.Kronor(1000)), Motivation: motivation})
		in := w.assemble(d.ID)
		if d.Outcome != bistand.OutcomePartlyApproved || len(in.NotGranted) != 1 || in.NotGranted[0].Amount != bistand.Kronor(1000) ||
			in.NotGranted[0].Reason != motivation || in.Decision.DecidedBy != "handläggare hl-anna" || in.Decision.Automated {
			t.Errorf("partly approved: %s, %+v, decided by %q", d.Outcome, in.NotGranted, in.Decision.DecidedBy)
		}
		if _, err := letter.Render(in); err != nil {
			t.Errorf("partly approved: %v", err)
		}

		h = w.apply(40000, false, false) // income above the needs
		d = w.decide(worker, h.app.ID, sqlstore.DecideInput{Motivation: "Inkomsterna täcker behovet."})
		in = w.assemble(d.ID)
		if d.Outcome != bistand.OutcomeRejected || len(in.NotGranted) != 1 || in.Result.Surplus <= 0 ||
			!strings.Contains(in.NotGranted[0].Reason, strings.ReplaceAll(letter.FormatKronor(in.Result.Surplus), ",00", "")) ||
			!in.PaymentDate.IsZero() || in.NotGranted[0].Legal != "socialtjänstlagen (2025:400)" {
			t.Errorf("rejected as calculated: %s, surplus %s, %+v, paid %s", d.Outcome, in.Result.Surplus, in.NotGranted, in.PaymentDate)
		}
		r, err := letter.Render(in)
		if err != nil {
			t.Fatal(err)
		}
		if text := pdfText(t, r.PDF); !strings.Contains(text, "inget försörjningsstöd") || !strings.Contains(text, "Era inkomster") {
			t.Errorf("rejection letter:\n%s", text)
		}

		h = w.apply(4000, false, false)
		d = w.decide(worker, h.app.ID, sqlstore.DecideInput{Amount: kr(0), Motivation: "Ni har sparpengar som räcker för månaden."})
		in = w.assemble(d.ID)
		if d.Outcome != bistand.OutcomeRejected || len(in.NotGranted) != 1 || in.NotGranted[0].Amount != in.Result.Amount ||
			!strings.Contains(in.NotGranted[0].Reason, "sparpengar") {
			t.Errorf("rejected by a person: %+v", in.NotGranted)
		}
		if _, err := letter.Render(in); err != nil {
			t.Errorf("rejected by a person: %v", err)
		}
	})
}

// TestFourEyesLetterNamesBoth: a decision approved by a second caseworker
// names both, by id.
func TestFourEyesLetterNamesBoth(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		w := newWorld(t, engine)
		h := w.apply(0, false, false)
		_, p, err := w.st.ProposeDecision(w.ctx, worker, h.app.ID, sqlstore.DecideInput{Motivation: "Enligt beräkningen."}, bistand.Kronor(1))
		if err != nil || p == nil {
			t.Fatal(p, err)
		}
		d, err := w.st.ApproveProposal(w.ctx, worker2, p.ID, "Granskat.")
		if err != nil {
			t.Fatal(err)
		}
		in := w.assemble(d.ID)
		if in.Decision.DecidedBy != "handläggare hl-anna" || in.Decision.ApprovedBy != "handläggare hl-bo" {
			t.Errorf("decided by %q, approved by %q", in.Decision.DecidedBy, in.Decision.ApprovedBy)
		}
	})
}

// TestProtectedHouseholdLetter: anyone protected in the household (here the
// child, marked after the address was recorded) keeps the address out of
// the letter altogether.
func TestProtectedHouseholdLetter(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		w := newWorld(t, engine)
		for _, addressFirst := range []bool{false, true} {
			h := w.apply(4000, true, addressFirst)
			d := w.decide(worker, h.app.ID, sqlstore.DecideInput{Motivation: "Enligt beräkningen."})
			in := w.assemble(d.ID)
			if !in.Recipient.Protected || in.Recipient.Address != nil {
				t.Errorf("recipient %+v", in.Recipient)
			}
			r, err := letter.Render(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, out := range [][]byte{r.PDF, r.HTML, []byte(pdfText(t, r.PDF))} {
				if bytes.Contains(out, []byte("Exempelgatan")) || bytes.Contains(out, utf16("Exempelgatan")) {
					t.Errorf("address first %v: the protected household's address is in the letter", addressFirst)
				}
			}
			if !strings.Contains(string(r.HTML), "Skatteverket") {
				t.Error("the letter does not say it goes through Skatteverket")
			}
		}
	})
}

// TestNoLetterWithoutRecipient: without names from the population register
// there is no letter, and the error says why (no name, no address).
func TestNoLetterWithoutRecipient(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		w := newWorld(t, engine)
		h := w.apply(4000, false, false)
		// The partner's name retracted by a caseworker before the decision.
		if _, err := w.st.AddFacts(w.ctx, worker, h.app.ID, []sqlstore.FactInput{{Key: sqlstore.ContactKey(h.b.ID), Kind: bistand.FactContact,
			Provenance: bistand.Caseworker, Reason: "Fel person."}}); err != nil {
			t.Fatal(err)
		}
		d := w.decide(worker, h.app.ID, sqlstore.DecideInput{Motivation: "Enligt beräkningen."})
		if _, err := letters.Assemble(w.ctx, w.st, d.ID); !errors.Is(err, letters.ErrNoRecipient) || strings.Contains(err.Error(), "Testperson") {
			t.Errorf("assemble: %v", err)
		}
		if err := (&letters.Writer{Store: w.st}).Write(w.ctx, d.ID); !errors.Is(err, letters.ErrNoRecipient) {
			t.Errorf("write: %v", err)
		}
		if _, _, _, err := w.st.Letter(w.ctx, d.ID); !errors.Is(err, bistand.ErrNotFound) {
			t.Errorf("a letter was stored: %v", err)
		}
		if _, err := letters.Assemble(w.ctx, w.st, "dec-nothing"); !errors.Is(err, bistand.ErrNotFound) {
			t.Errorf("unknown decision: %v", err)
		}
	})
}

func utf16(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

// pdfText extracts a PDF's text with pdftotext (Debian's poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install Debian's poppler-utils")
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
