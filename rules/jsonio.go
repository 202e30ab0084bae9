package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/bistand/bistand"
)

// The JSON form of a household-month, as read by `bistand calc` (see
// docs/calc.md). Parsing is strict: unknown fields, duplicate fields, wrong
// types, amounts with more than two decimals and trailing data are errors,
// each naming the field in JSON path notation.

// MaxInputBytes bounds one JSON household-month.
const MaxInputBytes = 1 << 20

// jnode is a parsed JSON value keeping object keys in order.
type jnode struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	str  string
	b    bool
	keys []string
	vals []*jnode
}

// fieldPath appends key to a JSON path: "costs[0].amount", or
// `members[0]["odd key"]` for a key that is not a plain name, so that an
// error line always stays one line.
func fieldPath(base, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return base + "[" + strconv.Quote(key) + "]"
	case base == "":
		return key
	}
	return base + "." + key
}

func parseJSON(dec *json.Decoder, depth int, path string) (*jnode, error) {
	if depth > 32 {
		return nil, &FieldError{Field: pathOr(path), Msg: "nested too deeply"}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jnode{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				for _, seen := range n.keys {
					if seen == k {
						return nil, &FieldError{Field: fieldPath(path, k), Msg: "appears twice"}
					}
				}
				v, err := parseJSON(dec, depth+1, fieldPath(path, k))
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '[':
			n := &jnode{kind: 'a'}
			for dec.More() {
				v, err := parseJSON(dec, depth+1, pathOr(path)+"["+strconv.Itoa(len(n.vals))+"]")
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
	case string:
		return &jnode{kind: 's', str: t}, nil
	case json.Number:
		return &jnode{kind: 'n', str: string(t)}, nil
	case bool:
		return &jnode{kind: 'b', b: t}, nil
	case nil:
		return &jnode{kind: 'z'}, nil
	}
	return nil, fmt.Errorf("unexpected %v", tok)
}

// object walks the fields of an object node, calling fn for each known
// field; an unknown field is an error naming it.
func object(n *jnode, path string, fields map[string]func(v *jnode, path string) error) error {
	if n.kind != 'o' {
		return &FieldError{Field: pathOr(path), Msg: "must be an object"}
	}
	for i, k := range n.keys {
		p := fieldPath(path, k)
		fn, ok := fields[k]
		if !ok {
			return &FieldError{Field: p, Msg: "unknown field"}
		}
		if n.vals[i].kind == 'z' {
			continue // null means absent
		}
		if err := fn(n.vals[i], p); err != nil {
			return err
		}
	}
	return nil
}

func pathOr(p string) string {
	if p == "" {
		return "input"
	}
	return p
}

func jString(dst *string) func(*jnode, string) error {
	return func(v *jnode, p string) error {
		if v.kind != 's' {
			return &FieldError{Field: p, Msg: "must be a string"}
		}
		if len(v.str) > 4096 {
			return &FieldError{Field: p, Msg: "too long"}
		}
		*dst = v.str
		return nil
	}
}

func jBool(dst *bool) func(*jnode, string) error {
	return func(v *jnode, p string) error {
		if v.kind != 'b' {
			return &FieldError{Field: p, Msg: "must be true or false"}
		}
		*dst = v.b
		return nil
	}
}

func jInt(dst *int) func(*jnode, string) error {
	return func(v *jnode, p string) error {
		if v.kind != 'n' {
			return &FieldError{Field: p, Msg: "must be a whole number"}
		}
		n, err := strconv.ParseInt(v.str, 10, 32)
		if err != nil {
			return &FieldError{Field: p, Msg: "must be a whole number"}
		}
		*dst = int(n)
		return nil
	}
}

func jMoney(dst *bistand.Money) func(*jnode, string) error {
	return func(v *jnode, p string) error {
		if v.kind != 'n' {
			return &FieldError{Field: p, Msg: "must be a number of kronor"}
		}
		m, err := bistand.ParseKronor(v.str)
		if err != nil {
			return &FieldError{Field: p, Msg: "must be a number of kronor with at most two decimals"}
		}
		if m < 0 {
			return &FieldError{Field: p, Msg: "must not be negative"}
		}
		*dst = m
		return nil
	}
}

func jDate(dst *bistand.Date) func(*jnode, string) error {
	return func(v *jnode, p string) error {
		if v.kind != 's' {
			return &FieldError{Field: p, Msg: "must be a date string YYYY-MM-DD"}
		}
		d, err := bistand.ParseDate(v.str)
		if err != nil {
			return &FieldError{Field: p, Msg: "must be a valid date YYYY-MM-DD"}
		}
		*dst = d
		return nil
	}
}

func jMonth(dst *bistand.Month) func(*jnode, string) error {
	return func(v *jnode, p string) error {
		if v.kind != 's' {
			return &FieldError{Field: p, Msg: "must be a month string YYYY-MM"}
		}
		m, err := bistand.ParseMonth(v.str)
		if err != nil {
			return &FieldError{Field: p, Msg: "must be a valid month YYYY-MM"}
		}
		*dst = m
		return nil
	}
}

func jArray(limit int, each func(v *jnode, i int, path string) error) func(*jnode, string) error {
	return func(v *jnode, p string) error {
		if v.kind != 'a' {
			return &FieldError{Field: p, Msg: "must be a list"}
		}
		if len(v.vals) > limit {
			return &FieldError{Field: p, Msg: fmt.Sprintf("at most %d entries", limit)}
		}
		for i, e := range v.vals {
			if err := each(e, i, p+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil
	}
}

// present wraps a field decoder to record that the field was given.
func present(seen *bool, fn func(*jnode, string) error) func(*jnode, string) error {
	return func(v *jnode, p string) error {
		*seen = true
		return fn(v, p)
	}
}

// entryType checks a cost or income entry's type name and that it has an amount.
func entryType[T any](p, what, name string, hasAmount bool, parse func(string) (T, bool)) (T, error) {
	t, ok := parse(name)
	if !ok {
		return t, &FieldError{Field: p + ".type", Msg: fmt.Sprintf("unknown %s type %q", what, name)}
	}
	if !hasAmount {
		return t, &FieldError{Field: p + ".amount", Msg: "required"}
	}
	return t, nil
}

// ParseHousehold reads one JSON household-month. Errors are *FieldError.
func ParseHousehold(r io.Reader) (*Household, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, &FieldError{Field: "input", Msg: err.Error()}
	}
	if len(b) > MaxInputBytes {
		return nil, &FieldError{Field: "input", Msg: fmt.Sprintf("larger than %d bytes", MaxInputBytes)}
	}
	return ParseHouseholdBytes(b)
}

// ParseHouseholdBytes is ParseHousehold for a byte slice.
func ParseHouseholdBytes(b []byte) (*Household, error) {
	if !utf8.Valid(b) {
		return nil, &FieldError{Field: "input", Msg: "not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	root, err := parseJSON(dec, 0, "")
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("data after the household object")
		}
	}
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return nil, fe
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &FieldError{Field: "input", Msg: fmt.Sprintf("not valid JSON at byte %d: %v", se.Offset, se.Error())}
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &FieldError{Field: "input", Msg: "not valid JSON: unexpected end"}
		}
		return nil, &FieldError{Field: "input", Msg: "not valid JSON: " + err.Error()}
	}
	h := &Household{}
	var hasMonth, hasMembers bool
	err = object(root, "", map[string]func(*jnode, string) error{
		"month":        present(&hasMonth, jMonth(&h.Month)),
		"municipality": jString(&h.Municipality),
		"members": present(&hasMembers, jArray(MaxMembers, func(v *jnode, i int, p string) error {
			var m Member
			var role string
			err := object(v, p, map[string]func(*jnode, string) error{
				"id":              jString(&m.ID),
				"role":            jString(&role),
				"birth_date":      jDate(&m.BirthDate),
				"lunch_elsewhere": jBool(&m.LunchElsewhere),
				"in_school":       jBool(&m.InSchool),
			})
			if err != nil {
				return err
			}
			var ok bool
			if m.Role, ok = ParseRole(role); !ok {
				return &FieldError{Field: p + ".role", Msg: fmt.Sprintf("must be applicant, partner or child, not %q", role)}
			}
			h.Members = append(h.Members, m)
			return nil
		})),
		"dwelling_size": jInt(&h.DwellingSize),
		"costs": jArray(MaxEntries, func(v *jnode, i int, p string) error {
			var c Cost
			var typ string
			hasAmount := false
			err := object(v, p, map[string]func(*jnode, string) error{
				"type":         jString(&typ),
				"amount":       present(&hasAmount, jMoney(&c.Amount)),
				"person":       jString(&c.Person),
				"motivation":   jString(&c.Motivation),
				"cap_notified": jDate(&c.CapNotified),
			})
			if err != nil {
				return err
			}
			if c.Type, err = entryType(p, "cost", typ, hasAmount, ParseCostType); err != nil {
				return err
			}
			h.Costs = append(h.Costs, c)
			return nil
		}),
		"incomes": jArray(MaxEntries, func(v *jnode, i int, p string) error {
			var in Income
			var typ string
			hasAmount := false
			err := object(v, p, map[string]func(*jnode, string) error{
				"type":             jString(&typ),
				"amount":           present(&hasAmount, jMoney(&in.Amount)),
				"person":           jString(&in.Person),
				"earned_this_year": jMoney(&in.EarnedThisYear),
			})
			if err != nil {
				return err
			}
			if in.Type, err = entryType(p, "income", typ, hasAmount, ParseIncomeType); err != nil {
				return err
			}
			h.Incomes = append(h.Incomes, in)
			return nil
		}),
		"months_on_assistance": jInt(&h.MonthsOnAssistance),
		"jobbstimulans_since":  jMonth(&h.JobbstimulansSince),
	})
	if err != nil {
		return nil, err
	}
	if !hasMonth {
		return nil, &FieldError{Field: "month", Msg: "required (YYYY-MM)"}
	}
	if !hasMembers {
		return nil, &FieldError{Field: "members", Msg: "required"}
	}
	return h, nil
}

// MarshalJSON writes the household in the input format of `bistand calc`, so
// that a stored snapshot can be replayed.
func (h *Household) MarshalJSON() ([]byte, error) {
	type member struct {
		ID             string       `json:"id"`
		Role           string       `json:"role"`
		BirthDate      bistand.Date `json:"birth_date,omitzero"`
		LunchElsewhere bool         `json:"lunch_elsewhere,omitempty"`
		InSchool       bool         `json:"in_school,omitempty"`
	}
	type cost struct {
		Type        string        `json:"type"`
		Amount      bistand.Money `json:"amount"`
		Person      string        `json:"person,omitempty"`
		Motivation  string        `json:"motivation,omitempty"`
		CapNotified bistand.Date  `json:"cap_notified,omitzero"`
	}
	type income struct {
		Type           string        `json:"type"`
		Amount         bistand.Money `json:"amount"`
		Person         string        `json:"person,omitempty"`
		EarnedThisYear bistand.Money `json:"earned_this_year,omitzero"`
	}
	out := struct {
		Month              bistand.Month `json:"month"`
		Municipality       string        `json:"municipality,omitempty"`
		Members            []member      `json:"members"`
		DwellingSize       int           `json:"dwelling_size,omitempty"`
		Costs              []cost        `json:"costs,omitempty"`
		Incomes            []income      `json:"incomes,omitempty"`
		MonthsOnAssistance int           `json:"months_on_assistance,omitempty"`
		JobbstimulansSince bistand.Month `json:"jobbstimulans_since,omitzero"`
	}{
		Month: h.Month, Municipality: h.Municipality, DwellingSize: h.DwellingSize,
		MonthsOnAssistance: h.MonthsOnAssistance, JobbstimulansSince: h.JobbstimulansSince,
		Members: []member{},
	}
	for _, m := range h.Members {
		out.Members = append(out.Members, member{m.ID, m.Role.String(), m.BirthDate, m.LunchElsewhere, m.InSchool})
	}
	for _, c := range h.Costs {
		out.Costs = append(out.Costs, cost{c.Type.String(), c.Amount, c.Person, c.Motivation, c.CapNotified})
	}
	for _, in := range h.Incomes {
		out.Incomes = append(out.Incomes, income{in.Type.String(), in.Amount, in.Person, in.EarnedThisYear})
	}
	return json.Marshal(out)
}
