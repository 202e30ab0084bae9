package payment

import (
	"strconv"
	"unicode/utf8"

	"github.com/bistand/bistand"
)

// formatAmount writes a positive amount of öre as kronor with exactly two
// decimals, "1234.50", "0.05", "7200.00", without floats.
func formatAmount(m bistand.Money) string {
	u := uint64(m)
	b := strconv.AppendUint(nil, u/100, 10)
	f := u % 100
	b = append(b, '.', byte('0'+f/10), byte('0'+f%10))
	return string(b)
}

// idChars are the characters an identifier (MsgId, EndToEndId) may hold: the
// letters and digits of ASCII and the punctuation of the restricted Latin set
// that the EPC's and CGI's implementation guides allow in references, without
// the space.
func idChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '/', ':', '?', '(', ')', ',', '\'', '+':
		return true
	}
	return false
}

// checkID checks an identifier: 1 to max characters from idChar, not
// starting or ending with "/" and without "//" (the EPC rule for references).
// The error names the field, never the value.
func checkID(field, s string, max int) error {
	if s == "" {
		return fieldErr(field, "is empty")
	}
	if len(s) > max {
		return fieldErr(field, "is longer than "+strconv.Itoa(max)+" characters")
	}
	for i := 0; i < len(s); i++ {
		if !idChar(s[i]) {
			return fieldErr(field, "may hold only A–Z, a–z, 0–9 and - . / : ? ( ) , ' +")
		}
	}
	if s[0] == '/' || s[len(s)-1] == '/' {
		return fieldErr(field, "may not start or end with /")
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '/' && s[i-1] == '/' {
			return fieldErr(field, "may not hold //")
		}
	}
	return nil
}

// checkText checks free text (names, remittance information): valid UTF-8,
// 1 to max characters (code points, as XML Schema counts them), no control
// characters, line separators or U+FFFD, nothing XML 1.0 cannot carry, and
// no leading or trailing space. Letters of any script pass, and & < > are escaped when written.
func checkText(field, s string, max int) error {
	if s == "" {
		return fieldErr(field, "is empty")
	}
	if !utf8.ValidString(s) {
		return fieldErr(field, "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fieldErr(field, "is longer than "+strconv.Itoa(max)+" characters")
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0xfffe || r == 0xffff {
			return fieldErr(field, "holds a control character")
		}
		if r == utf8.RuneError {
			return fieldErr(field, "holds U+FFFD, a sign of text broken upstream")
		}
		if r >= 0x2028 && r <= 0x2029 {
			return fieldErr(field, "holds a line separator")
		}
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return fieldErr(field, "starts or ends with a space")
	}
	return nil
}

// FieldError is a refused input of WritePain001: which field, and why. It
// never holds the value (which may be a name or an account number).
type FieldError struct {
	// Field names the input, e.g. "orders[3].payee_name" or "debtor.bic".
	Field string
	// Reason says what rule it breaks.
	Reason string
}

func (e *FieldError) Error() string { return e.Field + " " + e.Reason }

func fieldErr(field, reason string) error { return &FieldError{Field: field, Reason: reason} }

// CheckPayeeName returns the *FieldError WritePain001 would give for s as a
// payee name, or nil if it accepts it: so that a name is refused when it is
// recorded, not when the file is written.
func CheckPayeeName(s string) error { return checkText("payee_name", s, MaxNameLength) }
