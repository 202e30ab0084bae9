package web

// The applicant's pages and API: applying unchanged and changed, the form's
// validation, a couple's two signatures, attachments judged by content, the
// decision explained with what would change it, a supplement answered, and
// that no household reaches another's records.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/letter"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

var (
	minaTestSystem = bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}
	minaTestWorker = bistand.Actor{Kind: bistand.ActorCaseworker, ID: "hl-anna"}
)

// minaHousehold makes a household (seeds from seed on until one has the
// number of adults asked for) whose last month a caseworker decided, with
// this month's application withdrawn again, so that the household may
// apply through the pages.
func (e *env) minaHousehold(seed uint64, adults int) (bistand.Case, bistand.Application) {
	e.t.Helper()
	for s := seed; s < seed+200; s++ {
		rng := rand.New(rand.NewPCG(s, 7))
		if 1+rng.IntN(2) != adults { // synth's draw of the number of adults
			continue
		}
		a, c := e.household(s)
		n := 0
		for _, m := range c.Members {
			if minaAdult(m.Role) {
				n++
			}
		}
		if n != adults {
			e.t.Fatalf("seed %d: %d adults, want %d", s, n, adults)
		}
		if _, _, err := e.store.Transition(e.ctx, bistand.Actor{Kind: bistand.ActorApplicant, ID: c.Members[0].PersonID}, a.ID, bistand.Withdrawn, "testet ansöker på nytt", sqlstore.TransitionOptions{}); err != nil {
			e.t.Fatal(err)
		}
		return c, a
	}
	e.t.Fatalf("no household with %d adults", adults)
	return bistand.Case{}, bistand.Application{}
}

// minaFormValues are the fields a browser would post with the form whose
// action is action: hidden and text inputs, checked boxes, selected options
// (or the first) and text areas.
func minaFormValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	i := strings.Index(body, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s in\n%s", action, body)
	}
	form := body[i:]
	form = form[:strings.Index(form, "</form>")]
	v := url.Values{}
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return html.UnescapeString(m[1]), true
	}
	for _, tag := range regexp.MustCompile(`<input[^>]*>`).FindAllString(form, -1) {
		name, ok := attr(tag, "name")
		typ, _ := attr(tag, "type")
		if !ok || typ == "file" || (typ == "checkbox" && !strings.Contains(tag, " checked")) {
			continue
		}
		val, _ := attr(tag, "value")
		v.Add(name, val)
	}
	for _, m := range regexp.MustCompile(`(?s)<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(form, -1) {
		opts := regexp.MustCompile(`<option value="([^"]*)"( selected)?`).FindAllStringSubmatch(m[2], -1)
		val := ""
		for j, o := range opts {
			if j == 0 || o[2] != "" {
				val = html.UnescapeString(o[1])
			}
		}
		v.Set(m[1], val)
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(form, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// minaApplication is the case's application for the test's month that
// counts (not withdrawn).
func (e *env) minaApplication(caseID string) (bistand.Application, bool) {
	e.t.Helper()
	apps, err := e.store.CaseApplications(e.ctx, caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range apps {
		if a.Month == e.month && minaActive(a) {
			return a, true
		}
	}
	return bistand.Application{}, false
}

// minaApplyThroughPages fills in the apply form as it comes, changed by
// change, goes to the confirm step and signs.
func (e *env) minaApplyThroughPages(c *client, caseID string, change func(url.Values)) (confirm string, res *http.Response) {
	e.t.Helper()
	status, body := c.get("/mina")
	if status != http.StatusOK || !strings.Contains(body, `id="apply" href="/mina/ansok?case=`+caseID+`"`) {
		e.t.Fatalf("/mina: %d, no apply link for %s\n%s", status, caseID, body)
	}
	status, body = c.get("/mina/ansok?case=" + caseID)
	if status != http.StatusOK || !strings.Contains(body, `id="submit-application"`) {
		e.t.Fatalf("apply form: %d\n%s", status, body)
	}
	form := minaFormValues(e.t, body, "/mina/ansok")
	if change != nil {
		change(form)
	}
	form.Set("step", "review")
	res, confirm = c.post("/mina/ansok", form)
	if res.StatusCode != http.StatusOK || !strings.Contains(confirm, `id="confirm-application"`) {
		e.t.Fatalf("review: %d\n%s", res.StatusCode, confirm)
	}
	signed := minaFormValues(e.t, confirm, "/mina/ansok")
	signed.Set("intyg", "1")
	signed.Set("step", "confirm")
	res, _ = c.post("/mina/ansok", signed)
	return confirm, res
}

// minaHouseholdOf is an application's household as the rules read it.
func (e *env) minaHouseholdOf(appID string) *rules.Household {
	e.t.Helper()
	h, _, err := e.store.Household(e.ctx, appID)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

func TestApplyUnchanged(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		c, withdrawn := e.minaHousehold(1, 1)
		prev := e.previous(c.ID)
		client := e.applicantOf(c)
		confirm, res := e.minaApplyThroughPages(client, c.ID, nil)
		if !strings.Contains(confirm, `<p id="changes">`) || strings.Contains(confirm, `class="changed"`) || strings.Contains(confirm, "changed-tag") {
			t.Errorf("an unchanged application shows changes:\n%s", confirm)
		}
		a, ok := e.minaApplication(c.ID)
		if !ok || res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mina/ansokan/"+a.ID {
			t.Fatalf("confirm: %d → %q (application %v)", res.StatusCode, res.Header.Get("Location"), ok)
		}
		if a.ID == withdrawn.ID || a.State != bistand.Submitted || a.SubmittedAt.IsZero() {
			t.Fatalf("application %+v: want a new one, submitted (the robot's collect step goes with it)", a)
		}
		sigs, err := e.store.Signatures(e.ctx, a.ID)
		if err != nil || len(sigs) != 1 || sigs[0].PersonID != c.Members[0].PersonID || sigs[0].Method != "demo" {
			t.Fatalf("signatures %+v %v", sigs, err)
		}
		// The same household as last month, a month longer on assistance.
		got, want := e.minaHouseholdOf(a.ID), e.minaHouseholdOf(prev.ID)
		months := want.MonthsOnAssistance + 1
		if d, err := e.store.CurrentDecision(e.ctx, prev.ID); err != nil {
			t.Fatal(err)
		} else if d.Outcome == bistand.OutcomeRejected {
			months = 0 // refused last month: no months in a row
		}
		if !slices.Equal(got.Members, want.Members) || !slices.Equal(got.Costs, want.Costs) || !slices.Equal(got.Incomes, want.Incomes) ||
			got.DwellingSize != want.DwellingSize || got.MonthsOnAssistance != months {
			t.Errorf("declared\n%+v\nlast month\n%+v", got, want)
		}
		// Every declared fact has the keys and values synth declares.
		prevFacts, newFacts := minaDeclaredFacts(t, e, prev.ID), minaDeclaredFacts(t, e, a.ID)
		for _, pair := range [][2]map[string]string{{newFacts, prevFacts}, {prevFacts, newFacts}} {
			for key, v := range pair[0] {
				if key == "months_on_assistance" || strings.HasPrefix(key, "member:") {
					continue
				}
				if pair[1][key] != v {
					t.Errorf("fact %s: %s here, %s there", key, v, pair[1][key])
				}
			}
		}
		if len(newFacts) != len(prevFacts) {
			t.Errorf("%d declared facts, last month %d", len(newFacts), len(prevFacts))
		}
		// The status page says it in words.
		status, body := client.get("/mina/ansokan/" + a.ID)
		if status != http.StatusOK || !strings.Contains(body, `<strong id="status">inskickad</strong>`) || !strings.Contains(body, "Ansökan är inskickad") {
			t.Errorf("status page: %d\n%s", status, body)
		}
		// Applying twice for the month is not possible.
		if status, body := client.get("/mina"); strings.Contains(body, `id="apply"`) || status != http.StatusOK {
			t.Error("/mina still offers to apply")
		}
		res2, _ := client.post("/mina/ansok", url.Values{"case": {c.ID}, "month": {e.month.String()}, "step": {"confirm"}, "intyg": {"1"}})
		if res2.StatusCode != http.StatusSeeOther || res2.Header.Get("Location") != "/mina/ansokan/"+a.ID {
			t.Errorf("second application: %d → %s", res2.StatusCode, res2.Header.Get("Location"))
		}
	})
}

// previous is the case's application for last month.
func (e *env) previous(caseID string) bistand.Application {
	e.t.Helper()
	apps, err := e.store.CaseApplications(e.ctx, caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range apps {
		if a.Month == e.month.Add(-1) {
			return a
		}
	}
	e.t.Fatal("no application last month")
	return bistand.Application{}
}

// minaDeclaredFacts are an application's declared facts in force by key,
// values as stored.
func minaDeclaredFacts(t *testing.T, e *env, appID string) map[string]string {
	t.Helper()
	all, err := e.store.Facts(e.ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range sqlstore.Effective(all) {
		if f.Provenance == bistand.Declared {
			out[f.Key] = string(f.Value)
		}
	}
	return out
}

func TestApplyChangedRent(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		c, _ := e.minaHousehold(20, 1)
		client := e.applicantOf(c)
		confirm, res := e.minaApplyThroughPages(client, c.ID, func(v url.Values) { v.Set("cost_rent", "12 345,50") })
		// The confirm step lists the change and marks the row.
		for _, want := range []string{`<ul id="changes"`, `<tr class="changed" data-field="cost_rent">`, `12 345,50 kr <span class="changed-tag">Ändrat</span>`} {
			if !strings.Contains(strings.ReplaceAll(confirm, "\u00a0", " "), want) {
				t.Errorf("confirm view lacks %q\n%s", want, confirm)
			}
		}
		if n := strings.Count(confirm, `<tr class="changed"`); n != 1 {
			t.Errorf("%d rows marked changed, want 1 (the rent)", n)
		}
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d", res.StatusCode)
		}
		a, ok := e.minaApplication(c.ID)
		if !ok || a.State != bistand.Submitted {
			t.Fatalf("application %v %+v", ok, a)
		}
		if got := minaDeclaredFacts(t, e, a.ID)["cost:rent"]; got != `{"amount":12345.50,"type":"rent"}` && got != `{"amount":12345.5,"type":"rent"}` {
			t.Errorf("rent fact %s", got)
		}
	})
}

func TestApplyEditShowsChanges(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	c, _ := e.minaHousehold(30, 1)
	client := e.applicantOf(c)
	_, body := client.get("/mina/ansok?case=" + c.ID)
	form := minaFormValues(t, body, "/mina/ansok")
	form.Set("cost_electricity", "999")
	form.Set("cost_home_insurance", "150")
	form.Set("step", "review")
	_, confirm := client.post("/mina/ansok", form)
	back := minaFormValues(t, confirm, "/mina/ansok")
	back.Set("step", "edit")
	res, body := client.post("/mina/ansok", back)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="submit-application"`) {
		t.Fatalf("back to the form: %d", res.StatusCode)
	}
	// Each changed field is marked in the form, with its text tag, and the
	// others are not.
	for _, field := range []string{"cost_electricity", "cost_home_insurance"} {
		if !regexp.MustCompile(`<div class="mina-field changed">\s*<label for="` + field + `">[^<]*<span class="changed-tag">Ändrat</span>`).MatchString(body) {
			t.Errorf("%s is not marked changed in the form", field)
		}
		if !strings.Contains(body, `href="#`+field+`"`) {
			t.Errorf("the summary of changes does not link %s", field)
		}
	}
	if n := strings.Count(body, `<div class="mina-field changed">`); n != 2 {
		t.Errorf("%d fields marked changed, want 2", n)
	}
	if _, ok := e.minaApplication(c.ID); ok {
		t.Error("an application was stored before it was confirmed")
	}
}

func TestApplyValidation(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		c, _ := e.minaHousehold(40, 1)
		client := e.applicantOf(c)
		_, body := client.get("/mina/ansok?case=" + c.ID)
		base := minaFormValues(t, body, "/mina/ansok")
		n, _ := strconv.Atoi(base.Get("inc_n"))
		blank := strconv.Itoa(n - 1) // the last line is blank
		for _, tc := range []struct {
			name  string
			set   map[string]string
			field string // the field in error
			text  string
		}{
			{"negative rent", map[string]string{"cost_rent": "-100"}, "cost_rent", "mindre än noll"},
			{"unicode minus", map[string]string{"cost_rent": "−100"}, "cost_rent", "mindre än noll"},
			{"letters", map[string]string{"cost_electricity": "femhundra"}, "cost_electricity", "med siffror"},
			{"three decimals", map[string]string{"cost_rent": "100,505"}, "cost_rent", "med siffror"},
			{"income without type", map[string]string{"inc_" + blank + "_amount": "500", "inc_" + blank + "_type": ""}, "inc_" + blank + "_type", "Välj vilken sorts inkomst"},
			{"income of no member", map[string]string{"inc_" + blank + "_amount": "500", "inc_" + blank + "_type": "salary", "inc_" + blank + "_person": "per-someone-else"}, "inc_" + blank + "_person", "Välj vem"},
			{"other cost without what", map[string]string{"cost_other": "300"}, "cost_other_motivation", "Skriv vad den andra kostnaden är"},
			{"dwelling zero", map[string]string{"dwelling": "0"}, "dwelling", "som en siffra"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				form := url.Values{}
				for k, v := range base {
					form[k] = slices.Clone(v)
				}
				for k, v := range tc.set {
					form.Set(k, v)
				}
				form.Set("step", "review")
				res, body := client.post("/mina/ansok", form)
				if res.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", res.StatusCode)
				}
				if !strings.Contains(body, `<a href="#`+tc.field+`">`) || !strings.Contains(body, tc.text) {
					t.Errorf("no error linked to %s saying %q\n%s", tc.field, tc.text, body)
				}
				if !regexp.MustCompile(`id="` + tc.field + `"[^>]*aria-describedby="[^"]*` + tc.field + `-error"[^>]*aria-invalid="true"`).MatchString(body) {
					t.Errorf("%s is not marked invalid with its error", tc.field)
				}
				if !strings.Contains(body, `id="`+tc.field+`-error"`) {
					t.Errorf("no element %s-error", tc.field)
				}
				// What was typed is shown again.
				for k, v := range tc.set {
					if v != "" && k != "inc_"+blank+"_type" && k != "inc_"+blank+"_person" && !strings.Contains(body, `value="`+html.EscapeString(v)+`"`) {
						t.Errorf("%s=%q is not shown again", k, v)
					}
				}
				if _, ok := e.minaApplication(c.ID); ok {
					t.Error("an invalid application was stored")
				}
			})
		}
		// Confirming without ticking the box: the confirm step again,
		// nothing stored.
		form := url.Values{}
		for k, v := range base {
			form[k] = v
		}
		form.Set("step", "confirm")
		res, body := client.post("/mina/ansok", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="intyg-error"`) || !strings.Contains(body, `id="confirm-application"`) {
			t.Errorf("confirm without signing: %d\n%s", res.StatusCode, body)
		}
		if _, ok := e.minaApplication(c.ID); ok {
			t.Error("an unsigned application was stored")
		}
	})
}

func TestApplyPartnerSignsSeparately(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		c, _ := e.minaHousehold(50, 2)
		var applicant, partner string
		for _, m := range c.Members {
			switch m.Role {
			case "applicant":
				applicant = m.PersonID
			case "partner":
				partner = m.PersonID
			}
		}
		first := e.as(KindApplicant, applicant)
		confirm, res := e.minaApplyThroughPages(first, c.ID, nil)
		if !strings.Contains(confirm, "behöver också") {
			t.Error("the confirm step does not say the partner signs too")
		}
		a, ok := e.minaApplication(c.ID)
		if !ok || res.StatusCode != http.StatusSeeOther || a.State != bistand.Draft {
			t.Fatalf("after the applicant: %d %v %s", res.StatusCode, ok, a.State)
		}
		if facts := minaDeclaredFacts(t, e, a.ID); facts["cost:rent"] == "" || facts["member:"+partner] == "" {
			t.Errorf("the draft lacks the declared facts: %v", facts)
		}
		_, body := first.get("/mina/ansokan/" + a.ID)
		if !strings.Contains(body, `<strong id="status">utkast</strong>`) || !strings.Contains(body, "Väntar på underskrift av") || strings.Contains(body, `id="sign-form"`) {
			t.Errorf("the applicant's status page:\n%s", body)
		}

		second := e.as(KindApplicant, partner)
		_, body = second.get("/mina")
		if !strings.Contains(body, "väntar på din underskrift") || strings.Contains(body, `id="apply"`) {
			t.Errorf("the partner's /mina does not ask for the signature:\n%s", body)
		}
		_, body = second.get("/mina/ansokan/" + a.ID)
		if !strings.Contains(body, `id="sign-form"`) {
			t.Fatalf("no sign form for the partner:\n%s", body)
		}
		res, _ = second.post("/mina/ansokan/"+a.ID+"/signera", url.Values{})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("signing without the box: %d", res.StatusCode)
		}
		res, _ = second.post("/mina/ansokan/"+a.ID+"/signera", url.Values{"intyg": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("partner's signature: %d", res.StatusCode)
		}
		a, _ = e.minaApplication(c.ID)
		sigs, _ := e.store.Signatures(e.ctx, a.ID)
		if a.State != bistand.Submitted || len(sigs) != 2 || sigs[1].PersonID != partner {
			t.Fatalf("after the partner: %s, signatures %+v", a.State, sigs)
		}
		// Signing again changes nothing.
		res, _ = second.post("/mina/ansokan/"+a.ID+"/signera", url.Values{"intyg": {"1"}})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("signing a submitted application: %d", res.StatusCode)
		}
	})
}

// minaPNG, minaJPEG and minaPDF are the first bytes of such files.
var (
	minaPNG  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)
	minaJPEG = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{1}, 64)...)
	minaPDF  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
)

// minaUpload posts files (name → content) and fields as multipart.
func minaUpload(c *client, path string, fields map[string]string, files ...[2]string) (*http.Response, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("file", f[0])
		w.Write([]byte(f[1]))
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func TestAttachmentsByContent(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, func(c *Config) { c.MaxUpload = 4096 })
		a, c := e.household(60)
		client := e.applicantOf(c)
		path := "/mina/ansokan/" + a.ID + "/bilagor"
		for _, tc := range []struct {
			name, content string
			status        int
			stored        string // the stored name, if accepted
			ctype         string
		}{
			{"../../etc/kvitto.exe", string(minaPDF), http.StatusSeeOther, "kvitto.pdf", "application/pdf"},
			{"Hyresavi mars.PDF", string(minaPDF), http.StatusSeeOther, "Hyresavi_mars.pdf", "application/pdf"},
			{"foto.png", string(minaPNG), http.StatusSeeOther, "foto.png", "image/png"},
			{"C:\\Users\\x\\bild.jpeg", string(minaJPEG), http.StatusSeeOther, "bild.jpg", "image/jpeg"},
			{"faktura.pdf", "this is plain text, not a PDF", http.StatusUnsupportedMediaType, "", ""},
			{"sida.pdf", "<html><body>hej</body></html>", http.StatusUnsupportedMediaType, "", ""},
			{"stor.pdf", string(minaPDF) + strings.Repeat("x", 5000), http.StatusRequestEntityTooLarge, "", ""},
		} {
			before, _ := e.store.Attachments(e.ctx, a.ID)
			res, body := minaUpload(client, path, nil, [2]string{tc.name, tc.content})
			if res.StatusCode != tc.status {
				t.Errorf("%s: %d, want %d\n%s", tc.name, res.StatusCode, tc.status, body)
				continue
			}
			after, _ := e.store.Attachments(e.ctx, a.ID)
			if tc.stored == "" {
				if len(after) != len(before) {
					t.Errorf("%s: refused but stored", tc.name)
				}
				if !strings.Contains(body, `id="upload-error"`) {
					t.Errorf("%s: the refusal is not shown", tc.name)
				}
				continue
			}
			if len(after) != len(before)+1 {
				t.Fatalf("%s: not stored", tc.name)
			}
			got := after[len(after)-1]
			if got.Filename != tc.stored || got.ContentType != tc.ctype {
				t.Errorf("%s: stored as %q %s, want %q %s", tc.name, got.Filename, got.ContentType, tc.stored, tc.ctype)
			}
			// The household downloads its own file as it was.
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/mina/ansokan/"+a.ID+"/bilagor/"+got.ID, nil)
			dl, content := client.do(req)
			if dl.StatusCode != http.StatusOK || content != tc.content || dl.Header.Get("Content-Type") != tc.ctype ||
				!strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("%s: download %d %s %s", tc.name, dl.StatusCode, dl.Header.Get("Content-Type"), dl.Header.Get("Content-Disposition"))
			}
		}
		_, body := client.get("/mina/ansokan/" + a.ID)
		for _, name := range []string{"kvitto.pdf", "foto.png", "bild.jpg"} {
			if !strings.Contains(body, name) {
				t.Errorf("the status page does not list %s", name)
			}
		}
		// The API takes files too, judged the same way.
		res, _ := minaUpload(client, "/api/v1/applications/"+a.ID+"/attachments", nil, [2]string{"a.png", string(minaPNG)})
		if res.StatusCode != http.StatusCreated {
			t.Errorf("API upload: %d", res.StatusCode)
		}
		res, _ = minaUpload(client, "/api/v1/applications/"+a.ID+"/attachments", nil, [2]string{"a.png", "GIF89a not allowed"})
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("API upload of a GIF: %d", res.StatusCode)
		}
	})
}

func TestSafeFilename(t *testing.T) {
	for _, tc := range []struct{ in, ctype, want string }{
		{"kvitto.pdf", "application/pdf", "kvitto.pdf"},
		{"../../x.exe", "application/pdf", "x.pdf"},
		{"räkning <script>.png", "image/png", "räkning_script.png"},
		{"", "image/jpeg", "bilaga.jpg"},
		{"...", "image/png", "bilaga.png"},
		{"a\x00b.JPG", "image/jpeg", "a_b.jpg"},
		{strings.Repeat("å", 200) + ".pdf", "application/pdf", strings.Repeat("å", 80) + ".pdf"},
	} {
		if got := minaSafeFilename(tc.in, tc.ctype); got != tc.want {
			t.Errorf("minaSafeFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// minaDecide walks this month's submitted application to assessed (as a
// caseworker at a first meeting would), records extra facts (a
// caseworker's, with a reason) and decides it as actor.
func (e *env) minaDecide(a bistand.Application, actor bistand.Actor, facts ...sqlstore.FactInput) bistand.Decision {
	e.t.Helper()
	if _, _, err := e.store.Transition(e.ctx, minaTestWorker, a.ID, bistand.Collecting, "Testet bedömer.", sqlstore.TransitionOptions{}); err != nil {
		e.t.Fatal(err)
	}
	if len(facts) > 0 {
		if _, err := e.store.AddFacts(e.ctx, minaTestWorker, a.ID, facts); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, _, err := e.store.Transition(e.ctx, minaTestWorker, a.ID, bistand.Assessed, "Testet bedömer.", sqlstore.TransitionOptions{}); err != nil {
		e.t.Fatal(err)
	}
	in := sqlstore.DecideInput{}
	if actor.Kind == bistand.ActorCaseworker {
		in.Motivation = "Beräknat enligt riktlinjerna; uppgifterna styrkta."
	}
	d, ok, err := e.store.Decide(e.ctx, actor, a.ID, in)
	if err != nil || !ok {
		e.t.Fatalf("decide: %v %v", ok, err)
	}
	return d
}

// minaCaseworkerFact is a fact a caseworker sets, with a reason.
func minaCaseworkerFact(key string, kind bistand.FactKind, v any) sqlstore.FactInput {
	b, _ := json.Marshal(v)
	return sqlstore.FactInput{Key: key, Kind: kind, Value: b, Provenance: bistand.Caseworker, Reason: "Uppgift från hyresvärden."}
}

func TestDecisionPageExplainsEveryLine(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		a, c := e.household(70)
		client := e.applicantOf(c)
		// A rent above the municipality's level, told long ago: capped.
		d := e.minaDecide(a, minaTestWorker, minaCaseworkerFact("cost:rent", bistand.FactCost,
			map[string]any{"type": "rent", "amount": 30000, "cap_notified": "2020-01-01"}))
		var calc minaTrace
		if err := json.Unmarshal(d.Trace, &calc); err != nil {
			t.Fatal(err)
		}
		lines := calc.Lines
		if len(lines) == 0 {
			t.Fatal("the decision has no trace")
		}

		status, body := client.get("/mina/ansokan/" + a.ID)
		if status != http.StatusOK || !strings.Contains(body, `id="decision-link" href="/mina/beslut/`+d.ID+`"`) {
			t.Fatalf("status page has no decision link: %d", status)
		}
		status, body = client.get("/mina/beslut/" + d.ID)
		if status != http.StatusOK {
			t.Fatalf("decision page: %d", status)
		}
		table := body[strings.Index(body, `<table id="calculation">`):]
		table = table[:strings.Index(table, "</table>")]
		tbody := table[strings.Index(table, "<tbody>"):strings.Index(table, "</tbody>")]
		rows := regexp.MustCompile(`(?s)<tr class="mina-line[^"]*" data-rule="([^"]*)">(.*?)</tr>`).FindAllStringSubmatch(tbody, -1)
		if len(rows) != len(lines) || strings.Count(tbody, "<tr") != len(lines) {
			t.Fatalf("%d rows for %d trace lines", len(rows), len(lines))
		}
		unverified := 0
		for i, l := range lines {
			row := html.UnescapeString(strings.ReplaceAll(rows[i][2], "\u00a0", " "))
			if rows[i][1] != l.Rule || !strings.Contains(row, l.Label) || !strings.Contains(row, strings.ReplaceAll(formatKronor(l.Amount), "\u00a0", " ")) {
				t.Errorf("row %d (%s) does not show %q %s:\n%s", i, rows[i][1], l.Label, l.Amount, row)
			}
			if !l.Verified {
				unverified++
				if !strings.Contains(rows[i][0], "estimate") || !strings.Contains(row, "Uppskattat") {
					t.Errorf("row %d (%s) is not marked as an estimate", i, l.Rule)
				}
			}
		}
		if unverified > 0 && !strings.Contains(body, "uppskattade och inte kontrollerade") {
			t.Error("the page does not say some values are estimates")
		}
		if !strings.Contains(body, "cost.cap") {
			t.Fatal("the rent was not capped; the test's household does not test what it should")
		}
		// What would change it: one line per counted income and the cap,
		// each computed by the engine here too.
		h, err := rules.ParseHouseholdBytes(d.Snapshot)
		if err != nil {
			t.Fatal(err)
		}
		base, _ := rules.Default().Calculate(h, rules.Options{})
		whatIf := body[strings.Index(body, `<section id="what-if"`):]
		whatIf = whatIf[:strings.Index(whatIf, "</section>")]
		whatIf = strings.ReplaceAll(whatIf, "\u00a0", " ")
		wantLines := 0
		for i := range h.Incomes {
			c := minaClone(h)
			c.Incomes = slices.Delete(c.Incomes, i, i+1)
			res, _ := rules.Default().Calculate(c, rules.Options{})
			if res.Amount == base.Amount {
				continue
			}
			wantLines++
			if !strings.Contains(whatIf, "beräknat bistånd blivit "+strings.ReplaceAll(formatKronor(res.Amount), "\u00a0", " ")) {
				t.Errorf("no what-if line for income %d (%s): %s", i, h.Incomes[i].Type, res.Amount)
			}
		}
		capped := minaClone(h)
		for i := range capped.Costs {
			if capped.Costs[i].Type == rules.Rent {
				capped.Costs[i].Amount = minaCapOf(t, d)
			}
		}
		res, _ := rules.Default().Calculate(capped, rules.Options{})
		wantLines++
		if !strings.Contains(whatIf, `data-kind="cap"`) || !strings.Contains(whatIf, "hela kostnaden godtagits och beräknat bistånd blivit "+strings.ReplaceAll(formatKronor(res.Amount), "\u00a0", " ")) {
			t.Errorf("no what-if line for the capped rent (%s):\n%s", res.Amount, whatIf)
		}
		if n := strings.Count(whatIf, "<li "); n != wantLines {
			t.Errorf("%d what-if lines, want %d:\n%s", n, wantLines, whatIf)
		}
		for _, want := range []string{"handläggare Anna Handläggare", "Beräknat enligt riktlinjerna", `id="letter-link"`} {
			if want == `id="letter-link"` {
				if strings.Contains(body, want) {
					t.Error("a letter link before the letter exists")
				}
				continue
			}
			if !strings.Contains(body, want) {
				t.Errorf("the decision page lacks %q", want)
			}
		}
		if strings.Contains(body, `id="automated"`) {
			t.Error("a caseworker's decision is called automated")
		}

		// The letter: not found until it is made, then the PDF.
		if status, _ := client.get("/mina/beslut/" + d.ID + "/brev.pdf"); status != http.StatusNotFound {
			t.Errorf("letter before it exists: %d", status)
		}
		pdf := append([]byte(nil), minaPDF...)
		htm := []byte("<html>brev</html>")
		sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
		if err := e.store.StoreLetter(e.ctx, minaTestSystem, d.ID, letter.Rendered{PDF: pdf, HTML: htm, PDFSHA256: sum(pdf), HTMLSHA256: sum(htm)}); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/mina/beslut/"+d.ID+"/brev.pdf", nil)
		res2, got := client.do(req)
		if res2.StatusCode != http.StatusOK || res2.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(res2.Header.Get("Content-Disposition"), "attachment") || got != string(pdf) {
			t.Errorf("letter: %d %s %s", res2.StatusCode, res2.Header.Get("Content-Type"), res2.Header.Get("Content-Disposition"))
		}
		if _, body := client.get("/mina/beslut/" + d.ID); !strings.Contains(body, `id="letter-link" class="button secondary" href="/mina/beslut/`+d.ID+`/brev.pdf"`) {
			t.Error("no letter link once the letter exists")
		}
		// The API says the same.
		req, _ = http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/decisions/"+d.ID, nil)
		res2, got = client.do(req)
		var api struct {
			Lines  []json.RawMessage       `json:"lines"`
			WhatIf []struct{ Kind string } `json:"what_if"`
			Letter string                  `json:"letter"`
			Auto   bool                    `json:"automated"`
		}
		if err := json.Unmarshal([]byte(got), &api); err != nil || res2.StatusCode != http.StatusOK {
			t.Fatalf("API decision: %d %v", res2.StatusCode, err)
		}
		if len(api.Lines) != len(lines) || len(api.WhatIf) != wantLines || api.Letter == "" || api.Auto {
			t.Errorf("API decision: %d lines, %d what-ifs, letter %q, automated %v", len(api.Lines), len(api.WhatIf), api.Letter, api.Auto)
		}
		req, _ = http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/decisions/"+d.ID+"/letter.pdf", nil)
		if res2, got = client.do(req); res2.StatusCode != http.StatusOK || got != string(pdf) {
			t.Errorf("API letter: %d", res2.StatusCode)
		}
	})
}

// minaCapOf is the cap a decision's trace applied.
func minaCapOf(t *testing.T, d bistand.Decision) bistand.Money {
	t.Helper()
	var tr minaTrace
	json.Unmarshal(d.Trace, &tr)
	for _, l := range tr.Lines {
		if l.Rule == "cost.cap" {
			var m bistand.Money
			json.Unmarshal(l.Params["cap"], &m)
			return m
		}
	}
	t.Fatal("no cap in the trace")
	return 0
}

func TestDecisionRejectedAndAutomated(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		// A refusal: a salary far above the needs.
		a, c := e.household(80)
		applicant := c.Members[0].PersonID
		d := e.minaDecide(a, minaTestWorker, minaCaseworkerFact("income:salary:"+applicant, bistand.FactIncome,
			map[string]any{"type": "salary", "person": applicant, "amount": 60000}))
		if d.Outcome != bistand.OutcomeRejected {
			t.Fatalf("outcome %s", d.Outcome)
		}
		client := e.applicantOf(c)
		_, body := client.get("/mina/beslut/" + d.ID)
		body = strings.ReplaceAll(body, "\u00a0", " ")
		if !strings.Contains(body, "<strong>Avslag</strong>") || !strings.Contains(body, "Inkomsterna är högre än behovet med") {
			t.Errorf("the refusal is not explained:\n%s", body)
		}
		// The statement for the salary: lowered by exactly the amount the
		// engine needs, and not a krona less.
		h, _ := rules.ParseHouseholdBytes(d.Snapshot)
		idx := slices.IndexFunc(h.Incomes, func(x rules.Income) bool { return x.Type == rules.Salary && x.Person == applicant })
		lower := func(kr int64) *rules.Result {
			c := minaClone(h)
			c.Incomes[idx].Amount -= bistand.Kronor(kr)
			res, _ := rules.Default().Calculate(c, rules.Options{})
			return res
		}
		var by int64
		for kr := int64(1); kr <= 60000; kr++ {
			if lower(kr).Outcome == rules.Approved {
				by = kr
				break
			}
		}
		if by == 0 || lower(by-1).Outcome == rules.Approved {
			t.Fatal("the test's search failed")
		}
		want := fmt.Sprintf("Om lön för %s hade varit %s lägre", minaNameIn(e, c, applicant), strings.ReplaceAll(formatKronor(bistand.Kronor(by)), "\u00a0", " "))
		if !strings.Contains(body, want) || !strings.Contains(body, "hade ni fått bistånd med "+strings.ReplaceAll(formatKronor(lower(by).Amount), "\u00a0", " ")) {
			t.Errorf("no what-if %q …\n%s", want, body[strings.Index(body, `<section id="what-if"`):])
		}

		// A robot's decision says it is automated.
		a2, c2 := e.household(81)
		d2 := e.minaDecide(a2, robot.Actor)
		_, body = e.applicantOf(c2).get("/mina/beslut/" + d2.ID)
		if !strings.Contains(body, `id="automated"`) || !strings.Contains(body, "automatiserat beslut") {
			t.Errorf("an automated decision does not say so:\n%s", body)
		}
	})
}

// minaNameIn is a member's name as the pages show it.
func minaNameIn(e *env, c bistand.Case, personID string) string {
	apps, _ := e.store.CaseApplications(e.ctx, c.ID)
	return minaName(e.app.minaPeople(e.ctx, "sv", c, apps[0].ID, e.month), "sv", personID)
}

func TestSupplementAnswer(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		a, c := e.household(90)
		due := bistand.DateOf(time.Now()).AddDays(10)
		if _, _, err := e.store.Transition(e.ctx, minaTestWorker, a.ID, bistand.Collecting, "Testet.", sqlstore.TransitionOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.store.Transition(e.ctx, minaTestWorker, a.ID, bistand.SupplementRequested, "Skicka hyresavin för månaden.",
			sqlstore.TransitionOptions{SupplementDue: due}); err != nil {
			t.Fatal(err)
		}
		client := e.applicantOf(c)
		_, body := client.get("/mina")
		if !strings.Contains(body, "Svara senast "+due.String()) || !strings.Contains(body, "Vi behöver mer uppgifter") {
			t.Errorf("/mina does not show the request and its due date:\n%s", body)
		}
		_, body = client.get("/mina/ansokan/" + a.ID)
		for _, want := range []string{`<strong id="status">komplettering begärd</strong>`, "Skicka hyresavin för månaden.", "Svara senast " + due.String(),
			`<form id="supplement-form"`, `<textarea id="message" name="message"`, `id="send-supplement"`} {
			if !strings.Contains(body, want) {
				t.Errorf("status page lacks %q", want)
			}
		}
		// Nothing to send: the form again.
		res, body := minaUpload(client, "/mina/ansokan/"+a.ID+"/komplettera", map[string]string{"message": "  "})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="supplement-error"`) {
			t.Errorf("empty answer: %d", res.StatusCode)
		}
		// A refused file stores nothing and does not answer.
		res, _ = minaUpload(client, "/mina/ansokan/"+a.ID+"/komplettera", map[string]string{"message": "Här"}, [2]string{"avi.pdf", "MZ not a pdf"})
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("bad file: %d", res.StatusCode)
		}
		if got, _ := e.store.Application(e.ctx, minaTestSystem, a.ID); got.State != bistand.SupplementRequested {
			t.Fatalf("state %s after a refused answer", got.State)
		}
		res, _ = minaUpload(client, "/mina/ansokan/"+a.ID+"/komplettera", map[string]string{"message": "Hyresavin bifogad."}, [2]string{"avi.pdf", string(minaPDF)})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer: %d", res.StatusCode)
		}
		got, _ := e.store.Application(e.ctx, minaTestSystem, a.ID)
		trs, _ := e.store.Transitions(e.ctx, a.ID)
		atts, _ := e.store.Attachments(e.ctx, a.ID)
		last := trs[len(trs)-1]
		if got.State != bistand.Supplemented || last.Reason != "Hyresavin bifogad." || last.Actor.ID != c.Members[0].PersonID || len(atts) != 1 || atts[0].Filename != "avi.pdf" {
			t.Fatalf("after the answer: %s %+v %+v", got.State, last, atts)
		}
		_, body = client.get("/mina/ansokan/" + a.ID)
		if !strings.Contains(body, `<strong id="status">kompletterad</strong>`) || strings.Contains(body, `id="supplement-form"`) || !strings.Contains(body, "Hyresavin bifogad.") {
			t.Errorf("status page after the answer:\n%s", body)
		}
		// Answering again: nothing is requested.
		res, _ = client.post("/mina/ansokan/"+a.ID+"/komplettera", url.Values{"message": {"igen"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("second answer: %d", res.StatusCode)
		}
		if trs2, _ := e.store.Transitions(e.ctx, a.ID); len(trs2) != len(trs) {
			t.Error("a second answer was recorded")
		}

		// The API answers a request with JSON.
		a2, c2 := e.household(91)
		e.store.Transition(e.ctx, minaTestWorker, a2.ID, bistand.Collecting, "Testet.", sqlstore.TransitionOptions{})
		e.store.Transition(e.ctx, minaTestWorker, a2.ID, bistand.SupplementRequested, "Skicka lönespecifikation.", sqlstore.TransitionOptions{SupplementDue: due})
		api := e.applicantOf(c2)
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/applications/"+a2.ID, nil)
		_, out := api.do(req)
		if !strings.Contains(out, `"supplement_request": "Skicka lönespecifikation."`) || !strings.Contains(out, `"supplement_due": "`+due.String()+`"`) {
			t.Errorf("API application during a request:\n%s", out)
		}
		req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/applications/"+a2.ID+"/supplement", strings.NewReader(`{"message": "Lönen var 0 kr i mars."}`))
		req.Header.Set("Content-Type", "application/json")
		res, out = api.do(req)
		if res.StatusCode != http.StatusOK || !strings.Contains(out, `"state": "supplemented"`) {
			t.Errorf("API answer: %d\n%s", res.StatusCode, out)
		}
	})
}

func TestApplicantAPIApply(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		c, _ := e.minaHousehold(100, 1)
		client := e.applicantOf(c)
		call := func(method, path, body string) (int, map[string]any) {
			t.Helper()
			req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			res, out := client.do(req)
			var v map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%s %s: not JSON: %s", method, path, out)
			}
			return res.StatusCode, v
		}
		status, list := call(http.MethodGet, "/api/v1/applications", "")
		if status != http.StatusOK || len(list["can_apply"].([]any)) != 1 {
			t.Fatalf("list: %d %v", status, list)
		}
		// Invalid parts are named.
		status, v := call(http.MethodPost, "/api/v1/applications", `{"case_id": "`+c.ID+`", "costs": [{"type": "rent", "amount": -5}, {"type": "yacht", "amount": 5}], "incomes": [{"type": "salary", "person": "nobody", "amount": 100}]}`)
		fields, _ := v["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || fields["costs[0].amount"] == nil || fields["costs[1].type"] == nil || fields["incomes[0].person"] == nil {
			t.Errorf("invalid: %d %v", status, v)
		}
		status, _ = call(http.MethodPost, "/api/v1/applications", `{"case_id": "`+c.ID+`", "month": "2001-01"}`)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("another month: %d", status)
		}
		status, _ = call(http.MethodPost, "/api/v1/applications", `{"case_id": "`+c.ID+`", "surprise": 1}`)
		if status != http.StatusBadRequest {
			t.Errorf("an unknown field: %d", status)
		}
		// A dry run changes nothing and shows the change.
		status, v = call(http.MethodPost, "/api/v1/applications", `{"case_id": "`+c.ID+`", "costs": [{"type": "rent", "amount": 6100}]}`)
		if status != http.StatusOK || v["confirmed"] != false || !strings.Contains(fmt.Sprint(v["changes"]), "cost_rent") {
			t.Errorf("dry run: %d %v", status, v)
		}
		if _, ok := e.minaApplication(c.ID); ok {
			t.Fatal("a dry run stored an application")
		}
		status, v = call(http.MethodPost, "/api/v1/applications", `{"case_id": "`+c.ID+`", "costs": [{"type": "rent", "amount": 6100}], "confirm": true}`)
		if status != http.StatusCreated || v["state"] != "submitted" {
			t.Fatalf("apply: %d %v", status, v)
		}
		a, _ := e.minaApplication(c.ID)
		facts := minaDeclaredFacts(t, e, a.ID)
		if facts["cost:rent"] != `{"amount":6100,"type":"rent"}` || facts["cost:electricity"] != "" {
			t.Errorf("facts %v", facts)
		}
		status, _ = call(http.MethodPost, "/api/v1/applications", `{"case_id": "`+c.ID+`", "confirm": true}`)
		if status != http.StatusConflict {
			t.Errorf("twice: %d", status)
		}
		status, v = call(http.MethodGet, "/api/v1/applications/"+a.ID, "")
		if status != http.StatusOK || v["state_text"] != "inskickad" || v["declaration"] == nil || len(v["timeline"].([]any)) != 1 {
			t.Errorf("get: %d %v", status, v)
		}
	})
}

func TestApplicantAccess(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		// Household B: an attachment, a decision with its letter.
		aB, cB := e.household(110)
		bClient := e.applicantOf(cB)
		if res, _ := minaUpload(bClient, "/mina/ansokan/"+aB.ID+"/bilagor", nil, [2]string{"b.pdf", string(minaPDF)}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's upload: %d", res.StatusCode)
		}
		attsB, _ := e.store.Attachments(e.ctx, aB.ID)
		dB := e.minaDecide(aB, minaTestWorker)
		pdf, htm := minaPDF, []byte("<p>B</p>")
		sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
		if err := e.store.StoreLetter(e.ctx, minaTestSystem, dB.ID, letter.Rendered{PDF: pdf, HTML: htm, PDFSHA256: sum(pdf), HTMLSHA256: sum(htm)}); err != nil {
			t.Fatal(err)
		}
		// B's own pages work (so a 404 below is not the page's fault).
		for _, p := range []string{"/mina/ansokan/" + aB.ID, "/mina/beslut/" + dB.ID, "/mina/beslut/" + dB.ID + "/brev.pdf",
			"/mina/ansokan/" + aB.ID + "/bilagor/" + attsB[0].ID, "/api/v1/applications/" + aB.ID, "/api/v1/decisions/" + dB.ID, "/api/v1/decisions/" + dB.ID + "/letter.pdf"} {
			if status, _ := bClient.get(p); status != http.StatusOK {
				t.Errorf("B's own %s: %d", p, status)
			}
		}
		// Household A, with its own submitted application.
		aA, cA := e.household(111)
		a := e.applicantOf(cA)
		before, _ := e.store.Application(e.ctx, minaTestSystem, aB.ID)

		gets := []string{
			"/mina/ansokan/" + aB.ID,
			"/mina/beslut/" + dB.ID,
			"/mina/beslut/" + dB.ID + "/brev.pdf",
			"/mina/ansokan/" + aB.ID + "/bilagor/" + attsB[0].ID,
			"/mina/ansokan/" + aA.ID + "/bilagor/" + attsB[0].ID, // B's file through A's application
			"/mina/ansok?case=" + cB.ID,
			"/api/v1/applications/" + aB.ID,
			"/api/v1/decisions/" + dB.ID,
			"/api/v1/decisions/" + dB.ID + "/letter.pdf",
			"/mina/beslut/dec-nonexistent",
			"/api/v1/applications/app-nonexistent",
		}
		for _, p := range gets {
			if status, body := a.get(p); status != http.StatusNotFound || strings.Contains(body, "%PDF") {
				t.Errorf("A GET %s: %d, want 404", p, status)
			}
		}
		posts := []struct {
			path string
			form url.Values
		}{
			{"/mina/ansokan/" + aB.ID + "/signera", url.Values{"intyg": {"1"}}},
			{"/mina/ansokan/" + aB.ID + "/komplettera", url.Values{"message": {"hej"}}},
			{"/mina/ansok", url.Values{"case": {cB.ID}, "month": {e.month.String()}, "step": {"confirm"}, "intyg": {"1"}}},
		}
		for _, p := range posts {
			if res, _ := a.post(p.path, p.form); res.StatusCode != http.StatusNotFound {
				t.Errorf("A POST %s: %d, want 404", p.path, res.StatusCode)
			}
		}
		if res, _ := minaUpload(a, "/mina/ansokan/"+aB.ID+"/bilagor", nil, [2]string{"x.pdf", string(minaPDF)}); res.StatusCode != http.StatusNotFound {
			t.Errorf("A uploads to B: %d", res.StatusCode)
		}
		for _, p := range []struct{ path, body string }{
			{"/api/v1/applications/" + aB.ID + "/sign", `{"confirm": true}`},
			{"/api/v1/applications/" + aB.ID + "/supplement", `{"message": "hej"}`},
			{"/api/v1/applications", `{"case_id": "` + cB.ID + `", "confirm": true}`},
		} {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+p.path, strings.NewReader(p.body))
			req.Header.Set("Content-Type", "application/json")
			if res, body := a.do(req); res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Errorf("A API POST %s: %d %s", p.path, res.StatusCode, body)
			}
		}
		if res, _ := minaUpload(a, "/api/v1/applications/"+aB.ID+"/attachments", nil, [2]string{"x.pdf", string(minaPDF)}); res.StatusCode != http.StatusNotFound {
			t.Errorf("A API upload to B: %d", res.StatusCode)
		}
		// Nothing of B's changed.
		after, _ := e.store.Application(e.ctx, minaTestSystem, aB.ID)
		attsAfter, _ := e.store.Attachments(e.ctx, aB.ID)
		if after.Version != before.Version || len(attsAfter) != len(attsB) {
			t.Errorf("B's application changed: version %d → %d, %d → %d attachments", before.Version, after.Version, len(attsB), len(attsAfter))
		}
		// A's list holds only A's.
		_, body := a.get("/api/v1/applications")
		if strings.Contains(body, aB.ID) || strings.Contains(body, cB.ID) || !strings.Contains(body, aA.ID) {
			t.Errorf("A's list:\n%s", body)
		}

		// Staff and strangers: login for the pages, 401/403 for the API.
		staff := e.staff("hl-anna")
		anon := e.anonymous()
		for _, p := range []string{"/mina", "/mina/ansokan/" + aB.ID, "/mina/beslut/" + dB.ID, "/mina/beslut/" + dB.ID + "/brev.pdf"} {
			if status, _ := staff.get(p); status != http.StatusForbidden {
				t.Errorf("staff GET %s: %d, want 403", p, status)
			}
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+p, nil)
			res, _ := anon.do(req)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
				t.Errorf("anonymous GET %s: %d → %s", p, res.StatusCode, res.Header.Get("Location"))
			}
		}
		for _, p := range []string{"/api/v1/applications", "/api/v1/applications/" + aB.ID, "/api/v1/decisions/" + dB.ID} {
			if status, _ := staff.get(p); status != http.StatusForbidden {
				t.Errorf("staff API GET %s: %d, want 403", p, status)
			}
			if status, _ := anon.get(p); status != http.StatusUnauthorized {
				t.Errorf("anonymous API GET %s: %d, want 401", p, status)
			}
		}
		if res, _ := anon.post("/mina/ansokan/"+aB.ID+"/signera", url.Values{"intyg": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous sign: %d", res.StatusCode)
		}
		if res, _ := staff.post("/mina/ansokan/"+aB.ID+"/komplettera", url.Values{"message": {"x"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("staff answer: %d", res.StatusCode)
		}
	})
}

func TestApplicantOpenAPIFragment(t *testing.T) {
	raw, err := os.ReadFile("openapi/applicant.json")
	if err != nil {
		t.Fatal(err)
	}
	var frag struct {
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
		Schemas map[string]json.RawMessage            `json:"schemas"`
	}
	if err := json.Unmarshal(raw, &frag); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, sqlstore.SQLite, nil)
	mine := []string{"GET /api/v1/applications", "POST /api/v1/applications", "GET /api/v1/applications/{id}",
		"POST /api/v1/applications/{id}/sign", "POST /api/v1/applications/{id}/supplement", "POST /api/v1/applications/{id}/attachments",
		"GET /api/v1/decisions/{id}", "GET /api/v1/decisions/{id}/letter.pdf"}
	for _, p := range mine {
		if !slices.Contains(e.app.apiPatterns, p) {
			t.Errorf("%s is not registered", p)
		}
		method, path, _ := strings.Cut(p, " ")
		if _, ok := frag.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("%s is not in openapi/applicant.json", p)
		}
	}
	for path, item := range frag.Paths {
		for method := range item {
			if method != "parameters" && !slices.Contains(mine, strings.ToUpper(method)+" "+path) {
				t.Errorf("openapi/applicant.json describes %s %s, not an applicant route", method, path)
			}
		}
	}
	for _, m := range regexp.MustCompile(`"#/components/schemas/([^"]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := frag.Schemas[m[1]]; !ok && !slices.Contains([]string{"Error", "Money", "Date"}, m[1]) {
			t.Errorf("reference to %s, defined nowhere", m[1])
		}
	}
}

func TestApplicantMessages(t *testing.T) {
	// The Swedish state names are the domain's own.
	for _, st := range bistand.States() {
		if got := tr("sv", "mina.state."+string(st)); got != st.Swedish() {
			t.Errorf("mina.state.%s = %q, domain says %q", st, got, st.Swedish())
		}
		if tr("en", "mina.event."+string(st)) == "mina.event."+string(st) || tr("en", "mina.state."+string(st)) == "mina.state."+string(st) {
			t.Errorf("no texts for state %s", st)
		}
	}
	for _, ct := range rules.CostTypes() {
		if tr("sv", "mina.cost."+ct.String()) == "mina.cost."+ct.String() {
			t.Errorf("no text for cost %s", ct)
		}
	}
	for _, it := range rules.IncomeTypes() {
		if tr("sv", "mina.income."+it.String()) == "mina.income."+it.String() {
			t.Errorf("no text for income %s", it)
		}
	}
	// Every key a template or handler of these pages uses exists.
	var src bytes.Buffer
	for _, name := range []string{"applicant.go", "applicant_apply.go", "applicant_status.go", "applicant_decision.go", "applicant_api.go",
		"templates/app_mina.html", "templates/app_apply.html", "templates/app_status.html", "templates/app_decision.html"} {
		f, err := minaSource(name)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(f)
	}
	for _, m := range regexp.MustCompile(`"((?:msg\.)?mina\.[a-z0-9_.]*[a-z0-9_])"`).FindAllStringSubmatch(src.String(), -1) {
		for _, lang := range []string{"sv", "en"} {
			if tr(lang, m[1]) == m[1] {
				t.Errorf("message %s has no %s text", m[1], lang)
			}
		}
	}
}

// minaSource reads one of the package's files.
func minaSource(name string) ([]byte, error) { return os.ReadFile(name) }

func TestParseDeclDwelling(t *testing.T) {
	b := &minaBase{Case: bistand.Case{Members: []bistand.CaseMember{{PersonID: "p1", Role: "applicant"}, {PersonID: "p2", Role: "child"}}}}
	for _, tc := range []struct {
		form     url.Values
		dwelling int
		err      string
	}{
		{url.Values{"member_p2": {"1"}, "dwelling": {"2"}}, 0, ""},
		{url.Values{"member_p2": {"1"}, "dwelling": {"4"}}, 4, ""},
		{url.Values{"member_p2": {"1"}, "dwelling": {"1"}}, 0, "mina.err.dwelling.few"},
		{url.Values{"dwelling": {"1"}}, 0, ""}, // the child moved out
		{url.Values{"dwelling": {"tre"}}, 0, "mina.err.dwelling"},
		{url.Values{"dwelling": {"101"}}, 0, "mina.err.dwelling"},
	} {
		d, errs := minaParseDecl(tc.form, b)
		got := ""
		if len(errs) > 0 {
			got = errs[0].Key
		}
		if got != tc.err || (got == "" && d.Dwelling != tc.dwelling) {
			t.Errorf("%v: dwelling %d, errors %v", tc.form, d.Dwelling, errs)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]bistand.Money{"": 0, "7200": 720000, "7 200": 720000, "7\u00a0200 kr": 720000, "7200,50": 720050, "7200.5": 720050, "0": 0, "12 345,05 kr": 1234505} {
		if got, key := minaParseAmount(in); got != want || key != "" {
			t.Errorf("%q: %s %q", in, got, key)
		}
	}
	for in, key := range map[string]string{"-1": "mina.err.negative", "−250": "mina.err.negative", "1,2,3": "mina.err.amount", "1.234,50": "mina.err.amount", "abc": "mina.err.amount", "1e3": "mina.err.amount", "0,001": "mina.err.amount"} {
		if _, got := minaParseAmount(in); got != key {
			t.Errorf("%q: %q, want %q", in, got, key)
		}
	}
}

func TestSubmissionsAreRateLimited(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, func(c *Config) { c.SubmitRate = 2 })
	a, c := e.household(120)
	client := e.applicantOf(c)
	var last int
	for range 3 {
		res, _ := minaUpload(client, "/mina/ansokan/"+a.ID+"/bilagor", nil, [2]string{"a.pdf", string(minaPDF)})
		last = res.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("third upload in a minute with a limit of 2: %d", last)
	}
	if atts, _ := e.store.Attachments(e.ctx, a.ID); len(atts) != 2 {
		t.Errorf("%d attachments stored, want 2", len(atts))
	}
}

func TestApplicantPagesInEnglish(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	a, c := e.household(130)
	d := e.minaDecide(a, minaTestWorker)
	client := e.applicantOf(c)
	u, _ := url.Parse(e.srv.URL)
	client.hc.Jar.SetCookies(u, []*http.Cookie{{Name: langCookie, Value: "en", Path: "/"}})
	for _, p := range []string{"/mina", "/mina/ansokan/" + a.ID, "/mina/beslut/" + d.ID} {
		status, body := client.get(p)
		if status != http.StatusOK || !strings.Contains(body, `<html lang="en">`) {
			t.Errorf("%s: %d", p, status)
		}
		// No key shows untranslated, and there is one h1.
		if m := regexp.MustCompile(`\bmina\.[a-z_.]+[a-z]\b`).FindString(body); m != "" {
			t.Errorf("%s shows the key %s", p, m)
		}
		if strings.Count(body, "<h1") != 1 {
			t.Errorf("%s: %d h1 elements", p, strings.Count(body, "<h1"))
		}
	}
	if _, body := client.get("/mina/beslut/" + d.ID); !strings.Contains(body, "What would change the outcome?") || !strings.Contains(body, "caseworker Anna Handläggare") {
		t.Error("the decision page is not in English")
	}
}

func TestSupplementByCorrectingFacts(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		e := newEnv(t, engine, nil)
		// A household with an income to take away.
		var a bistand.Application
		var c bistand.Case
		for seed := uint64(140); ; seed++ {
			a, c = e.household(seed)
			if h := e.minaHouseholdOf(a.ID); len(h.Incomes) > 0 {
				break
			}
		}
		due := bistand.DateOf(time.Now()).AddDays(7)
		e.store.Transition(e.ctx, minaTestWorker, a.ID, bistand.Collecting, "Testet.", sqlstore.TransitionOptions{})
		if _, _, err := e.store.Transition(e.ctx, minaTestWorker, a.ID, bistand.SupplementRequested, "Stämmer hyran och inkomsterna?", sqlstore.TransitionOptions{SupplementDue: due}); err != nil {
			t.Fatal(err)
		}
		client := e.applicantOf(c)
		_, body := client.get("/mina/ansokan/" + a.ID)
		if !strings.Contains(body, `id="correct-link" href="/mina/ansokan/`+a.ID+`/andra"`) {
			t.Fatalf("no link to correct the application:\n%s", body)
		}
		action := "/mina/ansokan/" + a.ID + "/andra"
		status, body := client.get(action)
		if status != http.StatusOK || !strings.Contains(body, "I ansökan nu:") || strings.Contains(body, "behöver också") {
			t.Fatalf("correction form: %d\n%s", status, body)
		}
		form := minaFormValues(t, body, action)
		// Nothing changed: nothing is sent.
		nothing := url.Values{}
		for k, v := range form {
			nothing[k] = v
		}
		nothing.Set("step", "confirm")
		nothing.Set("intyg", "1")
		if res, _ := client.post(action, nothing); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("no change: %d", res.StatusCode)
		}
		if got, _ := e.store.Application(e.ctx, minaTestSystem, a.ID); got.State != bistand.SupplementRequested {
			t.Fatalf("a correction without changes answered the request: %s", got.State)
		}
		before := len(minaAllFacts(t, e, a.ID))
		form.Set("cost_rent", "5555")
		form.Set("inc_0_amount", "")
		form.Set("step", "review")
		res, confirm := client.post(action, form)
		if res.StatusCode != http.StatusOK || !strings.Contains(confirm, `<textarea id="message" name="message"`) || strings.Count(confirm, `<li class="changed">`) != 2 {
			t.Fatalf("correction confirm: %d\n%s", res.StatusCode, confirm)
		}
		signed := minaFormValues(t, confirm, action)
		signed.Set("message", "Hyran sänktes och lönen upphörde.")
		signed.Set("intyg", "1")
		signed.Set("step", "confirm")
		if res, _ = client.post(action, signed); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correction: %d", res.StatusCode)
		}
		got, _ := e.store.Application(e.ctx, minaTestSystem, a.ID)
		trs, _ := e.store.Transitions(e.ctx, a.ID)
		last := trs[len(trs)-1]
		if got.State != bistand.Supplemented || !strings.HasPrefix(last.Reason, "Hyran sänktes och lönen upphörde.\n") || !strings.Contains(last.Reason, "Ändrade uppgifter:") {
			t.Fatalf("after the correction: %s %q", got.State, last.Reason)
		}
		added := minaAllFacts(t, e, a.ID)[before:]
		if len(added) != 2 {
			t.Fatalf("%d facts added, want 2 (the rent, the income retracted): %+v", len(added), added)
		}
		if added[0].Key != "cost:rent" || string(added[0].Value) != `{"amount":5555,"type":"rent"}` || added[1].Value != nil || !strings.HasPrefix(added[1].Key, "income:") {
			t.Errorf("facts added: %s=%s, %s=%s", added[0].Key, added[0].Value, added[1].Key, added[1].Value)
		}
		if h := e.minaHouseholdOf(a.ID); slices.ContainsFunc(h.Costs, func(x rules.Cost) bool { return x.Type == rules.Rent && x.Amount != bistand.Kronor(5555) }) {
			t.Error("the rent in force is not the corrected one")
		}
		// The form is closed once answered.
		if res, _ := client.post(action, signed); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mina/ansokan/"+a.ID {
			t.Errorf("correcting again: %d", res.StatusCode)
		}

		// The API corrects too.
		a2, c2 := e.household(150)
		e.store.Transition(e.ctx, minaTestWorker, a2.ID, bistand.Collecting, "Testet.", sqlstore.TransitionOptions{})
		e.store.Transition(e.ctx, minaTestWorker, a2.ID, bistand.SupplementRequested, "Hyran?", sqlstore.TransitionOptions{SupplementDue: due})
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/applications/"+a2.ID+"/supplement", strings.NewReader(`{"costs": [{"type": "rent", "amount": 4321}]}`))
		req.Header.Set("Content-Type", "application/json")
		res, out := e.applicantOf(c2).do(req)
		if res.StatusCode != http.StatusOK || !strings.Contains(out, `"state": "supplemented"`) {
			t.Fatalf("API correction: %d\n%s", res.StatusCode, out)
		}
		if f := minaDeclaredFacts(t, e, a2.ID); f["cost:rent"] != `{"amount":4321,"type":"rent"}` || f["cost:electricity"] != "" {
			t.Errorf("API correction facts: %v", f)
		}
	})
}

// minaAllFacts are an application's facts in order.
func minaAllFacts(t *testing.T, e *env, appID string) []bistand.Fact {
	t.Helper()
	all, err := e.store.Facts(e.ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	return all
}
