package letter

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"codeberg.org/go-pdf/fpdf"
)

// The fonts: DejaVu Sans 2.37 (Bitstream Vera licence, fonts/LICENSE),
// embedded so that Swedish text is real, extractable text in the PDF.
//
// A letter whose text is all in Windows-1252 (Swedish, and most names
// written in Latin letters) and the minus sign U+2212 uses the fonts'
// subsets to that encoding (cp1252.go), made once by fonts/gen.go with
// fpdf's definition and compressed font file:
// fpdf then only copies them into the PDF. Any other letter uses the whole
// fonts as Unicode fonts, which fpdf parses and subsets for each document at
// about ten times the cost. See renderPDF.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte

	//go:embed fonts/DejaVuSans-cp1252.json
	fontRegularCP1252Def []byte
	//go:embed fonts/DejaVuSans-cp1252.z
	fontRegularCP1252 []byte
	//go:embed fonts/DejaVuSans-Bold-cp1252.json
	fontBoldCP1252Def []byte
	//go:embed fonts/DejaVuSans-Bold-cp1252.z
	fontBoldCP1252 []byte
)

// The Windows-1252 fonts are generated from fonts/DejaVuSans*.ttf with
// Python's fontTools and committed; see fonts/gen.go and fonts/README.
//go:generate go run fonts/gen.go

const (
	family    = "DejaVuSans"
	familyKey = "dejavusans" // as fpdf keeps it
)

// Page geometry in millimetres (A4).
const (
	pageW, pageH = 210.0, 297.0
	marginL      = 22.0
	marginR      = 20.0
	bodyTop      = 30.0 // below the header
	bodyBottom   = 277.0
	textW        = pageW - marginL - marginR

	// The address block, placed for a window envelope.
	addrX, addrY, addrW = marginL, 45.0, 85.0
	// The letter's date and case, above the address block on the right,
	// so that no line of the address shares a line with them.
	metaX, metaY, metaW = 118.0, 29.0, pageW - marginR - 118.0
	titleY              = 88.0

	lineH  = 5.0 // body text, 10 pt
	smallH = 3.8 // small text, 8 pt
)

// Column widths of the calculation table; they add up to textW.
var colW = [4]float64{82, 32, 32, 22}

const cellPad = 1.2

// renderPDF writes the letter in the Windows-1252 fonts if every text that
// goes into the PDF's pages is in their encoding (Windows-1252 and the minus
// sign), else in the Unicode fonts.
// The choice, like everything else, depends only on the letter's content:
// the same Input gives the same bytes. A letter that needs the Unicode fonts
// is found out while it is laid out in the single-byte ones; that layout is
// then thrown away, which costs little beside the Unicode fonts.
func renderPDF(d *doc) ([]byte, error) {
	pdf, ok, err := renderPDFIn(d, true)
	if err != nil || ok {
		return pdf, err
	}
	pdf, _, err = renderPDFIn(d, false)
	return pdf, err
}

// renderPDFIn renders the letter in the Windows-1252 fonts (cp1252) or the
// Unicode fonts. In the former it returns false, and no PDF, for a letter
// with a character Windows-1252 lacks.
//
// It lays the letter out with the page count in every footer
// ("Sida 1 av 2"). No page-count alias is substituted into the output, so
// nothing in the Input can collide with one. The count is not known before
// the letter is laid out, so the layout starts from a guess — the length of
// the letter rendered last, as letters of one run are mostly as long as each
// other — and is done again with the true count when the guess was wrong.
// The footers take no room from the body, so the layout, and with it the
// count, is the same whatever count they show; either way the document that
// is written says "av N" on each of its N pages, and nothing else about it
// depends on the guess.
func renderPDFIn(d *doc, cp1252 bool) ([]byte, bool, error) {
	guess := int(pageGuess.Load())
	w, pages, err := layoutPDF(d, guess, cp1252)
	if err != nil || w.unencodable {
		return nil, false, err
	}
	if pages != guess {
		pageGuess.Store(int64(pages))
		var again int
		w, again, err = layoutPDF(d, pages, cp1252)
		if err != nil {
			return nil, false, err
		}
		if again != pages {
			return nil, false, fmt.Errorf("page count changed between passes: %d, then %d", pages, again)
		}
	}
	var buf bytes.Buffer
	if err := w.f.Output(&buf); err != nil {
		return nil, false, err
	}
	return buf.Bytes(), true, nil
}

// pageGuess is the page count of the letter rendered last (see renderPDF).
var pageGuess atomic.Int64

func init() { pageGuess.Store(3) }

type pdfWriter struct {
	f     *fpdf.Fpdf
	d     *doc
	total int
	// cp1252 is set when the fonts are the Windows-1252 ones: every text
	// then goes to fpdf in that encoding (enc). unencodable is set when a
	// text has a character it lacks.
	cp1252, unencodable bool
}

// layoutPDF lays the letter out with total in its footers and returns the
// document, ready for output, and its page count. In the Windows-1252
// fonts it stops early, with w.unencodable set, at a text they cannot show.
func layoutPDF(d *doc, total int, cp1252 bool) (*pdfWriter, int, error) {
	w := newPDF(d, total, cp1252)
	f := w.f
	f.AddPage()
	w.firstPage()
	for _, s := range d.Sections {
		if w.unencodable {
			break
		}
		w.section(s)
	}
	return w, f.PageNo(), f.Error()
}

// newPDF starts a document with the fonts, metadata and page furniture.
func newPDF(d *doc, total int, cp1252 bool) *pdfWriter {
	f := fpdf.New("P", "mm", "A4", "")
	// Determinism: fixed dates, sorted catalogues. Page content is not
	// compressed, so the text in the raw bytes can be searched (the tests
	// check that a protected address is nowhere in them).
	f.SetCreationDate(d.Created)
	f.SetModificationDate(d.Created)
	f.SetCatalogSort(true)
	f.SetCompression(false)
	f.SetTitle(d.Title, true)
	f.SetSubject(d.Subject, true)
	f.SetAuthor(d.Board, true)
	f.SetCreator("bistand", true)
	f.SetLang("sv-SE")
	if cp1252 {
		f.AddFontFromBytes(family, "", fontRegularCP1252Def, fontRegularCP1252)
		f.AddFontFromBytes(family, "B", fontBoldCP1252Def, fontBoldCP1252)
	} else {
		f.AddUTF8FontFromBytes(family, "", fontRegular)
		f.AddUTF8FontFromBytes(family, "B", fontBold)
	}
	f.SetMargins(marginL, bodyTop, marginR)
	f.SetAutoPageBreak(false, pageH-bodyBottom)
	f.SetCellMargin(0)
	w := &pdfWriter{f: f, d: d, total: total, cp1252: cp1252}
	f.SetHeaderFuncMode(w.header, true)
	f.SetFooterFunc(w.footer)
	return w
}

// font selects the font. In the Windows-1252 fonts it does nothing when
// that font is selected already, as it often is (fpdf would write it into
// the page again).
func (w *pdfWriter) font(style string, size float64) {
	if w.cp1252 && w.f.GetFontFamily() == familyKey && w.f.GetFontStyle() == style {
		if pt, _ := w.f.GetFontSize(); pt == size {
			return
		}
	}
	w.f.SetFont(family, style, size)
}

// enc returns text (UTF-8) as the fonts take it: in Windows-1252 for those
// fonts, where a character they lack sets w.unencodable.
func (w *pdfWriter) enc(text string) string {
	if !w.cp1252 {
		return text
	}
	s, ok := toCP1252(text)
	if !ok {
		w.unencodable = true
	}
	return s
}

// width is the width of text in the current font: fpdf's GetStringWidth of
// enc(text), which in the Windows-1252 fonts is summed here from their
// widths, without encoding the text first (the line breaker measures a
// great many strings).
func (w *pdfWriter) width(text string) float64 {
	if !w.cp1252 {
		return w.f.GetStringWidth(text)
	}
	cw := &cp1252Widths[0]
	if w.f.GetFontStyle() == "B" {
		cw = &cp1252Widths[1]
	}
	sum := 0
	for _, r := range text {
		c, ok := cp1252Code(r)
		if !ok {
			w.unencodable = true
		}
		sum += cw[c]
	}
	_, size := w.f.GetFontSize()
	return float64(sum) * size / 1000 // as GetStringWidth computes it
}

// cp1252Widths are the widths (thousandths of the font size) of the 256
// codes in the Windows-1252 fonts, regular and bold, from their definitions.
var cp1252Widths = func() (w [2][256]int) {
	for i, def := range [][]byte{fontRegularCP1252Def, fontBoldCP1252Def} {
		var d struct{ Cw []int }
		if err := json.Unmarshal(def, &d); err != nil || len(d.Cw) != 256 {
			panic(fmt.Sprintf("letter: the Windows-1252 font definition %d is broken: %v", i, err))
		}
		copy(w[i][:], d.Cw)
	}
	return w
}()

// cell writes text in a cell at the current position (fpdf's CellFormat
// without border, fill or link).
func (w *pdfWriter) cell(width, h float64, text string, ln int, align string) {
	w.f.CellFormat(width, h, w.enc(text), "", ln, align, false, 0, "")
}

func (w *pdfWriter) header() {
	f := w.f
	w.font("B", 11)
	f.SetXY(marginL, 12)
	w.cell(textW, 5, w.d.Municipality, 0, "L")
	w.font("", 8)
	f.SetXY(marginL, 17.5)
	w.cell(textW, 4, w.d.Board, 0, "L")
	f.SetDrawColor(120, 120, 120)
	f.SetLineWidth(0.2)
	f.Line(marginL, 23, pageW-marginR, 23)
}

func (w *pdfWriter) footer() {
	f := w.f
	f.SetDrawColor(120, 120, 120)
	f.SetLineWidth(0.2)
	f.Line(marginL, pageH-16, pageW-marginR, pageH-16)
	w.font("", 8)
	f.SetXY(marginL, pageH-14)
	w.cell(textW-30, 4, w.d.Footer, 0, "L")
	f.SetXY(pageW-marginR-30, pageH-14)
	w.cell(30, 4, "Sida "+strconv.Itoa(f.PageNo())+" av "+strconv.Itoa(w.total), 0, "R")
}

// firstPage writes the address block, the letter's date and case beside
// it, the title and the facts.
func (w *pdfWriter) firstPage() {
	f := w.f
	y := addrY
	for i, l := range w.d.Recipient {
		if i < len(w.d.Recipient)-1 || !w.d.Protected {
			w.font("", 10)
		} else {
			w.font("B", 9) // the note that replaces a protected address
		}
		for _, part := range w.wrap(l, addrW) {
			f.SetXY(addrX, y)
			w.cell(addrW, lineH, part, 0, "L")
			y += lineH
		}
	}
	w.pairs(w.d.Meta, metaX, metaY, 0, metaW, 9, 4.5)

	f.SetXY(marginL, max(titleY, y+8))
	w.font("B", 15)
	for _, l := range w.wrap(w.d.Title, textW) {
		f.SetX(marginL)
		w.cell(textW, 7, l, 2, "L")
	}
	f.SetY(f.GetY() + 2)
	w.pairs(w.d.Facts, marginL, f.GetY(), 0, textW, 10, lineH)
}

// ensure starts a new page unless h more millimetres fit on this one.
func (w *pdfWriter) ensure(h float64) bool {
	if w.f.GetY()+h <= bodyBottom {
		return false
	}
	w.f.AddPage()
	return true
}

// wrap breaks text into lines no wider than width in the current font,
// at spaces and line breaks only: a no-break space (in amounts) holds.
// A word wider than the line is broken between characters.
func (w *pdfWriter) wrap(text string, width float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Split(para, " ") {
			if word == "" {
				continue
			}
			try := word
			if line != "" {
				try = line + " " + word
			}
			if w.width(try) <= width {
				line = try
				continue
			}
			if line != "" {
				out = append(out, line)
			}
			line = ""
			for w.width(word) > width {
				cut := w.fit(word, width)
				out = append(out, word[:cut])
				word = word[cut:]
			}
			line = word
		}
		out = append(out, line)
	}
	return out
}

// fit returns how many bytes of s, at least one rune, fit in width.
func (w *pdfWriter) fit(s string, width float64) int {
	end := 0
	for i, r := range s {
		next := i + len(string(r))
		if end > 0 && w.width(s[:next]) > width {
			break
		}
		end = next
	}
	return end
}

// text writes wrapped text at x with the given width, line by line,
// continuing on a new page when the page is full. A paragraph of up to four
// lines is kept on one page; a longer one starts with at least two.
func (w *pdfWriter) text(s string, x, width float64, style string, size, lh float64) {
	w.font(style, size)
	lines := w.wrap(s, width)
	if len(lines) <= 4 {
		w.ensure(float64(len(lines)) * lh)
	} else {
		w.ensure(2 * lh)
	}
	for _, l := range lines {
		w.ensure(lh)
		w.f.SetXY(x, w.f.GetY())
		w.cell(width, lh, l, 2, "L")
	}
}

// pairs writes key–value lines: the key in bold in a column of keyW, the
// value wrapped beside it, continuing on a new page when the page is full.
// A keyW of 0 fits the widest key, within 28 and 60 mm.
func (w *pdfWriter) pairs(ps []pair, x, y, keyW, width, size, lh float64) {
	f := w.f
	f.SetY(y)
	if keyW == 0 {
		w.font("B", size)
		keyW = 28
		for _, p := range ps {
			keyW = max(keyW, min(w.width(p.Key)+4, 60))
		}
	}
	for _, p := range ps {
		w.font("B", size)
		keys := w.wrap(p.Key, keyW-2)
		w.font("", size)
		vals := w.wrap(p.Value, width-keyW)
		w.ensure(lh * float64(min(max(len(keys), len(vals)), 3)))
		top, page := f.GetY(), f.PageNo()
		w.font("B", size)
		for i, k := range keys {
			f.SetXY(x, top+float64(i)*lh)
			w.cell(keyW-2, lh, k, 0, "L")
		}
		f.SetY(top)
		w.font("", size)
		for _, l := range vals {
			w.ensure(lh)
			f.SetXY(x+keyW, f.GetY())
			w.cell(width-keyW, lh, l, 2, "L")
		}
		if f.PageNo() == page {
			f.SetY(max(f.GetY(), top+float64(len(keys))*lh))
		}
	}
}

func (w *pdfWriter) section(s section) {
	f := w.f
	f.SetY(f.GetY() + 4)
	w.ensure(7 + 2*lineH) // never a heading alone at the foot of a page
	w.text(s.Heading, marginL, textW, "B", 12, 6.5)
	f.SetY(f.GetY() + 1)
	for _, b := range s.Blocks {
		w.block(b)
	}
}

func (w *pdfWriter) block(b block) {
	f := w.f
	switch b.Kind {
	case kindLead:
		w.text(b.Text, marginL, textW, "B", 11, 5.6)
	case kindPara:
		w.text(b.Text, marginL, textW, "", 10, lineH)
	case kindSmall:
		w.text(b.Text, marginL, textW, "", 8, smallH)
	case kindBullets, kindSteps:
		for i, item := range b.Items {
			mark := "•"
			if b.Kind == kindSteps {
				mark = strconv.Itoa(i+1) + "."
			}
			w.ensure(lineH)
			w.font("", 10)
			f.SetXY(marginL+1, f.GetY())
			w.cell(5, lineH, mark, 0, "L")
			w.text(item, marginL+7, textW-7, "", 10, lineH)
		}
	case kindFacts:
		w.pairs(b.Pairs, marginL, f.GetY(), 0, textW, 10, lineH)
	case kindItem:
		f.SetY(f.GetY() + 1.5)
		w.ensure(4 * lineH)
		w.text(b.Text, marginL, textW, "B", 10, lineH)
		w.pairs(b.Pairs, marginL+5, f.GetY(), 0, textW-5, 10, lineH)
	case kindTable:
		w.table(b.Table)
	}
	f.SetY(f.GetY() + 1.5)
}

func (w *pdfWriter) table(t *calcTable) {
	f := w.f
	f.SetY(f.GetY() + 1)
	w.font("B", 10)
	w.ensure(6 + 3*lineH)
	w.text(t.Caption, marginL, textW, "B", 10, lineH)
	w.tableHead(t)
	for _, r := range t.Rows {
		w.row(t, r)
	}
	f.SetY(f.GetY() + 2)
	w.text(t.MarksIntro, marginL, textW, "", 8, smallH)
	for _, m := range t.Marks {
		w.text(m, marginL+3, textW-3, "", 8, smallH)
	}
	f.SetY(f.GetY() + 1.5)
	w.text("Källor", marginL, textW, "B", 8, smallH)
	for _, s := range t.Sources {
		w.text(s, marginL+3, textW-3, "", 8, smallH)
	}
}

func (w *pdfWriter) tableHead(t *calcTable) {
	f := w.f
	w.font("B", 9)
	y := f.GetY()
	x := marginL
	f.SetFillColor(225, 225, 225)
	f.Rect(marginL, y, textW, lineH+1, "F")
	for i, h := range t.Head {
		align := "L"
		if i == 2 {
			align = "R"
		}
		f.SetXY(x+cellPad, y+0.5)
		w.cell(colW[i]-2*cellPad, lineH, h, 0, align)
		x += colW[i]
	}
	f.SetY(y + lineH + 1)
}

func (w *pdfWriter) row(t *calcTable, r calcRow) {
	f := w.f
	style := ""
	if r.Kind != rowLine {
		style = "B"
	}
	const size, lh = 9.0, 4.4
	w.font(style, size)
	label := w.wrap(r.Label, colW[0]-2*cellPad)
	if r.Kind == rowSection {
		label = w.wrap(r.Label, textW-2*cellPad)
	}
	w.font("", size)
	person := w.wrap(r.Person, colW[1]-2*cellPad)
	h := float64(max(len(label), len(person)))*lh + 1.6
	if r.Kind == rowSection {
		h += 1.5 // a section heading keeps its first line with it
		if w.ensure(h + lh + 1.6) {
			w.tableHead(t)
		}
	} else if w.ensure(h) {
		w.tableHead(t)
	}
	y := f.GetY()
	switch r.Kind {
	case rowSection:
		y += 1.5
		f.SetFillColor(242, 242, 242)
		f.Rect(marginL, y, textW, h-1.5, "F")
	case rowSum, rowTotal:
		f.SetDrawColor(150, 150, 150)
		f.SetLineWidth(0.2)
		f.Line(marginL, y, pageW-marginR, y)
	}
	cell := func(x, width float64, lines []string, style, align string) {
		w.font(style, size)
		for i, l := range lines {
			f.SetXY(x+cellPad, y+0.8+float64(i)*lh)
			w.cell(width-2*cellPad, lh, l, 0, align)
		}
	}
	x := marginL
	cell(x, colW[0], label, style, "L")
	if r.Kind != rowSection {
		x += colW[0]
		cell(x, colW[1], person, "", "L")
		x += colW[1]
		cell(x, colW[2], []string{r.Amount}, style, "R")
		x += colW[2]
		cell(x, colW[3], []string{r.Ref}, "", "L")
	}
	f.SetY(y + h)
	if r.Kind == rowSection {
		f.SetY(y + h - 1.5)
	}
}
