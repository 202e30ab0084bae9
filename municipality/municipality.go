// Package municipality holds what bistand needs to know about the
// municipalities that use it besides their rules: the board that decides,
// how to reach the unit, and how it pays (its bankgiro and payment days).
// It is organisational data, not rules, so it is kept apart from the rule
// data and its version: changing a phone number changes no decision.
package municipality

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/bistand/bistand"
)

//go:embed data/*.json
var files embed.FS

// Info is one municipality.
type Info struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`  // "Demoköpings kommun"
	Board    string   `json:"board"` // the social welfare board that decides
	About    string   `json:"about"`
	Contact  Contact  `json:"contact"`
	Payments Payments `json:"payments"`
}

// Contact is how an applicant reaches the unit that handles the case.
type Contact struct {
	Unit          string   `json:"unit"`
	Phone         string   `json:"phone"`
	Email         string   `json:"email"`
	PostalAddress []string `json:"postal_address"`
	Web           string   `json:"web"`
}

// Payments is how the municipality pays: the debtor of its payment files
// and the days of the month it pays on.
type Payments struct {
	DebtorName string `json:"debtor_name"`
	OrgNumber  string `json:"org_number"` // ten digits
	Bankgiro   string `json:"bankgiro"`   // the municipality's own bankgiro, paid from
	BIC        string `json:"bic"`        // the debtor's bank
	// Days are the days of the month on which payments are made (1–28),
	// ascending.
	Days []int `json:"days"`
	// LeadDays is how many weekdays before a payment day its file must
	// reach the bank.
	LeadDays int `json:"lead_days"`
}

// All returns every municipality, by id.
func All() (map[string]Info, error) {
	out := map[string]Info{}
	err := fs.WalkDir(files, "data", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		var in Info
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if want := strings.TrimSuffix(d.Name(), ".json"); in.ID != want {
			return fmt.Errorf("%s: id %q, want %q", path, in.ID, want)
		}
		if err := in.check(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		out[in.ID] = in
		return nil
	})
	return out, err
}

// Get returns one municipality.
func Get(id string) (Info, error) {
	all, err := All()
	if err != nil {
		return Info{}, err
	}
	in, ok := all[id]
	if !ok {
		return Info{}, fmt.Errorf("%w: no municipality %q", bistand.ErrNotFound, id)
	}
	return in, nil
}

func (in Info) check() error {
	switch {
	case in.Name == "" || in.Board == "":
		return fmt.Errorf("name and board are required")
	case len(in.Payments.Days) == 0:
		return fmt.Errorf("payments: no payment days")
	case !slices.IsSorted(in.Payments.Days) || len(slices.Compact(slices.Clone(in.Payments.Days))) != len(in.Payments.Days):
		return fmt.Errorf("payments: days must be ascending and distinct")
	case in.Payments.Days[0] < 1 || in.Payments.Days[len(in.Payments.Days)-1] > 28:
		return fmt.Errorf("payments: days must be 1–28, so that every month has them")
	case in.Payments.LeadDays < 0 || in.Payments.LeadDays > 10:
		return fmt.Errorf("payments: lead_days %d out of 0–10", in.Payments.LeadDays)
	case len(in.Payments.OrgNumber) != 10 || strings.Trim(in.Payments.OrgNumber, "0123456789") != "":
		return fmt.Errorf("payments: org_number must be ten digits")
	}
	return nil
}

// NextPayDate returns the first payment day on which a payment decided on
// the given day can be made: a payment day (moved forward to a weekday when
// it falls on a weekend) whose file can still reach the bank LeadDays
// weekdays before it, counted from the day after the decision. Swedish
// public holidays are not known here and count as weekdays.
func (p Payments) NextPayDate(decided bistand.Date) bistand.Date {
	earliest := addWeekdays(decided, p.LeadDays+1)
	first := decided.Month()
	for i := 0; i < 3; i++ {
		mo := first.Add(i)
		for _, day := range p.Days {
			pay, err := bistand.NewDate(mo.Year(), mo.MonthOfYear(), day)
			if err != nil {
				continue // not reached: days are 1–28
			}
			d := weekday(pay)
			if !d.Before(earliest) {
				return d
			}
		}
	}
	return earliest // not reached: every month has a payment day
}

// weekday moves d forward to a Monday–Friday.
func weekday(d bistand.Date) bistand.Date {
	for isWeekend(d) {
		d = d.AddDays(1)
	}
	return d
}

func isWeekend(d bistand.Date) bool {
	w := time.Date(d.Year(), d.MonthOfYear(), d.Day(), 12, 0, 0, 0, time.UTC).Weekday()
	return w == time.Saturday || w == time.Sunday
}

// addWeekdays returns the n-th weekday after d (d itself for n = 0).
func addWeekdays(d bistand.Date, n int) bistand.Date {
	for n > 0 {
		d = d.AddDays(1)
		if !isWeekend(d) {
			n--
		}
	}
	return d
}
