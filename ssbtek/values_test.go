package ssbtek

import (
	"math/big"
	"testing"
	"time"

	"github.com/bistand/bistand"
)

func TestParseAmount(t *testing.T) {
	for s, want := range map[string]bistand.Money{
		"1250.5": 125050, "1250,50": 125050, "1250.500": 125050, "1250": 125000, "-12.5": -1250,
		" 7 ": 700, "0.05": 5, "+3": 300, ".5": 50, "5.": 500, "007": 700, "1.2505e3": 125050,
		"125050e-2": 125050, "0e99999": 0, "0.000": 0, "1E2": 10000, "12345": 1234500,
	} {
		got, err := parseAmount(s)
		if err != nil || got != want {
			t.Errorf("parseAmount(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-", "1.005", "1,2,3", "1 000", "abc", "1e", "1e+", "12.3.4", "1.25055e2", "1e100", "99999999999999999999", "1e-3", "0x10", "1_000", "Inf", "NaN", "1e100001"} {
		if got, err := parseAmount(s); err == nil {
			t.Errorf("parseAmount(%q) = %d, want an error", s, got)
		}
	}
	if _, err := parseAmount("10000000000000.01"); err == nil {
		t.Error("an amount above MaxMoney was accepted")
	}
}

// FuzzAmount checks parseAmount against exact rational arithmetic.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{"1250.5", "1250,50", "1.2505e3", "-0.01", "1e-2", "0.001", "9999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseAmount(s)
		if err != nil {
			return
		}
		if got > bistand.MaxMoney || got < -bistand.MaxMoney {
			t.Fatalf("%q: %d beyond MaxMoney", s, got)
		}
		// Go's big.Rat reads the same forms except the comma and a leading "+".
		norm := []byte(s)
		for i, c := range norm {
			if c == ',' {
				norm[i] = '.'
			}
		}
		r, ok := new(big.Rat).SetString(trimForRat(string(norm)))
		if !ok {
			return
		}
		r.Mul(r, big.NewRat(100, 1))
		if !r.IsInt() || r.Num().Int64() != int64(got) {
			t.Fatalf("%q: parsed %d öre, exactly %s", s, got, r.RatString())
		}
	})
}

func trimForRat(s string) string {
	b := []byte(s)
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	if len(b) > 0 && b[0] == '+' {
		b = b[1:]
	}
	return string(b)
}

func TestParseDates(t *testing.T) {
	d := func(y int, m time.Month, day int) bistand.Date { return bistand.MustDate(y, m, day) }
	for s, want := range map[string]bistand.Date{
		"2016-11-18+01:00": d(2016, 11, 18), "2016-11-18Z": d(2016, 11, 18), "2016-11-18": d(2016, 11, 18),
		"2016-11-18T10:00:00": d(2016, 11, 18), " 2016-11-18 ": d(2016, 11, 18),
	} {
		if got, err := parseDate(s); err != nil || got != want {
			t.Errorf("parseDate(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"2016-11-18+1", "2016-02-30", "20161118", "", "2016-11-18x"} {
		if _, err := parseDate(s); err == nil {
			t.Errorf("parseDate(%q) accepted", s)
		}
	}
	if got, _ := parseDayOrMonth("2022-09", true); got != d(2022, 9, 30) {
		t.Errorf("month end %v", got)
	}
	if got, _ := parseDayOrMonth("2022-09", false); got != d(2022, 9, 1) {
		t.Errorf("month start %v", got)
	}
	for s, want := range map[[2]string]bistand.Date{
		{"202401", "start"}: d(2024, 1, 1), {"202401", "end"}: d(2024, 1, 7), {"202052", "start"}: d(2020, 12, 21),
		{"202053", "end"}: d(2021, 1, 3), {"202001", "start"}: d(2019, 12, 30), {"20240325", "start"}: d(2024, 3, 25),
	} {
		if got, err := parseWeek(s[0], s[1] == "end"); err != nil || got != want {
			t.Errorf("parseWeek(%q, %s) = %v, %v; want %v", s[0], s[1], got, err, want)
		}
	}
	for _, s := range []string{"202353", "202400", "202454", "2024", "20241301"} {
		if _, err := parseWeek(s, false); err == nil {
			t.Errorf("parseWeek(%q) accepted", s)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"person 199001011234 saknas":  "person [nummer] saknas",
		"person 19900101-1234 saknas": "person [nummer] saknas",
		"person 900101-1234 saknas":   "person [nummer] saknas",
		"kod 2024-03-26 och 12345":    "kod 2024-03-26 och 12345",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOrgNumber(t *testing.T) {
	for in, want := range map[string]string{"212000-2411": "162120002411", "2120002411": "162120002411", "162120002411": "162120002411"} {
		if got, ok := orgNumber(in); !ok || got != want {
			t.Errorf("orgNumber(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "1234", "161110002411", "21200a2411", "19900101123"} {
		if _, ok := orgNumber(in); ok {
			t.Errorf("orgNumber(%q) accepted", in)
		}
	}
}

func timeMonth(m int) time.Month { return time.Month(m) }
