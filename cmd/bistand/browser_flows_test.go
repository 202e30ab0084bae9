package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// demoLogin is one login button of the start page.
type demoLogin struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Name    string `json:"name"`
	Note    string `json:"note"`
}

// demoLogins reads the demo's logins off the start page.
func (tb *tab) demoLogins() []demoLogin {
	tb.t.Helper()
	tb.open("/", 200)
	return evalJS[[]demoLogin](tb, `Array.from(document.querySelectorAll('form[action="/login/demo"]')).map(f => ({
		kind: f.querySelector('input[name=kind]').value,
		subject: f.querySelector('button[data-login]').dataset.login,
		name: f.querySelector('button[data-login]').innerText,
		note: (f.querySelector('.note') || {innerText: ''}).innerText}))`)
}

var appIDRE = regexp.MustCompile(`/mina/ansokan/([^/?#]+)`)

// apply applies for the month from /mina: the form prefilled from last
// month, changed by change (nil: sent unchanged), the confirm step with the
// applicant's assurance, and the status page it leads to. It returns the
// application's id and how many changes the confirm step marked.
func (tb *tab) apply(change func()) (string, int) {
	tb.t.Helper()
	tb.open("/mina", 200)
	tb.checkA11y("/mina before applying")
	tb.click("#apply")
	tb.checkA11y("apply form")
	if change != nil {
		change()
	}
	tb.click("#submit-application")
	if tb.has(".errors") {
		tb.t.Fatalf("%s: the form was refused: %s", tb.who, tb.text(".errors"))
	}
	changed := 0
	if tb.has("#confirm-application") {
		changed = tb.count("#changes .changed")
		tb.checkA11y("apply confirm step")
		tb.do(10*time.Second, chromedp.Click(chromedp.CSS("#intyg")))
		if !evalJS[bool](tb, "document.querySelector('#intyg').checked") {
			tb.t.Fatalf("%s: clicking the assurance did not check it", tb.who)
		}
		tb.click("#confirm-application")
	}
	if !tb.has("#status") {
		tb.t.Fatalf("%s: after sending the application no #status at %s; page:\n%s", tb.who, tb.location(), tb.body())
	}
	m := appIDRE.FindStringSubmatch(tb.location())
	if m == nil {
		tb.t.Fatalf("%s: the status page's address %s has no application id", tb.who, tb.location())
	}
	return m[1], changed
}

// State texts (web/applicant_messages.go, web/cw_i18n.go).
const (
	stateRandomCheck  = "stickprovskontroll"
	stateSupplemented = "kompletterad"
)

// browserApply: an applicant whose unchanged application the robot grants
// applies from the start page's demo login, follows the application until
// the robot has decided, and reads the decision, its calculation, the
// what-ifs and the letter. Should the application be drawn for the random
// check (3 % of the robot's approvals), a caseworker does the check and
// decides instead, so the test does not depend on the draw.
func browserApply(t *testing.T, env *browserEnv, who demoLogin) {
	tb := env.newTab(t, "applicant "+who.Name)
	tb.login(who.Subject)
	appID, changed := tb.apply(nil)
	if changed != 0 {
		t.Errorf("the unchanged application's confirm step marks %d changes", changed)
	}
	tb.checkA11y("status page after applying")
	byRobot := true
	tb.eventually(60*time.Second, "the robot's decision", func() bool {
		if tb.has("#decision-link") {
			return true
		}
		if strings.Contains(tb.text("#status"), stateRandomCheck) {
			byRobot = false
			return true
		}
		return false
	})
	if !byRobot {
		t.Logf("application %s was drawn for the random check; a caseworker decides it", appID)
		cw := env.newTab(t, "caseworker Anna")
		cw.login("hl-anna")
		cw.decide(appID, "Stickprov kontrollerat; beviljas enligt beräkningen.")
		tb.open("/mina/ansokan/"+appID, 200)
		if !tb.has("#decision-link") {
			t.Fatalf("after the caseworker's decision the status page has no #decision-link; page:\n%s", tb.body())
		}
	}
	tb.click("#decision-link")
	if n := tb.count("#calculation tbody tr"); n == 0 {
		t.Errorf("the decision's #calculation has no rows; page:\n%s", tb.body())
	}
	if !tb.has("#what-if") {
		t.Errorf("the decision page has no #what-if")
	}
	if byRobot && !tb.has("#automated") {
		t.Errorf("the robot's decision does not say it is automated (#automated)")
	}
	tb.checkA11y("decision page")
	// The letter is made in the background after the decision.
	tb.eventually(30*time.Second, "the decision letter", func() bool { return tb.has("#letter-link") })
	status, ctype, body := tb.fetch(tb.attr("#letter-link", "href"))
	if status != 200 || ctype != "application/pdf" || !strings.HasPrefix(string(body), "%PDF-") {
		t.Errorf("the letter answered %d %q (%d bytes), want a PDF", status, ctype, len(body))
	}
}

// decide is a caseworker deciding an application: the random check done if
// it is one, every open finding resolved, then approved as calculated. It
// checks the decision is recorded on the page.
func (tb *tab) decide(appID, motivation string) {
	tb.t.Helper()
	tb.open("/handlaggning/ansokan/"+appID, 200)
	if tb.has("#random-check-form") {
		tb.fill("#random-note", "Kontoutdrag för förra månaden har granskats; inga avvikelser.")
		tb.click("#random-check-done")
	}
	for i := 0; tb.has(".resolve-form"); i++ {
		if i == 20 {
			tb.t.Fatalf("%s: findings still open after resolving 20; page:\n%s", tb.who, tb.body())
		}
		n := tb.count(".resolve-form")
		tb.fill(".resolve-form textarea[name=resolution]", fmt.Sprintf("Kontrollerat i underlagen (%d).", i+1))
		tb.click(".resolve-form .resolve-button")
		if tb.count(".resolve-form") != n-1 {
			tb.t.Fatalf("%s: resolving a finding left %d open of %d; flash %q; page:\n%s", tb.who, tb.count(".resolve-form"), n, tb.flash(), tb.body())
		}
	}
	if !tb.has("#decide-form") {
		tb.t.Fatalf("%s: no #decide-form after resolving every finding: %s", tb.who, tb.text("#decide-blocked"))
	}
	tb.do(10*time.Second, chromedp.Click(chromedp.CSS("#outcome-approved")))
	tb.fill("#decide-motivation", motivation)
	tb.click("#decide-button")
	if tb.has("#decide-error") {
		tb.t.Fatalf("%s: the decision was refused: %s", tb.who, tb.text("#decide-error"))
	}
	if !strings.Contains(tb.text("table.cw-decisions"), motivation) {
		tb.t.Fatalf("%s: the decision is not among the application's decisions (flash %q); page:\n%s", tb.who, tb.flash(), tb.body())
	}
}

// queueCandidates are the applications in Anna's work queue that have open
// findings and a calculated amount a caseworker grants alone (more than
// nothing, below the demo's four-eyes limit of 30 000 kr), read before the
// other flows add their own.
func (tb *tab) queueCandidates() []string {
	tb.t.Helper()
	tb.open("/handlaggning", 200)
	return evalJS[[]string](tb, `Array.from(document.querySelectorAll('table.cw-queue tbody tr'))
		.filter(tr => {
			if (!tr.querySelector('ul.cw-kinds')) return false;
			const amount = tr.querySelector('td.num');
			const text = amount ? amount.innerText.trim() : '';
			const kr = /^[\d\s]+(,\d\d)?\s*kr$/.test(text) ? parseInt(text.split(',')[0].replace(/\D/g, ''), 10) : 0;
			return kr > 0 && kr < 30000;
		})
		.map(tr => tr.querySelector('a.case-link').dataset.app)`)
}

// browserCaseworker: Anna opens her work queue, picks an application with
// open findings, resolves each and decides it.
func browserCaseworker(t *testing.T, tb *tab, candidates []string) {
	tb.open("/handlaggning", 200)
	tb.checkA11y("work queue")
	if len(candidates) == 0 {
		t.Fatalf("no application with open findings in the work queue; page:\n%s", tb.body())
	}
	appID := candidates[0]
	tb.click(fmt.Sprintf("a.case-link[data-app=%q]", appID))
	tb.checkA11y("case view with open findings")
	tb.decide(appID, "Avklaringarna är lösta; beviljas enligt beräkningen.")
	tb.checkA11y("case view after the decision")
}

// browserSupplement: an applicant applies with a higher rent, so the robot
// leaves the application to a caseworker; Anna asks for a supplement, the
// applicant sees the request on /mina and answers it, and Anna sees the
// application supplemented.
func browserSupplement(t *testing.T, env *browserEnv, who demoLogin) {
	tb := env.newTab(t, "applicant "+who.Name)
	tb.login(who.Subject)
	appID, changed := tb.apply(func() {
		rent := tb.attr("#cost_rent", "value")
		n, err := strconv.ParseInt(strings.NewReplacer(" ", "", "\u00a0", "").Replace(strings.Split(rent, ",")[0]), 10, 64)
		if err != nil {
			t.Fatalf("the prefilled rent %q: %v", rent, err)
		}
		tb.fill("#cost_rent", strconv.FormatInt(n+1000, 10))
	})
	if changed != 1 {
		t.Errorf("the confirm step marks %d changes, want 1 (the rent)", changed)
	}

	// Anna: the robot has left the application to a person (the rent).
	cw := env.newTab(t, "caseworker Anna")
	cw.login("hl-anna")
	cw.open("/handlaggning", 200)
	if sel := fmt.Sprintf("a.case-link[data-app=%q]", appID); cw.has(sel) {
		cw.click(sel)
	} else {
		cw.open("/handlaggning/ansokan/"+appID, 200)
	}
	cw.eventually(60*time.Second, "the robot leaving the application with a changed rent", func() bool {
		return cw.has("#supplement-request-form") && cw.has(".cw-finding")
	})
	if !strings.Contains(cw.text("#findings + *")+cw.body(), "Boendekostnaden har ändrats") {
		t.Errorf("the case view does not show the rent change finding; page:\n%s", cw.body())
	}
	request := "Skicka hyresavi eller hyreskontrakt som visar den nya hyran."
	cw.fill("#supplement-request", request)
	cw.fill("#supplement-due", time.Now().AddDate(0, 0, 10).Format("2006-01-02"))
	cw.click("#request-supplement")
	if cw.has("#supplement-error") {
		t.Fatalf("the supplement request was refused: %s", cw.text("#supplement-error"))
	}
	cw.checkA11y("case view with a supplement requested")

	// The applicant sees the request and answers it.
	tb.open("/mina", 200)
	if !tb.has(".mina-todo") {
		t.Fatalf("/mina does not show the supplement request to do; page:\n%s", tb.body())
	}
	tb.checkA11y("/mina with a supplement request")
	tb.click(fmt.Sprintf(".mina-todo a[href=%q]", "/mina/ansokan/"+appID))
	if !strings.Contains(tb.text("#supplement-request"), request) {
		t.Errorf("the status page does not show the caseworker's request; #supplement-request: %q", tb.text("#supplement-request"))
	}
	tb.checkA11y("status page with a supplement request")
	answer := "Hyran höjdes från december. Hyresavin kommer med posten i veckan."
	tb.fill("#message", answer)
	tb.click("#send-supplement")
	if tb.has("#supplement-error") {
		t.Fatalf("the supplement was refused: %s", tb.text("#supplement-error"))
	}
	// The robot may already be working the answered application, so the
	// state may be past "supplemented": the request is gone, and the page
	// says the answer was sent.
	if f := tb.flash(); !strings.Contains(f, "Kompletteringen är skickad") {
		t.Errorf("after answering the page says %q, not that the answer was sent", f)
	}
	if tb.has("#supplement-form") || strings.Contains(tb.text("#status"), "komplettering begärd") {
		t.Errorf("after answering the status page still asks for the supplement (status %q)", tb.text("#status"))
	}
	tb.checkA11y("status page after answering")

	// Anna sees the application supplemented, with the answer (the robot
	// may have worked it again since: the history says it was).
	cw.open("/handlaggning/ansokan/"+appID, 200)
	if h := cw.text(`section[aria-labelledby="history"] tbody`); !strings.Contains(h, "→ "+stateSupplemented) {
		t.Errorf("the case view's history does not show the application supplemented:\n%s", h)
	}
	if !strings.Contains(cw.body(), answer) {
		t.Errorf("the case view does not show the applicant's answer; page:\n%s", cw.body())
	}
	cw.checkA11y("case view with the supplement answered")
}

// browserSupervisor: Dana's page loads and the pause switch pauses and
// resumes automated decisions.
func browserSupervisor(t *testing.T, env *browserEnv) {
	tb := env.newTab(t, "supervisor Dana")
	tb.login("rs-dana")
	tb.open("/robot", 200)
	if got := tb.attr("#pause-state", "data-paused"); got != "false" {
		t.Fatalf("the robot starts paused (%q)", got)
	}
	tb.checkA11y("/robot")
	tb.fill("#pause-reason", "Test: ny regelversion granskas.")
	tb.click("#pause-button")
	if got := tb.attr("#pause-state", "data-paused"); got != "true" {
		t.Fatalf("after pausing #pause-state says data-paused=%q; flash %q", got, tb.flash())
	}
	if !strings.Contains(tb.text("#pause-record"), "Test: ny regelversion granskas.") {
		t.Errorf("the pause's reason is not shown: %q", tb.text("#pause-record"))
	}
	tb.checkA11y("/robot paused")
	tb.fill("#pause-reason", "Test: granskningen är klar.")
	tb.click("#pause-button")
	if got := tb.attr("#pause-state", "data-paused"); got != "false" {
		t.Fatalf("after resuming #pause-state says data-paused=%q; flash %q", got, tb.flash())
	}
}
