package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
)

// Principal is who is logged in.
type Principal struct {
	Kind     string // "applicant", "caseworker" or "supervisor"
	PersonID string // applicants
	Staff    sqlstore.Staff
	Name     string
}

// Principal kinds.
const (
	KindApplicant  = "applicant"
	KindCaseworker = sqlstore.RoleCaseworker
	KindSupervisor = sqlstore.RoleSupervisor
)

// Actor is the principal as the actor of what they do.
func (p *Principal) Actor() bistand.Actor {
	if p.Kind == KindApplicant {
		return bistand.Actor{Kind: bistand.ActorApplicant, ID: p.PersonID}
	}
	return p.Staff.Actor()
}

// IsStaff reports whether the principal is a member of staff.
func (p *Principal) IsStaff() bool {
	return p != nil && (p.Kind == KindCaseworker || p.Kind == KindSupervisor)
}

type ctxKey int

const principalKey ctxKey = 0

// principal returns who is logged in, or nil.
func principal(r *http.Request) *Principal {
	p, _ := r.Context().Value(principalKey).(*Principal)
	return p
}

const sessionCookie = "bistand_session"

// authenticate puts the session's principal (if any) in the request's
// context.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err == nil && c.Value != "" {
			if p, err := s.principalFor(r.Context(), c.Value); err == nil {
				r = r.WithContext(context.WithValue(r.Context(), principalKey, p))
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) principalFor(ctx context.Context, token string) (*Principal, error) {
	sess, err := s.cfg.Store.SessionByToken(ctx, token, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	switch sess.Kind {
	case KindApplicant:
		if _, err := s.cfg.Store.Person(ctx, sess.Subject); err != nil {
			return nil, err
		}
		return &Principal{Kind: KindApplicant, PersonID: sess.Subject, Name: s.personName(ctx, sess.Subject)}, nil
	case "staff":
		st, err := s.cfg.Store.StaffMember(ctx, sess.Subject)
		if err != nil {
			return nil, err
		}
		if !st.Active {
			return nil, bistand.ErrForbidden
		}
		return &Principal{Kind: st.Role, Staff: st, Name: st.Name}, nil
	}
	return nil, errors.New("unknown session kind")
}

// personName is a person's name as the population register last gave it,
// or "" (applicants see their own name in the header).
func (s *Server) personName(ctx context.Context, personID string) string {
	cases, err := s.cfg.Store.CasesOfPerson(ctx, personID)
	if err != nil || len(cases) == 0 {
		return ""
	}
	apps, err := s.cfg.Store.CaseApplications(ctx, cases[len(cases)-1])
	if err != nil {
		return ""
	}
	for _, a := range apps {
		cs, err := s.cfg.Store.Contacts(ctx, a.ID, s.cfg.Now())
		if err == nil {
			if c, ok := cs[personID]; ok {
				return c.Name
			}
		}
	}
	return ""
}

// login starts a session for subject and sets its cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request, kind, subject string) error {
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.cfg.Now()
	if err := s.cfg.Store.CreateSession(r.Context(), token, sqlstore.Session{Kind: kind, Subject: subject, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL / time.Second)})
	// A login is logged by its kind and subject (an id, never a personnummer).
	s.cfg.Log.Info("login", "kind", kind, "subject", subject)
	return nil
}

func (s *Server) authRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login/demo", s.demoLogin)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /login/oidc", s.oidcStart)
	mux.HandleFunc("GET /login/oidc/callback", s.oidcCallback)
}

type loginPage struct {
	Demo       bool
	DemoLogins []DemoLogin
	OIDC       bool
	Next       string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login.html", loginPage{Demo: s.cfg.Demo, DemoLogins: s.cfg.DemoLogins, OIDC: s.oidc != nil, Next: safeNext(r.URL.Query().Get("next"))})
}

// demoLogin logs in as one of the demo's listed people or staff.
func (s *Server) demoLogin(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Demo {
		s.fail(w, r, errHidden)
		return
	}
	if !s.loginRL.allow(clientKey(r)) {
		s.tooMany(w, r)
		return
	}
	kind, subject := r.PostFormValue("kind"), r.PostFormValue("subject")
	i := slices.IndexFunc(s.cfg.DemoLogins, func(d DemoLogin) bool { return d.Kind == kind && d.Subject == subject })
	if i < 0 {
		s.fail(w, r, fmt.Errorf("%w: not a demo login", bistand.ErrForbidden))
		return
	}
	if err := s.login(w, r, kind, subject); err != nil {
		s.fail(w, r, err)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.cfg.Store.DeleteSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// safeNext keeps a redirect target only if it is a path on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || len(next) < 1 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return ""
	}
	return next
}

// needLogin sends someone not logged in to the login page (a JSON client
// gets 401).
func (s *Server) needLogin(w http.ResponseWriter, r *http.Request) {
	if wantsJSON(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "logga in / log in", "status": 401})
		return
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

// applicant wraps a handler only applicants may use.
func (s *Server) applicant(h func(http.ResponseWriter, *http.Request, *Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		if p == nil {
			s.needLogin(w, r)
			return
		}
		if p.Kind != KindApplicant {
			s.fail(w, r, bistand.ErrForbidden)
			return
		}
		h(w, r, p)
	}
}

// staff wraps a handler only staff of the given roles may use.
func (s *Server) staff(h func(http.ResponseWriter, *http.Request, *Principal), roles ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		if p == nil {
			s.needLogin(w, r)
			return
		}
		if !p.IsStaff() || (len(roles) > 0 && !slices.Contains(roles, p.Kind)) {
			s.fail(w, r, bistand.ErrForbidden)
			return
		}
		h(w, r, p)
	}
}

// householdCase returns the case if the applicant is one of its members;
// any other case is answered as not found.
func (s *Server) householdCase(ctx context.Context, p *Principal, caseID string) (bistand.Case, error) {
	cases, err := s.cfg.Store.CasesOfPerson(ctx, p.PersonID)
	if err != nil {
		return bistand.Case{}, err
	}
	if !slices.Contains(cases, caseID) {
		return bistand.Case{}, errHidden
	}
	return s.cfg.Store.Case(ctx, p.Actor(), caseID)
}

// householdApplication returns the application if it belongs to a case the
// applicant is a member of; any other is answered as not found.
func (s *Server) householdApplication(ctx context.Context, p *Principal, appID string) (bistand.Application, error) {
	a, err := s.cfg.Store.Application(ctx, p.Actor(), appID)
	if err != nil {
		if errors.Is(err, bistand.ErrNotFound) {
			return a, errHidden
		}
		return a, err
	}
	if _, err := s.householdCase(ctx, p, a.CaseID); err != nil {
		return bistand.Application{}, err
	}
	return a, nil
}

// caseUnit is the unit a case belongs to.
func (s *Server) caseUnit(ctx context.Context, caseID string) (sqlstore.Assignment, error) {
	a, ok, err := s.cfg.Store.CaseAssignment(ctx, caseID)
	if err != nil {
		return a, err
	}
	if !ok {
		a.Unit = s.cfg.DefaultUnit
	}
	return a, nil
}

// staffCase returns the case if it belongs to the caseworker's unit (the
// read is audited by the store); a case of another unit is not found.
func (s *Server) staffCase(ctx context.Context, p *Principal, caseID string) (bistand.Case, error) {
	if p.Kind != KindCaseworker {
		return bistand.Case{}, bistand.ErrForbidden
	}
	a, err := s.caseUnit(ctx, caseID)
	if err != nil {
		return bistand.Case{}, err
	}
	if a.Unit != p.Staff.Unit {
		return bistand.Case{}, errHidden
	}
	c, err := s.cfg.Store.Case(ctx, p.Actor(), caseID)
	if errors.Is(err, bistand.ErrNotFound) {
		return c, errHidden
	}
	return c, err
}

// staffApplication returns the application if its case belongs to the
// caseworker's unit.
func (s *Server) staffApplication(ctx context.Context, p *Principal, appID string) (bistand.Application, bistand.Case, error) {
	a, err := s.cfg.Store.Application(ctx, p.Actor(), appID)
	if err != nil {
		if errors.Is(err, bistand.ErrNotFound) {
			err = errHidden
		}
		return a, bistand.Case{}, err
	}
	c, err := s.staffCase(ctx, p, a.CaseID)
	if err != nil {
		return bistand.Application{}, c, err
	}
	return a, c, nil
}

// limiter allows n events per window per key (a client address).
type limiter struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	now    func() time.Time
	seen   map[string][]time.Time
}

func newLimiter(n int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{n: n, window: window, now: now, seen: map[string][]time.Time{}}
}

func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	ts := l.seen[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) >= l.n {
		l.seen[key] = ts
		return false
	}
	l.seen[key] = append(ts, now)
	if len(l.seen) > 100000 { // bounded memory under a flood of addresses
		for k, v := range l.seen {
			if len(v) == 0 || now.Sub(v[len(v)-1]) >= l.window {
				delete(l.seen, k)
			}
		}
	}
	return true
}

// clientKey is the rate limits' key: the client's address.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) tooMany(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "60")
	if wantsJSON(r) {
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": tr(langOf(r), "msg.error.toomany"), "status": 429})
		return
	}
	s.render(w, r, http.StatusTooManyRequests, "error.html", errorPage{Status: http.StatusTooManyRequests, Key: "msg.error.toomany"})
}
