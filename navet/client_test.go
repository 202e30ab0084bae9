package navet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/navet/internal/xsdcheck"
	"github.com/bistand/bistand/personnummer"
)

// personXML is the person element of a response about number, with extra
// elements (protection, address, …) placed where the schema has them.
func personXML(n personnummer.Number, extra string) string {
	return `<person><personId>` + n.String() + `</personId>` +
		`<name><givenName>Alva</givenName><familyName>Ekholt</familyName></name>` +
		`<birthDate>` + n.BirthDate().String() + `</birthDate><deceased>false</deceased>` +
		`<civilStatus>OG</civilStatus><municipality>9999</municipality>` + extra + `</person>`
}

func responseXML(caseID, person string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<LookupResponse xmlns="urn:bistand:navet:1"><caseId>` + caseID + `</caseId>` + person + `</LookupResponse>`
}

const addressXML = `<address><street>Hemliga gatan 7</street><postalCode>999 42</postalCode><city>Gömstaden</city></address>`

func TestLookupFound(t *testing.T) {
	want := samplePerson()
	c, rec := fake(t, echo(want))
	got, err := c.Lookup(context.Background(), adultNo, "case-0196a1b2c3d4e5f6")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Lookup = %#v, want %#v", *got, want)
	}
	if len(rec.requests) != 1 {
		t.Fatalf("%d requests, want 1", len(rec.requests))
	}
	r := rec.requests[0]
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != ContentType {
		t.Errorf("request %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
	}
	if r.URL.Path != "/navet/v1/lookup" || r.URL.RawQuery != "" {
		t.Errorf("request URL %q: the client must post to the configured URL as is", r.URL.Path)
	}
	req, err := ParseRequest(rec.bodies[0])
	if err != nil {
		t.Fatalf("the request does not parse: %v", err)
	}
	wantReq := Request{OrgNumber: "2120000001", CaseID: "case-0196a1b2c3d4e5f6", Purpose: testPurpose, Number: adultNo}
	if req != wantReq {
		t.Errorf("request carried %#v, want %#v", req, wantReq)
	}
}

// TestRequestsValidate: every request the client sends validates against
// navet-1.xsd.
func TestRequestsValidate(t *testing.T) {
	c, rec := fake(t, raw(http.StatusNotFound, string(EncodeError(CodeNotFound, "no person with that number"))))
	for i, n := range []personnummer.Number{adultNo, otherNo, childNo, coordNo} {
		for _, caseID := range []string{"case-0196a1b2c3d4e5f6", "2026/123:a_b.c-d", "X", strings.Repeat("a", 64)} {
			if _, err := c.Lookup(context.Background(), n, caseID); !errors.Is(err, ErrNotFound) {
				t.Fatalf("lookup %d: %v, want not found", i, err)
			}
		}
	}
	for _, purpose := range []string{"a", strings.Repeat("ö", 200), `"quoted" & 'apos' <tag> ]]> åäö`} {
		c2, err := NewClient(Config{URL: "http://127.0.0.1:1/", OrgNumber: "2120000001", Purpose: purpose})
		if err != nil {
			t.Fatalf("NewClient with purpose %q: %v", purpose, err)
		}
		rec.bodies = append(rec.bodies, encodeRequest(Request{OrgNumber: c2.org, CaseID: "c", Purpose: c2.purpose, Number: coordNo}))
	}
	names := make([]string, len(rec.bodies))
	for i := range names {
		names[i] = fmt.Sprintf("request %d", i)
	}
	xsdcheck.Valid(t, names, rec.bodies)
}

// TestEncodedDocumentsValidate: every response and error document the
// package writes validates, and a response reads back as the person.
func TestEncodedDocumentsValidate(t *testing.T) {
	var names []string
	var docs [][]byte
	add := func(name string, p Person) {
		b, err := EncodeResponse("case-1", p)
		if err != nil {
			t.Fatalf("%s: EncodeResponse: %v", name, err)
		}
		names, docs = append(names, name), append(docs, b)
		_, got, err := decodeResponse(b)
		if err != nil {
			t.Fatalf("%s: reading back: %v", name, err)
		}
		want := p
		if want.Protected() {
			want.Address = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read back %#v, want %#v", name, got, want)
		}
	}
	add("full", samplePerson())
	p := samplePerson()
	p.Address, p.CivilStatus, p.Municipality, p.Relations, p.Deceased = nil, "", "", nil, true
	add("minimal", p)
	for _, m := range [][2]bool{{true, false}, {false, true}, {true, true}} {
		p := samplePerson()
		p.Sekretessmarkering, p.SkyddadFolkbokforing = m[0], m[1]
		add(fmt.Sprintf("protected %v", m), p)
	}
	p = samplePerson()
	p.Number, p.BirthDate, p.Municipality, p.CivilStatus = coordNo, coordNo.BirthDate(), "", CivilStatusWidowed
	for len(p.Relations) < MaxRelations {
		p.Relations = append(p.Relations, Relation{RelationParent, childNo})
	}
	add("coordination, many relations", p)
	for code := range statusOf {
		names, docs = append(names, "error "+string(code)), append(docs, EncodeError(code, "message"))
	}
	names, docs = append(names, "error with bad code and message"), append(docs, EncodeError("NOPE", " \x00"))
	xsdcheck.Valid(t, names, docs)
}

func TestEncodeResponseRefuses(t *testing.T) {
	for name, mutate := range map[string]func(*Person){
		"zero number":    func(p *Person) { p.Number = personnummer.Number{} },
		"empty name":     func(p *Person) { p.GivenName = "" },
		"long name":      func(p *Person) { p.FamilyName = strings.Repeat("x", 101) },
		"control char":   func(p *Person) { p.GivenName = "A\nB" },
		"padded name":    func(p *Person) { p.GivenName = " A" },
		"no birth date":  func(p *Person) { p.BirthDate = bistand.Date{} },
		"civil status":   func(p *Person) { p.CivilStatus = "X" },
		"municipality":   func(p *Person) { p.Municipality = "123" },
		"postal code":    func(p *Person) { p.Address.PostalCode = "99905" },
		"relation kind":  func(p *Person) { p.Relations[0].Kind = "sibling" },
		"relation zero":  func(p *Person) { p.Relations[0].Number = personnummer.Number{} },
		"many relations": func(p *Person) { p.Relations = make([]Relation, MaxRelations+1) },
	} {
		p := samplePerson()
		mutate(&p)
		if _, err := EncodeResponse("case-1", p); err == nil {
			t.Errorf("%s: EncodeResponse accepted it", name)
		} else {
			noNumberIn(t, name+" error", err.Error())
		}
	}
	if _, err := EncodeResponse("bad case id", samplePerson()); err == nil {
		t.Error("EncodeResponse accepted an invalid case id")
	}
	// A protected person's address is not written, so it is not checked.
	p := samplePerson()
	p.Sekretessmarkering, p.Address.PostalCode = true, "not a postal code"
	if _, err := EncodeResponse("case-1", p); err != nil {
		t.Errorf("protected person with an unwritten bad address: %v", err)
	}
}

// TestSchemaRejects shows that the validation can fail, and that the
// schema itself carries the contract's rules.
func TestSchemaRejects(t *testing.T) {
	okReq := string(encodeRequest(Request{OrgNumber: "2120000001", CaseID: "case-1", Purpose: "p", Number: adultNo}))
	cases := map[string]string{
		"protected with address":        responseXML("case-1", personXML(adultNo, `<protection><sekretessmarkering/></protection>`+addressXML)),
		"address then protection":       responseXML("case-1", personXML(adultNo, addressXML+`<protection><skyddadFolkbokforing/></protection>`)),
		"protection without marking":    responseXML("case-1", personXML(adultNo, `<protection/>`)),
		"marking twice":                 responseXML("case-1", personXML(adultNo, `<protection><sekretessmarkering/><sekretessmarkering/></protection>`)),
		"markings in the wrong order":   responseXML("case-1", personXML(adultNo, `<protection><skyddadFolkbokforing/><sekretessmarkering/></protection>`)),
		"relation kind unknown":         responseXML("case-1", personXML(adultNo, `<relation kind="sibling"><personId>`+childNo.String()+`</personId></relation>`)),
		"eleven-digit personId":         responseXML("case-1", strings.Replace(personXML(adultNo, ""), adultNo.String(), adultNo.String()[1:], 1)),
		"date with zone":                responseXML("case-1", strings.Replace(personXML(adultNo, ""), "</birthDate>", "Z</birthDate>", 1)),
		"request without purpose":       strings.Replace(okReq, "<purpose>p</purpose>", "", 1),
		"request with hyphenated org":   strings.Replace(okReq, "2120000001", "212000-0001", 1),
		"request in another namespace":  strings.Replace(okReq, Namespace, "urn:other", 1),
		"request with padded purpose":   strings.Replace(okReq, "<purpose>p</purpose>", "<purpose> p</purpose>", 1),
		"error with unknown code":       strings.Replace(string(EncodeError(CodeNotFound, "m")), "NOT_FOUND", "GONE", 1),
		"response with two persons":     responseXML("case-1", personXML(adultNo, "")+personXML(adultNo, "")),
		"postal code without the space": responseXML("case-1", personXML(adultNo, strings.Replace(addressXML, "999 42", "99942", 1))),
	}
	var names []string
	var docs [][]byte
	for name, d := range cases {
		names, docs = append(names, name), append(docs, []byte(d))
	}
	xsdcheck.Invalid(t, names, docs)
}

// TestClientDropsAddressOfProtected: an address sent, against the
// contract, with a protected person goes no further than the client.
func TestClientDropsAddressOfProtected(t *testing.T) {
	for _, tc := range []struct {
		protection       string
		sekretess, skydd bool
	}{
		{`<protection><sekretessmarkering/></protection>`, true, false},
		{`<protection><skyddadFolkbokforing/></protection>`, false, true},
		{`<protection><sekretessmarkering/><skyddadFolkbokforing/></protection>`, true, true},
	} {
		for _, order := range []string{tc.protection + addressXML, addressXML + tc.protection} {
			c, _ := fake(t, func(w http.ResponseWriter, req Request, _ []byte) {
				raw(http.StatusOK, responseXML(req.CaseID, personXML(req.Number, order)))(w, req, nil)
			})
			p, err := c.Lookup(context.Background(), adultNo, "case-1")
			if err != nil {
				t.Fatalf("%s: %v", order, err)
			}
			if p.Address != nil {
				t.Errorf("%s: the client kept the address of a protected person", order)
			}
			if !p.Protected() || p.Sekretessmarkering != tc.sekretess || p.SkyddadFolkbokforing != tc.skydd {
				t.Errorf("%s: markings %v %v, want %v %v", order, p.Sekretessmarkering, p.SkyddadFolkbokforing, tc.sekretess, tc.skydd)
			}
			if s := fmt.Sprintf("%+v", *p); strings.Contains(s, "Hemliga") || strings.Contains(s, "999 42") || strings.Contains(s, "Gömstaden") {
				t.Errorf("%s: address text survives in the person: %s", order, s)
			}
		}
	}
	// The control: the same address for an unprotected person is kept.
	c, _ := fake(t, func(w http.ResponseWriter, req Request, _ []byte) {
		raw(http.StatusOK, responseXML(req.CaseID, personXML(req.Number, addressXML)))(w, req, nil)
	})
	p, err := c.Lookup(context.Background(), adultNo, "case-1")
	if err != nil || p.Address == nil || p.Address.City != "Gömstaden" || p.Protected() {
		t.Fatalf("unprotected person: %+v, %v", p, err)
	}
}

// TestErrors: how answers map to errors.
func TestErrors(t *testing.T) {
	errDoc := func(code Code) string { return string(EncodeError(code, "message")) }
	found := func(w http.ResponseWriter, req Request, b []byte) { echo(samplePerson())(w, req, b) }
	tests := []struct {
		name      string
		answer    func(http.ResponseWriter, Request, []byte)
		code      Code
		notFound  bool
		retryable bool
	}{
		{"not found", raw(404, errDoc(CodeNotFound)), CodeNotFound, true, false},
		{"bare 404", raw(404, "404 page not found"), CodeBadResponse, false, false},
		{"404 with another code", raw(404, errDoc(CodeForbidden)), CodeBadResponse, false, false},
		{"NOT_FOUND with 200", raw(200, errDoc(CodeNotFound)), CodeBadResponse, false, false},
		{"invalid request", raw(400, errDoc(CodeInvalidRequest)), CodeInvalidRequest, false, false},
		{"method not allowed", raw(405, errDoc(CodeInvalidRequest)), CodeInvalidRequest, false, false},
		{"forbidden", raw(403, errDoc(CodeForbidden)), CodeForbidden, false, false},
		{"unavailable", raw(503, errDoc(CodeUnavailable)), CodeUnavailable, false, true},
		{"503 without body", raw(503, ""), CodeUnavailable, false, true},
		{"429", raw(429, "slow down"), CodeUnavailable, false, true},
		{"internal", raw(500, errDoc(CodeInternal)), CodeInternal, false, true},
		{"502 from a proxy", raw(502, "<html>bad gateway</html>"), CodeInternal, false, true},
		{"503 too large", raw(503, strings.Repeat(" ", MaxResponseBytes+1)), CodeUnavailable, false, true},
		{"200 garbage", raw(200, "<LookupResponse"), CodeBadResponse, false, false},
		{"200 empty", raw(200, ""), CodeBadResponse, false, false},
		{"200 too large", raw(200, responseXML("case-1", personXML(adultNo, ""))+strings.Repeat(" ", MaxResponseBytes)), CodeBadResponse, false, false},
		{"200 other person", raw(200, responseXML("case-1", personXML(otherNo, ""))), CodeBadResponse, false, false},
		{"200 other case", func(w http.ResponseWriter, req Request, b []byte) {
			raw(200, responseXML("case-2", personXML(req.Number, "")))(w, req, b)
		}, CodeBadResponse, false, false},
		{"200 empty protection", func(w http.ResponseWriter, req Request, b []byte) {
			raw(200, responseXML(req.CaseID, personXML(req.Number, "<protection/>")))(w, req, b)
		}, CodeBadResponse, false, false},
		{"302 redirect", func(w http.ResponseWriter, req Request, b []byte) {
			w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
			w.WriteHeader(http.StatusTemporaryRedirect)
		}, CodeBadResponse, false, false},
		{"ok", found, "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, rec := fake(t, tc.answer)
			p, err := c.Lookup(context.Background(), adultNo, "case-1")
			if tc.code == "" {
				if err != nil || p == nil {
					t.Fatalf("Lookup: %v", err)
				}
				return
			}
			checkError(t, p, err, tc.code, tc.notFound, tc.retryable)
			if len(rec.requests) != 1 {
				t.Errorf("%d requests reached the service, want 1 (no redirects followed, no retries)", len(rec.requests))
			}
		})
	}
}

func checkError(t *testing.T, p *Person, err error, code Code, notFound, retryable bool) {
	t.Helper()
	if p != nil {
		t.Errorf("a person with the error: %+v", *p)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Code != code {
		t.Errorf("code %s, want %s (%v)", e.Code, code, err)
	}
	if errors.Is(err, ErrNotFound) != notFound {
		t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v", !notFound, notFound)
	}
	if IsRetryable(err) != retryable {
		t.Errorf("IsRetryable = %v, want %v (%v)", !retryable, retryable, err)
	}
	noNumberIn(t, "error text", err.Error())
}

func TestTransportErrors(t *testing.T) {
	// Nothing listens: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := NewClient(Config{URL: "http://" + addr + "/", OrgNumber: testOrg, Purpose: "p"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Lookup(context.Background(), adultNo, "case-1")
	checkError(t, p, err, CodeTransport, false, true)

	// The connection breaks in the middle of the body.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: 1000\r\n\r\n<LookupResponse", ContentType)
		buf.Flush()
	}))
	defer srv.Close()
	c, _ = NewClient(Config{URL: srv.URL, OrgNumber: testOrg, Purpose: "p"})
	p, err = c.Lookup(context.Background(), adultNo, "case-1")
	checkError(t, p, err, CodeTransport, false, true)

	// A slow service: the HTTP client's timeout is retryable, the caller
	// cancelling is not.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client going away
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	c, _ = NewClient(Config{URL: slow.URL, OrgNumber: testOrg, Purpose: "p", HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	p, err = c.Lookup(context.Background(), adultNo, "case-1")
	checkError(t, p, err, CodeTransport, false, true)

	c, _ = NewClient(Config{URL: slow.URL, OrgNumber: testOrg, Purpose: "p"})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	p, err = c.Lookup(ctx, adultNo, "case-1")
	checkError(t, p, err, CodeTransport, false, false)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled lookup: %v does not wrap context.Canceled", err)
	}
}

func TestLookupRefusesBadInput(t *testing.T) {
	c, rec := fake(t, echo(samplePerson()))
	for _, caseID := range []string{"", "-leading", "has space", strings.Repeat("a", 65), "åäö", "a\nb", "a<b"} {
		p, err := c.Lookup(context.Background(), adultNo, caseID)
		checkError(t, p, err, CodeInvalidRequest, false, false)
	}
	p, err := c.Lookup(context.Background(), personnummer.Number{}, "case-1")
	checkError(t, p, err, CodeInvalidRequest, false, false)
	if len(rec.requests) != 0 {
		t.Errorf("%d invalid requests were sent", len(rec.requests))
	}
}

func TestNewClient(t *testing.T) {
	ok := Config{URL: "https://navet.example/lookup", OrgNumber: testOrg, Purpose: "Handläggning av ekonomiskt bistånd"}
	if _, err := NewClient(ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	plain := ok
	plain.OrgNumber = "2120000001"
	if c, err := NewClient(plain); err != nil || c.org != "2120000001" {
		t.Fatalf("org number without hyphen: %v", err)
	}
	for name, mutate := range map[string]func(*Config){
		"no URL":            func(c *Config) { c.URL = "" },
		"relative URL":      func(c *Config) { c.URL = "/lookup" },
		"ftp URL":           func(c *Config) { c.URL = "ftp://navet.example/" },
		"no org number":     func(c *Config) { c.OrgNumber = "" },
		"org check digit":   func(c *Config) { c.OrgNumber = "212000-0002" },
		"org hyphen placed": func(c *Config) { c.OrgNumber = "2120-000001" },
		"org two hyphens":   func(c *Config) { c.OrgNumber = "212000--0001" },
		"org letters":       func(c *Config) { c.OrgNumber = "21200O-0001" },
		"no purpose":        func(c *Config) { c.Purpose = "" },
		"long purpose":      func(c *Config) { c.Purpose = strings.Repeat("x", 201) },
		"purpose newline":   func(c *Config) { c.Purpose = "a\nb" },
		"purpose padded":    func(c *Config) { c.Purpose = "a " },
	} {
		cfg := ok
		mutate(&cfg)
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("%s: NewClient accepted it", name)
		}
	}
	// The caller's HTTP client is not changed.
	hc := &http.Client{}
	cfg := ok
	cfg.HTTPClient = hc
	if _, err := NewClient(cfg); err != nil || hc.CheckRedirect != nil {
		t.Errorf("NewClient changed the caller's http.Client (%v)", err)
	}
}

func TestParseRequestRefuses(t *testing.T) {
	good := string(encodeRequest(Request{OrgNumber: "2120000001", CaseID: "case-1", Purpose: "p", Number: adultNo}))
	if _, err := ParseRequest([]byte(good)); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	badCheck := adultNo.String()[:11] + string(rune('0'+(adultNo.String()[11]-'0'+1)%10))
	for name, doc := range map[string]string{
		"empty":            "",
		"not XML":          "personId=" + adultNo.String(),
		"truncated":        good[:len(good)/2],
		"other namespace":  strings.Replace(good, Namespace, "urn:other", 1),
		"no namespace":     strings.Replace(good, ` xmlns="`+Namespace+`"`, "", 1),
		"bad check digit":  strings.Replace(good, adultNo.String(), badCheck, 1),
		"ten-digit number": strings.Replace(good, adultNo.String(), adultNo.String()[2:], 1),
		"bad org number":   strings.Replace(good, "2120000001", "2120000002", 1),
		"no purpose":       strings.Replace(good, "<purpose>p</purpose>", "", 1),
		"two purposes":     strings.Replace(good, "<purpose>p</purpose>", "<purpose>p</purpose><purpose>q</purpose>", 1),
		"bad case id":      strings.Replace(good, "case-1", "case 1", 1),
		"unknown element":  strings.Replace(good, "<purpose>", "<extra/><purpose>", 1),
		"child in text":    strings.Replace(good, "<purpose>p</purpose>", "<purpose>p<b/></purpose>", 1),
		"trailing element": good + "<LookupRequest/>",
		"trailing text":    good + "x",
		"too large":        good + strings.Repeat(" ", MaxRequestBytes),
	} {
		_, err := ParseRequest([]byte(doc))
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidRequest {
			t.Errorf("%s: ParseRequest gave %v, want an INVALID_REQUEST *Error", name, err)
			continue
		}
		noNumberIn(t, name, err.Error())
	}
}

// TestRequestBodyIsTheOnlyCarrier: the number travels in the body only,
// never in the URL or a header.
func TestRequestBodyIsTheOnlyCarrier(t *testing.T) {
	c, rec := fake(t, echo(samplePerson()))
	if _, err := c.Lookup(context.Background(), adultNo, "case-1"); err != nil {
		t.Fatal(err)
	}
	r := rec.requests[0]
	var sb strings.Builder
	sb.WriteString(r.URL.String())
	for k, v := range r.Header {
		sb.WriteString(k + ": " + strings.Join(v, ",") + "\n")
	}
	for _, form := range []string{adultNo.String(), adultNo.Formatted(), adultNo.String()[2:]} {
		if strings.Contains(sb.String(), form) {
			t.Errorf("the number appears outside the body: %q", digitRun.ReplaceAllString(sb.String(), "#"))
		}
	}
}
