// Package web is bistand's web application: the applicant's pages (apply,
// follow, read the decision and its explanation, answer a supplement
// request), the caseworker's work queue, case view and meetings, the robot
// supervisor's overview and pause switch, the public rule register at
// /regler, and a JSON API for the same operations, described in OpenAPI at
// /api/openapi.json.
//
// Every page is server-rendered HTML that works without JavaScript, Swedish
// first with English available. Requests that change something are POST
// forms protected against cross-origin requests (net/http's
// CrossOriginProtection); sessions live in the database, their cookie holds
// only a random token.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

// Config is what the web application runs on.
type Config struct {
	Store *sqlstore.Store
	// Queue, if set, gives the supervisor the queue depths.
	Queue *queue.Queue
	// Rules is the rule engine; nil means rules.Default().
	Rules *rules.Engine
	// Metrics, if set, is the robot's own count since the program started.
	Metrics *robot.Metrics
	// Registers, if set, reports the register sources' health.
	Registers RegisterHealth
	Log       *slog.Logger
	Now       func() time.Time
	// Municipality is the municipality whose cases this installation
	// handles, and DefaultUnit the unit a case belongs to until assigned.
	Municipality string
	DefaultUnit  string
	// Demo enables the demo logins (DemoLogins, listed on the start page).
	// Never set it where real people's data is.
	Demo       bool
	DemoLogins []DemoLogin
	// OIDC, if set, logs people in at the municipality's e-ID broker.
	OIDC *OIDCConfig
	// SecureCookies marks cookies Secure (HTTPS only). Leave it off only
	// for plain HTTP on the loopback interface.
	SecureCookies bool
	// SessionTTL is how long a login lasts (default 8 hours).
	SessionTTL time.Duration
	// MaxUpload is the largest attachment accepted, in bytes (default 10 MiB).
	MaxUpload int64
	// SupplementDays is how long a household has to answer a caseworker's
	// supplement request by default (default 14).
	SupplementDays int
	// LoginRate and SubmitRate are how many logins and submissions one
	// client may make per minute (default 10 and 20).
	LoginRate, SubmitRate int
}

// RegisterHealth reports the health of each register source, for the
// supervisor (collect.Registers and resilience.Breakers implement it).
type RegisterHealth interface {
	Health() []SourceHealth
}

// SourceHealth is one register source's state.
type SourceHealth struct {
	Source string `json:"source"`
	State  string `json:"state"` // "ok", "degraded" or "down"
	Detail string `json:"detail,omitempty"`
}

// DemoLogin is one of the demo's people and staff, listed on the start page.
type DemoLogin struct {
	Kind    string // "applicant" or "staff"
	Subject string // person id or staff id
	Name    string
	Note    string // what to try with this login, Swedish
}

// Server is the web application.
type Server struct {
	cfg     Config
	handler http.Handler
	pages   *pages
	loginRL *limiter
	submRL  *limiter
	oidc    *oidcClient
	// apiPatterns are the JSON API's routes as registered (handleAPI): the
	// OpenAPI description must cover each.
	apiPatterns []string
}

// New returns the web application for cfg.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: no store")
	}
	if cfg.Rules == nil {
		cfg.Rules = rules.Default()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Municipality == "" {
		cfg.Municipality = "demo"
	}
	if cfg.DefaultUnit == "" {
		cfg.DefaultUnit = "forsorjningsstod"
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 10 << 20
	}
	if cfg.SupplementDays <= 0 {
		cfg.SupplementDays = 14
	}
	if cfg.LoginRate <= 0 {
		cfg.LoginRate = 10
	}
	if cfg.SubmitRate <= 0 {
		cfg.SubmitRate = 20
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, pages: p,
		loginRL: newLimiter(cfg.LoginRate, time.Minute, cfg.Now),
		submRL:  newLimiter(cfg.SubmitRate, time.Minute, cfg.Now)}
	if cfg.OIDC != nil {
		s.oidc, err = newOIDC(ctx, *cfg.OIDC)
		if err != nil {
			return nil, err
		}
	}
	mux := http.NewServeMux()
	s.routes(mux)
	cop := http.NewCrossOriginProtection()
	// A refused cross-origin request gets the error page (JSON under /api/).
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, fmt.Errorf("%w: cross-origin request refused", bistand.ErrForbidden))
	}))
	s.handler = s.recoverer(securityHeaders(cop.Handler(s.authenticate(mux))))
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// routes registers every route. Each part of the application adds its own.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	mux.HandleFunc("GET /{$}", s.start)
	mux.HandleFunc("GET /lang/{lang}", s.setLang)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	// Anything else is the site's own "not found" page (JSON under /api/).
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, errHidden) })
	s.authRoutes(mux)
	s.applicantRoutes(mux)
	s.caseworkerRoutes(mux)
	s.supervisorRoutes(mux)
	s.publicRoutes(mux)
	s.apiRoutes(mux)
}

// handleAPI registers a JSON API route ("METHOD /api/v1/…") and remembers
// it, so that a test can hold the OpenAPI description to every route.
func (s *Server) handleAPI(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	s.apiPatterns = append(s.apiPatterns, pattern)
	mux.HandleFunc(pattern, h)
}

// securityHeaders sets the headers every answer carries: no framing, no
// sniffing, no referrer beyond the origin, and a content security policy
// that allows only the application's own styles and no scripts at all.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic in a handler into a 500 page and a log line.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.Log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				http.Error(w, "Internt fel / Internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// fail answers with the error page for err: not found (also for what the
// user may not see, so that ids cannot be probed), forbidden, invalid input
// (its message is shown) or an internal error (logged, not shown).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "msg.error.internal"
	switch {
	case errors.Is(err, bistand.ErrNotFound), errors.Is(err, errHidden):
		status, msg = http.StatusNotFound, "msg.error.notfound"
	case errors.Is(err, bistand.ErrForbidden):
		status, msg = http.StatusForbidden, "msg.error.forbidden"
	case errors.Is(err, bistand.ErrInvalid), errors.Is(err, bistand.ErrInvalidTransition):
		status, msg = http.StatusBadRequest, ""
	case errors.Is(err, bistand.ErrConflict):
		status, msg = http.StatusConflict, "msg.error.conflict"
	}
	if status == http.StatusInternalServerError {
		s.cfg.Log.Error("request failed", "path", r.URL.Path, "err", err.Error())
	}
	if wantsJSON(r) {
		text := err.Error()
		if msg != "" {
			text = tr(langOf(r), msg)
		}
		writeJSON(w, status, map[string]any{"error": text, "status": status})
		return
	}
	text := ""
	if msg == "" {
		text = err.Error()
	}
	s.render(w, r, status, "error.html", errorPage{Status: status, Key: msg, Text: text})
}

type errorPage struct {
	Status int
	Key    string // a message key, or ""
	Text   string // the message itself when Key is ""
}

// errHidden is what a user is refused when even saying "forbidden" would
// tell that the thing exists: answered as not found.
var errHidden = errors.New("not found")
