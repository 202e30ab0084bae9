package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

type supFakeRegisters []SourceHealth

func (f supFakeRegisters) Health() []SourceHealth { return f }

var supAnna = bistand.Actor{Kind: bistand.ActorCaseworker, ID: "hl-anna"}

// supToState walks a submitted application to collecting or assessed, as the
// robot does.
func (e *env) supToState(appID string, states ...bistand.State) {
	e.t.Helper()
	for _, st := range states {
		if _, _, err := e.store.Transition(e.ctx, robot.Actor, appID, st, "", sqlstore.TransitionOptions{}); err != nil {
			e.t.Fatalf("→ %s: %v", st, err)
		}
	}
}

func (e *env) supDecide(actor bistand.Actor, appID string, in sqlstore.DecideInput) {
	e.t.Helper()
	if _, ok, err := e.store.Decide(e.ctx, actor, appID, in); err != nil || !ok {
		e.t.Fatalf("decide: %v %v", ok, err)
	}
}

func (e *env) supRaise(actor bistand.Actor, appID string, kind bistand.FindingKind, subject string) bistand.Finding {
	e.t.Helper()
	got, err := e.store.AddFindings(e.ctx, actor, appID, []sqlstore.FindingInput{{Kind: kind, Subject: subject, Text: "test"}})
	if err != nil || len(got) != 1 {
		e.t.Fatalf("raise %s: %v %v", kind, got, err)
	}
	return got[0]
}

// supDataStat returns the text of the element with data-stat=name after the
// element with attr (e.g. data-kind="x"); with attr "" the first one.
func supDataStat(body, attr, name string) string {
	if attr != "" {
		i := strings.Index(body, attr)
		if i < 0 {
			return "<no " + attr + ">"
		}
		body = body[i:]
	}
	m := regexp.MustCompile(`data-stat="` + regexp.QuoteMeta(name) + `">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return "<no " + name + ">"
	}
	return m[1]
}

func TestRobotOverview(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, func(c *Config) {
			c.Registers = supFakeRegisters{{Source: "navet", State: "ok"}, {Source: "ssbtek", State: "down", Detail: "kretsbrytaren är öppen"}}
			c.Metrics = &robot.Metrics{}
		})
		// Three households, last month decided by a caseworker (today). The
		// robot decides the first; the second is routed with two findings
		// and a caseworker decides it; the third is routed, its finding
		// resolved, and waits.
		app1, _ := e.household(21)
		app2, _ := e.household(22)
		app3, _ := e.household(23)
		e.supToState(app1.ID, bistand.Collecting, bistand.Assessed)
		e.supDecide(robot.Actor, app1.ID, sqlstore.DecideInput{})
		e.supToState(app2.ID, bistand.Collecting, bistand.Assessed)
		for _, k := range []bistand.FindingKind{bistand.FindingIncomeMismatch, bistand.FindingFirstApplication} {
			f := e.supRaise(robot.Actor, app2.ID, k, "x")
			if err := e.store.ResolveFinding(e.ctx, supAnna, f.ID, "Styrkt."); err != nil {
				t.Fatal(err)
			}
		}
		e.supDecide(supAnna, app2.ID, sqlstore.DecideInput{Motivation: "Inkomsten styrkt."})
		e.supToState(app3.ID, bistand.Collecting)
		f := e.supRaise(robot.Actor, app3.ID, bistand.FindingSourceError, "CSN")
		if err := e.store.ResolveFinding(e.ctx, supAnna, f.ID, "CSN svarade vid nytt försök."); err != nil {
			t.Fatal(err)
		}

		sup := e.staff("rs-dana")
		// The JSON overview, exactly.
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/robot/overview", nil)
		res, body := sup.do(req)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("overview: %d %s", res.StatusCode, body)
		}
		var o struct {
			Pause        supPause
			Today, Month supPeriod
			Reasons      []supReason
			Registers    []SourceHealth
			States       map[string]int `json:"applications_by_state"`
			Queue        []supQueueStep
			Metrics      *robot.MetricsSnapshot
		}
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			t.Fatal(err)
		}
		// 3 caseworkers' decisions last month's applications, the robot's, Anna's.
		for _, p := range []supPeriod{o.Today, o.Month} {
			if p.Decisions != 5 || p.ByRobot != 1 || p.ByPeople != 4 || p.Changes != 0 || p.Routed != 2 || p.RatePM == nil || *p.RatePM != 200 {
				t.Errorf("period %+v (rate %v)", p, p.RatePM)
			}
		}
		reasons := map[bistand.FindingKind]supReason{}
		for _, r := range o.Reasons {
			reasons[r.Kind] = r
		}
		for _, want := range []supReason{
			{Kind: bistand.FindingIncomeMismatch, Label: "Inkomst skiljer sig från registret", Findings: 1, Resolved: 1, Applications: 1},
			{Kind: bistand.FindingFirstApplication, Label: "Första ansökan", Findings: 1, Resolved: 1, Applications: 1},
			{Kind: bistand.FindingSourceError, Label: "Register svarade inte", Findings: 1, Resolved: 1, Applications: 1},
		} {
			got := reasons[want.Kind]
			got.Reason = ""
			if got != want {
				t.Errorf("reason %s: %+v, want %+v", want.Kind, got, want)
			}
		}
		if r := reasons[bistand.FindingFirstApplication].Reason; r != robot.Checks[0].Reason {
			t.Errorf("first application's reason %q, want robot.Checks' %q", r, robot.Checks[0].Reason)
		}
		counts, _ := e.store.CountByState(e.ctx)
		for st, n := range counts {
			if o.States[string(st)] != n {
				t.Errorf("state %s: %d, want %d", st, o.States[string(st)], n)
			}
		}
		if o.States["decided"] != 5 || len(o.Registers) != 2 || o.Queue != nil || o.Metrics == nil || o.Pause.Paused {
			t.Errorf("overview %+v", o)
		}

		// The page shows the same.
		status, page := sup.get("/robot")
		if status != http.StatusOK {
			t.Fatalf("/robot: %d", status)
		}
		for _, c := range []struct{ attr, stat, want string }{
			{"", "today-rate", "20\u00a0%"}, {"", "month-rate", "20\u00a0%"},
			{"", "today-decisions", "5"}, {"", "today-robot", "1"}, {"", "today-people", "4"}, {"", "month-routed", "2"},
			{`data-kind="income_mismatch"`, "applications", "1"}, {`data-kind="income_mismatch"`, "resolved", "1"},
			{`data-kind="source_error"`, "resolved", "1"}, {`data-kind="source_error"`, "open", "0"},
		} {
			if got := supDataStat(page, c.attr, c.stat); got != c.want {
				t.Errorf("%s %s: %q, want %q", c.attr, c.stat, got, c.want)
			}
		}
		for _, want := range []string{
			"Inkomst skiljer sig från registret", robot.Checks[0].Reason, // labels and the robot's own reason
			`data-source="ssbtek"`, `<span class="badge bad">nere</span>`, "kretsbrytaren är öppen", `<span class="badge ok">fungerar</span>`,
			`data-state="decided"><th scope="row">beslutad</th><td class="num">5</td>`,
			`id="metrics"`, "Automatiska beslut är igång.", `id="pause-form"`, `id="pause-button"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("/robot does not show %q", want)
			}
		}
		// Without registers' health, metrics or queue, the page says so.
		bare := newEnv(t, engine, nil)
		_, page = bare.staff("rs-dana").get("/robot")
		for _, want := range []string{`id="registers-unknown"`, "Okänt: programmet rapporterar inte robotens", "Kön är inte känd här", "inga beslut"} {
			if !strings.Contains(page, want) {
				t.Errorf("bare /robot does not say %q", want)
			}
		}
		// In English.
		u, _ := url.Parse(e.srv.URL)
		sup.hc.Jar.SetCookies(u, []*http.Cookie{{Name: langCookie, Value: "en", Path: "/"}})
		if _, page := sup.get("/robot"); !strings.Contains(page, "Income differs from the register") || !strings.Contains(page, "20%") || !strings.Contains(page, "Automated decisions are running.") {
			t.Error("the English overview is not English")
		}
	})
}

func TestRobotPause(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		sup := e.staff("rs-dana")
		_, page := sup.get("/robot")
		for _, want := range []string{`<form method="post" action="/robot/paus" id="pause-form">`, `name="paused" value="true"`,
			`<textarea id="pause-reason" name="reason" required`, `id="pause-button"`, "Pausa automatiska beslut", "Inställningen har aldrig ändrats."} {
			if !strings.Contains(page, want) {
				t.Errorf("/robot has no %q", want)
			}
		}
		setting := func() sqlstore.Setting {
			st, _, err := e.store.Setting(e.ctx, sqlstore.SettingAutomationPaused)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}

		// No reason: refused, the field marked, nothing recorded.
		res, body := sup.post("/robot/paus", url.Values{"paused": {"true"}, "reason": {"  "}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, `aria-describedby="pause-reason-hint pause-reason-error"`) ||
			!strings.Contains(body, "Skriv varför.") {
			t.Errorf("pause without reason: %d", res.StatusCode)
		}
		if res, _ := sup.post("/robot/paus", url.Values{"paused": {"maybe"}, "reason": {"x"}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("paused=maybe: %d", res.StatusCode)
		}
		if res, _ := sup.post("/robot/paus", url.Values{"paused": {"true"}, "reason": {strings.Repeat("å", supMaxReason+1)}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("a too long reason: %d", res.StatusCode)
		}
		if st := setting(); st.Value != "" {
			t.Fatalf("a refused pause was recorded: %+v", st)
		}

		// Pause.
		res, _ = sup.post("/robot/paus", url.Values{"paused": {"true"}, "reason": {"Försäkringskassans uppgifter är fel i dag."}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/robot" {
			t.Fatalf("pause: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		st := setting()
		if st.Value != "true" || st.By != (bistand.Actor{Kind: bistand.ActorCaseworker, ID: "rs-dana"}) || st.Reason != "Försäkringskassans uppgifter är fel i dag." || st.UpdatedAt.IsZero() {
			t.Fatalf("setting %+v", st)
		}
		if paused, _ := e.store.AutomationPaused(e.ctx); !paused {
			t.Fatal("the robot is not paused")
		}
		_, page = sup.get("/robot")
		for _, want := range []string{"Automatiska beslut är pausade.", // the flash
			`data-paused="true"`, "Automatiska beslut är PAUSADE.", "Dana Robotansvarig (rs-dana)", "Försäkringskassans uppgifter är fel i dag.",
			st.UpdatedAt.In(stockholm).Format("2006-01-02 15:04"), `name="paused" value="false"`, "Starta automatiska beslut igen"} {
			if !strings.Contains(page, want) {
				t.Errorf("paused /robot does not show %q", want)
			}
		}
		// Pausing again changes nothing: "since" stays.
		res, _ = sup.post("/robot/paus", url.Values{"paused": {"true"}, "reason": {"igen"}})
		if res.StatusCode != http.StatusSeeOther || setting() != st {
			t.Errorf("a second pause changed the setting: %+v", setting())
		}

		// Resume, by the API.
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/robot/pause", strings.NewReader(`{"paused": false, "reason": "Felet är rättat."}`))
		req.Header.Set("Content-Type", "application/json")
		res, body = sup.do(req)
		var got supPause
		if err := json.Unmarshal([]byte(body), &got); res.StatusCode != http.StatusOK || err != nil || got.Paused || got.Reason != "Felet är rättat." || got.By != "rs-dana" || got.ByName != "Dana Robotansvarig" {
			t.Fatalf("resume: %d %s", res.StatusCode, body)
		}
		if paused, _ := e.store.AutomationPaused(e.ctx); paused {
			t.Fatal("the robot is still paused")
		}
		// Pause and resume by the form once more: each is recorded.
		sup.post("/robot/paus", url.Values{"paused": {"true"}, "reason": {"Test av paus."}})
		res, _ = sup.post("/robot/paus", url.Values{"paused": {"false"}, "reason": {"Test klart."}})
		if st := setting(); res.StatusCode != http.StatusSeeOther || st.Value != "false" || st.Reason != "Test klart." {
			t.Errorf("resume by form: %d %+v", res.StatusCode, st)
		}
		if _, page := sup.get("/robot"); !strings.Contains(page, "Automatiska beslut är igång igen.") || !strings.Contains(page, "Test klart.") || !strings.Contains(page, `data-paused="false"`) {
			t.Error("the resumed page does not say so")
		}
	})
}

func TestRobotPageAccess(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		_, c := e.household(31)
		pause := url.Values{"paused": {"true"}, "reason": {"ska inte gå"}}
		sup := e.staff("rs-dana")
		for _, tc := range []struct {
			name   string
			c      *client
			get    int
			post   int
			apiGet int
		}{
			{"anonymous", e.anonymous(), http.StatusSeeOther, http.StatusSeeOther, http.StatusUnauthorized},
			{"caseworker", e.staff("hl-anna"), http.StatusForbidden, http.StatusForbidden, http.StatusForbidden},
			{"caseworker of another unit", e.staff("hl-cecilia"), http.StatusForbidden, http.StatusForbidden, http.StatusForbidden},
			{"applicant", e.applicantOf(c), http.StatusForbidden, http.StatusForbidden, http.StatusForbidden},
			{"supervisor", sup, http.StatusOK, 0, http.StatusOK},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if status, _ := tc.c.get("/robot"); status != tc.get {
					t.Errorf("GET /robot: %d, want %d", status, tc.get)
				}
				if tc.post != 0 {
					if res, _ := tc.c.post("/robot/paus", pause); res.StatusCode != tc.post {
						t.Errorf("POST /robot/paus: %d, want %d", res.StatusCode, tc.post)
					}
				}
				if status, _ := tc.c.get("/api/v1/robot/overview"); status != tc.apiGet {
					t.Errorf("GET /api/v1/robot/overview: %d, want %d", status, tc.apiGet)
				}
			})
		}
		if paused, _ := e.store.AutomationPaused(e.ctx); paused {
			t.Error("someone who is not a supervisor paused the robot")
		}

		// A form posted to the pause from another site is refused, even
		// with the supervisor's session.
		for _, path := range []string{"/robot/paus", "/api/v1/robot/pause"} {
			body := pause.Encode()
			ctype := "application/x-www-form-urlencoded"
			if strings.HasPrefix(path, "/api/") {
				body, ctype = `{"paused": true, "reason": "ska inte gå"}`, "application/json"
			}
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			if res, _ := sup.do(req); res.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site POST %s: %d", path, res.StatusCode)
			}
		}
		if paused, _ := e.store.AutomationPaused(e.ctx); paused {
			t.Error("a cross-site request paused the robot")
		}
	})
}

func TestFindingLabels(t *testing.T) {
	for _, c := range robot.Checks {
		sv, why := supFindingLabel("sv", c.Kind)
		en, whyEn := supFindingLabel("en", c.Kind)
		if sv == string(c.Kind) || en == string(c.Kind) || why != c.Reason || whyEn == "" {
			t.Errorf("check %s: %q %q / %q %q", c.Kind, sv, why, en, whyEn)
		}
	}
	for k, f := range supFindingKinds {
		if f.sv == "" || f.en == "" || f.whyEn == "" {
			t.Errorf("%s has no label or reason", k)
		}
		if _, why := supFindingLabel("sv", k); why == "" {
			t.Errorf("%s has no Swedish reason", k)
		}
	}
	if l, _ := supFindingLabel("sv", "something_new"); l != "something_new" {
		t.Errorf("an unknown kind is shown as %q", l)
	}
	for _, st := range bistand.States() {
		if _, ok := supStateEnglish[st]; !ok || supStateLabel("sv", st) != st.Swedish() {
			t.Errorf("state %s has no English label", st)
		}
	}
	for pm, want := range map[int]string{0: "0\u00a0%", 200: "20\u00a0%", 333: "33,3\u00a0%", 1000: "100\u00a0%"} {
		if got := supPercent("sv", pm); got != want {
			t.Errorf("supPercent(%d) = %q, want %q", pm, got, want)
		}
	}
	if got := supPercent("en", 333); got != "33.3%" {
		t.Errorf("English percent %q", got)
	}
}
