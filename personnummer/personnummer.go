// Package personnummer parses and validates Swedish personal identity
// numbers (personnummer, 18 § folkbokföringslagen (1991:481)) and
// coordination numbers (samordningsnummer, 18 a § of the same law).
//
// A number is a birth date, a three-digit individual number (födelsenummer,
// 001–999) and a check digit. A samordningsnummer has 60 added to the day of
// month (61–91). The check digit is the Luhn (modulus 10) digit of the ten-digit
// form: the nine digits YYMMDDNNN weighted 2, 1, 2, … from the left. The
// century digits are not covered by it.
//
// # Forms
//
// [Parse] accepts, after trimming surrounding white space, exactly these:
//
//	YYYYMMDDNNNC    twelve digits, the storage form ([Number.String])
//	YYYYMMDD-NNNC   twelve digits with a hyphen ([Number.Formatted])
//	YYMMDDNNNC      ten digits, read as with a hyphen
//	YYMMDD-NNNC     ten digits
//	YYMMDD+NNNC     ten digits, the person is 100 or older
//
// [ParseCanonical] accepts only the storage form and needs no reference date.
//
// # Century of the ten-digit forms
//
// The century of a ten-digit form comes from the separator and a reference
// date given by the caller: the date on which the number was written (for a
// number typed into a form today, today).
//
//   - With "-", or no separator, the person is under 100 on the reference
//     date: the latest century that puts the birth date on or before it.
//   - With "+", the person turns 100 in the reference year or earlier. This
//     is the rule of 18 § folkbokföringslagen, under which the hyphen becomes
//     a plus in the year the person turns 100, not on the birthday. Between
//     1 January of that year and the hundredth birthday both signs are
//     therefore accepted and give the same person: "+" as the register writes
//     it, "-" as the person wrote it the year before.
//
// A ten-digit form cannot express an age of 200 or more, and a person aged
// 100 or more whose number is written without the plus sign is read as a
// century too young. Prefer twelve-digit input wherever it can be had.
//
// # Validation decisions
//
//   - Month 00 and day 00 (for a samordningsnummer, day 60) are rejected
//     with [ErrDate], as are days that do not exist in the month, such as
//     29 February outside leap years. [Number.BirthDate] is therefore always
//     a real calendar date, which the rest of bistand relies on (ages are
//     calculated from it).
//   - Individual number 000 is rejected with [ErrFormat]: Skatteverket and
//     SCB describe the individual number as one of 001–999.
//   - Birth years before [bistand.MinYear] (1850) are rejected with [ErrDate].
//   - A birth date after the reference date is rejected with [ErrFuture].
//     For the twelve-digit forms this is checked only when a reference date
//     is given.
//   - Reservnummer (the regions' health-care numbers), organisation numbers
//     and other identifiers are not accepted.
//
// Errors are checked in this order: form, reference date (a ten-digit form
// without one gives [ErrNoReference]), check digit, individual number, date,
// future. A mistyped digit is the most likely cause of a wrong date too, so
// a wrong check digit is reported before the date. Every error wraps one of
// the sentinel errors and its text contains no part of the input: error
// messages can end up in logs.
//
// # Privacy
//
// A personnummer is personal data. Never log one, and never put one in an
// error message. Store the canonical form ([Number.String]); use
// [Number.Masked] ("YYYYMMDD-****") for display in lists where the full
// number is not needed. As a safety net, a Number given to log/slog logs its
// masked form ([Number.LogValue]) and %#v prints it masked
// ([Number.GoString]), but %v and %s print the full number, like String.
//
// A number is not a permanent key for a person: a samordningsnummer is
// replaced by a personnummer when the person is registered
// (folkbokförd), and a personnummer can be replaced by another one.
//
// # Protected identity
//
// There is no type for protected personal data (skyddade personuppgifter:
// sekretessmarkering, skyddad folkbokföring, fingerade personuppgifter) in
// this package. Nothing in the number itself says whether an identity is
// protected; the flag lives on the person record elsewhere in bistand, and
// code that displays or sends a number must check it there.
package personnummer

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/bistand/bistand"
)

// Sentinel errors. Parse, ParseCanonical and the unmarshal methods return
// errors that wrap exactly one of them; test with errors.Is. Their texts,
// and the context added to them, never contain any part of the input.
var (
	// ErrFormat: the text is not one of the accepted forms, or the
	// individual number is 000.
	ErrFormat = errors.New("personnummer: invalid format")
	// ErrChecksum: the check digit does not match the other digits.
	ErrChecksum = errors.New("personnummer: wrong check digit")
	// ErrDate: the birth date does not exist or is out of range.
	ErrDate = errors.New("personnummer: invalid birth date")
	// ErrFuture: the birth date is after the reference date.
	ErrFuture = errors.New("personnummer: birth date after the reference date")
	// ErrNoReference: a ten-digit form was given without a reference date,
	// so its century cannot be known. This is an error in the calling code,
	// not in the input.
	ErrNoReference = errors.New("personnummer: ten-digit form needs a reference date")
)

// Wrapped errors, allocated once so that parsing never allocates. None of
// the texts contains a digit.
var (
	errLength     = fmt.Errorf("%w: wrong length", ErrFormat)
	errCharacter  = fmt.Errorf("%w: unexpected character", ErrFormat)
	errSeparator  = fmt.Errorf("%w: separator must be a hyphen, or a plus in the short form", ErrFormat)
	errCanonical  = fmt.Errorf("%w: storage form is twelve digits without separator", ErrFormat)
	errZeroSerial = fmt.Errorf("%w: individual number is zero", ErrFormat)
	errJSONType   = fmt.Errorf("%w: JSON value is not a string", ErrFormat)
	errMismatch   = fmt.Errorf("%w: check digit does not match the birth date and individual number", ErrChecksum)
	errMonth      = fmt.Errorf("%w: month out of range", ErrDate)
	errDay        = fmt.Errorf("%w: day of month out of range", ErrDate)
	errNoSuchDay  = fmt.Errorf("%w: no such day in that month and year", ErrDate)
	errYear       = fmt.Errorf("%w: year outside the supported range", ErrDate)
	errFuture     = fmt.Errorf("%w: person not yet born on that date", ErrFuture)
	errNoRef      = fmt.Errorf("%w: century unknown", ErrNoReference)
)

// Number is a valid personnummer or samordningsnummer. It is a comparable
// value: two Numbers are == exactly when their canonical forms are equal.
// The zero Number means "no number".
type Number struct {
	birth  bistand.Date // the real birth date (day without the 60)
	serial uint16       // individual number, 1–999
	coord  bool         // samordningsnummer
}

// LegalGender is the legal gender marking (juridiskt kön) that the
// population register encoded in a number when it was assigned: the
// individual number is odd for male and even for female. It is the
// register's marking and nothing more. It is not a statement about a
// person's gender, must not be shown as one, and should be used only where
// a rule explicitly depends on the register's marking. A person whose legal
// gender changes is given a new number.
type LegalGender uint8

// The legal gender markings. LegalGenderUnknown is that of the zero Number.
const (
	LegalGenderUnknown LegalGender = iota
	LegalGenderFemale
	LegalGenderMale
)

// String returns "female", "male", or "" for LegalGenderUnknown.
func (g LegalGender) String() string {
	switch g {
	case LegalGenderFemale:
		return "female"
	case LegalGenderMale:
		return "male"
	}
	return ""
}

// num returns the value of the ASCII digits in b, which the caller has
// checked are digits.
func num(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

// checkDigit returns the Luhn check digit of the ten-digit form: the digits
// of yy, mm, dd (with the 60 of a samordningsnummer) and serial, weighted
// 2, 1, 2, … from the left, products above 9 reduced by 9.
func checkDigit(yy, mm, dd, serial int) int {
	d := [9]int{yy / 10, yy % 10, mm / 10, mm % 10, dd / 10, dd % 10, serial / 100, serial / 10 % 10, serial % 10}
	sum := 0
	for i, v := range d {
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return (10 - sum%10) % 10
}

// fields is a number split into its parts, before the century is known.
type fields struct {
	yy, mm, dd, serial, check int
}

// split returns the parts of the ten digits "YYMMDDNNNC".
func split(b []byte) fields {
	return fields{num(b[0:2]), num(b[2:4]), num(b[4:6]), num(b[6:9]), num(b[9:10])}
}

// validate checks the check digit, the individual number and the month and
// day ranges, and returns the real day of month and whether f is a
// samordningsnummer.
func (f fields) validate() (day int, coord bool, err error) {
	if checkDigit(f.yy, f.mm, f.dd, f.serial) != f.check {
		return 0, false, errMismatch
	}
	if f.serial == 0 {
		return 0, false, errZeroSerial
	}
	if f.mm < 1 || f.mm > 12 {
		return 0, false, errMonth
	}
	switch {
	case f.dd >= 1 && f.dd <= 31:
		return f.dd, false, nil
	case f.dd >= 61 && f.dd <= 91:
		return f.dd - 60, true, nil
	}
	return 0, false, errDay
}

// build makes the Number, checking that the date exists.
func build(year int, f fields, day int, coord bool) (Number, error) {
	if year < bistand.MinYear || year > bistand.MaxYear {
		return Number{}, errYear
	}
	d, err := bistand.NewDate(year, time.Month(f.mm), day)
	if err != nil {
		return Number{}, errNoSuchDay
	}
	return Number{birth: d, serial: uint16(f.serial), coord: coord}, nil
}

// Parse parses a personnummer or samordningsnummer in any of the forms in
// the package documentation, after trimming surrounding white space. The
// reference date ref resolves the century of the ten-digit forms and must
// then be given; for the twelve-digit forms it may be the zero Date, and if
// it is not, a birth date after it is rejected with ErrFuture.
func Parse(s string, ref bistand.Date) (Number, error) {
	s = strings.TrimSpace(s)
	sep := -1 // index of the separator, if any
	switch len(s) {
	case 10, 12:
	case 11:
		sep = 6
	case 13:
		sep = 8
	default:
		return Number{}, errLength
	}
	plus := false
	if sep >= 0 {
		switch s[sep] {
		case '-':
		case '+':
			if len(s) == 13 {
				return Number{}, errSeparator
			}
			plus = true
		default:
			return Number{}, errSeparator
		}
	}
	// The digits without the separator, without allocating.
	var buf [12]byte
	b := buf[:0]
	for i := 0; i < len(s); i++ {
		if i == sep {
			continue
		}
		if !isDigit(s[i]) {
			return Number{}, errCharacter
		}
		b = append(b, s[i])
	}
	full := len(b) == 12
	if !full && ref.IsZero() {
		return Number{}, errNoRef
	}
	f := split(b[len(b)-10:])
	day, coord, err := f.validate()
	if err != nil {
		return Number{}, err
	}
	if full {
		n, err := build(num(b[0:4]), f, day, coord)
		if err != nil {
			return Number{}, err
		}
		if !ref.IsZero() && n.birth.After(ref) {
			return Number{}, errFuture
		}
		return n, nil
	}
	return build(resolveYear(f.yy, f.mm, day, plus, ref), f, day, coord)
}

// resolveYear returns the birth year of a ten-digit number with year digits
// yy and birth month and day mm, dd, written with the given separator on
// the reference date ref; see the package documentation. The month and day
// are compared as numbers, so the result may be a year in which the date
// does not exist; the caller checks that.
func resolveYear(yy, mm, dd int, plus bool, ref bistand.Date) int {
	r := ref.Year()
	// The latest year ending in yy that is not after the reference year.
	y := r - ((r-yy)%100+100)%100
	if plus {
		// Turns 100 in the reference year or earlier.
		return y - 100
	}
	// Under 100: in the reference year itself, the birth date must not be
	// after the reference date.
	rm, rd := int(ref.MonthOfYear()), ref.Day()
	if y == r && (mm > rm || (mm == rm && dd > rd)) {
		y -= 100
	}
	return y
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ParseCanonical parses the twelve-digit storage form "YYYYMMDDNNNC"
// written by String: exactly twelve ASCII digits, no separator and no white
// space. It needs no reference date and so does not check that the birth
// date has passed.
func ParseCanonical(s string) (Number, error) {
	if len(s) != 12 {
		if len(s) == 13 && s[8] == '-' {
			return Number{}, errCanonical
		}
		return Number{}, errLength
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return Number{}, errCharacter
		}
	}
	return Parse(s, bistand.Date{})
}

// IsZero reports whether n is the zero Number ("no number").
func (n Number) IsZero() bool { return n == Number{} }

// IsCoordination reports whether n is a samordningsnummer.
func (n Number) IsCoordination() bool { return n.coord }

// BirthDate returns the birth date in n, for a samordningsnummer the day
// without the 60. For a samordningsnummer it is the birth date that the
// requesting authority gave, not one the register has checked. It is the
// zero Date for the zero Number.
func (n Number) BirthDate() bistand.Date { return n.birth }

// LegalGender returns the register's legal gender marking in n (see
// LegalGender), or LegalGenderUnknown for the zero Number.
func (n Number) LegalGender() LegalGender {
	switch {
	case n.IsZero():
		return LegalGenderUnknown
	case n.serial%2 == 1:
		return LegalGenderMale
	}
	return LegalGenderFemale
}

// appendDigits appends the twelve-digit form, with a hyphen before the
// individual number if hyphen is set, and with "****" instead of the
// individual number and check digit if masked is set.
func (n Number) appendDigits(b []byte, hyphen, masked bool) []byte {
	y, m, d := n.birth.Year(), int(n.birth.MonthOfYear()), n.birth.Day()
	if n.coord {
		d += 60
	}
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		byte('0'+m/10), byte('0'+m%10), byte('0'+d/10), byte('0'+d%10))
	if hyphen {
		b = append(b, '-')
	}
	if masked {
		return append(b, "****"...)
	}
	s := int(n.serial)
	c := checkDigit(y%100, m, d, s)
	return append(b, byte('0'+s/100), byte('0'+s/10%10), byte('0'+s%10), byte('0'+c))
}

// String returns the canonical storage form "YYYYMMDDNNNC", or "" for the
// zero Number. It is the full number: never log it.
func (n Number) String() string {
	if n.IsZero() {
		return ""
	}
	var buf [12]byte
	return string(n.appendDigits(buf[:0], false, false))
}

// Formatted returns "YYYYMMDD-NNNC" for display where the full number is
// needed, or "" for the zero Number.
func (n Number) Formatted() string {
	if n.IsZero() {
		return ""
	}
	var buf [13]byte
	return string(n.appendDigits(buf[:0], true, false))
}

// Masked returns "YYYYMMDD-****": the first eight digits of the number (for
// a samordningsnummer with the day plus 60, so the two kinds stay apart)
// and no individual number or check digit. It is for lists and other
// displays where the full number is not needed. It still contains a birth
// date, which is personal data too. It returns "" for the zero Number.
func (n Number) Masked() string {
	if n.IsZero() {
		return ""
	}
	var buf [13]byte
	return string(n.appendDigits(buf[:0], true, true))
}

// LogValue implements slog.LogValuer: a Number given to log/slog is logged
// masked. This is a safety net, not permission: code must not log numbers.
func (n Number) LogValue() slog.Value { return slog.StringValue(n.Masked()) }

// GoString implements fmt.GoStringer so that %#v, often used in debugging
// output, prints the number masked.
func (n Number) GoString() string { return "personnummer.Number(" + n.Masked() + ")" }

// MarshalText returns the canonical form, or empty text for the zero Number.
func (n Number) MarshalText() ([]byte, error) {
	if n.IsZero() {
		return []byte{}, nil
	}
	return n.appendDigits(make([]byte, 0, 12), false, false), nil
}

// UnmarshalText parses the canonical form with ParseCanonical. Empty text,
// which MarshalText writes for the zero Number, gives the zero Number.
func (n *Number) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*n = Number{}
		return nil
	}
	v, err := ParseCanonical(string(b))
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// MarshalJSON writes the canonical form as a JSON string, or null for the
// zero Number.
func (n Number) MarshalJSON() ([]byte, error) {
	if n.IsZero() {
		return []byte("null"), nil
	}
	b := append(make([]byte, 0, 14), '"')
	b = n.appendDigits(b, false, false)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a JSON string in the canonical form (ParseCanonical);
// other forms, including "", are rejected. JSON null, which MarshalJSON
// writes for the zero Number, leaves n unchanged, as encoding/json does for
// null.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) == 0 || b[0] != '"' {
		return errJSONType
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errJSONType
	}
	v, err := ParseCanonical(s)
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// Generate returns a valid synthetic number with the given birth date, a
// samordningsnummer if coordination is set, with the female marking if
// female is set and the male one otherwise. The individual number is drawn
// from r (which must not be nil) among 001–999 with the right parity, so a
// fixed seed gives the same numbers every time. It panics if birth is the
// zero Date.
//
// A generated number is valid and may therefore coincide with a real
// person's number. Use generated numbers only as synthetic test data, in
// tests, examples and simulators, and never mix them with real data: a
// system holding real people's numbers must not be fed generated ones, nor
// a test or simulator real ones.
func Generate(r *rand.Rand, birth bistand.Date, coordination bool, female bool) Number {
	if birth.IsZero() {
		panic("personnummer: Generate needs a birth date")
	}
	// Odd individual numbers 1–999 (500 of them) are male, even ones
	// 2–998 (499) female.
	var serial int
	if female {
		serial = 2 * (1 + r.IntN(499))
	} else {
		serial = 2*r.IntN(500) + 1
	}
	return Number{birth: birth, serial: uint16(serial), coord: coordination}
}
