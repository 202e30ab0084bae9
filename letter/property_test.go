package letter

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
	"pgregory.net/rapid"
)

// The PDF writer breaks lines at plain spaces only: an amount, written
// with no-break spaces, is never split, however narrow the column; in the
// Windows-1252 fonts and the Unicode ones alike.
func TestWrapKeepsAmounts(t *testing.T) {
	for _, cp1252 := range []bool{true, false} {
		w := newPDF(&doc{}, 1, cp1252)
		w.f.AddPage()
		w.font("", 10)
		amount, deduction := kronorShort(123456789), FormatKronor(-450)
		text := "Du får " + amount + " i försörjningsstöd för november 2026, och " + deduction + " dras av."
		for width := 30.0; width <= 170; width += 7 {
			lines := w.wrap(text, width)
			joined := strings.Join(lines, "\n")
			if !strings.Contains(joined, amount) || !strings.Contains(joined, deduction) {
				t.Fatalf("cp1252 %v, width %v split an amount: %q", cp1252, width, lines)
			}
			if strings.Join(lines, " ") != text {
				t.Fatalf("cp1252 %v, width %v lost text: %q", cp1252, width, lines)
			}
			for _, l := range lines {
				if w.width(l) > width && strings.Contains(l, " ") {
					t.Fatalf("cp1252 %v, width %v: line %q is %v wide", cp1252, width, l, w.width(l))
				}
			}
		}
		// A word wider than the line is broken between characters, losing none.
		long := strings.Repeat("xå", 100)
		if got := strings.Join(w.wrap(long, 20), ""); got != long {
			t.Fatalf("cp1252 %v: a long word came back as %q", cp1252, got)
		}
		if w.unencodable {
			t.Fatal("the text is Windows-1252")
		}
	}
}

var sections = []rules.Section{rules.SectionNorm, rules.SectionCosts, rules.SectionIncome, rules.SectionResult}

// swedishText draws text of Swedish letters, digits, punctuation and
// spaces, sometimes long enough to wrap over several lines.
func swedishText(min int) *rapid.Generator[string] {
	return rapid.StringOfN(rapid.SampledFrom([]rune("abcdefghijklmnopqrstuvwxyzåäöÅÄÖ ABC0123456789,.:;()§–−%<>&\"'")), min, 160, -1).
		Filter(func(s string) bool { return strings.TrimSpace(s) != "" })
}

func money(lo, hi int64) *rapid.Generator[bistand.Money] {
	return rapid.Custom(func(t *rapid.T) bistand.Money { return bistand.Money(rapid.Int64Range(lo, hi).Draw(t, "öre")) })
}

// For any calculation lines, amounts and items not granted that make a
// consistent decision, Render succeeds, is deterministic, and both outputs
// carry the amount decided.
func TestRenderProperty(t *testing.T) {
	base := baseInput(t)
	rapid.Check(t, func(t *rapid.T) {
		in := base
		res := *in.Result
		n := rapid.IntRange(1, 40).Draw(t, "lines")
		res.Lines = make([]rules.Line, n)
		for i := range res.Lines {
			verified := rapid.Bool().Draw(t, "verified")
			st := rules.Confirmed
			if !verified {
				st = rapid.SampledFrom([]rules.Status{rules.Estimate, rules.StrongHint, rules.Illustrative}).Draw(t, "status")
			}
			res.Lines[i] = rules.Line{
				Section:  sections[rapid.IntRange(0, 3).Draw(t, "section")],
				Label:    swedishText(1).Draw(t, "label"),
				Person:   rapid.SampledFrom([]string{"", "sokande", "barn1"}).Draw(t, "person"),
				Amount:   money(-10_000_000_00, 10_000_000_00).Draw(t, "amount"),
				Source:   rapid.SampledFrom([]string{"4 kap. 1 § socialtjänstlagen (2001:453)", "12 kap. 7 § socialtjänstlagen (2025:400)", "Demoköpings kommun, riktlinjer (påhittat exempel)"}).Draw(t, "source"),
				Kind:     rules.Law,
				Verified: verified,
				Status:   st,
			}
		}
		res.NormTotal = money(0, 1_000_000_00).Draw(t, "norm")
		res.CostsTotal = money(-1_000_000_00, 1_000_000_00).Draw(t, "costs")
		res.IncomeTotal = money(-1_000_000_00, 1_000_000_00).Draw(t, "income")
		res.NeedsTotal = money(0, 2_000_000_00).Draw(t, "needs")
		if rapid.Bool().Draw(t, "calculated approved") {
			res.Outcome, res.Amount, res.Surplus = rules.Approved, money(1, 1_000_000_00).Draw(t, "calculated"), 0
		} else {
			res.Outcome, res.Amount, res.Surplus = rules.Rejected, 0, money(0, 1_000_000_00).Draw(t, "surplus")
		}
		in.Result = &res

		dec := &in.Decision
		dec.Automated = rapid.Bool().Draw(t, "automated")
		if !dec.Automated {
			dec.DecidedBy = swedishText(1).Draw(t, "decided by")
			if rapid.Bool().Draw(t, "four eyes") {
				dec.ApprovedBy = dec.DecidedBy + " och en till"
			}
		}
		if rapid.Bool().Draw(t, "motivation") {
			dec.Motivation = swedishText(1).Draw(t, "motivation") + "\n" + swedishText(0).Draw(t, "more")
		}
		dec.Outcome = rapid.SampledFrom([]bistand.Outcome{bistand.OutcomeApproved, bistand.OutcomePartlyApproved, bistand.OutcomeRejected}).Draw(t, "outcome")
		in.NotGranted = nil
		switch dec.Outcome {
		case bistand.OutcomeRejected:
			dec.Amount, in.PaymentDate = 0, bistand.Date{}
		default:
			dec.Amount = money(1, 1_000_000_00).Draw(t, "granted")
			if dec.Amount != res.Amount && dec.Motivation == "" {
				dec.Motivation = "Motivering."
			}
		}
		if dec.Outcome != bistand.OutcomeApproved {
			for range rapid.IntRange(1, 6).Draw(t, "not granted") {
				in.NotGranted = append(in.NotGranted, NotGranted{
					What: swedishText(1).Draw(t, "what"), Amount: money(0, 1_000_000_00).Draw(t, "not granted amount"),
					Reason: swedishText(1).Draw(t, "reason"), Legal: swedishText(1).Draw(t, "legal"),
				})
			}
		}
		in.Recipient.Names = rapid.SliceOfN(swedishText(1), 1, 3).Draw(t, "names")
		in.Recipient.Protected = rapid.Bool().Draw(t, "protected")
		// The drawn text is all in the fast fonts; a name outside them
		// sends the letter to the Unicode fonts.
		unicode := rapid.Bool().Draw(t, "unicode")
		if unicode {
			in.Recipient.Names[0] += " Łaska"
		}

		a, err := Render(in)
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		b, err := Render(in)
		if err != nil {
			t.Fatalf("Render again: %v", err)
		}
		if !bytes.Equal(a.PDF, b.PDF) || !bytes.Equal(a.HTML, b.HTML) || a.PDFSHA256 != b.PDFSHA256 || a.HTMLSHA256 != b.HTMLSHA256 {
			t.Fatal("the same input gave different bytes")
		}
		if !bytes.HasPrefix(a.PDF, []byte("%PDF-")) || !bytes.Contains(a.PDF, []byte("%%EOF")) {
			t.Fatal("not a PDF")
		}
		if bytes.Contains(a.PDF, []byte("/Identity-H")) != unicode {
			t.Fatalf("in the Unicode fonts: %v, want %v", !unicode, unicode)
		}
		if !bytes.Contains(a.HTML, []byte(FormatKronor(dec.Amount))) {
			t.Fatalf("the HTML does not show the amount decided, %s", FormatKronor(dec.Amount))
		}
		if in.Recipient.Protected && bytes.Contains(a.HTML, []byte(in.Recipient.Address[0])) {
			t.Fatal("a protected address is in the HTML")
		}
	})
}
