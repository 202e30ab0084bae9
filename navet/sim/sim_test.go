package sim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/navet"
	"github.com/bistand/bistand/navet/internal/xsdcheck"
	"github.com/bistand/bistand/navet/sim"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/population"
)

const (
	testOrg     = "212000-0001"
	testPurpose = "Handläggning av ekonomiskt bistånd"
)

// pop is large enough to hold protected households of every index modulo 3.
var pop = population.New(42, 1500)

// exchange is one request and its answer as they crossed the wire.
type exchange struct {
	request  []byte
	status   int
	response []byte
}

// wiretap records every exchange with the handler it wraps.
type wiretap struct {
	h  http.Handler
	mu sync.Mutex
	ex []exchange
}

func (w *wiretap) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		rw.Header()[k] = v
	}
	rw.WriteHeader(rec.Code)
	_, _ = rw.Write(rec.Body.Bytes())
	w.mu.Lock()
	w.ex = append(w.ex, exchange{body, rec.Code, rec.Body.Bytes()})
	w.mu.Unlock()
}

// validateAll checks every recorded request and answer against the schema.
func (w *wiretap) validateAll(t *testing.T, requests bool) {
	t.Helper()
	var names []string
	var docs [][]byte
	for i, e := range w.ex {
		if requests {
			names, docs = append(names, fmt.Sprintf("request %d", i)), append(docs, e.request)
		}
		names, docs = append(names, fmt.Sprintf("response %d (HTTP %d)", i, e.status)), append(docs, e.response)
	}
	xsdcheck.Valid(t, names, docs)
}

// start runs the simulator behind a wiretap over real HTTP.
func start(t *testing.T, opt sim.Options) (*navet.Client, *wiretap, string) {
	t.Helper()
	tap := &wiretap{h: sim.NewNavet(pop, opt)}
	srv := httptest.NewServer(tap)
	t.Cleanup(srv.Close)
	c, err := navet.NewClient(navet.Config{URL: srv.URL + "/navet/v1/lookup", OrgNumber: testOrg, Purpose: testPurpose})
	if err != nil {
		t.Fatal(err)
	}
	return c, tap, srv.URL + "/navet/v1/lookup"
}

// protectedHouseholds returns the indexes of the protected households.
func protectedHouseholds() []int {
	var out []int
	for i := range pop.Size() {
		if h := pop.Household(i); h.Members[0].Protected {
			out = append(out, i)
		}
	}
	return out
}

// expected is what the simulator should say about the holder of n.
func expected(t *testing.T, n personnummer.Number) navet.Person {
	t.Helper()
	h, j, ok := pop.Lookup(n)
	if !ok {
		t.Fatal("number not in the population")
	}
	m := h.Members[j]
	p := navet.Person{Number: m.Number, GivenName: m.GivenName, FamilyName: m.FamilyName, BirthDate: m.BirthDate, CivilStatus: "OG"}
	if !n.IsCoordination() {
		p.Municipality = sim.Municipality
	}
	if m.Protected {
		p.Sekretessmarkering = h.Index%3 != 1
		p.SkyddadFolkbokforing = h.Index%3 != 0
	} else {
		p.Address = &navet.Address{Street: h.Address.Street, PostalCode: h.Address.PostalCode, City: h.Address.City}
	}
	for k, o := range h.Members {
		switch {
		case k == j:
		case m.Role == "child" && o.Role != "child":
			p.Relations = append(p.Relations, navet.Relation{Kind: "parent", Number: o.Number})
		case m.Role == "child":
		case o.Role == "child":
			p.Relations = append(p.Relations, navet.Relation{Kind: "child", Number: o.Number})
		default:
			p.Relations = append(p.Relations, navet.Relation{Kind: "partner", Number: o.Number})
		}
	}
	return p
}

// outsider returns a valid number that is not in the population.
func outsider(t *testing.T) personnummer.Number {
	r := rand.New(rand.NewPCG(99, 99))
	for {
		n := personnummer.Generate(r, bistand.MustDate(1970+r.IntN(40), time.Month(1+r.IntN(12)), 1+r.IntN(28)), false, r.IntN(2) == 0)
		if _, _, ok := pop.Lookup(n); !ok {
			return n
		}
	}
}

// TestClientAgainstSimulator: the client and the simulator over real
// HTTP, for ordinary, coordination-number, child and protected people and
// an outsider; every request and answer validates against the schema.
func TestClientAgainstSimulator(t *testing.T) {
	c, tap, _ := start(t, sim.Options{})
	ctx := context.Background()
	var numbers []personnummer.Number
	for i := range 60 {
		for _, m := range pop.Household(i).Members {
			numbers = append(numbers, m.Number)
		}
	}
	prot := protectedHouseholds()
	for _, i := range prot {
		for _, m := range pop.Household(i).Members {
			numbers = append(numbers, m.Number)
		}
	}
	var coord, protected, children, couples int
	for i, n := range numbers {
		got, err := c.Lookup(ctx, n, fmt.Sprintf("case-%d", i))
		if err != nil {
			t.Fatalf("lookup %d: %v", i, err)
		}
		want := expected(t, n)
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("lookup %d:\n got %#v\nwant %#v", i, *got, want)
		}
		if got.Protected() {
			protected++
			if got.Address != nil {
				t.Errorf("lookup %d: a protected person with an address", i)
			}
		}
		if n.IsCoordination() {
			coord++
		}
		for _, r := range got.Relations {
			switch r.Kind {
			case "parent":
				children++
			case "partner":
				couples++
			}
		}
	}
	if coord == 0 || protected == 0 || children == 0 || couples == 0 {
		t.Errorf("the sample lacks a kind of person: %d coordination, %d protected, %d child relations, %d partner relations",
			coord, protected, children, couples)
	}

	_, err := c.Lookup(ctx, outsider(t), "case-outsider")
	if !errors.Is(err, navet.ErrNotFound) || navet.IsRetryable(err) {
		t.Errorf("outsider: %v, want not found and not retryable", err)
	}
	tap.validateAll(t, true)
}

// TestProtectedNeverOnTheWire: for every protected person in the
// population the raw HTTP answer carries no address, in any form.
func TestProtectedNeverOnTheWire(t *testing.T) {
	_, tap, url := start(t, sim.Options{})
	prot := protectedHouseholds()
	kinds := map[int]bool{}
	for _, i := range prot {
		h := pop.Household(i)
		kinds[i%3] = true
		for _, m := range h.Members {
			status, body := post(t, url, requestXML("2120000001", "case-p", testPurpose, m.Number.String()))
			if status != http.StatusOK {
				t.Fatalf("household %d: HTTP %d", i, status)
			}
			for _, secret := range []string{h.Address.Street, h.Address.PostalCode, h.Address.City, "address", "street", "postalCode", "city"} {
				if bytes.Contains(body, []byte(secret)) {
					t.Errorf("household %d: the answer for a protected person contains %q", i, secret)
				}
			}
			wantMarks := map[int]string{0: "<protection><sekretessmarkering/></protection>", 1: "<protection><skyddadFolkbokforing/></protection>",
				2: "<protection><sekretessmarkering/><skyddadFolkbokforing/></protection>"}[i%3]
			if !bytes.Contains(body, []byte(wantMarks)) {
				t.Errorf("household %d: the answer lacks %s", i, wantMarks)
			}
		}
	}
	if len(kinds) != 3 {
		t.Errorf("protected households cover markings %v, want all three combinations", kinds)
	}
	// The control: an unprotected person's answer does carry the address.
	h := pop.Household(0)
	if h.Members[0].Protected {
		t.Fatal("household 0 is protected; pick another control")
	}
	_, body := post(t, url, requestXML("2120000001", "case-c", testPurpose, h.Members[0].Number.String()))
	if !bytes.Contains(body, []byte(h.Address.Street)) || !bytes.Contains(body, []byte("<address>")) {
		t.Error("the control answer lacks the address: the test would not notice one")
	}
	tap.validateAll(t, true)
}

func requestXML(org, caseID, purpose, id string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><LookupRequest xmlns="urn:bistand:navet:1"><requester><organisationNumber>` + org +
		`</organisationNumber></requester><caseId>` + caseID + `</caseId><purpose>` + purpose + `</purpose><personId>` + id + `</personId></LookupRequest>`
}

func post(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, navet.ContentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// TestInvalidRequests: each gets 400 (405 for GET) with an Error element
// that validates, and nothing of the request comes back.
func TestInvalidRequests(t *testing.T) {
	_, tap, url := start(t, sim.Options{})
	n := pop.Household(0).Members[0].Number.String()
	bad := n[:11] + string(rune('0'+(n[11]-'0'+1)%10))
	cases := map[string]string{
		"not XML":          "personId=" + n,
		"empty":            "",
		"wrong root":       `<Lookup xmlns="urn:bistand:navet:1"/>`,
		"other namespace":  strings.Replace(requestXML("2120000001", "c", "p", n), "urn:bistand:navet:1", "urn:x", 1),
		"bad check digit":  requestXML("2120000001", "c", "p", bad),
		"short number":     requestXML("2120000001", "c", "p", n[2:]),
		"bad org number":   requestXML("2120000002", "c", "p", n),
		"no purpose":       requestXML("2120000001", "c", "", n),
		"bad case id":      requestXML("2120000001", "c d", "p", n),
		"too large":        requestXML("2120000001", "c", "p", n) + strings.Repeat(" ", navet.MaxRequestBytes),
		"unknown element":  strings.Replace(requestXML("2120000001", "c", "p", n), "<purpose>", "<x/><purpose>", 1),
		"trailing element": requestXML("2120000001", "c", "p", n) + "<more/>",
	}
	for name, body := range cases {
		status, resp := post(t, url, body)
		if status != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d, want 400", name, status)
		}
		if !bytes.Contains(resp, []byte("<code>INVALID_REQUEST</code>")) {
			t.Errorf("%s: answer lacks the INVALID_REQUEST error element", name)
		}
		if regexp.MustCompile(`[0-9]{6,}`).Match(resp) {
			t.Errorf("%s: the error answer contains a run of digits", name)
		}
	}
	// Wrong media type.
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(requestXML("2120000001", "c", "p", n)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("JSON content type: HTTP %d, want 400", resp.StatusCode)
	}
	// GET.
	resp, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET: HTTP %d Allow %q, want 405 POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
	if len(tap.ex) != len(cases)+2 {
		t.Fatalf("%d exchanges recorded, want %d", len(tap.ex), len(cases)+2)
	}
	tap.validateAll(t, false) // the requests are invalid on purpose; the answers must not be
}

// TestFailureInjection: FailureRate answers 503 UNAVAILABLE, which the
// client reports as retryable; the share is exact and the answers validate.
func TestFailureInjection(t *testing.T) {
	n := pop.Household(1).Members[0].Number
	for _, rate := range []int{0, 1, 250, 1000, 5000, -3} {
		c, tap, _ := start(t, sim.Options{FailureRate: rate})
		failed := 0
		const tries = 1000
		for i := range tries {
			_, err := c.Lookup(context.Background(), n, "case-f")
			switch {
			case err == nil:
			case navet.IsRetryable(err):
				var e *navet.Error
				if !errors.As(err, &e) || e.Code != navet.CodeUnavailable || e.Status != http.StatusServiceUnavailable {
					t.Fatalf("rate %d, try %d: %v, want UNAVAILABLE 503", rate, i, err)
				}
				failed++
			default:
				t.Fatalf("rate %d, try %d: %v is not retryable", rate, i, err)
			}
		}
		want := min(max(rate, 0), 1000)
		if failed != want {
			t.Errorf("rate %d‰: %d of %d failed, want %d", rate, failed, tries, want)
		}
		if rate == 250 {
			// Spread evenly: never two failures in a row at 25 %.
			for i := 1; i < len(tap.ex); i++ {
				if tap.ex[i].status == 503 && tap.ex[i-1].status == 503 {
					t.Fatalf("rate 250‰: failures %d and %d in a row", i-1, i)
				}
			}
			tap.validateAll(t, true)
		}
	}
}

func TestLatency(t *testing.T) {
	c, _, _ := start(t, sim.Options{Latency: 80 * time.Millisecond})
	n := pop.Household(2).Members[0].Number
	begin := time.Now()
	if _, err := c.Lookup(context.Background(), n, "case-l"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d < 80*time.Millisecond {
		t.Errorf("lookup took %v, want at least the 80ms latency", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Lookup(ctx, n, "case-l")
	if !navet.IsRetryable(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("lookup past its deadline: %v, want a retryable deadline error", err)
	}
}

// TestEveryPersonValidates: the answer about every person in the
// population validates against the schema.
func TestEveryPersonValidates(t *testing.T) {
	h := sim.NewNavet(pop, sim.Options{})
	var names []string
	var docs [][]byte
	for i := range pop.Size() {
		for j, m := range pop.Household(i).Members {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(requestXML("2120000001", "case-v", testPurpose, m.Number.String())))
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("household %d member %d: HTTP %d", i, j, rec.Code)
			}
			names, docs = append(names, fmt.Sprintf("household %d member %d", i, j)), append(docs, rec.Body.Bytes())
		}
	}
	xsdcheck.Valid(t, names, docs)
}
