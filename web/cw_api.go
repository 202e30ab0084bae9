package web

// The caseworker's JSON API: the same reads and actions as the pages, with
// the same access rules (the caseworker's unit; anything else is 404).

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

func (s *Server) caseworkerAPIRoutes(mux *http.ServeMux) {
	cw := func(h func(http.ResponseWriter, *http.Request, *Principal)) http.HandlerFunc {
		return s.staff(h, KindCaseworker)
	}
	s.handleAPI(mux, "GET /api/v1/queue", cw(s.apiCwQueue))
	s.handleAPI(mux, "GET /api/v1/cases/{id}", cw(s.apiCwCase))
	s.handleAPI(mux, "GET /api/v1/cases/{id}/applications/{appID}", cw(s.apiCwApplication))
	s.handleAPI(mux, "POST /api/v1/cases/{id}/assign", cw(s.apiCwAssign))
	s.handleAPI(mux, "GET /api/v1/cases/{id}/meetings", cw(s.apiCwMeetings))
	s.handleAPI(mux, "POST /api/v1/cases/{id}/meetings", cw(s.apiCwBook))
	s.handleAPI(mux, "POST /api/v1/meetings/{id}/record", cw(s.apiCwRecord))
	s.handleAPI(mux, "GET /api/v1/meetings", cw(s.apiCwMyMeetings))
	s.handleAPI(mux, "POST /api/v1/findings/{id}/resolve", cw(s.apiCwResolve))
	s.handleAPI(mux, "POST /api/v1/applications/{id}/facts", cw(s.apiCwFact))
	s.handleAPI(mux, "POST /api/v1/applications/{id}/decide", cw(s.apiCwDecide))
	s.handleAPI(mux, "POST /api/v1/applications/{id}/supplement-request", cw(s.apiCwSupplement))
	s.handleAPI(mux, "POST /api/v1/applications/{id}/random-check-done", cw(s.apiCwRandomDone))
	s.handleAPI(mux, "POST /api/v1/proposals/{id}/approve", cw(s.apiCwApprove))
	s.handleAPI(mux, "POST /api/v1/proposals/{id}/refuse", cw(s.apiCwRefuse))
}

// apiCwFail answers an error as JSON: a refusal with its message (in the
// user's language) and the field it concerns; anything else as fail does.
func (s *Server) apiCwFail(w http.ResponseWriter, r *http.Request, err error) {
	var ce *cwError
	if errors.As(err, &ce) {
		body := map[string]any{"error": ce.message(langOf(r)), "status": ce.Status}
		if ce.Field != "" {
			body["field"] = ce.Field
		}
		writeJSON(w, ce.Status, body)
		return
	}
	s.fail(w, r, err)
}

// readJSON decodes a request's JSON body (at most 64 KiB, no unknown
// fields) into v.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &cwError{Status: http.StatusBadRequest, Key: "cw.err.json", Detail: err.Error()}
	}
	return nil
}

// --- JSON shapes ---

type cwActorJSON struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

type cwFindingKindJSON struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
}

type cwQueueItemJSON struct {
	ApplicationID    string              `json:"application_id"`
	CaseID           string              `json:"case_id"`
	Members          int                 `json:"members"`
	Month            bistand.Month       `json:"month"`
	State            bistand.State       `json:"state"`
	StateText        string              `json:"state_text"`
	OpenFindings     []cwFindingKindJSON `json:"open_findings"`
	AmountCalculated *bistand.Money      `json:"amount_calculated"`
	Assignee         string              `json:"assignee,omitempty"`
	DaysWaiting      int                 `json:"days_waiting"`
	SupplementDue    bistand.Date        `json:"supplement_due,omitzero"`
	Proposal         *cwQueueProposal    `json:"proposal,omitempty"`
}

type cwQueueProposal struct {
	ID         string        `json:"id"`
	ProposedBy string        `json:"proposed_by"`
	Amount     bistand.Money `json:"amount"`
	Approvable bool          `json:"approvable"`
}

type cwQueueJSON struct {
	View   string                 `json:"view"`
	Counts map[string]int         `json:"counts"`
	Offset int                    `json:"offset"`
	Next   string                 `json:"next,omitempty"`
	Items  []cwQueueItemJSON      `json:"items"`
	Filter map[string]interface{} `json:"filter"`
}

func (s *Server) apiCwQueue(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := langOf(r)
	q := r.URL.Query()
	if v := q.Get("view"); v != "" {
		known := false
		for _, x := range sqlstore.WorkViews {
			known = known || string(x) == v
		}
		if !known {
			s.apiCwFail(w, r, invalid("view", "cw.err.view"))
			return
		}
	}
	if m := q.Get("month"); m != "" {
		if _, err := bistand.ParseMonth(m); err != nil {
			s.apiCwFail(w, r, invalid("month", "cw.err.month"))
			return
		}
	}
	page, err := s.cwQueueData(r.Context(), p, q, lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if k := q.Get("kind"); k != "" && page.Kind != k {
		s.apiCwFail(w, r, invalid("kind", "cw.err.kind"))
		return
	}
	items := page.items
	out := cwQueueJSON{View: page.View, Counts: map[string]int{}, Offset: page.Offset, Items: []cwQueueItemJSON{},
		Filter: map[string]interface{}{"month": page.Month, "kind": page.Kind}}
	if page.Next != "" {
		out.Next = strings.Replace(page.Next, "/handlaggning?", "/api/v1/queue?", 1)
	}
	for _, v := range page.Views {
		out.Counts[v.ID] = v.Count
	}
	for i, it := range items {
		row := page.Rows[i]
		j := cwQueueItemJSON{ApplicationID: it.ApplicationID, CaseID: it.CaseID, Members: it.Members, Month: it.Month, State: it.State,
			StateText: row.State, OpenFindings: []cwFindingKindJSON{}, Assignee: it.Assignee, DaysWaiting: row.Days, SupplementDue: it.SupplementDue}
		for _, k := range it.OpenFindings {
			j.OpenFindings = append(j.OpenFindings, cwFindingKindJSON{Kind: string(k), Label: kindLabel(lang, k)})
		}
		if row.AmountOK {
			amt := row.Amount
			j.AmountCalculated = &amt
		}
		if it.ProposalID != "" {
			j.Proposal = &cwQueueProposal{ID: it.ProposalID, ProposedBy: it.ProposedBy, Amount: it.ProposalAmount, Approvable: it.ProposedBy != p.Staff.ID}
		}
		out.Items = append(out.Items, j)
	}
	writeJSON(w, http.StatusOK, out)
}

type cwMemberJSON struct {
	PersonID  string   `json:"person_id"`
	Role      string   `json:"role"`
	Age       *int     `json:"age,omitempty"`
	Name      string   `json:"name,omitempty"`
	Protected bool     `json:"protected"`
	Address   []string `json:"address,omitempty"`
}

type cwAppSummaryJSON struct {
	ID            string        `json:"id"`
	Month         bistand.Month `json:"month"`
	State         bistand.State `json:"state"`
	StateText     string        `json:"state_text"`
	SupplementDue bistand.Date  `json:"supplement_due,omitzero"`
}

type cwMeetingJSON struct {
	ID         string       `json:"id"`
	CaseID     string       `json:"case_id"`
	StartsAt   string       `json:"starts_at"`
	Minutes    int          `json:"minutes"`
	Kind       string       `json:"kind"`
	Purpose    string       `json:"purpose"`
	Status     string       `json:"status"`
	Notes      string       `json:"notes,omitempty"`
	FollowUp   bistand.Date `json:"follow_up,omitzero"`
	Caseworker string       `json:"caseworker"`
}

func meetingJSON(m sqlstore.Meeting) cwMeetingJSON {
	return cwMeetingJSON{ID: m.ID, CaseID: m.CaseID, StartsAt: m.StartsAt, Minutes: m.Minutes, Kind: m.Kind, Purpose: m.Purpose,
		Status: m.Status, Notes: m.Notes, FollowUp: m.FollowUp, Caseworker: m.Caseworker}
}

func meetingsJSON(ms []cwMeeting) []cwMeetingJSON {
	out := []cwMeetingJSON{}
	for _, m := range ms {
		out = append(out, meetingJSON(m.Meeting))
	}
	return out
}

type cwCaseJSON struct {
	ID           string             `json:"id"`
	Municipality string             `json:"municipality"`
	Status       string             `json:"status"`
	Protected    bool               `json:"protected"`
	Members      []cwMemberJSON     `json:"members"`
	Applications []cwAppSummaryJSON `json:"applications"`
	Unit         string             `json:"unit"`
	Assignee     string             `json:"assignee,omitempty"`
	LastMet      string             `json:"last_met,omitempty"`
	Meetings     []cwMeetingJSON    `json:"meetings"`
}

func (s *Server) apiCwCase(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	c, err := s.staffCase(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.cwCaseData(ctx, p, c, nil, cwForm{}, nil, langOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	as, err := s.caseUnit(ctx, c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := cwCaseJSON{ID: c.ID, Municipality: c.Municipality, Status: c.Status, Protected: d.Protected, Members: []cwMemberJSON{},
		Applications: []cwAppSummaryJSON{}, Unit: as.Unit, Assignee: as.Assignee, Meetings: meetingsJSON(d.Meetings)}
	if d.LastMet != "" {
		out.LastMet = strings.Replace(d.LastMet, " ", "T", 1)
	}
	for _, m := range d.Members {
		mj := cwMemberJSON{PersonID: m.PersonID, Role: m.RoleID, Name: m.Name, Protected: m.Protected, Address: m.Address}
		if m.AgeKnown {
			age := m.Age
			mj.Age = &age
		}
		out.Members = append(out.Members, mj)
	}
	for _, a := range d.Apps {
		out.Applications = append(out.Applications, cwAppSummaryJSON{ID: a.ID, Month: a.Month, State: a.State, StateText: stateLabel(langOf(r), a.State), SupplementDue: a.SupplementDue})
	}
	writeJSON(w, http.StatusOK, out)
}

type cwFactJSON struct {
	Key        string             `json:"key"`
	Kind       bistand.FactKind   `json:"kind"`
	Value      json.RawMessage    `json:"value"`
	Text       string             `json:"text"`
	Provenance bistand.Provenance `json:"provenance"`
	Source     string             `json:"source,omitempty"`
	Reference  string             `json:"reference,omitempty"`
	ObservedAt *time.Time         `json:"observed_at,omitempty"`
	Actor      cwActorJSON        `json:"actor"`
	Reason     string             `json:"reason,omitempty"`
	RecordedAt time.Time          `json:"recorded_at"`
	InForce    bool               `json:"in_force"`
}

type cwFindingJSON struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Label      string          `json:"label"`
	Subject    string          `json:"subject"`
	Text       string          `json:"text"`
	Data       json.RawMessage `json:"data"`
	Status     string          `json:"status"`
	CreatedBy  cwActorJSON     `json:"created_by"`
	CreatedAt  time.Time       `json:"created_at"`
	Resolution string          `json:"resolution,omitempty"`
	ResolvedBy *cwActorJSON    `json:"resolved_by,omitempty"`
	ResolvedAt *time.Time      `json:"resolved_at,omitempty"`
}

type cwDecisionJSON struct {
	ID           string          `json:"id"`
	Outcome      bistand.Outcome `json:"outcome"`
	Amount       bistand.Money   `json:"amount"`
	DecidedBy    cwActorJSON     `json:"decided_by"`
	ApprovedBy   *cwActorJSON    `json:"approved_by,omitempty"`
	Motivation   string          `json:"motivation"`
	Replaces     string          `json:"replaces,omitempty"`
	DecidedAt    time.Time       `json:"decided_at"`
	RulesVersion string          `json:"rules_version"`
}

type cwProposalJSON struct {
	ID         string          `json:"id"`
	Outcome    bistand.Outcome `json:"outcome"`
	Amount     bistand.Money   `json:"amount"`
	Motivation string          `json:"motivation"`
	ProposedBy cwActorJSON     `json:"proposed_by"`
	CreatedAt  time.Time       `json:"created_at"`
	Status     string          `json:"status"`
	ReviewedBy *cwActorJSON    `json:"reviewed_by,omitempty"`
	ReviewNote string          `json:"review_note,omitempty"`
	DecisionID string          `json:"decision_id,omitempty"`
	Approvable bool            `json:"approvable"`
}

type cwTransitionJSON struct {
	From   bistand.State `json:"from"`
	To     bistand.State `json:"to"`
	Actor  cwActorJSON   `json:"actor"`
	Reason string        `json:"reason,omitempty"`
	At     time.Time     `json:"at"`
}

type cwAttachmentJSON struct {
	ID          string    `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

type cwNotificationJSON struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

type cwApplicationJSON struct {
	ID               string               `json:"id"`
	CaseID           string               `json:"case_id"`
	Month            bistand.Month        `json:"month"`
	State            bistand.State        `json:"state"`
	StateText        string               `json:"state_text"`
	Version          int64                `json:"version"`
	SubmittedAt      *time.Time           `json:"submitted_at,omitempty"`
	SupplementDue    bistand.Date         `json:"supplement_due,omitzero"`
	Facts            []cwFactJSON         `json:"facts"`
	Findings         []cwFindingJSON      `json:"findings"`
	Calculation      *rules.Result        `json:"calculation"`
	CalculationError string               `json:"calculation_error,omitempty"`
	FourEyesAbove    bistand.Money        `json:"four_eyes_above"`
	Decidable        bool                 `json:"decidable"`
	NotDecidable     string               `json:"not_decidable,omitempty"`
	Decisions        []cwDecisionJSON     `json:"decisions"`
	Proposals        []cwProposalJSON     `json:"proposals"`
	Transitions      []cwTransitionJSON   `json:"transitions"`
	Attachments      []cwAttachmentJSON   `json:"attachments"`
	Notifications    []cwNotificationJSON `json:"notifications"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// safeFactValue is a fact's value as the API shows it: a protected
// household's contact without an address, an account number by its last
// digits only.
func safeFactValue(f bistand.Fact, protected bool) json.RawMessage {
	if f.Value == nil {
		return json.RawMessage("null")
	}
	switch f.Kind {
	case bistand.FactContact, bistand.FactPayout:
	default:
		return f.Value
	}
	var v map[string]any
	if err := json.Unmarshal(f.Value, &v); err != nil {
		return json.RawMessage("null")
	}
	if f.Kind == bistand.FactContact && protected {
		delete(v, "address")
	}
	if acc, ok := v["account"].(map[string]any); ok {
		if num := fmt.Sprint(acc["number"]); len(num) > 4 {
			acc["number"] = "…" + num[len(num)-4:]
		}
	}
	b, _ := json.Marshal(v)
	return b
}

func (s *Server) apiCwApplication(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	lang := langOf(r)
	a, c, err := s.staffApplication(ctx, p, r.PathValue("appID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if c.ID != r.PathValue("id") {
		s.fail(w, r, errHidden)
		return
	}
	d, err := s.cwCaseData(ctx, p, c, &a, cwForm{}, nil, lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	staff := s.staffNames(ctx)
	people := map[string]string{}
	for _, m := range d.Members {
		people[m.PersonID] = m.Name
	}
	actor := func(x bistand.Actor) cwActorJSON {
		return cwActorJSON{Kind: string(x.Kind), ID: x.ID, Name: actorName(lang, x, staff, people)}
	}
	actorPtr := func(x bistand.Actor) *cwActorJSON {
		if !x.Valid() {
			return nil
		}
		j := actor(x)
		return &j
	}
	out := cwApplicationJSON{ID: a.ID, CaseID: a.CaseID, Month: a.Month, State: a.State, StateText: d.AppState, Version: a.Version,
		SubmittedAt: timePtr(a.SubmittedAt), SupplementDue: a.SupplementDue, Calculation: d.Calc, CalculationError: d.CalcErr,
		FourEyesAbove: d.FourEyes, Decidable: d.CanDecide, NotDecidable: d.DecideWhy,
		Facts: []cwFactJSON{}, Findings: []cwFindingJSON{}, Decisions: []cwDecisionJSON{}, Proposals: []cwProposalJSON{},
		Transitions: []cwTransitionJSON{}, Attachments: []cwAttachmentJSON{}, Notifications: []cwNotificationJSON{}}
	all, err := s.cfg.Store.Facts(ctx, a.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	inForce := map[string]bool{}
	for _, f := range sqlstore.Effective(all) {
		inForce[f.ID] = true
	}
	texts := map[string]string{}
	for _, f := range append(append([]cwFact(nil), d.Facts...), d.Earlier...) {
		texts[f.Key+"\x00"+f.Recorded.String()] = f.What
	}
	for _, f := range all {
		out.Facts = append(out.Facts, cwFactJSON{Key: f.Key, Kind: f.Kind, Value: safeFactValue(f, d.Protected), Text: texts[f.Key+"\x00"+f.RecordedAt.String()],
			Provenance: f.Provenance, Source: f.Source, Reference: f.Reference, ObservedAt: timePtr(f.ObservedAt), Actor: actor(f.Actor),
			Reason: f.Reason, RecordedAt: f.RecordedAt, InForce: inForce[f.ID]})
	}
	for _, f := range append(append([]cwFinding(nil), d.Open...), d.Resolved...) {
		data := f.Finding.Data
		if len(data) == 0 {
			data = json.RawMessage("null")
		}
		out.Findings = append(out.Findings, cwFindingJSON{ID: f.ID, Kind: string(f.Kind), Label: f.Label, Subject: f.Subject, Text: f.Text, Data: data,
			Status: f.Status, CreatedBy: actor(f.CreatedBy), CreatedAt: f.CreatedAt, Resolution: f.Resolution, ResolvedBy: actorPtr(f.Finding.ResolvedBy),
			ResolvedAt: timePtr(f.ResolvedAt)})
	}
	for _, x := range d.Decisions {
		out.Decisions = append(out.Decisions, cwDecisionJSON{ID: x.ID, Outcome: x.Decision.Outcome, Amount: x.Amount, DecidedBy: actor(x.DecidedBy),
			ApprovedBy: actorPtr(x.Decision.ApprovedBy), Motivation: x.Motivation, Replaces: x.Replaces, DecidedAt: x.DecidedAt, RulesVersion: x.RulesVersion})
	}
	for _, x := range d.Proposals {
		out.Proposals = append(out.Proposals, cwProposalJSON{ID: x.ID, Outcome: x.Proposal.Outcome, Amount: x.Amount, Motivation: x.Motivation,
			ProposedBy: actor(x.ProposedBy), CreatedAt: x.CreatedAt, Status: x.Status, ReviewedBy: actorPtr(x.ReviewedBy), ReviewNote: x.ReviewNote,
			DecisionID: x.DecisionID, Approvable: x.Status == bistand.ProposalPending && !x.Own})
	}
	for i := len(d.Transitions) - 1; i >= 0; i-- {
		t := d.Transitions[i]
		out.Transitions = append(out.Transitions, cwTransitionJSON{From: t.From, To: t.To, Actor: actor(t.Actor), Reason: t.Reason, At: t.At})
	}
	for _, x := range d.Attachments {
		out.Attachments = append(out.Attachments, cwAttachmentJSON{ID: x.ID, Filename: x.Filename, ContentType: x.ContentType, Size: x.Size, UploadedAt: x.UploadedAt})
	}
	for _, n := range d.Notices {
		out.Notifications = append(out.Notifications, cwNotificationJSON{ID: n.ID, Kind: n.Kind, Subject: n.Subject, Body: n.Body, CreatedAt: n.CreatedAt, SentAt: timePtr(n.SentAt)})
	}
	writeJSON(w, http.StatusOK, out)
}

// --- actions ---

func (s *Server) apiCwResolve(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in struct {
		Resolution string `json:"resolution"`
	}
	if err := readJSON(r, &in); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	f, err := s.cwResolve(r.Context(), p, r.PathValue("id"), in.Resolution)
	if err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": f.ID, "application_id": f.ApplicationID, "status": f.Status, "resolution": f.Resolution, "resolved_at": f.ResolvedAt})
}

func (s *Server) apiCwFact(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in cwFactInput
	if err := readJSON(r, &in); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	f, err := s.cwSetFact(r.Context(), p, r.PathValue("id"), in)
	if err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	value := f.Value
	if value == nil {
		value = json.RawMessage("null")
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": f.ID, "key": f.Key, "kind": f.Kind, "value": value, "provenance": f.Provenance,
		"reason": f.Reason, "actor": cwActorJSON{Kind: string(f.Actor.Kind), ID: f.Actor.ID}, "recorded_at": f.RecordedAt})
}

func (s *Server) apiCwDecide(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in cwDecideInput
	if err := readJSON(r, &in); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	d, prop, err := s.cwDecide(r.Context(), p, r.PathValue("id"), in)
	if err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	if prop != nil {
		writeJSON(w, http.StatusAccepted, map[string]any{"proposal": cwProposalJSON{ID: prop.ID, Outcome: prop.Outcome, Amount: prop.Amount,
			Motivation: prop.Motivation, ProposedBy: cwActorJSON{Kind: string(prop.ProposedBy.Kind), ID: prop.ProposedBy.ID}, CreatedAt: prop.CreatedAt, Status: prop.Status}})
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"decision": cwDecisionJSON{ID: d.ID, Outcome: d.Outcome, Amount: d.Amount,
		DecidedBy: cwActorJSON{Kind: string(d.DecidedBy.Kind), ID: d.DecidedBy.ID}, Motivation: d.Motivation, DecidedAt: d.DecidedAt, RulesVersion: d.RulesVersion}})
}

func (s *Server) apiCwSupplement(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in struct {
		Request string       `json:"request"`
		Due     bistand.Date `json:"due,omitzero"`
	}
	if err := readJSON(r, &in); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	a, n, err := s.cwRequestSupplement(r.Context(), p, r.PathValue("id"), in.Request, in.Due)
	if err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"application_id": a.ID, "state": a.State, "supplement_due": a.SupplementDue,
		"notification": cwNotificationJSON{ID: n.ID, Kind: n.Kind, Subject: n.Subject, Body: n.Body, CreatedAt: n.CreatedAt}})
}

func (s *Server) apiCwRandomDone(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in struct {
		Note string `json:"note"`
	}
	if err := readJSON(r, &in); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	a, err := s.cwRandomDone(r.Context(), p, r.PathValue("id"), in.Note)
	if err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"application_id": a.ID, "state": a.State})
}

func (s *Server) apiCwApprove(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in struct {
		Note string `json:"note,omitempty"`
	}
	if err := readJSON(r, &in); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	d, err := s.cwApprove(r.Context(), p, r.PathValue("id"), in.Note)
	if err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"decision": cwDecisionJSON{ID: d.ID, Outcome: d.Outcome, Amount: d.Amount,
		DecidedBy: cwActorJSON{Kind: string(d.DecidedBy.Kind), ID: d.DecidedBy.ID}, ApprovedBy: &cwActorJSON{Kind: string(d.ApprovedBy.Kind), ID: d.ApprovedBy.ID},
		Motivation: d.Motivation, DecidedAt: d.DecidedAt, RulesVersion: d.RulesVersion}})
}

func (s *Server) apiCwRefuse(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in struct {
		Note string `json:"note"`
	}
	if err := readJSON(r, &in); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	if err := s.cwRefuse(r.Context(), p, r.PathValue("id"), in.Note); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "status": bistand.ProposalRefused})
}

func (s *Server) apiCwAssign(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in struct {
		To string `json:"to"`
	}
	if err := readJSON(r, &in); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	if err := s.cwAssign(r.Context(), p, r.PathValue("id"), in.To); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	as, err := s.caseUnit(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"case_id": r.PathValue("id"), "unit": as.Unit, "assignee": as.Assignee})
}

func (s *Server) apiCwMeetings(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	c, err := s.staffCase(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ms, err := s.cfg.Store.Meetings(ctx, c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		CaseID   string          `json:"case_id"`
		LastMet  string          `json:"last_met,omitempty"`
		Meetings []cwMeetingJSON `json:"meetings"`
	}{CaseID: c.ID, Meetings: []cwMeetingJSON{}}
	for _, m := range ms {
		out.Meetings = append(out.Meetings, meetingJSON(m))
	}
	if last, ok, err := s.cfg.Store.LastMet(ctx, c.ID); err != nil {
		s.fail(w, r, err)
		return
	} else if ok {
		out.LastMet = last
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiCwBook(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in cwMeetingInput
	if err := readJSON(r, &in); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	m, err := s.cwBook(r.Context(), p, r.PathValue("id"), in)
	if err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, meetingJSON(m))
}

func (s *Server) apiCwRecord(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in cwRecordInput
	if err := readJSON(r, &in); err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	m, err := s.cwRecord(r.Context(), p, r.PathValue("id"), in)
	if err != nil {
		s.apiCwFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, meetingJSON(m))
}

func (s *Server) apiCwMyMeetings(w http.ResponseWriter, r *http.Request, p *Principal) {
	page, err := s.cwMeetingsData(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"upcoming": meetingsJSON(page.Upcoming), "to_record": meetingsJSON(page.ToRecord),
		"follow_ups_due": meetingsJSON(page.FollowUps), "follow_ups_until": page.By})
}
