package web

// What a caseworker does to a case, shared by the forms and the JSON API:
// each action checks access (the case's unit), checks its input in words a
// caseworker understands, and then asks the store, which checks again.

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/collect"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

// --- resolve a finding ---

func (s *Server) cwResolve(ctx context.Context, p *Principal, findingID, resolution string) (bistand.Finding, error) {
	f, err := s.cfg.Store.FindingByID(ctx, findingID)
	if err != nil {
		return f, storeErr(err, "")
	}
	if _, _, err := s.staffApplication(ctx, p, f.ApplicationID); err != nil {
		return bistand.Finding{}, err
	}
	resolution = strings.TrimSpace(resolution)
	if resolution == "" {
		return f, invalid("resolution", "cw.err.resolution")
	}
	if f.Status != bistand.FindingOpen {
		return f, conflict("cw.err.resolved")
	}
	if err := s.cfg.Store.ResolveFinding(ctx, p.Actor(), f.ID, resolution); err != nil {
		return f, storeErr(err, "resolution")
	}
	f, err = s.cfg.Store.FindingByID(ctx, f.ID)
	return f, storeErr(err, "")
}

// --- set a fact ---

// cwFactInput is a fact a caseworker sets: a cost or an income (its type,
// whose, the amount) or the number of people in the dwelling, or the
// retraction of a fact in force, always with the reason.
type cwFactInput struct {
	Key     string         `json:"key,omitempty"`
	Kind    string         `json:"kind"`
	Type    string         `json:"type,omitempty"`
	Person  string         `json:"person,omitempty"`
	Amount  *bistand.Money `json:"amount,omitempty"`
	Value   *int           `json:"value,omitempty"`
	Retract bool           `json:"retract,omitempty"`
	Reason  string         `json:"reason"`
}

func (s *Server) cwSetFact(ctx context.Context, p *Principal, appID string, in cwFactInput) (bistand.Fact, error) {
	a, c, err := s.staffApplication(ctx, p, appID)
	if err != nil {
		return bistand.Fact{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	all, err := s.cfg.Store.Facts(ctx, a.ID)
	if err != nil {
		return bistand.Fact{}, err
	}
	inForce := sqlstore.Effective(all)
	var current *bistand.Fact
	if in.Key != "" {
		for i := range inForce {
			if inForce[i].Key == in.Key {
				current = &inForce[i]
			}
		}
		if current == nil {
			return bistand.Fact{}, invalid("key", "cw.err.nofact")
		}
		if in.Kind == "" {
			in.Kind = string(current.Kind)
		}
		if string(current.Kind) != in.Kind {
			return bistand.Fact{}, invalid("kind", "cw.err.factkind")
		}
	}
	fi := sqlstore.FactInput{Kind: bistand.FactKind(in.Kind), Provenance: bistand.Caseworker, Reason: in.Reason}
	// The value: what the fact in force holds (so a change keeps what it
	// does not touch), with the caseworker's changes.
	v := map[string]any{}
	if current != nil {
		json.Unmarshal(current.Value, &v)
	}
	// sameFact finds the fact in force of a kind whose value matches, so
	// that a changed amount supersedes it instead of counting twice.
	sameFact := func(kind bistand.FactKind, match func(map[string]any) bool) *bistand.Fact {
		for i := range inForce {
			if inForce[i].Kind != kind {
				continue
			}
			var x map[string]any
			if json.Unmarshal(inForce[i].Value, &x) == nil && match(x) {
				return &inForce[i]
			}
		}
		return nil
	}
	isMember := func(id string) bool {
		for _, m := range c.Members {
			if m.PersonID == id {
				return true
			}
		}
		return false
	}
	applicant := ""
	for _, m := range c.Members {
		if m.Role == "applicant" {
			applicant = m.PersonID
		}
	}
	switch fi.Kind {
	case bistand.FactCost:
		if in.Type == "" && current != nil {
			in.Type, _ = v["type"].(string)
		}
		if _, ok := rules.ParseCostType(in.Type); !ok {
			return bistand.Fact{}, invalid("cost_type", "cw.err.costtype")
		}
		if in.Person != "" && !isMember(in.Person) {
			return bistand.Fact{}, invalid("person", "cw.err.person")
		}
		if current == nil {
			if same := sameFact(bistand.FactCost, func(x map[string]any) bool {
				return x["type"] == in.Type && (in.Person == "" || x["person"] == in.Person || x["person"] == nil)
			}); same != nil && in.Type != "other" {
				current = same
				json.Unmarshal(same.Value, &v)
			}
		}
		fi.Key = "cost:" + in.Type
		if in.Type == "other" && current == nil {
			fi.Key = "cost:other:" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
		}
		v["type"] = in.Type
		if in.Person != "" {
			v["person"] = in.Person
		}
		if in.Type == "other" {
			if m, _ := v["motivation"].(string); m == "" {
				v["motivation"] = in.Reason
			}
		}
	case bistand.FactIncome:
		if in.Type == "" && current != nil {
			in.Type, _ = v["type"].(string)
		}
		if in.Person == "" && current != nil {
			in.Person, _ = v["person"].(string)
		}
		if _, ok := rules.ParseIncomeType(in.Type); !ok {
			return bistand.Fact{}, invalid("income_type", "cw.err.incometype")
		}
		if in.Person == "" {
			in.Person = applicant
		}
		if !isMember(in.Person) {
			return bistand.Fact{}, invalid("person", "cw.err.person")
		}
		if current == nil {
			if same := sameFact(bistand.FactIncome, func(x map[string]any) bool {
				who, _ := x["person"].(string)
				if who == "" {
					who = applicant
				}
				return x["type"] == in.Type && who == in.Person
			}); same != nil {
				current = same
				json.Unmarshal(same.Value, &v)
			}
		}
		fi.Key = collect.IncomeKey(in.Type, in.Person)
		v["type"], v["person"] = in.Type, in.Person
	case bistand.FactDwellingSize:
		fi.Key = string(bistand.FactDwellingSize)
		if !in.Retract {
			if in.Value == nil || *in.Value < 1 || *in.Value > 50 {
				return bistand.Fact{}, invalid("value", "cw.err.dwelling")
			}
			v = map[string]any{"value": *in.Value}
		}
	default:
		return bistand.Fact{}, invalid("kind", "cw.err.factkind")
	}
	if current != nil {
		fi.Key = current.Key
	}
	if in.Retract {
		if current == nil {
			return bistand.Fact{}, invalid("key", "cw.err.nofact")
		}
	} else if fi.Kind != bistand.FactDwellingSize {
		if in.Amount == nil || *in.Amount < 0 {
			return bistand.Fact{}, invalid("amount", "cw.err.amount")
		}
		v["amount"] = *in.Amount
	}
	if in.Reason == "" {
		return bistand.Fact{}, invalid("reason", "cw.err.reason")
	}
	if sqlstore.LooksLikePersonnummer(in.Reason) {
		return bistand.Fact{}, invalid("reason", "cw.err.pnr")
	}
	if !in.Retract {
		b, err := json.Marshal(v)
		if err != nil {
			return bistand.Fact{}, err
		}
		fi.Value = b
	}
	out, err := s.cfg.Store.AddFacts(ctx, p.Actor(), a.ID, []sqlstore.FactInput{fi})
	if err != nil {
		return bistand.Fact{}, storeErr(err, "")
	}
	return out[0], nil
}

// factFromForm reads the fact form.
func factFromForm(r *http.Request) (cwFactInput, error) {
	in := cwFactInput{Key: r.PostFormValue("key"), Kind: r.PostFormValue("kind"), Person: r.PostFormValue("person"),
		Retract: r.PostFormValue("retract") != "", Reason: r.PostFormValue("reason")}
	switch in.Kind {
	case string(bistand.FactCost):
		in.Type = r.PostFormValue("cost_type")
	case string(bistand.FactIncome):
		in.Type = r.PostFormValue("income_type")
	}
	if in.Kind == string(bistand.FactDwellingSize) {
		if t := strings.TrimSpace(r.PostFormValue("value")); t != "" {
			n, err := strconv.Atoi(t)
			if err != nil {
				return in, invalid("value", "cw.err.dwelling")
			}
			in.Value = &n
		}
	} else if !in.Retract {
		m, err := parseAmount(r.PostFormValue("amount"))
		if err != nil {
			return in, invalid("amount", "cw.err.amount")
		}
		in.Amount = m
	}
	return in, nil
}

// --- decide ---

// cwDecideInput is a caseworker's decision: approve as calculated (no
// outcome or "approved", no amount), or another amount or outcome with a
// motivation.
type cwDecideInput struct {
	Outcome    string         `json:"outcome,omitempty"`
	Amount     *bistand.Money `json:"amount,omitempty"`
	Motivation string         `json:"motivation,omitempty"`
}

// asCalculated is the motivation of a decision as calculated when the
// caseworker writes none.
const asCalculated = "Beviljas enligt beräkningen."

func (s *Server) cwDecide(ctx context.Context, p *Principal, appID string, in cwDecideInput) (*bistand.Decision, *bistand.Proposal, error) {
	a, c, err := s.staffApplication(ctx, p, appID)
	if err != nil {
		return nil, nil, err
	}
	st := s.cfg.Store
	open, err := st.Findings(ctx, a.ID, bistand.FindingOpen)
	if err != nil {
		return nil, nil, err
	}
	pending, err := st.Proposals(ctx, a.ID, bistand.ProposalPending)
	if err != nil {
		return nil, nil, err
	}
	if err := decideBlock(a, len(open), len(pending) > 0); err != nil {
		return nil, nil, err
	}
	in.Motivation = strings.TrimSpace(in.Motivation)
	if sqlstore.LooksLikePersonnummer(in.Motivation) {
		return nil, nil, invalid("motivation", "cw.err.pnr")
	}
	h, _, err := st.Household(ctx, a.ID)
	if err != nil {
		return nil, nil, &cwError{Status: http.StatusBadRequest, Key: "cw.err.nocalc", Detail: err.Error()}
	}
	res, err := s.cfg.Rules.Calculate(h, rules.Options{})
	if err != nil {
		return nil, nil, &cwError{Status: http.StatusBadRequest, Key: "cw.err.nocalc", Detail: err.Error()}
	}
	di := sqlstore.DecideInput{Motivation: in.Motivation, Amount: in.Amount}
	needMotivation := true
	switch bistand.Outcome(in.Outcome) {
	case "", bistand.OutcomeApproved:
		switch {
		case in.Amount == nil || *in.Amount == res.Amount:
			if res.Outcome != rules.Approved {
				return nil, nil, invalid("amount", "cw.err.calcrejects")
			}
			di.Amount, needMotivation = nil, false
		case *in.Amount < res.Amount:
			return nil, nil, invalid("amount", "cw.err.lower", formatKronor(res.Amount))
		}
		di.Outcome = bistand.OutcomeApproved
	case bistand.OutcomePartlyApproved:
		if in.Amount == nil || *in.Amount <= 0 || *in.Amount >= res.Amount {
			return nil, nil, invalid("amount", "cw.err.partly", formatKronor(res.Amount))
		}
		di.Outcome = bistand.OutcomePartlyApproved
	case bistand.OutcomeRejected:
		if in.Amount != nil && *in.Amount != 0 {
			return nil, nil, invalid("amount", "cw.err.rejectamount")
		}
		zero := bistand.Money(0)
		di.Outcome, di.Amount = bistand.OutcomeRejected, &zero
	default:
		return nil, nil, invalid("outcome", "cw.err.outcome")
	}
	if in.Motivation == "" {
		if needMotivation {
			return nil, nil, invalid("motivation", "cw.err.motivation")
		}
		di.Motivation = asCalculated
	}
	var limit bistand.Money
	if pol, err := s.cfg.Rules.Policy(c.Municipality, a.Month); err == nil {
		limit = pol.FourEyesAbove
	}
	d, prop, err := st.ProposeDecision(ctx, p.Actor(), a.ID, di, limit)
	if err != nil {
		return nil, nil, storeErr(err, "")
	}
	if prop != nil {
		return nil, prop, nil
	}
	return &d, nil, nil
}

// --- four eyes ---

func (s *Server) cwProposal(ctx context.Context, p *Principal, id string) (bistand.Proposal, error) {
	pr, err := s.cfg.Store.Proposal(ctx, id)
	if err != nil {
		return pr, storeErr(err, "")
	}
	if _, _, err := s.staffApplication(ctx, p, pr.ApplicationID); err != nil {
		return pr, err
	}
	if pr.Status != bistand.ProposalPending {
		return pr, conflict("cw.err.notpending")
	}
	if pr.ProposedBy == p.Actor() {
		return pr, &cwError{Status: http.StatusForbidden, Key: "cw.err.ownproposal"}
	}
	return pr, nil
}

func (s *Server) cwApprove(ctx context.Context, p *Principal, id, note string) (bistand.Decision, error) {
	pr, err := s.cwProposal(ctx, p, id)
	if err != nil {
		return bistand.Decision{}, err
	}
	d, err := s.cfg.Store.ApproveProposal(ctx, p.Actor(), pr.ID, strings.TrimSpace(note))
	return d, storeErr(err, "")
}

func (s *Server) cwRefuse(ctx context.Context, p *Principal, id, note string) error {
	pr, err := s.cwProposal(ctx, p, id)
	if err != nil {
		return err
	}
	if strings.TrimSpace(note) == "" {
		return invalid("note", "cw.err.refusenote")
	}
	return storeErr(s.cfg.Store.RefuseProposal(ctx, p.Actor(), pr.ID, strings.TrimSpace(note)), "note")
}

// --- supplement request ---

// supplementKind is the notification kind of a supplement request (the
// robot's too).
const supplementKind = "supplement_request"

func (s *Server) cwRequestSupplement(ctx context.Context, p *Principal, appID, request string, due bistand.Date) (bistand.Application, bistand.Notification, error) {
	var n bistand.Notification
	a, c, err := s.staffApplication(ctx, p, appID)
	if err != nil {
		return a, n, err
	}
	request = strings.TrimSpace(request)
	if request == "" {
		return a, n, invalid("request", "cw.err.request")
	}
	if sqlstore.LooksLikePersonnummer(request) {
		return a, n, invalid("request", "cw.err.pnr")
	}
	today := s.today()
	if due.IsZero() {
		due = today.AddDays(s.cfg.SupplementDays)
	}
	if !due.After(today) {
		return a, n, invalid("due", "cw.err.due")
	}
	switch a.State {
	case bistand.Collecting, bistand.Assessed, bistand.RandomCheck:
	default:
		return a, n, conflict("cw.err.nosupplement", a.State.Swedish())
	}
	applicant := ""
	for _, m := range c.Members {
		if m.Role == "applicant" {
			applicant = m.PersonID
		}
	}
	// The request and the household's notice of it in one transaction. The
	// notice's ref is the due date and the application's version before
	// the request: unique, also when a request with the same due date was
	// made (and answered) before.
	n = bistand.Notification{ApplicationID: a.ID, CaseID: a.CaseID, PersonID: applicant, Kind: supplementKind,
		Ref:     due.String() + "/" + strconv.FormatInt(a.Version, 10),
		Subject: "Din ansökan behöver kompletteras",
		Body:    "Handläggaren behöver mer underlag för att kunna besluta om din ansökan för " + a.Month.String() + ":\n\n" + request + "\n\nKomplettera ansökan senast " + due.String() + "."}
	opt := sqlstore.TransitionOptions{SupplementDue: due, Notify: []bistand.Notification{n}}
	a, _, err = s.cfg.Store.Transition(ctx, p.Actor(), a.ID, bistand.SupplementRequested, request, opt)
	if err != nil {
		return a, n, storeErr(err, "request")
	}
	n = opt.Notify[0]
	return a, n, nil
}

// --- random check ---

func (s *Server) cwRandomDone(ctx context.Context, p *Principal, appID, note string) (bistand.Application, error) {
	a, _, err := s.staffApplication(ctx, p, appID)
	if err != nil {
		return a, err
	}
	if a.State != bistand.RandomCheck {
		return a, conflict("cw.err.notrandom")
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return a, invalid("note", "cw.err.randomnote")
	}
	a, _, err = s.cfg.Store.Transition(ctx, p.Actor(), a.ID, bistand.Assessed, note, sqlstore.TransitionOptions{IfState: bistand.RandomCheck})
	return a, storeErr(err, "note")
}

// --- assignment ---

func (s *Server) cwAssign(ctx context.Context, p *Principal, caseID, to string) error {
	c, err := s.staffCase(ctx, p, caseID)
	if err != nil {
		return err
	}
	assignee := ""
	switch to {
	case "me":
		assignee = p.Staff.ID
	case "unit":
	default:
		return invalid("to", "cw.err.assign")
	}
	return storeErr(s.cfg.Store.Assign(ctx, p.Actor(), c.ID, p.Staff.Unit, assignee), "")
}

// --- meetings ---

// cwMeetingInput is a meeting to book: date, time, length, kind, purpose.
type cwMeetingInput struct {
	Date    string `json:"date"`
	Time    string `json:"time"`
	Minutes int    `json:"minutes"`
	Kind    string `json:"kind"`
	Purpose string `json:"purpose"`
}

func (s *Server) cwBook(ctx context.Context, p *Principal, caseID string, in cwMeetingInput) (sqlstore.Meeting, error) {
	c, err := s.staffCase(ctx, p, caseID)
	if err != nil {
		return sqlstore.Meeting{}, err
	}
	if _, err := bistand.ParseDate(in.Date); err != nil {
		return sqlstore.Meeting{}, invalid("date", "cw.err.date")
	}
	if _, err := time.Parse("15:04", in.Time); err != nil {
		return sqlstore.Meeting{}, invalid("time", "cw.err.time")
	}
	if in.Minutes < 1 || in.Minutes > 480 {
		return sqlstore.Meeting{}, invalid("minutes", "cw.err.minutes")
	}
	ok := false
	for _, k := range meetingKinds {
		ok = ok || k == in.Kind
	}
	if !ok {
		return sqlstore.Meeting{}, invalid("kind", "cw.err.mkind")
	}
	in.Purpose = strings.TrimSpace(in.Purpose)
	if in.Purpose == "" {
		return sqlstore.Meeting{}, invalid("purpose", "cw.err.purpose")
	}
	if sqlstore.LooksLikePersonnummer(in.Purpose) {
		return sqlstore.Meeting{}, invalid("purpose", "cw.err.pnr")
	}
	m, err := s.cfg.Store.BookMeeting(ctx, p.Actor(), sqlstore.Meeting{CaseID: c.ID, StartsAt: in.Date + "T" + in.Time, Minutes: in.Minutes,
		Kind: in.Kind, Purpose: in.Purpose, Caseworker: p.Staff.ID})
	return m, storeErr(err, "")
}

// cwRecordInput is how a booked meeting went.
type cwRecordInput struct {
	Status   string       `json:"status"`
	Notes    string       `json:"notes,omitempty"`
	FollowUp bistand.Date `json:"follow_up,omitzero"`
}

func (s *Server) cwRecord(ctx context.Context, p *Principal, id string, in cwRecordInput) (sqlstore.Meeting, error) {
	m, err := s.cfg.Store.Meeting(ctx, id)
	if err != nil {
		return m, storeErr(err, "")
	}
	if _, err := s.staffCase(ctx, p, m.CaseID); err != nil {
		return sqlstore.Meeting{}, err
	}
	switch in.Status {
	case sqlstore.MeetingHeld, sqlstore.MeetingCancelled, sqlstore.MeetingMissed:
	default:
		return m, invalid("status", "cw.err.mstatus")
	}
	in.Notes = strings.TrimSpace(in.Notes)
	if in.Status == sqlstore.MeetingHeld && in.Notes == "" {
		return m, invalid("notes", "cw.err.notes")
	}
	if sqlstore.LooksLikePersonnummer(in.Notes) {
		return m, invalid("notes", "cw.err.pnr")
	}
	if m.Status != sqlstore.MeetingBooked {
		return m, conflict("cw.err.recorded")
	}
	m, err = s.cfg.Store.RecordMeeting(ctx, p.Actor(), m.ID, in.Status, in.Notes, in.FollowUp)
	return m, storeErr(err, "")
}

// --- the forms ---

func (s *Server) cwResolvePost(w http.ResponseWriter, r *http.Request, p *Principal) {
	id := r.PathValue("id")
	f, err := s.cwResolve(r.Context(), p, id, r.PostFormValue("resolution"))
	if err != nil {
		s.cwReshow(w, r, p, f.ApplicationID, cwForm{Name: "resolve", Target: id}, err)
		return
	}
	redirectFlash(w, r, "/handlaggning/ansokan/"+f.ApplicationID+"#findings", "msg.cw.resolved")
}

func (s *Server) cwFactPost(w http.ResponseWriter, r *http.Request, p *Principal) {
	appID := r.PathValue("id")
	in, err := factFromForm(r)
	if err == nil {
		_, err = s.cwSetFact(r.Context(), p, appID, in)
	}
	if err != nil {
		s.cwReshow(w, r, p, appID, cwForm{Name: "fact", Target: r.PostFormValue("kind")}, err)
		return
	}
	redirectFlash(w, r, "/handlaggning/ansokan/"+appID+"#facts", "msg.cw.fact")
}

func (s *Server) cwDecidePost(w http.ResponseWriter, r *http.Request, p *Principal) {
	appID := r.PathValue("id")
	in := cwDecideInput{Outcome: r.PostFormValue("outcome"), Motivation: r.PostFormValue("motivation")}
	amount, err := parseAmount(r.PostFormValue("amount"))
	if err != nil {
		s.cwReshow(w, r, p, appID, cwForm{Name: "decide"}, invalid("amount", "cw.err.amount"))
		return
	}
	in.Amount = amount
	d, prop, err := s.cwDecide(r.Context(), p, appID, in)
	if err != nil {
		s.cwReshow(w, r, p, appID, cwForm{Name: "decide"}, err)
		return
	}
	flash := "msg.cw.decided"
	if prop != nil {
		flash = "msg.cw.proposed"
	}
	_ = d
	redirectFlash(w, r, "/handlaggning/ansokan/"+appID+"#decision", flash)
}

func (s *Server) cwApprovePost(w http.ResponseWriter, r *http.Request, p *Principal) {
	id := r.PathValue("id")
	_, err := s.cwApprove(r.Context(), p, id, r.PostFormValue("note"))
	s.cwProposalDone(w, r, p, id, "approve", err, "msg.cw.approved")
}

func (s *Server) cwRefusePost(w http.ResponseWriter, r *http.Request, p *Principal) {
	id := r.PathValue("id")
	err := s.cwRefuse(r.Context(), p, id, r.PostFormValue("note"))
	s.cwProposalDone(w, r, p, id, "refuse", err, "msg.cw.refused")
}

func (s *Server) cwProposalDone(w http.ResponseWriter, r *http.Request, p *Principal, id, form string, err error, flash string) {
	pr, perr := s.cfg.Store.Proposal(r.Context(), id)
	if perr != nil {
		s.fail(w, r, storeErr(perr, ""))
		return
	}
	if err != nil {
		s.cwReshow(w, r, p, pr.ApplicationID, cwForm{Name: "proposal", Target: id}, err)
		return
	}
	redirectFlash(w, r, "/handlaggning/ansokan/"+pr.ApplicationID+"#decision", flash)
}

func (s *Server) cwSupplementPost(w http.ResponseWriter, r *http.Request, p *Principal) {
	appID := r.PathValue("id")
	var due bistand.Date
	if t := strings.TrimSpace(r.PostFormValue("due")); t != "" {
		d, err := bistand.ParseDate(t)
		if err != nil {
			s.cwReshow(w, r, p, appID, cwForm{Name: "supplement"}, invalid("due", "cw.err.due"))
			return
		}
		due = d
	}
	if _, _, err := s.cwRequestSupplement(r.Context(), p, appID, r.PostFormValue("request"), due); err != nil {
		s.cwReshow(w, r, p, appID, cwForm{Name: "supplement"}, err)
		return
	}
	redirectFlash(w, r, "/handlaggning/ansokan/"+appID, "msg.cw.supplement")
}

func (s *Server) cwRandomDonePost(w http.ResponseWriter, r *http.Request, p *Principal) {
	appID := r.PathValue("id")
	if _, err := s.cwRandomDone(r.Context(), p, appID, r.PostFormValue("note")); err != nil {
		s.cwReshow(w, r, p, appID, cwForm{Name: "random"}, err)
		return
	}
	redirectFlash(w, r, "/handlaggning/ansokan/"+appID, "msg.cw.randomdone")
}

// cwReshowCase shows a case view again with a refused form (forms of the
// case rather than of an application).
func (s *Server) cwReshowCase(w http.ResponseWriter, r *http.Request, p *Principal, caseID string, form cwForm, err error) {
	ce, ok := err.(*cwError)
	if !ok {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	c, lerr := s.staffCase(ctx, p, caseID)
	if lerr != nil {
		s.fail(w, r, lerr)
		return
	}
	apps, lerr := s.cfg.Store.CaseApplications(ctx, c.ID)
	if lerr != nil {
		s.fail(w, r, lerr)
		return
	}
	var app *bistand.Application
	if id := r.PostFormValue("app"); id != "" {
		for i := range apps {
			if apps[i].ID == id {
				app = &apps[i]
			}
		}
	}
	if app == nil && len(apps) > 0 {
		app = &apps[0]
	}
	form.Field, form.Msg, form.Values = ce.Field, ce.message(langOf(r)), r.PostForm
	s.cwRenderCase(w, r, p, c, app, ce.Status, form)
}

// caseBack is where a case form returns to: the application it was posted
// from, else the case.
func caseBack(r *http.Request, caseID, anchor string) string {
	if id := r.PostFormValue("app"); id != "" && !strings.ContainsAny(id, "/?#\\") {
		return "/handlaggning/ansokan/" + id + anchor
	}
	return "/handlaggning/arende/" + caseID + anchor
}

func (s *Server) cwAssignPost(w http.ResponseWriter, r *http.Request, p *Principal) {
	caseID := r.PathValue("id")
	if err := s.cwAssign(r.Context(), p, caseID, r.PostFormValue("to")); err != nil {
		s.cwReshowCase(w, r, p, caseID, cwForm{Name: "assign"}, err)
		return
	}
	flash := "msg.cw.assigned"
	if r.PostFormValue("to") == "unit" {
		flash = "msg.cw.unassigned"
	}
	redirectFlash(w, r, caseBack(r, caseID, ""), flash)
}

func (s *Server) cwBookPost(w http.ResponseWriter, r *http.Request, p *Principal) {
	caseID := r.PathValue("id")
	in := cwMeetingInput{Date: strings.TrimSpace(r.PostFormValue("date")), Time: strings.TrimSpace(r.PostFormValue("time")),
		Kind: r.PostFormValue("kind"), Purpose: r.PostFormValue("purpose")}
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("minutes")))
	if err != nil {
		s.cwReshowCase(w, r, p, caseID, cwForm{Name: "meeting"}, invalid("minutes", "cw.err.minutes"))
		return
	}
	in.Minutes = n
	if _, err := s.cwBook(r.Context(), p, caseID, in); err != nil {
		s.cwReshowCase(w, r, p, caseID, cwForm{Name: "meeting"}, err)
		return
	}
	redirectFlash(w, r, caseBack(r, caseID, "#meetings"), "msg.cw.booked")
}

func (s *Server) cwRecordPost(w http.ResponseWriter, r *http.Request, p *Principal) {
	id := r.PathValue("id")
	in := cwRecordInput{Status: r.PostFormValue("status"), Notes: r.PostFormValue("notes")}
	m, merr := s.cfg.Store.Meeting(r.Context(), id)
	if merr != nil {
		s.fail(w, r, storeErr(merr, ""))
		return
	}
	if t := strings.TrimSpace(r.PostFormValue("follow_up")); t != "" {
		d, err := bistand.ParseDate(t)
		if err != nil {
			s.cwReshowCase(w, r, p, m.CaseID, cwForm{Name: "record", Target: id}, invalid("follow_up", "cw.err.date"))
			return
		}
		in.FollowUp = d
	}
	if _, err := s.cwRecord(r.Context(), p, id, in); err != nil {
		s.cwReshowCase(w, r, p, m.CaseID, cwForm{Name: "record", Target: id}, err)
		return
	}
	back := caseBack(r, m.CaseID, "#meetings")
	if r.PostFormValue("from") == "meetings" {
		back = "/handlaggning/moten"
	}
	redirectFlash(w, r, back, "msg.cw.recorded")
}
