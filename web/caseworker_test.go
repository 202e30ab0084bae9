package web

// The caseworker's pages and API: the work queue and its views, the case
// view, resolving findings, setting facts, deciding (four eyes included),
// supplement requests, meetings and who may see what — on every engine.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// routed creates a household whose application the robot collected and
// assessed and left for a caseworker with findings of the given kinds (as
// robot.decide does); a register fact records where it came from.
func (e *env) routed(seed uint64, kinds ...bistand.FindingKind) (bistand.Application, bistand.Case) {
	e.t.Helper()
	a, c := e.household(seed)
	if _, _, err := e.store.Transition(e.ctx, robot.Actor, a.ID, bistand.Collecting, "", sqlstore.TransitionOptions{}); err != nil {
		e.t.Fatal(err)
	}
	af, _ := json.Marshal(map[string]any{"registered": true, "extent": 100, "programme": false})
	if _, err := e.store.AddFacts(e.ctx, robot.Actor, a.ID, []sqlstore.FactInput{{Key: "af:" + c.Members[0].PersonID, Kind: bistand.FactAFStatus, Value: af,
		Provenance: bistand.Register, Source: "AF", Reference: fmt.Sprintf("AF-REF-%d", seed), ObservedAt: time.Now().Add(-time.Hour)}}); err != nil {
		e.t.Fatal(err)
	}
	if _, _, err := e.store.Transition(e.ctx, robot.Actor, a.ID, bistand.Assessed, "", sqlstore.TransitionOptions{}); err != nil {
		e.t.Fatal(err)
	}
	var fs []sqlstore.FindingInput
	for _, k := range kinds {
		fs = append(fs, sqlstore.FindingInput{Kind: k, Subject: "s-" + string(k), Text: "Kontrollera " + string(k) + ".",
			Data: map[string]any{"person": c.Members[0].PersonID, "facts": []string{"cost:rent"}, "limit": 25000}})
	}
	if len(fs) > 0 {
		if _, err := e.store.AddFindings(e.ctx, robot.Actor, a.ID, fs); err != nil {
			e.t.Fatal(err)
		}
	}
	return e.appNow(a.ID), c
}

// appNow reads an application as the system (unaudited).
func (e *env) appNow(id string) bistand.Application {
	e.t.Helper()
	a, err := e.store.Application(e.ctx, bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) openFindings(appID string) []bistand.Finding {
	e.t.Helper()
	fs, err := e.store.Findings(e.ctx, appID, bistand.FindingOpen)
	if err != nil {
		e.t.Fatal(err)
	}
	return fs
}

// postJSON sends a JSON body to the API.
func (c *client) postJSON(path string, body any) (*http.Response, map[string]any) {
	c.e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	res, text := c.do(req)
	var out map[string]any
	json.Unmarshal([]byte(text), &out)
	return res, out
}

func (c *client) getJSON(path string) (int, map[string]any) {
	c.e.t.Helper()
	status, text := c.get(path)
	var out map[string]any
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		c.e.t.Fatalf("%s: not JSON: %v\n%s", path, err, text)
	}
	return status, out
}

// wantRedirect checks a form's answer: 303 to a page of the application.
func wantRedirect(t *testing.T, what string, res *http.Response, body string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s: %d, want 303\n%s", what, res.StatusCode, mainOf(body))
	}
}

// mainOf is the page's main content, for failure messages.
func mainOf(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 4000 {
		body = body[:4000]
	}
	return body
}

func TestCaseworkerQueue(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		a1, c1 := e.routed(11, bistand.FindingAmountAboveLimit, bistand.FindingRentChanged)
		a2, _ := e.routed(12)
		if _, _, err := e.store.Transition(e.ctx, robot.Actor, a2.ID, bistand.RandomCheck, "stickprov", sqlstore.TransitionOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.AddFindings(e.ctx, robot.Actor, a2.ID, []sqlstore.FindingInput{{Kind: bistand.FindingRandomCheck, Subject: "stickprov", Text: "Stickprov."}}); err != nil {
			t.Fatal(err)
		}
		a3, _ := e.routed(13) // assessed, no findings: in nobody's view
		anna := e.staff("hl-anna")
		row := func(app string) string { return `data-app="` + app + `"` }
		views := []struct {
			query    string
			has, not []string
		}{
			{"", []string{a1.ID, a2.ID}, []string{a3.ID}},
			{"?view=new", []string{a1.ID, a2.ID}, []string{a3.ID}},
			{"?view=findings", []string{a1.ID, a2.ID}, []string{a3.ID}},
			{"?view=random", []string{a2.ID}, []string{a1.ID, a3.ID}},
			{"?view=mine", nil, []string{a1.ID, a2.ID, a3.ID}},
			{"?view=foureyes", nil, []string{a1.ID, a2.ID}},
			{"?view=findings&kind=rent_changed", []string{a1.ID}, []string{a2.ID}},
			{"?view=findings&month=" + e.month.Add(-1).String(), nil, []string{a1.ID, a2.ID}},
			{"?view=findings&month=" + e.month.String(), []string{a1.ID, a2.ID}, nil},
		}
		for _, v := range views {
			status, body := anna.get("/handlaggning" + v.query)
			if status != http.StatusOK {
				t.Fatalf("%s: %d\n%s", v.query, status, mainOf(body))
			}
			for _, id := range v.has {
				if !strings.Contains(body, row(id)) || !strings.Contains(body, `class="case-link"`) {
					t.Errorf("queue %q lacks %s", v.query, id)
				}
			}
			for _, id := range v.not {
				if strings.Contains(body, row(id)) {
					t.Errorf("queue %q shows %s", v.query, id)
				}
			}
		}
		_, body := anna.get("/handlaggning?view=random")
		if !regexp.MustCompile(`<a href="/handlaggning\?view=random" aria-current="page" data-view="random">Stickprov <span class="cw-count">1</span>`).MatchString(body) {
			t.Errorf("the current view is not marked with its count:\n%s", mainOf(body))
		}
		if !regexp.MustCompile(`data-view="findings">Avklaringar <span class="cw-count">2</span>`).MatchString(body) {
			t.Errorf("the findings count is not 2:\n%s", mainOf(body))
		}
		// A row: the household by case and size, the month, the state in
		// Swedish, the findings' reasons, the amount, days waiting — and no
		// personnummer anywhere.
		_, body = anna.get("/handlaggning?view=findings")
		for _, want := range []string{c1.ID, fmt.Sprintf("%d i hushållet", len(c1.Members)), "beräknad, väntar på beslut", "Belopp över robotens gräns", "Ändrad boendekostnad",
			"stickprovskontroll", "\u00a0kr</td>", "0 dagar", "ingen tilldelad"} {
			if !strings.Contains(body, want) {
				t.Errorf("queue row lacks %q", want)
			}
		}
		for _, m := range c1.Members {
			p, err := e.store.Person(e.ctx, m.PersonID)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(body, p.Personnummer) || strings.Contains(body, p.Personnummer[2:]) {
				t.Error("the queue shows a personnummer")
			}
		}
		if status, _ := anna.get("/handlaggning?view=findings&month=2026-13"); status != http.StatusOK {
			t.Errorf("a bad month filter: %d", status)
		}

		// Assigned to me: the case leaves "Nya" for "Tilldelade mig".
		res, b := anna.post("/handlaggning/arende/"+c1.ID+"/tilldela", url.Values{"to": {"me"}, "app": {a1.ID}})
		wantRedirect(t, "assign", res, b)
		if loc := res.Header.Get("Location"); loc != "/handlaggning/ansokan/"+a1.ID {
			t.Errorf("assign redirects to %q", loc)
		}
		if as, ok, _ := e.store.CaseAssignment(e.ctx, c1.ID); !ok || as.Assignee != "hl-anna" || as.Unit != "forsorjningsstod" {
			t.Errorf("assignment %+v", as)
		}
		if _, body := anna.get("/handlaggning?view=mine"); !strings.Contains(body, row(a1.ID)) || !strings.Contains(body, "Anna Handläggare") {
			t.Error("an assigned case is not under Tilldelade mig")
		}
		if _, body := anna.get("/handlaggning?view=new"); strings.Contains(body, row(a1.ID)) {
			t.Error("an assigned case is still new")
		}

		// The API: the same queue as JSON.
		status, q := anna.getJSON("/api/v1/queue?view=findings")
		if status != http.StatusOK || q["view"] != "findings" || q["counts"].(map[string]any)["findings"] != float64(2) {
			t.Fatalf("API queue: %d %v", status, q)
		}
		items := q["items"].([]any)
		found := false
		for _, it := range items {
			m := it.(map[string]any)
			if m["application_id"] == a1.ID {
				found = true
				kinds := m["open_findings"].([]any)
				if m["case_id"] != c1.ID || len(kinds) != 2 || kinds[0].(map[string]any)["kind"] != "amount_above_limit" || m["assignee"] != "hl-anna" || m["amount_calculated"] == nil {
					t.Errorf("API row %v", m)
				}
			}
		}
		if !found {
			t.Errorf("API queue lacks %s: %v", a1.ID, items)
		}
		if status, _ := anna.getJSON("/api/v1/queue?view=everything"); status != http.StatusBadRequest {
			t.Errorf("an unknown view: %d", status)
		}

		// Another unit's caseworker sees none of it.
		cecilia := e.staff("hl-cecilia")
		if _, body := cecilia.get("/handlaggning?view=findings"); strings.Contains(body, row(a1.ID)) || strings.Contains(body, row(a2.ID)) {
			t.Error("a caseworker of another unit sees the unit's queue")
		}
		for _, path := range []string{"/handlaggning/ansokan/" + a1.ID, "/handlaggning/arende/" + c1.ID, "/api/v1/cases/" + c1.ID,
			"/api/v1/cases/" + c1.ID + "/applications/" + a1.ID} {
			if status, _ := cecilia.get(path); status != http.StatusNotFound {
				t.Errorf("cecilia GET %s: %d, want 404", path, status)
			}
		}
		fs := e.openFindings(a1.ID)
		if res, _ := cecilia.post("/handlaggning/avklaring/"+fs[0].ID, url.Values{"resolution": {"Klart."}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("cecilia resolves another unit's finding: %d", res.StatusCode)
		}
		if res, _ := cecilia.postJSON("/api/v1/findings/"+fs[0].ID+"/resolve", map[string]string{"resolution": "Klart."}); res.StatusCode != http.StatusNotFound {
			t.Errorf("cecilia resolves another unit's finding by the API: %d", res.StatusCode)
		}
		if len(e.openFindings(a1.ID)) != 2 {
			t.Error("a finding of another unit was resolved")
		}

		// Only caseworkers.
		for _, c := range []struct {
			name string
			cl   *client
		}{{"applicant", e.applicantOf(c1)}, {"supervisor", e.staff("rs-dana")}} {
			for _, path := range []string{"/handlaggning", "/handlaggning/moten", "/handlaggning/ansokan/" + a1.ID, "/api/v1/queue"} {
				if status, _ := c.cl.get(path); status != http.StatusForbidden {
					t.Errorf("%s GET %s: %d, want 403", c.name, path, status)
				}
			}
		}
		res, _ = e.anonymous().hc.Get(e.srv.URL + "/handlaggning")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("anonymous: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

func TestCaseworkerCaseView(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		a, c := e.routed(21, bistand.FindingRentChanged)
		anna := e.staff("hl-anna")
		status, body := anna.get("/handlaggning/ansokan/" + a.ID)
		if status != http.StatusOK {
			t.Fatalf("case view: %d\n%s", status, mainOf(body))
		}
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("%d h1 elements", n)
		}
		for _, want := range []string{
			`id="last-met"`, "Inte träffad ännu", // never met
			`id="calculation"`, "<code>riksnorm.", "<code>cost.rent</code>", "Boendekostnad", "Summa riksnorm", // the trace
			"verifierat",                                        // each line's certainty
			`data-provenance="declared"`, "Lämnad av hushållet", // where facts came from
			`data-provenance="register"`, "Från register", "AF-REF-21", "AF", // a register fact: source, reference
			"Kontrollera rent_changed.", `class="resolve-form"`, `name="resolution"`, `class="resolve-button"`, // the finding
			`href="#fact-cost-rent"`, `id="fact-cost-rent"`, // the facts behind it
			"Testperson 1", "Sökande", " år</td>", "Exempelgatan 1", // the household
			`id="supplement-request-form"`, `id="request-supplement"`, `name="due"`, `id="meeting-form"`,
			"Tilldela mig", "Det finns 1 avklaringar kvar",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("case view lacks %q", want)
			}
		}
		if strings.Contains(body, `id="decide-form"`) {
			t.Error("the decide form is offered while a finding is open")
		}
		ids := map[string]bool{}
		for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			if ids[m[1]] {
				t.Errorf("id %q twice on the page", m[1])
			}
			ids[m[1]] = true
		}
		for _, m := range regexp.MustCompile(`<label for="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			if !ids[m[1]] {
				t.Errorf("a label for %q, which is no element's id", m[1])
			}
		}
		// Attachments are downloaded, by the unit only.
		att, err := e.store.AddAttachment(e.ctx, bistand.Actor{Kind: bistand.ActorApplicant, ID: c.Members[0].PersonID}, a.ID, "hyresavi mars.pdf", "application/pdf", strings.NewReader("%PDF-1.4 hyra"))
		if err != nil {
			t.Fatal(err)
		}
		_, body = anna.get("/handlaggning/ansokan/" + a.ID)
		link := "/handlaggning/ansokan/" + a.ID + "/bilaga/" + att.ID
		if !strings.Contains(body, `href="`+link+`"`) || !strings.Contains(body, "hyresavi mars.pdf") {
			t.Error("the attachment is not listed")
		}
		res, err := anna.hc.Get(e.srv.URL + link)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("attachment download: %d %v", res.StatusCode, res.Header)
		}
		if status, _ := e.staff("hl-cecilia").get(link); status != http.StatusNotFound {
			t.Errorf("another unit downloads an attachment: %d", status)
		}
		if status, _ := anna.get("/handlaggning/ansokan/" + a.ID + "/bilaga/att-none"); status != http.StatusNotFound {
			t.Errorf("a missing attachment: %d", status)
		}
		// The case page shows the latest application.
		if _, body := anna.get("/handlaggning/arende/" + c.ID); !strings.Contains(body, a.ID) || !strings.Contains(body, `id="calculation"`) {
			t.Error("the case page does not show its application")
		}
		// A protected household: no address anywhere, said so.
		if err := e.store.MarkProtected(e.ctx, robot.Actor, c.Members[0].PersonID, true, "test"); err != nil {
			t.Fatal(err)
		}
		_, body = anna.get("/handlaggning/ansokan/" + a.ID)
		if strings.Contains(body, "Exempelgatan") || !strings.Contains(body, "skyddade personuppgifter") {
			t.Error("a protected household's address is shown, or the protection is not said")
		}
		_, js := anna.getJSON("/api/v1/cases/" + c.ID)
		if js["protected"] != true || strings.Contains(fmt.Sprint(js), "Exempelgatan") {
			t.Errorf("API case of a protected household: %v", js)
		}
		_, text := anna.get("/api/v1/cases/" + c.ID + "/applications/" + a.ID)
		if strings.Contains(text, "Exempelgatan") {
			t.Error("the API shows a protected household's address")
		}
		var app struct {
			State       string `json:"state"`
			Decidable   bool   `json:"decidable"`
			Calculation struct {
				Lines []struct {
					Rule     string `json:"rule"`
					Verified bool   `json:"verified"`
				} `json:"lines"`
			} `json:"calculation"`
			Facts []struct {
				Key, Provenance, Source, Reference string
			} `json:"facts"`
			Findings []struct{ Kind, Status string } `json:"findings"`
		}
		if err := json.Unmarshal([]byte(text), &app); err != nil {
			t.Fatal(err)
		}
		reg := false
		for _, f := range app.Facts {
			reg = reg || (f.Provenance == "register" && f.Source == "AF" && f.Reference == "AF-REF-21")
		}
		if app.State != "assessed" || app.Decidable || len(app.Calculation.Lines) == 0 || !reg || len(app.Findings) != 1 {
			t.Errorf("API application: %+v", app)
		}
		// A case of the unit that is not the application's: not found.
		_, c2 := e.routed(22)
		if status, _ := anna.get("/api/v1/cases/" + c2.ID + "/applications/" + a.ID); status != http.StatusNotFound {
			t.Errorf("an application under another case: %d", status)
		}
		// English.
		en := e.staff("hl-bo")
		u, _ := url.Parse(e.srv.URL)
		en.hc.Jar.SetCookies(u, []*http.Cookie{{Name: langCookie, Value: "en", Path: "/"}})
		if _, body := en.get("/handlaggning/ansokan/" + a.ID); !strings.Contains(body, "Facts and where they come from") || !strings.Contains(body, "Not met yet") {
			t.Error("the case view is not in English")
		}
	})
}

func TestCaseworkerResolveAndSetFacts(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		a, c := e.routed(31, bistand.FindingRentChanged)
		anna := e.staff("hl-anna")
		f := e.openFindings(a.ID)[0]

		// Resolving needs a text.
		res, body := anna.post("/handlaggning/avklaring/"+f.ID, url.Values{"resolution": {"  "}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Skriv hur avklaringen löstes.") || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("resolve without text: %d\n%s", res.StatusCode, mainOf(body))
		}
		res, body = anna.post("/handlaggning/avklaring/"+f.ID, url.Values{"resolution": {"Hyresavi för månaden visar den nya hyran."}})
		wantRedirect(t, "resolve", res, body)
		got, err := e.store.FindingByID(e.ctx, f.ID)
		if err != nil || got.Status != bistand.FindingResolved || got.Resolution != "Hyresavi för månaden visar den nya hyran." || got.ResolvedBy.ID != "hl-anna" {
			t.Errorf("resolved finding %+v %v", got, err)
		}
		if res, _ := anna.post("/handlaggning/avklaring/"+f.ID, url.Values{"resolution": {"igen"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("resolve twice: %d", res.StatusCode)
		}

		// A fact: the reason is required, the input kept.
		res, body = anna.post("/handlaggning/ansokan/"+a.ID+"/uppgift", url.Values{"kind": {"cost"}, "cost_type": {"rent"}, "amount": {"8 150"}, "reason": {""}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Skriv skälet till ändringen.") || !strings.Contains(body, `value="8 150"`) {
			t.Errorf("a fact without a reason: %d\n%s", res.StatusCode, mainOf(body))
		}
		if res, body := anna.post("/handlaggning/ansokan/"+a.ID+"/uppgift", url.Values{"kind": {"cost"}, "cost_type": {"rent"}, "amount": {"åtta"}, "reason": {"x"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Skriv beloppet i kronor") {
			t.Errorf("a bad amount: %d", res.StatusCode)
		}
		before, _ := e.app.calculated(e.ctx, a.ID)
		res, body = anna.post("/handlaggning/ansokan/"+a.ID+"/uppgift", url.Values{"kind": {"cost"}, "cost_type": {"rent"}, "amount": {"8 150,50"}, "reason": {"Hyresavi för mars."}})
		wantRedirect(t, "set a cost", res, body)
		all, err := e.store.Facts(e.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var rent bistand.Fact
		rents := 0
		for _, f := range sqlstore.Effective(all) {
			if f.Kind == bistand.FactCost && strings.Contains(string(f.Value), `"rent"`) {
				rent = f
				rents++
			}
		}
		if rents != 1 || rent.Key != "cost:rent" || rent.Provenance != bistand.Caseworker || rent.Reason != "Hyresavi för mars." || rent.Actor.ID != "hl-anna" ||
			!strings.Contains(string(rent.Value), `"amount":8150.5`) {
			t.Errorf("rent in force: %d facts, %+v %s", rents, rent, rent.Value)
		}
		after, _ := e.app.calculated(e.ctx, a.ID)
		if after == before {
			t.Errorf("the calculation did not change with the rent (%s)", after)
		}
		_, body = anna.get("/handlaggning/ansokan/" + a.ID)
		if !strings.Contains(body, `data-provenance="caseworker"`) || !strings.Contains(body, "Satt av handläggare") || !strings.Contains(body, "Hyresavi för mars.") || !strings.Contains(body, "8\u00a0150,50") {
			t.Errorf("the case view does not show the caseworker's fact:\n%s", mainOf(body))
		}
		// Editing prefills the form from the fact in force.
		if _, body := anna.get("/handlaggning/ansokan/" + a.ID + "?andra=cost:rent"); !strings.Contains(body, `name="key" value="cost:rent"`) || !strings.Contains(body, `value="8 150,50"`) {
			t.Error("the edit link does not prefill the form")
		}
		// An income of a household member; the dwelling by the API.
		res, body = anna.post("/handlaggning/ansokan/"+a.ID+"/uppgift", url.Values{"kind": {"income"}, "income_type": {"salary"}, "person": {c.Members[0].PersonID}, "amount": {"2000"}, "reason": {"Lönebesked."}})
		wantRedirect(t, "set an income", res, body)
		if res, body := anna.post("/handlaggning/ansokan/"+a.ID+"/uppgift", url.Values{"kind": {"income"}, "income_type": {"salary"}, "person": {"per-someone-else"}, "amount": {"2000"}, "reason": {"x"}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("an income of someone not in the household: %d %s", res.StatusCode, mainOf(body))
		}
		res2, out := anna.postJSON("/api/v1/applications/"+a.ID+"/facts", map[string]any{"kind": "dwelling_size", "value": 4, "reason": "Vuxen son bor hemma."})
		if res2.StatusCode != http.StatusCreated || out["provenance"] != "caseworker" || out["key"] != "dwelling_size" {
			t.Errorf("API fact: %d %v", res2.StatusCode, out)
		}
		res2, out = anna.postJSON("/api/v1/applications/"+a.ID+"/facts", map[string]any{"kind": "cost", "type": "rent", "amount": 9000})
		if res2.StatusCode != http.StatusBadRequest || out["field"] != "reason" {
			t.Errorf("API fact without a reason: %d %v", res2.StatusCode, out)
		}
		// Retracting a fact.
		res, body = anna.post("/handlaggning/ansokan/"+a.ID+"/uppgift", url.Values{"kind": {"cost"}, "key": {"cost:electricity"}, "retract": {"1"}, "reason": {"Elen ingår i hyran."}})
		wantRedirect(t, "retract", res, body)
		all, _ = e.store.Facts(e.ctx, a.ID)
		for _, f := range sqlstore.Effective(all) {
			if f.Key == "cost:electricity" {
				t.Error("the retracted fact is in force")
			}
		}
		// The API resolves too.
		b, _ := e.routed(32, bistand.FindingIncomeMismatch)
		fb := e.openFindings(b.ID)[0]
		if res, out := anna.postJSON("/api/v1/findings/"+fb.ID+"/resolve", map[string]string{}); res.StatusCode != http.StatusBadRequest || out["field"] != "resolution" {
			t.Errorf("API resolve without text: %d %v", res.StatusCode, out)
		}
		if res, out := anna.postJSON("/api/v1/findings/"+fb.ID+"/resolve", map[string]string{"resolution": "Registret stämmer."}); res.StatusCode != http.StatusOK || out["status"] != "resolved" {
			t.Errorf("API resolve: %d %v", res.StatusCode, out)
		}
	})
}

func TestCaseworkerDecide(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		a, _ := e.routed(41, bistand.FindingNotApproved)
		anna := e.staff("hl-anna")
		decide := func(app string, v url.Values) (*http.Response, string) {
			return anna.post("/handlaggning/ansokan/"+app+"/beslut", v)
		}

		// Not while a finding is open.
		res, body := decide(a.ID, url.Values{"outcome": {"approved"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "avklaringar kvar") {
			t.Errorf("decide with an open finding: %d\n%s", res.StatusCode, mainOf(body))
		}
		for _, f := range e.openFindings(a.ID) {
			if err := e.store.ResolveFinding(e.ctx, bistand.Actor{Kind: bistand.ActorCaseworker, ID: "hl-anna"}, f.ID, "Bedömt."); err != nil {
				t.Fatal(err)
			}
		}
		calc, ok := e.app.calculated(e.ctx, a.ID)
		if !ok || calc < bistand.Kronor(200) {
			t.Fatalf("calculated %s %v", calc, ok)
		}
		_, body = anna.get("/handlaggning/ansokan/" + a.ID)
		for _, want := range []string{`id="decide-form"`, `name="outcome" value="approved"`, `value="partly_approved"`, `value="rejected"`, `name="amount"`, `name="motivation"`, `id="decide-button"`} {
			if !strings.Contains(body, want) {
				t.Errorf("decide form lacks %q", want)
			}
		}
		// An override needs a motivation; what was typed is kept.
		for _, c := range []struct {
			form  url.Values
			field string
			msg   string
		}{
			{url.Values{"outcome": {"partly_approved"}, "amount": {"100"}, "motivation": {""}}, "motivation", "Skriv en motivering."},
			{url.Values{"outcome": {"rejected"}, "motivation": {" "}}, "motivation", "Skriv en motivering."},
			{url.Values{"outcome": {"approved"}, "amount": {(calc + bistand.Kronor(100)).Decimal()}}, "motivation", "Skriv en motivering."},
			{url.Values{"outcome": {"partly_approved"}, "amount": {""}, "motivation": {"x"}}, "amount", "Delvis bifall är ett belopp"},
			{url.Values{"outcome": {"approved"}, "amount": {"1"}, "motivation": {"x"}}, "amount", "är delvis bifall"},
			{url.Values{"outcome": {"rejected"}, "amount": {"5"}, "motivation": {"x"}}, "amount", "Vid avslag är beloppet 0."},
			{url.Values{"outcome": {"maybe"}, "motivation": {"x"}}, "outcome", "Välj bifall"},
			{url.Values{"outcome": {"approved"}, "amount": {"12,345"}, "motivation": {"x"}}, "amount", "Skriv beloppet i kronor"},
		} {
			res, body := decide(a.ID, c.form)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, c.msg) || !strings.Contains(body, `id="decide-error"`) {
				t.Errorf("%v: %d, want 400 with %q\n%s", c.form, res.StatusCode, c.msg, mainOf(body))
			}
			if a := c.form.Get("amount"); a != "" && !strings.Contains(body, `value="`+a+`"`) {
				t.Errorf("%v: the amount typed is not kept", c.form)
			}
		}
		if got := e.appNow(a.ID); got.State != bistand.Assessed {
			t.Fatalf("a refused decision changed the state to %s", got.State)
		}
		res, body = decide(a.ID, url.Values{"outcome": {"partly_approved"}, "amount": {"100"}, "motivation": {"Hyran godtas bara delvis."}})
		wantRedirect(t, "partly approve", res, body)
		d, err := e.store.CurrentDecision(e.ctx, a.ID)
		if err != nil || d.Outcome != bistand.OutcomePartlyApproved || d.Amount != bistand.Kronor(100) || d.DecidedBy.ID != "hl-anna" || d.Motivation != "Hyran godtas bara delvis." {
			t.Errorf("decision %+v %v", d, err)
		}
		if got := e.appNow(a.ID); got.State != bistand.Decided {
			t.Errorf("state %s after deciding", got.State)
		}
		_, body = anna.get("/handlaggning/ansokan/" + a.ID)
		if strings.Contains(body, `id="decide-form"`) || !strings.Contains(body, "Ansökan är redan beslutad.") || !strings.Contains(body, "Delvis bifall") {
			t.Errorf("after the decision:\n%s", mainOf(body))
		}

		// As calculated, with no motivation to write.
		b, _ := e.routed(42)
		res, body = decide(b.ID, url.Values{"outcome": {"approved"}, "amount": {""}, "motivation": {""}})
		wantRedirect(t, "approve as calculated", res, body)
		d, err = e.store.CurrentDecision(e.ctx, b.ID)
		cb, _ := e.app.calculated(e.ctx, b.ID)
		if err != nil || d.Outcome != bistand.OutcomeApproved || d.Amount != cb || d.Motivation != asCalculated {
			t.Errorf("decision as calculated %+v %v", d, err)
		}
		// A rejection by the API.
		c, _ := e.routed(43)
		r2, out := anna.postJSON("/api/v1/applications/"+c.ID+"/decide", map[string]any{"outcome": "rejected", "motivation": "Inkomsterna räcker."})
		if r2.StatusCode != http.StatusCreated || out["decision"].(map[string]any)["outcome"] != "rejected" {
			t.Errorf("API reject: %d %v", r2.StatusCode, out)
		}
		r2, out = anna.postJSON("/api/v1/applications/"+c.ID+"/decide", map[string]any{"outcome": "approved"})
		if r2.StatusCode != http.StatusConflict {
			t.Errorf("API decide twice: %d %v", r2.StatusCode, out)
		}
		// A random check is decided once it is checked.
		r, _ := e.routed(44)
		if _, _, err := e.store.Transition(e.ctx, robot.Actor, r.ID, bistand.RandomCheck, "stickprov", sqlstore.TransitionOptions{}); err != nil {
			t.Fatal(err)
		}
		if res, body := decide(r.ID, url.Values{"outcome": {"approved"}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "stickprov") {
			t.Errorf("decide a random check: %d", res.StatusCode)
		}
		if res, _ := anna.post("/handlaggning/ansokan/"+r.ID+"/stickprov", url.Values{"note": {""}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("random check done without a note: %d", res.StatusCode)
		}
		res, body = anna.post("/handlaggning/ansokan/"+r.ID+"/stickprov", url.Values{"note": {"Kontoutdrag kontrollerade."}})
		wantRedirect(t, "random check done", res, body)
		res, body = decide(r.ID, url.Values{"outcome": {"approved"}})
		wantRedirect(t, "decide after the random check", res, body)
	})
}

func TestCaseworkerFourEyes(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		a, _ := e.routed(51)
		anna, bo, cecilia := e.staff("hl-anna"), e.staff("hl-bo"), e.staff("hl-cecilia")
		// 35 000 kr is above the demo municipality's four-eyes limit (30 000 kr).
		res, body := anna.post("/handlaggning/ansokan/"+a.ID+"/beslut", url.Values{"outcome": {"approved"}, "amount": {"35 000"}, "motivation": {"Särskilda skäl: akut boende."}})
		wantRedirect(t, "propose", res, body)
		ps, err := e.store.Proposals(e.ctx, a.ID, bistand.ProposalPending)
		if err != nil || len(ps) != 1 || ps[0].Amount != bistand.Kronor(35000) || ps[0].ProposedBy.ID != "hl-anna" {
			t.Fatalf("proposal %+v %v", ps, err)
		}
		p := ps[0]
		if got := e.appNow(a.ID); got.State != bistand.Assessed {
			t.Errorf("a proposal moved the application to %s", got.State)
		}
		// In the four-eyes view: not approvable by the proposer.
		_, body = anna.get("/handlaggning?view=foureyes")
		if !strings.Contains(body, `data-app="`+a.ID+`"`) || !strings.Contains(body, "ditt förslag") {
			t.Errorf("anna's four-eyes view:\n%s", mainOf(body))
		}
		_, body = anna.get("/handlaggning/ansokan/" + a.ID)
		if strings.Contains(body, `id="approve-form"`) || !strings.Contains(body, "Det här är ditt förslag") || strings.Contains(body, `id="decide-form"`) {
			t.Error("the proposer is offered to approve her own proposal, or to decide again")
		}
		if res, body := anna.post("/handlaggning/forslag/"+p.ID+"/godkann", nil); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "ditt eget förslag") {
			t.Errorf("anna approves her own proposal: %d", res.StatusCode)
		}
		if res, _ := anna.postJSON("/api/v1/proposals/"+p.ID+"/approve", map[string]string{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("anna approves her own proposal by the API: %d", res.StatusCode)
		}
		if res, _ := cecilia.post("/handlaggning/forslag/"+p.ID+"/godkann", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another unit approves: %d", res.StatusCode)
		}
		if _, body := bo.get("/handlaggning?view=foureyes"); !strings.Contains(body, "du kan godkänna") {
			t.Error("bo is not told he may approve")
		}
		_, body = bo.get("/handlaggning/ansokan/" + a.ID)
		if !strings.Contains(body, `id="approve-form"`) || !strings.Contains(body, "Särskilda skäl: akut boende.") {
			t.Errorf("bo's view of the proposal:\n%s", mainOf(body))
		}
		res, body = bo.post("/handlaggning/forslag/"+p.ID+"/godkann", url.Values{"note": {"Instämmer."}})
		wantRedirect(t, "approve", res, body)
		d, err := e.store.CurrentDecision(e.ctx, a.ID)
		if err != nil || d.Amount != bistand.Kronor(35000) || d.DecidedBy.ID != "hl-anna" || d.ApprovedBy.ID != "hl-bo" || e.appNow(a.ID).State != bistand.Decided {
			t.Errorf("approved decision %+v %v", d, err)
		}
		if _, body := bo.get("/handlaggning/ansokan/" + a.ID); !strings.Contains(body, "godkänt av Bo Handläggare") {
			t.Error("the decision does not say who approved it")
		}

		// Refusing needs a reason; by the API the answer is 202 for a proposal.
		b, _ := e.routed(52)
		r2, out := anna.postJSON("/api/v1/applications/"+b.ID+"/decide", map[string]any{"amount": 40000, "motivation": "Skäl."})
		if r2.StatusCode != http.StatusAccepted || out["proposal"] == nil {
			t.Fatalf("API propose: %d %v", r2.StatusCode, out)
		}
		pid := out["proposal"].(map[string]any)["id"].(string)
		if res, body := bo.post("/handlaggning/forslag/"+pid+"/avsla", url.Values{"note": {""}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Skriv varför förslaget avslås.") {
			t.Errorf("refuse without a note: %d", res.StatusCode)
		}
		if res, out := bo.postJSON("/api/v1/proposals/"+pid+"/refuse", map[string]string{"note": "Underlag saknas."}); res.StatusCode != http.StatusOK || out["status"] != "refused" {
			t.Errorf("API refuse: %d %v", res.StatusCode, out)
		}
		if got, _ := e.store.Proposal(e.ctx, pid); got.Status != bistand.ProposalRefused || got.ReviewNote != "Underlag saknas." {
			t.Errorf("refused proposal %+v", got)
		}
	})
}

func TestCaseworkerSupplementRequest(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		a, c := e.routed(61, bistand.FindingIncomeNotDeclared)
		anna := e.staff("hl-anna")
		path := "/handlaggning/ansokan/" + a.ID + "/komplettering"
		if res, body := anna.post(path, url.Values{"request": {""}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Skriv vad hushållet ska komplettera med.") {
			t.Errorf("a request without text: %d", res.StatusCode)
		}
		today := e.app.today()
		if res, body := anna.post(path, url.Values{"request": {"Kontoutdrag"}, "due": {today.String()}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Välj ett datum efter i dag.") || !strings.Contains(body, "Kontoutdrag</textarea>") {
			t.Errorf("a request due today: %d", res.StatusCode)
		}
		text := "Kontoutdrag för förra månaden för alla konton."
		res, body := anna.post(path, url.Values{"request": {text}, "due": {""}})
		wantRedirect(t, "supplement request", res, body)
		got := e.appNow(a.ID)
		if got.State != bistand.SupplementRequested || got.SupplementDue != today.AddDays(14) {
			t.Errorf("after the request: %s due %s", got.State, got.SupplementDue)
		}
		trs, _ := e.store.Transitions(e.ctx, a.ID)
		if last := trs[len(trs)-1]; last.Reason != text || last.Actor.ID != "hl-anna" {
			t.Errorf("transition %+v", last)
		}
		ns, err := e.store.Notifications(e.ctx, a.ID)
		if err != nil || len(ns) != 1 || ns[0].Kind != "supplement_request" || ns[0].PersonID != c.Members[0].PersonID || !strings.Contains(ns[0].Body, text) ||
			!strings.Contains(ns[0].Body, got.SupplementDue.String()) || !strings.HasPrefix(ns[0].Ref, got.SupplementDue.String()+"/") {
			t.Errorf("notification %+v %v", ns, err)
		}
		_, body = anna.get("/handlaggning/ansokan/" + a.ID)
		if !strings.Contains(body, "Komplettering är begärd. Svar senast "+got.SupplementDue.String()) || !strings.Contains(body, "Din ansökan behöver kompletteras") {
			t.Errorf("the case view after the request:\n%s", mainOf(body))
		}
		if res, _ := anna.post(path, url.Values{"request": {"mer"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("a second request while waiting: %d", res.StatusCode)
		}
		// The API, with a due date; a personnummer in the text is refused.
		b, _ := e.routed(62)
		due := today.AddDays(5)
		if res, out := anna.postJSON("/api/v1/applications/"+b.ID+"/supplement-request", map[string]any{"request": "Intyg 19850402-1234"}); res.StatusCode != http.StatusBadRequest || out["field"] != "request" {
			t.Errorf("a personnummer in a request: %d %v", res.StatusCode, out)
		}
		res2, out := anna.postJSON("/api/v1/applications/"+b.ID+"/supplement-request", map[string]any{"request": "Hyresavi.", "due": due.String()})
		if res2.StatusCode != http.StatusOK || out["state"] != "supplement_requested" || out["supplement_due"] != due.String() || out["notification"].(map[string]any)["body"] == "" {
			t.Errorf("API request: %d %v", res2.StatusCode, out)
		}
		// Overdue: in the queue's view once the due date has passed.
		late, _ := e.routed(63)
		if _, _, err := e.store.Transition(e.ctx, robot.Actor, late.ID, bistand.SupplementRequested, "Lönebesked.", sqlstore.TransitionOptions{SupplementDue: today.AddDays(-2)}); err != nil {
			t.Fatal(err)
		}
		_, body = anna.get("/handlaggning?view=overdue")
		if !strings.Contains(body, `data-app="`+late.ID+`"`) || strings.Contains(body, `data-app="`+a.ID+`"`) || !strings.Contains(body, "förfallen sedan "+today.AddDays(-2).String()) {
			t.Errorf("the overdue view:\n%s", mainOf(body))
		}
	})
}

func TestCaseworkerMeetings(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		a, c := e.routed(71)
		anna := e.staff("hl-anna")
		book := "/handlaggning/arende/" + c.ID + "/moten"
		today := e.app.today()
		if res, body := anna.post(book, url.Values{"date": {today.String()}, "time": {"25:00"}, "minutes": {"30"}, "kind": {"phone"}, "purpose": {"Uppföljning"}, "app": {a.ID}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Skriv tiden som TT:MM.") || !strings.Contains(body, "Uppföljning</textarea>") {
			t.Errorf("a bad time: %d\n%s", res.StatusCode, mainOf(body))
		}
		if res, _ := anna.post(book, url.Values{"date": {today.String()}, "time": {"10:00"}, "minutes": {"30"}, "kind": {"phone"}, "purpose": {""}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("no purpose: %d", res.StatusCode)
		}
		yesterday, tomorrow := today.AddDays(-1), today.AddDays(1)
		res, body := anna.post(book, url.Values{"date": {yesterday.String()}, "time": {"09:30"}, "minutes": {"45"}, "kind": {"visit"}, "purpose": {"Planering mot arbete"}, "app": {a.ID}})
		wantRedirect(t, "book", res, body)
		if loc := res.Header.Get("Location"); loc != "/handlaggning/ansokan/"+a.ID+"#meetings" {
			t.Errorf("book redirects to %q", loc)
		}
		res, body = anna.post(book, url.Values{"date": {tomorrow.String()}, "time": {"13:00"}, "minutes": {"30"}, "kind": {"video"}, "purpose": {"Budgetrådgivning"}})
		wantRedirect(t, "book", res, body)
		ms, err := e.store.Meetings(e.ctx, c.ID)
		if err != nil || len(ms) != 2 {
			t.Fatalf("meetings %+v %v", ms, err)
		}
		var past, next sqlstore.Meeting
		for _, m := range ms {
			if m.Purpose == "Planering mot arbete" {
				past = m
			} else {
				next = m
			}
		}
		// My meetings: the one ahead, and the one past to record.
		_, body = anna.get("/handlaggning/moten")
		if !strings.Contains(body, "Budgetrådgivning") || !strings.Contains(body, "#meeting-"+past.ID) || strings.Count(body, "<h1") != 1 {
			t.Errorf("my meetings:\n%s", mainOf(body))
		}
		// Recording: notes are required for a meeting held.
		rec := "/handlaggning/moten/" + past.ID
		if res, body := anna.post(rec, url.Values{"status": {"held"}, "notes": {""}, "app": {a.ID}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Skriv vad ni pratade om.") {
			t.Errorf("held without notes: %d", res.StatusCode)
		}
		res, body = anna.post(rec, url.Values{"status": {"held"}, "notes": {"Vi gick igenom budgeten."}, "follow_up": {today.AddDays(3).String()}, "app": {a.ID}})
		wantRedirect(t, "record", res, body)
		if res, _ := anna.post(rec, url.Values{"status": {"missed"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("record twice: %d", res.StatusCode)
		}
		_, body = anna.get("/handlaggning/ansokan/" + a.ID)
		want := `<p id="last-met" class="cw-lastmet">Senast träffad: ` + yesterday.String() + ` 09:30</p>`
		if !strings.Contains(body, want) || !strings.Contains(body, "Vi gick igenom budgeten.") {
			t.Errorf("last met not shown (%s):\n%s", want, mainOf(body))
		}
		// The follow-up comes due in my meetings.
		// The follow-up is answered by the meeting booked for tomorrow.
		if _, body := anna.get("/handlaggning/moten"); !strings.Contains(body, "Inga uppföljningar att boka.") {
			t.Errorf("a follow-up answered by a booked meeting is still due:\n%s", mainOf(body))
		}
		// Cancelled by the API; the case's meetings by the API.
		if res, out := anna.postJSON("/api/v1/meetings/"+next.ID+"/record", map[string]any{"status": "cancelled"}); res.StatusCode != http.StatusOK || out["status"] != "cancelled" {
			t.Errorf("API record: %d %v", res.StatusCode, out)
		}
		status, out := anna.getJSON("/api/v1/cases/" + c.ID + "/meetings")
		if status != http.StatusOK || out["last_met"] != yesterday.String()+"T09:30" || len(out["meetings"].([]any)) != 2 {
			t.Errorf("API meetings: %d %v", status, out)
		}
		_, body = anna.get("/handlaggning/moten")
		if !strings.Contains(body, "#meeting-form") {
			t.Errorf("the follow-up is not due once nothing answers it:\n%s", mainOf(body))
		}
		res2, out := anna.postJSON("/api/v1/cases/"+c.ID+"/meetings", map[string]any{"date": tomorrow.String(), "time": "08:15", "minutes": 20, "kind": "home", "purpose": "Hembesök"})
		if res2.StatusCode != http.StatusCreated || out["starts_at"] != tomorrow.String()+"T08:15" || out["caseworker"] != "hl-anna" {
			t.Errorf("API book: %d %v", res2.StatusCode, out)
		}
		if status, out := anna.getJSON("/api/v1/meetings"); status != http.StatusOK || len(out["upcoming"].([]any)) != 1 {
			t.Errorf("API my meetings: %d %v", status, out)
		}
		// Another unit may not book or record.
		cecilia := e.staff("hl-cecilia")
		if res, _ := cecilia.post(book, url.Values{"date": {tomorrow.String()}, "time": {"10:00"}, "minutes": {"30"}, "kind": {"phone"}, "purpose": {"x"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("another unit books: %d", res.StatusCode)
		}
	})
}

func TestCaseworkerParseAmount(t *testing.T) {
	for in, want := range map[string]string{"12 950": "12950", "12950,50": "12950.50", "1\u00a0234 kr": "1234", "0": "0", "": "<nil>", " 7,5 ": "7.50"} {
		m, err := parseAmount(in)
		got := "<nil>"
		if m != nil {
			got = m.Decimal()
		}
		if err != nil || got != want {
			t.Errorf("parseAmount(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"12.345", "tolv", "1e3", "12,3,4"} {
		if _, err := parseAmount(bad); err == nil {
			t.Errorf("parseAmount(%q) accepted", bad)
		}
	}
}
