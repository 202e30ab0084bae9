package letter

import (
	"math"
	"testing"
	"time"

	"github.com/bistand/bistand"
)

func TestFormatKronor(t *testing.T) {
	for _, c := range []struct {
		m           bistand.Money
		full, short string
	}{
		{0, "0,00 kr", "0 kr"},
		{1, "0,01 kr", "0,01 kr"},
		{50, "0,50 kr", "0,50 kr"},
		{100, "1,00 kr", "1 kr"},
		{99999, "999,99 kr", "999,99 kr"},
		{100000, "1 000,00 kr", "1 000 kr"},
		{843200, "8 432,00 kr", "8 432 kr"},
		{1234550, "12 345,50 kr", "12 345,50 kr"},
		{100000000, "1 000 000,00 kr", "1 000 000 kr"},
		{-5, "−0,05 kr", "−0,05 kr"},
		{-200000, "−2 000,00 kr", "−2 000 kr"},
		{-123456789, "−1 234 567,89 kr", "−1 234 567,89 kr"},
		{math.MaxInt64, "92 233 720 368 547 758,07 kr", "92 233 720 368 547 758,07 kr"},
		{math.MinInt64, "−92 233 720 368 547 758,08 kr", "−92 233 720 368 547 758,08 kr"},
	} {
		// The table above is written with plain spaces; the letter uses
		// no-break spaces.
		full := replaceSpaces(c.full)
		short := replaceSpaces(c.short)
		if got := FormatKronor(c.m); got != full {
			t.Errorf("FormatKronor(%d) = %q, want %q", c.m, got, full)
		}
		if got := kronorShort(c.m); got != short {
			t.Errorf("kronorShort(%d) = %q, want %q", c.m, got, short)
		}
	}
}

func replaceSpaces(s string) string {
	b := []rune(s)
	for i, r := range b {
		if r == ' ' {
			b[i] = '\u00a0'
		}
	}
	return string(b)
}

// The formatted amount holds no plain space, so it never wraps, and agrees
// with bistand.Money's own Swedish notation.
func TestFormatKronorAgreesWithMoney(t *testing.T) {
	for _, m := range []bistand.Money{0, 7, 120, 720000, 123456, -99, -1234567} {
		got := kronorShort(m)
		for _, r := range got {
			if r == ' ' {
				t.Errorf("%q holds a plain space", got)
			}
		}
		if want := replaceSpaces(m.String()); got != want {
			t.Errorf("kronorShort(%d) = %q, Money.String gives %q", m, got, want)
		}
	}
}

func TestDatesInWords(t *testing.T) {
	for _, c := range []struct {
		d    bistand.Date
		want string
	}{
		{bistand.MustDate(2026, time.November, 25), "25 november 2026"},
		{bistand.MustDate(2025, time.January, 1), "1 januari 2025"},
		{bistand.MustDate(2024, time.February, 29), "29 februari 2024"},
		{bistand.MustDate(2026, time.May, 31), "31 maj 2026"},
	} {
		if got := dateText(c.d); got != c.want {
			t.Errorf("%s: %q, want %q", c.d, got, c.want)
		}
	}
	if got := monthText(bistand.MustMonth(2026, time.March)); got != "mars 2026" {
		t.Errorf("monthText: %q", got)
	}
}
