package municipality

import (
	"io"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/payment"
)

func TestDemoLoads(t *testing.T) {
	in, err := Get("demo")
	if err != nil {
		t.Fatal(err)
	}
	if in.Board == "" || in.Payments.Bankgiro == "" || len(in.Payments.Days) == 0 {
		t.Errorf("incomplete: %+v", in)
	}
	if _, err := Get("nowhere"); err == nil {
		t.Error("an unknown municipality was found")
	}
}

func TestNextPayDate(t *testing.T) {
	p := Payments{Days: []int{5, 15, 25}, LeadDays: 1}
	for _, c := range []struct{ decided, want string }{
		{"2026-11-02", "2026-11-05"}, // Monday; file Tuesday or Wednesday, paid Thursday the 5th
		{"2026-11-03", "2026-11-05"}, // Tuesday; file Wednesday, paid Thursday
		{"2026-11-04", "2026-11-16"}, // too late for the 5th; the 15th is a Sunday → Monday 16th
		{"2026-11-20", "2026-11-25"}, // Friday; file Monday/Tuesday, paid Wednesday 25th
		{"2026-11-23", "2026-11-25"},
		{"2026-11-24", "2026-12-07"}, // too late for the 25th; 5 December is a Saturday → Monday 7th
		{"2026-12-31", "2027-01-05"},
	} {
		d, _ := bistand.ParseDate(c.decided)
		if got := p.NextPayDate(d).String(); got != c.want {
			t.Errorf("decided %s: pay %s, want %s", c.decided, got, c.want)
		}
	}
}

func TestCheckRefuses(t *testing.T) {
	good, err := Get("demo")
	if err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*Info){
		"no days":       func(in *Info) { in.Payments.Days = nil },
		"unsorted":      func(in *Info) { in.Payments.Days = []int{25, 5} },
		"repeated":      func(in *Info) { in.Payments.Days = []int{5, 5} },
		"day 31":        func(in *Info) { in.Payments.Days = []int{31} },
		"org number":    func(in *Info) { in.Payments.OrgNumber = "21200-9994" },
		"no board":      func(in *Info) { in.Board = "" },
		"lead too long": func(in *Info) { in.Payments.LeadDays = 30 },
	} {
		in := good
		in.Payments.Days = append([]int(nil), good.Payments.Days...)
		mutate(&in)
		if in.check() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestPaymentDataValid: every municipality's debtor data is what a payment
// file accepts (the bankgiro's check digit, the organisation number, the
// BIC): otherwise its first payment file would fail.
func TestPaymentDataValid(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for id, in := range all {
		acc, err := payment.ParseBankgiro(in.Payments.Bankgiro)
		if err != nil {
			t.Errorf("%s: bankgiro: %v", id, err)
			continue
		}
		d := payment.Debtor{Name: in.Payments.DebtorName, OrgNumber: in.Payments.OrgNumber, Account: acc, BIC: in.Payments.BIC}
		o := payment.Order{ID: "t1", Amount: 100, PayeeName: "Test", Payee: payment.SyntheticBankgiro(1), ExecutionDate: bistand.MustDate(2026, 12, 7)}
		if err := payment.WritePain001(io.Discard, "T1", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), d, []payment.Order{o}); err != nil {
			t.Errorf("%s: a payment file refuses the debtor: %v", id, err)
		}
	}
}
