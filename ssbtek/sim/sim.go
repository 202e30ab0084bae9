// Package sim is a simulator of SSBTEK v10 (Försäkringskassan's
// "Sammansatt bastjänst för ekonomiskt bistånd"), answering from a
// deterministic synthetic population. It knows the contract only — the
// WSDL, the schemas of SSBTEK and of its sources and LEFI's OpenAPI — and
// nothing of any client: it reads requests and writes responses with code
// of its own, and its tests check both against the contract's schemas.
//
// # What it serves
//
// NewSSBTEK returns an http.Handler for POST on any path (mount it at
// /ssbtek): SOAP 1.1 requests (Content-Type text/xml, a SOAPAction header)
// for hamtaBastjanstInformation and testaBastjanstInformation.
//
// A person is found with population.Lookup. Anyone else with a valid
// personnummer or samordningsnummer gets a valid answer that holds nothing
// (no payments, not registered, no vehicles, CSN "Ej träff"). For each
// source asked (inkludera="true") the answer has:
//
//   - AF: af:SvarMeddelande, the question echoed and a Svar: registered as
//     a job seeker (profiles unemployed and activity; the latter in a
//     programme with an aktivitetsstöd decision), the fund for the
//     unemployed, Sekretessmarkering true and no names for a protected
//     person.
//   - CSN: base64 of CSNSvar (the contract's v4.0 schema): for a student,
//     one studiemedel case whose payment plan holds the payments, made
//     (Utbetald) and planned (Planerad). CSN's schema has no room for a
//     samordningsnummer: such a person gets Personer without a Person.
//     sekretess "J" marks a protected person.
//   - FK: base64 of a LEFI answer to the LEFI query in the request: the
//     payments of the groups asked for in its utbetalningar (made) and
//     preliminaraUtbetalningar (decided, not yet made) sections, for the
//     LEFI query's period. FK's payments are in formansinformation
//     (utbetalningsuppgift, preliminarautbetalningar) with förmånsfamilj =
//     the group code; PM's (PM:AP) in utbetalningar and
//     preliminaraUtbetalningar, in whole kronor (gross rounded up, tax the
//     difference). Decisions of the groups asked for them —
//     Försäkringskassan's in formansinformation, as ärenden
//     (barnbidragsarende, bostadsbidragsarende, underhallsstodsmottag,
//     sjukpenningarende, foraldrapenningarende, aktivitetsstodsarende) with
//     their beslut, Pensionsmyndighetens in beslut — are made from the
//     payments (decisions.go): every payment for a month is paid on a
//     decision covering the month with the payment's gross amount, made on
//     the 10th of the month before; months of the same amount share one
//     decision, the latest open-ended; sjukpenning and föräldrapenning are
//     decided month by month, per day. Those whose period overlaps the
//     query's and that are made by Now are answered. A query LEFI would
//     refuse (400: no groups, unknown
//     group, bad period or one longer than two years, a personnummer other
//     than personidentitet) gives FK an error{kalla BT, felkod 400}.
//   - SKV: svar, Skatteverket's answer as XML text: the person and, with
//     capital income, a Kapitaluppgift for the year before Now.
//   - SO: the echo of the question and, for the unemployed, one fund with
//     the payments (NettoEfterSkatt is the net amount).
//   - TNS: resultat OK and the vehicles.
//   - MIV: the person and, for a samordningsnummer holder with a permit,
//     the residence permit decision.
//
// Payments are those of the population whose payment date lies in the
// source's period (its own tidsperiod if given, else the general one) and
// is on or before Options.Now; "planned" ones (LEFI's preliminary, CSN's
// Planerad) are those paid after Now, up to the end of the month after
// Now's. A source's own tidsperiod (AF, CSN, SO, TNS) replaces the general
// one for that source.
//
// # Failures
//
//   - Invalid requests (and requests larger than 1 MiB) get a SOAP fault (HTTP 500, faultcode soap:Client,
//     detail hamtaBastjanstInformationFault or testaBastjanstInformationFault)
//     with one of the felkoder SSBT_OGILTIGT_ANROP (not a SOAP 1.1
//     envelope, not text/xml, no SOAPAction), SSBT_OGILTIG_OPERATION (an
//     element other than the two operations', or the wrong namespace),
//     SSBT_OGILTIG_PERSONIDENTITET (not a valid personnummer or
//     samordningsnummer of 12 digits) and SSBT_OGILTIG_FRAGA (anything
//     else the schema or the service requires: the ingivare, the case, the
//     period, syfte and lagtext, every source element with inkludera, FK's
//     fraga when FK is asked).
//   - Options.FailureRate per mille of requests fail as a whole, half of
//     them with a SOAP fault (faultcode soap:Server, felkod
//     SSBT_TEKNISKT_FEL), half with HTTP 503.
//   - Options.SourceFailureRate per mille of the sources asked answer
//     error{kalla SSBT, felkod SSBT_TIMEOUT}.
//   - A household's FailsSource makes that source answer error{kalla BT,
//     felkod BT_TEKNISKT_FEL} for all its members.
//
// Both rates are decided by a hash of the request's korrelationsid and
// frageTidpunkt (with Options.Seed): the same request is decided the same
// way, and a retry with a new frageTidpunkt is decided afresh. Requests
// without either, and the test operation, draw from an RNG seeded with
// Options.Seed.
//
// The simulator writes no logs. Its people are synthetic (see package
// population): never give it real personnummer.
package sim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/population"
)

// Options configure the simulator.
type Options struct {
	// Now is "today": payments after it are not in the registers yet. Nil
	// means the current date.
	Now func() bistand.Date
	// Latency is added to every request.
	Latency time.Duration
	// FailureRate is the per mille of requests that fail as a whole (a SOAP
	// fault or HTTP 503).
	FailureRate int
	// SourceFailureRate is the per mille of sources asked that answer with
	// error{kalla SSBT}.
	SourceFailureRate int
	// Seed seeds the failure decisions.
	Seed uint64
}

// The namespaces of the contract.
const (
	nsSOAP   = "http://schemas.xmlsoap.org/soap/envelope/"
	nsSSBT   = "http://schema.forsakringskassan.se/integration/ssbt/10"
	nsAF     = "http://api.arbetsformedlingen.se/arbetssokande/ersattningsstod/v2"
	nsSO     = "http://INT014.UBPService.Schemas"
	nsTNS    = "http://schema.transportstyrelsen.se/ssbtek/hamtauppgifterresponder/1"
	nsFordon = "http://schema.transportstyrelsen.se/ssbtek/fordon/1"
)

// The simulator's felkoder.
const (
	codeBadCall      = "SSBT_OGILTIGT_ANROP"
	codeBadOperation = "SSBT_OGILTIG_OPERATION"
	codeBadPerson    = "SSBT_OGILTIG_PERSONIDENTITET"
	codeBadQuestion  = "SSBT_OGILTIG_FRAGA"
	codeTechnical    = "SSBT_TEKNISKT_FEL"
	codeTimeout      = "SSBT_TIMEOUT"
	codeSourceFailed = "BT_TEKNISKT_FEL"
)

const maxRequest = 1 << 20

type server struct {
	pop *population.Population
	opt Options
	mu  sync.Mutex
	rng *rand.Rand
}

// NewSSBTEK returns the simulator serving pop.
func NewSSBTEK(pop *population.Population, opt Options) http.Handler {
	if opt.Now == nil {
		opt.Now = func() bistand.Date { return bistand.DateOf(time.Now()) }
	}
	return &server{pop: pop, opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, 0x55b7e4))}
}

// fault is a SOAP fault to answer with.
type fault struct {
	client bool // faultcode Client, else Server
	code   string
	msg    string
}

func (f *fault) Error() string { return f.code + ": " + f.msg }

func badRequest(code, msg string) *fault { return &fault{client: true, code: code, msg: msg} }

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if s.opt.Latency > 0 {
		t := time.NewTimer(s.opt.Latency)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
	operation := "hamtaBastjanstInformation"
	if err != nil || len(body) > maxRequest {
		s.writeFault(w, operation, badRequest(codeBadCall, "Anropet kunde inte läsas eller är för stort"))
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/xml" {
		s.writeFault(w, operation, badRequest(codeBadCall, "Content-Type ska vara text/xml (SOAP 1.1)"))
		return
	}
	if _, ok := r.Header["Soapaction"]; !ok {
		s.writeFault(w, operation, badRequest(codeBadCall, "SOAPAction saknas"))
		return
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	start, err := bodyElement(d)
	if err != nil {
		s.writeFault(w, operation, badRequest(codeBadCall, err.Error()))
		return
	}
	switch {
	case start.Name.Space == nsSSBT && start.Name.Local == "hamtaBastjanstInformation":
		var q query
		if err := d.DecodeElement(&q, &start); err != nil {
			s.writeFault(w, operation, badRequest(codeBadQuestion, "Frågan följer inte schemat"))
			return
		}
		s.hamta(w, &q)
	case start.Name.Space == nsSSBT && start.Name.Local == "testaBastjanstInformation":
		s.testa(w)
	default:
		if start.Name.Local == "testaBastjanstInformation" {
			operation = "testaBastjanstInformation"
		}
		s.writeFault(w, operation, badRequest(codeBadOperation, "Okänd operation eller fel namnrymd"))
	}
}

// bodyElement reads up to the start of the element inside soap:Body.
func bodyElement(d *xml.Decoder) (xml.StartElement, error) {
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, errors.New("Inte ett SOAP 1.1-kuvert")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch depth {
			case 0:
				if t.Name.Space != nsSOAP || t.Name.Local != "Envelope" {
					return t, errors.New("Inte ett SOAP 1.1-kuvert")
				}
			case 1:
				if t.Name.Space != nsSOAP {
					return t, errors.New("Okänt element i SOAP-kuvertet")
				}
				if t.Name.Local == "Header" {
					if err := d.Skip(); err != nil {
						return t, errors.New("Inte ett SOAP 1.1-kuvert")
					}
					continue
				}
				if t.Name.Local != "Body" {
					return t, errors.New("Okänt element i SOAP-kuvertet")
				}
			case 2:
				return t, nil
			}
			depth++
		case xml.EndElement:
			return xml.StartElement{}, errors.New("SOAP-kroppen är tom")
		}
	}
}

// roll returns a number 0–999 for a decision named salt about a request
// with key, or from the RNG without a key.
func (s *server) roll(key, salt string) int {
	if key == "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.rng.IntN(1000)
	}
	h := fnv.New64a()
	var seed [8]byte
	for i := range seed {
		seed[i] = byte(s.opt.Seed >> (8 * i))
	}
	h.Write(seed[:])
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write([]byte(salt))
	return int(h.Sum64() % 1000)
}

// failWhole answers a whole-call failure if the roll says so.
func (s *server) failWhole(w http.ResponseWriter, operation, key string) bool {
	if s.roll(key, "call") >= s.opt.FailureRate {
		return false
	}
	if s.roll(key, "kind")%2 == 0 {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Tjänsten är tillfälligt otillgänglig", http.StatusServiceUnavailable)
		return true
	}
	s.writeFault(w, operation, &fault{code: codeTechnical, msg: "Tekniskt fel i Sammansatt bastjänst"})
	return true
}

func (s *server) writeFault(w http.ResponseWriter, operation string, f *fault) {
	var x xw
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>`)
	x.start("soap:Envelope", "xmlns:soap", nsSOAP)
	x.start("soap:Body")
	x.start("soap:Fault")
	if f.client {
		x.elem("faultcode", "soap:Client")
	} else {
		x.elem("faultcode", "soap:Server")
	}
	x.elem("faultstring", f.msg)
	x.start("detail")
	x.start("ssbt:"+operation+"Fault", "xmlns:ssbt", nsSSBT)
	x.elem("ssbt:felkod", f.code)
	x.elem("ssbt:felmeddelande", f.msg)
	x.end("ssbt:" + operation + "Fault")
	x.end("detail")
	x.end("soap:Fault")
	x.end("soap:Body")
	x.end("soap:Envelope")
	writeXML(w, http.StatusInternalServerError, x.Bytes())
}

func writeXML(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func (s *server) testa(w http.ResponseWriter) {
	if s.failWhole(w, "testaBastjanstInformation", "") {
		return
	}
	var x xw
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>`)
	x.start("soap:Envelope", "xmlns:soap", nsSOAP)
	x.start("soap:Body")
	x.start("ssbt:testaBastjanstInformationResponse", "xmlns:ssbt", nsSSBT)
	for _, src := range population.Sources {
		name := "ssbt:" + string(src)
		x.start(name)
		x.elem("ssbt:anropad", "true")
		if s.roll("", "source") < s.opt.SourceFailureRate {
			writeError(&x, "SSBT", codeTimeout, "Tidsgränsen överskreds i anropet till bastjänsten")
		}
		x.end(name)
	}
	x.end("ssbt:testaBastjanstInformationResponse")
	x.end("soap:Body")
	x.end("soap:Envelope")
	writeXML(w, http.StatusOK, x.Bytes())
}

func writeError(x *xw, kalla, code, msg string) {
	x.start("ssbt:error")
	x.elem("ssbt:kalla", kalla)
	x.elem("ssbt:felkod", code)
	x.elem("ssbt:felmeddelande", msg)
	x.end("ssbt:error")
}

// query is the part of SammansattBastjanstFraga the simulator reads.
type query struct {
	Generella *struct {
		FrageTidpunkt   *string    `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 frageTidpunkt"`
		Korrelationsid  *string    `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 korrelationsid"`
		Inkluderas      string     `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 fraganSkallInkluderasISvaret"`
		Ingivare        *qIngivare `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 ingivare"`
		Personidentitet string     `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 personidentitet"`
		Arendeidentitet string     `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 arendeidentitet"`
		Tidsperiod      *qPeriod   `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 tidsperiod"`
		Syfte           string     `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 syfte"`
		Lagtext         string     `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 lagtext"`
	} `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 generellaFrageparametrar"`
	Specifika *struct {
		AF  *qSource `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 AF"`
		CSN *qSource `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 CSN"`
		FK  *qSource `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 FK"`
		SKV *qSource `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 SKV"`
		SO  *qSource `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 SO"`
		TNS *qSource `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 TNS"`
		MIV *qSource `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 MIV"`
	} `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 specifikaFrageparametrar"`
}

type qIngivare struct {
	Organisationsnummer string `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 organisationsnummer"`
	Namn                string `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 namn"`
	Handlaggare         string `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 handlaggare"`
}

type qPeriod struct {
	FromDatum string `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 fromDatum"`
	TomDatum  string `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 tomDatum"`
}

type qSource struct {
	Inkludera  string   `xml:"inkludera,attr"`
	Tidsperiod *qPeriod `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 tidsperiod"`
	Fraga      *struct {
		Version       *string `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 version"`
		Aktorsid      string  `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 aktorsid"`
		LefiJsonFraga string  `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 lefiJsonFraga"`
	} `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 fraga"`
}

// question is a validated request.
type question struct {
	frageTidpunkt, korrelationsid string
	hasKorrelationsid             bool
	org, orgName, caseworker      string
	person                        personnummer.Number
	caseID                        string
	from, to                      bistand.Date
	purpose, legalBasis           string
	asked                         map[population.Source]bool
	periods                       map[population.Source][2]bistand.Date
	lefi                          []byte // the LEFI query, when FK is asked
	lefiVersion                   string
}

func parseBool(s string) (bool, bool) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

func parsePeriod(p *qPeriod) (bistand.Date, bistand.Date, bool) {
	if p == nil {
		return bistand.Date{}, bistand.Date{}, false
	}
	from, err1 := bistand.ParseDate(strings.TrimSpace(p.FromDatum))
	to, err2 := bistand.ParseDate(strings.TrimSpace(p.TomDatum))
	if err1 != nil || err2 != nil || to.Before(from) {
		return bistand.Date{}, bistand.Date{}, false
	}
	return from, to, true
}

func validDateTime(s string) bool {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// validOrg is the contract's Organisationsnummer: [\d]{4}[2-9][\d]{7}.
func validOrg(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s[4] >= '2'
}

func (q *query) validate() (*question, *fault) {
	g, sp := q.Generella, q.Specifika
	bad := func(msg string) (*question, *fault) { return nil, badRequest(codeBadQuestion, msg) }
	if g == nil || sp == nil {
		return bad("generellaFrageparametrar och specifikaFrageparametrar krävs")
	}
	out := &question{asked: map[population.Source]bool{}, periods: map[population.Source][2]bistand.Date{}}
	pid := strings.TrimSpace(g.Personidentitet)
	n, err := personnummer.ParseCanonical(pid)
	if err != nil {
		return nil, badRequest(codeBadPerson, "personidentitet är inte ett giltigt personnummer eller samordningsnummer med 12 siffror")
	}
	out.person = n
	if g.FrageTidpunkt != nil {
		if !validDateTime(*g.FrageTidpunkt) {
			return bad("frageTidpunkt är inte en tidpunkt (xs:dateTime)")
		}
		out.frageTidpunkt = strings.TrimSpace(*g.FrageTidpunkt)
	}
	if g.Korrelationsid != nil {
		out.korrelationsid, out.hasKorrelationsid = *g.Korrelationsid, true
	}
	if _, ok := parseBool(g.Inkluderas); !ok {
		return bad("fraganSkallInkluderasISvaret krävs")
	}
	if g.Ingivare == nil || !validOrg(strings.TrimSpace(g.Ingivare.Organisationsnummer)) {
		return bad("ingivarens organisationsnummer saknas eller är ogiltigt")
	}
	if g.Ingivare.Namn == "" || g.Ingivare.Handlaggare == "" {
		return bad("ingivarens namn och handläggare krävs")
	}
	out.org, out.orgName, out.caseworker = strings.TrimSpace(g.Ingivare.Organisationsnummer), g.Ingivare.Namn, g.Ingivare.Handlaggare
	if g.Arendeidentitet == "" {
		return bad("arendeidentitet krävs")
	}
	out.caseID = g.Arendeidentitet
	var ok bool
	if out.from, out.to, ok = parsePeriod(g.Tidsperiod); !ok {
		return bad("tidsperiod saknas eller är ogiltig")
	}
	if strings.TrimSpace(g.Syfte) == "" || strings.TrimSpace(g.Lagtext) == "" {
		return bad("syfte och lagtext krävs")
	}
	out.purpose, out.legalBasis = g.Syfte, g.Lagtext
	for _, e := range []struct {
		src population.Source
		q   *qSource
	}{{population.AF, sp.AF}, {population.CSN, sp.CSN}, {population.FK, sp.FK}, {population.SKV, sp.SKV}, {population.SO, sp.SO}, {population.TNS, sp.TNS}, {population.MIV, sp.MIV}} {
		if e.q == nil {
			return bad("specifikaFrageparametrar saknar " + string(e.src))
		}
		inc, ok := parseBool(e.q.Inkludera)
		if !ok {
			return bad("inkludera saknas eller är ogiltigt för " + string(e.src))
		}
		out.asked[e.src] = inc
		from, to := out.from, out.to
		if e.q.Tidsperiod != nil {
			switch e.src {
			case population.AF, population.CSN, population.SO, population.TNS:
			default:
				return bad("tidsperiod är inte tillåten för " + string(e.src))
			}
			if from, to, ok = parsePeriod(e.q.Tidsperiod); !ok {
				return bad("tidsperiod är ogiltig för " + string(e.src))
			}
		}
		out.periods[e.src] = [2]bistand.Date{from, to}
	}
	if out.asked[population.FK] {
		f := sp.FK.Fraga
		if f == nil || strings.TrimSpace(f.Aktorsid) == "" {
			return bad("FK kräver fraga med aktorsid")
		}
		out.lefiVersion = "v9"
		if f.Version != nil {
			out.lefiVersion = strings.TrimSpace(*f.Version)
		}
		js, err := decodeBase64(f.LefiJsonFraga)
		if err != nil {
			return bad("lefiJsonFraga är inte base64")
		}
		out.lefi = js
	}
	return out, nil
}

func decodeBase64(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r':
			return -1
		}
		return r
	}, s)
	return base64Decode(clean)
}

func (s *server) hamta(w http.ResponseWriter, q *query) {
	const operation = "hamtaBastjanstInformation"
	qn, f := q.validate()
	if f != nil {
		s.writeFault(w, operation, f)
		return
	}
	key := ""
	if qn.korrelationsid != "" || qn.frageTidpunkt != "" {
		key = qn.korrelationsid + "\x00" + qn.frageTidpunkt
	}
	if s.failWhole(w, operation, key) {
		return
	}
	writeXML(w, http.StatusOK, s.answer(qn, key))
}
