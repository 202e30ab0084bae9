package bistand_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/bistand/bistand"
)

type (
	Date  = bistand.Date
	Month = bistand.Month
)

func date(s string) Date {
	d, err := bistand.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func month(s string) Month {
	m, err := bistand.ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

func TestParseDate(t *testing.T) {
	valid := []struct {
		in      string
		y, m, d int
	}{
		{"2024-02-29", 2024, 2, 29}, // divisible by 4
		{"2000-02-29", 2000, 2, 29}, // divisible by 400
		{"2400-02-29", 2400, 2, 29},
		{"2023-02-28", 2023, 2, 28},
		{"2021-01-31", 2021, 1, 31},
		{"2021-04-30", 2021, 4, 30},
		{"2021-12-31", 2021, 12, 31},
		{"2021-03-09", 2021, 3, 9},
		{"1850-01-01", 1850, 1, 1},
		{"9999-12-31", 9999, 12, 31},
	}
	for _, tc := range valid {
		d, err := bistand.ParseDate(tc.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tc.in, err)
			continue
		}
		if d.Year() != tc.y || int(d.MonthOfYear()) != tc.m || d.Day() != tc.d {
			t.Errorf("ParseDate(%q) = %d-%d-%d", tc.in, d.Year(), d.MonthOfYear(), d.Day())
		}
		if d.IsZero() {
			t.Errorf("ParseDate(%q).IsZero() = true", tc.in)
		}
		if d.String() != tc.in {
			t.Errorf("ParseDate(%q).String() = %q", tc.in, d.String())
		}
		if nd, err := bistand.NewDate(tc.y, time.Month(tc.m), tc.d); err != nil || nd != d {
			t.Errorf("NewDate(%d, %d, %d) = %v, %v; want %v", tc.y, tc.m, tc.d, nd, err, d)
		}
	}

	invalid := []string{
		"2023-02-29", // not a leap year
		"1900-02-29", // divisible by 100, not by 400
		"2100-02-29",
		"2024-02-30",
		"2021-04-31",
		"2021-06-31",
		"2021-09-31",
		"2021-11-31",
		"2021-01-32",
		"2021-13-01",
		"2021-00-10",
		"2021-01-00",
		"1849-12-31", // before MinYear
		"0000-01-01",
		"10000-01-01",
		"",
		"2021-1-01",
		"2021-01-1",
		"21-01-01",
		"2021/01/01",
		"20210101",
		"2021-01-01 ",
		" 2021-01-01",
		"2021-01-01T00:00:00Z",
		"+021-01-01",
		"-021-01-01",
		"2021-+1-01",
		"2021-01-+1",
		"2021-0a-01",
		"2021-01-0a",
		"2021--1-01",
		"2021-01--1",
		"2021-01-01\x00",
		"\"2021-01-01\"",
		"null",
	}
	for _, in := range invalid {
		d, err := bistand.ParseDate(in)
		if !errors.Is(err, bistand.ErrDateSyntax) {
			t.Errorf("ParseDate(%q) = %v, %v; want ErrDateSyntax", in, d, err)
		}
		if !d.IsZero() {
			t.Errorf("ParseDate(%q) returned non-zero %v with an error", in, d)
		}
	}
}

func TestNewDate(t *testing.T) {
	for _, tc := range []struct {
		y    int
		m    time.Month
		d    int
		want bool
	}{
		{2024, time.February, 29, true},
		{2023, time.February, 29, false},
		{1900, time.February, 29, false},
		{2000, time.February, 29, true},
		{2021, time.February, 28, true},
		{2021, 0, 1, false},
		{2021, 13, 1, false},
		{2021, time.January, 0, false},
		{2021, time.January, -1, false},
		{2021, time.January, 256 + 1, false}, // would wrap to 1 in a uint8
		{bistand.MinYear - 1, time.December, 31, false},
		{bistand.MinYear, time.January, 1, true},
		{bistand.MaxYear, time.December, 31, true},
		{bistand.MaxYear + 1, time.January, 1, false},
	} {
		d, err := bistand.NewDate(tc.y, tc.m, tc.d)
		if ok := err == nil; ok != tc.want {
			t.Errorf("NewDate(%d, %d, %d) = %v, %v; want ok=%v", tc.y, tc.m, tc.d, d, err, tc.want)
		}
		if err != nil && !errors.Is(err, bistand.ErrDateSyntax) {
			t.Errorf("NewDate(%d, %d, %d): error %v is not ErrDateSyntax", tc.y, tc.m, tc.d, err)
		}
	}

	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustDate(2023, 2, 29) did not panic")
			}
		}()
		bistand.MustDate(2023, time.February, 29)
	}()
	if got := bistand.MustDate(2024, time.February, 29); got != date("2024-02-29") {
		t.Errorf("MustDate(2024, 2, 29) = %v", got)
	}
}

func TestDaysInMonthAgainstTime(t *testing.T) {
	for y := bistand.MinYear; y <= bistand.MaxYear; y++ {
		for m := time.January; m <= time.December; m++ {
			want := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
			last := bistand.MustMonth(y, m).LastDay()
			if last.Day() != want || last.Year() != y || last.MonthOfYear() != m {
				t.Fatalf("MustMonth(%d, %d).LastDay() = %v, want day %d", y, m, last, want)
			}
			if _, err := bistand.NewDate(y, m, want+1); err == nil {
				t.Fatalf("NewDate(%d, %d, %d) succeeded", y, m, want+1)
			}
		}
	}
}

func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2021-01-31", 1, "2021-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2021-01-31", 2, "2021-03-31"},
		{"2021-01-31", 3, "2021-04-30"},
		{"2021-03-31", -1, "2021-02-28"},
		{"2024-03-31", -1, "2024-02-29"},
		{"2021-05-31", -1, "2021-04-30"},
		{"2021-01-15", 0, "2021-01-15"},
		{"2021-12-15", 1, "2022-01-15"},
		{"2022-01-15", -1, "2021-12-15"},
		{"2021-11-30", 3, "2022-02-28"},
		{"2023-11-30", 3, "2024-02-29"},
		{"2021-05-31", -13, "2020-04-30"},
		{"2021-03-31", -25, "2019-02-28"},
		{"2021-08-31", 24, "2023-08-31"},
		{"2020-02-29", 12, "2021-02-28"},
		{"2020-02-29", 48, "2024-02-29"},
		{"2020-02-29", -12, "2019-02-28"},
		{"1999-12-31", 2, "2000-02-29"},
		{"1899-12-31", 2, "1900-02-28"},
		{"2021-06-15", 120, "2031-06-15"},
		{"2021-06-15", -120, "2011-06-15"},
	} {
		if got := date(tc.from).AddMonths(tc.n); got != date(tc.want) {
			t.Errorf("%s.AddMonths(%d) = %v, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

// refAddMonths is AddMonths computed with package time.
func refAddMonths(d Date, n int) Date {
	first := time.Date(d.Year(), d.MonthOfYear()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return bistand.MustDate(first.Year(), first.Month(), min(d.Day(), last))
}

func TestAddMonthsAgainstTime(t *testing.T) {
	for t0 := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC); t0.Year() <= 2025; t0 = t0.AddDate(0, 0, 1) {
		d := bistand.MustDate(t0.Year(), t0.Month(), t0.Day())
		for n := -30; n <= 30; n++ {
			if got, want := d.AddMonths(n), refAddMonths(d, n); got != want {
				t.Fatalf("%v.AddMonths(%d) = %v, want %v", d, n, got, want)
			}
		}
	}
}

func TestAgeOn(t *testing.T) {
	for _, tc := range []struct {
		born, on string
		want     int
	}{
		{"1990-06-15", "1990-06-15", 0},
		{"1990-06-15", "1991-06-14", 0},
		{"1990-06-15", "1991-06-15", 1},
		{"1990-06-15", "2020-06-14", 29}, // day before the birthday
		{"1990-06-15", "2020-06-15", 30}, // the birthday itself counts
		{"1990-06-15", "2020-06-16", 30},
		{"1990-06-15", "2020-05-31", 29}, // earlier month, later day
		{"1990-06-15", "2020-07-01", 30}, // later month, earlier day
		{"1990-06-15", "2020-12-31", 30},
		{"1990-06-15", "2021-01-01", 30},
		{"1999-12-31", "2000-01-01", 0},
		{"1999-12-31", "2000-12-30", 0},
		{"1999-12-31", "2000-12-31", 1},
		{"2000-01-01", "2017-12-31", 17},
		{"2000-01-01", "2018-01-01", 18},
		// Born on 29 February: birthday on 1 March in non-leap years.
		{"2000-02-29", "2001-02-28", 0},
		{"2000-02-29", "2001-03-01", 1},
		{"2000-02-29", "2023-02-28", 22},
		{"2000-02-29", "2023-03-01", 23},
		{"2000-02-29", "2004-02-28", 3},
		{"2000-02-29", "2004-02-29", 4},
		{"2000-02-29", "2004-03-01", 4},
		{"2004-02-29", "2100-02-28", 95}, // 2100 is not a leap year
		{"2004-02-29", "2100-03-01", 96},
		// Born on 28 February: birthday on 28 February every year.
		{"2003-02-28", "2004-02-28", 1},
		{"2003-02-28", "2004-02-27", 0},
		{"2003-02-28", "2005-02-28", 2},
	} {
		if got := date(tc.born).AgeOn(date(tc.on)); got != tc.want {
			t.Errorf("%s.AgeOn(%s) = %d, want %d", tc.born, tc.on, got, tc.want)
		}
	}
}

// refAgeOn computes the age from the documented rule: the birthday counts,
// and a 29 February birthday falls on 1 March in non-leap years.
func refAgeOn(born, on Date) int {
	bday := func(y int) time.Time {
		// time.Date normalises 29 February of a non-leap year to 1 March.
		return time.Date(y, born.MonthOfYear(), born.Day(), 0, 0, 0, 0, time.UTC)
	}
	o := time.Date(on.Year(), on.MonthOfYear(), on.Day(), 0, 0, 0, 0, time.UTC)
	age := on.Year() - born.Year()
	if o.Before(bday(on.Year())) {
		age--
	}
	return age
}

func TestAgeOnAgainstReference(t *testing.T) {
	for b := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC); b.Year() <= 2000; b = b.AddDate(0, 0, 1) {
		born := bistand.MustDate(b.Year(), b.Month(), b.Day())
		for o := b; o.Year() <= 2005; o = o.AddDate(0, 0, 1) {
			on := bistand.MustDate(o.Year(), o.Month(), o.Day())
			if got, want := born.AgeOn(on), refAgeOn(born, on); got != want {
				t.Fatalf("%v.AgeOn(%v) = %d, want %d", born, on, got, want)
			}
		}
	}
}

func TestDateCompare(t *testing.T) {
	var zero Date
	for _, tc := range []struct {
		a, b Date
		want int
	}{
		{date("2021-05-05"), date("2021-05-05"), 0},
		{date("2021-05-04"), date("2021-05-05"), -1},
		{date("2021-05-06"), date("2021-05-05"), 1},
		{date("2021-01-31"), date("2021-02-01"), -1}, // month outweighs day
		{date("2021-12-01"), date("2021-11-30"), 1},
		{date("2020-12-31"), date("2021-01-01"), -1}, // year outweighs month
		{date("2022-01-01"), date("2021-12-31"), 1},
		{date("1850-01-01"), date("9999-12-31"), -1},
		{zero, date("1850-01-01"), -1},
		{date("1850-01-01"), zero, 1},
		{zero, zero, 0},
	} {
		if got := tc.a.Compare(tc.b); got != tc.want {
			t.Errorf("%q.Compare(%q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := tc.b.Compare(tc.a); got != -tc.want {
			t.Errorf("%q.Compare(%q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
		if got := tc.a.Before(tc.b); got != (tc.want < 0) {
			t.Errorf("%q.Before(%q) = %v", tc.a, tc.b, got)
		}
		if got := tc.a.After(tc.b); got != (tc.want > 0) {
			t.Errorf("%q.After(%q) = %v", tc.a, tc.b, got)
		}
	}
}

// TestDateOrderAndMonth walks every date bistand accepts, in order, and checks
// Compare, the month of each date and its first and last day.
func TestDateOrderAndMonth(t *testing.T) {
	var prev Date
	n := 0
	for t0 := time.Date(bistand.MinYear, 1, 1, 0, 0, 0, 0, time.UTC); t0.Year() <= bistand.MaxYear; t0 = t0.AddDate(0, 0, 1) {
		d := bistand.MustDate(t0.Year(), t0.Month(), t0.Day())
		if !prev.Before(d) || d.Compare(prev) != 1 {
			t.Fatalf("%v is not after %v", d, prev)
		}
		m := d.Month()
		first, last := m.FirstDay(), m.LastDay()
		if first.After(d) {
			t.Fatalf("%v.Month().FirstDay() = %v is after the date", d, first)
		}
		if last.Before(d) {
			t.Fatalf("%v.Month().LastDay() = %v is before the date", d, last)
		}
		if first.Day() != 1 || first.Month() != m || last.Month() != m {
			t.Fatalf("%v: month %v has first day %v and last day %v", d, m, first, last)
		}
		if m.Year() != d.Year() || m.MonthOfYear() != d.MonthOfYear() {
			t.Fatalf("%v.Month() = %v", d, m)
		}
		if d.Day() == 1 && first != d {
			t.Fatalf("%v.Month().FirstDay() = %v", d, first)
		}
		if t0.AddDate(0, 0, 1).Day() == 1 && last != d {
			t.Fatalf("%v.Month().LastDay() = %v", d, last)
		}
		prev = d
		n++
	}
	if want := 8150*365 + 1976; n != want { // 1976 leap years in 1850..9999
		t.Fatalf("walked %d dates, want %d", n, want)
	}
}

func TestParseMonth(t *testing.T) {
	for _, tc := range []struct {
		in string
		y  int
		m  time.Month
	}{
		{"2021-01", 2021, time.January},
		{"2021-12", 2021, time.December},
		{"1850-01", 1850, time.January},
		{"9999-12", 9999, time.December},
	} {
		m, err := bistand.ParseMonth(tc.in)
		if err != nil || m.Year() != tc.y || m.MonthOfYear() != tc.m {
			t.Errorf("ParseMonth(%q) = %v, %v; want %d-%02d", tc.in, m, err, tc.y, tc.m)
			continue
		}
		if m.String() != tc.in || m.IsZero() {
			t.Errorf("ParseMonth(%q).String() = %q", tc.in, m.String())
		}
		if nm, err := bistand.NewMonth(tc.y, tc.m); err != nil || nm != m {
			t.Errorf("NewMonth(%d, %d) = %v, %v; want %v", tc.y, tc.m, nm, err, m)
		}
	}
	for _, in := range []string{
		"2021-00", "2021-13", "2021-99", "1849-12", "0000-01", "10000-01",
		"", "2021-1", "202-01", "2021/01", "202101", "2021-01-01", " 2021-01",
		"2021-01 ", "+021-01", "2021-+1", "2021--1", "2021-0x", "null",
	} {
		m, err := bistand.ParseMonth(in)
		if !errors.Is(err, bistand.ErrMonthSyntax) || !m.IsZero() {
			t.Errorf("ParseMonth(%q) = %v, %v; want ErrMonthSyntax", in, m, err)
		}
	}
	for _, tc := range []struct {
		y int
		m time.Month
	}{{2021, 0}, {2021, 13}, {bistand.MinYear - 1, 12}, {bistand.MaxYear + 1, 1}} {
		if m, err := bistand.NewMonth(tc.y, tc.m); !errors.Is(err, bistand.ErrMonthSyntax) {
			t.Errorf("NewMonth(%d, %d) = %v, %v; want ErrMonthSyntax", tc.y, tc.m, m, err)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustMonth(2021, 13) did not panic")
			}
		}()
		bistand.MustMonth(2021, 13)
	}()
}

func TestMonthArithmetic(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2021-12", 1, "2022-01"},
		{"2022-01", -1, "2021-12"},
		{"2021-11", 1, "2021-12"},
		{"2021-12", 0, "2021-12"},
		{"2021-12", 12, "2022-12"},
		{"2021-12", 13, "2023-01"},
		{"2021-01", -12, "2020-01"},
		{"2021-01", -13, "2019-12"},
		{"2021-03", 25, "2023-04"},
		{"2021-03", -25, "2019-02"},
		{"1999-12", 1, "2000-01"},
	} {
		from, want := month(tc.from), month(tc.want)
		if got := from.Add(tc.n); got != want {
			t.Errorf("%s.Add(%d) = %v, want %s", tc.from, tc.n, got, tc.want)
		}
		if got := want.Since(from); got != tc.n {
			t.Errorf("%s.Since(%s) = %d, want %d", tc.want, tc.from, got, tc.n)
		}
		if got := from.Since(want); got != -tc.n {
			t.Errorf("%s.Since(%s) = %d, want %d", tc.from, tc.want, got, -tc.n)
		}
	}

	for _, tc := range []struct {
		m           string
		year        int
		moy         time.Month
		first, last string
	}{
		{"2021-12", 2021, time.December, "2021-12-01", "2021-12-31"},
		{"2022-01", 2022, time.January, "2022-01-01", "2022-01-31"},
		{"2024-02", 2024, time.February, "2024-02-01", "2024-02-29"},
		{"2023-02", 2023, time.February, "2023-02-01", "2023-02-28"},
		{"1900-02", 1900, time.February, "1900-02-01", "1900-02-28"},
		{"2000-02", 2000, time.February, "2000-02-01", "2000-02-29"},
		{"2021-04", 2021, time.April, "2021-04-01", "2021-04-30"},
		{"1850-01", 1850, time.January, "1850-01-01", "1850-01-31"},
		{"9999-12", 9999, time.December, "9999-12-01", "9999-12-31"},
	} {
		m := month(tc.m)
		if m.Year() != tc.year || m.MonthOfYear() != tc.moy {
			t.Errorf("%s: Year() = %d, MonthOfYear() = %d", tc.m, m.Year(), m.MonthOfYear())
		}
		if got := m.FirstDay(); got != date(tc.first) {
			t.Errorf("%s.FirstDay() = %v, want %s", tc.m, got, tc.first)
		}
		if got := m.LastDay(); got != date(tc.last) {
			t.Errorf("%s.LastDay() = %v, want %s", tc.m, got, tc.last)
		}
		if got := date(tc.last).Month(); got != m {
			t.Errorf("%s.Month() = %v, want %s", tc.last, got, tc.m)
		}
	}

	// Months are ordered like the dates they contain.
	if !(month("2021-12") < month("2022-01") && month("2022-01") < month("2022-02")) {
		t.Error("months are not ordered across the year boundary")
	}
}

// TestMonthAddSinceInverse checks, for every month bistand accepts and a
// spread of offsets, that Add and Since undo each other and agree with
// Year/MonthOfYear.
func TestMonthAddSinceInverse(t *testing.T) {
	offsets := []int{-1200, -121, -25, -13, -12, -11, -1, 0, 1, 11, 12, 13, 25, 121, 1200}
	lo, hi := bistand.MustMonth(bistand.MinYear, time.January), bistand.MustMonth(bistand.MaxYear, time.December)
	count := 0
	for m := lo; m <= hi; m = m.Add(1) {
		count++
		y, moy := m.Year(), m.MonthOfYear()
		if moy < time.January || moy > time.December || y < bistand.MinYear || y > bistand.MaxYear {
			t.Fatalf("month %d has year %d and month %d", int(m), y, moy)
		}
		if back, err := bistand.NewMonth(y, moy); err != nil || back != m {
			t.Fatalf("NewMonth(%d, %d) = %v, %v; want %v", y, moy, back, err, m)
		}
		if back, err := bistand.ParseMonth(m.String()); err != nil || back != m {
			t.Fatalf("ParseMonth(%q) = %v, %v", m.String(), back, err)
		}
		for _, n := range offsets {
			a := m.Add(n)
			if got := a.Since(m); got != n {
				t.Fatalf("%v.Add(%d).Since(%v) = %d", m, n, m, got)
			}
			if got := m.Since(a); got != -n {
				t.Fatalf("%v.Since(%v.Add(%d)) = %d", m, m, n, got)
			}
			if got := a.Add(-n); got != m {
				t.Fatalf("%v.Add(%d).Add(%d) = %v", m, n, -n, got)
			}
			// Against an independent count of months.
			if got, want := a.Year()*12+int(a.MonthOfYear())-1, y*12+int(moy)-1+n; got != want {
				t.Fatalf("%v.Add(%d) = %v (%d-%02d)", m, n, a, a.Year(), a.MonthOfYear())
			}
		}
		next := m.Add(1)
		if moy == time.December {
			if next.Year() != y+1 || next.MonthOfYear() != time.January {
				t.Fatalf("%v.Add(1) = %v", m, next)
			}
		} else if next.Year() != y || next.MonthOfYear() != moy+1 {
			t.Fatalf("%v.Add(1) = %v", m, next)
		}
	}
	if want := (bistand.MaxYear - bistand.MinYear + 1) * 12; count != want {
		t.Fatalf("walked %d months, want %d", count, want)
	}
}

type civilDoc struct {
	D Date  `json:"d"`
	M Month `json:"m"`
}

func TestZeroValues(t *testing.T) {
	var d Date
	var m Month
	if !d.IsZero() || !m.IsZero() {
		t.Fatal("zero Date or Month is not IsZero")
	}
	if d.String() != "" || m.String() != "" {
		t.Errorf("zero String() = %q, %q; want empty", d.String(), m.String())
	}
	if date("1850-01-01").IsZero() || month("1850-01").IsZero() {
		t.Error("earliest valid Date or Month reports IsZero")
	}
	b, err := json.Marshal(civilDoc{})
	if err != nil || string(b) != `{"d":null,"m":null}` {
		t.Errorf("json.Marshal(zero) = %s, %v", b, err)
	}
	// null decodes to "no date"/"no month", so zero values round-trip.
	var doc civilDoc
	if err := json.Unmarshal(b, &doc); err != nil || !doc.D.IsZero() || !doc.M.IsZero() {
		t.Errorf("json.Unmarshal(%s) = %+v, %v", b, doc, err)
	}
	if err := json.Unmarshal([]byte("null"), &d); err != nil || !d.IsZero() {
		t.Errorf("json.Unmarshal(null) into Date = %v, %v", d, err)
	}
	if err := json.Unmarshal([]byte("null"), &m); err != nil || !m.IsZero() {
		t.Errorf("json.Unmarshal(null) into Month = %v, %v", m, err)
	}
	// As encoding/json does for null into a non-pointer value (and as
	// time.Time does), null leaves an existing value unchanged.
	keep := civilDoc{date("2001-02-03"), month("2001-02")}
	got := keep
	if err := json.Unmarshal([]byte(`{"d":null,"m":null}`), &got); err != nil || got != keep {
		t.Errorf("json.Unmarshal(nulls) into %+v = %+v, %v", keep, got, err)
	}
}

func TestCivilJSON(t *testing.T) {
	for _, tc := range []struct {
		doc  civilDoc
		want string
	}{
		{civilDoc{date("2024-02-29"), month("2024-02")}, `{"d":"2024-02-29","m":"2024-02"}`},
		{civilDoc{date("1850-01-01"), month("9999-12")}, `{"d":"1850-01-01","m":"9999-12"}`},
		{civilDoc{date("2021-12-31"), 0}, `{"d":"2021-12-31","m":null}`},
		{civilDoc{Date{}, month("2022-01")}, `{"d":null,"m":"2022-01"}`},
	} {
		b, err := json.Marshal(tc.doc)
		if err != nil || string(b) != tc.want {
			t.Errorf("json.Marshal(%+v) = %s, %v; want %s", tc.doc, b, err, tc.want)
			continue
		}
		var back civilDoc
		if err := json.Unmarshal(b, &back); err != nil || back != tc.doc {
			t.Errorf("json.Unmarshal(%s) = %+v, %v; want %+v", b, back, err, tc.doc)
		}
	}

	keep := civilDoc{date("2001-01-01"), month("2001-01")}
	for _, in := range []string{
		`{"d":"2023-02-29"}`,
		`{"d":"2021-1-1"}`,
		`{"d":""}`,
		`{"d":20210101}`,
		`{"d":true}`,
		`{"d":"2021-01-01 "}`,
		`{"m":"2021-13"}`,
		`{"m":"2021-01-01"}`,
		`{"m":""}`,
		`{"m":202101}`,
	} {
		got := keep
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Errorf("json.Unmarshal(%s) succeeded with %+v", in, got)
		}
		if got != keep {
			t.Errorf("json.Unmarshal(%s) changed the target to %+v on error", in, got)
		}
	}

	// Direct calls with malformed raw input.
	for _, raw := range []string{``, `"`, `"2021-01-01`, `2021-01-01"`, `'2021-01-01'`} {
		var d Date
		if err := d.UnmarshalJSON([]byte(raw)); !errors.Is(err, bistand.ErrDateSyntax) {
			t.Errorf("Date.UnmarshalJSON(%q) = %v", raw, err)
		}
		var m Month
		if err := m.UnmarshalJSON([]byte(raw)); !errors.Is(err, bistand.ErrMonthSyntax) {
			t.Errorf("Month.UnmarshalJSON(%q) = %v", raw, err)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "1850-01-01",
		"9999-12-31", "1849-12-31", "2021-13-01", "2021-04-31", "", "2021-1-01",
		"+021-01-01", "2021-0a-01", "null",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := bistand.ParseDate(s)

		// Oracle: package time with the documented year range.
		tt, terr := time.Parse(time.DateOnly, s)
		wantOK := terr == nil && tt.Year() >= bistand.MinYear && tt.Year() <= bistand.MaxYear
		if (err == nil) != wantOK {
			t.Fatalf("ParseDate(%q) = %v, %v; time.Parse = %v, %v", s, d, err, tt, terr)
		}
		if err != nil {
			if !errors.Is(err, bistand.ErrDateSyntax) || !d.IsZero() {
				t.Fatalf("ParseDate(%q) = %v, %v", s, d, err)
			}
			return
		}
		if d.Year() != tt.Year() || d.MonthOfYear() != tt.Month() || d.Day() != tt.Day() {
			t.Fatalf("ParseDate(%q) = %v, time.Parse = %v", s, d, tt)
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
		if d.IsZero() {
			t.Fatalf("ParseDate(%q).IsZero()", s)
		}
		b, err := json.Marshal(d)
		if err != nil || string(b) != `"`+s+`"` {
			t.Fatalf("json.Marshal(%v) = %s, %v", d, b, err)
		}
		var back Date
		if err := json.Unmarshal(b, &back); err != nil || back != d {
			t.Fatalf("JSON round trip of %v gave %v, %v", d, back, err)
		}
		if d.Month().FirstDay().After(d) || d.Month().LastDay().Before(d) {
			t.Fatalf("%v is outside its month %v", d, d.Month())
		}
		if d.AddMonths(0) != d || d.AgeOn(d) != 0 {
			t.Fatalf("%v: AddMonths(0) = %v, AgeOn(itself) = %d", d, d.AddMonths(0), d.AgeOn(d))
		}
	})
}

func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{
		"2021-01", "2021-12", "1850-01", "9999-12", "1849-12", "2021-13",
		"2021-00", "", "2021-1", "+021-01", "2021-0x", "2021-01-01",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := bistand.ParseMonth(s)

		tt, terr := time.Parse("2006-01", s)
		wantOK := terr == nil && tt.Year() >= bistand.MinYear && tt.Year() <= bistand.MaxYear
		if (err == nil) != wantOK {
			t.Fatalf("ParseMonth(%q) = %v, %v; time.Parse = %v, %v", s, m, err, tt, terr)
		}
		if err != nil {
			if !errors.Is(err, bistand.ErrMonthSyntax) || !m.IsZero() {
				t.Fatalf("ParseMonth(%q) = %v, %v", s, m, err)
			}
			return
		}
		if m.Year() != tt.Year() || m.MonthOfYear() != tt.Month() {
			t.Fatalf("ParseMonth(%q) = %v, time.Parse = %v", s, m, tt)
		}
		if m.String() != s {
			t.Fatalf("ParseMonth(%q).String() = %q", s, m.String())
		}
		b, err := json.Marshal(m)
		if err != nil || string(b) != `"`+s+`"` {
			t.Fatalf("json.Marshal(%v) = %s, %v", m, b, err)
		}
		var back Month
		if err := json.Unmarshal(b, &back); err != nil || back != m {
			t.Fatalf("JSON round trip of %v gave %v, %v", m, back, err)
		}
		if m.FirstDay().Month() != m || m.LastDay().Month() != m || m.FirstDay().String() != s+"-01" {
			t.Fatalf("%v: first day %v, last day %v", m, m.FirstDay(), m.LastDay())
		}
	})
}
