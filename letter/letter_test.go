package letter

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

var spaces = regexp.MustCompile(`\s+`)

// flat collapses runs of white space (line breaks from wrapping, layout
// padding, no-break spaces, which pdftotext writes as plain spaces) into one
// space, so phrases can be searched for.
func flat(s string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(strings.ReplaceAll(s, "\u00a0", " "), " "))
}

// furniture is a page break in flattened PDF text: one page's footer and
// the next page's header.
var furniture = regexp.MustCompile(` ?Ärende \S+ · Beslut \S+ Sida \d+ av \d+( Demoköpings kommun Socialnämnden i Demoköpings kommun)?`)

// body is the flattened text of a PDF without the page furniture, so that
// text running over a page break reads on.
func body(pdfText string) string { return furniture.ReplaceAllString(flat(pdfText), "") }

// htmlText is the HTML with its tags removed and entities for the
// characters the inputs use decoded.
func htmlText(b []byte) string {
	s := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(string(b), " ")
	s = strings.NewReplacer("&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	return flat(s)
}

type rendered struct {
	Rendered
	text string // extracted from the PDF, flattened
	html string // the HTML's text, flattened
}

func render(t *testing.T, in Input) rendered {
	t.Helper()
	r, err := Render(in)
	if err != nil {
		t.Fatal(err)
	}
	return rendered{Rendered: r, text: body(pdfText(t, r.PDF)), html: htmlText(r.HTML)}
}

// says fails unless both the PDF's text and the HTML contain every phrase.
func (r rendered) says(t *testing.T, phrases ...string) {
	t.Helper()
	for _, p := range phrases {
		p = flat(p)
		if !strings.Contains(r.text, p) {
			t.Errorf("the PDF's text does not say %q\n%s", p, r.text)
		}
		if !strings.Contains(r.html, p) {
			t.Errorf("the HTML does not say %q\n%s", p, r.html)
		}
	}
}

// doesNotSay fails if the PDF's text or the HTML contains a phrase.
func (r rendered) doesNotSay(t *testing.T, phrases ...string) {
	t.Helper()
	for _, p := range phrases {
		if strings.Contains(r.text, p) {
			t.Errorf("the PDF's text says %q", p)
		}
		if strings.Contains(r.html, p) {
			t.Errorf("the HTML says %q", p)
		}
	}
}

func TestSwedishLettersAreRealText(t *testing.T) {
	in := baseInput(t)
	in.Decision.Automated, in.Decision.DecidedBy = false, "Handläggare Exempelsson"
	in.Decision.Motivation = "Årets hyra är höjd. Överenskommelsen gäller."
	r := render(t, in)
	// å, ä and ö, lower and upper case, as text a reader can copy.
	r.says(t, "Beslut om ekonomiskt bistånd (försörjningsstöd)", "Därför har vi beslutat så här",
		"Ärendenummer", "Du får 9\u00a0872\u00a0kr i försörjningsstöd för november 2026.", "Så har vi räknat",
		"Källor", "Om du vill överklaga", "tre veckor", "förvaltningsrätten")
	for _, c := range "åäöÅÄÖ" {
		if !strings.ContainsRune(r.text, c) || !strings.ContainsRune(r.html, c) {
			t.Errorf("the PDF's text or the HTML has no %c", c)
		}
	}
	// Swedish text is all in Windows-1252, so the fonts are embedded
	// TrueType subsets in that encoding (/WinAnsiEncoding, which a reader
	// maps to Unicode by the standard glyph names, with the minus sign added
	// as /Differences); TestFontsFollowTheText has the letters that need the
	// Unicode fonts.
	for _, want := range []string{"/FontFile2", "/Subtype /TrueType", "/BaseEncoding /WinAnsiEncoding /Differences [129 /minus]", "+DejaVuSans-Bold"} {
		if !bytes.Contains(r.PDF, []byte(want)) {
			t.Errorf("the PDF has no %s", want)
		}
	}
	if bytes.Contains(r.PDF, []byte("/Identity-H")) {
		t.Error("a Swedish letter is in the Unicode fonts")
	}
	checkFonts(t, r.PDF, false)
	// Amounts hold no-break spaces in the HTML (pdftotext writes them as
	// plain spaces, so the PDF's wrapping is tested in TestWrapKeepsAmounts).
	if !bytes.Contains(r.HTML, []byte("får 9\u00a0872\u00a0kr")) {
		t.Error("the HTML's amount has no no-break spaces")
	}
}

func TestHTMLIsSwedishAndMobileFriendly(t *testing.T) {
	r := render(t, baseInput(t))
	for _, want := range []string{`<html lang="sv">`, `<meta charset="utf-8">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`<th scope="col">Post</th>`, `<th scope="row">Ensamstående vuxen</th>`, `<th scope="colgroup" colspan="4">Riksnorm</th>`} {
		if !bytes.Contains(r.HTML, []byte(want)) {
			t.Errorf("the HTML has no %s", want)
		}
	}
}

func TestEveryOutcomeSaysWhatWasDecided(t *testing.T) {
	cases := goldenCases(t)
	render(t, cases["approved-automated"]).says(t,
		"Du får 9\u00a0872\u00a0kr i försörjningsstöd för november 2026.",
		"Vi betalar ut pengarna den 30 oktober 2026.",
		"Beviljat försörjningsstöd 9\u00a0872,00\u00a0kr")

	r := render(t, cases["partly-approved-rent-cap"])
	r.says(t, "Ni får 16\u00a0907\u00a0kr i försörjningsstöd för november 2026.",
		"Ni får inte allt som ni har ansökt om.", "Det här har ni inte fått och varför",
		// The caseworker's motivation, both paragraphs.
		"Ni fick besked den 12 maj 2026 om att er hyra är högre än kommunens riktlinjer.",
		"Rådrummet på fyra månader tog slut i september 2026.")

	r = render(t, cases["rejected-surplus"])
	r.says(t, "Du får inget försörjningsstöd för november 2026.",
		"Dina inkomster är 2\u00a0450,50\u00a0kr högre än ditt behov.",
		"Inkomsterna är alltså 2\u00a0450,50\u00a0kr högre än behovet.",
		"Överskott: inkomster utöver behovet 2\u00a0450,50\u00a0kr",
		"Beviljat försörjningsstöd 0,00\u00a0kr")
	r.doesNotSay(t, "betalar ut")

	r = render(t, cases["rejected-savings"])
	r.says(t, "Du får inget försörjningsstöd för november 2026.",
		"Det som fattas är 9\u00a0872\u00a0kr. Ändå får du inget försörjningsstöd.",
		"Beräknat försörjningsstöd 9\u00a0872,00\u00a0kr")
	r.doesNotSay(t, "Överskott")

	// Granted although the calculation shows no need: the reasons do not
	// say the opposite of the decision.
	in := cases["rejected-surplus"]
	in.Decision.Outcome, in.Decision.Amount, in.NotGranted = bistand.OutcomeApproved, bistand.Kronor(500), nil
	in.Decision.Motivation = "Du får hjälp med en räkning för el som annars skulle stängas av."
	r = render(t, in)
	r.says(t, "Du får 500\u00a0kr i försörjningsstöd för november 2026.",
		"Enligt beräkningen täcker inkomsterna alltså behovet. Ändå får du 500\u00a0kr. Skälen står i motiveringen nedan.",
		"Beviljat försörjningsstöd 500,00\u00a0kr")
	r.doesNotSay(t, "inte rätt till", "Vi säger nej", "Det här har du inte fått")

	r = render(t, cases["replaces"])
	r.says(t, "Det här beslutet ersätter beslut dec-gmkpbcaaaaaeabcdefghijklmnop. Det tidigare beslutet gäller inte längre.",
		"Ersätter beslut dec-gmkpbcaaaaaeabcdefghijklmnop",
		"Du får 11\u00a0322\u00a0kr i försörjningsstöd",
		"Beräknat försörjningsstöd 9\u00a0872,00\u00a0kr", "Beviljat försörjningsstöd 11\u00a0322,00\u00a0kr",
		"Du har visat en faktura på 1 450 kr")
}

// Every item not granted is stated with its amount, reason and legal
// reference, in both outputs.
func TestEveryNotGrantedItemIsStated(t *testing.T) {
	in := goldenCases(t)["partly-approved-rent-cap"]
	in.NotGranted = append(in.NotGranted,
		NotGranted{What: "Möbler till barnens rum", Amount: bistand.Money(349950),
			Reason: "Möbler ingår inte i försörjningsstödet.\nNi kan ansöka om bistånd till livsföring i övrigt för det.",
			Legal:  "socialtjänstlagen (2025:400)"},
		NotGranted{What: "Resor till umgänge", Reason: "Ni har inte visat några kostnader för resorna.", Legal: "socialtjänstlagen (2025:400)"})
	r := render(t, in)
	r.says(t, "1. Hyra utöver riktlinjernas nivå", "Belopp som ni inte får 1\u00a0000,00\u00a0kr",
		"2. Möbler till barnens rum", "Belopp som ni inte får 3\u00a0499,50\u00a0kr",
		"Möbler ingår inte i försörjningsstödet.", "Ni kan ansöka om bistånd till livsföring i övrigt för det.",
		"3. Resor till umgänge", "Varför Ni har inte visat några kostnader för resorna.", "Lagrum socialtjänstlagen (2025:400)")
	for _, n := range in.NotGranted {
		r.says(t, n.Legal)
	}
	// An item without an amount shows none.
	if strings.Contains(r.text, "Resor till umgänge Belopp") {
		t.Error("an item without an amount shows one")
	}
}

func TestAutomatedDecisionSaysSo(t *testing.T) {
	cases := goldenCases(t)
	r := render(t, cases["approved-automated"])
	r.says(t, "automatiserat beslutsfattande (28 § förvaltningslagen (2017:900))",
		"Beslutet är fattat automatiskt av ett datorprogram på uppdrag av Socialnämnden i Demoköpings kommun.",
		"(delegation)", "Du kan be att en handläggare går igenom beslutet.")
	r.doesNotSay(t, "Beslutet är fattat av en handläggare")

	r = render(t, cases["approved-caseworker-old-law"])
	r.says(t, "Beslutet är fattat av en handläggare på uppdrag av Socialnämnden i Demoköpings kommun (delegation).",
		"Beslutet är fattat av Handläggare Exempelsson, socialsekreterare")
	r.doesNotSay(t, "automatiserat", "datorprogram", "Granskat och godkänt av")

	r = render(t, cases["four-eyes"])
	r.says(t, "Ytterligare en handläggare har granskat och godkänt beslutet.",
		"Granskat och godkänt av Handläggare Provsson, förste socialsekreterare")
}

// The legal basis follows the month the support is for: socialtjänstlagen
// (2001:453) until June 2025, (2025:400) from July 2025.
func TestLegalBasisFollowsTheMonth(t *testing.T) {
	cases := goldenCases(t)
	r := render(t, cases["approved-caseworker-old-law"])
	r.says(t, "(4 kap. 1 § socialtjänstlagen (2001:453))", "4 kap. 3 § socialtjänstlagen (2001:453) och 2 kap. 1 § socialtjänstförordningen (2001:937)")
	r.doesNotSay(t, "2025:400")

	r = render(t, cases["approved-automated"])
	r.says(t, "(socialtjänstlagen (2025:400))", "12 kap. 7 § socialtjänstlagen (2025:400) och 2 kap. 1 § socialtjänstförordningen (2001:937)")
	r.doesNotSay(t, "2001:453")

	for m, want := range map[bistand.Month]string{
		bistand.MustMonth(2025, time.June): refSoL2001Right, bistand.MustMonth(2025, time.July): refSoL2025Right,
	} {
		if got, _ := legalBasis(m); got != want {
			t.Errorf("%s: %q, want %q", m, got, want)
		}
	}
}

// The letter's legal references are the rule data's, and it switches law on
// the day the rule data does.
func TestLegalReferencesMatchRuleData(t *testing.T) {
	d, err := rules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"sol2001-4-1": refSoL2001Right, "sol2001-4-3": refSoL2001Support,
		"sol2025-12-7": refSoL2025Support, "stf-2-1": refRiksnorm,
	} {
		s := d.Sources[id]
		if s == nil || s.Citation != want {
			t.Errorf("source %s: %+v, the letter cites %q", id, s, want)
		}
	}
	if s := d.Sources["sol2025"]; s == nil || !strings.HasPrefix(s.Citation, refSoL2025Right) {
		t.Errorf("source sol2025: %+v", s)
	}
	if s := d.Sources["fl-28"]; s == nil || !strings.HasPrefix(s.Citation, refFL+" 28 §") {
		t.Errorf("source fl-28: %+v", s)
	}
	periods := d.Bases["forsorjningsstod"]
	if len(periods) != 2 || periods[1].From != newSoL.FirstDay() {
		t.Errorf("the rule data's basis for försörjningsstöd changes law at %+v, the letter at %s", periods, newSoL)
	}
}

func TestAppealInstructions(t *testing.T) {
	for name, in := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			r := render(t, in)
			p := singular
			if len(in.Recipient.Names) > 1 {
				p = plural
			}
			r.says(t, "Om "+p.du+" vill överklaga", "Det ska vara skriftligt.",
				"Skicka det till Socialnämnden i Demoköpings kommun, Socialnämnden, Box 123, 123 45 Demoköping.",
				"inom tre veckor från den dag "+p.du+" fick beslutet",
				"vilket beslut "+p.du+" överklagar: ärendenummer "+in.CaseRef+", beslut "+in.Decision.ID,
				"hur "+p.du+" vill att beslutet ska ändras", "varför "+p.du+" tycker att beslutet ska ändras",
				"förvaltningsrätten, som prövar det", "33 § och 44 § förvaltningslagen (2017:900)",
				"32 § förvaltningslagen (2017:900)",
				"Telefon 0123-45 67 89", "E-post ekonomisktbistand@demokoping.example")
		})
	}
}

func TestPageNumbers(t *testing.T) {
	r, err := Render(goldenCases(t)["four-eyes"])
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, r.PDF)
	pages := strings.Count(text, "\f")
	if pages < 2 {
		t.Fatalf("%d pages; the case is meant to need more than one", pages)
	}
	for i := 1; i <= pages; i++ {
		want := "Sida " + strconv.Itoa(i) + " av " + strconv.Itoa(pages)
		if strings.Count(text, want) != 1 {
			t.Errorf("%q appears %d times", want, strings.Count(text, want))
		}
	}
	if strings.Count(text, "Demoköpings kommun\n") < pages {
		t.Error("the municipality's name is not in every page's header")
	}
}

// A protected person's address is in no output: not in the HTML, not in
// the PDF's text, not in the PDF's bytes (page content is uncompressed and
// holds text in Windows-1252 or, in the Unicode fonts, as UTF-16BE, so
// those encodings and UTF-8 are searched). The same search finds every
// line and word of the address in the PDF's bytes when the recipient is
// not protected, so it can fail; in the Windows-1252 fonts and, with a name
// that needs them, in the Unicode fonts.
func TestProtectedAddressIsNeverPrinted(t *testing.T) {
	needles := func() []string {
		var out []string
		for _, l := range protectedAddress {
			out = append(out, l)
			for _, w := range strings.Fields(l) {
				if len(w) >= 4 {
					out = append(out, w)
				}
			}
		}
		return out
	}()
	encodings := map[string]func(string) []byte{
		"UTF-8": func(s string) []byte { return []byte(s) }, "UTF-16BE": pdfUTF16, "Windows-1252": pdfCP1252,
	}
	check := func(t *testing.T, protected bool, name string) {
		in := goldenCases(t)["protected-recipient"]
		in.Recipient.Protected = protected
		in.Recipient.Names = []string{name}
		r, err := Render(in)
		if err != nil {
			t.Fatal(err)
		}
		if unicode := bytes.Contains(r.PDF, []byte("/Identity-H")); unicode != strings.ContainsRune(name, 'Ł') {
			t.Fatalf("%s: Unicode fonts %v", name, unicode)
		}
		text := pdfText(t, r.PDF)
		for _, n := range needles {
			inBytes := false
			for enc, encode := range encodings {
				if bytes.Contains(r.PDF, encode(n)) {
					inBytes = true
					if protected {
						t.Errorf("the protected address %q is in the PDF's bytes (%s)", n, enc)
					}
				}
			}
			if !protected && !inBytes {
				t.Errorf("the search finds %q nowhere in the PDF's bytes of an unprotected letter: it proves nothing", n)
			}
			for where, hay := range map[string]string{"HTML": string(r.HTML), "PDF text": text} {
				if found := strings.Contains(hay, n); found == protected {
					t.Errorf("protected %v: %q in the %s: %v", protected, n, where, found)
				}
			}
		}
		if protected {
			if !strings.Contains(flat(text), "Skickas via Skatteverket (skyddade personuppgifter)") ||
				!bytes.Contains(r.HTML, []byte("Skickas via Skatteverket (skyddade personuppgifter)")) {
				t.Error("the letter does not say it goes through Skatteverket")
			}
		}
	}
	for _, name := range []string{"Testperson Skyddad", "Testperson Łaska"} {
		t.Run(name, func(t *testing.T) {
			t.Run("protected", func(t *testing.T) { check(t, true, name) })
			t.Run("control", func(t *testing.T) { check(t, false, name) })
		})
	}
}

// pdfUTF16 encodes s as fpdf writes text in a page with a Unicode font:
// UTF-16BE, with \, ( and ) escaped.
func pdfUTF16(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		hi, lo := byte(u>>8), byte(u)
		for _, c := range []byte{hi, lo} {
			if c == '\\' || c == '(' || c == ')' {
				b = append(b, '\\')
			}
			b = append(b, c)
		}
	}
	return b
}

// pdfCP1252 encodes s as fpdf writes text in a page with a Windows-1252
// font: one byte a character, with \, ( and ) escaped. The test's text is
// all in Windows-1252.
func pdfCP1252(s string) []byte {
	var b []byte
	for _, r := range s {
		c, ok := cp1252Code(r)
		if !ok {
			panic(fmt.Sprintf("%U is not in Windows-1252", r))
		}
		if c == '\\' || c == '(' || c == ')' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return b
}

func TestRenderIsDeterministic(t *testing.T) {
	in := goldenCases(t)["partly-approved-rent-cap"]
	first, err := Render(in)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, err := Render(in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.PDF, again.PDF) || !bytes.Equal(first.HTML, again.HTML) ||
			first.PDFSHA256 != again.PDFSHA256 || first.HTMLSHA256 != again.HTMLSHA256 {
			t.Fatal("the same input gave different bytes")
		}
	}
	if first.PDFSHA256 != sha256Hex(first.PDF) || first.HTMLSHA256 != sha256Hex(first.HTML) || len(first.PDFSHA256) != 64 {
		t.Fatal("the hashes are not the SHA-256 of the outputs")
	}
	// Any change in what the letter says changes both outputs.
	for name, change := range map[string]func(*Input){
		"amount":      func(in *Input) { in.Decision.Amount++; in.Decision.Motivation += " Ändrat." },
		"letter date": func(in *Input) { in.Date = in.Date.AddDays(1) },
		"case":        func(in *Input) { in.CaseRef += "-1" },
		"name":        func(in *Input) { in.Recipient.Names[0] = "Testperson Tre" },
		"reason":      func(in *Input) { in.NotGranted[0].Reason += " Se riktlinjerna." },
	} {
		changed := goldenCases(t)["partly-approved-rent-cap"]
		change(&changed)
		r, err := Render(changed)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bytes.Equal(r.PDF, first.PDF) || r.PDFSHA256 == first.PDFSHA256 {
			t.Errorf("%s: the PDF did not change", name)
		}
		if bytes.Equal(r.HTML, first.HTML) || r.HTMLSHA256 == first.HTMLSHA256 {
			t.Errorf("%s: the HTML did not change", name)
		}
	}
}

// The PDF's metadata dates are the letter's date, never the clock.
func TestPDFDatesAreTheLetterDate(t *testing.T) {
	r := render(t, baseInput(t))
	for _, want := range []string{"/CreationDate (D:20261028", "/ModDate (D:20261028"} {
		if !bytes.Contains(r.PDF, []byte(want)) {
			t.Errorf("the PDF has no %s", want)
		}
	}
}

func TestHTMLEscapesEverything(t *testing.T) {
	in := baseInput(t)
	in.Decision.Automated = false
	in.Decision.DecidedBy = `Handläggare <b>Fet</b>`
	in.Decision.Motivation = `<script>alert("x")</script> & "citat"`
	in.Recipient.Names = []string{`Testperson <img src=x onerror=alert(1)>`}
	r, err := Render(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<b>Fet", "<img"} {
		if bytes.Contains(r.HTML, []byte(bad)) {
			t.Errorf("the HTML holds %s unescaped", bad)
		}
	}
	if !bytes.Contains(r.HTML, []byte("&lt;script&gt;")) {
		t.Error("the motivation is not in the HTML, escaped")
	}
	if !strings.Contains(flat(pdfText(t, r.PDF)), `<script>alert("x")</script> & "citat"`) {
		t.Error("the PDF does not print the motivation as written")
	}
}

// Invalid or contradictory input is an error wrapping bistand.ErrInvalid,
// never a letter.
func TestInvalidInputIsAnError(t *testing.T) {
	rejected := func(in *Input) {
		in.Decision.Outcome = bistand.OutcomeRejected
		in.Decision.Amount = 0
		in.PaymentDate = bistand.Date{}
	}
	for name, change := range map[string]func(*Input){
		"rejected without what was not granted": rejected,
		"partly approved without what was not granted": func(in *Input) {
			in.Decision.Outcome = bistand.OutcomePartlyApproved
		},
		"approved listing what was not granted": func(in *Input) {
			in.NotGranted = []NotGranted{{What: "Hyra", Reason: "För hög.", Legal: "socialtjänstlagen (2025:400)"}}
		},
		"rejected with an amount": func(in *Input) {
			rejected(in)
			in.Decision.Amount = 100
			in.NotGranted = []NotGranted{{What: "Hyra", Reason: "För hög.", Legal: "socialtjänstlagen (2025:400)"}}
		},
		"rejected with a payment date": func(in *Input) {
			rejected(in)
			in.NotGranted = []NotGranted{{What: "Hyra", Reason: "För hög.", Legal: "socialtjänstlagen (2025:400)"}}
			in.PaymentDate = day(2026, time.October, 30)
		},
		"not granted without a reason": func(in *Input) {
			rejected(in)
			in.NotGranted = []NotGranted{{What: "Hyra", Legal: "socialtjänstlagen (2025:400)"}}
		},
		"not granted without a legal reference": func(in *Input) {
			rejected(in)
			in.NotGranted = []NotGranted{{What: "Hyra", Reason: "För hög."}}
		},
		"not granted with a negative amount": func(in *Input) {
			rejected(in)
			in.NotGranted = []NotGranted{{What: "Hyra", Amount: -1, Reason: "För hög.", Legal: "socialtjänstlagen (2025:400)"}}
		},
		"unknown outcome":       func(in *Input) { in.Decision.Outcome = "maybe" },
		"approved with nothing": func(in *Input) { in.Decision.Amount = 0 },
		"negative amount":       func(in *Input) { in.Decision.Amount = -1 },
		"amount unlike the calculation without a motivation": func(in *Input) { in.Decision.Amount += 100 },
		"automated with a decider":                           func(in *Input) { in.Decision.DecidedBy = "Handläggare Exempelsson" },
		"automated with four eyes":                           func(in *Input) { in.Decision.ApprovedBy = "Handläggare Provsson" },
		"a person's decision without the person":             func(in *Input) { in.Decision.Automated = false },
		"four eyes by the decider": func(in *Input) {
			in.Decision.Automated = false
			in.Decision.DecidedBy, in.Decision.ApprovedBy = "Handläggare Exempelsson", "Handläggare Exempelsson"
		},
		"replaces itself":                 func(in *Input) { in.Decision.Replaces = in.Decision.ID },
		"no calculation":                  func(in *Input) { in.Result = nil },
		"calculation without the trace":   func(in *Input) { in.Result.Lines = nil },
		"calculation for another month":   func(in *Input) { in.Decision.Month = in.Decision.Month.Add(1) },
		"no recipient":                    func(in *Input) { in.Recipient.Names = nil },
		"no address":                      func(in *Input) { in.Recipient.Address = nil },
		"empty name":                      func(in *Input) { in.Recipient.Names = []string{" "} },
		"line break in a name":            func(in *Input) { in.Recipient.Names = []string{"Testperson\nEtt"} },
		"control character in motivation": func(in *Input) { in.Decision.Motivation = "a\x00b" },
		"invalid UTF-8":                   func(in *Input) { in.Decision.Motivation = "a\xffb" },
		"no board":                        func(in *Input) { in.Municipality.Board = "" },
		"no postal address to appeal to":  func(in *Input) { in.Municipality.Contact.PostalAddress = nil },
		"no phone or email": func(in *Input) {
			in.Municipality.Contact.Phone, in.Municipality.Contact.Email = "", ""
		},
		"no case reference":                 func(in *Input) { in.CaseRef = "" },
		"no letter date":                    func(in *Input) { in.Date = bistand.Date{} },
		"letter before the decision":        func(in *Input) { in.Date = in.Decision.DecidedAt.AddDays(-1) },
		"payment before the decision":       func(in *Input) { in.PaymentDate = in.Decision.DecidedAt.AddDays(-1) },
		"no decision id":                    func(in *Input) { in.Decision.ID = "" },
		"no decision date":                  func(in *Input) { in.Decision.DecidedAt = bistand.Date{} },
		"empty person name":                 func(in *Input) { in.PersonNames["sokande"] = "" },
		"calculation line without a source": func(in *Input) { in.Result.Lines[0].Source = "" },
		"calculation line in no section":    func(in *Input) { in.Result.Lines[0].Section = "other" },
	} {
		t.Run(name, func(t *testing.T) {
			in := baseInput(t)
			change(&in)
			r, err := Render(in)
			if !errors.Is(err, bistand.ErrInvalid) {
				t.Fatalf("err = %v, want bistand.ErrInvalid", err)
			}
			if r.PDF != nil || r.HTML != nil || r.PDFSHA256 != "" {
				t.Fatal("an error came with a letter")
			}
		})
	}
}

func TestRejectedWithoutNotGrantedIsAnError(t *testing.T) {
	in := goldenCases(t)["rejected-surplus"]
	in.NotGranted = nil
	_, err := Render(in)
	if !errors.Is(err, bistand.ErrInvalid) || !strings.Contains(err.Error(), "must say what was not granted") {
		t.Fatalf("err = %v", err)
	}
}
