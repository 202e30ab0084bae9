package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/rules"
)

// FactInput is a fact to record. Value is the JSON value for the kind (see
// docs/architecture.md); nil retracts the key.
type FactInput struct {
	Key        string
	Kind       bistand.FactKind
	Value      json.RawMessage
	Provenance bistand.Provenance
	Source     string
	Reference  string
	ObservedAt time.Time
	Reason     string
}

// Shapes of fact values, decoded strictly to validate them.
type (
	memberValue struct {
		PersonID       string `json:"person_id"`
		Role           string `json:"role"`
		LunchElsewhere bool   `json:"lunch_elsewhere,omitempty"`
		InSchool       bool   `json:"in_school,omitempty"`
	}
	costValue struct {
		Type        string        `json:"type"`
		Amount      bistand.Money `json:"amount"`
		Person      string        `json:"person,omitempty"`
		Motivation  string        `json:"motivation,omitempty"`
		CapNotified bistand.Date  `json:"cap_notified,omitzero"`
	}
	incomeValue struct {
		Type           string        `json:"type"`
		Amount         bistand.Money `json:"amount"`
		Person         string        `json:"person,omitempty"`
		EarnedThisYear bistand.Money `json:"earned_this_year,omitzero"`
	}
	assetValue struct {
		Type        string        `json:"type"`
		Value       bistand.Money `json:"value"`
		Person      string        `json:"person,omitempty"`
		Description string        `json:"description,omitempty"`
	}
	intValue struct {
		Value int `json:"value"`
	}
	monthValue struct {
		Value bistand.Month `json:"value"`
	}
)

// Asset types a household declares.
var assetTypes = []string{"bank_account", "vehicle", "property", "securities", "other"}

func decodeStrictly(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

// checkFactValue validates a fact's key and value for its kind.
func checkFactValue(in FactInput) error {
	if ok, err := checkRegisterInfo(in); ok {
		return err // the registers' information for the caseworker (register_info.go)
	}
	single := map[bistand.FactKind]bool{bistand.FactDwellingSize: true, bistand.FactMonthsOnAssistance: true, bistand.FactJobbstimulansSince: true, bistand.FactRandomCheck: true}
	switch {
	case single[in.Kind]:
		if in.Key != string(in.Kind) {
			return fmt.Errorf("%w: the key of a %s fact is %q", bistand.ErrInvalid, in.Kind, in.Kind)
		}
	case in.Kind == bistand.FactMember || in.Kind == bistand.FactCost || in.Kind == bistand.FactIncome || in.Kind == bistand.FactAsset:
		if !strings.HasPrefix(in.Key, string(in.Kind)+":") || len(in.Key) == len(in.Kind)+1 || len(in.Key) > 200 {
			return fmt.Errorf("%w: the key of a %s fact is %q followed by a name", bistand.ErrInvalid, in.Kind, string(in.Kind)+":")
		}
	case in.Kind == bistand.FactAFStatus:
		if !strings.HasPrefix(in.Key, "af:") || len(in.Key) == 3 {
			return fmt.Errorf("%w: the key of an af_status fact is \"af:\" and a person id", bistand.ErrInvalid)
		}
	case in.Kind == bistand.FactPayout:
		if !strings.HasPrefix(in.Key, "payout:") || len(in.Key) == len("payout:") || len(in.Key) > 200 {
			return fmt.Errorf("%w: the key of a payout fact is \"payout:\" and a person id", bistand.ErrInvalid)
		}
	case in.Kind == bistand.FactContact:
		if !strings.HasPrefix(in.Key, "contact:") || len(in.Key) == len("contact:") || len(in.Key) > 200 {
			return fmt.Errorf("%w: the key of a contact fact is \"contact:\" and a person id", bistand.ErrInvalid)
		}
	default:
		return fmt.Errorf("%w: unknown fact kind %q", bistand.ErrInvalid, in.Kind)
	}
	if in.Value == nil {
		return nil // a retraction
	}
	var err error
	switch in.Kind {
	case bistand.FactMember:
		var v memberValue
		if err = decodeStrictly(in.Value, &v); err == nil {
			if _, ok := rules.ParseRole(v.Role); !ok || v.PersonID == "" || in.Key != "member:"+v.PersonID {
				err = fmt.Errorf("a member needs person_id (also in the key) and a role")
			}
		}
	case bistand.FactCost:
		var v costValue
		if err = decodeStrictly(in.Value, &v); err == nil {
			if _, ok := rules.ParseCostType(v.Type); !ok || v.Amount < 0 {
				err = fmt.Errorf("a cost needs a known type and an amount ≥ 0")
			}
		}
	case bistand.FactIncome:
		var v incomeValue
		if err = decodeStrictly(in.Value, &v); err == nil {
			if _, ok := rules.ParseIncomeType(v.Type); !ok || v.Amount < 0 || v.EarnedThisYear < 0 {
				err = fmt.Errorf("an income needs a known type and an amount ≥ 0")
			}
		}
	case bistand.FactAsset:
		var v assetValue
		if err = decodeStrictly(in.Value, &v); err == nil && (!slices.Contains(assetTypes, v.Type) || v.Value < 0) {
			err = fmt.Errorf("an asset needs a type (%s) and a value ≥ 0", strings.Join(assetTypes, ", "))
		}
	case bistand.FactDwellingSize, bistand.FactMonthsOnAssistance:
		var v intValue
		if err = decodeStrictly(in.Value, &v); err == nil && v.Value < 0 {
			err = fmt.Errorf("must not be negative")
		}
	case bistand.FactJobbstimulansSince:
		var v monthValue
		err = decodeStrictly(in.Value, &v)
	case bistand.FactAFStatus:
		var v struct {
			Registered bool `json:"registered"`
			Extent     int  `json:"extent"`
			Programme  bool `json:"programme"`
		}
		if err = decodeStrictly(in.Value, &v); err == nil && (v.Extent < 0 || v.Extent > 100) {
			err = fmt.Errorf("extent is a percentage")
		}
	case bistand.FactContact:
		var v ContactValue
		if err = decodeStrictly(in.Value, &v); err == nil {
			err = v.check(in.Key)
		}
	case bistand.FactPayout:
		_, err = parsePayout(in.Key, in.Value)
	case bistand.FactRandomCheck:
		var v struct {
			PerMille int  `json:"per_mille"`
			Draw     int  `json:"draw"`
			Selected bool `json:"selected"`
		}
		if err = decodeStrictly(in.Value, &v); err == nil && (v.Draw < 0 || v.Draw > 999 || v.Selected != (v.Draw < v.PerMille)) {
			err = fmt.Errorf("a draw is 0–999 and selected when below the rate")
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %s fact %s: %v", bistand.ErrInvalid, in.Kind, in.Key, err)
	}
	return nil
}

// factAllowed says whether actor may record a fact of this provenance while
// the application is in state st.
func factAllowed(actor bistand.Actor, p bistand.Provenance, st bistand.State, reason string) error {
	var kinds []bistand.ActorKind
	var states []bistand.State
	switch p {
	case bistand.Declared:
		kinds, states = []bistand.ActorKind{bistand.ActorApplicant}, []bistand.State{bistand.Draft, bistand.SupplementRequested}
	case bistand.Register:
		kinds, states = []bistand.ActorKind{bistand.ActorRobot, bistand.ActorSystem}, []bistand.State{bistand.Submitted, bistand.Collecting, bistand.Supplemented}
	case bistand.Automated:
		kinds, states = []bistand.ActorKind{bistand.ActorRobot}, []bistand.State{bistand.Assessed}
	case bistand.Caseworker:
		if reason == "" {
			return fmt.Errorf("%w: a caseworker setting a fact gives a reason", bistand.ErrInvalid)
		}
		kinds = []bistand.ActorKind{bistand.ActorCaseworker}
		states = []bistand.State{bistand.Submitted, bistand.Collecting, bistand.Assessed, bistand.RandomCheck,
			bistand.SupplementRequested, bistand.Supplemented, bistand.Expired, bistand.Decided}
	default:
		return fmt.Errorf("%w: unknown provenance %q", bistand.ErrInvalid, p)
	}
	if !slices.Contains(kinds, actor.Kind) {
		return fmt.Errorf("%w: %s may not record %s facts", bistand.ErrForbidden, actor.Kind, p)
	}
	if !slices.Contains(states, st) {
		return fmt.Errorf("%w: %s facts are not recorded on a %s application", bistand.ErrInvalidTransition, p, st)
	}
	return nil
}

// AddFacts records facts about an application in one transaction.
func (s *Store) AddFacts(ctx context.Context, actor bistand.Actor, appID string, ins []FactInput) ([]bistand.Fact, error) {
	var out []bistand.Fact
	err := s.write(ctx, actor, func(w *wtx) error {
		var err error
		out, err = w.addFacts(appID, ins)
		return err
	})
	return out, err
}

// AddFacts is Store.AddFacts within a Change.
func (c *Change) AddFacts(appID string, ins []FactInput) ([]bistand.Fact, error) {
	return c.w.addFacts(appID, ins)
}

func (w *wtx) addFacts(appID string, ins []FactInput) ([]bistand.Fact, error) {
	if len(ins) == 0 {
		return nil, nil
	}
	ctx, actor := w.ctx, w.actor
	a, err := w.lockedApp(appID)
	if err != nil {
		return nil, err
	}
	var seq int64
	if err := w.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM facts WHERE application_id = $1", appID).Scan(&seq); err != nil {
		return nil, err
	}
	if err := w.checkHousehold(a.CaseID); err != nil {
		return nil, err
	}
	out := make([]bistand.Fact, 0, len(ins))
	rows := make([]newRow, 0, len(ins))
	k, actorID := actorOf(actor)
	for _, in := range ins {
		if err := factAllowed(actor, in.Provenance, a.State, in.Reason); err != nil {
			return nil, err
		}
		if err := checkFactValue(in); err != nil {
			return nil, err
		}
		if err := w.checkMemberFact(a.CaseID, in); err != nil {
			return nil, err
		}
		if err := w.checkPayoutFact(a.CaseID, in); err != nil {
			return nil, err
		}
		if err := w.checkContactFact(a.CaseID, in); err != nil {
			return nil, err
		}
		var value sql.NullString
		if in.Value != nil {
			v, err := compactJSON(in.Value)
			if err != nil {
				return nil, err
			}
			value = sql.NullString{String: v, Valid: true}
		}
		seq++
		f := bistand.Fact{
			ID: bistand.NewID("fact", w.now), ApplicationID: appID, Seq: seq, Key: in.Key, Kind: in.Kind,
			Provenance: in.Provenance, Source: in.Source, Reference: in.Reference, ObservedAt: in.ObservedAt.UTC(),
			Actor: actor, Reason: in.Reason, RecordedAt: w.now,
		}
		if value.Valid {
			f.Value = json.RawMessage(value.String)
		}
		rows = append(rows, newRow{caseID: a.CaseID, reason: in.Reason, vals: []any{
			f.ID, appID, seq, in.Key, string(in.Kind), value, string(in.Provenance), in.Source, in.Reference, fmtTime(in.ObservedAt), k, actorID, in.Reason, w.at}})
		out = append(out, f)
	}
	// The checks read only the case's members and persons, never the facts
	// being added: every fact is checked before all are written together.
	if err := w.insertRows("facts", rows); err != nil {
		return nil, err
	}
	return out, nil
}

// checkMemberFact requires a member fact to name a person of the case.
func (w *wtx) checkMemberFact(caseID string, in FactInput) error {
	if in.Kind != bistand.FactMember || in.Value == nil {
		return nil
	}
	personID := strings.TrimPrefix(in.Key, "member:")
	var n int
	if err := w.QueryRowContext(w.ctx, "SELECT COUNT(*) FROM case_members WHERE case_id = $1 AND person_id = $2", caseID, personID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: member %s is not in the case; add them to the case first", bistand.ErrInvalid, personID)
	}
	return nil
}

// Facts returns every fact recorded about an application, in order.
func (s *Store) Facts(ctx context.Context, appID string) ([]bistand.Fact, error) {
	return facts(ctx, s.r(), appID)
}

func facts(ctx context.Context, q queryer, appID string) ([]bistand.Fact, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, application_id, seq, fact_key, kind, value, provenance, source, reference, observed_at, actor_kind, actor_id, reason, recorded_at
		FROM facts WHERE application_id = $1 ORDER BY seq`, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bistand.Fact
	for rows.Next() {
		var f bistand.Fact
		var kind, prov, observed, actorKind, recorded string
		var value sql.NullString
		if err := rows.Scan(&f.ID, &f.ApplicationID, &f.Seq, &f.Key, &kind, &value, &prov, &f.Source, &f.Reference, &observed, &actorKind, &f.Actor.ID, &f.Reason, &recorded); err != nil {
			return nil, err
		}
		f.Kind, f.Provenance, f.Actor.Kind = bistand.FactKind(kind), bistand.Provenance(prov), bistand.ActorKind(actorKind)
		f.ObservedAt, f.RecordedAt = parseTime(observed), parseTime(recorded)
		if value.Valid {
			f.Value = json.RawMessage(value.String)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Effective returns the facts in force: for each key the latest fact, unless
// it retracts the key; in the order each key first appeared.
func Effective(all []bistand.Fact) []bistand.Fact {
	latest := map[string]int{}
	var order []string
	for i, f := range all {
		if _, ok := latest[f.Key]; !ok {
			order = append(order, f.Key)
		}
		latest[f.Key] = i
	}
	var out []bistand.Fact
	for _, k := range order {
		if f := all[latest[k]]; f.Value != nil {
			out = append(out, f)
		}
	}
	return out
}

// householdJSON builds the household-month of an application from its facts
// in force, in the input format of `bistand calc` (docs/calc.md). Members are
// identified by their person ids; birth dates come from the personnummer.
func (s *Store) householdJSON(ctx context.Context, q queryer, a bistand.Application) ([]byte, error) {
	c, err := s.caseByID(ctx, q, a.CaseID)
	if err != nil {
		return nil, err
	}
	all, err := facts(ctx, q, a.ID)
	if err != nil {
		return nil, err
	}
	type member struct {
		ID             string       `json:"id"`
		Role           string       `json:"role"`
		BirthDate      bistand.Date `json:"birth_date,omitzero"`
		LunchElsewhere bool         `json:"lunch_elsewhere,omitempty"`
		InSchool       bool         `json:"in_school,omitempty"`
	}
	h := struct {
		Month              bistand.Month     `json:"month"`
		Municipality       string            `json:"municipality"`
		Members            []member          `json:"members"`
		DwellingSize       int               `json:"dwelling_size,omitempty"`
		Costs              []json.RawMessage `json:"costs,omitempty"`
		Incomes            []json.RawMessage `json:"incomes,omitempty"`
		MonthsOnAssistance int               `json:"months_on_assistance,omitempty"`
		JobbstimulansSince bistand.Month     `json:"jobbstimulans_since,omitzero"`
	}{Month: a.Month, Municipality: c.Municipality, Members: []member{}}
	roleOrder := map[string]int{"applicant": 0, "partner": 1, "child": 2}
	for _, f := range Effective(all) {
		switch f.Kind {
		case bistand.FactMember:
			var v memberValue
			if err := json.Unmarshal(f.Value, &v); err != nil {
				return nil, err
			}
			p, err := person(ctx, q, "id", v.PersonID)
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", v.PersonID, err)
			}
			n, err := personnummer.ParseCanonical(p.Personnummer)
			if err != nil {
				return nil, fmt.Errorf("member %s: stored personnummer: %w", v.PersonID, err)
			}
			h.Members = append(h.Members, member{v.PersonID, v.Role, n.BirthDate(), v.LunchElsewhere, v.InSchool})
		case bistand.FactCost:
			h.Costs = append(h.Costs, f.Value)
		case bistand.FactIncome:
			h.Incomes = append(h.Incomes, f.Value)
		case bistand.FactDwellingSize:
			var v intValue
			json.Unmarshal(f.Value, &v)
			h.DwellingSize = v.Value
		case bistand.FactMonthsOnAssistance:
			var v intValue
			json.Unmarshal(f.Value, &v)
			h.MonthsOnAssistance = v.Value
		case bistand.FactJobbstimulansSince:
			var v monthValue
			json.Unmarshal(f.Value, &v)
			h.JobbstimulansSince = v.Value
		}
	}
	slices.SortStableFunc(h.Members, func(x, y member) int { return roleOrder[x.Role] - roleOrder[y.Role] })
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(b.Bytes()), nil
}

// Household returns the household-month an application's facts describe,
// ready to calculate, and its JSON snapshot. A *rules.FieldError means the
// facts do not yet describe a valid household.
func (s *Store) Household(ctx context.Context, appID string) (*rules.Household, []byte, error) {
	a, err := s.app(ctx, s.r(), appID)
	if err != nil {
		return nil, nil, err
	}
	snap, err := s.householdJSON(ctx, s.r(), a)
	if err != nil {
		return nil, nil, err
	}
	h, err := rules.ParseHouseholdBytes(snap)
	return h, snap, err
}
