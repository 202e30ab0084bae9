package personnummer_test

// Every number in these tests is synthetic: built here from a birth date
// and an individual number with a check digit computed by this file's own
// Luhn function, or made by Generate from a fixed seed. Most birth dates are
// in the future, so that no number is that of a living person. No number
// is copied from anywhere.
//
// Property tests use pgregory.net/rapid; run with -rapid.checks=N for more
// cases. The fuzzer:
//
//	go test -run='^$' -fuzz=FuzzParse -fuzztime=100000x ./personnummer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
)

type (
	Date   = bistand.Date
	Number = personnummer.Number
)

var sentinels = []error{
	personnummer.ErrFormat,
	personnummer.ErrChecksum,
	personnummer.ErrDate,
	personnummer.ErrFuture,
	personnummer.ErrNoReference,
}

func day(s string) Date {
	d, err := bistand.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// luhn returns the Luhn check digit of payload, computed the textbook way,
// independently of the package: from the right, every other digit,
// starting with the rightmost, is doubled and its digits summed.
func luhn(payload string) byte {
	sum := 0
	double := true
	for i := len(payload) - 1; i >= 0; i-- {
		v := int(payload[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// mk returns the twelve-digit number with the eight digits date8 (day plus
// 60 for a samordningsnummer) and the individual number serial, with the
// check digit over the last nine of those digits.
func mk(date8, serial string) string {
	return date8 + serial + string(luhn(date8[2:]+serial))
}

// The other forms of a twelve-digit canonical string c.
func hyph(c string) string                     { return c[:8] + "-" + c[8:] }
func ten(c string) string                      { return c[2:] }
func tenSep(c string, sep byte) string         { return c[2:8] + string(sep) + c[8:] }
func withDigit(s string, i int, d byte) string { return s[:i] + string(d) + s[i+1:] }

// badCheck returns s with its last digit (the check digit) changed.
func badCheck(s string) string {
	last := s[len(s)-1]
	return withDigit(s, len(s)-1, '0'+(last-'0'+1)%10)
}

func TestLuhnHelper(t *testing.T) {
	// The standard Luhn example (not a personnummer).
	if got := luhn("7992739871"); got != '3' {
		t.Fatalf("luhn = %c, want 3", got)
	}
	// Weights 2, 1, 2, … from the left over nine digits.
	if got := luhn("100000000"); got != '8' {
		t.Fatalf("luhn = %c, want 8", got)
	}
	if got := luhn("010000000"); got != '9' {
		t.Fatalf("luhn = %c, want 9", got)
	}
}

// Synthetic numbers used by the tables.
var (
	numA    = mk("20320229", "274") // leap day, female
	numC    = mk("20310591", "135") // samordningsnummer, 2031-05-31, male
	numC61  = mk("20310161", "246") // samordningsnummer, 2031-01-01, female
	numP    = mk("20300615", "482") // female
	numP19  = mk("19300615", "482") // same ten digits, other century
	numL    = mk("20320229", "531") // leap day, male
	numL19  = mk("19320229", "531")
	numZ    = mk("20000229", "318") // leap day in a year divisible by 400
	num2400 = mk("24000229", "789")
	numNine = mk("29991231", "999")
	numOld  = mk("19490101", "222")
)

type validCase struct {
	name   string
	in     string
	ref    Date
	want   string // canonical
	birth  string
	coord  bool
	gender personnummer.LegalGender
}

func validCases() []validCase {
	const (
		f = personnummer.LegalGenderFemale
		m = personnummer.LegalGenderMale
	)
	refA := day("2040-01-01")
	refC := day("2031-06-01")
	return []validCase{
		// Every form, leap day.
		{"12", numA, refA, numA, "2032-02-29", false, f},
		{"12 hyphen", hyph(numA), refA, numA, "2032-02-29", false, f},
		{"10", ten(numA), refA, numA, "2032-02-29", false, f},
		{"10 hyphen", tenSep(numA, '-'), refA, numA, "2032-02-29", false, f},
		{"12 no ref", numA, Date{}, numA, "2032-02-29", false, f},
		{"12 hyphen no ref", hyph(numA), Date{}, numA, "2032-02-29", false, f},
		{"12 born on ref", numA, day("2032-02-29"), numA, "2032-02-29", false, f},
		{"10 born on ref", tenSep(numA, '-'), day("2032-02-29"), numA, "2032-02-29", false, f},
		{"year divisible by 400", num2400, Date{}, num2400, "2400-02-29", false, m},
		{"far future, no ref", numNine, Date{}, numNine, "2999-12-31", false, m},

		// White space around, not inside.
		{"spaces", "  " + numA + " ", refA, numA, "2032-02-29", false, f},
		{"tab newline", "\t" + hyph(numA) + "\n", refA, numA, "2032-02-29", false, f},
		{"spaces 10", " " + tenSep(numA, '-') + "\r\n", refA, numA, "2032-02-29", false, f},
		{"no-break space", "\u00a0" + ten(numA), refA, numA, "2032-02-29", false, f},

		// Samordningsnummer, day 61 and 91.
		{"coord 12", numC, Date{}, numC, "2031-05-31", true, m},
		{"coord 12 hyphen", hyph(numC), refC, numC, "2031-05-31", true, m},
		{"coord 10", ten(numC), refC, numC, "2031-05-31", true, m},
		{"coord 10 hyphen", tenSep(numC, '-'), refC, numC, "2031-05-31", true, m},
		{"coord plus", tenSep(numC, '+'), day("2131-05-31"), numC, "2031-05-31", true, m},
		{"coord day 61", numC61, Date{}, numC61, "2031-01-01", true, f},
		// The century is resolved on the real day (31), not the day plus 60.
		{"coord born on ref", tenSep(numC, '-'), day("2031-05-31"), numC, "2031-05-31", true, m},

		// Century of the hyphen form: under 100 on the reference date.
		{"minus, born on ref", tenSep(numP, '-'), day("2030-06-15"), numP, "2030-06-15", false, f},
		{"minus, day before birth", tenSep(numP, '-'), day("2030-06-14"), numP19, "1930-06-15", false, f},
		{"no separator, day before birth", ten(numP), day("2030-06-14"), numP19, "1930-06-15", false, f},
		{"minus, age 98", tenSep(numP, '-'), day("2129-06-14"), numP, "2030-06-15", false, f},
		{"minus, age 99 in year of 100", tenSep(numP, '-'), day("2130-06-14"), numP, "2030-06-15", false, f},
		{"minus, hundredth birthday", tenSep(numP, '-'), day("2130-06-15"), mk("21300615", "482"), "2130-06-15", false, f},

		// Century of the plus form: turns 100 in the reference year or earlier.
		{"plus, hundredth birthday", tenSep(numP, '+'), day("2130-06-15"), numP, "2030-06-15", false, f},
		{"plus, day before", tenSep(numP, '+'), day("2130-06-14"), numP, "2030-06-15", false, f},
		{"plus, first of year of 100", tenSep(numP, '+'), day("2130-01-01"), numP, "2030-06-15", false, f},
		{"plus, year before", tenSep(numP, '+'), day("2129-12-31"), numP19, "1930-06-15", false, f},
		{"plus, age 199", tenSep(numP, '+'), day("2229-06-15"), numP, "2030-06-15", false, f},
		{"plus, age 100 later", tenSep(numP, '+'), day("2230-06-15"), mk("21300615", "482"), "2130-06-15", false, f},

		// Leap day with the plus and minus signs.
		{"leap plus, on 29 Feb", tenSep(numL, '+'), day("2132-02-29"), numL, "2032-02-29", false, m},
		{"leap plus, 28 Feb", tenSep(numL, '+'), day("2132-02-28"), numL, "2032-02-29", false, m},
		{"leap plus, 1 Mar", tenSep(numL, '+'), day("2132-03-01"), numL, "2032-02-29", false, m},
		{"leap plus, year before", tenSep(numL, '+'), day("2131-12-31"), numL19, "1932-02-29", false, m},
		{"leap minus, 28 Feb", tenSep(numL, '-'), day("2132-02-28"), numL, "2032-02-29", false, m},
		{"leap minus, 29 Feb", tenSep(numL, '-'), day("2132-02-29"), mk("21320229", "531"), "2132-02-29", false, m},
		{"leap minus, next year 28 Feb", tenSep(numL, '-'), day("2033-02-28"), numL, "2032-02-29", false, m},
		{"2000 leap minus", tenSep(numZ, '-'), day("2100-02-28"), numZ, "2000-02-29", false, f},
		{"2000 leap plus", tenSep(numZ, '+'), day("2100-03-01"), numZ, "2000-02-29", false, f},
		{"plus to 1949", tenSep(numOld, '+'), day("2049-06-01"), numOld, "1949-01-01", false, f},
	}
}

func TestParseValid(t *testing.T) {
	for _, tc := range validCases() {
		t.Run(tc.name, func(t *testing.T) {
			n, err := personnummer.Parse(tc.in, tc.ref)
			if err != nil {
				t.Fatalf("Parse(%q, %v): %v", tc.in, tc.ref, err)
			}
			if got := n.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if got := n.Formatted(); got != hyph(tc.want) {
				t.Errorf("Formatted() = %q, want %q", got, hyph(tc.want))
			}
			if got, want := n.Masked(), tc.want[:8]+"-****"; got != want {
				t.Errorf("Masked() = %q, want %q", got, want)
			}
			if got := n.BirthDate().String(); got != tc.birth {
				t.Errorf("BirthDate() = %s, want %s", got, tc.birth)
			}
			if n.IsCoordination() != tc.coord {
				t.Errorf("IsCoordination() = %v", n.IsCoordination())
			}
			if n.LegalGender() != tc.gender {
				t.Errorf("LegalGender() = %v, want %v", n.LegalGender(), tc.gender)
			}
			if n.IsZero() {
				t.Error("IsZero() = true")
			}
			if c, err := personnummer.ParseCanonical(tc.want); err != nil || c != n {
				t.Errorf("ParseCanonical(%q) = %v, %v; want %v", tc.want, c, err, n)
			}
		})
	}
}

type invalidCase struct {
	name string
	in   string
	ref  Date
	err  error
}

func invalidCases() []invalidCase {
	var (
		format   = personnummer.ErrFormat
		checksum = personnummer.ErrChecksum
		date     = personnummer.ErrDate
		future   = personnummer.ErrFuture
		noRef    = personnummer.ErrNoReference
	)
	ref := day("2040-01-01")
	return []invalidCase{
		// Form.
		{"empty", "", ref, format},
		{"spaces only", "   ", ref, format},
		{"nine digits", ten(numA)[:9], ref, format},
		{"eleven digits", numA[1:], ref, format},
		{"thirteen digits", numA + "0", ref, format},
		{"fourteen digits", numA + "00", ref, format},
		{"placeholder", "YYMMDD-NNNC", ref, format},
		{"twelve with plus", numA[:8] + "+" + numA[8:], ref, format},
		{"slash", tenSep(numA, '/'), ref, format},
		{"en dash", ten(numA)[:6] + "–" + ten(numA)[6:], ref, format},
		{"space inside", numA[:8] + " " + numA[8:], ref, format},
		{"space inside ten", ten(numA)[:6] + " " + ten(numA)[6:], ref, format},
		{"hyphen misplaced", ten(numA)[:4] + "-" + ten(numA)[4:], ref, format},
		{"hyphen misplaced twelve", numA[:6] + "-" + numA[6:], ref, format},
		{"two hyphens", ten(numA)[:6] + "--" + ten(numA)[6:], ref, format},
		{"letter O", withDigit(numA, 3, 'O'), ref, format},
		{"letter in ten", withDigit(tenSep(numA, '-'), 9, 'X'), ref, format},
		{"leading plus", "+" + ten(numA), ref, format},
		{"full-width digits", "２０３２０２２９２７４" + string(rune('０'+int(numA[11]-'0'))), ref, format},
		{"brackets", "(" + numA + ")", ref, format},
		{"NUL", numA[:11] + "\x00", ref, format},
		{"individual number 000", mk("20300615", "000"), ref, format},
		{"individual number 000 ten", tenSep(mk("20300615", "000"), '-'), ref, format},

		// Check digit, every form.
		{"checksum 12", badCheck(numA), ref, checksum},
		{"checksum 12 hyphen", badCheck(hyph(numA)), ref, checksum},
		{"checksum 10", badCheck(ten(numA)), ref, checksum},
		{"checksum 10 hyphen", badCheck(tenSep(numA, '-')), ref, checksum},
		{"checksum 10 plus", badCheck(tenSep(numP, '+')), day("2130-06-15"), checksum},
		{"checksum coord", badCheck(numC), ref, checksum},
		{"checksum before date", badCheck(mk("20230229", "123")), ref, checksum},
		{"checksum with spaces", " " + badCheck(numA) + " ", ref, checksum},
		{"checksum, other digit", withDigit(numA, 9, '0'+(numA[9]-'0'+5)%10), ref, checksum},

		// Dates.
		{"29 Feb 2023", mk("20230229", "123"), ref, date},
		{"29 Feb 2023 ten", tenSep(mk("20230229", "123"), '-'), ref, date},
		{"29 Feb 1900", mk("19000229", "456"), ref, date},
		{"29 Feb 2100", mk("21000229", "456"), Date{}, date},
		{"30 Feb", mk("20320230", "456"), ref, date},
		{"31 Apr", mk("20300431", "482"), ref, date},
		{"month 00", mk("20300015", "482"), ref, date},
		{"month 13", mk("20301315", "482"), ref, date},
		{"day 00", mk("20300600", "482"), ref, date},
		{"day 00 ten", tenSep(mk("20300600", "482"), '-'), ref, date},
		{"day 32", mk("20300132", "482"), ref, date},
		{"day 45", mk("20300145", "482"), ref, date},
		{"coord day 60", mk("20310160", "135"), ref, date},
		{"coord day 92", mk("20310192", "135"), ref, date},
		{"coord day 99", mk("20310199", "135"), ref, date},
		{"coord 31 Apr", mk("20300491", "482"), ref, date},
		{"coord 29 Feb 2023", mk("20230289", "123"), ref, date},
		{"year 1849", mk("18491231", "111"), Date{}, date},
		{"year 0000", mk("00000101", "111"), Date{}, date},
		{"plus before 1850", tenSep(numOld, '+'), day("1949-06-01"), date},
		// 2100-02-29 does not exist; the earlier century would make the
		// person 100, which the hyphen denies.
		{"minus to 2100-02-29", tenSep(numZ, '-'), day("2100-03-01"), date},
		{"plus to 1900-02-29", tenSep(numZ, '+'), day("2000-03-01"), date},
		{"plus to 1900-02-29, year before", tenSep(numZ, '+'), day("2099-12-31"), date},
		{"leap plus before 1850", tenSep(numL, '+'), day("1932-02-29"), date},

		// Future.
		{"future 12", numA, day("2032-02-28"), future},
		{"future 12 hyphen", hyph(numA), day("2032-02-28"), future},
		{"future coord", numC, day("2031-05-30"), future},

		// Ten digits need a reference date, checked before the check digit.
		{"no ref 10", ten(numA), Date{}, noRef},
		{"no ref 10 hyphen", tenSep(numA, '-'), Date{}, noRef},
		{"no ref 10 plus", tenSep(numA, '+'), Date{}, noRef},
		{"no ref bad checksum", badCheck(ten(numA)), Date{}, noRef},
	}
}

// checkErr fails unless err wraps want and no other sentinel, and its text
// contains no digit.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	for _, s := range sentinels {
		if s != want && errors.Is(err, s) {
			t.Errorf("error %v also wraps %v", err, s)
		}
	}
	if strings.ContainsAny(err.Error(), "0123456789") {
		t.Errorf("error text %q contains a digit", err)
	}
}

func TestParseInvalid(t *testing.T) {
	for _, tc := range invalidCases() {
		t.Run(tc.name, func(t *testing.T) {
			n, err := personnummer.Parse(tc.in, tc.ref)
			if err == nil {
				t.Fatalf("Parse(%q, %v) = %v, want error %v", tc.in, tc.ref, n, tc.err)
			}
			checkErr(t, err, tc.err)
			if !n.IsZero() {
				t.Errorf("Number on error = %v, want zero", n)
			}
		})
	}
}

func TestParseCanonical(t *testing.T) {
	for _, s := range []string{numA, numC, numC61, num2400, numNine, numOld} {
		n, err := personnummer.ParseCanonical(s)
		if err != nil {
			t.Errorf("ParseCanonical(%q): %v", s, err)
			continue
		}
		if n.String() != s {
			t.Errorf("ParseCanonical(%q).String() = %q", s, n.String())
		}
	}
	for _, tc := range []struct {
		in  string
		err error
	}{
		{hyph(numA), personnummer.ErrFormat},
		{ten(numA), personnummer.ErrFormat},
		{tenSep(numA, '-'), personnummer.ErrFormat},
		{" " + numA, personnummer.ErrFormat},
		{numA + " ", personnummer.ErrFormat},
		{numA + "\n", personnummer.ErrFormat},
		{"", personnummer.ErrFormat},
		{withDigit(numA, 5, 'x'), personnummer.ErrFormat},
		{mk("20300615", "000"), personnummer.ErrFormat},
		{badCheck(numA), personnummer.ErrChecksum},
		{mk("20230229", "123"), personnummer.ErrDate},
		{mk("20310192", "135"), personnummer.ErrDate},
		{mk("18491231", "111"), personnummer.ErrDate},
	} {
		n, err := personnummer.ParseCanonical(tc.in)
		if err == nil {
			t.Errorf("ParseCanonical(%q) = %v, want error", tc.in, n)
			continue
		}
		checkErr(t, err, tc.err)
	}
}

// The check digit covers the ten-digit form only: a twelve-digit number
// with another century is just as valid, and only a reference date catches
// a century in the future.
func TestCenturyNotInChecksum(t *testing.T) {
	n, err := personnummer.ParseCanonical(withDigit(numP, 1, '1'))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.BirthDate(); got != day("2130-06-15") {
		t.Fatalf("BirthDate() = %v", got)
	}
	if _, err := personnummer.Parse(n.String(), day("2040-01-01")); !errors.Is(err, personnummer.ErrFuture) {
		t.Fatalf("err = %v, want ErrFuture", err)
	}
}

func TestZeroNumber(t *testing.T) {
	var n Number
	if !n.IsZero() || n.String() != "" || n.Formatted() != "" || n.Masked() != "" ||
		!n.BirthDate().IsZero() || n.IsCoordination() ||
		n.LegalGender() != personnummer.LegalGenderUnknown || n.LegalGender().String() != "" {
		t.Fatalf("zero Number: %q %q %q %v %v %v", n.String(), n.Formatted(), n.Masked(),
			n.BirthDate(), n.IsCoordination(), n.LegalGender())
	}
	if b, err := n.MarshalJSON(); err != nil || string(b) != "null" {
		t.Errorf("MarshalJSON = %s, %v", b, err)
	}
	if b, err := n.MarshalText(); err != nil || len(b) != 0 {
		t.Errorf("MarshalText = %q, %v", b, err)
	}
}

func TestLegalGenderString(t *testing.T) {
	if personnummer.LegalGenderFemale.String() != "female" || personnummer.LegalGenderMale.String() != "male" {
		t.Fatal(personnummer.LegalGenderFemale, personnummer.LegalGenderMale)
	}
}

func mustCanonical(t testing.TB, s string) Number {
	t.Helper()
	n, err := personnummer.ParseCanonical(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestJSON(t *testing.T) {
	type rec struct {
		P Number `json:"p"`
		Q Number `json:"q,omitzero"`
	}
	n := mustCanonical(t, numC)
	b, err := json.Marshal(rec{P: n})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"p":"` + numC + `"}`; string(b) != want {
		t.Fatalf("Marshal = %s, want %s", b, want)
	}
	var r rec
	if err := json.Unmarshal(b, &r); err != nil || r.P != n || !r.Q.IsZero() {
		t.Fatalf("Unmarshal(%s) = %v, %v", b, r, err)
	}
	if b, err := json.Marshal(rec{}); err != nil || string(b) != `{"p":null}` {
		t.Fatalf("Marshal zero = %s, %v", b, err)
	}

	// null leaves the value unchanged.
	r = rec{P: n}
	if err := json.Unmarshal([]byte(`{"p":null}`), &r); err != nil || r.P != n {
		t.Fatalf("null: %v, %v", r.P, err)
	}
	// A JSON escape is still the same string.
	esc := `{"p":"\u00` + fmt.Sprintf("%x", numC[0]) + numC[1:] + `"}`
	r = rec{}
	if err := json.Unmarshal([]byte(esc), &r); err != nil || r.P != n {
		t.Fatalf("Unmarshal(%s) = %v, %v", esc, r.P, err)
	}

	for _, tc := range []struct {
		in  string
		err error
	}{
		{`{"p":"` + hyph(numC) + `"}`, personnummer.ErrFormat},
		{`{"p":"` + ten(numC) + `"}`, personnummer.ErrFormat},
		{`{"p":" ` + numC + `"}`, personnummer.ErrFormat},
		{`{"p":""}`, personnummer.ErrFormat},
		{`{"p":` + numC + `}`, personnummer.ErrFormat},
		{`{"p":true}`, personnummer.ErrFormat},
		{`{"p":["` + numC + `"]}`, personnummer.ErrFormat},
		{`{"p":"` + badCheck(numC) + `"}`, personnummer.ErrChecksum},
		{`{"p":"` + mk("20230229", "123") + `"}`, personnummer.ErrDate},
	} {
		r := rec{P: n}
		err := json.Unmarshal([]byte(tc.in), &r)
		if err == nil {
			t.Errorf("Unmarshal(%s) = %v, want error", tc.in, r.P)
			continue
		}
		checkErr(t, err, tc.err)
		if r.P != n {
			t.Errorf("Unmarshal(%s) changed the value on error", tc.in)
		}
	}

	// As a map key the text form is used.
	m := map[Number]int{n: 1}
	b, err = json.Marshal(m)
	if err != nil || string(b) != `{"`+numC+`":1}` {
		t.Fatalf("Marshal map = %s, %v", b, err)
	}
	var m2 map[Number]int
	if err := json.Unmarshal(b, &m2); err != nil || len(m2) != 1 || m2[n] != 1 {
		t.Fatalf("Unmarshal map = %v, %v", m2, err)
	}
}

func TestText(t *testing.T) {
	n := mustCanonical(t, numA)
	b, err := n.MarshalText()
	if err != nil || string(b) != numA {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	var m Number
	if err := m.UnmarshalText(b); err != nil || m != n {
		t.Fatalf("UnmarshalText = %v, %v", m, err)
	}
	if err := m.UnmarshalText(nil); err != nil || !m.IsZero() {
		t.Fatalf("UnmarshalText(empty) = %v, %v", m, err)
	}
	m = n
	err = m.UnmarshalText([]byte(hyph(numA)))
	if err == nil {
		t.Fatal("UnmarshalText accepted the hyphen form")
	}
	checkErr(t, err, personnummer.ErrFormat)
	if m != n {
		t.Fatal("UnmarshalText changed the value on error")
	}
}

// Numbers given to log/slog or printed with %#v come out masked.
func TestLoggingMasks(t *testing.T) {
	n := mustCanonical(t, numA)
	tail := numA[8:]
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("test", "pnr", n)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("test", "pnr", n)
	out := buf.String()
	if strings.Contains(out, tail) || strings.Count(out, n.Masked()) != 2 {
		t.Fatalf("slog output %q: want the masked number twice and not the last four digits", out)
	}
	for _, s := range []string{
		fmt.Sprintf("%#v", n),
		fmt.Sprintf("%#v", struct{ P Number }{n}),
		fmt.Sprintf("%#v", []Number{n}),
	} {
		if strings.Contains(s, tail) || !strings.Contains(s, n.Masked()) {
			t.Errorf("%%#v gave %q", s)
		}
	}
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// drawDate draws a date with a year in [lo, hi].
func drawDate(t *rapid.T, lo, hi int, label string) Date {
	y := rapid.IntRange(lo, hi).Draw(t, label+"_year")
	m := time.Month(rapid.IntRange(1, 12).Draw(t, label+"_month"))
	d := rapid.IntRange(1, daysIn(y, m)).Draw(t, label+"_day")
	return bistand.MustDate(y, m, d)
}

// drawNumber draws a number made by Generate, with its inputs.
func drawNumber(t *rapid.T) (n Number, birth Date, coord, female bool) {
	birth = drawDate(t, bistand.MinYear, 2400, "birth")
	coord = rapid.Bool().Draw(t, "coord")
	female = rapid.Bool().Draw(t, "female")
	seed := rapid.Uint64().Draw(t, "seed")
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	return personnummer.Generate(r, birth, coord, female), birth, coord, female
}

// tenDigitForms returns the ten-digit forms of n that must parse back to n
// on ref, which must be on or after the birth date and less than 200 years
// later: with a plus from the year of the 100th birthday (as the register
// writes it), and with a hyphen or no separator while the person is under
// 100.
func tenDigitForms(n Number, ref Date) []string {
	c := n.String()
	var out []string
	if ref.Year()-n.BirthDate().Year() >= 100 {
		out = append(out, tenSep(c, '+'))
	}
	if n.BirthDate().AgeOn(ref) < 100 {
		out = append(out, tenSep(c, '-'), ten(c))
	}
	return out
}

// fataler is what *testing.T and *rapid.T have in common here.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkRoundTrips fails unless every form of n parses back to n on ref
// (zero for "any date on or after the birth date").
func checkRoundTrips(t fataler, n Number, ref Date) {
	t.Helper()
	if m, err := personnummer.ParseCanonical(n.String()); err != nil || m != n {
		t.Fatalf("ParseCanonical(String()) = %v, %v; want %v", m, err, n)
	}
	if m, err := personnummer.Parse(n.String(), ref); err != nil || m != n {
		t.Fatalf("Parse(String()) = %v, %v; want %v", m, err, n)
	}
	if m, err := personnummer.Parse(n.Formatted(), ref); err != nil || m != n {
		t.Fatalf("Parse(Formatted()) = %v, %v; want %v", m, err, n)
	}
	if want := n.String()[:8] + "-****"; n.Masked() != want {
		t.Fatalf("Masked() = %q, want %q", n.Masked(), want)
	}
	if ref.IsZero() {
		ref = n.BirthDate()
	}
	if ref.Year()-n.BirthDate().Year() >= 200 {
		return
	}
	forms := tenDigitForms(n, ref)
	if len(forms) == 0 {
		t.Fatalf("no ten-digit form of %v on %v", n, ref)
	}
	for _, s := range forms {
		if m, err := personnummer.Parse(s, ref); err != nil || m != n {
			t.Fatalf("Parse(%q, %v) = %v, %v; want %v", s, ref, m, err, n)
		}
	}
}

// Generate makes numbers that Parse accepts in every form, with the birth
// date, kind and legal gender asked for.
func TestGenerateParses(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n, birth, coord, female := drawNumber(t)
		if n.BirthDate() != birth || n.IsCoordination() != coord ||
			(n.LegalGender() == personnummer.LegalGenderFemale) != female || n.LegalGender() == personnummer.LegalGenderUnknown {
			t.Fatalf("Generate(%v, %v, %v) = %v: birth %v, coordination %v, %v",
				birth, coord, female, n, n.BirthDate(), n.IsCoordination(), n.LegalGender())
		}
		serial := n.String()[8:11]
		if serial == "000" || (serial[2]-'0')%2 == 1 == female {
			t.Fatalf("individual number %s for female=%v", serial, female)
		}
		checkRoundTrips(t, n, Date{})
		// On a later reference date, less than 200 years on.
		years := rapid.IntRange(0, 199).Draw(t, "age")
		ref := drawDate(t, birth.Year()+years, birth.Year()+years, "ref")
		if ref.Before(birth) {
			ref = birth
		}
		checkRoundTrips(t, n, ref)
		// Before the birth date, the twelve-digit forms are in the future.
		if ref.After(birth) {
			before := birth.AddMonths(-1)
			if before.Year() >= bistand.MinYear {
				if _, err := personnummer.Parse(n.Formatted(), before); !errors.Is(err, personnummer.ErrFuture) {
					t.Fatalf("Parse(Formatted(), %v) = %v, want ErrFuture", before, err)
				}
			}
		}
	})
}

// Changing any one of the ten digits the check digit covers makes a valid
// number invalid, in the twelve- and ten-digit forms.
func TestSingleDigitChange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n, _, _, _ := drawNumber(t)
		c := n.String()
		i := rapid.IntRange(2, 11).Draw(t, "position")
		d := byte('0' + (int(c[i]-'0')+rapid.IntRange(1, 9).Draw(t, "delta"))%10)
		bad := withDigit(c, i, d)
		if m, err := personnummer.ParseCanonical(bad); !errors.Is(err, personnummer.ErrChecksum) {
			t.Fatalf("ParseCanonical(%q) = %v, %v; want ErrChecksum", bad, m, err)
		}
		ref := bistand.MustDate(n.BirthDate().Year()+1, time.January, 1)
		if m, err := personnummer.Parse(tenSep(bad, '-'), ref); !errors.Is(err, personnummer.ErrChecksum) {
			t.Fatalf("Parse(%q) = %v, %v; want ErrChecksum", tenSep(bad, '-'), m, err)
		}
	})
}

// Any twelve digits are either rejected or parse to a number whose String
// is those digits: there is one canonical form.
func TestCanonicalUnique(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringMatching(`(18|19|20|21)[0-9]{2}(0[0-9]|1[0-3])([0-3][0-9]|[6-9][0-9])[0-9]{4}`).Draw(t, "digits")
		n, err := personnummer.ParseCanonical(s)
		if err != nil {
			return
		}
		if n.String() != s || luhn(s[2:11]) != s[11] {
			t.Fatalf("ParseCanonical(%q) = %v", s, n)
		}
	})
}

func TestGenerate(t *testing.T) {
	birth := day("2031-07-04")
	// The same seed gives the same numbers.
	r1 := rand.New(rand.NewPCG(1, 2))
	r2 := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		a := personnummer.Generate(r1, birth, false, true)
		if b := personnummer.Generate(r2, birth, false, true); a != b {
			t.Fatalf("same seed, %v and %v", a, b)
		}
	}
	// Every individual number of the right parity, and no other, comes up.
	for _, female := range []bool{false, true} {
		r := rand.New(rand.NewPCG(3, 4))
		seen := map[int]bool{}
		for range 20000 {
			n := personnummer.Generate(r, birth, true, female)
			var s int
			fmt.Sscanf(n.String()[8:11], "%d", &s)
			if s < 1 || s > 999 || (s%2 == 0) != female {
				t.Fatalf("female=%v: individual number %d", female, s)
			}
			seen[s] = true
		}
		if want := map[bool]int{false: 500, true: 499}[female]; len(seen) != want {
			t.Errorf("female=%v: %d different individual numbers, want %d", female, len(seen), want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Generate with the zero Date did not panic")
		}
	}()
	personnummer.Generate(rand.New(rand.NewPCG(5, 6)), Date{}, false, false)
}

// refFromDays maps a fuzzer's number to a reference date between 1850 and
// about 2300, or to the zero Date.
func refFromDays(k uint32) Date {
	k %= 365 * 450
	if k == 0 {
		return Date{}
	}
	t := time.Date(bistand.MinYear, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(k))
	return bistand.MustDate(t.Year(), t.Month(), t.Day())
}

// daysFrom is the inverse of refFromDays, for seeds.
func daysFrom(d Date) uint32 {
	t0 := time.Date(bistand.MinYear, time.January, 1, 0, 0, 0, 0, time.UTC)
	t := time.Date(d.Year(), d.MonthOfYear(), d.Day(), 0, 0, 0, 0, time.UTC)
	return uint32(t.Sub(t0).Hours() / 24)
}

func FuzzParse(f *testing.F) {
	for _, tc := range validCases() {
		f.Add(tc.in, daysFrom(tc.ref))
	}
	for _, tc := range invalidCases() {
		if tc.ref.IsZero() || tc.ref.Year() >= bistand.MinYear {
			f.Add(tc.in, daysFrom(tc.ref))
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 20 {
		birth := bistand.MustDate(1900+i*17, time.Month(1+i%12), 1+i)
		n := personnummer.Generate(r, birth, i%3 == 0, i%2 == 0)
		ref := daysFrom(birth) + uint32(i*1000)
		f.Add(n.String(), ref)
		f.Add(tenSep(n.String(), '-'), ref)
		f.Add(tenSep(n.String(), '+'), ref+365*100)
	}
	f.Fuzz(func(t *testing.T, s string, k uint32) {
		ref := refFromDays(k)
		n, err := personnummer.Parse(s, ref)
		if err != nil {
			wrapped := 0
			for _, e := range sentinels {
				if errors.Is(err, e) {
					wrapped++
				}
			}
			if wrapped != 1 {
				t.Fatalf("error %v wraps %d sentinels", err, wrapped)
			}
			if strings.ContainsAny(err.Error(), "0123456789") {
				t.Fatalf("error text %q contains a digit", err)
			}
			if !n.IsZero() {
				t.Fatalf("Number on error = %v", n)
			}
			return
		}
		if n.IsZero() {
			t.Fatal("zero Number without error")
		}
		// The digits of the input are the number's.
		in := strings.Map(func(r rune) rune {
			if r == '-' || r == '+' {
				return -1
			}
			return r
		}, strings.TrimSpace(s))
		if !strings.HasSuffix(n.String(), in) {
			t.Fatalf("Parse(%q) = %v", s, n)
		}
		if !ref.IsZero() && n.BirthDate().After(ref) {
			t.Fatalf("Parse(%q, %v): birth date %v after the reference date", s, ref, n.BirthDate())
		}
		if c, err := personnummer.ParseCanonical(s); err == nil && c != n {
			t.Fatalf("ParseCanonical(%q) = %v, Parse = %v", s, c, n)
		}
		checkRoundTrips(t, n, ref)
	})
}

// BenchmarkParse parses each form; none allocates.
func BenchmarkParse(b *testing.B) {
	ref := day("2140-01-01")
	for _, bc := range []struct{ name, in string }{
		{"12", numA},
		{"12hyphen", hyph(numA)},
		{"10hyphen", tenSep(numA, '-')},
		{"10plus", tenSep(numP, '+')},
		{"coord", numC},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := personnummer.Parse(bc.in, ref); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("badchecksum", func(b *testing.B) {
		b.ReportAllocs()
		in := badCheck(numA)
		for b.Loop() {
			if _, err := personnummer.Parse(in, ref); err == nil {
				b.Fatal("no error")
			}
		}
	})
}
