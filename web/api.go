package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
)

// The JSON API's shell: the page that explains it (/api), its OpenAPI 3.1
// description (/api/openapi.json), who am I (/api/v1/me), and JSON errors
// for every /api/ path no route answers. Each part of the application
// registers its own API routes with handleAPI and describes them in its own
// fragment web/openapi/NAME.json, a JSON object {"paths": {…}, "schemas":
// {…}}; the fragments are merged into one document here. A path or a
// schema defined by two fragments is an error.

//go:embed openapi/*.json
var apiFragmentsFS embed.FS

// apiDocument is the merged OpenAPI document, built once.
var apiDocument = sync.OnceValues(func() ([]byte, error) {
	files := map[string][]byte{}
	names, err := fs.Glob(apiFragmentsFS, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		b, err := fs.ReadFile(apiFragmentsFS, n)
		if err != nil {
			return nil, err
		}
		files[path.Base(n)] = b
	}
	return apiMerge(files)
})

// apiInfoDescription is the document's description of the API as a whole.
const apiInfoDescription = "The JSON API of bistand, the municipality's system for ekonomiskt bistånd (försörjningsstöd): " +
	"the same operations as the web pages. Authentication: the session cookie bistand_session that logging in on the site sets " +
	"(the rule register needs no login). Cross-origin requests from a browser (by its Origin and Sec-Fetch-Site headers) that " +
	"change something are refused with 403. Every error is JSON: {\"error\": \"…\", \"status\": N}; something that does not exist " +
	"and something the user may not see are both 404. Amounts are kronor with at most two decimals; dates are YYYY-MM-DD and " +
	"months YYYY-MM. Texts for people are Swedish unless the user chose English."

// apiMerge merges fragments (file name → {"paths", "schemas"}) into the
// OpenAPI 3.1 document. A fragment with other keys, a path or schema
// defined twice (in one fragment or across two) is an error.
func apiMerge(files map[string][]byte) ([]byte, error) {
	paths := map[string]json.RawMessage{}
	schemas := map[string]json.RawMessage{}
	pathFrom, schemaFrom := map[string]string{}, map[string]string{}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		_, top, err := apiJSONObject(files[name])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		for key, raw := range top {
			var into map[string]json.RawMessage
			var from map[string]string
			switch key {
			case "paths":
				into, from = paths, pathFrom
			case "schemas":
				into, from = schemas, schemaFrom
			default:
				errs = append(errs, fmt.Errorf("%s: unknown key %q (a fragment has only paths and schemas)", name, key))
				continue
			}
			keys, members, err := apiJSONObject(raw)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", name, key, err))
				continue
			}
			for _, k := range keys {
				if other, dup := from[k]; dup {
					errs = append(errs, fmt.Errorf("%s: %s %q is also defined in %s", name, strings.TrimSuffix(key, "s"), k, other))
					continue
				}
				from[k], into[k] = name, members[k]
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("web: OpenAPI fragments: %w", err)
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "bistand API",
			"version":     "1",
			"summary":     "Ekonomiskt bistånd: applications, decisions, casework, the robot's supervision and the public rule register.",
			"description": apiInfoDescription,
			"license":     map[string]string{"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
		},
		"servers": []map[string]string{{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"session": map[string]string{"type": "apiKey", "in": "cookie", "name": sessionCookie,
					"description": "The session cookie set by logging in on the site."},
			},
		},
		"security": []map[string][]string{{"session": {}}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// apiJSONObject decodes a JSON object, returning its keys in order (a key
// given twice is an error, which a map would hide) and its members.
func apiJSONObject(b []byte) ([]string, map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, errors.New("not a JSON object")
	}
	var keys []string
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, fmt.Errorf("%q: %w", key, err)
		}
		if _, dup := members[key]; dup {
			return nil, nil, fmt.Errorf("key %q given twice", key)
		}
		keys = append(keys, key)
		members[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	if dec.More() {
		return nil, nil, errors.New("trailing data")
	}
	return keys, members, nil
}

// apiOperation is one operation of the document, for the /api page.
type apiOperation struct {
	Method, Path, Summary string
	Public                bool // needs no login
}

var apiHTTPMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// apiOperations lists the document's operations by path and method.
func apiOperations(doc []byte) ([]apiOperation, error) {
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	var out []apiOperation
	for p, item := range d.Paths {
		for _, m := range apiHTTPMethods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			var op struct {
				Summary  string             `json:"summary"`
				Security *[]json.RawMessage `json:"security"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", m, p, err)
			}
			out = append(out, apiOperation{Method: strings.ToUpper(m), Path: p, Summary: op.Summary, Public: op.Security != nil && len(*op.Security) == 0})
		}
	}
	slices.SortFunc(out, func(a, b apiOperation) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return slices.Index(apiHTTPMethods, strings.ToLower(a.Method)) - slices.Index(apiHTTPMethods, strings.ToLower(b.Method))
	})
	return out, nil
}

// apiRoutes are the JSON API's shell and its OpenAPI description.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	doc, err := apiDocument()
	if err != nil {
		// The fragments are compiled in: this is a broken build.
		panic(err)
	}
	ops, err := apiOperations(doc)
	if err != nil {
		panic(fmt.Errorf("web: OpenAPI document: %w", err))
	}
	mux.HandleFunc("GET /api", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "api_index.html", apiPage{Operations: ops})
	})
	mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(doc)
	})
	s.handleAPI(mux, "GET /api/v1/me", s.apiMe)
	mux.HandleFunc("/api/", s.apiFallback(mux))
}

type apiPage struct {
	Operations []apiOperation
}

// apiMeJSON is who is logged in.
type apiMeJSON struct {
	Kind     string `json:"kind"`
	Name     string `json:"name,omitempty"`
	PersonID string `json:"person_id,omitempty"`
	StaffID  string `json:"staff_id,omitempty"`
	Unit     string `json:"unit,omitempty"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if p == nil {
		s.needLogin(w, r)
		return
	}
	me := apiMeJSON{Kind: p.Kind, Name: p.Name}
	if p.Kind == KindApplicant {
		me.PersonID = p.PersonID
	} else {
		me.StaffID, me.Unit = p.Staff.ID, p.Staff.Unit
	}
	writeJSON(w, http.StatusOK, me)
}

// apiFallback answers every /api/ request no route takes: 405 (with Allow)
// when the path exists for other methods, else 404 — as JSON.
func (s *Server) apiFallback(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if m == r.Method {
				continue
			}
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/api/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": tr(langOf(r), "msg.api.method"), "status": http.StatusMethodNotAllowed})
			return
		}
		s.fail(w, r, errHidden)
	}
}

func init() {
	addMessages(map[string][2]string{
		"msg.api.method": {"Metoden är inte tillåten för den här adressen.", "The method is not allowed for this address."},

		"api.title":        {"API", "API"},
		"api.lead":         {"Det du kan göra på webbplatsen kan ett program också göra, med JSON under /api/v1/. Hela beskrivningen finns i OpenAPI 3.1:", "What you can do on the site a program can do too, with JSON under /api/v1/. The full description is in OpenAPI 3.1:"},
		"api.auth.title":   {"Inloggning", "Authentication"},
		"api.auth.text":    {"API:t använder samma inloggning som webbplatsen. Logga in som vanligt; då får du kakan bistand_session. Skicka med den i varje anrop. Du ser och gör samma saker som på webbplatsen, varken mer eller mindre.", "The API uses the same login as the site. Log in as usual; you then get the cookie bistand_session. Send it with every request. You see and do the same things as on the site, no more and no less."},
		"api.auth.public":  {"Regelregistret (/api/v1/rules) är öppet för alla, utan inloggning.", "The rule register (/api/v1/rules) is open to everyone, without login."},
		"api.csrf.title":   {"Skydd mot förfalskade anrop", "Protection against forged requests"},
		"api.csrf.text":    {"Ett anrop som ändrar något och som en webbläsare skickar från en annan webbplats (enligt huvudena Origin och Sec-Fetch-Site) avvisas med status 403. Ett program som inte är en webbläsare skickar inte de huvudena och påverkas inte.", "A request that changes something and that a browser sends from another site (by the Origin and Sec-Fetch-Site headers) is refused with status 403. A program that is not a browser sends no such headers and is not affected."},
		"api.errors.title": {"Fel", "Errors"},
		"api.errors.text":  {"Alla fel kommer som JSON med ett meddelande och statuskoden:", "Every error comes as JSON with a message and the status code:"},
		"api.errors.codes": {"401: du är inte inloggad. 403: du saknar behörighet. 404: det finns inte, eller du får inte se det (de två svaren är likadana, så att ingen kan pröva sig fram). 400: uppgifterna i anropet är fel; meddelandet säger vad.", "401: you are not logged in. 403: you may not do this. 404: it does not exist, or you may not see it (the two answers are the same, so that no one can probe). 400: the request's data is wrong; the message says what."},
		"api.formats":      {"Belopp är kronor med högst två decimaler, datum ÅÅÅÅ-MM-DD och månader ÅÅÅÅ-MM.", "Amounts are kronor with at most two decimals, dates YYYY-MM-DD and months YYYY-MM."},
		"api.ops.title":    {"Anrop", "Operations"},
		"api.ops.caption":  {"Alla anrop i API:t", "Every operation of the API"},
		"api.ops.method":   {"Metod", "Method"},
		"api.ops.path":     {"Adress", "Path"},
		"api.ops.what":     {"Vad", "What"},
		"api.ops.login":    {"Inloggning", "Login"},
		"api.ops.public":   {"Öppet för alla", "Open to everyone"},
		"api.ops.session":  {"Krävs", "Required"},
		"api.example":      {"Exempel", "Example"},
	})
}
