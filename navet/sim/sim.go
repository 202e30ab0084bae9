// Package sim simulates the population register behind bistand's contract
// "urn:bistand:navet:1" (see package navet and docs/navet.md), answering
// from the synthetic population (package population). It is for tests, the
// demo and load tests; nothing in it is real.
//
// What it answers, for a number in the population:
//
//   - Name and birth date as the population has them; never deceased.
//   - Civil status "OG" (ogift) for everyone: the population's couples are
//     modelled as cohabitants (sambo).
//   - Relations from the household: the applicant and the partner are each
//     other's "partner"; each adult has every child of the household as
//     "child", and each child has every adult as "parent". Relations are in
//     household order, the partner first.
//   - Municipality: Municipality (the invented kommunkod of Demoköping) for
//     a personnummer; none for a samordningsnummer, whose holder is not
//     folkbokförd.
//   - The household's address, except for a protected person, who has none.
//   - A protected person (population.Person.Protected) gets, by household
//     index modulo 3: 0 sekretessmarkering only, 1 skyddad folkbokföring
//     only, 2 both; so every household member has the same markings and
//     all three combinations occur.
//
// A valid number outside the population is answered 404 NOT_FOUND; a
// request that is not a valid LookupRequest 400 INVALID_REQUEST (405 for a
// method other than POST). Options add latency and a deterministic share of
// 503 UNAVAILABLE answers.
//
// The simulator writes no logs.
package sim

import (
	"io"
	"mime"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/bistand/bistand/navet"
	"github.com/bistand/bistand/population"
)

// Municipality is the invented kommunkod of Demoköping, the population's
// municipality. Real kommunkoder are 0114–2584; 99xx is none of them.
const Municipality = "9999"

// Options change how the simulator answers.
type Options struct {
	// Latency delays every answer (the wait ends early if the client goes away).
	Latency time.Duration
	// FailureRate is the share of requests, per mille (0–1000), answered
	// 503 UNAVAILABLE before anything else is looked at. The failures are
	// deterministic and evenly spread: exactly FailureRate of every 1000
	// consecutive requests fail, 1000 makes every request fail.
	FailureRate int
}

type server struct {
	pop   *population.Population
	opt   Options
	count atomic.Uint64
}

// NewNavet returns an http.Handler answering LookupRequests from pop. It
// answers any path; mount it where the client's URL points.
func NewNavet(pop *population.Population, opt Options) http.Handler {
	opt.FailureRate = min(max(opt.FailureRate, 0), 1000)
	return &server{pop: pop, opt: opt}
}

// fail reports whether this request is one of the injected failures.
func (s *server) fail() bool {
	if s.opt.FailureRate == 0 {
		return false
	}
	n := s.count.Add(1)
	rate := uint64(s.opt.FailureRate)
	return n*rate/1000 != (n-1)*rate/1000
}

func writeError(w http.ResponseWriter, code navet.Code, status int, message string) {
	w.Header().Set("Content-Type", navet.ContentType)
	w.WriteHeader(status)
	_, _ = w.Write(navet.EncodeError(code, message))
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, navet.CodeInvalidRequest, http.StatusMethodNotAllowed, "method must be POST")
		return
	}
	if s.opt.Latency > 0 {
		t := time.NewTimer(s.opt.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return // the client has gone: nobody to answer
		}
	}
	if s.fail() {
		w.Header().Set("Retry-After", "1")
		writeError(w, navet.CodeUnavailable, http.StatusServiceUnavailable, "simulated outage")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/xml" && mt != "text/xml") {
			writeError(w, navet.CodeInvalidRequest, http.StatusBadRequest, "Content-Type must be application/xml")
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, navet.MaxRequestBytes))
	if err != nil {
		writeError(w, navet.CodeInvalidRequest, http.StatusBadRequest, "request body unreadable or too large")
		return
	}
	req, err := navet.ParseRequest(body)
	if err != nil {
		// The error names what is wrong and holds no text of the request.
		writeError(w, navet.CodeInvalidRequest, http.StatusBadRequest, err.Error())
		return
	}
	h, j, ok := s.pop.Lookup(req.Number)
	if !ok {
		writeError(w, navet.CodeNotFound, http.StatusNotFound, "no person with that number")
		return
	}
	out, err := navet.EncodeResponse(req.CaseID, person(h, j))
	if err != nil {
		writeError(w, navet.CodeInternal, http.StatusInternalServerError, "person cannot be encoded")
		return
	}
	w.Header().Set("Content-Type", navet.ContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// person is what the simulated register holds about member j of h.
func person(h population.Household, j int) navet.Person {
	m := h.Members[j]
	p := navet.Person{
		Number:      m.Number,
		GivenName:   m.GivenName,
		FamilyName:  m.FamilyName,
		BirthDate:   m.BirthDate,
		CivilStatus: navet.CivilStatusUnmarried,
	}
	if !m.Number.IsCoordination() {
		p.Municipality = Municipality
	}
	if m.Protected {
		switch h.Index % 3 {
		case 0:
			p.Sekretessmarkering = true
		case 1:
			p.SkyddadFolkbokforing = true
		default:
			p.Sekretessmarkering, p.SkyddadFolkbokforing = true, true
		}
	} else {
		a := h.Address
		p.Address = &navet.Address{Street: a.Street, PostalCode: a.PostalCode, City: a.City}
	}
	child := m.Role == "child"
	for k, o := range h.Members {
		if k == j {
			continue
		}
		var kind string
		switch {
		case child && o.Role != "child":
			kind = navet.RelationParent
		case child:
			continue // siblings are not modelled
		case o.Role == "child":
			kind = navet.RelationChild
		default:
			kind = navet.RelationPartner
		}
		p.Relations = append(p.Relations, navet.Relation{Kind: kind, Number: o.Number})
	}
	return p
}
