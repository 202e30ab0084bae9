package municipality

import (
	"testing"

	"github.com/bistand/bistand"
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
