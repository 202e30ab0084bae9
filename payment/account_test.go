package payment

import (
	"errors"
	"strings"
	"testing"
)

// Every number in these tables is SYNTHETIC: made up here with a valid (or,
// for the refusals, deliberately wrong) check digit by the helpers in
// helpers_test.go or SyntheticBankgiro. The one exception is marked.

func TestParseBankgiro(t *testing.T) {
	seven := SyntheticBankgiro(12_345).Identifier()  // 7 digits
	eight := SyntheticBankgiro(901_234).Identifier() // 8 digits
	wrong := seven[:6] + string('0'+(seven[6]-'0'+1)%10)
	valid := []struct{ in, digits, display string }{
		{seven, seven, seven[:3] + "-" + seven[3:]},
		{seven[:3] + "-" + seven[3:], seven, seven[:3] + "-" + seven[3:]},
		{" " + seven[:3] + " " + seven[3:] + " ", seven, seven[:3] + "-" + seven[3:]},
		{eight, eight, eight[:4] + "-" + eight[4:]},
		{eight[:4] + "-" + eight[4:], eight, eight[:4] + "-" + eight[4:]},
		// Not synthetic: Bankgirot's own bankgiro number, printed on its
		// manual "Bankernas kontonummer" (2017-03-07). It checks our mod-10
		// against a number Bankgirot published.
		{"160-9908", "1609908", "160-9908"},
	}
	for _, c := range valid {
		a, err := ParseBankgiro(c.in)
		if err != nil {
			t.Errorf("ParseBankgiro(%q): %v", c.in, err)
			continue
		}
		if a.Kind() != KindBankgiro || a.Identifier() != c.digits || a.String() != c.display {
			t.Errorf("ParseBankgiro(%q) = %v %q %q", c.in, a.Kind(), a.Identifier(), a.String())
		}
		if b, _ := ParseBankgiro(a.String()); b != a {
			t.Errorf("%q does not round-trip through String", c.in)
		}
	}
	invalid := []string{
		"", " - ", wrong, seven[:6], eight + "1", "0" + seven, "123456789",
		seven[:3] + "." + seven[3:], seven[:3] + "/" + seven[3:], "12a4567", "١٢٣٤٥٦٧", strings.Repeat("1", 100),
		"0000000",
	}
	for _, in := range invalid {
		if a, err := ParseBankgiro(in); err == nil {
			t.Errorf("ParseBankgiro(%q) = %v, want an error", in, a)
		} else if !errors.Is(err, ErrInvalidAccount) {
			t.Errorf("ParseBankgiro(%q): %v does not wrap ErrInvalidAccount", in, err)
		}
	}
}

func TestSyntheticBankgiro(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range []uint64{0, 1, 2, 899_999, 900_000, 9_899_999, 9_900_000, 1 << 63} {
		a := SyntheticBankgiro(n)
		if _, err := ParseBankgiro(a.String()); err != nil {
			t.Errorf("SyntheticBankgiro(%d) = %v: %v", n, a, err)
		}
		seen[a.Identifier()] = true
	}
	if len(SyntheticBankgiro(899_999).Identifier()) != 7 || len(SyntheticBankgiro(900_000).Identifier()) != 8 {
		t.Error("the switch from 7 to 8 digits is not at 900 000")
	}
	if SyntheticBankgiro(0) != SyntheticBankgiro(9_900_000) {
		t.Error("SyntheticBankgiro does not wrap at 9 900 000")
	}
	if len(seen) != 7 { // 0 and 9 900 000 coincide
		t.Errorf("%d distinct numbers, want 7", len(seen))
	}
}

func TestParseBankAccount(t *testing.T) {
	type tc struct {
		clearing, number string
		bank             string
		bban             string // "" = clearing + number as given
	}
	acc := syntheticAccount
	hb := acc("6000", 31_337)      // Handelsbanken, 9 digits
	sw := acc("8327", 55_555)      // Swedbank 8xxx, 10 digits
	pk := acc("3300", 990_000_000) // Nordea personkonto: starts 99, so no date, no personnummer
	pg := acc("9960", 123)         // Plusgirot's bank account, padded
	valid := []tc{
		{"5000", acc("5000", 1), "SEB", ""},          // type 1 comment 1
		{"5999", acc("5999", 424_242), "SEB", ""},    // type 1 comment 1, other end
		{"7000", acc("7000", 2), "Swedbank", ""},     // type 1 comment 1
		{"1100", acc("1100", 3), "Nordea", ""},       // type 1 comment 1
		{"3301", acc("3301", 4), "Nordea", ""},       // next to personkonto
		{"4000", acc("4000", 5), "Nordea", ""},       // type 1 comment 2
		{"9550", acc("9550", 6), "Avanza Bank", ""},  // type 1 comment 2
		{"2300", acc("2300", 7), "Ålandsbanken", ""}, // type 1 comment 2
		{"6000", hb, "Handelsbanken", ""},            // type 2 comment 2
		{"6000", strings.TrimLeft(hb, "0"), "Handelsbanken", "6000" + hb},
		{"8327-9", sw, "Swedbank", "8327" + sw}, // five-digit clearing
		{"83279", sw, "Swedbank", "8327" + sw},  // five digits without dash
		{"8327", sw, "Swedbank", ""},            // four digits
		{"8327-9", sw[:3] + " " + sw[3:6] + " " + sw[6:9] + "-" + sw[9:], "Swedbank", "8327" + sw},
		{"3300", pk, "Nordea (personkonto)", ""}, // type 2 comment 1
		{"9960", strings.TrimLeft(pg, "0"), "Nordea (Plusgirot)", "9960" + pg},
		{"9180", acc("9180", 8), "Danske Bank", ""}, // type 2 comment 1
		{"9300", acc("9300", 9), "Swedbank", ""},    // type 2 comment 1
	}
	for _, c := range valid {
		a, err := ParseBankAccount(c.clearing, c.number)
		if err != nil {
			t.Errorf("ParseBankAccount(%q, %q): %v", c.clearing, c.number, err)
			continue
		}
		want := c.bban
		if want == "" {
			want = c.clearing + c.number
		}
		if a.Kind() != KindBankAccount || a.Identifier() != want || a.Bank() != c.bank || a.Clearing() != want[:4] {
			t.Errorf("ParseBankAccount(%q, %q) = %q at %q, want %q at %q", c.clearing, c.number, a.Identifier(), a.Bank(), want, c.bank)
		}
		if b, err := ParseBankAccount(a.Clearing(), a.Number()); err != nil || b.Identifier() != a.Identifier() {
			t.Errorf("%v does not round-trip: %v", a, err)
		}
	}
	wrongCheck := func(n string) string {
		last := n[len(n)-1]
		return n[:len(n)-1] + string('0'+(last-'0'+1)%10)
	}
	invalid := []struct{ clearing, number, why string }{
		{"5000", wrongCheck(acc("5000", 1)), "check digit"},
		{"4000", wrongCheck(acc("4000", 5)), "check digit (comment 2)"},
		{"6000", wrongCheck(hb), "check digit (Handelsbanken)"},
		{"8327", wrongCheck(sw), "check digit (Swedbank 8xxx)"},
		{"5000", acc("5000", 1)[:6], "too short for type 1"},
		{"5000", acc("5000", 1) + "0", "too long for type 1"},
		{"6000", "1" + hb, "too long for Handelsbanken"},
		{"8327", "1" + sw, "too long for Swedbank 8xxx"},
		{"8327", "1234", "too short for type 2"},
		{"0999", acc("5000", 1), "clearing number of no bank"},
		{"9999", acc("5000", 1), "clearing number of no bank"},
		{"2200", acc("5000", 1), "clearing number of no bank"},
		{"50001", acc("5000", 1), "five digits outside Swedbank"},
		{"500", acc("5000", 1), "short clearing number"},
		{"832790", sw, "long clearing number"},
		{"5000", "", "empty account number"},
		{"", acc("5000", 1), "empty clearing number"},
		{"5000", "00000000", "all zeros"},
		{"8327", "0000000000", "all zeros"},
		{"5000", "12x4567", "letter"},
		{"50O0", acc("5000", 1), "letter O in clearing"},
		{"5000", strings.Repeat("1", 70), "too long input"},
	}
	for _, c := range invalid {
		if a, err := ParseBankAccount(c.clearing, c.number); err == nil {
			t.Errorf("%s: ParseBankAccount(%q, %q) = %v, want an error", c.why, c.clearing, c.number, a)
		} else if !errors.Is(err, ErrInvalidAccount) || strings.Contains(err.Error(), c.number) && c.number != "" {
			t.Errorf("%s: error %q does not wrap ErrInvalidAccount or repeats the input", c.why, err)
		}
	}
}

// TestKnownCheckDigits pins the check-digit arithmetic to examples worked
// out by hand from the rules as Bankgirot prints them (S6 in
// docs/payments.md), so that a mistake shared by the parser and the test
// helpers cannot hide. The numbers are synthetic.
func TestKnownCheckDigits(t *testing.T) {
	valid := []struct{ clearing, number, why string }{
		// 9 5 5 0 1 2 3 4 5 6 · weights 1 10 9 8 7 6 5 4 3 2 → 181; 181+6 = 187 = 17·11.
		{"9550", "1234566", "type 1 comment 2 (all eleven digits)"},
		// 0 0 0 1 2 3 4 5 6 · weights 10 9 … 2 → 77 = 7·11, check digit 0.
		{"5000", "1234560", "type 1 comment 1 (last three of the clearing number)"},
		// 1 2 3 1 2 3 4 5 6 · weights 10 9 … 2 → 129; 129+3 = 132 = 12·11.
		{"7123", "1234563", "type 1 comment 1"},
		// 1 2 3 4 5 6 7 8 · weights 9 … 2 → 156; 156+9 = 165 = 15·11.
		{"6000", "123456789", "type 2 comment 2 (Handelsbanken)"},
		// Luhn of 123456789 → 43, check digit 7.
		{"8327-9", "1234567897", "type 2 comment 3 (Swedbank)"},
	}
	for _, c := range valid {
		if _, err := ParseBankAccount(c.clearing, c.number); err != nil {
			t.Errorf("%s: %s %s refused: %v", c.why, c.clearing, c.number, err)
		}
		for d := byte('0'); d <= '9'; d++ {
			other := c.number[:len(c.number)-1] + string(d)
			if other == c.number {
				continue
			}
			if _, err := ParseBankAccount(c.clearing, other); err == nil {
				t.Errorf("%s: %s %s accepted with the wrong check digit", c.why, c.clearing, other)
			}
		}
	}
}

func TestParseIBAN(t *testing.T) {
	iban := syntheticIBAN("99912345678901234567")
	a, err := ParseIBAN(strings.ToLower(iban[:4]) + " " + iban[4:8] + " " + iban[8:])
	if err != nil || a.Identifier() != iban || a.Kind() != KindIBAN {
		t.Fatalf("ParseIBAN: %v %v", a, err)
	}
	if a.String() != iban[:4]+" "+iban[4:8]+" "+iban[8:12]+" "+iban[12:16]+" "+iban[16:20]+" "+iban[20:] {
		t.Errorf("String() = %q", a.String())
	}
	wrong := iban[:23] + string('0'+(iban[23]-'0'+1)%10)
	for _, in := range []string{"", wrong, iban[:23], iban + "1", "DE" + iban[2:], "SE" + iban[2:10] + "A" + iban[11:], iban[:6] + "-" + iban[6:]} {
		if _, err := ParseIBAN(in); !errors.Is(err, ErrInvalidAccount) {
			t.Errorf("ParseIBAN(%q) = %v, want ErrInvalidAccount", in, err)
		}
	}
}

func TestZeroAccount(t *testing.T) {
	var a Account
	if !a.IsZero() || a.String() != "" || a.Kind().String() != "no account" {
		t.Fatal("zero Account")
	}
}

// TestClearingTable: the series are in order and do not overlap, every
// bank has a type and comment the parser knows, and every clearing number of
// every series takes a synthetic account.
func TestClearingTable(t *testing.T) {
	for i, r := range clearingTable {
		if r.from > r.to || r.from < 1000 || r.to > 9999 {
			t.Errorf("bad series %d–%d", r.from, r.to)
		}
		if i > 0 && clearingTable[i-1].to >= r.from {
			t.Errorf("%d–%d overlaps %d–%d", clearingTable[i-1].from, clearingTable[i-1].to, r.from, r.to)
		}
		if !(r.kind == 1 && (r.comment == 1 || r.comment == 2)) && !(r.kind == 2 && r.comment >= 1 && r.comment <= 3) {
			t.Errorf("%s: type %d comment %d", r.bank, r.kind, r.comment)
		}
		for c := r.from; c <= r.to; c++ {
			cs := itoa4(c)
			if _, err := ParseBankAccount(cs, syntheticAccount(cs, uint64(c))); err != nil {
				t.Fatalf("%s %s: %v", r.bank, cs, err)
			}
		}
	}
	if _, ok := lookupClearing(3300); !ok {
		t.Error("3300 missing")
	}
	if r, _ := lookupClearing(3300); r.kind != 2 {
		t.Error("3300 is not the personkonto")
	}
}

func itoa4(c int) string {
	return string([]byte{byte('0' + c/1000), byte('0' + c/100%10), byte('0' + c/10%10), byte('0' + c%10)})
}
