package web

// Applying for the month: the form is filled in with what the household
// declared the last time it applied (its declared facts in force), every
// value that differs from then is marked, and a confirm step lists the
// changes before the applicant signs. The facts recorded have the same
// keys and values as every other way of applying (synth, the API), so the
// robot compares months alike.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/collect"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

// minaDecl is what a household declares for a month.
type minaDecl struct {
	Members []minaMemberDecl // every member of the case, in the case's order
	// Dwelling is everyone living in the dwelling; 0: the members included.
	Dwelling int
	Costs    map[string]minaCostDecl // by cost type
	Incomes  []minaIncomeDecl
}

type minaMemberDecl struct {
	PersonID, Role           string
	Included                 bool // lives in the household and is part of the application
	LunchElsewhere, InSchool bool
}

type minaCostDecl struct {
	Amount     bistand.Money
	Motivation string
}

type minaIncomeDecl struct {
	Type, Person string
	Amount       bistand.Money
}

func (i minaIncomeDecl) key() string { return collect.IncomeKey(i.Type, i.Person) }

// included counts the members included.
func (d minaDecl) included() int {
	n := 0
	for _, m := range d.Members {
		if m.Included {
			n++
		}
	}
	return n
}

// dwelling is the number living in the dwelling, as the rules count it.
func (d minaDecl) dwelling() int {
	if d.Dwelling != 0 {
		return d.Dwelling
	}
	return d.included()
}

func (d minaDecl) member(id string) (minaMemberDecl, bool) {
	for _, m := range d.Members {
		if m.PersonID == id {
			return m, true
		}
	}
	return minaMemberDecl{}, false
}

func (d minaDecl) income(key string) (minaIncomeDecl, bool) {
	for _, in := range d.Incomes {
		if in.key() == key {
			return in, true
		}
	}
	return minaIncomeDecl{}, false
}

// minaBase is what an application for a case and month starts from.
type minaBase struct {
	Case  bistand.Case
	Month bistand.Month
	// Prev is the latest earlier application that was submitted, or nil;
	// Decl is its declaration (the members only, when there is none).
	Prev *bistand.Application
	Decl minaDecl
	// Carry are declared facts the form does not ask about (where to pay,
	// jobbstimulans, assets): declared again as they were.
	Carry []sqlstore.FactInput
	// Months is the months_on_assistance fact to declare, if HasMonths.
	Months    int
	HasMonths bool
	People    map[string]minaPerson
	// Existing is the case's application for the month, if there is one.
	Existing *bistand.Application
}

// minaBaseFor reads what the person's household applies for month from.
// A case of another household is not found.
func (s *Server) minaBaseFor(ctx context.Context, lang string, p *Principal, caseID string, month bistand.Month) (*minaBase, error) {
	c, err := s.householdCase(ctx, p, caseID)
	if err != nil {
		return nil, err
	}
	apps, err := s.cfg.Store.CaseApplications(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	b := &minaBase{Case: c, Month: month}
	for i := range apps {
		a := apps[i]
		if a.Month == month && minaActive(a) && b.Existing == nil {
			b.Existing = &a
		}
		if b.Prev == nil && a.Month < month && !a.SubmittedAt.IsZero() {
			b.Prev = &a
		}
	}
	prevID := ""
	if b.Prev == nil {
		b.Decl = minaDeclOfCase(c)
	} else {
		prevID = b.Prev.ID
		all, err := s.cfg.Store.Facts(ctx, b.Prev.ID)
		if err != nil {
			return nil, err
		}
		var months int
		b.Decl, b.Carry, months, b.HasMonths = minaDeclFromFacts(c, all)
		if b.HasMonths {
			// Months on assistance in a row before this month: one more
			// than last month's if last month was this one's predecessor
			// and was not refused; otherwise none.
			b.Months = 0
			if b.Prev.Month == month.Add(-1) {
				d, err := s.cfg.Store.CurrentDecision(ctx, b.Prev.ID)
				if err != nil && !errors.Is(err, bistand.ErrNotFound) {
					return nil, err
				}
				if err != nil || d.Outcome != bistand.OutcomeRejected {
					b.Months = months + 1
				}
			}
		}
	}
	if prevID == "" && b.Existing != nil {
		prevID = b.Existing.ID
	}
	b.People = s.minaPeople(ctx, lang, c, prevID, month)
	return b, nil
}

// minaDeclOfCase is the declaration of a household that has not applied
// before: its members, nothing else.
func minaDeclOfCase(c bistand.Case) minaDecl {
	d := minaDecl{Costs: map[string]minaCostDecl{}}
	for _, m := range c.Members {
		d.Members = append(d.Members, minaMemberDecl{PersonID: m.PersonID, Role: m.Role, Included: true})
	}
	return d
}

// Declared fact values as the household gives them (the store checks
// them strictly; these read them).
type (
	minaMemberValue struct {
		PersonID       string `json:"person_id"`
		Role           string `json:"role"`
		LunchElsewhere bool   `json:"lunch_elsewhere"`
		InSchool       bool   `json:"in_school"`
	}
	minaCostValue struct {
		Type        string        `json:"type"`
		Amount      bistand.Money `json:"amount"`
		Person      string        `json:"person"`
		Motivation  string        `json:"motivation"`
		CapNotified bistand.Date  `json:"cap_notified"`
	}
	minaIncomeValue struct {
		Type   string        `json:"type"`
		Person string        `json:"person"`
		Amount bistand.Money `json:"amount"`
	}
	minaIntValue struct {
		Value int `json:"value"`
	}
)

// minaDeclFromFacts is the household's declaration among an application's
// facts: its declared facts in force (a register's or a caseworker's
// correction is theirs, not the household's word).
func minaDeclFromFacts(c bistand.Case, all []bistand.Fact) (d minaDecl, carry []sqlstore.FactInput, months int, hasMonths bool) {
	var declared []bistand.Fact
	for _, f := range all {
		if f.Provenance == bistand.Declared {
			declared = append(declared, f)
		}
	}
	applicant := ""
	for _, m := range c.Members {
		if m.Role == "applicant" {
			applicant = m.PersonID
		}
	}
	d.Costs = map[string]minaCostDecl{}
	members := map[string]minaMemberValue{}
	for _, f := range sqlstore.Effective(declared) {
		switch f.Kind {
		case bistand.FactMember:
			var v minaMemberValue
			if json.Unmarshal(f.Value, &v) == nil {
				members[v.PersonID] = v
			}
		case bistand.FactCost:
			var v minaCostValue
			if json.Unmarshal(f.Value, &v) == nil {
				cur := d.Costs[v.Type]
				cur.Amount += v.Amount
				if cur.Motivation == "" {
					cur.Motivation = v.Motivation
				}
				d.Costs[v.Type] = cur
			}
		case bistand.FactIncome:
			var v minaIncomeValue
			if json.Unmarshal(f.Value, &v) == nil {
				if v.Person == "" {
					v.Person = applicant
				}
				in := minaIncomeDecl{Type: v.Type, Person: v.Person, Amount: v.Amount}
				if i := slices.IndexFunc(d.Incomes, func(x minaIncomeDecl) bool { return x.key() == in.key() }); i >= 0 {
					d.Incomes[i].Amount += in.Amount
				} else {
					d.Incomes = append(d.Incomes, in)
				}
			}
		case bistand.FactDwellingSize:
			var v minaIntValue
			if json.Unmarshal(f.Value, &v) == nil {
				d.Dwelling = v.Value
			}
		case bistand.FactMonthsOnAssistance:
			var v minaIntValue
			if json.Unmarshal(f.Value, &v) == nil {
				months, hasMonths = v.Value, true
			}
		case bistand.FactPayout, bistand.FactJobbstimulansSince, bistand.FactAsset:
			carry = append(carry, sqlstore.FactInput{Key: f.Key, Kind: f.Kind, Value: f.Value, Provenance: bistand.Declared})
		}
	}
	for _, m := range c.Members {
		v, ok := members[m.PersonID]
		d.Members = append(d.Members, minaMemberDecl{PersonID: m.PersonID, Role: m.Role,
			Included: ok || len(members) == 0 || minaAdult(m.Role), LunchElsewhere: v.LunchElsewhere, InSchool: v.InSchool})
	}
	if d.Dwelling == d.included() {
		d.Dwelling = 0
	}
	return d, carry, months, hasMonths
}

// minaDeclared is a declared fact.
func minaDeclared(key string, kind bistand.FactKind, v any) sqlstore.FactInput {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return sqlstore.FactInput{Key: key, Kind: kind, Value: b, Provenance: bistand.Declared}
}

// facts are the declared facts of the declaration, valued as synth
// declares them ({"person_id","role"}, {"amount","type"},
// {"amount","person","type"}, {"value"}).
func (d minaDecl) facts(b *minaBase) []sqlstore.FactInput {
	var out []sqlstore.FactInput
	for _, m := range d.Members {
		if !m.Included {
			continue
		}
		v := map[string]any{"person_id": m.PersonID, "role": m.Role}
		if m.Role == "child" && m.LunchElsewhere {
			v["lunch_elsewhere"] = true
		}
		if m.Role == "child" && m.InSchool {
			v["in_school"] = true
		}
		out = append(out, minaDeclared("member:"+m.PersonID, bistand.FactMember, v))
	}
	for _, t := range rules.CostTypes() {
		c, ok := d.Costs[t.String()]
		if !ok || c.Amount <= 0 {
			continue
		}
		v := map[string]any{"type": t.String(), "amount": c.Amount}
		if t == rules.OtherCost {
			v["motivation"] = c.Motivation
		}
		out = append(out, minaDeclared("cost:"+t.String(), bistand.FactCost, v))
	}
	for _, in := range d.Incomes {
		if in.Amount <= 0 {
			continue
		}
		out = append(out, minaDeclared(in.key(), bistand.FactIncome, map[string]any{"type": in.Type, "person": in.Person, "amount": in.Amount}))
	}
	if d.Dwelling != 0 && d.Dwelling != d.included() {
		out = append(out, minaDeclared("dwelling_size", bistand.FactDwellingSize, map[string]any{"value": d.Dwelling}))
	}
	if b.HasMonths {
		out = append(out, minaDeclared("months_on_assistance", bistand.FactMonthsOnAssistance, map[string]any{"value": b.Months}))
	}
	return append(out, b.Carry...)
}

// minaIncomeRow is one income line of the form: last month's incomes
// first (their type and person fixed), then those added.
type minaIncomeLine struct {
	Type, Person string
	Prev, Cur    bistand.Money
	HadPrev      bool
}

// minaIncomeLines lists the incomes of last month's and this month's
// declarations, each once.
func minaIncomeLines(prev, cur minaDecl) []minaIncomeLine {
	var out []minaIncomeLine
	for _, in := range prev.Incomes {
		l := minaIncomeLine{Type: in.Type, Person: in.Person, Prev: in.Amount, HadPrev: true}
		if c, ok := cur.income(in.key()); ok {
			l.Cur = c.Amount
		}
		out = append(out, l)
	}
	for _, in := range cur.Incomes {
		if _, ok := prev.income(in.key()); !ok {
			out = append(out, minaIncomeLine{Type: in.Type, Person: in.Person, Cur: in.Amount})
		}
	}
	return out
}

// minaBlankIncomes is how many empty income lines the form offers.
const minaBlankIncomes = 2

// minaMaxIncomeLines bounds the income lines read from a form.
const minaMaxIncomeLines = 60

// minaAmountText writes an amount for an input: "7200", "7200,50".
func minaAmountText(m bistand.Money) string {
	if m == 0 {
		return ""
	}
	return strings.Replace(m.Decimal(), ".", ",", 1)
}

// minaParseAmount reads an amount of kronor as people type it ("7 200",
// "7200,50", "7200 kr"); "" is none. The error is a message key.
func minaParseAmount(raw string) (bistand.Money, string) {
	v := strings.TrimSpace(raw)
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(v, "kr"), "KR"))
	v = strings.TrimSuffix(v, ":-")
	v = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "−", "-").Replace(v)
	if v == "" {
		return 0, ""
	}
	if strings.Count(v, ",") == 1 && !strings.Contains(v, ".") {
		v = strings.Replace(v, ",", ".", 1)
	}
	m, err := bistand.ParseKronor(v)
	if err != nil {
		return 0, "mina.err.amount"
	}
	if m < 0 {
		return 0, "mina.err.negative"
	}
	return m, ""
}

// minaFieldErr is an error in a form field (a message key, translated
// when shown).
type minaFieldErr struct {
	Field string
	Key   string
}

// minaParseDecl reads the declaration a form posts; errs lists the fields
// in error, in the form's order.
func minaParseDecl(form url.Values, b *minaBase) (d minaDecl, errs []minaFieldErr) {
	d.Costs = map[string]minaCostDecl{}
	for _, m := range b.Case.Members {
		md := minaMemberDecl{PersonID: m.PersonID, Role: m.Role, Included: true}
		if m.Role == "child" {
			md.Included = form.Get("member_"+m.PersonID) == "1"
			md.LunchElsewhere = form.Get("lunch_"+m.PersonID) == "1"
			md.InSchool = form.Get("school_"+m.PersonID) == "1"
		}
		d.Members = append(d.Members, md)
	}
	if v := strings.TrimSpace(form.Get("dwelling")); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1 || n > rules.MaxDwellingSize:
			errs = append(errs, minaFieldErr{"dwelling", "mina.err.dwelling"})
		case n < d.included():
			errs = append(errs, minaFieldErr{"dwelling", "mina.err.dwelling.few"})
		case n != d.included():
			d.Dwelling = n
		}
	}
	for _, t := range rules.CostTypes() {
		field := "cost_" + t.String()
		m, key := minaParseAmount(form.Get(field))
		if key != "" {
			errs = append(errs, minaFieldErr{field, key})
			continue
		}
		if m > 0 {
			d.Costs[t.String()] = minaCostDecl{Amount: m}
		}
	}
	motivation := strings.TrimSpace(form.Get("cost_other_motivation"))
	if c, ok := d.Costs["other"]; ok {
		switch {
		case motivation == "":
			errs = append(errs, minaFieldErr{"cost_other_motivation", "mina.err.motivation"})
		case len(motivation) > 500:
			errs = append(errs, minaFieldErr{"cost_other_motivation", "mina.err.motivation.long"})
		default:
			c.Motivation = motivation
			d.Costs["other"] = c
		}
	}
	n, _ := strconv.Atoi(form.Get("inc_n"))
	n = min(max(n, 0), minaMaxIncomeLines)
	for i := range n {
		prefix := "inc_" + strconv.Itoa(i) + "_"
		m, key := minaParseAmount(form.Get(prefix + "amount"))
		if key != "" {
			errs = append(errs, minaFieldErr{prefix + "amount", key})
			continue
		}
		if m == 0 {
			continue
		}
		in := minaIncomeDecl{Type: form.Get(prefix + "type"), Person: form.Get(prefix + "person"), Amount: m}
		if _, ok := rules.ParseIncomeType(in.Type); !ok {
			errs = append(errs, minaFieldErr{prefix + "type", "mina.err.income.type"})
			continue
		}
		if md, ok := d.member(in.Person); !ok || !md.Included {
			errs = append(errs, minaFieldErr{prefix + "person", "mina.err.income.person"})
			continue
		}
		if _, dup := d.income(in.key()); dup {
			errs = append(errs, minaFieldErr{prefix + "amount", "mina.err.income.dup"})
			continue
		}
		d.Incomes = append(d.Incomes, in)
	}
	return d, errs
}

// minaDeclValues are a declaration's form fields, as the form posts them.
func minaDeclValues(b *minaBase, d minaDecl) url.Values {
	v := url.Values{}
	v.Set("case", b.Case.ID)
	v.Set("month", b.Month.String())
	for _, m := range d.Members {
		if m.Role != "child" {
			continue
		}
		if m.Included {
			v.Set("member_"+m.PersonID, "1")
		}
		if m.LunchElsewhere {
			v.Set("lunch_"+m.PersonID, "1")
		}
		if m.InSchool {
			v.Set("school_"+m.PersonID, "1")
		}
	}
	v.Set("dwelling", strconv.Itoa(d.dwelling()))
	for _, t := range rules.CostTypes() {
		if c, ok := d.Costs[t.String()]; ok && c.Amount > 0 {
			v.Set("cost_"+t.String(), minaAmountText(c.Amount))
			if t == rules.OtherCost {
				v.Set("cost_other_motivation", c.Motivation)
			}
		}
	}
	lines := minaIncomeLines(b.Decl, d)
	for i, l := range lines {
		prefix := "inc_" + strconv.Itoa(i) + "_"
		v.Set(prefix+"type", l.Type)
		v.Set(prefix+"person", l.Person)
		v.Set(prefix+"amount", minaAmountText(l.Cur))
	}
	v.Set("inc_n", strconv.Itoa(len(lines)+minaBlankIncomes))
	return v
}

// minaChange is one difference from last month's declaration.
type minaChange struct {
	Field    string // the form field, for the link
	What     string
	From, To string
}

// minaChanges lists how the declaration differs from last month's, and
// the fields that differ.
func minaChanges(lang string, b *minaBase, d minaDecl) ([]minaChange, map[string]bool) {
	var out []minaChange
	changed := map[string]bool{}
	add := func(field, what, from, to string) {
		out = append(out, minaChange{Field: field, What: what, From: from, To: to})
		changed[field] = true
	}
	yes := func(v bool) string {
		if v {
			return tr(lang, "mina.yes")
		}
		return tr(lang, "mina.no")
	}
	if b.Prev == nil {
		return nil, changed
	}
	for _, m := range d.Members {
		pm, _ := b.Decl.member(m.PersonID)
		name := minaName(b.People, lang, m.PersonID)
		if pm.Included != m.Included {
			add("member_"+m.PersonID, tr(lang, "mina.change.member", name), yes(pm.Included), yes(m.Included))
		}
		if pm.LunchElsewhere != m.LunchElsewhere {
			add("lunch_"+m.PersonID, tr(lang, "mina.change.lunch", name), yes(pm.LunchElsewhere), yes(m.LunchElsewhere))
		}
		if pm.InSchool != m.InSchool {
			add("school_"+m.PersonID, tr(lang, "mina.change.school", name), yes(pm.InSchool), yes(m.InSchool))
		}
	}
	if b.Decl.dwelling() != d.dwelling() {
		add("dwelling", tr(lang, "mina.form.dwelling"), strconv.Itoa(b.Decl.dwelling()), strconv.Itoa(d.dwelling()))
	}
	amount := func(m bistand.Money) string {
		if m == 0 {
			return tr(lang, "mina.none")
		}
		return formatKronor(m)
	}
	for _, t := range rules.CostTypes() {
		p, c := b.Decl.Costs[t.String()], d.Costs[t.String()]
		if p.Amount != c.Amount {
			add("cost_"+t.String(), tr(lang, "mina.cost."+t.String()), amount(p.Amount), amount(c.Amount))
		}
		if t == rules.OtherCost && c.Amount > 0 && p.Motivation != c.Motivation {
			add("cost_other_motivation", tr(lang, "mina.form.motivation"), p.Motivation, c.Motivation)
		}
	}
	for i, l := range minaIncomeLines(b.Decl, d) {
		if l.Prev != l.Cur {
			add("inc_"+strconv.Itoa(i)+"_amount", tr(lang, "mina.income.of", tr(lang, "mina.income."+l.Type), minaName(b.People, lang, l.Person)),
				amount(l.Prev), amount(l.Cur))
		}
	}
	return out, changed
}

// --- the form's view ---

type minaApplyView struct {
	CaseID                               string
	Month                                string
	MonthText                            string
	PrevMonthText                        string // "" when the household has not applied before
	Confirm                              bool
	Members                              []minaMemberRow
	Dwelling                             string
	Costs                                []minaCostRow
	Motivation                           string
	Incomes                              []minaIncomeRow
	IncN                                 int
	IncomeTypes                          []minaOption
	Persons                              []minaOption
	Errors                               []minaErrView
	Err                                  map[string]string // field → message
	Changes                              []minaChange
	Changed                              map[string]bool
	DwellingChanged, MotivationChanged   bool
	DwellingErr, MotivationErr, IntygErr string
	Hidden                               []minaOption // the confirm step's fields (Value: name, Label: value)
	// Action is where the form posts; Correct is set when the household
	// corrects an application in answer to a supplement request (PrevKey
	// then says "now in the application" instead of "last application").
	Action    string
	Back      string
	Correct   bool
	PrevKey   string
	Message   string
	CoSigners []string // the other adults, who sign after
	Carried   bool     // facts not on the form are declared again
}

type minaOption struct {
	Value, Label string
	Selected     bool
}

type minaErrView struct {
	Field, Text string
}

type minaMemberRow struct {
	ID, Name, RoleText                           string
	Child, Included, Lunch, School               bool
	ShowLunch, ShowSchool                        bool
	Age                                          int
	IncludedField, LunchField, SchoolField       string
	Changed                                      bool
	IncludedChanged, LunchChanged, SchoolChanged bool
}

type minaCostRow struct {
	Type, Field, Label, Value, Prev string
	Amount                          bistand.Money
	Changed                         bool
	Err                             string
	Describe                        string // the ids describing the input
}

type minaIncomeRow struct {
	Index                               int
	FieldType, FieldPerson, FieldAmount string
	Type, Person, TypeLabel, PersonName string
	Value, Prev                         string
	Amount                              bistand.Money
	Fixed                               bool // last month's income: type and person are not changed here
	Blank                               bool
	Changed                             bool
	Err, TypeErr, PersonErr             string
	Describe                            string
}

// minaDescribe joins the ids of a field's hint (if any) and error (if any).
func minaDescribe(field string, hint bool, err string) string {
	var ids []string
	if hint {
		ids = append(ids, field+"-hint")
	}
	if err != "" {
		ids = append(ids, field+"-error")
	}
	return strings.Join(ids, " ")
}

// minaApplyView builds the form (or, confirm, the confirm step) from the
// posted values vals and the declaration they parse to.
func (s *Server) minaApplyView(lang string, p *Principal, b *minaBase, mode minaMode, vals url.Values, d minaDecl, errs []minaFieldErr, confirm bool) minaApplyView {
	v := minaApplyView{CaseID: b.Case.ID, Month: b.Month.String(), MonthText: minaMonthText(lang, b.Month), Confirm: confirm,
		Action: mode.action(), Correct: mode.AppID != "", PrevKey: "mina.form.prev", Message: vals.Get("message"),
		Dwelling: vals.Get("dwelling"), Motivation: vals.Get("cost_other_motivation"), Err: map[string]string{}, Carried: len(b.Carry) > 0}
	if b.Prev != nil {
		v.PrevMonthText = minaMonthText(lang, b.Prev.Month)
	}
	for _, e := range errs {
		text := tr(lang, e.Key)
		v.Errors = append(v.Errors, minaErrView{Field: e.Field, Text: text})
		v.Err[e.Field] = text
	}
	v.Changes, v.Changed = minaChanges(lang, b, d)
	v.DwellingChanged, v.MotivationChanged = v.Changed["dwelling"], v.Changed["cost_other_motivation"]
	v.DwellingErr, v.MotivationErr, v.IntygErr = v.Err["dwelling"], v.Err["cost_other_motivation"], v.Err["intyg"]
	for _, m := range d.Members {
		per := b.People[m.PersonID]
		row := minaMemberRow{ID: m.PersonID, Name: minaName(b.People, lang, m.PersonID), RoleText: tr(lang, "mina.role."+m.Role),
			Child: m.Role == "child", Included: m.Included, Lunch: m.LunchElsewhere, School: m.InSchool, Age: per.Age,
			IncludedField: "member_" + m.PersonID, LunchField: "lunch_" + m.PersonID, SchoolField: "school_" + m.PersonID}
		row.IncludedChanged, row.LunchChanged, row.SchoolChanged = v.Changed[row.IncludedField], v.Changed[row.LunchField], v.Changed[row.SchoolField]
		row.Changed = row.IncludedChanged || row.LunchChanged || row.SchoolChanged
		row.ShowLunch = row.Child && (per.Age < 0 || per.Age <= 6 || m.LunchElsewhere)
		row.ShowSchool = row.Child && (per.Age < 0 || per.Age >= 18 || m.InSchool)
		if m.PersonID == p.PersonID {
			row.Name = tr(lang, "mina.you", row.Name)
		}
		v.Members = append(v.Members, row)
		if m.Included {
			v.Persons = append(v.Persons, minaOption{Value: m.PersonID, Label: row.Name})
		}
		if minaAdult(m.Role) && m.PersonID != p.PersonID {
			v.CoSigners = append(v.CoSigners, minaName(b.People, lang, m.PersonID))
		}
	}
	for _, t := range rules.CostTypes() {
		row := minaCostRow{Type: t.String(), Field: "cost_" + t.String(), Label: tr(lang, "mina.cost."+t.String()), Value: vals.Get("cost_" + t.String()),
			Amount: d.Costs[t.String()].Amount}
		if pc, ok := b.Decl.Costs[t.String()]; ok && b.Prev != nil {
			row.Prev = formatKronor(pc.Amount)
		}
		row.Changed, row.Err = v.Changed[row.Field], v.Err[row.Field]
		row.Describe = minaDescribe(row.Field, row.Prev != "", row.Err)
		v.Costs = append(v.Costs, row)
	}
	for _, t := range rules.IncomeTypes() {
		v.IncomeTypes = append(v.IncomeTypes, minaOption{Value: t.String(), Label: tr(lang, "mina.income."+t.String())})
	}
	// The income lines as posted (indices kept, so errors point at the
	// right line), with blank lines to add to.
	n, _ := strconv.Atoi(vals.Get("inc_n"))
	n = min(max(n, 0), minaMaxIncomeLines)
	trailing := 0
	for i := range n {
		prefix := "inc_" + strconv.Itoa(i) + "_"
		row := minaIncomeRow{Index: i, FieldType: prefix + "type", FieldPerson: prefix + "person", FieldAmount: prefix + "amount",
			Type: vals.Get(prefix + "type"), Person: vals.Get(prefix + "person"), Value: vals.Get(prefix + "amount")}
		if prev, ok := b.Decl.income(collect.IncomeKey(row.Type, row.Person)); ok && b.Prev != nil {
			row.Fixed, row.Prev = true, formatKronor(prev.Amount)
		}
		if cur, ok := d.income(collect.IncomeKey(row.Type, row.Person)); ok {
			row.Amount = cur.Amount
		}
		row.TypeLabel = tr(lang, "mina.income."+row.Type)
		row.PersonName = minaName(b.People, lang, row.Person)
		row.Blank = !row.Fixed && strings.TrimSpace(row.Value) == ""
		row.Changed = v.Changed[row.FieldAmount]
		row.Err, row.TypeErr, row.PersonErr = v.Err[row.FieldAmount], v.Err[row.FieldType], v.Err[row.FieldPerson]
		row.Describe = minaDescribe(row.FieldAmount, row.Fixed, row.Err)
		if row.Blank {
			trailing++
		} else {
			trailing = 0
		}
		v.Incomes = append(v.Incomes, row)
	}
	for i := n; trailing < minaBlankIncomes && i < minaMaxIncomeLines; i++ {
		prefix := "inc_" + strconv.Itoa(i) + "_"
		v.Incomes = append(v.Incomes, minaIncomeRow{Index: i, FieldType: prefix + "type", FieldPerson: prefix + "person", FieldAmount: prefix + "amount", Blank: true})
		trailing++
	}
	v.IncN = len(v.Incomes)
	v.Back = "/mina"
	if v.Correct {
		v.PrevKey, v.CoSigners, v.Back = "mina.fix.now", nil, "/mina/ansokan/"+mode.AppID
	}
	if confirm {
		canon := minaDeclValues(b, d)
		keys := make([]string, 0, len(canon))
		for k := range canon {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v.Hidden = append(v.Hidden, minaOption{Value: k, Label: canon.Get(k)})
		}
	}
	return v
}

// --- handlers ---

func (s *Server) minaApplyForm(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx, lang := r.Context(), langOf(r)
	caseID := r.URL.Query().Get("case")
	if caseID == "" {
		cases, err := s.cfg.Store.CasesOfPerson(ctx, p.PersonID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if len(cases) != 1 {
			http.Redirect(w, r, "/mina", http.StatusSeeOther)
			return
		}
		caseID = cases[0]
	}
	b, err := s.minaBaseFor(ctx, lang, p, caseID, s.minaMonth())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !minaAdult(minaRole(b.Case, p.PersonID)) {
		s.fail(w, r, bistand.ErrForbidden)
		return
	}
	if b.Existing != nil {
		redirectFlash(w, r, "/mina/ansokan/"+b.Existing.ID, "msg.mina.already")
		return
	}
	s.render(w, r, http.StatusOK, "app_apply.html", s.minaApplyView(lang, p, b, minaMode{}, minaDeclValues(b, b.Decl), b.Decl, nil, false))
}

func (s *Server) minaApplyPost(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx, lang := r.Context(), langOf(r)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errors.Join(bistand.ErrInvalid, err))
		return
	}
	month := s.minaMonth()
	caseID := r.PostForm.Get("case")
	if r.PostForm.Get("month") != month.String() {
		// The month turned while the form was open: start again.
		redirectFlash(w, r, "/mina/ansok?case="+url.QueryEscape(caseID), "msg.mina.newmonth")
		return
	}
	b, err := s.minaBaseFor(ctx, lang, p, caseID, month)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !minaAdult(minaRole(b.Case, p.PersonID)) {
		s.fail(w, r, bistand.ErrForbidden)
		return
	}
	if b.Existing != nil {
		redirectFlash(w, r, "/mina/ansokan/"+b.Existing.ID, "msg.mina.already")
		return
	}
	d, ok := s.minaFormSteps(w, r, p, b, minaMode{})
	if !ok {
		return
	}
	a, err := s.minaSubmit(ctx, p, b, d)
	if errors.Is(err, bistand.ErrConflict) {
		redirectFlash(w, r, "/mina", "msg.mina.already")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	flash := "msg.mina.submitted"
	if a.State == bistand.Draft {
		flash = "msg.mina.waiting"
	}
	redirectFlash(w, r, "/mina/ansokan/"+a.ID, flash)
}

// minaMode is what the declaration form is for: applying for the month,
// or (AppID set) correcting an application in answer to a supplement
// request.
type minaMode struct {
	AppID string
}

func (m minaMode) action() string {
	if m.AppID != "" {
		return "/mina/ansokan/" + m.AppID + "/andra"
	}
	return "/mina/ansok"
}

// minaFormSteps runs the posted form's step: back to the form ("edit"),
// the form again with its errors, the confirm step ("review"), or, on a
// confirmed and signed form within the rate limit, ok with the
// declaration for the caller to store. Otherwise it has answered.
func (s *Server) minaFormSteps(w http.ResponseWriter, r *http.Request, p *Principal, b *minaBase, mode minaMode) (minaDecl, bool) {
	lang := langOf(r)
	d, errs := minaParseDecl(r.PostForm, b)
	step := r.PostForm.Get("step")
	switch {
	case step == "edit":
		s.render(w, r, http.StatusOK, "app_apply.html", s.minaApplyView(lang, p, b, mode, r.PostForm, d, nil, false))
		return d, false
	case len(errs) > 0:
		s.render(w, r, http.StatusUnprocessableEntity, "app_apply.html", s.minaApplyView(lang, p, b, mode, r.PostForm, d, errs, false))
		return d, false
	case step != "confirm":
		s.render(w, r, http.StatusOK, "app_apply.html", s.minaApplyView(lang, p, b, mode, minaDeclValues(b, d), d, nil, true))
		return d, false
	}
	if len(r.PostForm.Get("message")) > sqlstore.MaxSupplementMessage {
		errs = append(errs, minaFieldErr{"message", "mina.err.supplement.long"})
	}
	if r.PostForm.Get("intyg") != "1" {
		errs = append(errs, minaFieldErr{"intyg", "mina.err.intyg"})
	}
	if len(errs) > 0 {
		vals := minaDeclValues(b, d)
		vals.Set("message", r.PostForm.Get("message"))
		s.render(w, r, http.StatusUnprocessableEntity, "app_apply.html", s.minaApplyView(lang, p, b, mode, vals, d, errs, true))
		return d, false
	}
	if !s.submRL.allow(clientKey(r)) {
		s.tooMany(w, r)
		return d, false
	}
	return d, true
}

// minaSubmit applies with the declaration and the person's signature: the
// application is submitted, with the robot's collect step, when theirs is
// the only signature needed; otherwise it waits for the other adult's.
func (s *Server) minaSubmit(ctx context.Context, p *Principal, b *minaBase, d minaDecl) (bistand.Application, error) {
	return s.cfg.Store.ApplyForMonth(ctx, p.Actor(), b.Case.ID, b.Month, d.facts(b), s.minaSignature(p, b.Case.ID, b.Month),
		func(a bistand.Application) []sqlstore.Job { return []sqlstore.Job{robot.Job(robot.StepCollect, a.ID)} })
}
