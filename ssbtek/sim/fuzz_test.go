package sim

import (
	"bytes"
	"net/http"
	"testing"
)

// FuzzHandler: whatever it is sent, the simulator answers with a response
// of the contract (200), a SOAP fault (500) or 503, and never panics.
func FuzzHandler(f *testing.F) {
	h := newSim(Options{SourceFailureRate: 100, FailureRate: 50})
	pnr := "199602178155"
	f.Add([]byte(defaults(pnr).xml()))
	p := defaults(pnr)
	p.include = map[string]bool{"FK": true}
	p.lefi = `{"personnummer":"199602178155","period":{"from":"2024-01-01","tom":"2024-03-31"},"utbetalningar":["PM:AP"],"ovrigInformation":["FK:GEPI"]}`
	f.Add([]byte(p.xml()))
	f.Add([]byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><s:testaBastjanstInformation xmlns:s="http://schema.forsakringskassan.se/integration/ssbt/10"/></soapenv:Body></soapenv:Envelope>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		w := post(h, string(body))
		switch w.Code {
		case http.StatusOK:
			if !bytes.Contains(w.Body.Bytes(), []byte("Response>")) {
				t.Fatalf("200 without a response: %s", w.Body)
			}
		case http.StatusInternalServerError:
			if !bytes.Contains(w.Body.Bytes(), []byte("<soap:Fault>")) {
				t.Fatalf("500 without a fault: %s", w.Body)
			}
		case http.StatusServiceUnavailable:
		default:
			t.Fatalf("status %d", w.Code)
		}
	})
}
