package payment

import (
	"errors"
	"strconv"
	"strings"
)

// ErrInvalidAccount is wrapped by every error of ParseBankgiro,
// ParseBankAccount and ParseIBAN. The error texts say which rule failed and
// never repeat the input: an account number can be a personnummer (Nordea
// personkonto).
var ErrInvalidAccount = errors.New("invalid account")

func accountErr(reason string) error {
	return &accountError{reason}
}

type accountError struct{ reason string }

func (e *accountError) Error() string { return "invalid account: " + e.reason }
func (e *accountError) Unwrap() error { return ErrInvalidAccount }

// AccountKind says how a payee (or the debtor) is addressed.
type AccountKind uint8

const (
	// KindBankgiro is a bankgiro number: an alias Bankgirot maps to an
	// account.
	KindBankgiro AccountKind = iota + 1
	// KindBankAccount is a Swedish bank account: a clearing number and an
	// account number.
	KindBankAccount
	// KindIBAN is a Swedish IBAN (SE and 22 digits).
	KindIBAN
)

// String names the kind.
func (k AccountKind) String() string {
	switch k {
	case KindBankgiro:
		return "bankgiro"
	case KindBankAccount:
		return "bank account"
	case KindIBAN:
		return "IBAN"
	}
	return "no account"
}

// Account is a validated Swedish account: a bankgiro number, a bank account
// or a Swedish IBAN. Make one with ParseBankgiro, ParseBankAccount or
// ParseIBAN; the zero Account is "no account" and is refused wherever an
// account is needed. Accounts are comparable values.
type Account struct {
	kind AccountKind
	// clearing is the four-digit clearing number of a bank account; for
	// Swedbank's five-digit form the fifth digit is in clearingCheck.
	clearing      string
	clearingCheck string
	// number is the bankgiro number's digits, the bank account number
	// padded with zeros to its bank's length, or the compact IBAN.
	number string
	bank   string
}

// Kind returns the kind of a, or 0 for the zero Account.
func (a Account) Kind() AccountKind { return a.kind }

// IsZero reports whether a is the zero Account ("no account").
func (a Account) IsZero() bool { return a.kind == 0 }

// Identifier returns the account as it is written in a payment file: the
// bankgiro number's digits, the bank account's clearing number (four digits)
// followed by its account number (the BBAN), or the compact IBAN.
func (a Account) Identifier() string {
	if a.kind == KindBankAccount {
		return a.clearing + a.number
	}
	return a.number
}

// Clearing returns the four-digit clearing number of a bank account (the one
// used in payment files: for Swedbank's 8xxx-x form, without the fifth
// digit), or "" for other kinds.
func (a Account) Clearing() string { return a.clearing }

// Number returns the account number of a bank account, padded with leading
// zeros to its bank's length; for other kinds the same as Identifier.
func (a Account) Number() string { return a.number }

// Bank returns the name of the bank a bank account's clearing number belongs
// to, as listed in Bankgirot's "Bankernas kontonummer" (see
// docs/payments.md), or "" for other kinds.
func (a Account) Bank() string { return a.bank }

// String returns the usual display form: "123-4567" or "1234-5678" for a
// bankgiro number, "5000, 1234567" or "8327-9, 0012345678" for a bank
// account, "SE45 5000 0000 0583 9825 7466" for an IBAN, "" for no account.
func (a Account) String() string {
	switch a.kind {
	case KindBankgiro:
		n := len(a.number)
		return a.number[:n-4] + "-" + a.number[n-4:]
	case KindBankAccount:
		c := a.clearing
		if a.clearingCheck != "" {
			c += "-" + a.clearingCheck
		}
		return c + ", " + a.number
	case KindIBAN:
		var b strings.Builder
		for i := 0; i < len(a.number); i += 4 {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(a.number[i:min(i+4, len(a.number))])
		}
		return b.String()
	}
	return ""
}

// maxAccountInput bounds the text the parsers look at.
const maxAccountInput = 64

// digitsOnly removes spaces and dashes and returns the rest if it is all
// ASCII digits.
func digitsOnly(s, what string) (string, error) {
	if len(s) > maxAccountInput {
		return "", accountErr(what + " is too long")
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '-':
		case c >= '0' && c <= '9':
			b = append(b, c)
		default:
			return "", accountErr(what + " may hold only digits, spaces and dashes")
		}
	}
	if len(b) == 0 {
		return "", accountErr(what + " is empty")
	}
	return string(b), nil
}

// ParseBankgiro parses a bankgiro number such as "123-4567", "1234-5678" or
// "12345678": after removing spaces and dashes, 7 or 8 digits whose last is
// a mod-10 (Luhn) check digit over the others. A leading zero is refused: the
// check digit cannot tell "0123-4567" from "123-4567".
func ParseBankgiro(s string) (Account, error) {
	d, err := digitsOnly(s, "bankgiro number")
	if err != nil {
		return Account{}, err
	}
	if len(d) != 7 && len(d) != 8 {
		return Account{}, accountErr("a bankgiro number has 7 or 8 digits")
	}
	if d[0] == '0' {
		return Account{}, accountErr("a bankgiro number does not start with 0")
	}
	if !luhnValid(d) {
		return Account{}, accountErr("the bankgiro number's check digit does not match")
	}
	return Account{kind: KindBankgiro, number: d}, nil
}

// ParseBankAccount parses a Swedish bank account given as its clearing number
// and its account number, each with optional spaces and dashes. The clearing
// number has four digits, or five for Swedbank's 8xxx-x (the fifth digit is
// not used in payment files and is not checked). The clearing number must
// belong to a bank in Bankgirot's table; the account number must have the
// length and check digit that table gives for it (see docs/payments.md for the
// rules and their sources). Type 2 account numbers shorter than their bank's
// length are padded with leading zeros.
func ParseBankAccount(clearing, number string) (Account, error) {
	c, err := digitsOnly(clearing, "clearing number")
	if err != nil {
		return Account{}, err
	}
	check := ""
	switch {
	case len(c) == 5 && c[0] == '8':
		c, check = c[:4], c[4:]
	case len(c) == 5:
		return Account{}, accountErr("only Swedbank's 8xxx-x clearing numbers have five digits")
	case len(c) != 4:
		return Account{}, accountErr("a clearing number has four digits (five for Swedbank's 8xxx-x)")
	}
	n, err := digitsOnly(number, "account number")
	if err != nil {
		return Account{}, err
	}
	if strings.Trim(n, "0") == "" {
		return Account{}, accountErr("an account number is not all zeros")
	}
	cn, _ := strconv.Atoi(c)
	r, ok := lookupClearing(cn)
	if !ok {
		return Account{}, accountErr("the clearing number belongs to no bank in Bankgirot's table")
	}
	if r.kind == 1 {
		if len(n) != 7 {
			return Account{}, accountErr("an account number at " + r.bank + " has 7 digits after the clearing number")
		}
		var body string
		if r.comment == 1 {
			body = c[1:] + n // the last three digits of the clearing number
		} else {
			body = c + n
		}
		if !mod11Valid(body) {
			return Account{}, accountErr("the account number's check digit does not match")
		}
		return Account{kind: KindBankAccount, clearing: c, clearingCheck: check, number: n, bank: r.bank}, nil
	}
	length, minLength := 10, 5
	switch r.comment {
	case 2:
		length = 9 // Handelsbanken
	case 3:
		if r.bank == "Nordea (Plusgirot)" {
			minLength = 2
		}
	}
	if len(n) < minLength || len(n) > length {
		return Account{}, accountErr("an account number at " + r.bank + " has " + strconv.Itoa(minLength) + " to " + strconv.Itoa(length) + " digits")
	}
	n = strings.Repeat("0", length-len(n)) + n
	valid := false
	if r.comment == 2 {
		valid = mod11Valid(n)
	} else {
		valid = luhnValid(n)
	}
	if !valid {
		return Account{}, accountErr("the account number's check digit does not match")
	}
	return Account{kind: KindBankAccount, clearing: c, clearingCheck: check, number: n, bank: r.bank}, nil
}

// ParseIBAN parses a Swedish IBAN such as "SE45 5000 0000 0583 9825 7466":
// after removing spaces, "SE" (either case), two check digits and 20 digits,
// with the ISO 13616 mod-97 check. Other countries are refused: bistand pays
// in SEK within Sweden.
func ParseIBAN(s string) (Account, error) {
	if len(s) > maxAccountInput {
		return Account{}, accountErr("IBAN is too long")
	}
	b := make([]byte, 0, 24)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			b = append(b, c)
		default:
			return Account{}, accountErr("an IBAN holds only letters, digits and spaces")
		}
	}
	if len(b) < 2 || string(b[:2]) != "SE" {
		return Account{}, accountErr("only Swedish IBANs (SE…) are accepted")
	}
	if len(b) != 24 {
		return Account{}, accountErr("a Swedish IBAN has 24 characters")
	}
	for _, c := range b[2:] {
		if c < '0' || c > '9' {
			return Account{}, accountErr("a Swedish IBAN has only digits after SE")
		}
	}
	if ibanMod97(b) != 1 {
		return Account{}, accountErr("the IBAN's check digits do not match")
	}
	return Account{kind: KindIBAN, number: string(b)}, nil
}

// ibanMod97 returns the ISO 13616 remainder of an upper-case IBAN: the first
// four characters moved to the end, letters as 10–35, modulo 97.
func ibanMod97(b []byte) int {
	r := 0
	add := func(c byte) {
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
			return
		}
		r = (r*10 + int(c-'0')) % 97
	}
	for _, c := range b[4:] {
		add(c)
	}
	for _, c := range b[:4] {
		add(c)
	}
	return r
}

// SyntheticBankgiro returns the n-th of 9 900 000 made-up bankgiro numbers
// with valid check digits, for tests and the demo: n = 0…899 999 give seven
// digits (100-0009 upwards), larger n eight (n wraps at 9 900 000). They are
// synthetic, not reserved: any of them may belong to someone, so never send a
// payment to one.
func SyntheticBankgiro(n uint64) Account {
	k := n % 9_900_000
	var body string
	if k < 900_000 {
		body = strconv.FormatUint(100_000+k, 10)
	} else {
		body = strconv.FormatUint(1_000_000+(k-900_000), 10)
	}
	return Account{kind: KindBankgiro, number: body + string(luhnDigit(body))}
}

// luhnValid reports whether the last digit of d is the mod-10 (Luhn) check
// digit of the others. d must be ASCII digits.
func luhnValid(d string) bool {
	return len(d) >= 2 && luhnDigit(d[:len(d)-1]) == d[len(d)-1]
}

// luhnDigit returns the mod-10 (Luhn) check digit of body: from the right,
// every other digit doubled (its digits summed), the check digit makes the
// total a multiple of ten.
func luhnDigit(body string) byte {
	sum := 0
	for i := 0; i < len(body); i++ {
		v := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return byte('0' + (10-sum%10)%10)
}

// mod11Sum returns the mod-11 weighted sum Bankgirot uses for bank account
// numbers: from the right the weights are 1, 2, …, 10, 1, 2, …
func mod11Sum(d string) int {
	sum := 0
	for i := 0; i < len(d); i++ {
		sum += int(d[len(d)-1-i]-'0') * (i%10 + 1)
	}
	return sum
}

// mod11Valid reports whether d, check digit last, passes the mod-11 check.
// All zeros pass the arithmetic but are no account, so they are refused.
func mod11Valid(d string) bool {
	s := mod11Sum(d)
	return s != 0 && s%11 == 0
}
