package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

// pubSection returns the part of body from the element with attr up to the
// next element that has the same attribute name, or the section's end.
func pubSection(body, attr string) string {
	i := strings.Index(body, attr)
	if i < 0 {
		return ""
	}
	rest := body[i+len(attr):]
	name, _, _ := strings.Cut(attr, "=")
	for _, end := range []string{name + "=", "</section>"} {
		if j := strings.Index(rest, end); j >= 0 {
			rest = rest[:j]
		}
	}
	return body[i:i+len(attr)] + rest
}

func TestRulesRegisterPage(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	d := rules.Default().Data
	anon := e.anonymous()
	get := func(path string) string {
		t.Helper()
		status, body := anon.get(path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		return body
	}

	// The overview, without login: what is in force, every kind of source,
	// the sources, estimates marked.
	body := get("/regler")
	for _, want := range []string{"<h1>Regler och belopp</h1>", d.Hash, "gäller nu",
		"<dt>lag</dt>", "<dt>förordning</dt>", "<dt>myndighetsråd eller vägledning</dt>", "<dt>kommunal riktlinje</dt>",
		"(förordning)", "(lag)", "(kommunal riktlinje)", "(myndighetsråd eller vägledning)",
		"2 kap. 1 § socialtjänstförordningen (2001:937)", "Demoköpings kommun", `data-entry="prisbasbelopp"`,
		`data-entry="regel-cost.rent"`, `data-entry="demo-tak-rent"`, `data-entry="demo-automatisering"`,
		`<caption>Riksnormen`, `<th scope="col">`, `<th scope="row">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/regler does not show %q", want)
		}
	}
	today := e.app.pubToday()
	var current *rules.RiksnormYear
	for _, y := range d.Riksnorm {
		if y.Period.Contains(today) {
			current = y
		}
	}
	if current == nil {
		t.Fatalf("no riksnorm year in force on %s", today)
	}
	// Without visa=alla only the year in force is shown; its estimated
	// cells are marked, and no estimate is shown as confirmed.
	checkYear := func(page string, y *rules.RiksnormYear) {
		t.Helper()
		sec := pubSection(page, fmt.Sprintf(`data-version="%d"`, y.Year))
		if sec == "" {
			t.Errorf("riksnorm %d is not shown", y.Year)
			return
		}
		estimates, confirmed := 0, 0
		for _, v := range append(append(y.WithLunch[:], y.WithoutLunch[:]...), append([]rules.Value{y.Single, y.Couple}, y.Shared[1:]...)...) {
			switch v.Status {
			case rules.Estimate:
				estimates++
			case rules.Confirmed:
				confirmed++
			}
		}
		// The amount for each person beyond seven is derived from two
		// cells: an estimate if either is, never confirmed.
		if _, st := y.SharedFor(8); st == rules.Estimate {
			estimates++
		}
		if got := strings.Count(sec, `<td><span class="estimate">uppskattat</span></td>`); got != estimates {
			t.Errorf("riksnorm %d: %d values marked as estimates, the data has %d", y.Year, got, estimates)
		}
		if got := strings.Count(sec, `<td><span class="badge ok">bekräftat</span></td>`); got != confirmed {
			t.Errorf("riksnorm %d: %d values shown as confirmed, the data has %d", y.Year, got, confirmed)
		}
	}
	checkYear(body, current)
	for _, y := range d.Riksnorm {
		if y != current && strings.Contains(body, fmt.Sprintf(`data-entry="riksnorm" data-version="%d"`, y.Year)) {
			t.Errorf("riksnorm %d is shown without visa=alla", y.Year)
		}
	}

	// Every version: every riksnorm year shipped, earlier ones marked so.
	all := get("/regler?visa=alla")
	for _, y := range d.Riksnorm {
		if !strings.Contains(all, fmt.Sprintf(`data-entry="riksnorm" data-version="%d"`, y.Year)) {
			t.Errorf("/regler?visa=alla does not show riksnorm %d", y.Year)
		}
		checkYear(all, y)
	}
	for _, x := range d.PriceBase {
		if !strings.Contains(all, fmt.Sprintf(`Prisbasbelopp</a> %d`, x.Year)) {
			t.Errorf("/regler?visa=alla does not show the price base amount of %d", x.Year)
		}
	}
	if !strings.Contains(all, "tidigare version") || strings.Count(all, `data-entry="regel-cost.rent"`) != len(d.Bases["forsorjningsstod"]) {
		t.Error("/regler?visa=alla does not show the earlier versions")
	}

	// A page per rule with every version.
	norm := get("/regler/riksnorm")
	for _, y := range d.Riksnorm {
		if !strings.Contains(norm, fmt.Sprintf(`data-version="%d"`, y.Year)) {
			t.Errorf("/regler/riksnorm does not show %d", y.Year)
		}
		checkYear(norm, y)
	}
	rent := get("/regler/demo-tak-rent")
	if strings.Count(rent, `class="pub-entry-version"`) != 3 || !strings.Contains(rent, "exempel (påhittad kommun)") || !strings.Contains(rent, "1 vuxen, 0 barn") {
		t.Error("/regler/demo-tak-rent does not show the three versions of the rent cap")
	}
	if status, _ := anon.get("/regler/no-such-rule"); status != http.StatusNotFound {
		t.Errorf("an unknown rule: %d", status)
	}

	// Filters.
	for _, tc := range []struct {
		query     string
		want, not []string
	}{
		{"typ=municipal_guideline", []string{`data-entry="demo-tak-rent"`, `data-entry="regel-cost.cap"`}, []string{`data-entry="prisbasbelopp"`, `data-entry="riksnorm"`}},
		{"typ=regulation", []string{`data-entry="riksnorm"`}, []string{`data-entry="demo-tak-rent"`, `data-entry="regel-income.salary"`}},
		{"typ=law", []string{`data-entry="regel-income.salary"`, `data-entry="jobbstimulans"`}, []string{`data-entry="riksnorm"`, `data-entry="demo-tak-rent"`}},
		{"typ=agency_guidance", []string{`data-entry="radrum"`, `data-entry="regel-income.study_aid_extra"`}, []string{`data-entry="riksnorm"`}},
		{"kommun=national", []string{`id="kommun-national"`, `data-entry="riksnorm"`}, []string{`id="kommun-demo"`}},
		{"kommun=demo&typ=municipal_guideline", []string{`id="kommun-demo"`}, []string{`id="kommun-national"`}},
		{"typ=nonsense&kommun=nowhere", []string{`id="kommun-demo"`, `id="kommun-national"`, `data-entry="riksnorm"`}, nil},
	} {
		page := get("/regler?" + tc.query)
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("/regler?%s does not show %s", tc.query, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(page, n) {
				t.Errorf("/regler?%s shows %s", tc.query, n)
			}
		}
	}
	if page := get("/regler?typ=regulation&kommun=demo"); !strings.Contains(page, `value="regulation" selected`) || !strings.Contains(page, `value="demo" selected`) {
		t.Error("the filter form does not keep the choice")
	}

	// In English, the page around the Swedish data.
	u, _ := url.Parse(e.srv.URL)
	anon.hc.Jar.SetCookies(u, []*http.Cookie{{Name: langCookie, Value: "en", Path: "/"}})
	en := get("/regler")
	if !strings.Contains(en, "<h1>Rules and amounts</h1>") || !strings.Contains(en, `<span class="estimate">estimate</span>`) || !strings.Contains(en, "(ordinance)") {
		t.Error("the English register is not English")
	}
}

func TestRulesAPI(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	status, body := e.anonymous().get("/api/v1/rules")
	if status != http.StatusOK {
		t.Fatalf("/api/v1/rules: %d", status)
	}
	var got struct {
		RulesVersion string `json:"rules_version"`
		Riksnorm     []struct {
			Year   int `json:"year"`
			Single struct {
				Amount json.Number  `json:"amount"`
				Status rules.Status `json:"status"`
			} `json:"single"`
		} `json:"riksnorm"`
		Rules          []rules.Rule   `json:"rules"`
		Sources        []rules.Source `json:"sources"`
		Municipalities []struct {
			ID         string            `json:"id"`
			Automation []json.RawMessage `json:"automation"`
		} `json:"municipalities"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	d := rules.Default().Data
	if got.RulesVersion != d.Hash || len(got.Riksnorm) != len(d.Riksnorm) || len(got.Rules) != len(d.Rules) || len(got.Sources) != len(d.Sources) || len(got.Municipalities) != len(d.Municipalities) {
		t.Fatalf("register %s / %d years / %d rules / %d sources", got.RulesVersion, len(got.Riksnorm), len(got.Rules), len(got.Sources))
	}
	for i, y := range d.Riksnorm {
		g := got.Riksnorm[i]
		if g.Year != y.Year || g.Single.Amount.String() != y.Single.Amount.Decimal() || g.Single.Status != y.Single.Status {
			t.Errorf("riksnorm %d: %+v", y.Year, g)
		}
	}
}

func TestSupPubAPIMessages(t *testing.T) {
	// Every key the register, the supervisor's page and the API page use
	// has both languages.
	var keys []string
	for _, k := range pubKinds {
		keys = append(keys, "pub.kind."+string(k), "pub.how."+string(k))
	}
	for _, s := range []rules.Status{rules.Confirmed, rules.StrongHint, rules.Derived, rules.Estimate, rules.Unknown, rules.Illustrative} {
		keys = append(keys, pubStatus(s).Key())
	}
	for _, s := range pubExplained {
		keys = append(keys, "pub.how."+string(s))
	}
	for _, w := range []string{"now", "past", "future"} {
		keys = append(keys, pubVersion{When: w}.WhenKey())
	}
	for _, step := range supQueueSteps {
		keys = append(keys, "sup.step."+step)
	}
	for _, name := range []string{"sup_overview.html", "rules_index.html", "rules_entry.html", "api_index.html"} {
		b, err := templateFS.ReadFile("templates/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range strings.Split(string(b), `{{t "`)[1:] {
			key, _, _ := strings.Cut(part, `"`)
			keys = append(keys, key)
		}
	}
	for _, k := range append(keys, "msg.sup.paused", "msg.sup.resumed", "msg.sup.unchanged", "msg.api.method", "sup.pause.reason.missing", "sup.pause.reason.long") {
		messagesMu.RLock()
		m, ok := messages[k]
		messagesMu.RUnlock()
		if !ok || m[1] == "" || (m[0] == "" && k != "pub.data.sv") {
			t.Errorf("message %q: %q", k, m)
		}
	}
}
