package web

// The applicant's JSON API (/api/v1/applications, /api/v1/decisions):
// the same operations as the pages under /mina, for the logged-in
// applicant only, described in openapi/applicant.json.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

// minaAPIMaxBody bounds a JSON request body.
const minaAPIMaxBody = 1 << 20

type minaAPIApp struct {
	ID                string          `json:"id"`
	CaseID            string          `json:"case_id"`
	Month             bistand.Month   `json:"month"`
	State             bistand.State   `json:"state"`
	StateText         string          `json:"state_text"`
	NextStep          string          `json:"next_step"`
	SubmittedAt       *time.Time      `json:"submitted_at,omitempty"`
	SupplementDue     bistand.Date    `json:"supplement_due,omitzero"`
	SupplementRequest string          `json:"supplement_request,omitempty"`
	AwaitingSignature []string        `json:"awaiting_signature"`
	Signatures        []minaAPISig    `json:"signatures"`
	DecisionID        string          `json:"decision_id,omitempty"`
	Declaration       *minaAPIDecl    `json:"declaration,omitempty"`
	Attachments       []minaAPIAtt    `json:"attachments,omitempty"`
	Timeline          []minaAPIEvent  `json:"timeline,omitempty"`
	Changes           []minaAPIChange `json:"changes,omitempty"`
}

type minaAPISig struct {
	PersonID string    `json:"person_id"`
	Method   string    `json:"method"`
	SignedAt time.Time `json:"signed_at"`
}

type minaAPIDecl struct {
	Members      []minaAPIMember `json:"members"`
	DwellingSize int             `json:"dwelling_size"`
	Costs        []minaAPICost   `json:"costs"`
	Incomes      []minaAPIIncome `json:"incomes"`
}

type minaAPIMember struct {
	PersonID       string `json:"person_id"`
	Role           string `json:"role,omitempty"`
	Name           string `json:"name,omitempty"`
	LunchElsewhere bool   `json:"lunch_elsewhere"`
	InSchool       bool   `json:"in_school"`
}

type minaAPICost struct {
	Type       string        `json:"type"`
	Amount     bistand.Money `json:"amount"`
	Motivation string        `json:"motivation,omitempty"`
}

type minaAPIIncome struct {
	Type   string        `json:"type"`
	Person string        `json:"person"`
	Amount bistand.Money `json:"amount"`
}

type minaAPIAtt struct {
	ID          string    `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

type minaAPIEvent struct {
	At     time.Time     `json:"at"`
	From   bistand.State `json:"from"`
	To     bistand.State `json:"to"`
	Text   string        `json:"text"`
	Actor  string        `json:"actor"`
	Reason string        `json:"reason,omitempty"`
}

type minaAPIChange struct {
	Field string `json:"field"`
	What  string `json:"what"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// minaAPIApply is POST /api/v1/applications. A part left out (null) is
// as the household declared it last time; confirm false only checks and
// shows what would be sent.
type minaAPIApply struct {
	CaseID       string           `json:"case_id"`
	Month        bistand.Month    `json:"month"`
	Members      *[]minaAPIMember `json:"members"`
	DwellingSize *int             `json:"dwelling_size"`
	Costs        *[]minaAPICost   `json:"costs"`
	Incomes      *[]minaAPIIncome `json:"incomes"`
	Confirm      bool             `json:"confirm"`
}

// minaAPISupplement is POST /api/v1/applications/{id}/supplement as
// JSON: a message, and corrections of the declaration (each part left out
// stays as the application holds it).
type minaAPISupplement struct {
	Message      string           `json:"message"`
	Members      *[]minaAPIMember `json:"members"`
	DwellingSize *int             `json:"dwelling_size"`
	Costs        *[]minaAPICost   `json:"costs"`
	Incomes      *[]minaAPIIncome `json:"incomes"`
}

// minaAPIError answers an invalid request, naming its fields.
func minaAPIError(w http.ResponseWriter, status int, msg string, fields map[string]string) {
	body := map[string]any{"error": msg, "status": status}
	if len(fields) > 0 {
		body["fields"] = fields
	}
	writeJSON(w, status, body)
}

// minaDecodeJSON reads a JSON body strictly.
func minaDecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, minaAPIMaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %v", bistand.ErrInvalid, err)
	}
	return nil
}

func (s *Server) apiMinaList(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	cases, err := s.minaCases(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type canApply struct {
		CaseID string        `json:"case_id"`
		Month  bistand.Month `json:"month"`
	}
	out := struct {
		Applications []minaAPIApp `json:"applications"`
		CanApply     []canApply   `json:"can_apply"`
	}{Applications: []minaAPIApp{}, CanApply: []canApply{}}
	month := s.minaMonth()
	for _, c := range cases {
		apps, err := s.cfg.Store.CaseApplications(ctx, c.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		applied := false
		for _, a := range apps {
			applied = applied || (a.Month == month && minaActive(a))
			v, err := s.minaAPIAppOf(r, p, c, a, false)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			out.Applications = append(out.Applications, v)
		}
		if !applied && minaAdult(minaRole(c, p.PersonID)) {
			out.CanApply = append(out.CanApply, canApply{CaseID: c.ID, Month: month})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// minaAPIAppOf describes an application; full adds the declaration, the
// attachments and the timeline.
func (s *Server) minaAPIAppOf(r *http.Request, p *Principal, c bistand.Case, a bistand.Application, full bool) (minaAPIApp, error) {
	ctx, lang := r.Context(), langOf(r)
	v := minaAPIApp{ID: a.ID, CaseID: a.CaseID, Month: a.Month, State: a.State, StateText: minaStateText(lang, a.State),
		SupplementDue: a.SupplementDue, AwaitingSignature: []string{}, Signatures: []minaAPISig{}}
	if !a.SubmittedAt.IsZero() {
		t := a.SubmittedAt
		v.SubmittedAt = &t
	}
	people := s.minaPeople(ctx, lang, c, a.ID, a.Month)
	var waitingNames []string
	if a.State == bistand.Draft {
		ids, err := s.minaWaiting(ctx, c, a.ID)
		if err != nil {
			return v, err
		}
		v.AwaitingSignature = append(v.AwaitingSignature, ids...)
		for _, id := range ids {
			waitingNames = append(waitingNames, minaName(people, lang, id))
		}
	}
	v.NextStep = minaNext(lang, a, waitingNames)
	sigs, err := s.cfg.Store.Signatures(ctx, a.ID)
	if err != nil {
		return v, err
	}
	for _, sg := range sigs {
		v.Signatures = append(v.Signatures, minaAPISig{PersonID: sg.PersonID, Method: sg.Method, SignedAt: sg.SignedAt})
	}
	if d, err := s.cfg.Store.CurrentDecision(ctx, a.ID); err == nil {
		v.DecisionID = d.ID
	} else if !errors.Is(err, bistand.ErrNotFound) {
		return v, err
	}
	trs, err := s.cfg.Store.Transitions(ctx, a.ID)
	if err != nil {
		return v, err
	}
	if a.State == bistand.SupplementRequested {
		v.SupplementRequest = s.minaSupplementText(ctx, a.ID, trs)
	}
	if !full {
		return v, nil
	}
	all, err := s.cfg.Store.Facts(ctx, a.ID)
	if err != nil {
		return v, err
	}
	d, _, _, _ := minaDeclFromFacts(c, all)
	decl := minaAPIDeclOf(d, people)
	v.Declaration = &decl
	atts, err := s.cfg.Store.Attachments(ctx, a.ID)
	if err != nil {
		return v, err
	}
	for _, at := range atts {
		v.Attachments = append(v.Attachments, minaAPIAtt{ID: at.ID, Filename: at.Filename, ContentType: at.ContentType, Size: at.Size, UploadedAt: at.UploadedAt})
	}
	for _, t := range trs {
		e := minaAPIEvent{At: t.At, From: t.From, To: t.To, Text: tr(lang, "mina.event."+string(t.To)), Actor: string(t.Actor.Kind)}
		switch t.To {
		case bistand.SupplementRequested, bistand.Supplemented, bistand.Withdrawn, bistand.Expired, bistand.RandomCheck:
			e.Reason = t.Reason
		}
		v.Timeline = append(v.Timeline, e)
	}
	return v, nil
}

// minaAPIDeclOf is a declaration as the API shows it.
func minaAPIDeclOf(d minaDecl, people map[string]minaPerson) minaAPIDecl {
	out := minaAPIDecl{Members: []minaAPIMember{}, Costs: []minaAPICost{}, Incomes: []minaAPIIncome{}, DwellingSize: d.dwelling()}
	for _, m := range d.Members {
		if m.Included {
			out.Members = append(out.Members, minaAPIMember{PersonID: m.PersonID, Role: m.Role, Name: people[m.PersonID].Name,
				LunchElsewhere: m.LunchElsewhere, InSchool: m.InSchool})
		}
	}
	for _, t := range rules.CostTypes() {
		if c, ok := d.Costs[t.String()]; ok && c.Amount > 0 {
			out.Costs = append(out.Costs, minaAPICost{Type: t.String(), Amount: c.Amount, Motivation: c.Motivation})
		}
	}
	for _, in := range d.Incomes {
		if in.Amount > 0 {
			out.Incomes = append(out.Incomes, minaAPIIncome{Type: in.Type, Person: in.Person, Amount: in.Amount})
		}
	}
	return out
}

// minaAPIDeclFrom applies the request's parts to last month's
// declaration; fields names the parts in error.
func minaAPIDeclFrom(req minaAPIApply, b *minaBase) (minaDecl, map[string]string) {
	fields := map[string]string{}
	d := minaDecl{Dwelling: b.Decl.Dwelling, Costs: map[string]minaCostDecl{}}
	for k, c := range b.Decl.Costs {
		d.Costs[k] = c
	}
	d.Members = append(d.Members, b.Decl.Members...)
	d.Incomes = append(d.Incomes, b.Decl.Incomes...)
	if req.Members != nil {
		listed := map[string]minaAPIMember{}
		for i, m := range *req.Members {
			if minaRole(b.Case, m.PersonID) == "" {
				fields["members["+strconv.Itoa(i)+"].person_id"] = "not a member of the case"
				continue
			}
			if _, dup := listed[m.PersonID]; dup {
				fields["members["+strconv.Itoa(i)+"].person_id"] = "listed twice"
			}
			listed[m.PersonID] = m
		}
		for i := range d.Members {
			m, ok := listed[d.Members[i].PersonID]
			child := d.Members[i].Role == "child"
			d.Members[i].Included = ok || !child
			d.Members[i].LunchElsewhere = ok && child && m.LunchElsewhere
			d.Members[i].InSchool = ok && child && m.InSchool
		}
	}
	if req.DwellingSize != nil {
		d.Dwelling = *req.DwellingSize
	}
	switch {
	case d.Dwelling < 0 || d.Dwelling > rules.MaxDwellingSize:
		fields["dwelling_size"] = "must be between the number of members and " + strconv.Itoa(rules.MaxDwellingSize)
	case d.Dwelling != 0 && d.Dwelling < d.included():
		fields["dwelling_size"] = "fewer than the members applying"
	case d.Dwelling == d.included():
		d.Dwelling = 0
	}
	if req.Costs != nil {
		d.Costs = map[string]minaCostDecl{}
		for i, c := range *req.Costs {
			f := "costs[" + strconv.Itoa(i) + "]"
			_, ok := rules.ParseCostType(c.Type)
			switch {
			case !ok:
				fields[f+".type"] = "unknown cost type"
			case c.Amount < 0:
				fields[f+".amount"] = "must not be negative"
			case c.Type == "other" && c.Amount > 0 && strings.TrimSpace(c.Motivation) == "":
				fields[f+".motivation"] = "required for a cost of type other"
			case len(c.Motivation) > 500:
				fields[f+".motivation"] = "at most 500 characters"
			default:
				if _, dup := d.Costs[c.Type]; dup {
					fields[f+".type"] = "listed twice"
				} else if c.Amount > 0 {
					d.Costs[c.Type] = minaCostDecl{Amount: c.Amount, Motivation: strings.TrimSpace(c.Motivation)}
				}
			}
		}
	}
	if req.Incomes != nil {
		d.Incomes = nil
		for i, in := range *req.Incomes {
			f := "incomes[" + strconv.Itoa(i) + "]"
			_, ok := rules.ParseIncomeType(in.Type)
			md, member := d.member(in.Person)
			v := minaIncomeDecl{Type: in.Type, Person: in.Person, Amount: in.Amount}
			switch {
			case !ok:
				fields[f+".type"] = "unknown income type"
			case !member || !md.Included:
				fields[f+".person"] = "not a member applying"
			case in.Amount < 0:
				fields[f+".amount"] = "must not be negative"
			default:
				if _, dup := d.income(v.key()); dup {
					fields[f+".type"] = "the same income of the same person listed twice"
				} else if in.Amount > 0 {
					d.Incomes = append(d.Incomes, v)
				}
			}
		}
	} else {
		// Last month's incomes of a member no longer applying go with them.
		var kept []minaIncomeDecl
		for _, in := range d.Incomes {
			if md, ok := d.member(in.Person); ok && md.Included {
				kept = append(kept, in)
			}
		}
		d.Incomes = kept
	}
	return d, fields
}

func (s *Server) apiMinaApply(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx, lang := r.Context(), langOf(r)
	var req minaAPIApply
	if err := minaDecodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	month := s.minaMonth()
	if req.Month.IsZero() {
		req.Month = month
	}
	if req.Month != month {
		minaAPIError(w, http.StatusUnprocessableEntity, "applications are made for the current month, "+month.String(), map[string]string{"month": "must be " + month.String()})
		return
	}
	if req.CaseID == "" {
		minaAPIError(w, http.StatusUnprocessableEntity, "case_id is required", map[string]string{"case_id": "required"})
		return
	}
	b, err := s.minaBaseFor(ctx, lang, p, req.CaseID, month)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !minaAdult(minaRole(b.Case, p.PersonID)) {
		s.fail(w, r, bistand.ErrForbidden)
		return
	}
	if b.Existing != nil {
		minaAPIError(w, http.StatusConflict, "the household has applied for "+month.String()+" already: "+b.Existing.ID, nil)
		return
	}
	d, fields := minaAPIDeclFrom(req, b)
	if len(fields) > 0 {
		minaAPIError(w, http.StatusUnprocessableEntity, tr(lang, "mina.err.summary"), fields)
		return
	}
	changes, _ := minaChanges(lang, b, d)
	apiChanges := []minaAPIChange{}
	for _, c := range changes {
		apiChanges = append(apiChanges, minaAPIChange{Field: c.Field, What: c.What, From: c.From, To: c.To})
	}
	if !req.Confirm {
		decl := minaAPIDeclOf(d, b.People)
		writeJSON(w, http.StatusOK, map[string]any{"confirmed": false, "case_id": b.Case.ID, "month": month, "declaration": decl, "changes": apiChanges})
		return
	}
	if !s.submRL.allow(clientKey(r)) {
		s.tooMany(w, r)
		return
	}
	a, err := s.minaSubmit(ctx, p, b, d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.minaAPIAppOf(r, p, b.Case, a, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Changes = apiChanges
	w.Header().Set("Location", "/api/v1/applications/"+a.ID)
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) apiMinaApplication(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	a, err := s.householdApplication(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.minaAPIWriteApp(w, r, p, a, http.StatusOK)
}

func (s *Server) minaAPIWriteApp(w http.ResponseWriter, r *http.Request, p *Principal, a bistand.Application, status int) {
	c, err := s.householdCase(r.Context(), p, a.CaseID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.minaAPIAppOf(r, p, c, a, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

func (s *Server) apiMinaSign(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	a, err := s.householdApplication(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req struct {
		Confirm bool `json:"confirm"`
	}
	if err := minaDecodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if !req.Confirm {
		minaAPIError(w, http.StatusUnprocessableEntity, tr(langOf(r), "mina.err.intyg"), map[string]string{"confirm": "must be true"})
		return
	}
	if !s.submRL.allow(clientKey(r)) {
		s.tooMany(w, r)
		return
	}
	a, _, err = s.minaSignApp(ctx, p, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.minaAPIWriteApp(w, r, p, a, http.StatusOK)
}

// minaIsMultipart reports whether the request carries a multipart form.
func minaIsMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

func (s *Server) apiMinaSupplement(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx, lang := r.Context(), langOf(r)
	a, err := s.householdApplication(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if a.State != bistand.SupplementRequested {
		minaAPIError(w, http.StatusConflict, tr(lang, "msg.mina.nosupplement"), nil)
		return
	}
	if !s.submRL.allow(clientKey(r)) {
		s.tooMany(w, r)
		return
	}
	var message string
	var files []minaFile
	var facts []sqlstore.FactInput
	if minaIsMultipart(r) {
		var done func()
		files, done, err = s.minaUploadFiles(w, r)
		defer done()
		message = strings.TrimSpace(r.FormValue("message"))
	} else {
		var req minaAPISupplement
		if err = minaDecodeJSON(w, r, &req); err == nil {
			message = strings.TrimSpace(req.Message)
			if req.Members != nil || req.DwellingSize != nil || req.Costs != nil || req.Incomes != nil {
				// Corrections: applied to what the application holds now.
				b, all, err := s.minaCorrectBase(ctx, lang, p, a)
				if err != nil {
					s.fail(w, r, err)
					return
				}
				d, fields := minaAPIDeclFrom(minaAPIApply{Members: req.Members, DwellingSize: req.DwellingSize, Costs: req.Costs, Incomes: req.Incomes}, b)
				if len(fields) > 0 {
					minaAPIError(w, http.StatusUnprocessableEntity, tr(lang, "mina.err.summary"), fields)
					return
				}
				if facts = minaCorrections(all, b, d); len(facts) > 0 {
					message = minaCorrectionReason(message, b, d)
				}
			}
		}
	}
	if err == nil {
		err = minaCheckAnswer(message, len(files)+len(facts))
	}
	var ue *minaUploadError
	if errors.As(err, &ue) {
		minaAPIError(w, ue.Status, tr(lang, ue.Key), nil)
		return
	}
	if err == nil {
		a, err = s.minaAnswer(ctx, p, a, message, files, facts)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.minaAPIWriteApp(w, r, p, a, http.StatusOK)
}

func (s *Server) apiMinaUpload(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx, lang := r.Context(), langOf(r)
	a, err := s.householdApplication(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.submRL.allow(clientKey(r)) {
		s.tooMany(w, r)
		return
	}
	if !minaIsMultipart(r) {
		minaAPIError(w, http.StatusUnsupportedMediaType, "send the files as multipart/form-data, field \"file\"", nil)
		return
	}
	files, done, err := s.minaUploadFiles(w, r)
	defer done()
	if err == nil && len(files) == 0 {
		err = &minaUploadError{"mina.err.file.none", http.StatusBadRequest}
	}
	var ue *minaUploadError
	if errors.As(err, &ue) {
		minaAPIError(w, ue.Status, tr(lang, ue.Key), nil)
		return
	}
	if err == nil {
		err = s.minaStoreFiles(ctx, p, a.ID, files)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.minaAPIWriteApp(w, r, p, a, http.StatusCreated)
}

type minaAPIDecision struct {
	ID               string          `json:"id"`
	ApplicationID    string          `json:"application_id"`
	Month            bistand.Month   `json:"month"`
	Outcome          bistand.Outcome `json:"outcome"`
	OutcomeText      string          `json:"outcome_text"`
	Amount           bistand.Money   `json:"amount"`
	CalculatedAmount bistand.Money   `json:"calculated_amount"`
	Automated        bool            `json:"automated"`
	DecidedBy        string          `json:"decided_by"`
	ApprovedBy       string          `json:"approved_by,omitempty"`
	DecidedAt        time.Time       `json:"decided_at"`
	Motivation       string          `json:"motivation"`
	Replaces         string          `json:"replaces,omitempty"`
	ReplacedBy       string          `json:"replaced_by,omitempty"`
	Letter           string          `json:"letter,omitempty"`
	Totals           map[string]any  `json:"totals"`
	Lines            []minaAPILine   `json:"lines"`
	WhatIf           []minaAPIWhatIf `json:"what_if"`
	WhatIfNote       string          `json:"what_if_note,omitempty"`
}

type minaAPILine struct {
	Rule       string        `json:"rule"`
	Section    string        `json:"section"`
	Label      string        `json:"label"`
	Person     string        `json:"person,omitempty"`
	PersonName string        `json:"person_name,omitempty"`
	Amount     bistand.Money `json:"amount"`
	Source     string        `json:"source"`
	SourceKind string        `json:"source_kind"`
	Verified   bool          `json:"verified"`
	Status     string        `json:"status,omitempty"`
	StatusText string        `json:"status_text"`
}

type minaAPIWhatIf struct {
	Kind     string        `json:"kind"`
	Text     string        `json:"text"`
	Amount   bistand.Money `json:"amount"`
	Approved bool          `json:"approved"`
}

func (s *Server) apiMinaDecision(w http.ResponseWriter, r *http.Request, p *Principal) {
	v, err := s.minaDecisionData(r.Context(), langOf(r), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := minaAPIDecision{ID: v.ID, ApplicationID: v.AppID, Month: v.Month, Outcome: v.Outcome, OutcomeText: v.OutcomeText, Amount: v.Amount,
		CalculatedAmount: v.Calc.Amount, Automated: v.Automated, DecidedBy: v.DecidedBy, ApprovedBy: v.ApprovedBy, DecidedAt: v.DecidedAt,
		Motivation: v.Motivation, Replaces: v.Replaces, ReplacedBy: v.ReplacedBy, WhatIfNote: v.WhatIfNote,
		Totals: map[string]any{"norm": v.Calc.NormTotal, "costs": v.Calc.CostsTotal, "needs": v.Calc.NeedsTotal, "income": v.Calc.IncomeTotal,
			"surplus": v.Calc.Surplus, "calculated": v.Calc.Amount},
		Lines: []minaAPILine{}, WhatIf: []minaAPIWhatIf{}}
	if v.HasLetter {
		out.Letter = "/api/v1/decisions/" + v.ID + "/letter.pdf"
	}
	for i, l := range v.Lines {
		tl := v.Calc.Lines[i]
		out.Lines = append(out.Lines, minaAPILine{Rule: l.Rule, Section: l.Section, Label: l.Label, Person: tl.Person, PersonName: l.Person, Amount: l.Amount,
			Source: l.Source, SourceKind: tl.Kind, Verified: l.Verified, Status: tl.Status, StatusText: l.StatusText})
	}
	for _, wi := range v.WhatIf {
		out.WhatIf = append(out.WhatIf, minaAPIWhatIf(wi))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiMinaLetter(w http.ResponseWriter, r *http.Request, p *Principal) {
	s.minaLetter(w, r, p)
}
