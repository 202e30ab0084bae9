package letter

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

// Synthetic people and places only.

func demoMunicipality() Municipality {
	return Municipality{
		Name:  "Demoköpings kommun",
		Board: "Socialnämnden i Demoköpings kommun",
		Contact: Contact{
			Unit:          "Enheten för ekonomiskt bistånd",
			Phone:         "0123-45 67 89",
			Email:         "ekonomisktbistand@demokoping.example",
			PostalAddress: []string{"Socialnämnden", "Box 123", "123 45 Demoköping"},
			Web:           "https://demokoping.example/ekonomisktbistand",
		},
	}
}

// protectedAddress is a protected person's address: it must appear in no
// output. Its words are unusual so that a search for them is meaningful.
var protectedAddress = []string{"c/o Skyddsvakt Hemlig", "Gömdavägen 77", "987 65 Undanköping"}

// calculate runs the real engine on a household file in testdata/households.
func calculate(t testing.TB, name string) *rules.Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "households", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := rules.ParseHouseholdBytes(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	res, err := rules.Default().Calculate(h, rules.Options{Trace: true})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

func day(y int, m time.Month, d int) bistand.Date { return bistand.MustDate(y, m, d) }

// baseInput is an approved, automated letter to one applicant for
// November 2026 on a real calculation.
func baseInput(t testing.TB) Input {
	res := calculate(t, "single-2026")
	return Input{
		Municipality: demoMunicipality(),
		CaseRef:      "EB-2026-00417",
		Date:         day(2026, time.October, 28),
		Recipient: Recipient{
			Names:   []string{"Testperson Ett"},
			Address: []string{"Exempelgatan 1", "123 45 Demoköping"},
		},
		Decision: Decision{
			ID:        "dec-gmkpbcaaaaaeabcdefghijklmnop",
			Month:     res.Month,
			Outcome:   bistand.OutcomeApproved,
			Amount:    res.Amount,
			DecidedAt: day(2026, time.October, 27),
			Automated: true,
		},
		Result:      res,
		PaymentDate: day(2026, time.October, 30),
		PersonNames: map[string]string{"sokande": "Testperson Ett"},
	}
}

// goldenCases are the letters with golden files: every outcome and every
// way of deciding.
func goldenCases(t testing.TB) map[string]Input {
	cases := map[string]Input{}

	cases["approved-automated"] = baseInput(t)

	in := baseInput(t)
	in.Result = calculate(t, "single-2025-old-law")
	in.CaseRef = "EB-2025-00102"
	in.Date = day(2025, time.February, 27)
	in.Decision = Decision{
		ID: "dec-gkaaaaaaaaaabcdefghijklmnopa", Month: in.Result.Month, Outcome: bistand.OutcomeApproved,
		Amount: in.Result.Amount, DecidedAt: day(2025, time.February, 26), DecidedBy: "Handläggare Exempelsson, socialsekreterare",
	}
	in.PaymentDate = day(2025, time.February, 28)
	cases["approved-caseworker-old-law"] = in

	in = baseInput(t)
	in.Result = calculate(t, "family-rent-cap-2026")
	in.Recipient = Recipient{
		Names:   []string{"Testperson Ett", "Testperson Två"},
		Address: []string{"Provgatan 12 B lgh 1102", "123 46 Demoköping"},
	}
	in.PersonNames = map[string]string{"vuxen1": "Testperson Ett", "vuxen2": "Testperson Två", "barn1": "Testbarn Ett", "barn2": "Testbarn Två"}
	in.Decision = Decision{
		ID: "dec-gmkpbcaaaaafabcdefghijklmnop", Month: in.Result.Month, Outcome: bistand.OutcomePartlyApproved,
		Amount: in.Result.Amount, DecidedAt: day(2026, time.October, 27), DecidedBy: "Handläggare Exempelsson, socialsekreterare",
		Motivation: "Ni fick besked den 12 maj 2026 om att er hyra är högre än kommunens riktlinjer.\nRådrummet på fyra månader tog slut i september 2026.",
	}
	in.NotGranted = []NotGranted{{
		What:   "Hyra utöver riktlinjernas nivå",
		Amount: bistand.Kronor(1000),
		Reason: "Er hyra är 9 400 kr. Kommunens riktlinjer godtar högst 8 400 kr för två vuxna och två barn. Rådrummet efter beskedet den 12 maj 2026 har gått ut.",
		Legal:  "12 kap. 7 § socialtjänstlagen (2025:400); Demoköpings kommun, Riktlinjer för ekonomiskt bistånd (påhittat exempel)",
	}}
	cases["partly-approved-rent-cap"] = in

	in = baseInput(t)
	in.Result = calculate(t, "surplus-2026")
	in.Decision = Decision{
		ID: "dec-gmkpbcaaaaagabcdefghijklmnop", Month: in.Result.Month, Outcome: bistand.OutcomeRejected,
		DecidedAt: day(2026, time.October, 27), DecidedBy: "Handläggare Exempelsson, socialsekreterare",
	}
	in.PaymentDate = bistand.Date{}
	in.NotGranted = []NotGranted{{
		What:   "Försörjningsstöd för november 2026",
		Reason: "Dina inkomster är högre än ditt behov enligt riksnormen och dina skäliga kostnader.",
		Legal:  "socialtjänstlagen (2025:400)",
	}}
	cases["rejected-surplus"] = in

	in = baseInput(t)
	in.Decision = Decision{
		ID: "dec-gmkpbcaaaaahabcdefghijklmnop", Month: in.Result.Month, Outcome: bistand.OutcomeRejected,
		DecidedAt: day(2026, time.October, 27), DecidedBy: "Handläggare Exempelsson, socialsekreterare",
		Motivation: "Du har 48 000 kr på ett sparkonto enligt kontoutdraget du lämnade in den 20 oktober 2026.",
	}
	in.PaymentDate = bistand.Date{}
	in.NotGranted = []NotGranted{{
		What:   "Försörjningsstöd för november 2026",
		Amount: in.Result.Amount,
		Reason: "Du har pengar på ett sparkonto som är mer än ditt behov för månaden. Du ska först använda dem till din försörjning.",
		Legal:  "socialtjänstlagen (2025:400)",
	}}
	cases["rejected-savings"] = in

	in = baseInput(t)
	in.Recipient = Recipient{Names: []string{"Testperson Skyddad"}, Address: protectedAddress, Protected: true}
	in.PersonNames = map[string]string{"sokande": "Testperson Skyddad"}
	in.Decision.Automated = false
	in.Decision.DecidedBy = "Handläggare Exempelsson, socialsekreterare"
	in.Decision.ID = "dec-gmkpbcaaaaaiabcdefghijklmnop"
	cases["protected-recipient"] = in

	in = baseInput(t)
	in.Result = calculate(t, "family-large-2026")
	in.Date = day(2026, time.November, 27)
	in.Recipient = Recipient{
		Names:   []string{"Testperson Ett", "Testperson Två"},
		Address: []string{"Exempelvägen 3", "123 47 Demoköping"},
	}
	in.PersonNames = map[string]string{"vuxen1": "Testperson Ett", "vuxen2": "Testperson Två", "barn5": "Testbarn Fem"}
	in.Decision = Decision{
		ID: "dec-gmlaaaaaaaajabcdefghijklmnop", Month: in.Result.Month, Outcome: bistand.OutcomeApproved,
		Amount: in.Result.Amount, DecidedAt: day(2026, time.November, 26),
		DecidedBy: "Handläggare Exempelsson, socialsekreterare", ApprovedBy: "Handläggare Provsson, förste socialsekreterare",
	}
	in.PaymentDate = day(2026, time.November, 27)
	cases["four-eyes"] = in

	in = baseInput(t)
	in.Date = day(2026, time.November, 4)
	in.Decision = Decision{
		ID: "dec-gmkpbcaaaaakabcdefghijklmnop", Month: in.Result.Month, Outcome: bistand.OutcomeApproved,
		Amount: in.Result.Amount + bistand.Kronor(1450), DecidedAt: day(2026, time.November, 3),
		DecidedBy: "Handläggare Exempelsson, socialsekreterare", Replaces: "dec-gmkpbcaaaaaeabcdefghijklmnop",
		Motivation: "Du har visat en faktura på 1 450 kr för en nödvändig reparation av din spis. Vi godkänner kostnaden som livsföring i övrigt.",
	}
	in.PaymentDate = day(2026, time.November, 6)
	cases["replaces"] = in

	return cases
}

// pdfText extracts the text of a PDF with pdftotext (Debian's
// poppler-utils), as a person copying it from a viewer would get it.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install Debian's poppler-utils (apt-get install -y poppler-utils); the letter tests read the PDF's text with it")
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("pdftotext: %v %s", err, msg)
	}
	return string(out)
}
