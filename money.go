// Package bistand holds the domain types shared by every part of bistand:
// money, civil dates and months. It has no I/O and no third-party imports.
package bistand

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
)

// Money is an amount in öre (1/100 krona). No float ever holds an amount.
type Money int64

// Kronor returns k whole kronor as Money.
func Kronor(k int64) Money { return Money(k * 100) }

// ErrMoneySyntax is returned for text that is not a plain decimal number of
// kronor with at most two decimals.
var ErrMoneySyntax = errors.New("not a number of kronor with at most two decimals")

// ErrMoneyRange is returned for an amount beyond what bistand handles.
var ErrMoneyRange = errors.New("amount out of range")

// MaxMoney bounds every amount bistand accepts: 10^13 kronor. Sums of many
// such amounts still fit comfortably in int64 öre.
const MaxMoney = Money(1_000_000_000_000_000)

// ParseKronor parses a decimal kronor amount such as "7200", "-12.5" or
// "0.05" into öre. It accepts an optional leading minus, digits, and an
// optional fraction of one or two digits. Exponents, a leading plus, spaces
// and more than two decimals are rejected: an amount is never rounded on input.
func ParseKronor(s string) (Money, error) {
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	start := i
	var whole int64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if whole > int64(MaxMoney/100) {
			return 0, ErrMoneyRange
		}
		whole = whole*10 + int64(s[i]-'0')
		i++
	}
	if i == start {
		return 0, ErrMoneySyntax
	}
	// JSON forbids leading zeros ("007"); so do we, to keep one spelling per amount.
	if i-start > 1 && s[start] == '0' {
		return 0, ErrMoneySyntax
	}
	var frac int64
	if i < len(s) && s[i] == '.' {
		i++
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if n == 2 {
				return 0, ErrMoneySyntax
			}
			frac = frac*10 + int64(s[i]-'0')
			n++
			i++
		}
		if n == 0 {
			return 0, ErrMoneySyntax
		}
		if n == 1 {
			frac *= 10
		}
	}
	if i != len(s) {
		return 0, ErrMoneySyntax
	}
	m := Money(whole*100 + frac)
	if m > MaxMoney {
		return 0, ErrMoneyRange
	}
	if neg {
		m = -m
	}
	return m, nil
}

// AppendDecimal appends m as a decimal number of kronor: "7200", "12.50",
// "-0.05". Whole kronor have no decimals; otherwise exactly two.
func (m Money) AppendDecimal(b []byte) []byte {
	u := uint64(m)
	if m < 0 {
		b = append(b, '-')
		u = uint64(-m)
		if m == math.MinInt64 {
			u = uint64(math.MaxInt64) + 1
		}
	}
	b = strconv.AppendUint(b, u/100, 10)
	if f := u % 100; f != 0 {
		b = append(b, '.', byte('0'+f/10), byte('0'+f%10))
	}
	return b
}

// Decimal returns m as a decimal number of kronor (see AppendDecimal).
func (m Money) Decimal() string { return string(m.AppendDecimal(nil)) }

// String formats m the Swedish way: "7 200 kr", "1 234,50 kr", "−12 kr".
func (m Money) String() string { return string(m.AppendSwedish(nil)) + " kr" }

// AppendSwedish appends m in Swedish notation without the unit: space as
// thousands separator, comma before öre, and a true minus sign.
func (m Money) AppendSwedish(b []byte) []byte {
	u := uint64(m)
	if m < 0 {
		b = append(b, "−"...)
		u = uint64(-m)
		if m == math.MinInt64 {
			u = uint64(math.MaxInt64) + 1
		}
	}
	digits := strconv.FormatUint(u/100, 10)
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, ' ')
		}
		b = append(b, digits[i])
	}
	if f := u % 100; f != 0 {
		b = append(b, ',', byte('0'+f/10), byte('0'+f%10))
	}
	return b
}

// MarshalJSON writes m as a JSON number of kronor.
func (m Money) MarshalJSON() ([]byte, error) { return m.AppendDecimal(nil), nil }

// UnmarshalJSON reads a JSON number of kronor with at most two decimals.
func (m *Money) UnmarshalJSON(b []byte) error {
	v, err := ParseKronor(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MulDivUp returns m × num / den rounded up to whole öre (towards +∞).
// It panics if den <= 0, or if the result does not fit in Money. The
// intermediate product is exact (128 bits), so for every amount within
// MaxMoney and factors below 2^20 the result is exact whenever it fits.
func (m Money) MulDivUp(num, den int64) Money {
	if den <= 0 {
		panic("bistand: MulDivUp with non-positive denominator")
	}
	q, neg, inexact := mulDiv(m, num, den)
	return signed(q, neg, inexact && !neg)
}

// MulDivDown returns m × num / den rounded down to whole öre (towards −∞).
// It panics like MulDivUp.
func (m Money) MulDivDown(num, den int64) Money {
	if den <= 0 {
		panic("bistand: MulDivDown with non-positive denominator")
	}
	q, neg, inexact := mulDiv(m, num, den)
	return signed(q, neg, inexact && neg)
}

// mulDiv returns |m × num| / den truncated, whether m × num is negative, and
// whether the division left a remainder. den must be positive.
func mulDiv(m Money, num, den int64) (q uint64, neg, inexact bool) {
	hi, lo := bits.Mul64(abs64(int64(m)), abs64(num))
	if hi >= uint64(den) {
		panic("bistand: MulDiv result out of range")
	}
	q, r := bits.Div64(hi, lo, uint64(den))
	return q, (m < 0) != (num < 0), r != 0
}

// signed returns the magnitude q, plus one if bump, with the sign neg,
// panicking if it does not fit in Money.
func signed(q uint64, neg, bump bool) Money {
	limit := uint64(math.MaxInt64)
	if neg {
		limit++ // −2^63 fits
	}
	if q > limit || (bump && q == limit) {
		panic("bistand: MulDiv result out of range")
	}
	if bump {
		q++
	}
	if neg {
		return Money(-int64(q))
	}
	return Money(q)
}

func abs64(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // also right for math.MinInt64
	}
	return uint64(v)
}
