package rules

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bistand/bistand"
)

// Line is one rule applied in a calculation: the explanation of one amount.
type Line struct {
	Rule    string        `json:"rule"`
	Section Section       `json:"section"`
	Label   string        `json:"label"` // Swedish, for the person the decision concerns
	Person  string        `json:"person,omitempty"`
	Amount  bistand.Money `json:"amount"`
	Params  Params        `json:"params,omitempty"`
	Source  string        `json:"source"`
	Kind    Kind          `json:"kind"`
	// Verified is true when every parameter value the line used was read in
	// an official text (status confirmed). A line that uses no parameter
	// value (an income counted as declared) is verified.
	Verified bool `json:"verified"`
	// Status is the weakest status of the parameter values used; empty when
	// the line uses none.
	Status   Status `json:"status,omitempty"`
	Evidence string `json:"evidence,omitempty"`
}

type paramKind uint8

const (
	pMoney paramKind = iota
	pInt
	pString
	pBool
	pMonth
	pDate
)

// Param is one named parameter value a line used, in the order shown.
type Param struct {
	Name string
	kind paramKind
	n    int64
	s    string
}

// Params is an ordered list of parameters; it marshals as a JSON object.
type Params []Param

// MoneyParam, IntParam, … construct parameters.
func MoneyParam(name string, m bistand.Money) Param {
	return Param{Name: name, kind: pMoney, n: int64(m)}
}

// IntParam is an integer parameter.
func IntParam(name string, v int) Param { return Param{Name: name, kind: pInt, n: int64(v)} }

// StringParam is a text parameter.
func StringParam(name, v string) Param { return Param{Name: name, kind: pString, s: v} }

// BoolParam is a yes/no parameter.
func BoolParam(name string, v bool) Param {
	p := Param{Name: name, kind: pBool}
	if v {
		p.n = 1
	}
	return p
}

// MonthParam is a month parameter.
func MonthParam(name string, m bistand.Month) Param {
	return Param{Name: name, kind: pMonth, n: int64(m)}
}

// DateParam is a date parameter.
func DateParam(name string, d bistand.Date) Param {
	return Param{Name: name, kind: pDate, n: int64(d.Year())<<16 | int64(d.MonthOfYear())<<8 | int64(d.Day())}
}

func (p Param) date() bistand.Date {
	return bistand.MustDate(int(p.n>>16), time.Month(p.n>>8&0xff), int(p.n&0xff))
}

// appendJSON appends the value as JSON.
func (p Param) appendJSON(b []byte) []byte {
	switch p.kind {
	case pMoney:
		return bistand.Money(p.n).AppendDecimal(b)
	case pInt:
		return strconv.AppendInt(b, p.n, 10)
	case pBool:
		return strconv.AppendBool(b, p.n != 0)
	case pMonth:
		b = append(b, '"')
		b = bistand.Month(p.n).AppendText(b)
		return append(b, '"')
	case pDate:
		b = append(b, '"')
		b = p.date().AppendText(b)
		return append(b, '"')
	}
	return appendJSONString(b, p.s)
}

// appendJSONString appends s as a JSON string. (strconv.AppendQuote writes
// Go escapes such as \x00, which are not JSON.)
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029:
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

// Text returns the value as Swedish text for people.
func (p Param) Text() string {
	switch p.kind {
	case pMoney:
		return bistand.Money(p.n).String()
	case pInt:
		return strconv.FormatInt(p.n, 10)
	case pBool:
		if p.n != 0 {
			return "ja"
		}
		return "nej"
	case pMonth:
		return bistand.Month(p.n).String()
	case pDate:
		return p.date().String()
	}
	return p.s
}

// Get returns the parameter named name.
func (ps Params) Get(name string) (Param, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Money returns the value of a money parameter.
func (p Param) Money() bistand.Money { return bistand.Money(p.n) }

// Int returns the value of an integer parameter.
func (p Param) Int() int64 { return p.n }

// MarshalJSON writes the parameters as one JSON object in their order.
func (ps Params) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 32*len(ps)+2)
	b = append(b, '{')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, p.Name)
		b = append(b, ':')
		b = p.appendJSON(b)
	}
	return append(b, '}'), nil
}
