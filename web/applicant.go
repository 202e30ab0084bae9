package web

// The applicant's pages under /mina: the household's applications and
// what happens next, applying for the month (applicant_apply.go), an
// application's status with its timeline, signatures, attachments and the
// answer to a supplement request (applicant_status.go), and the decision
// explained line by line with what would change it
// (applicant_decision.go). The JSON API for the same is in
// applicant_api.go. Every handler reaches a case, an application or a
// decision only through householdCase / householdApplication: another
// household's is not found.

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/sqlstore"
)

// applicantRoutes are the applicant's pages (see applicant.go's handlers).
func (s *Server) applicantRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /mina", s.applicant(s.minaHome))
	mux.HandleFunc("GET /mina/ansok", s.applicant(s.minaApplyForm))
	mux.HandleFunc("POST /mina/ansok", s.applicant(s.minaApplyPost))
	mux.HandleFunc("GET /mina/ansokan/{id}", s.applicant(s.minaStatus))
	mux.HandleFunc("POST /mina/ansokan/{id}/signera", s.applicant(s.minaSign))
	mux.HandleFunc("POST /mina/ansokan/{id}/bilagor", s.applicant(s.minaUpload))
	mux.HandleFunc("GET /mina/ansokan/{id}/bilagor/{att}", s.applicant(s.minaAttachment))
	mux.HandleFunc("POST /mina/ansokan/{id}/komplettera", s.applicant(s.minaSupplement))
	mux.HandleFunc("GET /mina/ansokan/{id}/andra", s.applicant(s.minaCorrectForm))
	mux.HandleFunc("POST /mina/ansokan/{id}/andra", s.applicant(s.minaCorrectPost))
	mux.HandleFunc("GET /mina/beslut/{id}", s.applicant(s.minaDecision))
	mux.HandleFunc("GET /mina/beslut/{id}/brev.pdf", s.applicant(s.minaLetter))

	s.handleAPI(mux, "GET /api/v1/applications", s.applicant(s.apiMinaList))
	s.handleAPI(mux, "POST /api/v1/applications", s.applicant(s.apiMinaApply))
	s.handleAPI(mux, "GET /api/v1/applications/{id}", s.applicant(s.apiMinaApplication))
	s.handleAPI(mux, "POST /api/v1/applications/{id}/sign", s.applicant(s.apiMinaSign))
	s.handleAPI(mux, "POST /api/v1/applications/{id}/supplement", s.applicant(s.apiMinaSupplement))
	s.handleAPI(mux, "POST /api/v1/applications/{id}/attachments", s.applicant(s.apiMinaUpload))
	s.handleAPI(mux, "GET /api/v1/decisions/{id}", s.applicant(s.apiMinaDecision))
	s.handleAPI(mux, "GET /api/v1/decisions/{id}/letter.pdf", s.applicant(s.apiMinaLetter))
}

// minaMonth is the month a household applies for now.
func (s *Server) minaMonth() bistand.Month { return bistand.DateOf(s.cfg.Now()).Month() }

// minaActive reports whether an application still counts for its month:
// not withdrawn, and not a draft that expired without being submitted.
func minaActive(a bistand.Application) bool {
	if a.State == bistand.Withdrawn {
		return false
	}
	return a.State != bistand.Expired || !a.SubmittedAt.IsZero()
}

// minaRole is the person's role in the case, or "".
func minaRole(c bistand.Case, personID string) string {
	for _, m := range c.Members {
		if m.PersonID == personID {
			return m.Role
		}
	}
	return ""
}

// minaAdult reports whether a role signs the household's applications.
func minaAdult(role string) bool { return role == "applicant" || role == "partner" }

// minaPerson is a member of the household as the pages name them.
type minaPerson struct {
	ID   string
	Role string
	Name string
	Age  int // on the first day of the month shown; -1 unknown
}

// minaPeople names the case's members: by the population register's names
// recorded on the case's applications (never an address), otherwise by
// role ("Barn 2"); ages on the first day of month.
func (s *Server) minaPeople(ctx context.Context, lang string, c bistand.Case, appID string, month bistand.Month) map[string]minaPerson {
	out := map[string]minaPerson{}
	var contacts map[string]sqlstore.ContactValue
	if appID != "" {
		contacts, _ = s.cfg.Store.Contacts(ctx, appID, s.cfg.Now())
	}
	children := 0
	for _, m := range c.Members {
		p := minaPerson{ID: m.PersonID, Role: m.Role, Age: -1}
		if cv, ok := contacts[m.PersonID]; ok && strings.TrimSpace(cv.Name) != "" {
			p.Name = cv.Name
		}
		if m.Role == "child" {
			children++
		}
		if p.Name == "" {
			switch m.Role {
			case "applicant":
				p.Name = tr(lang, "mina.role.applicant")
			case "partner":
				p.Name = tr(lang, "mina.role.partner")
			default:
				p.Name = tr(lang, "mina.role.childn", children)
			}
		}
		if per, err := s.cfg.Store.Person(ctx, m.PersonID); err == nil {
			if n, err := personnummer.ParseCanonical(per.Personnummer); err == nil && !month.IsZero() {
				p.Age = max(n.BirthDate().AgeOn(month.FirstDay()), 0)
			}
		}
		out[m.PersonID] = p
	}
	return out
}

// minaName is a person's name for the pages, or the id's role-less
// fallback.
func minaName(people map[string]minaPerson, lang, id string) string {
	if p, ok := people[id]; ok {
		return p.Name
	}
	return tr(lang, "mina.person.unknown")
}

// minaStateText is a state in plain words in the page's language.
func minaStateText(lang string, st bistand.State) string {
	if lang != "en" {
		return st.Swedish()
	}
	return tr(lang, "mina.state."+string(st))
}

// minaNext is a sentence on what happens next with an application.
func minaNext(lang string, a bistand.Application, waitingFor []string) string {
	switch a.State {
	case bistand.Draft:
		if len(waitingFor) > 0 {
			return tr(lang, "mina.next.draft.sign", strings.Join(waitingFor, ", "))
		}
		return tr(lang, "mina.next.draft")
	case bistand.SupplementRequested:
		return tr(lang, "mina.next.supplement_requested", dateString(a.SupplementDue))
	case bistand.Expired:
		if a.SubmittedAt.IsZero() {
			return tr(lang, "mina.next.expired.draft")
		}
		return tr(lang, "mina.next.expired")
	}
	return tr(lang, "mina.next."+string(a.State))
}

// minaSupplementText is what the household was asked to complete: the
// reason of the latest request, or the notification that told them.
func (s *Server) minaSupplementText(ctx context.Context, appID string, trs []bistand.Transition) string {
	text := ""
	for _, t := range trs {
		if t.To == bistand.SupplementRequested {
			text = t.Reason
		}
	}
	if strings.TrimSpace(text) == "" {
		if ns, err := s.cfg.Store.Notifications(ctx, appID); err == nil {
			for _, n := range ns {
				if n.Kind == "supplement_request" || n.Kind == bistand.NotificationSupplementReminder {
					text = n.Body
				}
			}
		}
	}
	return sqlstore.RedactPersonnummer(strings.TrimSpace(text))
}

// minaWaiting lists the adults whose signature a draft still lacks.
func (s *Server) minaWaiting(ctx context.Context, c bistand.Case, appID string) ([]string, error) {
	sigs, err := s.cfg.Store.Signatures(ctx, appID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range c.Members {
		if !minaAdult(m.Role) {
			continue
		}
		if !slices.ContainsFunc(sigs, func(sg bistand.Signature) bool { return sg.PersonID == m.PersonID }) {
			out = append(out, m.PersonID)
		}
	}
	return out, nil
}

// minaCases returns the cases the person is a member of.
func (s *Server) minaCases(ctx context.Context, p *Principal) ([]bistand.Case, error) {
	ids, err := s.cfg.Store.CasesOfPerson(ctx, p.PersonID)
	if err != nil {
		return nil, err
	}
	var out []bistand.Case
	for _, id := range ids {
		c, err := s.householdCase(ctx, p, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// minaHomeView is /mina.
type minaHomeView struct {
	Cases []minaCaseView
	// Todo lists what the household must do: answer a supplement request,
	// sign a draft.
	Todo []minaAppRow
}

type minaCaseView struct {
	ID        string
	Multiple  bool // the person is in more than one case
	CanApply  bool
	ApplyID   string // "apply" on the first apply link
	ApplyURL  string
	MonthText string
	Apps      []minaAppRow
}

type minaAppRow struct {
	ID            string
	Month         bistand.Month
	MonthText     string
	State         bistand.State
	StateText     string
	Next          string
	SupplementDue bistand.Date
	Supplement    bool   // a supplement is requested
	MustSign      bool   // a draft waiting for this person's signature
	Badge         string // the state badge's class: ok, warn or bad (the text says it too)
	Decision      *minaDecisionRef
}

type minaDecisionRef struct {
	ID          string
	OutcomeText string
	Outcome     bistand.Outcome
	Amount      bistand.Money
}

func (s *Server) minaHome(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx, lang := r.Context(), langOf(r)
	cases, err := s.minaCases(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	month := s.minaMonth()
	var v minaHomeView
	for _, c := range cases {
		cv := minaCaseView{ID: c.ID, Multiple: len(cases) > 1, MonthText: minaMonthText(lang, month)}
		apps, err := s.cfg.Store.CaseApplications(ctx, c.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		applied := false
		people := map[string]minaPerson(nil)
		for _, a := range apps {
			if a.Month == month && minaActive(a) {
				applied = true
			}
			if people == nil {
				people = s.minaPeople(ctx, lang, c, a.ID, month)
			}
			row, err := s.minaRow(ctx, lang, p, c, a, people)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			cv.Apps = append(cv.Apps, row)
			if row.Supplement || row.MustSign {
				v.Todo = append(v.Todo, row)
			}
		}
		cv.CanApply = !applied && minaAdult(minaRole(c, p.PersonID))
		if cv.CanApply {
			cv.ApplyURL = "/mina/ansok?case=" + c.ID
			if !slices.ContainsFunc(v.Cases, func(x minaCaseView) bool { return x.ApplyID != "" }) {
				cv.ApplyID = "apply"
			}
		}
		v.Cases = append(v.Cases, cv)
	}
	s.render(w, r, http.StatusOK, "app_mina.html", v)
}

// minaRow is one application in a list.
func (s *Server) minaRow(ctx context.Context, lang string, p *Principal, c bistand.Case, a bistand.Application, people map[string]minaPerson) (minaAppRow, error) {
	row := minaAppRow{ID: a.ID, Month: a.Month, MonthText: minaMonthText(lang, a.Month), State: a.State, StateText: minaStateText(lang, a.State),
		SupplementDue: a.SupplementDue, Supplement: a.State == bistand.SupplementRequested}
	var waiting []string
	if a.State == bistand.Draft {
		ids, err := s.minaWaiting(ctx, c, a.ID)
		if err != nil {
			return row, err
		}
		for _, id := range ids {
			waiting = append(waiting, minaName(people, lang, id))
			if id == p.PersonID {
				row.MustSign = true
			}
		}
	}
	row.Next = minaNext(lang, a, waiting)
	switch {
	case a.State == bistand.Decided || a.State == bistand.Paid:
		row.Badge = "ok"
	case row.Supplement || row.MustSign:
		row.Badge = "warn"
	case !minaActive(a) || a.State == bistand.Expired:
		row.Badge = "bad"
	}
	if a.State == bistand.Decided || a.State == bistand.Paid {
		d, err := s.cfg.Store.CurrentDecision(ctx, a.ID)
		if err != nil && !errors.Is(err, bistand.ErrNotFound) {
			return row, err
		}
		if err == nil {
			row.Decision = &minaDecisionRef{ID: d.ID, Outcome: d.Outcome, OutcomeText: tr(lang, "mina.outcome."+string(d.Outcome)), Amount: d.Amount}
		}
	}
	return row, nil
}

var minaMonthNames = [2][12]string{
	{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"},
	{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// minaMonthText is a month in words: "mars 2026", "March 2026".
func minaMonthText(lang string, m bistand.Month) string {
	if m.IsZero() {
		return ""
	}
	i := 0
	if lang == "en" {
		i = 1
	}
	return minaMonthNames[i][m.MonthOfYear()-1] + " " + strconv.Itoa(m.Year())
}

// minaSignature is the signature the logged-in person gives: "demo" in the
// demo, otherwise the e-ID login's ("oidc"), with a reference naming the
// person, the application's case and month, and when.
func (s *Server) minaSignature(p *Principal, caseID string, month bistand.Month) sqlstore.Signed {
	method := "oidc"
	if s.cfg.Demo {
		method = "demo"
	}
	return sqlstore.Signed{PersonID: p.PersonID, Method: method,
		Reference: method + "-" + p.PersonID + "-" + caseID + "-" + month.String() + "-" + s.cfg.Now().UTC().Format(time.RFC3339)}
}
