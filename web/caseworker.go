package web

// The caseworker's pages: the work queue (/handlaggning), the case view
// with its actions (resolve a finding, set a fact, decide or propose,
// approve a colleague's proposal, request a supplement, assign), meetings
// (/handlaggning/moten), and the same as a JSON API under /api/v1.
// Caseworkers see only the cases of their own unit: any other case is
// answered as not found.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

// caseworkerRoutes are the caseworker's pages.
func (s *Server) caseworkerRoutes(mux *http.ServeMux) {
	cw := func(h func(http.ResponseWriter, *http.Request, *Principal)) http.HandlerFunc {
		return s.staff(h, KindCaseworker)
	}
	mux.HandleFunc("GET /handlaggning", cw(s.cwQueue))
	mux.HandleFunc("GET /handlaggning/moten", cw(s.cwMeetings))
	mux.HandleFunc("GET /handlaggning/arende/{id}", cw(s.cwCasePage))
	mux.HandleFunc("GET /handlaggning/ansokan/{id}", cw(s.cwApplicationPage))
	mux.HandleFunc("GET /handlaggning/ansokan/{id}/bilaga/{att}", cw(s.cwAttachment))
	mux.HandleFunc("POST /handlaggning/avklaring/{id}", cw(s.cwResolvePost))
	mux.HandleFunc("POST /handlaggning/ansokan/{id}/uppgift", cw(s.cwFactPost))
	mux.HandleFunc("POST /handlaggning/ansokan/{id}/beslut", cw(s.cwDecidePost))
	mux.HandleFunc("POST /handlaggning/ansokan/{id}/komplettering", cw(s.cwSupplementPost))
	mux.HandleFunc("POST /handlaggning/ansokan/{id}/stickprov", cw(s.cwRandomDonePost))
	mux.HandleFunc("POST /handlaggning/forslag/{id}/godkann", cw(s.cwApprovePost))
	mux.HandleFunc("POST /handlaggning/forslag/{id}/avsla", cw(s.cwRefusePost))
	mux.HandleFunc("POST /handlaggning/arende/{id}/tilldela", cw(s.cwAssignPost))
	mux.HandleFunc("POST /handlaggning/arende/{id}/moten", cw(s.cwBookPost))
	mux.HandleFunc("POST /handlaggning/moten/{id}", cw(s.cwRecordPost))
	s.caseworkerAPIRoutes(mux)
}

// --- the work queue ---

type cwViewLink struct {
	ID      string
	Label   string // message key
	Count   int
	URL     string
	Current bool
}

type cwOption struct {
	Value, Label string
	Selected     bool
}

// cwRow is one application in the queue.
type cwRow struct {
	AppID, CaseID string
	Members       int
	Month         bistand.Month
	State         string
	Findings      []string
	Amount        bistand.Money
	AmountOK      bool
	Assignee      string
	Days          int
	DaysText      string
	Due           bistand.Date
	Overdue       bool
	Proposal      string
	ProposedBy    string
	ProposalAmt   bistand.Money
	Approvable    bool
	Own           bool
}

type cwQueuePage struct {
	View      string
	Views     []cwViewLink
	Month     string
	MonthBad  bool
	Kind      string
	Kinds     []cwOption
	Rows      []cwRow
	Offset    int
	Next, Prv string // links to the next and previous page, or ""
	Unit      string
	items     []sqlstore.WorkItem // as the store gave them (the API)
}

const cwPage = 50

// cwQueueData reads the queue as the query asks.
func (s *Server) cwQueueData(ctx context.Context, p *Principal, q url.Values, lang string) (cwQueuePage, error) {
	page := cwQueuePage{View: q.Get("view"), Month: q.Get("month"), Kind: q.Get("kind"), Unit: p.Staff.Unit}
	valid := false
	for _, v := range sqlstore.WorkViews {
		valid = valid || string(v) == page.View
	}
	if !valid {
		page.View = string(sqlstore.ViewNew)
	}
	f := sqlstore.WorkQueueFilter{Unit: p.Staff.Unit, DefaultUnit: s.cfg.DefaultUnit, Me: p.Staff.ID, View: sqlstore.WorkView(page.View),
		Today: s.today(), Limit: cwPage}
	if page.Month != "" {
		m, err := bistand.ParseMonth(page.Month)
		if err != nil {
			page.MonthBad = true
		} else {
			f.Month = m
		}
	}
	knownKind := false
	for _, k := range findingKinds {
		sel := string(k) == page.Kind
		knownKind = knownKind || sel
		page.Kinds = append(page.Kinds, cwOption{Value: string(k), Label: kindLabel(lang, k), Selected: sel})
	}
	if knownKind {
		f.Kind = bistand.FindingKind(page.Kind)
	} else {
		page.Kind = ""
	}
	if o, err := strconv.Atoi(q.Get("from")); err == nil && o > 0 {
		f.Offset = o
	}
	page.Offset = f.Offset
	items, counts, err := s.cfg.Store.WorkQueue(ctx, f)
	if err != nil {
		return page, err
	}
	page.items = items
	link := func(view string, offset int) string {
		v := url.Values{"view": {view}}
		if !f.Month.IsZero() {
			v.Set("month", f.Month.String())
		}
		if f.Kind != "" {
			v.Set("kind", string(f.Kind))
		}
		if offset > 0 {
			v.Set("from", strconv.Itoa(offset))
		}
		return "/handlaggning?" + v.Encode()
	}
	for _, v := range sqlstore.WorkViews {
		page.Views = append(page.Views, cwViewLink{ID: string(v), Label: "cw.view." + string(v), Count: counts[v], URL: link(string(v), 0), Current: string(v) == page.View})
	}
	if total := counts[f.View]; f.Offset+len(items) < total {
		page.Next = link(page.View, f.Offset+cwPage)
	}
	if f.Offset > 0 {
		page.Prv = link(page.View, max(f.Offset-cwPage, 0))
	}
	staff := s.staffNames(ctx)
	today := s.today()
	for _, it := range items {
		row := cwRow{AppID: it.ApplicationID, CaseID: it.CaseID, Members: it.Members, Month: it.Month, State: stateLabel(lang, it.State),
			Assignee: staff[it.Assignee], Due: it.SupplementDue, Proposal: it.ProposalID, ProposalAmt: it.ProposalAmount}
		if row.Assignee == "" && it.Assignee != "" {
			row.Assignee = it.Assignee
		}
		for _, k := range it.OpenFindings {
			row.Findings = append(row.Findings, kindLabel(lang, k))
		}
		if !it.SubmittedAt.IsZero() {
			row.Days = daysBetween(bistand.DateOf(it.SubmittedAt.In(stockholm)), today)
			row.DaysText = fmtDays(lang, row.Days)
		}
		row.Overdue = it.State == bistand.SupplementRequested && !it.SupplementDue.IsZero() && it.SupplementDue.Before(today)
		if it.ProposalID != "" {
			row.ProposedBy = staff[it.ProposedBy]
			row.Own = it.ProposedBy == p.Staff.ID
			row.Approvable = !row.Own
		}
		row.Amount, row.AmountOK = s.calculated(ctx, it.ApplicationID)
		page.Rows = append(page.Rows, row)
	}
	return page, nil
}

// calculated is what the rules give an application as its facts stand.
func (s *Server) calculated(ctx context.Context, appID string) (bistand.Money, bool) {
	h, _, err := s.cfg.Store.Household(ctx, appID)
	if err != nil {
		return 0, false
	}
	res, err := s.cfg.Rules.Calculate(h, rules.Options{})
	if err != nil {
		return 0, false
	}
	return res.Amount, true
}

func (s *Server) cwQueue(w http.ResponseWriter, r *http.Request, p *Principal) {
	page, err := s.cwQueueData(r.Context(), p, r.URL.Query(), langOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cw_queue.html", page)
}
