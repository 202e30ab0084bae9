package web

// The web package's test harness, shared by every part's tests: a store on a
// fresh database of each engine, the application over it in an httptest
// server, demo staff, synthetic households and clients logged in as
// someone.

import (
	"context"
	"database/sql"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	"github.com/bistand/bistand/synth"
)

// jobs records what the store enqueues; tests run robot steps themselves.
type jobs struct{}

func (jobs) InsertTx(context.Context, *sql.Tx, []sqlstore.Job) error { return nil }

// env is one test's application.
type env struct {
	t     *testing.T
	ctx   context.Context
	store *sqlstore.Store
	app   *Server
	srv   *httptest.Server
	month bistand.Month
}

var testStaff = []sqlstore.Staff{
	{ID: "hl-anna", Name: "Anna Handläggare", Role: sqlstore.RoleCaseworker, Unit: "forsorjningsstod", Active: true},
	{ID: "hl-bo", Name: "Bo Handläggare", Role: sqlstore.RoleCaseworker, Unit: "forsorjningsstod", Active: true},
	{ID: "hl-cecilia", Name: "Cecilia Handläggare", Role: sqlstore.RoleCaseworker, Unit: "forsorjningsstod-vast", Active: true},
	{ID: "rs-dana", Name: "Dana Robotansvarig", Role: sqlstore.RoleSupervisor, Unit: "forsorjningsstod", Active: true},
}

// newEnv starts the application on a fresh database of engine, with the
// test staff; edit (if not nil) changes the configuration first.
func newEnv(t *testing.T, engine sqlstore.Engine, edit func(*Config)) *env {
	t.Helper()
	ctx := context.Background()
	db := sqltest.Open(t, engine)
	st := sqlstore.NewStore(db, sqlstore.Options{Jobs: jobs{}, Blobs: sqlstore.DiskBlobs{Dir: t.TempDir()}})
	for _, s := range testStaff {
		if _, err := st.PutStaff(ctx, bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}, s); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{Store: st, Demo: true}
	for _, s := range testStaff {
		cfg.DemoLogins = append(cfg.DemoLogins, DemoLogin{Kind: "staff", Subject: s.ID, Name: s.Name})
	}
	if edit != nil {
		edit(&cfg)
	}
	app, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return &env{t: t, ctx: ctx, store: st, app: app, srv: srv, month: bistand.DateOf(time.Now()).Month()}
}

// household creates a synthetic household whose last month a caseworker
// decided (History) and submits this month's application; seed picks it.
func (e *env) household(seed uint64) (bistand.Application, bistand.Case) {
	e.t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	a, err := synth.SubmitHousehold(e.ctx, e.store, rng, "demo", e.month, synth.Options{History: true})
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := e.store.Case(e.ctx, bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}, a.CaseID)
	if err != nil {
		e.t.Fatal(err)
	}
	return a, c
}

// client is a browser-like client: it keeps cookies, does not follow
// redirects on its own (tests look at them), and sends the Origin header
// a browser sends with a form.
type client struct {
	e  *env
	hc *http.Client
}

func (e *env) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// as logs a new client in as a member of staff (by id) or an applicant
// (by person id), through a session made in the store.
func (e *env) as(kind, subject string) *client {
	e.t.Helper()
	c := e.anonymous()
	token := strings.Repeat("t", 8) + subject + strings.Repeat("x", 32)
	if err := e.store.CreateSession(e.ctx, token, sqlstore.Session{Kind: kind, Subject: subject, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		e.t.Fatal(err)
	}
	u, _ := url.Parse(e.srv.URL)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
	return c
}

// staff logs in as a member of the test staff.
func (e *env) staff(id string) *client { return e.as("staff", id) }

// applicantOf logs in as the first member (the applicant) of a case.
func (e *env) applicantOf(c bistand.Case) *client { return e.as(KindApplicant, c.Members[0].PersonID) }

// get fetches a path and returns the status and body.
func (c *client) get(path string) (int, string) {
	c.e.t.Helper()
	res, err := c.hc.Get(c.e.srv.URL + path)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// post submits a form (same origin, as a browser would) and returns the
// response, its body read.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// do sends any request (API calls: JSON bodies, other methods).
func (c *client) do(req *http.Request) (*http.Response, string) {
	c.e.t.Helper()
	if req.Header.Get("Origin") == "" {
		req.Header.Set("Origin", c.e.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}
