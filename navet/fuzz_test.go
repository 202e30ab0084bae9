package navet

// Fuzz tests of the two parsers. Run longer with
//
//	go test -run='^$' -fuzz='^FuzzInterpret$' -fuzztime=50000x ./navet
//	go test -run='^$' -fuzz='^FuzzParseRequest$' -fuzztime=50000x ./navet

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzInterpret feeds the client's handling of an HTTP answer (status and
// body) arbitrary input. It must never panic, must return a person or an
// *Error (never both), must refuse bodies over MaxResponseBytes, must never
// give a protected person an address, and must never put digits that could
// be a personnummer into an error. A person it accepts must survive being
// written and read again unchanged.
func FuzzInterpret(f *testing.F) {
	full, _ := EncodeResponse("case-1", samplePerson())
	f.Add(200, full)
	prot := samplePerson()
	prot.Sekretessmarkering, prot.SkyddadFolkbokforing = true, true
	b, _ := EncodeResponse("case-1", prot)
	f.Add(200, b)
	f.Add(200, []byte(responseXML("case-1", personXML(adultNo, `<protection><skyddadFolkbokforing/></protection>`+addressXML))))
	f.Add(200, []byte(responseXML("case-1", personXML(adultNo, addressXML+`<protection><sekretessmarkering/></protection><relation kind="child"><personId>`+childNo.String()+`</personId></relation>`))))
	f.Add(200, []byte(responseXML("case-1", personXML(adultNo, `<protection/>`+addressXML))))
	f.Add(200, []byte(responseXML("case-1", strings.Replace(personXML(adultNo, ""), "<birthDate>", "<birthDate><![CDATA[ ", 1))))
	f.Add(200, []byte(`<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><LookupResponse xmlns="urn:bistand:navet:1">&a;</LookupResponse>`))
	f.Add(200, []byte(strings.Repeat("<a>", 100)))
	for code := range statusOf {
		f.Add(StatusOf(code), EncodeError(code, "message "+adultNo.String()))
	}
	f.Add(404, []byte("404 page not found"))
	f.Add(503, []byte(""))
	f.Add(429, []byte("x"))

	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 100 + (status%900+900)%900 // an HTTP status: three digits
		}
		p, err := interpret(status, body, adultNo, "case-1")
		if (p == nil) == (err == nil) {
			t.Fatalf("person %v and error %v", p, err)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error", err)
			}
			if digitRun.MatchString(err.Error()) {
				t.Fatalf("error text holds a run of digits: %q", err.Error())
			}
			if errors.Is(err, ErrNotFound) && status != 404 {
				t.Fatalf("not found with HTTP %d", status)
			}
			return
		}
		if status != 200 || len(body) > MaxResponseBytes {
			t.Fatalf("a person from HTTP %d with %d bytes", status, len(body))
		}
		if p.Number != adultNo {
			t.Fatal("a person other than the one asked for")
		}
		if p.Protected() && p.Address != nil {
			t.Fatal("a protected person with an address")
		}
		again, err := EncodeResponse("case-1", *p)
		if err != nil {
			t.Fatalf("an accepted person cannot be written: %v", err)
		}
		q, err := interpret(200, again, adultNo, "case-1")
		if err != nil {
			t.Fatalf("an accepted person, written, cannot be read: %v", err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the person:\n%#v\n%#v", *p, *q)
		}
	})
}

// FuzzParseRequest feeds the service side's request parser arbitrary input:
// no panic, an INVALID_REQUEST *Error without digits, or a request that is
// written and read back unchanged.
func FuzzParseRequest(f *testing.F) {
	f.Add(encodeRequest(Request{OrgNumber: "2120000001", CaseID: "case-1", Purpose: testPurpose, Number: adultNo}))
	f.Add(encodeRequest(Request{OrgNumber: "2120000001", CaseID: "a/b:c", Purpose: "p", Number: coordNo}))
	f.Add([]byte(`<LookupRequest xmlns="urn:bistand:navet:1"><requester/></LookupRequest>`))
	f.Add([]byte("<"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseRequest(body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidRequest {
				t.Fatalf("error %v is not an INVALID_REQUEST *Error", err)
			}
			if digitRun.MatchString(err.Error()) {
				t.Fatalf("error text holds a run of digits: %q", err.Error())
			}
			return
		}
		if len(body) > MaxRequestBytes {
			t.Fatalf("accepted %d bytes", len(body))
		}
		again, err := ParseRequest(encodeRequest(r))
		if err != nil || again != r {
			t.Fatalf("round trip: %#v, %v; want %#v", again, err, r)
		}
	})
}
