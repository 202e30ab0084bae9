package ssbtek

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bistand/bistand"
)

// maxBody bounds every document this package reads: a SOAP response, and
// the LEFI JSON, CSN XML and Skatteverket XML inside it.
const maxBody = 16 << 20

// errAmount and errDate are the texts of unreadable register values. They
// never contain the value itself.
var (
	errAmount = errors.New("not an amount of kronor in whole öre")
	errDate   = errors.New("not a date")
	errBool   = errors.New("not a boolean")
	errInt    = errors.New("not an integer")
)

// parseAmount parses an amount of kronor as the registers write it, exactly:
// an optional sign, digits, an optional fraction after "." or ",", and an
// optional exponent (JSON numbers may have one). Surrounding white space is
// ignored. Any number of decimals is accepted as long as the amount is a
// whole number of öre ("1250.500" is 1250,50 kr; "1250.505" is an error):
// an amount is never rounded and never passes through a float.
func parseAmount(s string) (bistand.Money, error) {
	s = strings.TrimSpace(s)
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[intStart:i]
	frac := ""
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[fs:i]
	}
	if intPart == "" && frac == "" {
		return 0, errAmount
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		es := i
		for i < len(s) && isDigit(s[i]) {
			if exp > 100000 {
				return 0, errAmount
			}
			exp = exp*10 + int(s[i]-'0')
			i++
		}
		if i == es {
			return 0, errAmount
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return 0, errAmount
	}
	mant := strings.TrimLeft(intPart+frac, "0")
	if mant == "" {
		return 0, nil
	}
	// The value is mant × 10^(exp − len(frac)) kronor, so mant × 10^shift öre.
	shift := exp - len(frac) + 2
	if shift < 0 {
		cut := -shift
		if cut >= len(mant) {
			return 0, errAmount // every digit is below one öre, and not all are zero
		}
		for _, c := range mant[len(mant)-cut:] {
			if c != '0' {
				return 0, errAmount
			}
		}
		mant = mant[:len(mant)-cut]
	} else {
		if len(mant)+shift > 19 {
			return 0, bistand.ErrMoneyRange
		}
		mant += strings.Repeat("0", shift)
	}
	if len(mant) > 19 {
		return 0, bistand.ErrMoneyRange
	}
	u, err := strconv.ParseUint(mant, 10, 64)
	if err != nil || u > uint64(bistand.MaxMoney) {
		return 0, bistand.ErrMoneyRange
	}
	m := bistand.Money(u)
	if neg {
		m = -m
	}
	return m, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseDate parses an xs:date ("2024-03-26", optionally with a zone such as
// "Z" or "+01:00", which is ignored: the civil date is the one written) or
// the date part of a date-time ("2024-03-26T00:00:00").
func parseDate(s string) (bistand.Date, error) {
	s = strings.TrimSpace(s)
	if len(s) > 10 {
		if rest := s[10:]; rest[0] != 'T' && !isZone(rest) {
			return bistand.Date{}, errDate
		}
		s = s[:10]
	}
	d, err := bistand.ParseDate(s)
	if err != nil {
		return bistand.Date{}, errDate
	}
	return d, nil
}

// parseOptDate is parseDate for an optional element: empty text is the zero
// Date.
func parseOptDate(s string) (bistand.Date, error) {
	if strings.TrimSpace(s) == "" {
		return bistand.Date{}, nil
	}
	return parseDate(s)
}

func isZone(s string) bool {
	if s == "Z" {
		return true
	}
	return len(s) == 6 && (s[0] == '+' || s[0] == '-') && isDigit(s[1]) && isDigit(s[2]) && s[3] == ':' && isDigit(s[4]) && isDigit(s[5])
}

// parseDayOrMonth parses a LEFI period bound, "2023-12-14" or "2022-09"
// (a month: its first day for a start, its last day for an end).
func parseDayOrMonth(s string, end bool) (bistand.Date, error) {
	s = strings.TrimSpace(s)
	if len(s) == 7 {
		m, err := bistand.ParseMonth(s)
		if err != nil {
			return bistand.Date{}, errDate
		}
		if end {
			return m.LastDay(), nil
		}
		return m.FirstDay(), nil
	}
	return parseDate(s)
}

// parseCompactDate parses CSN's "datum": eight digits YYYYMMDD.
func parseCompactDate(s string) (bistand.Date, error) {
	s = strings.TrimSpace(s)
	if len(s) != 8 {
		return bistand.Date{}, errDate
	}
	return parseDate(s[0:4] + "-" + s[4:6] + "-" + s[6:8])
}

// parseWeek parses CSN's "vecka": six digits YYYYWW, an ISO 8601 week (its
// Monday for a start, its Sunday for an end), or eight digits YYYYMMDD, a
// date.
func parseWeek(s string, end bool) (bistand.Date, error) {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 8:
		return parseCompactDate(s)
	case 6:
		y, err1 := strconv.Atoi(s[0:4])
		w, err2 := strconv.Atoi(s[4:6])
		if err1 != nil || err2 != nil || !isDigit(s[0]) || !isDigit(s[4]) || y < bistand.MinYear || y >= bistand.MaxYear || w < 1 || w > 53 {
			return bistand.Date{}, errDate
		}
		jan4 := time.Date(y, time.January, 4, 12, 0, 0, 0, time.UTC)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(w-1))
		if yy, ww := monday.ISOWeek(); yy != y || ww != w {
			return bistand.Date{}, errDate // week 53 of a year with 52
		}
		if end {
			monday = monday.AddDate(0, 0, 6)
		}
		return bistand.DateOf(monday), nil
	}
	return bistand.Date{}, errDate
}

// parseBool parses an xs:boolean.
func parseBool(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, errBool
}

// parseOptInt parses an optional xs:int: empty text is 0.
func parseOptInt(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errInt
	}
	return n, nil
}
