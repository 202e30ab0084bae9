package web

// The OpenID Connect login, end to end against a fake e-ID broker: an
// httptest server with a discovery document, a JWKS and a token endpoint
// that answers the code exchange with an ES256 ID token signed by hand.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/sqlstore"
)

const (
	oidcTestClient   = "bistand-test"
	oidcTestSecret   = "hemligt"
	oidcTestRedirect = "https://bistand.example/login/oidc/callback"
	oidcPnrClaim     = "https://id.oidc.se/claim/personalIdentityNumber"
)

// fakeOIDC is a fake e-ID broker. Its authorization endpoint is simulated
// in Go (issue); the rest is served over HTTP.
type fakeOIDC struct {
	t   *testing.T
	srv *httptest.Server
	key *ecdsa.PrivateKey // the key published in the JWKS

	mu    sync.Mutex
	codes map[string]grant
}

// grant is what the broker remembers for one authorization code.
type grant struct {
	nonce  string
	claims map[string]any
	key    *ecdsa.PrivateKey // signs the ID token
}

func newFakeOIDC(t *testing.T) *fakeOIDC {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOIDC{t: t, key: key, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeTestJSON(w, map[string]any{
			"issuer":                                f.srv.URL,
			"authorization_endpoint":                f.srv.URL + "/authorize",
			"token_endpoint":                        f.srv.URL + "/token",
			"jwks_uri":                              f.srv.URL + "/jwks",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"ES256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		pub, err := f.key.PublicKey.ECDH()
		if err != nil {
			t.Error(err)
			return
		}
		b := pub.Bytes() // 0x04 || X || Y
		enc := base64.RawURLEncoding.EncodeToString
		writeTestJSON(w, map[string]any{"keys": []map[string]any{{
			"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig",
			"x": enc(b[1:33]), "y": enc(b[33:65]),
		}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if id != oidcTestClient || secret != oidcTestSecret {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		if r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("redirect_uri") != oidcTestRedirect {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		g, ok := f.codes[r.PostForm.Get("code")]
		delete(f.codes, r.PostForm.Get("code"))
		f.mu.Unlock()
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		now := time.Now()
		claims := map[string]any{"iss": f.srv.URL, "aud": oidcTestClient, "sub": "subject-1",
			"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "nonce": g.nonce}
		for k, v := range g.claims {
			claims[k] = v
		}
		writeTestJSON(w, map[string]any{"access_token": "at-" + randomString(), "token_type": "Bearer",
			"expires_in": 300, "id_token": signES256(t, g.key, claims)})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// issue is the broker's authorization endpoint after the person has
// identified: it remembers the nonce and claims under a new code. A nil key
// signs with the published one.
func (f *fakeOIDC) issue(nonce string, claims map[string]any, key *ecdsa.PrivateKey) string {
	if key == nil {
		key = f.key
	}
	code := "code-" + randomString()
	f.mu.Lock()
	f.codes[code] = grant{nonce: nonce, claims: claims, key: key}
	f.mu.Unlock()
	return code
}

func writeTestJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// signES256 makes a compact JWS of claims.
func signES256(t *testing.T, key *ecdsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	h, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": "k1"})
	p, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := enc(h) + "." + enc(p)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + enc(sig)
}

// oidcEnv starts the fake broker and the application logging in there.
func oidcEnv(t *testing.T, staffClaim string, log *bytes.Buffer) (*env, *fakeOIDC) {
	t.Helper()
	f := newFakeOIDC(t)
	e := newEnv(t, sqlstore.SQLite, func(c *Config) {
		c.OIDC = &OIDCConfig{Issuer: f.srv.URL, ClientID: oidcTestClient, ClientSecret: oidcTestSecret,
			RedirectURL: oidcTestRedirect, StaffClaim: staffClaim}
		c.LoginRate = 1000
		if log != nil {
			c.Log = slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	})
	return e, f
}

// oidcStartLogin begins a login with next and checks the redirect to the
// broker; it returns the state and nonce sent there.
func oidcStartLogin(t *testing.T, c *client, f *fakeOIDC, next string) (state, nonce string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.srv.URL+"/login/oidc?next="+url.QueryEscape(next), nil)
	res, _ := c.do(req)
	if res.StatusCode != http.StatusFound {
		t.Fatalf("GET /login/oidc: status %d, want 302", res.StatusCode)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != f.srv.URL+"/authorize" {
		t.Fatalf("redirected to %s, want the broker's authorization endpoint", got)
	}
	q := loc.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != oidcTestClient || q.Get("redirect_uri") != oidcTestRedirect {
		t.Errorf("authorization request %v: wrong response_type, client_id or redirect_uri", q)
	}
	if !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		t.Errorf("scope %q lacks openid", q.Get("scope"))
	}
	state, nonce = q.Get("state"), q.Get("nonce")
	if len(state) < 16 || len(nonce) < 16 || state == nonce {
		t.Errorf("state %q, nonce %q: want two different random values", state, nonce)
	}
	found := false
	for _, ck := range res.Cookies() {
		if ck.Name == oidcCookie && ck.Value != "" && ck.HttpOnly {
			found = true
		}
	}
	if !found {
		t.Errorf("no HttpOnly %s cookie set", oidcCookie)
	}
	return state, nonce
}

// oidcCallback comes back from the broker with code and state.
func oidcCallback(t *testing.T, c *client, code, state string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.srv.URL+"/login/oidc/callback?"+url.Values{"code": {code}, "state": {state}}.Encode(), nil)
	return c.do(req)
}

// sessionOf is the session cookie the response set, or "".
func sessionOf(res *http.Response) string {
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie && ck.MaxAge >= 0 {
			return ck.Value
		}
	}
	return ""
}

func TestOIDCLogin(t *testing.T) {
	var logs bytes.Buffer
	e, f := oidcEnv(t, "", &logs)
	_, cs := e.household(1)
	p, err := e.store.Person(e.ctx, cs.Members[0].PersonID)
	if err != nil {
		t.Fatal(err)
	}
	pnr := p.Personnummer
	if len(pnr) != 12 {
		t.Fatalf("personnummer %q is not canonical", pnr)
	}
	unknown := personnummer.Generate(mrand.New(mrand.NewPCG(2024, 11)), bistand.MustDate(1985, time.March, 14), false, true)
	if _, err := e.store.PersonByNumber(e.ctx, unknown); err == nil {
		t.Fatal("the generated personnummer is someone's in the store")
	}
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name     string
		claims   map[string]any
		nonce    func(sent string) string
		key      *ecdsa.PrivateKey
		badState bool
		status   int
		body     string // in the answer's body
	}{
		{name: "known person", claims: map[string]any{oidcPnrClaim: pnr}, status: http.StatusSeeOther},
		{name: "wrong state", claims: map[string]any{oidcPnrClaim: pnr}, badState: true, status: http.StatusBadRequest},
		{name: "other nonce", claims: map[string]any{oidcPnrClaim: pnr}, nonce: func(string) string { return "n-" + randomString() }, status: http.StatusForbidden},
		{name: "no nonce", claims: map[string]any{oidcPnrClaim: pnr}, nonce: func(string) string { return "" }, status: http.StatusForbidden},
		{name: "other key", claims: map[string]any{oidcPnrClaim: pnr}, key: otherKey, status: http.StatusForbidden},
		{name: "other audience", claims: map[string]any{oidcPnrClaim: pnr, "aud": "someone-else"}, status: http.StatusForbidden},
		{name: "expired", claims: map[string]any{oidcPnrClaim: pnr, "exp": time.Now().Add(-time.Hour).Unix()}, status: http.StatusForbidden},
		{name: "unknown person", claims: map[string]any{oidcPnrClaim: unknown.String()}, status: http.StatusForbidden, body: "du har inget ärende hos oss ännu"},
		{name: "no personnummer", claims: map[string]any{}, status: http.StatusForbidden},
		{name: "bad personnummer", claims: map[string]any{oidcPnrClaim: "198503141235x"}, status: http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.anonymous()
			state, sent := oidcStartLogin(t, c, f, "/mina")
			nonce := sent
			if tc.nonce != nil {
				nonce = tc.nonce(sent)
			}
			code := f.issue(nonce, tc.claims, tc.key)
			if tc.badState {
				state = "x" + state
			}
			res, body := oidcCallback(t, c, code, state)
			if res.StatusCode != tc.status {
				t.Fatalf("callback: status %d, want %d\n%s", res.StatusCode, tc.status, body)
			}
			if tc.body != "" && !strings.Contains(strings.ToLower(body), tc.body) {
				t.Errorf("callback body lacks %q:\n%s", tc.body, body)
			}
			session := sessionOf(res)
			if tc.status != http.StatusSeeOther {
				if session != "" {
					t.Errorf("a refused login set a session")
				}
				if st, _ := c.get("/mina"); st == http.StatusOK {
					t.Errorf("a refused login can see /mina")
				}
				return
			}
			if loc := res.Header.Get("Location"); loc != "/mina" {
				t.Errorf("redirected to %q, want /mina", loc)
			}
			if session == "" {
				t.Fatal("no session cookie")
			}
			if strings.Contains(session, pnr) || strings.Contains(session, pnr[2:]) {
				t.Error("the session token carries the personnummer")
			}
			if st, body := c.get("/mina"); st != http.StatusOK {
				t.Fatalf("GET /mina: status %d\n%s", st, body)
			}
			if st, _ := c.get("/handlaggning"); st == http.StatusOK {
				t.Error("an applicant's OIDC login sees the caseworker's queue")
			}
			// The session is the household's applicant, by person id.
			sess, err := e.store.SessionByToken(e.ctx, session, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if sess.Kind != KindApplicant || sess.Subject != p.ID {
				t.Errorf("session %s/%s, want %s/%s", sess.Kind, sess.Subject, KindApplicant, p.ID)
			}
			// A code is good once, and a state once: the cookie is gone.
			if res, _ := oidcCallback(t, c, code, state); res.StatusCode != http.StatusBadRequest {
				t.Errorf("replayed callback: status %d, want 400", res.StatusCode)
			}
		})
	}

	// The personnummer never reaches the log, whole or in part.
	out := logs.String()
	if !strings.Contains(out, `"login"`) {
		t.Fatalf("nothing logged about the logins:\n%s", out)
	}
	for _, n := range []string{pnr, unknown.String()} {
		for _, s := range []string{n, n[2:], n[:8] + "-" + n[8:], n[2:8] + "-" + n[8:]} {
			if strings.Contains(out, s) {
				t.Errorf("the log holds a personnummer (%d characters)", len(s))
			}
		}
	}
}

func TestOIDCStaffLogin(t *testing.T) {
	e, f := oidcEnv(t, "bistand_staff", nil)
	for _, tc := range []struct {
		name   string
		staff  string
		status int
	}{
		{"known staff", "hl-anna", http.StatusSeeOther},
		{"unknown staff", "hl-nobody", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.anonymous()
			state, nonce := oidcStartLogin(t, c, f, "/handlaggning")
			res, body := oidcCallback(t, c, f.issue(nonce, map[string]any{"bistand_staff": tc.staff}, nil), state)
			if res.StatusCode != tc.status {
				t.Fatalf("callback: status %d, want %d\n%s", res.StatusCode, tc.status, body)
			}
			st, _ := c.get("/handlaggning")
			if tc.status != http.StatusSeeOther {
				if sessionOf(res) != "" || st == http.StatusOK {
					t.Errorf("a refused staff login got a session (queue: %d)", st)
				}
				return
			}
			if loc := res.Header.Get("Location"); loc != "/handlaggning" {
				t.Errorf("redirected to %q, want /handlaggning", loc)
			}
			if st != http.StatusOK {
				t.Errorf("GET /handlaggning: status %d, want 200", st)
			}
		})
	}
}

func TestOIDCDisabled(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	for _, path := range []string{"/login/oidc", "/login/oidc/callback?code=x&state=y"} {
		if st, _ := e.anonymous().get(path); st != http.StatusNotFound {
			t.Errorf("GET %s without OIDC: status %d, want 404", path, st)
		}
	}
}
