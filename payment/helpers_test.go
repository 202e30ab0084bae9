package payment

import (
	"fmt"
	"strconv"
)

// Helpers that make SYNTHETIC account numbers with valid check digits for
// the tests. None of them is taken from a real person or account; any of
// them may still happen to exist, so none may ever be paid to.

// bodyLen returns how many digits before the check digit an account number
// at clearing number c has.
func bodyLen(c string) int {
	n, _ := strconv.Atoi(c)
	r, ok := lookupClearing(n)
	if !ok {
		panic("no bank for clearing " + c)
	}
	switch {
	case r.kind == 1:
		return 6
	case r.comment == 2:
		return 8
	}
	return 9
}

// accountWithCheck completes body (bodyLen(c) digits) to an account number at
// clearing c by appending its check digit; false when the mod-11 check digit
// would be 10, which no account number has.
func accountWithCheck(c, body string) (string, bool) {
	n, _ := strconv.Atoi(c)
	r, _ := lookupClearing(n)
	var covered string
	switch {
	case r.kind == 1 && r.comment == 1:
		covered = c[1:] + body
	case r.kind == 1:
		covered = c + body
	case r.comment == 2:
		covered = body
	default:
		return body + string(luhnDigit(body)), true
	}
	s := mod11Sum(covered + "0")
	d := (11 - s%11) % 11
	if d == 10 {
		return "", false
	}
	return body + string(byte('0'+d)), true
}

// syntheticAccount returns the first valid account number at clearing c whose
// body starts from seed (counting up past bodies with no check digit).
func syntheticAccount(c string, seed uint64) string {
	l := bodyLen(c)
	for k := seed; ; k++ {
		body := fmt.Sprintf("%0*d", l, k%pow10(l))
		if n, ok := accountWithCheck(c, body); ok && mod11Sum(n) != 0 && n != "0000000000" {
			return n
		}
	}
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

// syntheticIBAN returns a Swedish IBAN with valid check digits around the 20
// digits bban.
func syntheticIBAN(bban string) string {
	b := []byte("SE00" + bban)
	check := 98 - ibanMod97(b)
	return fmt.Sprintf("SE%02d%s", check, bban)
}

// mustBankgiro, mustBankAccount and mustIBAN parse or panic, for tables.
func mustBankgiro(s string) Account {
	a, err := ParseBankgiro(s)
	if err != nil {
		panic(err)
	}
	return a
}

func mustBankAccount(c, n string) Account {
	a, err := ParseBankAccount(c, n)
	if err != nil {
		panic(fmt.Sprintf("%s %s: %v", c, n, err))
	}
	return a
}

func mustIBAN(s string) Account {
	a, err := ParseIBAN(s)
	if err != nil {
		panic(err)
	}
	return a
}
