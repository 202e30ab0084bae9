package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// apiTestDoc is the part of the served document the tests read.
type apiTestDoc struct {
	OpenAPI string                                `json:"openapi"`
	Info    map[string]any                        `json:"info"`
	Servers []map[string]string                   `json:"servers"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
	Comps   struct {
		Schemas         map[string]json.RawMessage `json:"schemas"`
		SecuritySchemes map[string]struct {
			Type, In, Name string
		} `json:"securitySchemes"`
	} `json:"components"`
	Security []map[string][]string `json:"security"`
}

// apiRouteKey writes a registered pattern ("GET /api/v1/x/{id...}") as the
// document names it ("GET /api/v1/x/{id}").
func apiRouteKey(t *testing.T, pattern string) string {
	t.Helper()
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || !strings.HasPrefix(path, "/api/v1/") {
		t.Errorf("API route %q: an API route is \"METHOD /api/v1/…\"", pattern)
		return pattern
	}
	path = strings.TrimSuffix(path, "{$}")
	path = regexp.MustCompile(`\{([A-Za-z0-9_]+)\.\.\.\}`).ReplaceAllString(path, "{$1}")
	return method + " " + path
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	res, err := http.Get(e.srv.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var raw json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&raw); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	var doc apiTestDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Info["title"] == nil || doc.Info["version"] == nil || len(doc.Servers) != 1 || doc.Servers[0]["url"] != "/" {
		t.Errorf("document head: openapi %q info %v servers %v", doc.OpenAPI, doc.Info, doc.Servers)
	}
	if ss := doc.Comps.SecuritySchemes["session"]; ss.Type != "apiKey" || ss.In != "cookie" || ss.Name != sessionCookie {
		t.Errorf("security scheme %+v", ss)
	}
	if len(doc.Security) != 1 || doc.Security[0]["session"] == nil {
		t.Errorf("security %v", doc.Security)
	}

	registered := map[string]bool{}
	for _, p := range e.app.apiPatterns {
		k := apiRouteKey(t, p)
		if registered[k] {
			t.Errorf("API route %s registered twice", k)
		}
		registered[k] = true
	}
	documented := map[string]bool{}
	operationIDs := map[string]string{}
	for path, item := range doc.Paths {
		params := regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1)
		var pathLevel []apiTestParam
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &pathLevel); err != nil {
				t.Errorf("%s parameters: %v", path, err)
			}
		}
		for key, raw := range item {
			if !slices.Contains(apiHTTPMethods, key) {
				if !slices.Contains([]string{"parameters", "summary", "description", "servers"}, key) {
					t.Errorf("%s: unknown key %q in a path item", path, key)
				}
				continue
			}
			k := strings.ToUpper(key) + " " + path
			documented[k] = true
			var op struct {
				OperationID string                     `json:"operationId"`
				Summary     string                     `json:"summary"`
				Parameters  []apiTestParam             `json:"parameters"`
				Responses   map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Errorf("%s: %v", k, err)
				continue
			}
			if op.OperationID == "" || op.Summary == "" || len(op.Responses) == 0 {
				t.Errorf("%s: needs an operationId, a summary and responses", k)
			}
			if other, dup := operationIDs[op.OperationID]; dup && op.OperationID != "" {
				t.Errorf("operationId %q of %s is also %s's", op.OperationID, k, other)
			}
			operationIDs[op.OperationID] = k
			// Every {name} of the path is a required path parameter.
			for _, m := range params {
				i := slices.IndexFunc(append(slices.Clone(pathLevel), op.Parameters...), func(p apiTestParam) bool { return p.In == "path" && p.Name == m[1] })
				if i < 0 {
					t.Errorf("%s: path parameter %q is not described", k, m[1])
				} else if p := append(slices.Clone(pathLevel), op.Parameters...)[i]; !p.Required {
					t.Errorf("%s: path parameter %q is not required", k, m[1])
				}
			}
		}
	}
	for k := range registered {
		if !documented[k] {
			t.Errorf("route %s is not described in the OpenAPI document", k)
		}
	}
	for k := range documented {
		if !registered[k] {
			t.Errorf("the OpenAPI document describes %s, which no route serves", k)
		}
	}
	if !registered["GET /api/v1/rules"] || !registered["GET /api/v1/me"] || !registered["POST /api/v1/robot/pause"] {
		t.Errorf("the common routes are missing: %v", registered)
	}

	// Every reference resolves to a schema of the document.
	for _, m := range regexp.MustCompile(`"\$ref":\s*"([^"]*)"`).FindAllStringSubmatch(string(raw), -1) {
		name, ok := strings.CutPrefix(m[1], "#/components/schemas/")
		if !ok {
			t.Errorf("reference %q is not to a schema of the document", m[1])
		} else if _, ok := doc.Comps.Schemas[name]; !ok {
			t.Errorf("reference to schema %q, which no fragment defines", name)
		}
	}
}

type apiTestParam struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
}

func TestOpenAPIMerge(t *testing.T) {
	ok := `{"paths": {"/api/v1/a": {"get": {}}}, "schemas": {"A": {"type": "object"}}}`
	for _, tc := range []struct {
		name  string
		files map[string]string
		err   string // "" for none
	}{
		{"one fragment", map[string]string{"a.json": ok}, ""},
		{"two fragments", map[string]string{"a.json": ok, "b.json": `{"paths": {"/api/v1/b": {"post": {}}}, "schemas": {"B": {}}}`}, ""},
		{"no schemas", map[string]string{"a.json": `{"paths": {}}`}, ""},
		{"a path twice", map[string]string{"a.json": ok, "b.json": `{"paths": {"/api/v1/a": {"post": {}}}}`}, `path "/api/v1/a" is also defined in a.json`},
		{"a schema twice", map[string]string{"a.json": ok, "b.json": `{"schemas": {"A": {}}}`}, `schema "A" is also defined in a.json`},
		{"a path twice in one fragment", map[string]string{"a.json": `{"paths": {"/x": {}, "/x": {}}}`}, `key "/x" given twice`},
		{"another key", map[string]string{"a.json": `{"paths": {}, "components": {}}`}, `unknown key "components"`},
		{"not an object", map[string]string{"a.json": `[]`}, "not a JSON object"},
		{"broken JSON", map[string]string{"a.json": `{"paths": {`}, "a.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string][]byte{}
			for n, s := range tc.files {
				files[n] = []byte(s)
			}
			out, err := apiMerge(files)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var doc apiTestDoc
			if err := json.Unmarshal(out, &doc); err != nil || doc.OpenAPI != "3.1.0" {
				t.Fatalf("%v %s", err, out)
			}
			if tc.name == "two fragments" && (len(doc.Paths) != 2 || len(doc.Comps.Schemas) != 2 || doc.Paths["/api/v1/b"]["post"] == nil) {
				t.Errorf("merged %s", out)
			}
		})
	}
	// The fragments compiled in merge.
	if _, err := apiDocument(); err != nil {
		t.Fatal(err)
	}
}

func TestAPIErrorsAreJSON(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		anon, worker, sup := e.anonymous(), e.staff("hl-anna"), e.staff("rs-dana")
		for _, tc := range []struct {
			name   string
			c      *client
			method string
			path   string
			body   string
			status int
		}{
			{"not logged in", anon, http.MethodGet, "/api/v1/me", "", http.StatusUnauthorized},
			{"not logged in, supervisor's", anon, http.MethodGet, "/api/v1/robot/overview", "", http.StatusUnauthorized},
			{"no such route", anon, http.MethodGet, "/api/v1/no-such-thing", "", http.StatusNotFound},
			{"no such route, logged in", sup, http.MethodDelete, "/api/v2/x", "", http.StatusNotFound},
			{"wrong method", sup, http.MethodPost, "/api/v1/me", "", http.StatusMethodNotAllowed},
			{"not a supervisor", worker, http.MethodGet, "/api/v1/robot/overview", "", http.StatusForbidden},
			{"not a supervisor, pause", worker, http.MethodPost, "/api/v1/robot/pause", `{"paused": true, "reason": "x"}`, http.StatusForbidden},
			{"malformed body", sup, http.MethodPost, "/api/v1/robot/pause", `{"paused": tru`, http.StatusBadRequest},
			{"unknown field", sup, http.MethodPost, "/api/v1/robot/pause", `{"paused": true, "reason": "x", "extra": 1}`, http.StatusBadRequest},
			{"no reason", sup, http.MethodPost, "/api/v1/robot/pause", `{"paused": true, "reason": "  "}`, http.StatusBadRequest},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest(tc.method, e.srv.URL+tc.path, strings.NewReader(tc.body))
				req.Header.Set("Content-Type", "application/json")
				res, body := tc.c.do(req)
				if res.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, body)
				}
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
				}
				var got struct {
					Error  string `json:"error"`
					Status int    `json:"status"`
				}
				if err := json.Unmarshal([]byte(body), &got); err != nil || got.Error == "" || got.Status != tc.status {
					t.Errorf("error body %q: %+v %v", body, got, err)
				}
				if tc.status == http.StatusMethodNotAllowed && res.Header.Get("Allow") != http.MethodGet {
					t.Errorf("Allow %q", res.Header.Get("Allow"))
				}
			})
		}
		if paused, _ := e.store.AutomationPaused(e.ctx); paused {
			t.Error("a refused request paused the robot")
		}
	})
}

func TestAPIMe(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		_, c := e.household(11)
		for _, tc := range []struct {
			c    *client
			want apiMeJSON
		}{
			{e.staff("hl-cecilia"), apiMeJSON{Kind: KindCaseworker, Name: "Cecilia Handläggare", StaffID: "hl-cecilia", Unit: "forsorjningsstod-vast"}},
			{e.staff("rs-dana"), apiMeJSON{Kind: KindSupervisor, Name: "Dana Robotansvarig", StaffID: "rs-dana", Unit: "forsorjningsstod"}},
			{e.applicantOf(c), apiMeJSON{Kind: KindApplicant, PersonID: c.Members[0].PersonID}},
		} {
			status, body := tc.c.get("/api/v1/me")
			var got apiMeJSON
			if err := json.Unmarshal([]byte(body), &got); status != http.StatusOK || err != nil {
				t.Fatalf("%d %v %s", status, err, body)
			}
			got.Name = strings.TrimSpace(got.Name)
			if tc.want.Kind == KindApplicant {
				tc.want.Name = got.Name // the population register's name, whatever it is
			}
			if got != tc.want {
				t.Errorf("me %+v, want %+v", got, tc.want)
			}
		}
	})
}

func TestAPIPage(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	status, body := e.anonymous().get("/api")
	if status != http.StatusOK {
		t.Fatalf("/api: %d", status)
	}
	doc, _ := apiDocument()
	ops, _ := apiOperations(doc)
	if len(ops) == 0 {
		t.Fatal("no operations")
	}
	for _, op := range ops {
		if !strings.Contains(body, fmt.Sprintf("<code>%s</code>", op.Path)) {
			t.Errorf("/api does not list %s %s", op.Method, op.Path)
		}
	}
	for _, want := range []string{"bistand_session", "/api/openapi.json", "403", `{"error": "…", "status": 404}`, "<caption>"} {
		if !strings.Contains(body, want) {
			t.Errorf("/api does not say %q", want)
		}
	}
}
