package sqlstore_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/letter"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// rendered is a stand-in for a rendered letter (the letter package's own
// tests render real ones): the store keeps bytes and hashes, whatever they are.
func rendered(pdf, html string) letter.Rendered {
	h := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	return letter.Rendered{PDF: []byte(pdf), HTML: []byte(html), PDFSHA256: h(pdf), HTMLSHA256: h(html)}
}

// decided makes the example household's application in municipality and
// has the robot decide it.
func (f *fixture) decided(municipality string) (bistand.Person, bistand.Person, bistand.Application, bistand.Decision) {
	f.t.Helper()
	a, b, _, app := f.household(municipality)
	f.toAssessed(a, b, app)
	d, ok, err := f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{})
	if err != nil || !ok {
		f.t.Fatal(ok, err)
	}
	return a, b, app, d
}

// TestEveryDecisionEnqueuesItsLetter: the letter step is enqueued in the
// decision's own transaction, for an original decision and a replacement.
func TestEveryDecisionEnqueuesItsLetter(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		_, _, app, d := f.decided("demo")
		d2, _, err := f.store.Decide(f.ctx, worker, app.ID, sqlstore.DecideInput{Replaces: d.ID, Amount: kr(5000), Motivation: "Omprövning."})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{d.ID, d2.ID} {
			args, _ := json.Marshal(sqlstore.LetterArgs{DecisionID: id})
			if n := f.count("SELECT COUNT(*) FROM test_jobs WHERE kind = $1 AND args = $2", sqlstore.StepLetter, string(args)); n != 1 {
				t.Errorf("decision %s: %d letter jobs", id, n)
			}
		}
		// A decision whose job cannot be enqueued is not recorded.
		_, _, app3, _ := func() (bistand.Person, bistand.Person, bistand.Application, bistand.Decision) {
			a, b, _, app := f.household("demo")
			f.toAssessed(a, b, app)
			return a, b, app, bistand.Decision{}
		}()
		f.jobs.mu.Lock()
		f.jobs.fail = true
		f.jobs.mu.Unlock()
		_, _, err = f.store.Decide(f.ctx, robot, app3.ID, sqlstore.DecideInput{})
		f.jobs.mu.Lock()
		f.jobs.fail = false
		f.jobs.mu.Unlock()
		if err == nil {
			t.Fatal("decided although the letter could not be enqueued")
		}
		if n := f.count("SELECT COUNT(*) FROM decisions WHERE application_id = $1", app3.ID); n != 0 {
			t.Errorf("%d decisions recorded without their letter job", n)
		}
	})
}

func TestStoreLetter(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		_, _, app, d := f.decided("demo")
		r := rendered("%PDF-1.4 ett brev", "<p>ett brev</p>")

		if _, _, _, err := f.store.Letter(f.ctx, d.ID); !errors.Is(err, bistand.ErrNotFound) {
			t.Fatalf("letter before storing: %v", err)
		}
		if err := f.store.StoreLetter(f.ctx, applicant(bistand.Person{ID: "per-x"}), d.ID, r); !errors.Is(err, bistand.ErrForbidden) {
			t.Errorf("an applicant stores a letter: %v", err)
		}
		bad := r
		bad.PDFSHA256 = strings.Repeat("0", 64)
		if err := f.store.StoreLetter(f.ctx, robot, d.ID, bad); !errors.Is(err, bistand.ErrInvalid) {
			t.Errorf("a letter whose hash is not its bytes': %v", err)
		}
		if err := f.store.StoreLetter(f.ctx, robot, "dec-nothing", r); !errors.Is(err, bistand.ErrNotFound) {
			t.Errorf("a letter for no decision: %v", err)
		}
		if err := f.store.StoreLetter(f.ctx, robot, d.ID, r); err != nil {
			t.Fatal(err)
		}
		events := f.auditEvents()
		if err := f.store.StoreLetter(f.ctx, robot, d.ID, r); err != nil {
			t.Fatalf("the same letter again: %v", err)
		}
		if got := f.auditEvents(); got != events {
			t.Errorf("storing the same letter again wrote %d audit events", got-events)
		}
		if err := f.store.StoreLetter(f.ctx, robot, d.ID, rendered("%PDF-1.4 ett annat brev", "<p>ett brev</p>")); !errors.Is(err, bistand.ErrConflict) {
			t.Errorf("another letter for the same decision: %v", err)
		}
		m, pdf, html, err := f.store.Letter(f.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(pdf) != string(r.PDF) || string(html) != string(r.HTML) || m.PDFSHA256 != r.PDFSHA256 || m.PDFSize != int64(len(r.PDF)) || m.CaseID != d.CaseID {
			t.Errorf("read back %+v %q %q", m, pdf, html)
		}
		if dec, let, err := f.store.LetterCounts(f.ctx); err != nil || dec != 1 || let != 1 {
			t.Errorf("counts: %d decisions, %d letters, %v", dec, let, err)
		}
		if ids, err := f.store.MonthLetters(f.ctx, d.Month); err != nil || len(ids) != 1 || ids[0] != d.ID {
			t.Errorf("month letters %v %v", ids, err)
		}
		if ids, _ := f.store.MonthLetters(f.ctx, d.Month.Add(1)); len(ids) != 0 {
			t.Errorf("letters of another month: %v", ids)
		}

		// Notified once, however often the step runs; the letter's row is
		// created once.
		n := bistand.Notification{ApplicationID: app.ID, PersonID: f.applicantOf(app), Kind: "decision_letter", Ref: d.ID,
			Subject: "Du har fått ett beslut", Body: "Beslutet finns i e-tjänsten."}
		for range 2 {
			if err := f.store.StoreLetterAndNotify(f.ctx, robot, d.ID, r, n); err != nil {
				t.Fatal(err)
			}
		}
		if got := f.count("SELECT COUNT(*) FROM notifications WHERE application_id = $1 AND kind = 'decision_letter'", app.ID); got != 1 {
			t.Errorf("%d notifications", got)
		}
		noRef := n
		noRef.Ref = ""
		if err := f.store.StoreLetterAndNotify(f.ctx, robot, d.ID, r, noRef); !errors.Is(err, bistand.ErrInvalid) {
			t.Errorf("a letter's notification without a ref: %v", err)
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatalf("verify: %s", rep.Problem)
		}

		// The row and the bytes are both guarded.
		f.exec("UPDATE letters SET pdf_size = pdf_size + 1 WHERE decision_id = $1", d.ID)
		if rep := f.verify(); rep.OK() || !strings.Contains(rep.Problem, "letters "+d.ID) {
			t.Errorf("a letter row changed by hand: %q", rep.Problem)
		}
		f.exec("UPDATE letters SET pdf_size = pdf_size - 1 WHERE decision_id = $1", d.ID)
		dir := f.blobDir
		if err := os.WriteFile(filepath.Join(dir, r.PDFSHA256[:2], r.PDFSHA256[2:]), []byte("%PDF-1.4 ändrat"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := f.store.Letter(f.ctx, d.ID); err == nil || !strings.Contains(err.Error(), "does not match") {
			t.Errorf("a stored file changed on disk: %v", err)
		}
	})
}

func (f *fixture) applicantOf(app bistand.Application) string {
	f.t.Helper()
	c, err := f.store.Case(f.ctx, system, app.CaseID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c.Members[0].PersonID
}

func contactFact(personID, name string, address ...string) sqlstore.FactInput {
	b, _ := json.Marshal(sqlstore.ContactValue{PersonID: personID, Name: name, Address: address})
	return sqlstore.FactInput{Key: sqlstore.ContactKey(personID), Kind: bistand.FactContact, Value: b,
		Provenance: bistand.Register, Source: "NAVET", Reference: "test"}
}

// TestContactFacts: names and addresses from the population register are
// facts like others, for members of the case only; a household with a
// protected member never has an address stored; Contacts reads them as
// they were at a moment, falling back on the case's earlier applications.
func TestContactFacts(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Collecting)
		if _, err := f.store.AddFacts(f.ctx, robot, app.ID, []sqlstore.FactInput{
			contactFact(h.a.ID, "Testperson Ett", "Exempelgatan 1", "123 45 Demoköping"),
			contactFact(h.b.ID, "Testperson Två", "Exempelgatan 1", "123 45 Demoköping"),
		}); err != nil {
			t.Fatal(err)
		}
		recorded := f.facts(app.ID)[len(f.facts(app.ID))-1].RecordedAt
		for name, in := range map[string]sqlstore.FactInput{
			"key of another person": func() sqlstore.FactInput {
				x := contactFact(h.a.ID, "Testperson Ett")
				x.Key = sqlstore.ContactKey(h.b.ID)
				return x
			}(),
			"no name":            contactFact(h.a.ID, " "),
			"a line break":       contactFact(h.a.ID, "Testperson\nEtt"),
			"not in the case":    contactFact("per-nobody", "Testperson Noll"),
			"an unknown field":   {Key: sqlstore.ContactKey(h.a.ID), Kind: bistand.FactContact, Value: json.RawMessage(`{"person_id":"` + h.a.ID + `","name":"X","phone":"1"}`), Provenance: bistand.Register},
			"seven address rows": contactFact(h.a.ID, "Testperson Ett", "1", "2", "3", "4", "5", "6", "7"),
		} {
			if _, err := f.store.AddFacts(f.ctx, robot, app.ID, []sqlstore.FactInput{in}); !errors.Is(err, bistand.ErrInvalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		// The contact facts change no calculation.
		if _, _, err := f.store.Household(f.ctx, app.ID); err != nil {
			t.Fatalf("household with contact facts: %v", err)
		}

		got, err := f.store.Contacts(f.ctx, app.ID, recorded)
		if err != nil || len(got) != 2 || got[h.a.ID].Name != "Testperson Ett" || len(got[h.b.ID].Address) != 2 {
			t.Fatalf("contacts %+v %v", got, err)
		}
		if got, _ := f.store.Contacts(f.ctx, app.ID, recorded.Add(-1)); len(got) != 0 {
			t.Errorf("contacts before they were recorded: %+v", got)
		}

		// Another application of the case: without its own contact facts it
		// has the case's latest; with its own, those.
		other := f.to(h, f.newApp(h), bistand.Collecting)
		got, _ = f.store.Contacts(f.ctx, other.ID, recorded.Add(1e12))
		if got[h.a.ID].Name != "Testperson Ett" {
			t.Errorf("fallback to the case's earlier application: %+v", got)
		}
		if _, err := f.store.AddFacts(f.ctx, robot, other.ID, []sqlstore.FactInput{contactFact(h.a.ID, "Testperson Ettan", "Nygatan 2", "123 46 Demoköping")}); err != nil {
			t.Fatal(err)
		}
		got, _ = f.store.Contacts(f.ctx, other.ID, recorded.Add(1e12))
		if got[h.a.ID].Name != "Testperson Ettan" || got[h.b.ID].Name != "Testperson Två" {
			t.Errorf("own facts first, then the case's: %+v", got)
		}

		// A protected member (the child) protects the household's address.
		if err := f.store.MarkProtected(f.ctx, robot, h.child.ID, true, "Folkbokföringen: skyddad identitet"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.AddFacts(f.ctx, robot, other.ID, []sqlstore.FactInput{contactFact(h.b.ID, "Testperson Två", "Gömdagatan 9", "999 99 Undanköping")}); !errors.Is(err, bistand.ErrInvalid) {
			t.Errorf("an address stored for a protected household: %v", err)
		}
		if _, err := f.store.AddFacts(f.ctx, robot, other.ID, []sqlstore.FactInput{contactFact(h.b.ID, "Testperson Två")}); err != nil {
			t.Errorf("a protected household's names: %v", err)
		}
		if n := f.count("SELECT COUNT(*) FROM facts WHERE value LIKE '%Gömdagatan%'"); n != 0 {
			t.Errorf("the protected address is stored %d times", n)
		}
	})
}
