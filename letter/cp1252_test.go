package letter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// subsetName is a Windows-1252 font's name in the PDF: a subset tag and
// the PostScript name.
var subsetName = regexp.MustCompile(`^[A-Z]{6}\+DejaVuSans(-Bold)?$`)

// cp1252Repertoire is every character Windows-1252 has (218), in code order.
func cp1252Repertoire() []rune {
	var out []rune
	for c := 0x20; c <= 0xff; c++ {
		switch {
		case c < 0x7f, c >= 0xa0:
			out = append(out, rune(c))
		case c >= 0x80 && cp1252High[c-0x80] != 0:
			out = append(out, cp1252High[c-0x80])
		}
	}
	return out
}

// fastRepertoire is every character of the fast fonts (219): Windows-1252
// and the minus sign U+2212.
func fastRepertoire() []rune { return append(cp1252Repertoire(), '\u2212') }

func TestCP1252Table(t *testing.T) {
	rep := cp1252Repertoire()
	if len(rep) != 218 {
		t.Fatalf("the repertoire has %d characters, Windows-1252 has 218", len(rep))
	}
	for _, r := range rep {
		c, ok := cp1252Code(r)
		if !ok {
			t.Errorf("%U has no code", r)
			continue
		}
		if c < 0x80 || c >= 0xa0 {
			if rune(c) != r {
				t.Errorf("%U has the code %#x", r, c)
			}
		} else if cp1252High[c-0x80] != r {
			t.Errorf("%U has the code %#x, which is %U", r, c, cp1252High[c-0x80])
		}
	}
	// Spot checks against the standard, and characters it lacks.
	for r, want := range map[rune]byte{'€': 0x80, '…': 0x85, '•': 0x95, '–': 0x96, '—': 0x97, '”': 0x94, '™': 0x99, 'Ÿ': 0x9f,
		'\u00a0': 0xa0, '§': 0xa7, '·': 0xb7, '×': 0xd7, 'å': 0xe5, 'ä': 0xe4, 'ö': 0xf6, 'É': 0xc9, 'ü': 0xfc} {
		if c, ok := cp1252Code(r); !ok || c != want {
			t.Errorf("%c: %#x, %v; want %#x", r, c, ok, want)
		}
	}
	for _, r := range []rune{'Ł', 'ś', 'ễ', 'ị', '≤', '→', '\u2010', '\u0081', '\u007f', '\n', '\t', 0, utf8.RuneError, 0x10000} {
		if c, ok := cp1252Code(r); ok {
			t.Errorf("%U has the code %#x; Windows-1252 has no such character", r, c)
		}
	}
	// The one character added: the minus sign, at a code Windows-1252
	// leaves undefined, which no other character has.
	if cp1252High[minusCode-0x80] != 0 {
		t.Errorf("the minus sign's code %#x is %U in Windows-1252", minusCode, cp1252High[minusCode-0x80])
	}
	if c, ok := cp1252Code('\u2212'); !ok || c != minusCode {
		t.Errorf("U+2212: %#x, %v; want %#x", c, ok, minusCode)
	}
	if s, ok := toCP1252("Avrundning \u22120,16\u00a0kr"); !ok || s != "Avrundning \x810,16\xa0kr" {
		t.Errorf("toCP1252 of a negative amount: %q, %v", s, ok)
	}
	// The fonts' definitions put the glyph minus at that code (fpdf writes
	// this into the PDF as the /Differences of the fonts' /Encoding).
	for _, def := range [][]byte{fontRegularCP1252Def, fontBoldCP1252Def} {
		var d struct{ Diff string }
		if err := json.Unmarshal(def, &d); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d /minus", minusCode); d.Diff != want {
			t.Errorf("the font definition's Diff is %q, want %q", d.Diff, want)
		}
	}
	if s, ok := toCP1252("Åsa – 1\u00a0000 kr • §"); !ok || s != "\xc5sa \x96 1\xa0000 kr \x95 \xa7" {
		t.Errorf("toCP1252: %q, %v", s, ok)
	}
	if s, ok := toCP1252("Łukasz"); ok || s != "" {
		t.Errorf("toCP1252 of a name outside Windows-1252: %q, %v", s, ok)
	}
	if s := "ASCII only"; unsafe.StringData(mustCP1252(t, s)) != unsafe.StringData(s) {
		t.Error("ASCII text is copied")
	}
}

func mustCP1252(t *testing.T, s string) string {
	t.Helper()
	c, ok := toCP1252(s)
	if !ok {
		t.Fatalf("%q is not Windows-1252", s)
	}
	return c
}

// The Windows-1252 fonts have, code for code, the widths the Unicode fonts
// have for the characters of those codes, so both lay a letter out alike;
// and width sums them exactly as fpdf's GetStringWidth does.
func TestCP1252FontWidths(t *testing.T) {
	fast, uni := newPDF(&doc{}, 1, true), newPDF(&doc{}, 1, false)
	fast.f.AddPage()
	uni.f.AddPage()
	all := string(fastRepertoire())
	for _, style := range []string{"", "B"} {
		for _, size := range []float64{8, 9, 10, 11.5, 15} {
			fast.font(style, size)
			uni.font(style, size)
			for _, r := range all {
				got, want := fast.f.GetStringWidth(mustCP1252(t, string(r))), uni.f.GetStringWidth(string(r))
				if got != want {
					t.Errorf("%q %v pt: %U is %v wide in the Windows-1252 font, %v in the Unicode font", style, size, r, got, want)
				}
			}
			for _, s := range []string{all, "Du får 9\u00a0872\u00a0kr i försörjningsstöd för november 2026.", "Avrundning \u22120,16\u00a0kr", "", "x"} {
				if got, want := fast.width(s), fast.f.GetStringWidth(mustCP1252(t, s)); got != want {
					t.Errorf("%q %v pt: width %v, fpdf %v", style, size, got, want)
				}
				if got, want := uni.width(s), uni.f.GetStringWidth(s); got != want {
					t.Errorf("%q %v pt: Unicode width %v, fpdf %v", style, size, got, want)
				}
			}
		}
	}
	if fast.unencodable || uni.unencodable {
		t.Fatal("Windows-1252 text was found unencodable")
	}
	fast.width("Łukasz")
	if !fast.unencodable {
		t.Fatal("measuring a character Windows-1252 lacks does not say so")
	}
}

// Every character of the fast fonts in a letter comes back out of the PDF
// as the same character: the translation agrees with /WinAnsiEncoding, and
// the minus sign's code with the /Differences that names its glyph.
func TestCP1252TextExtracts(t *testing.T) {
	in := baseInput(t)
	in.Decision.Automated, in.Decision.DecidedBy = false, "Handläggare Exempelsson"
	var words []string
	rep := fastRepertoire()
	for i := 0; i < len(rep); i += 24 {
		w := strings.NewReplacer(" ", "", "\u00a0", "", "\u00ad", "").Replace(string(rep[i:min(i+24, len(rep))]))
		words = append(words, w)
	}
	in.Decision.Motivation = strings.Join(words, " ") + "\nMed\u00a0no-break och mjukt bin\u00adde\u00adstreck."
	r, err := Render(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(r.PDF, []byte("/BaseEncoding /WinAnsiEncoding /Differences [129 /minus]")) {
		t.Fatal("the letter is not in the Windows-1252 fonts")
	}
	text := flat(pdfText(t, r.PDF))
	if !strings.Contains(words[len(words)-1], "\u2212") {
		t.Fatalf("the last word %q lacks the minus sign", words[len(words)-1])
	}
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF's text does not say %q\n%s", w, text)
		}
	}
	if !strings.Contains(text, "Med no-break och mjukt") {
		t.Errorf("the no-break space does not read as a space:\n%s", text)
	}
}

// Which fonts a letter is made in follows from the text that goes into its
// pages, and only from that: Windows-1252 text, with the minus sign, takes
// the single-byte fonts, any other character anywhere the Unicode fonts. Either way the letter
// reads the same and renders the same bytes every time.
func TestFontsFollowTheText(t *testing.T) {
	name := func(n string) func(*Input) {
		return func(in *Input) { in.Recipient.Names = []string{n}; in.PersonNames = map[string]string{"sokande": n} }
	}
	// motivation: a caseworker's decision with this motivation.
	motivation := func(m string) func(*Input) {
		return func(in *Input) {
			in.Decision.Automated, in.Decision.DecidedBy = false, "Handläggare Exempelsson"
			in.Decision.Motivation = m
		}
	}
	for _, c := range []struct {
		name    string
		change  func(*Input)
		unicode bool
		says    []string
	}{
		{"swedish", func(in *Input) {
			in.Recipient.Names = []string{"Åsa Öberg-Ekström", "Émile Müller"}
			in.Recipient.Address = []string{"Ängsvägen 3 lgh 1001", "123 45 Demoköping"}
			in.PersonNames = map[string]string{"sokande": "Åsa Öberg-Ekström"}
			in.Decision.Automated, in.Decision.DecidedBy = false, "Handläggare Ödlund"
			in.Decision.Motivation = "Beslutet gäller året ut – se § 4. Återkom till oss om något är oklart…"
		}, false, []string{"Åsa Öberg-Ekström", "Émile Müller", "Ängsvägen 3 lgh 1001", "Handläggare Ödlund", "Beslutet gäller året ut – se § 4. Återkom till oss om något är oklart…"}},
		{"polish name", name("Łukasz Wiśniewski"), true, []string{"Łukasz Wiśniewski"}},
		{"vietnamese name", name("Nguyễn Thị Lan"), true, []string{"Nguyễn Thị Lan"}},
		{"a family member's name in the table", func(in *Input) {
			in.PersonNames = map[string]string{"sokande": "Zoë Dvořák"}
		}, true, []string{"Zoë Dvořák"}},
		{"motivation", motivation("Hyran är ≤ 8 400 kr → godtas."), true, []string{"Hyran är ≤ 8 400 kr → godtas."}},
		{"an arrow", motivation("Hyran godtas → 8 400 kr."), true, []string{"Hyran godtas → 8 400 kr."}},
		{"a minus sign", motivation("Avdraget är \u22121\u00a0000,00\u00a0kr (\u2212 och –)."), false, []string{"Avdraget är \u22121\u00a0000,00\u00a0kr (\u2212 och –)."}},
		{"a minus sign and a character outside", motivation("Avdraget är \u22121\u00a0000,00\u00a0kr ≤ hyran."), true, []string{"Avdraget är \u22121\u00a0000,00\u00a0kr ≤ hyran."}},
		{"protected address", func(in *Input) {
			// Not printed, so it does not decide the fonts either.
			in.Recipient.Address = []string{"Łąkowa 1", "123 45 Demoköping"}
			in.Recipient.Protected = true
		}, false, []string{"Testperson Ett", "Skickas via Skatteverket"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := baseInput(t)
			c.change(&in)
			r := render(t, in)
			again, err := Render(in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.PDF, again.PDF) || r.PDFSHA256 != again.PDFSHA256 {
				t.Fatal("the same input gave different bytes")
			}
			isUnicode := bytes.Contains(r.PDF, []byte("/Identity-H"))
			if isUnicode != c.unicode || isUnicode == bytes.Contains(r.PDF, []byte("/WinAnsiEncoding")) {
				t.Fatalf("unicode fonts: %v, want %v", isUnicode, c.unicode)
			}
			checkFonts(t, r.PDF, c.unicode)
			r.says(t, c.says...)
			r.says(t, "vill överklaga", "Kontakt")
		})
	}
	// The calculation of a letter with a deduction shows it with a true
	// minus sign (U+2212), which Windows-1252 lacks but the fast fonts have:
	// such a letter is made in them, and its minus signs read as before.
	r := render(t, goldenCases(t)["partly-approved-rent-cap"])
	if bytes.Contains(r.PDF, []byte("/Identity-H")) || !bytes.Contains(r.PDF, []byte("/WinAnsiEncoding")) {
		t.Error("a letter with a minus sign is not in the Windows-1252 fonts")
	}
	checkFonts(t, r.PDF, false)
	r.says(t, "\u22121\u00a0000,00\u00a0kr")
	if !strings.Contains(r.text, "\u2212") || strings.Contains(r.text, "\u0081") {
		t.Errorf("the minus sign does not extract as U+2212:\n%s", r.text)
	}
}

// Laid out in the Windows-1252 fonts or the Unicode ones, every golden
// letter has the same lines on the same pages.
func TestBothFontsLayOutAlike(t *testing.T) {
	for name, in := range goldenCases(t) {
		d := build(&in)
		fast, ok, err := renderPDFIn(d, true)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("%s: not in the Windows-1252 fonts", name)
			continue
		}
		uni, ok, err := renderPDFIn(d, false)
		if err != nil || !ok {
			t.Fatal(err)
		}
		if a, b := pdfText(t, fast), pdfText(t, uni); a != b {
			t.Errorf("%s: the two fonts give different text:\n%s\n---\n%s", name, a, b)
		}
	}
}

// checkFonts checks with pdffonts (poppler-utils, like pdftotext) that the
// PDF's two fonts are embedded: Windows-1252 TrueType subsets (pdffonts
// calls their encoding Custom: WinAnsi with the minus sign's /Differences),
// or Unicode (CID) fonts.
func checkFonts(t *testing.T, pdf []byte, unicode bool) {
	t.Helper()
	bin, err := exec.LookPath("pdffonts")
	if err != nil {
		t.Fatal("pdffonts not found: install Debian's poppler-utils (apt-get install -y poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path).Output()
	if err != nil {
		t.Fatalf("pdffonts: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 {
		t.Fatalf("pdffonts lists %d fonts, want 2:\n%s", len(lines)-2, out)
	}
	for _, l := range lines[2:] {
		f := strings.Fields(l)
		var ok bool
		if unicode {
			// name, "CID", "TrueType", "Identity-H", emb, sub, uni, object, generation
			ok = len(f) == 9 && strings.HasPrefix(f[0], "utf8dejavusans") && f[1] == "CID" && f[3] == "Identity-H" && f[4] == "yes" && f[6] == "yes"
		} else {
			// name, "TrueType", "Custom", emb, sub, uni, object, generation
			ok = len(f) == 8 && subsetName.MatchString(f[0]) &&
				f[1] == "TrueType" && f[2] == "Custom" && f[3] == "yes" && f[4] == "yes"
		}
		if !ok {
			t.Errorf("pdffonts: unexpected font:\n%s", out)
		}
	}
}
