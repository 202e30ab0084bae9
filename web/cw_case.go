package web

// The case view: the household, the facts in force with where each came
// from, the findings to resolve, the calculation with its full trace, the
// decisions, history, attachments, notifications, meetings and the forms
// that act on the case.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

type cwMember struct {
	PersonID  string
	Role      string // message key
	RoleID    string
	Age       int
	AgeKnown  bool
	Name      string
	Protected bool
	Address   []string
}

type cwFact struct {
	Key        string
	Kind       string
	What       string
	Provenance string // message key
	ProvID     string
	Source     string
	Reference  string
	Observed   time.Time
	Who        string
	Reason     string
	Recorded   time.Time
	Editable   bool
	Anchor     string
	Retracted  bool
}

type cwKV struct{ Key, Value string }

type cwFinding struct {
	bistand.Finding
	Label      string
	Data       []cwKV
	FactLinks  []cwKV // key, anchor
	By         string
	ResolvedBy string
}

type cwCalcRow struct {
	Type    string // "head", "line" or "sum"
	Section string // message key (head, sum)
	Line    rules.Line
	Person  string
	Status  string
	Total   bistand.Money
}

type cwDecision struct {
	bistand.Decision
	Outcome    string // message key
	By         string
	ApprovedBy string
}

type cwProposal struct {
	bistand.Proposal
	Outcome  string
	By       string
	Reviewer string
	Own      bool
}

type cwTransition struct {
	bistand.Transition
	FromLabel, ToLabel, Who string
}

type cwAttachment struct {
	bistand.Attachment
	By string
}

type cwMeeting struct {
	sqlstore.Meeting
	Start  string
	Kind   string // message key
	Status string // message key
	Who    string
	Mine   bool
	Past   bool
}

type cwPrefill struct {
	Key, Kind, CostType, IncomeType, Person, Amount, Value string
}

type cwCasePage struct {
	Case        bistand.Case
	Members     []cwMember
	Adults      []cwMember
	Protected   bool
	Apps        []bistand.Application
	App         *bistand.Application
	AppState    string
	Facts       []cwFact
	Earlier     []cwFact
	Open        []cwFinding
	Resolved    []cwFinding
	Calc        *rules.Result
	CalcRows    []cwCalcRow
	CalcErr     string
	Decisions   []cwDecision
	Proposals   []cwProposal
	Pending     *cwProposal
	Transitions []cwTransition
	Attachments []cwAttachment
	Notices     []bistand.Notification
	Meetings    []cwMeeting
	LastMet     string
	Assignee    string
	Mine        bool
	Unit        string
	FourEyes    bistand.Money
	CanDecide   bool
	DecideWhy   string
	CanSuppl    bool
	IsRandom    bool
	Due         string
	SupplDays   int
	Today       string
	Form        cwForm
	CostTypes   []cwOption
	IncomeTypes []cwOption
	Edit        cwPrefill
	MeetingKind []string
	Outcomes    []string
}

// cwCasePage is GET /handlaggning/arende/{id}: the case with its latest
// application (or the one ?ansokan= names).
func (s *Server) cwCasePage(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	c, err := s.staffCase(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	apps, err := s.cfg.Store.CaseApplications(ctx, c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var app *bistand.Application
	if len(apps) > 0 {
		app = &apps[0]
	}
	if id := r.URL.Query().Get("ansokan"); id != "" {
		app = nil
		for i := range apps {
			if apps[i].ID == id {
				app = &apps[i]
			}
		}
		if app == nil {
			s.fail(w, r, errHidden)
			return
		}
	}
	s.cwRenderCase(w, r, p, c, app, http.StatusOK, cwForm{})
}

// cwApplicationPage is GET /handlaggning/ansokan/{id}: the case view with
// that application.
func (s *Server) cwApplicationPage(w http.ResponseWriter, r *http.Request, p *Principal) {
	a, c, err := s.staffApplication(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cwRenderCase(w, r, p, c, &a, http.StatusOK, cwForm{})
}

func (s *Server) cwRenderCase(w http.ResponseWriter, r *http.Request, p *Principal, c bistand.Case, app *bistand.Application, status int, form cwForm) {
	data, err := s.cwCaseData(r.Context(), p, c, app, form, r.URL.Query(), langOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "cw_case.html", data)
}

// cwReshow shows the application's case view again with a refused form.
func (s *Server) cwReshow(w http.ResponseWriter, r *http.Request, p *Principal, appID string, form cwForm, err error) {
	ce, ok := err.(*cwError)
	if !ok {
		s.fail(w, r, err)
		return
	}
	a, c, lerr := s.staffApplication(r.Context(), p, appID)
	if lerr != nil {
		s.fail(w, r, lerr)
		return
	}
	form.Field, form.Msg, form.Values = ce.Field, ce.message(langOf(r)), r.PostForm
	s.cwRenderCase(w, r, p, c, &a, ce.Status, form)
}

// cwCaseData gathers everything the case view shows.
func (s *Server) cwCaseData(ctx context.Context, p *Principal, c bistand.Case, app *bistand.Application, form cwForm, q url.Values, lang string) (*cwCasePage, error) {
	st := s.cfg.Store
	today := s.today()
	d := &cwCasePage{Case: c, App: app, Form: form, Unit: p.Staff.Unit, Today: today.String(), SupplDays: s.cfg.SupplementDays,
		Due: today.AddDays(s.cfg.SupplementDays).String(), MeetingKind: meetingKinds,
		Outcomes: []string{string(bistand.OutcomeApproved), string(bistand.OutcomePartlyApproved), string(bistand.OutcomeRejected)}}
	staff := s.staffNames(ctx)
	apps, err := st.CaseApplications(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	d.Apps = apps

	// The household: names from the population register's contact facts;
	// no address at all when anyone in it is protected.
	var contacts map[string]sqlstore.ContactValue
	if app != nil {
		contacts, _ = st.Contacts(ctx, app.ID, s.cfg.Now())
	} else if len(apps) > 0 {
		contacts, _ = st.Contacts(ctx, apps[0].ID, s.cfg.Now())
	}
	people := map[string]string{}
	for _, m := range c.Members {
		mem := cwMember{PersonID: m.PersonID, RoleID: m.Role, Role: "cw.role." + m.Role}
		if per, err := st.Person(ctx, m.PersonID); err == nil {
			mem.Protected = per.Protected
			d.Protected = d.Protected || per.Protected
			if n, err := personnummer.ParseCanonical(per.Personnummer); err == nil {
				mem.Age, mem.AgeKnown = n.BirthDate().AgeOn(today), true
			}
		}
		if cv, ok := contacts[m.PersonID]; ok {
			mem.Name, mem.Address = cv.Name, cv.Address
		}
		people[m.PersonID] = mem.Name
		d.Members = append(d.Members, mem)
	}
	for i := range d.Members {
		if d.Protected {
			d.Members[i].Address = nil
		}
		if d.Members[i].RoleID != "child" {
			d.Adults = append(d.Adults, d.Members[i])
		}
	}
	nameOf := func(id string) string {
		if n := people[id]; n != "" {
			return n
		}
		return id
	}
	who := func(a bistand.Actor) string { return actorName(lang, a, staff, people) }

	// The assignment.
	as, err := s.caseUnit(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	d.Assignee, d.Mine = staff[as.Assignee], as.Assignee == p.Staff.ID
	if d.Assignee == "" {
		d.Assignee = as.Assignee
	}

	// Meetings.
	ms, err := st.Meetings(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	now := s.localNow()
	for _, m := range ms {
		d.Meetings = append(d.Meetings, cwMeeting{Meeting: m, Start: strings.Replace(m.StartsAt, "T", " ", 1), Kind: "cw.mkind." + m.Kind,
			Status: "cw.mstatus." + m.Status, Who: nameOr(staff[m.Caseworker], m.Caseworker), Mine: m.Caseworker == p.Staff.ID, Past: m.StartsAt < now})
	}
	if last, ok, err := st.LastMet(ctx, c.ID); err != nil {
		return nil, err
	} else if ok {
		d.LastMet = strings.Replace(last, "T", " ", 1)
	}

	for _, t := range rules.CostTypes() {
		d.CostTypes = append(d.CostTypes, cwOption{Value: t.String(), Label: tr(lang, "cw.cost."+t.String())})
	}
	for _, t := range rules.IncomeTypes() {
		d.IncomeTypes = append(d.IncomeTypes, cwOption{Value: t.String(), Label: tr(lang, "cw.income."+t.String())})
	}
	if app == nil {
		return d, nil
	}
	d.AppState = stateLabel(lang, app.State)

	// Facts, with where each came from.
	all, err := st.Facts(ctx, app.ID)
	if err != nil {
		return nil, err
	}
	inForce := map[string]string{} // key → fact id in force
	for _, f := range sqlstore.Effective(all) {
		inForce[f.Key] = f.ID
	}
	for i := len(all) - 1; i >= 0; i-- {
		f := all[i]
		cf := s.cwFactOf(lang, f, d.Protected, nameOf, who)
		if inForce[f.Key] == f.ID {
			d.Facts = append(d.Facts, cf)
		} else {
			d.Earlier = append(d.Earlier, cf)
		}
	}
	sort.SliceStable(d.Facts, func(i, j int) bool { return factOrder(d.Facts[i].Kind) < factOrder(d.Facts[j].Kind) })
	if key := q.Get("andra"); key != "" {
		for _, f := range sqlstore.Effective(all) {
			if f.Key == key {
				d.Edit = prefillOf(f)
			}
		}
	}

	// Findings.
	fs, err := st.Findings(ctx, app.ID, "")
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		cf := cwFinding{Finding: f, Label: kindLabel(lang, f.Kind), By: who(f.CreatedBy), ResolvedBy: who(f.ResolvedBy)}
		cf.Data, cf.FactLinks = findingData(f.Data, nameOf)
		if f.Status == bistand.FindingOpen {
			d.Open = append(d.Open, cf)
		} else {
			d.Resolved = append(d.Resolved, cf)
		}
	}

	// The calculation, with its trace.
	if h, _, err := st.Household(ctx, app.ID); err != nil {
		d.CalcErr = err.Error()
	} else if res, err := s.cfg.Rules.Calculate(h, rules.Options{Trace: true}); err != nil {
		d.CalcErr = err.Error()
	} else {
		d.Calc = res
		d.CalcRows = calcRows(lang, res, nameOf)
	}
	if pol, err := s.cfg.Rules.Policy(c.Municipality, app.Month); err == nil {
		d.FourEyes = pol.FourEyesAbove
	}

	// Decisions and proposals.
	decs, err := st.Decisions(ctx, app.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range decs {
		cd := cwDecision{Decision: x, Outcome: "cw.outcome." + string(x.Outcome), By: who(x.DecidedBy)}
		if x.ApprovedBy.Valid() {
			cd.ApprovedBy = who(x.ApprovedBy)
		}
		d.Decisions = append(d.Decisions, cd)
	}
	props, err := st.Proposals(ctx, app.ID, "")
	if err != nil {
		return nil, err
	}
	for _, x := range props {
		cp := cwProposal{Proposal: x, Outcome: "cw.outcome." + string(x.Outcome), By: who(x.ProposedBy), Own: x.ProposedBy == p.Actor()}
		if x.ReviewedBy.Valid() {
			cp.Reviewer = who(x.ReviewedBy)
		}
		d.Proposals = append(d.Proposals, cp)
	}
	for i := range d.Proposals {
		if d.Proposals[i].Status == bistand.ProposalPending {
			d.Pending = &d.Proposals[i]
		}
	}

	// History, attachments, notifications.
	trs, err := st.Transitions(ctx, app.ID)
	if err != nil {
		return nil, err
	}
	for i := len(trs) - 1; i >= 0; i-- {
		t := trs[i]
		d.Transitions = append(d.Transitions, cwTransition{Transition: t, FromLabel: stateLabel(lang, t.From), ToLabel: stateLabel(lang, t.To), Who: who(t.Actor)})
	}
	atts, err := st.Attachments(ctx, app.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		d.Attachments = append(d.Attachments, cwAttachment{Attachment: a, By: who(a.UploadedBy)})
	}
	if d.Notices, err = st.Notifications(ctx, app.ID); err != nil {
		return nil, err
	}

	// What can be done now.
	d.IsRandom = app.State == bistand.RandomCheck
	d.CanSuppl = app.State == bistand.Collecting || app.State == bistand.Assessed || app.State == bistand.RandomCheck
	if why := decideBlock(*app, len(d.Open), d.Pending != nil); why != nil {
		d.DecideWhy = why.(*cwError).message(lang)
	} else {
		d.CanDecide = true
	}
	return d, nil
}

// decideBlock says why the application cannot be decided now, or nil.
func decideBlock(a bistand.Application, open int, pending bool) error {
	switch {
	case a.State == bistand.Decided || a.State == bistand.Paid:
		return conflict("cw.err.decided")
	case open > 0:
		return conflict("cw.err.openfindings", open)
	case pending:
		return conflict("cw.err.pending")
	case a.State == bistand.RandomCheck:
		return conflict("cw.err.randomcheck")
	case a.State == bistand.Assessed, a.State == bistand.Expired && !a.SubmittedAt.IsZero():
		return nil
	}
	return conflict("cw.err.notdecidable", a.State.Swedish())
}

func nameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// factOrder orders the facts in force by kind: the household first.
func factOrder(kind string) int {
	order := []bistand.FactKind{bistand.FactMember, bistand.FactContact, bistand.FactDwellingSize, bistand.FactCost, bistand.FactIncome,
		bistand.FactAsset, bistand.FactMonthsOnAssistance, bistand.FactJobbstimulansSince, bistand.FactAFStatus, bistand.FactPayout, bistand.FactRandomCheck}
	for i, k := range order {
		if string(k) == kind {
			return i
		}
	}
	return len(order)
}

var factAnchorRepl = strings.NewReplacer(":", "-", " ", "-", "/", "-", "#", "-", "?", "-")

func factAnchor(key string) string { return "fact-" + factAnchorRepl.Replace(key) }

// cwFactOf describes a fact for the case view.
func (s *Server) cwFactOf(lang string, f bistand.Fact, protected bool, nameOf func(string) string, who func(bistand.Actor) string) cwFact {
	cf := cwFact{Key: f.Key, Kind: string(f.Kind), Provenance: "cw.prov." + string(f.Provenance), ProvID: string(f.Provenance),
		Source: f.Source, Reference: f.Reference, Observed: f.ObservedAt, Who: who(f.Actor), Reason: f.Reason, Recorded: f.RecordedAt,
		Anchor: factAnchor(f.Key), Retracted: f.Value == nil}
	switch f.Kind {
	case bistand.FactCost, bistand.FactIncome, bistand.FactDwellingSize:
		cf.Editable = f.Value != nil
	}
	if f.Value == nil {
		cf.What = tr(lang, "cw.fact.retracted")
		return cf
	}
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(f.Value))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		cf.What = string(f.Value)
		return cf
	}
	str := func(k string) string {
		if x, ok := v[k]; ok && x != nil {
			return fmt.Sprint(x)
		}
		return ""
	}
	money := func(k string) string {
		if m, err := parseAmount(str(k)); err == nil && m != nil {
			return formatKronor(*m)
		}
		return str(k)
	}
	switch f.Kind {
	case bistand.FactMember:
		cf.What = nameOr(nameOf(str("person_id")), str("person_id")) + ", " + tr(lang, "cw.role."+str("role"))
		if str("lunch_elsewhere") == "true" {
			cf.What += ", " + tr(lang, "cw.fact.lunch")
		}
		if str("in_school") == "true" {
			cf.What += ", " + tr(lang, "cw.fact.school")
		}
	case bistand.FactCost:
		cf.What = tr(lang, "cw.cost."+str("type")) + ": " + money("amount")
		if p := str("person"); p != "" {
			cf.What += " (" + nameOf(p) + ")"
		}
		if m := str("motivation"); m != "" {
			cf.What += " – " + m
		}
	case bistand.FactIncome:
		cf.What = tr(lang, "cw.income."+str("type")) + ": " + money("amount")
		if p := str("person"); p != "" {
			cf.What += " (" + nameOf(p) + ")"
		}
	case bistand.FactAsset:
		cf.What = str("type") + ": " + money("value")
		if dsc := str("description"); dsc != "" {
			cf.What += " – " + dsc
		}
	case bistand.FactDwellingSize:
		cf.What = tr(lang, "cw.fact.dwelling", str("value"))
	case bistand.FactMonthsOnAssistance:
		cf.What = tr(lang, "cw.fact.months", str("value"))
	case bistand.FactJobbstimulansSince:
		cf.What = tr(lang, "cw.fact.jobbstimulans", str("value"))
	case bistand.FactAFStatus:
		cf.What = tr(lang, "cw.fact.af", nameOf(strings.TrimPrefix(f.Key, "af:")), yesNo(lang, str("registered") == "true"), str("extent"), yesNo(lang, str("programme") == "true"))
	case bistand.FactRandomCheck:
		cf.What = tr(lang, "cw.fact.random", str("draw"), str("per_mille"), yesNo(lang, str("selected") == "true"))
	case bistand.FactContact:
		cf.What = str("name")
		if protected {
			cf.What += " – " + tr(lang, "cw.protected")
		} else if addr, ok := v["address"].([]any); ok && len(addr) > 0 {
			var parts []string
			for _, a := range addr {
				parts = append(parts, fmt.Sprint(a))
			}
			cf.What += ", " + strings.Join(parts, ", ")
		}
	case bistand.FactPayout:
		// The account number is shown by its last digits only: some are a
		// personnummer (personkonto).
		cf.What = tr(lang, "cw.fact.payout", str("name"))
		if acc, ok := v["account"].(map[string]any); ok {
			num := fmt.Sprint(acc["number"])
			if len(num) > 4 {
				num = "…" + num[len(num)-4:]
			}
			kind := fmt.Sprint(acc["kind"])
			if l := tr(lang, "cw.account."+kind); l != "cw.account."+kind {
				kind = l
			}
			cf.What += ": " + kind + " " + num
		}
		if sh := str("share_per_mille"); sh != "" && sh != "0" {
			cf.What += " (" + sh + " ‰)"
		}
	default:
		cf.What = sqlstore.RedactPersonnummer(string(f.Value))
	}
	return cf
}

func yesNo(lang string, b bool) string {
	if b {
		return tr(lang, "cw.yes")
	}
	return tr(lang, "cw.no")
}

// prefillOf fills the fact form from a fact in force, to change it.
func prefillOf(f bistand.Fact) cwPrefill {
	var v struct {
		Type   string          `json:"type"`
		Person string          `json:"person"`
		Amount json.RawMessage `json:"amount"`
		Value  json.RawMessage `json:"value"`
	}
	json.Unmarshal(f.Value, &v)
	p := cwPrefill{Key: f.Key, Kind: string(f.Kind), Person: v.Person}
	amount := string(v.Amount)
	if m, err := bistand.ParseKronor(amount); err == nil {
		amount = string(m.AppendSwedish(nil))
	}
	switch f.Kind {
	case bistand.FactCost:
		p.CostType, p.Amount = v.Type, amount
	case bistand.FactIncome:
		p.IncomeType, p.Amount = v.Type, amount
	case bistand.FactDwellingSize:
		p.Value = string(v.Value)
	}
	return p
}

// findingData lists the values behind a finding, and the facts it names.
func findingData(raw json.RawMessage, nameOf func(string) string) (kv, facts []cwKV) {
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		if len(raw) > 0 && string(raw) != "null" {
			kv = append(kv, cwKV{"data", sqlstore.RedactPersonnummer(string(raw))})
		}
		return kv, nil
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		x := v[k]
		if k == "facts" {
			if list, ok := x.([]any); ok {
				for _, f := range list {
					key := fmt.Sprint(f)
					facts = append(facts, cwKV{key, factAnchor(key)})
				}
				continue
			}
		}
		var val string
		switch t := x.(type) {
		case string:
			val = nameOf(t)
		case nil:
			val = "–"
		case json.Number, bool:
			val = fmt.Sprint(t)
		default:
			b, _ := json.Marshal(t)
			val = string(b)
		}
		kv = append(kv, cwKV{k, sqlstore.RedactPersonnummer(val)})
	}
	return kv, facts
}

// calcRows lays the trace out as a table: a heading per section, its
// lines, its total.
func calcRows(lang string, res *rules.Result, nameOf func(string) string) []cwCalcRow {
	totals := map[rules.Section]bistand.Money{rules.SectionNorm: res.NormTotal, rules.SectionCosts: res.CostsTotal, rules.SectionIncome: res.IncomeTotal}
	var out []cwCalcRow
	var section rules.Section
	closeSection := func() {
		if t, ok := totals[section]; ok {
			out = append(out, cwCalcRow{Type: "sum", Section: "cw.calc.sum." + string(section), Total: t})
		}
	}
	for _, l := range res.Lines {
		if l.Section != section {
			if section != "" {
				closeSection()
			}
			section = l.Section
			out = append(out, cwCalcRow{Type: "head", Section: "cw.calc.section." + string(section)})
		}
		row := cwCalcRow{Type: "line", Line: l}
		if l.Person != "" {
			row.Person = nameOf(l.Person)
		}
		if !l.Verified {
			row.Status = l.Status.Swedish()
			if lang == "en" {
				row.Status = string(l.Status)
			}
		}
		out = append(out, row)
	}
	if section != "" {
		closeSection()
	}
	return out
}

// cwAttachment is GET /handlaggning/ansokan/{id}/bilaga/{att}: an
// attachment, downloaded (never shown inline).
func (s *Server) cwAttachment(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	a, _, err := s.staffApplication(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sendAttachment(w, r, a.ID, r.PathValue("att"))
}
