package navet

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
)

// testOrg is an organisation number with a valid check digit.
const testOrg = "212000-0001"

const testPurpose = "Handläggning av ekonomiskt bistånd (försörjningsstöd) & kontroll <test>"

// number returns a synthetic number (never a real person's on purpose).
func number(seed uint64, birth bistand.Date, coord bool) personnummer.Number {
	return personnummer.Generate(rand.New(rand.NewPCG(seed, 7)), birth, coord, seed%2 == 0)
}

var (
	adultNo = number(1, bistand.MustDate(1984, time.March, 9), false)
	otherNo = number(2, bistand.MustDate(1986, time.November, 30), false)
	childNo = number(3, bistand.MustDate(2015, time.June, 1), false)
	coordNo = number(4, bistand.MustDate(1979, time.February, 28), true)
)

// samplePerson is an unprotected person with every field set.
func samplePerson() Person {
	return Person{
		Number: adultNo, GivenName: "Alva", FamilyName: "O'Brien & <Ekholt>",
		BirthDate:    adultNo.BirthDate(),
		Address:      &Address{Street: "Påhittade stigen 12", PostalCode: "999 05", City: "Demoköping"},
		Municipality: "9999", CivilStatus: CivilStatusMarried,
		Relations: []Relation{{RelationSpouse, otherNo}, {RelationChild, childNo}},
	}
}

// digitRun finds what could be (part of) a personnummer in a text.
var digitRun = regexp.MustCompile(`[0-9]{6,}`)

func noNumberIn(t *testing.T, what, s string) {
	t.Helper()
	if digitRun.MatchString(s) {
		t.Errorf("%s contains a run of digits: %q", what, digitRun.ReplaceAllString(s, "#"))
	}
}

// recorder is a fake service that records what it receives.
type recorder struct {
	mu       sync.Mutex
	bodies   [][]byte
	requests []*http.Request
}

func (r *recorder) add(req *http.Request, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodies = append(r.bodies, body)
	r.requests = append(r.requests, req)
}

// fake starts a service answering with answer, recording requests, and a
// Client for it.
func fake(t *testing.T, answer func(w http.ResponseWriter, req Request, body []byte)) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.add(r, body)
		req, _ := ParseRequest(body)
		answer(w, req, body)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(Config{URL: srv.URL + "/navet/v1/lookup", OrgNumber: testOrg, Purpose: testPurpose})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// raw answers with a fixed status and body.
func raw(status int, body string) func(http.ResponseWriter, Request, []byte) {
	return func(w http.ResponseWriter, _ Request, _ []byte) {
		w.Header().Set("Content-Type", ContentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// echo answers every request with p under the request's number and case.
func echo(p Person) func(http.ResponseWriter, Request, []byte) {
	return func(w http.ResponseWriter, req Request, _ []byte) {
		p.Number = req.Number
		b, err := EncodeResponse(req.CaseID, p)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		_, _ = w.Write(b)
	}
}
