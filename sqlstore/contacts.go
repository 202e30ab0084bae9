package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bistand/bistand"
)

// ContactValue is the value of a contact fact (bistand.FactContact): a
// member's name and postal address as the population register gives them.
// Address is empty for a protected person, always.
type ContactValue struct {
	PersonID string   `json:"person_id"`
	Name     string   `json:"name"`
	Address  []string `json:"address,omitempty"`
}

// ContactKey is the key of a person's contact fact.
func ContactKey(personID string) string { return "contact:" + personID }

func (v ContactValue) check(key string) error {
	if v.PersonID == "" || key != ContactKey(v.PersonID) {
		return fmt.Errorf("a contact needs person_id (also in the key)")
	}
	if !contactText(v.Name) {
		return fmt.Errorf("a contact needs a name: one line of at most 200 characters")
	}
	if len(v.Address) > 6 {
		return fmt.Errorf("an address has at most 6 lines")
	}
	for _, l := range v.Address {
		if !contactText(l) {
			return fmt.Errorf("an address line is one line of at most 200 characters")
		}
	}
	return nil
}

// contactText reports whether s is one non-empty line of printable text.
func contactText(s string) bool {
	if strings.TrimSpace(s) == "" || len(s) > 200 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// checkContactFact requires a contact fact to be about a member of the case
// and refuses an address when anyone in the household is protected: their
// address (a household's is shared) must never be stored, whoever sends it.
func (w *wtx) checkContactFact(caseID string, in FactInput) error {
	if in.Kind != bistand.FactContact || in.Value == nil {
		return nil
	}
	var v ContactValue
	if err := json.Unmarshal(in.Value, &v); err != nil {
		return fmt.Errorf("%w: contact fact: %v", bistand.ErrInvalid, err)
	}
	var n int
	if err := w.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM case_members WHERE case_id = $1 AND person_id = $2", caseID, v.PersonID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: contact %s is not in the case", bistand.ErrInvalid, v.PersonID)
	}
	if len(v.Address) == 0 {
		return nil
	}
	if err := w.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM case_members m JOIN persons p ON p.id = m.person_id
		WHERE m.case_id = $1 AND p.protected_identity <> 0`, caseID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w: the household has a protected member: no address is stored", bistand.ErrInvalid)
	}
	return nil
}

// Contacts returns the names and addresses of an application's household
// as recorded by the time until (a decision's time, so that its letter is
// the same whenever it is rendered), by person id. A person's contact fact
// in force on the application comes first; for a person without one, the
// latest recorded on another application of the same case before until
// (the population register may not have been asked this time).
func (s *Store) Contacts(ctx context.Context, appID string, until time.Time) (map[string]ContactValue, error) {
	a, err := s.app(ctx, s.r(), appID)
	if err != nil {
		return nil, err
	}
	rows, err := s.r().QueryContext(ctx, `SELECT f.application_id, f.fact_key, f.value FROM facts f
		JOIN applications a ON a.id = f.application_id
		WHERE a.case_id = $1 AND f.kind = $2 AND f.recorded_at <= $3
		ORDER BY f.recorded_at, f.application_id, f.seq`, a.CaseID, string(bistand.FactContact), fmtTime(until.UTC()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	own := map[string]*ContactValue{}   // key → value in force on the application (nil: retracted)
	other := map[string]*ContactValue{} // key → latest on another application
	for rows.Next() {
		var app, key string
		var raw *string
		if err := rows.Scan(&app, &key, &raw); err != nil {
			return nil, err
		}
		var v *ContactValue
		if raw != nil {
			v = new(ContactValue)
			if err := json.Unmarshal([]byte(*raw), v); err != nil {
				return nil, fmt.Errorf("contact fact %s: %w", key, err)
			}
		}
		if app == appID {
			own[key] = v
		} else {
			other[key] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]ContactValue{}
	for key, v := range other {
		if _, ok := own[key]; !ok && v != nil {
			out[v.PersonID] = *v
		}
	}
	for _, v := range own {
		if v != nil {
			out[v.PersonID] = *v
		}
	}
	return out, nil
}
