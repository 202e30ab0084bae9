package bistand

import (
	"errors"
	"strconv"
	"time"
)

// Date is a civil date (year, month, day) with no time of day and no zone.
// The zero Date means "no date".
type Date struct {
	y int32
	m uint8
	d uint8
}

// Month is a calendar month such as 2021-03. The zero Month means "no month".
// Months are ordered and can be subtracted to count months between them.
type Month int32

// ErrDateSyntax is returned for text that is not a valid YYYY-MM-DD date.
var ErrDateSyntax = errors.New("not a date YYYY-MM-DD")

// ErrMonthSyntax is returned for text that is not a valid YYYY-MM month.
var ErrMonthSyntax = errors.New("not a month YYYY-MM")

// Years outside [MinYear, MaxYear] are rejected: nobody alive was born before
// 1850 and no rules will be written for after 9999.
const (
	MinYear = 1850
	MaxYear = 9999
)

func daysIn(y int, m time.Month) int {
	switch m {
	case time.April, time.June, time.September, time.November:
		return 30
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}

// NewDate returns the date y-m-d, or an error if it does not exist.
func NewDate(y int, m time.Month, d int) (Date, error) {
	if y < MinYear || y > MaxYear || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return Date{}, ErrDateSyntax
	}
	return Date{int32(y), uint8(m), uint8(d)}, nil
}

// MustDate is NewDate for constants in tests and tables; it panics on error.
func MustDate(y int, m time.Month, d int) Date {
	v, err := NewDate(y, m, d)
	if err != nil {
		panic(err)
	}
	return v
}

func parseDigits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, ErrDateSyntax
	}
	y, ok1 := parseDigits(s[0:4])
	m, ok2 := parseDigits(s[5:7])
	d, ok3 := parseDigits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, ErrDateSyntax
	}
	return NewDate(y, time.Month(m), d)
}

// Year, Month and Day return the parts of d.
func (d Date) Year() int { return int(d.y) }

// MonthOfYear returns the month of the year of d.
func (d Date) MonthOfYear() time.Month { return time.Month(d.m) }

// Day returns the day of the month of d.
func (d Date) Day() int { return int(d.d) }

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// Month returns the calendar month d falls in.
func (d Date) Month() Month { return NewMonthUnchecked(int(d.y), time.Month(d.m)) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	a := int64(d.y)<<16 | int64(d.m)<<8 | int64(d.d)
	b := int64(e.y)<<16 | int64(e.m)<<8 | int64(e.d)
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddMonths returns d moved n calendar months, clamped to the last day of
// the target month (2021-01-31 + 1 month = 2021-02-28).
func (d Date) AddMonths(n int) Date {
	m := d.Month().Add(n)
	day := int(d.d)
	if last := daysIn(m.Year(), m.MonthOfYear()); day > last {
		day = last
	}
	return Date{int32(m.Year()), uint8(m.MonthOfYear()), uint8(day)}
}

// AddDays returns d moved n days (back if n is negative).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(int(d.y), time.Month(d.m), int(d.d)+n, 12, 0, 0, 0, time.UTC))
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	return Date{int32(t.Year()), uint8(t.Month()), uint8(t.Day())}
}

// AgeOn returns the age in whole years on day e of a person born on d:
// the birthday itself counts. Someone born on 29 February has their birthday
// on 1 March in other years.
func (d Date) AgeOn(e Date) int {
	age := int(e.y - d.y)
	if e.m < d.m || (e.m == d.m && e.d < d.d) {
		age--
	}
	return age
}

// String returns "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return string(d.AppendText(nil))
}

// AppendText appends d as "YYYY-MM-DD".
func (d Date) AppendText(b []byte) []byte {
	b = appendPadded(b, int(d.y), 4)
	b = append(b, '-')
	b = appendPadded(b, int(d.m), 2)
	b = append(b, '-')
	return appendPadded(b, int(d.d), 2)
}

func appendPadded(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// MarshalJSON writes d as a JSON string "YYYY-MM-DD", or null for no date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	b := append([]byte{'"'}, d.AppendText(nil)...)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a JSON string "YYYY-MM-DD". JSON null, which
// MarshalJSON writes for the zero Date, leaves d unchanged, as encoding/json
// does for null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return ErrDateSyntax
	}
	v, err := ParseDate(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// NewMonth returns the month y-m, or an error if it is out of range.
func NewMonth(y int, m time.Month) (Month, error) {
	if y < MinYear || y > MaxYear || m < 1 || m > 12 {
		return 0, ErrMonthSyntax
	}
	return NewMonthUnchecked(y, m), nil
}

// NewMonthUnchecked returns the month y-m without range checks.
func NewMonthUnchecked(y int, m time.Month) Month { return Month(y*12 + int(m)) }

// MustMonth is NewMonth for constants in tests and tables; it panics on error.
func MustMonth(y int, m time.Month) Month {
	v, err := NewMonth(y, m)
	if err != nil {
		panic(err)
	}
	return v
}

// ParseMonth parses "YYYY-MM".
func ParseMonth(s string) (Month, error) {
	if len(s) != 7 || s[4] != '-' {
		return 0, ErrMonthSyntax
	}
	y, ok1 := parseDigits(s[0:4])
	m, ok2 := parseDigits(s[5:7])
	if !ok1 || !ok2 {
		return 0, ErrMonthSyntax
	}
	return NewMonth(y, time.Month(m))
}

// Year returns the year of m.
func (m Month) Year() int { return (int(m) - 1) / 12 }

// MonthOfYear returns the month of the year of m.
func (m Month) MonthOfYear() time.Month { return time.Month((int(m)-1)%12 + 1) }

// IsZero reports whether m is the zero Month ("no month").
func (m Month) IsZero() bool { return m == 0 }

// Add returns the month n months after m (before it if n is negative).
func (m Month) Add(n int) Month { return m + Month(n) }

// Since returns the number of months from o to m (m − o).
func (m Month) Since(o Month) int { return int(m - o) }

// FirstDay returns the first day of m.
func (m Month) FirstDay() Date {
	return Date{int32(m.Year()), uint8(m.MonthOfYear()), 1}
}

// LastDay returns the last day of m.
func (m Month) LastDay() Date {
	return Date{int32(m.Year()), uint8(m.MonthOfYear()), uint8(daysIn(m.Year(), m.MonthOfYear()))}
}

// String returns "YYYY-MM", or "" for the zero Month.
func (m Month) String() string {
	if m.IsZero() {
		return ""
	}
	return string(m.AppendText(nil))
}

// AppendText appends m as "YYYY-MM".
func (m Month) AppendText(b []byte) []byte {
	b = appendPadded(b, m.Year(), 4)
	b = append(b, '-')
	return appendPadded(b, int(m.MonthOfYear()), 2)
}

// MarshalJSON writes m as a JSON string "YYYY-MM", or null for no month.
func (m Month) MarshalJSON() ([]byte, error) {
	if m.IsZero() {
		return []byte("null"), nil
	}
	b := append([]byte{'"'}, m.AppendText(nil)...)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a JSON string "YYYY-MM". JSON null, which MarshalJSON
// writes for the zero Month, leaves m unchanged, as encoding/json does for null.
func (m *Month) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return ErrMonthSyntax
	}
	v, err := ParseMonth(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
