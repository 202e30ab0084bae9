package bistand_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/bistand/bistand"
)

type Money = bistand.Money

func TestKronor(t *testing.T) {
	for _, tc := range []struct {
		k    int64
		want Money
	}{{0, 0}, {1, 100}, {72, 7200}, {-3, -300}} {
		if got := bistand.Kronor(tc.k); got != tc.want {
			t.Errorf("Kronor(%d) = %d, want %d", tc.k, got, tc.want)
		}
	}
}

func TestParseKronor(t *testing.T) {
	tests := []struct {
		in   string
		want Money
		err  error
	}{
		// Valid.
		{"0", 0, nil},
		{"7200", 720000, nil},
		{"12.5", 1250, nil},
		{"12.50", 1250, nil},
		{"12.05", 1205, nil},
		{"0.05", 5, nil},
		{"0.5", 50, nil},
		{"0.00", 0, nil},
		{"1.00", 100, nil},
		{"-3", -300, nil},
		{"-12.5", -1250, nil},
		{"-0.05", -5, nil},
		{"-0", 0, nil},
		{"10", 1000, nil},
		{"1234.56", 123456, nil},
		{"10000000000000", bistand.MaxMoney, nil},
		{"10000000000000.00", bistand.MaxMoney, nil},
		{"-10000000000000", -bistand.MaxMoney, nil},
		{"9999999999999.99", bistand.MaxMoney - 1, nil},

		// Syntax errors.
		{"1.234", 0, bistand.ErrMoneySyntax},
		{"1.000", 0, bistand.ErrMoneySyntax},
		{"1e3", 0, bistand.ErrMoneySyntax},
		{"1E3", 0, bistand.ErrMoneySyntax},
		{"+1", 0, bistand.ErrMoneySyntax},
		{"01", 0, bistand.ErrMoneySyntax},
		{"00", 0, bistand.ErrMoneySyntax},
		{"00.5", 0, bistand.ErrMoneySyntax},
		{"-01", 0, bistand.ErrMoneySyntax},
		{" 1", 0, bistand.ErrMoneySyntax},
		{"1 ", 0, bistand.ErrMoneySyntax},
		{"1\n", 0, bistand.ErrMoneySyntax},
		{"", 0, bistand.ErrMoneySyntax},
		{"1.", 0, bistand.ErrMoneySyntax},
		{".5", 0, bistand.ErrMoneySyntax},
		{"-.5", 0, bistand.ErrMoneySyntax},
		{"-", 0, bistand.ErrMoneySyntax},
		{"--1", 0, bistand.ErrMoneySyntax},
		{"- 1", 0, bistand.ErrMoneySyntax},
		{"1,5", 0, bistand.ErrMoneySyntax},
		{"1 000", 0, bistand.ErrMoneySyntax},
		{"1_000", 0, bistand.ErrMoneySyntax},
		{"1.5.", 0, bistand.ErrMoneySyntax},
		{"1..5", 0, bistand.ErrMoneySyntax},
		{"1.-5", 0, bistand.ErrMoneySyntax},
		{"0x10", 0, bistand.ErrMoneySyntax},
		{"NaN", 0, bistand.ErrMoneySyntax},
		{"Inf", 0, bistand.ErrMoneySyntax},
		{"12 kr", 0, bistand.ErrMoneySyntax},
		{"−1", 0, bistand.ErrMoneySyntax}, // U+2212 is for display only
		{"١", 0, bistand.ErrMoneySyntax},  // Arabic-Indic digit one
		{"\"1\"", 0, bistand.ErrMoneySyntax},

		// Range errors.
		{"10000000000000.01", 0, bistand.ErrMoneyRange},
		{"-10000000000000.01", 0, bistand.ErrMoneyRange},
		{"10000000000001", 0, bistand.ErrMoneyRange},
		{"99999999999999", 0, bistand.ErrMoneyRange},
		{"9223372036854775807", 0, bistand.ErrMoneyRange},
		{"92233720368547758.08", 0, bistand.ErrMoneyRange},
		{"-92233720368547758.08", 0, bistand.ErrMoneyRange},
		{"99999999999999999999999999999999", 0, bistand.ErrMoneyRange},
	}
	for _, tc := range tests {
		got, err := bistand.ParseKronor(tc.in)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("ParseKronor(%q) = %d, %v; want error %v", tc.in, got, err, tc.err)
			}
			if got != 0 {
				t.Errorf("ParseKronor(%q) returned %d with an error, want 0", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseKronor(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestMoneyDecimal(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{0, "0"},
		{1, "0.01"},
		{5, "0.05"},
		{10, "0.10"},
		{99, "0.99"},
		{100, "1"},
		{101, "1.01"},
		{1250, "12.50"},
		{720000, "7200"},
		{123456, "1234.56"},
		{-1, "-0.01"},
		{-5, "-0.05"},
		{-300, "-3"},
		{-1250, "-12.50"},
		{bistand.MaxMoney, "10000000000000"},
		{-bistand.MaxMoney, "-10000000000000"},
		{math.MaxInt64, "92233720368547758.07"},
		{math.MinInt64, "-92233720368547758.08"},
	}
	for _, tc := range tests {
		if got := tc.m.Decimal(); got != tc.want {
			t.Errorf("Money(%d).Decimal() = %q, want %q", int64(tc.m), got, tc.want)
		}
		if got := string(tc.m.AppendDecimal([]byte("x="))); got != "x="+tc.want {
			t.Errorf("Money(%d).AppendDecimal(\"x=\") = %q, want %q", int64(tc.m), got, "x="+tc.want)
		}
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{0, "0 kr"},
		{5, "0,05 kr"},
		{50, "0,50 kr"},
		{100, "1 kr"},
		{99900, "999 kr"},
		{100000, "1 000 kr"},
		{123450, "1 234,50 kr"},
		{720000, "7 200 kr"},
		{1234567, "12 345,67 kr"},
		{12345600, "123 456 kr"},
		{100000000, "1 000 000 kr"},
		{-5, "\u22120,05 kr"},
		{-1200, "\u221212 kr"},
		{-123450, "\u22121 234,50 kr"},
		{-100000000, "\u22121 000 000 kr"},
		{bistand.MaxMoney, "10 000 000 000 000 kr"},
		{math.MinInt64, "\u221292 233 720 368 547 758,08 kr"},
	}
	for _, tc := range tests {
		got := tc.m.String()
		if got != tc.want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(tc.m), got, tc.want)
		}
		if strings.Contains(got, "-") {
			t.Errorf("Money(%d).String() = %q uses an ASCII hyphen", int64(tc.m), got)
		}
		if (tc.m < 0) != strings.HasPrefix(got, "−") {
			t.Errorf("Money(%d).String() = %q: sign does not match", int64(tc.m), got)
		}
		wantAppend := "[" + strings.TrimSuffix(tc.want, " kr")
		if got := string(tc.m.AppendSwedish([]byte("["))); got != wantAppend {
			t.Errorf("Money(%d).AppendSwedish(\"[\") = %q, want %q", int64(tc.m), got, wantAppend)
		}
	}
}

// swedishToDecimal undoes the Swedish notation so String can be checked
// against Decimal for arbitrary amounts.
var swedishToDecimal = strings.NewReplacer(" ", "", ",", ".", "−", "-")

func TestMoneyStringMatchesDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		m := Money(r.Int64N(2*int64(bistand.MaxMoney)+1) - int64(bistand.MaxMoney))
		if i%2 == 0 {
			m /= Money(r.Int64N(1_000_000_000) + 1) // favour short amounts too
		}
		s := m.String()
		if !strings.HasSuffix(s, " kr") {
			t.Fatalf("Money(%d).String() = %q lacks the unit", int64(m), s)
		}
		if got := swedishToDecimal.Replace(strings.TrimSuffix(s, " kr")); got != m.Decimal() {
			t.Fatalf("Money(%d).String() = %q does not match Decimal %q", int64(m), s, m.Decimal())
		}
		// Groups of exactly three digits after the first.
		whole, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSuffix(s, " kr"), "−"), ",")
		groups := strings.Split(whole, " ")
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			t.Fatalf("Money(%d).String() = %q: bad leading group", int64(m), s)
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				t.Fatalf("Money(%d).String() = %q: bad digit group %q", int64(m), s, g)
			}
		}
	}
}

type amountDoc struct {
	A Money `json:"a"`
}

func TestMoneyJSON(t *testing.T) {
	for _, tc := range []struct {
		m    Money
		want string
	}{
		{0, `{"a":0}`},
		{5, `{"a":0.05}`},
		{1250, `{"a":12.50}`},
		{720000, `{"a":7200}`},
		{-1250, `{"a":-12.50}`},
		{-bistand.MaxMoney, `{"a":-10000000000000}`},
	} {
		b, err := json.Marshal(amountDoc{tc.m})
		if err != nil || string(b) != tc.want {
			t.Errorf("json.Marshal(%d) = %s, %v; want %s", int64(tc.m), b, err, tc.want)
			continue
		}
		var back amountDoc
		if err := json.Unmarshal(b, &back); err != nil || back.A != tc.m {
			t.Errorf("json.Unmarshal(%s) = %d, %v; want %d", b, int64(back.A), err, int64(tc.m))
		}
	}

	for _, tc := range []struct {
		in   string
		want Money
	}{
		{`{"a":12.5}`, 1250},
		{`{"a": 7 }`, 700},
		{`{"a":-0.05}`, -5},
		{`{"a":-0}`, 0},
	} {
		var got amountDoc
		if err := json.Unmarshal([]byte(tc.in), &got); err != nil || got.A != tc.want {
			t.Errorf("json.Unmarshal(%s) = %d, %v; want %d", tc.in, int64(got.A), err, int64(tc.want))
		}
	}

	// Rejected: amounts that would need rounding, exponents, strings, null,
	// and amounts out of range. The target must be left untouched.
	for _, in := range []string{
		`{"a":12.345}`,
		`{"a":1e3}`,
		`{"a":1.5E2}`,
		`{"a":"12"}`,
		`{"a":null}`,
		`{"a":true}`,
		`{"a":10000000000000.01}`,
		`{"a":-99999999999999999999}`,
	} {
		got := amountDoc{A: 4242}
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Errorf("json.Unmarshal(%s) succeeded with %d, want error", in, int64(got.A))
		}
		if got.A != 4242 {
			t.Errorf("json.Unmarshal(%s) changed the target to %d on error", in, int64(got.A))
		}
	}
}

func TestMulDiv(t *testing.T) {
	const max = bistand.MaxMoney
	tests := []struct {
		m        Money
		num, den int64
		up, down Money
	}{
		{0, 5, 7, 0, 0},
		{0, -5, 7, 0, 0},
		{99, 1, 1, 99, 99},
		{100, 0, 3, 0, 0},
		{300, 1, 3, 100, 100},
		{-300, 1, 3, -100, -100},
		{100, 1, 3, 34, 33},
		{-100, 1, 3, -33, -34},
		{100, -1, 3, -33, -34},
		{-100, -1, 3, 34, 33},
		{200, 1, 3, 67, 66},
		{-200, 1, 3, -66, -67},
		{1, 1, 2, 1, 0},
		{-1, 1, 2, 0, -1},
		{1, 1, 100, 1, 0},
		{-1, 1, 100, 0, -1},
		{720000, 30, 100, 216000, 216000},
		{12345, 25, 100, 3087, 3086},
		{-12345, 25, 100, -3086, -3087},
		{12345, 3, 2, 18518, 18517},
		{-12345, 3, 2, -18517, -18518},
		{2999900, 31, 365, 254787, 254786}, // 254786.03
		// Large amounts with factors below 2^20, as documented.
		{max, 1 << 19, 1 << 19, max, max},
		{max, 1<<20 - 1, 1<<20 - 1, max, max},
		{-max, 1<<20 - 1, 1<<20 - 1, -max, -max},
		{max, 999_999, 1_000_000, 999_999_000_000_000, 999_999_000_000_000},
		{-max, 999_999, 1_000_000, -999_999_000_000_000, -999_999_000_000_000},
		{max - 1, 1<<20 - 1, 1 << 20, 999_999_046_325_683, 999_999_046_325_682},
		{-(max - 1), 1<<20 - 1, 1 << 20, -999_999_046_325_682, -999_999_046_325_683},
	}
	for _, tc := range tests {
		if got := tc.m.MulDivUp(tc.num, tc.den); got != tc.up {
			t.Errorf("Money(%d).MulDivUp(%d, %d) = %d, want %d", int64(tc.m), tc.num, tc.den, int64(got), int64(tc.up))
		}
		if got := tc.m.MulDivDown(tc.num, tc.den); got != tc.down {
			t.Errorf("Money(%d).MulDivDown(%d, %d) = %d, want %d", int64(tc.m), tc.num, tc.den, int64(got), int64(tc.down))
		}
	}
}

// refMulDiv computes floor and ceiling of m×num/den exactly.
func refMulDiv(m Money, num, den int64) (up, down *big.Int) {
	p := new(big.Int).Mul(big.NewInt(int64(m)), big.NewInt(num))
	d := big.NewInt(den)
	down = new(big.Int).Div(p, d) // Euclidean; equals floor for den > 0
	up = new(big.Int).Neg(new(big.Int).Div(new(big.Int).Neg(p), d))
	return up, down
}

func checkMulDiv(t *testing.T, m Money, num, den int64) {
	t.Helper()
	up, down := refMulDiv(m, num, den)
	if !up.IsInt64() || !down.IsInt64() {
		// No Money can hold the result: it must not come back wrapped.
		for name, f := range map[string]func(int64, int64) Money{"MulDivUp": m.MulDivUp, "MulDivDown": m.MulDivDown} {
			func() {
				defer func() { recover() }()
				got := f(num, den)
				t.Fatalf("Money(%d).%s(%d, %d) = %d, want a panic (exact result %s does not fit)", int64(m), name, num, den, int64(got), down)
			}()
		}
		return
	}
	if got := m.MulDivUp(num, den); !up.IsInt64() || int64(got) != up.Int64() {
		t.Fatalf("Money(%d).MulDivUp(%d, %d) = %d, want %s", int64(m), num, den, int64(got), up)
	}
	if got := m.MulDivDown(num, den); !down.IsInt64() || int64(got) != down.Int64() {
		t.Fatalf("Money(%d).MulDivDown(%d, %d) = %d, want %s", int64(m), num, den, int64(got), down)
	}
}

func TestMulDivAgainstBig(t *testing.T) {
	for m := Money(-60); m <= 60; m++ {
		for num := int64(-12); num <= 12; num++ {
			for den := int64(1); den <= 12; den++ {
				checkMulDiv(t, m, num, den)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 50000; i++ {
		m := Money(r.Int64N(2*int64(bistand.MaxMoney)+1) - int64(bistand.MaxMoney))
		num := r.Int64N(1<<21) - 1<<20 + 1 // |num| < 2^20
		den := r.Int64N(1<<20-1) + 1       // 0 < den < 2^20
		if i%2 == 0 && (num > den || -num > den) {
			num %= den // keep the result within int64 half the time
		}
		checkMulDiv(t, m, num, den)
	}
}

func TestMulDivPanicsOnBadDenominator(t *testing.T) {
	for _, den := range []int64{0, -1, math.MinInt64} {
		for name, f := range map[string]func(int64, int64) Money{
			"MulDivUp":   Money(100).MulDivUp,
			"MulDivDown": Money(100).MulDivDown,
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s(1, %d) did not panic", name, den)
					}
				}()
				f(1, den)
			}()
		}
	}
}

// kronorSyntax is the grammar ParseKronor documents, written independently.
var kronorSyntax = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]{1,2})?$`)

func FuzzParseKronor(f *testing.F) {
	for _, s := range []string{
		"0", "7200", "12.5", "12.50", "0.05", "-3", "-0", "-0.05", "1.00",
		"1.234", "1e3", "+1", "01", " 1", "", "1.", ".5", "-",
		"10000000000000", "10000000000000.01", "-10000000000000",
		"9223372036854775807", "99999999999999999999", "−1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := bistand.ParseKronor(s)

		// Independent oracle: the documented grammar, the exact value via
		// big.Rat, and the documented range.
		if !kronorSyntax.MatchString(s) {
			if err == nil {
				t.Fatalf("ParseKronor(%q) = %d, want an error", s, int64(m))
			}
			if !errors.Is(err, bistand.ErrMoneySyntax) && !errors.Is(err, bistand.ErrMoneyRange) {
				t.Fatalf("ParseKronor(%q): unexpected error %v", s, err)
			}
			return
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("big.Rat rejected %q", s)
		}
		r.Mul(r, big.NewRat(100, 1))
		if !r.IsInt() {
			t.Fatalf("%q × 100 is not whole", s)
		}
		want := r.Num()
		if new(big.Int).Abs(want).Cmp(big.NewInt(int64(bistand.MaxMoney))) > 0 {
			if !errors.Is(err, bistand.ErrMoneyRange) {
				t.Fatalf("ParseKronor(%q) = %d, %v; want ErrMoneyRange", s, int64(m), err)
			}
			return
		}
		if err != nil || int64(m) != want.Int64() {
			t.Fatalf("ParseKronor(%q) = %d, %v; want %s", s, int64(m), err, want)
		}

		// Decimal re-parses to the same value, and is the input itself when
		// the input is canonical: no "-0", no ".00", no one-digit fraction.
		dec := m.Decimal()
		back, err := bistand.ParseKronor(dec)
		if err != nil || back != m {
			t.Fatalf("ParseKronor(%q).Decimal() = %q re-parses to %d, %v", s, dec, int64(back), err)
		}
		_, frac, hasFrac := strings.Cut(s, ".")
		canonical := !(m == 0 && strings.HasPrefix(s, "-")) &&
			(!hasFrac || (len(frac) == 2 && frac != "00"))
		if canonical != (dec == s) {
			t.Fatalf("ParseKronor(%q).Decimal() = %q (canonical input: %v)", s, dec, canonical)
		}

		// The Swedish form carries the same number.
		if got := swedishToDecimal.Replace(strings.TrimSuffix(m.String(), " kr")); got != dec {
			t.Fatalf("Money(%d).String() = %q does not match Decimal %q", int64(m), m.String(), dec)
		}

		// JSON round trip.
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("json.Marshal(%d): %v", int64(m), err)
		}
		var j Money
		if err := json.Unmarshal(b, &j); err != nil || j != m {
			t.Fatalf("JSON round trip of %d via %s gave %d, %v", int64(m), b, int64(j), err)
		}
	})
}

func FuzzMulDiv(f *testing.F) {
	f.Add(int64(100), int64(1), int64(3))
	f.Add(int64(-100), int64(1), int64(3))
	f.Add(int64(bistand.MaxMoney), int64(1<<20-1), int64(1<<20-1))
	f.Add(int64(-12345), int64(-25), int64(100))
	f.Fuzz(func(t *testing.T, m, num, den int64) {
		// Stay inside the documented domain: |m| <= MaxMoney, factors
		// below 2^20 and a positive denominator.
		m %= int64(bistand.MaxMoney) + 1
		num %= 1 << 20
		den %= 1 << 20
		if den < 0 {
			den = -den
		}
		if den == 0 {
			den = 1
		}
		checkMulDiv(t, Money(m), num, den)
	})
}
