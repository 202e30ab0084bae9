package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

func TestStartPageAndDemoLogin(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		c := e.anonymous()
		status, body := c.get("/")
		if status != http.StatusOK || !strings.Contains(body, `data-login="hl-anna"`) || !strings.Contains(body, `href="/regler"`) {
			t.Fatalf("start page: %d\n%s", status, body)
		}
		// A login that is not listed is refused.
		res, _ := c.post("/login/demo", url.Values{"kind": {"staff"}, "subject": {"someone-else"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("unlisted demo login: %d", res.StatusCode)
		}
		res, _ = c.post("/login/demo", url.Values{"kind": {"staff"}, "subject": {"hl-anna"}, "next": {"//evil.example/"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("demo login: %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		var session *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == sessionCookie {
				session = ck
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || len(session.Value) < 40 {
			t.Fatalf("session cookie %+v", session)
		}
		if _, body := c.get("/"); !strings.Contains(body, "Anna Handläggare") {
			t.Error("the logged-in user's name is not shown")
		}
		// Logging out ends the session in the database too.
		c.post("/logout", nil)
		if _, err := e.store.SessionByToken(e.ctx, session.Value, e.app.cfg.Now()); err == nil {
			t.Error("the session outlived logout")
		}
	})
}

func TestSecurityHeadersAndCrossOrigin(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	res, err := http.Get(e.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if res.Header.Get(h) == "" {
			t.Errorf("no %s", h)
		}
	}
	// A form posted from another site is refused.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/login/demo", strings.NewReader("kind=staff&subject=hl-anna"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d", res.StatusCode)
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, func(c *Config) { c.LoginRate = 3 })
	c := e.anonymous()
	var last int
	for range 5 {
		res, _ := c.post("/login/demo", url.Values{"kind": {"staff"}, "subject": {"hl-anna"}})
		last = res.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("5 logins a minute with a limit of 3: last answered %d", last)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"/mina": "/mina", "": "", "//evil": "", "https://evil/": "", "/\\evil": "", "mina": ""} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkRenderStart renders the start page (layout, partials,
// translations) through the whole handler chain, without a login.
func BenchmarkRenderStart(b *testing.B) {
	db := sqltest.Open(b, sqlstore.SQLite)
	app, err := New(context.Background(), Config{Store: sqlstore.NewStore(db, sqlstore.Options{})})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
