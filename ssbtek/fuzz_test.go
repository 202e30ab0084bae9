package ssbtek

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/ssbtek/sim"
)

// simResponses returns the simulator's answers about a few people, as
// seeds.
func simResponses(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	h := sim.NewSSBTEK(pop, sim.Options{Now: func() bistand.Date { return simNow }})
	capture := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		out = append(out, rec.Body.Bytes())
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
	srv := httptest.NewServer(capture)
	defer srv.Close()
	cfg := baseCfg
	cfg.URL = srv.URL
	c := NewClient(cfg)
	count := 0
	for i := 0; i < pop.Size() && count < 6; i += 37 {
		hh := pop.Household(i)
		for _, m := range hh.Members {
			c.Fetch(context.Background(), request(m.Number))
			count++
		}
	}
	c.Test(context.Background())
	return out
}

func fixtures(f *testing.F) [][]byte {
	f.Helper()
	files, _ := filepath.Glob(filepath.Join(contractDir, "fixture", "*.xml"))
	var out [][]byte
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// embedded returns the base64 payloads of elem in docs, decoded.
func embedded(docs [][]byte, elem string) [][]byte {
	re := regexp.MustCompile(`<ssbt:` + elem + `>([^<]*)</ssbt:` + elem + `>`)
	var out [][]byte
	for _, d := range docs {
		for _, m := range re.FindAllSubmatch(d, -1) {
			if b, err := base64.StdEncoding.DecodeString(string(m[1])); err == nil {
				out = append(out, b)
			}
		}
	}
	return out
}

func checkAnswer(t *testing.T, a *Answer) {
	for src, sa := range a.Sources {
		if sa == nil || sa.Source != src {
			t.Fatalf("source %s: %+v", src, sa)
		}
		if sa.Err != nil && (sa.Payments != nil || sa.AF != nil || sa.CSN != nil || sa.Vehicles != nil) {
			t.Fatalf("source %s has an error and data", src)
		}
		checkPayments(t, append(append([]Payment{}, sa.Payments...), sa.Planned...))
		checkDecisionValues(t, sa.Decisions)
	}
}

// checkDecisionValues checks what any decision read must be: of FK or PM,
// of a benefit, with amounts in range over periods that do not end before
// they start, and with a frequency of LEFI's.
func checkDecisionValues(t *testing.T, ds []Decision) {
	for _, d := range ds {
		if (d.Source != FK && d.Source != PM) || d.Benefit == "" {
			t.Fatalf("decision %+v", d)
		}
		for _, a := range d.Amounts {
			if a.Gross > bistand.MaxMoney || a.Gross < -bistand.MaxMoney || a.Days < 0 {
				t.Fatalf("amount out of range in %+v", d)
			}
			if !a.From.IsZero() && !a.To.IsZero() && a.To.Before(a.From) {
				t.Fatalf("a period ending before it starts in %+v", d)
			}
			if a.Frequency != "" && !pmFrequencies[a.Frequency] {
				t.Fatalf("frequency %q", a.Frequency)
			}
		}
	}
}

func checkPayments(t *testing.T, ps []Payment) {
	refs := map[string]bool{}
	for _, p := range ps {
		if p.PaidOn.IsZero() || p.Benefit == "" || p.Reference == "" || refs[p.Reference] {
			t.Fatalf("payment %+v", p)
		}
		refs[p.Reference] = true
		for _, m := range []bistand.Money{p.Gross, p.Tax, p.Net} {
			if m > bistand.MaxMoney || m < -bistand.MaxMoney {
				t.Fatalf("amount out of range in %+v", p)
			}
		}
	}
}

func FuzzParseAnswer(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add(b)
	}
	for _, b := range simResponses(f) {
		f.Add(b)
	}
	f.Add(envelopeOf(`<ssbt:AF><ssbt:error><ssbt:kalla>BT</ssbt:kalla><ssbt:felkod>1</ssbt:felkod><ssbt:felmeddelande>x</ssbt:felmeddelande></ssbt:error></ssbt:AF>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if a, err := ParseAnswer(body); err == nil {
			if a == nil || a.Sources == nil {
				t.Fatal("nil answer without an error")
			}
			checkAnswer(t, a)
		} else if a != nil {
			t.Fatal("an answer and an error")
		}
		if res, err := parseTestAnswer(body); err == nil && res == nil {
			t.Fatal("nil test answer without an error")
		}
	})
}

func FuzzLEFI(f *testing.F) {
	for _, b := range embedded(append(fixtures(f), simResponses(f)...), "lefiJsonSvar") {
		f.Add(b)
	}
	f.Add([]byte(`{"avvikelser":[],"utbetalningar":[{"utbetalningsdatum":"2024-01-19","nettobelopp":9076,"avdrag":[{"belopp":1,"avdragstyp":{"kod":"PM:PS"}}],"utbetalningsrader":[{"formansgrupp":{"kod":"PM:AP"},"belopp":2}]}]}`))
	f.Add([]byte(`{"formansinformation":{"utbetalningsuppgift":[{"foretag":{"id":1003},"formansfamilj":{"id":"AP"},"datum":"2024-03-19","period":{"fran":"2024-02","till":"2024-02-29"},"nettobelopp":{"summa":1.25e2,"valuta":"SEK"}}]}}`))
	// Decisions of both models (the simulator's answers above carry them
	// too).
	f.Add([]byte(`{"formansinformation":{"bostadsbidragsarende":[{"avslaget":true,"beslut":[{"fattades":"2024-01-10","definitivt":true,"forman":{"id":"BOB"},"delforman":{"id":"X"},"periodicitet":{"id":1},"period":{"fran":"2024-02","till":"2024-03"},"beslutatBruttobelopp":{"summa":1.5e3,"valuta":"SEK"},"dagar":3}]}],` +
		`"sjukpenningarende":[{"beslut":[{"fattades":"2024-02-01","period":{"fran":"2024-02-01","till":"2024-02-02"},"beslutstyp":"SLUTLIGT","beslutsutfall":"AVSLAG","ersattningsdagar":[{"ersattningsbelopp":{"summa":10.01}},{"ersattningsbelopp":{"summa":9.99}}]}]}],` +
		`"foraldrapenningarende":[{"beslut":[{"ersattningsdagar":[{"dag":"2024-02-01","bruttobelopp":{"summa":700}}]}]}]},` +
		`"beslut":[{"beslutsid":"1","beslutsdatum":"2024-01-01","formansgrupp":{"kod":"PM:AP"},"beslutsstatus":{"kod":"SLUTLIGT"},"beslutsutfall":{"kod":"BIFALL"},"beslutadErsattning":[{"beslutatBelopp":{"belopp":9000,"beloppsfrekvens":{"kod":"MANAD"}},"period":{"from":"2024-01-01","tom":"2024-12-31"},"ersattningstyp":{"kod":"PM:IP"}}]}]}`))
	f.Fuzz(func(t *testing.T, js []byte) {
		sa := &SourceAnswer{Source: FK}
		if err := parseLEFI(sa, js); err == nil {
			checkPayments(t, append(append([]Payment{}, sa.Payments...), sa.Planned...))
			checkDecisionValues(t, sa.Decisions)
		}
	})
}

func FuzzCSN(f *testing.F) {
	for _, b := range embedded(append(fixtures(f), simResponses(f)...), "svar") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, x []byte) {
		sa := &SourceAnswer{Source: CSN}
		if err := parseCSN(sa, x); err == nil {
			if sa.CSN == nil {
				t.Fatal("no status without an error")
			}
			checkPayments(t, append(append([]Payment{}, sa.Payments...), sa.Planned...))
		}
	})
}

func FuzzSKV(f *testing.F) {
	re := regexp.MustCompile(`(?s)<svar><!\[CDATA\[(.*?)\]\]></svar>`)
	for _, d := range append(fixtures(f), simResponses(f)...) {
		for _, m := range re.FindAllSubmatch(d, -1) {
			f.Add(m[1])
		}
	}
	f.Fuzz(func(t *testing.T, x []byte) {
		sa := &SourceAnswer{Source: SKV}
		parseSKV(sa, x)
	})
}

// The parsers refuse input beyond 16 MiB without reading it as a document.
func TestInputBounded(t *testing.T) {
	big := []byte(strings.Repeat(" ", maxBody+1))
	if _, err := ParseAnswer(big); err == nil {
		t.Error("ParseAnswer read 16 MiB + 1")
	}
	if err := parseLEFI(&SourceAnswer{}, big); err == nil {
		t.Error("parseLEFI read 16 MiB + 1")
	}
	if err := parseCSN(&SourceAnswer{}, big); err == nil {
		t.Error("parseCSN read 16 MiB + 1")
	}
	if _, err := decodeBase64(string(big)); err == nil {
		t.Error("decodeBase64 read 16 MiB + 1")
	}
	// A body larger than 16 MiB is not read past the bound.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		chunk := []byte(strings.Repeat(" ", 1<<20))
		for range 64 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	cfg := baseCfg
	cfg.URL = srv.URL
	if _, err := NewClient(cfg).Fetch(context.Background(), request(tolvan)); err == nil || !strings.Contains(err.Error(), "16 MiB") {
		t.Errorf("a 64 MiB response: %v", err)
	}
}
