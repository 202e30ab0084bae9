package rules

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// benchHouseholds returns the rule cases as parsed households: a mix of
// sizes, caps, jobbstimulans, child earnings and every year.
func benchHouseholds(b *testing.B) ([]*Household, [][]byte) {
	b.Helper()
	files, err := filepath.Glob("testdata/cases/*.json")
	if err != nil || len(files) == 0 {
		b.Fatal("no cases")
	}
	var hs []*Household
	var raw [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		h, err := ParseHouseholdBytes(data)
		if err != nil {
			b.Fatal(err)
		}
		hs = append(hs, h)
		raw = append(raw, data)
	}
	return hs, raw
}

// BenchmarkCalculate reports household-months per second for the engine
// alone, with and without the explanation trace. Run with -cpu 1 for the
// per-core figure recorded in docs/performance.md.
func BenchmarkCalculate(b *testing.B) {
	hs, _ := benchHouseholds(b)
	e := Default()
	for _, bc := range []struct {
		name  string
		trace bool
	}{{"trace", true}, {"notrace", false}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := e.Calculate(hs[i%len(hs)], Options{Trace: bc.trace}); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "households/s")
		})
	}
}

// BenchmarkCalcJSON is what `bistand calc` does per household: parse the
// JSON, calculate with the trace and encode the result.
func BenchmarkCalcJSON(b *testing.B) {
	_, raw := benchHouseholds(b)
	e := Default()
	var buf bytes.Buffer
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		h, err := ParseHouseholdBytes(raw[i%len(raw)])
		if err != nil {
			b.Fatal(err)
		}
		res, err := e.Calculate(h, Options{Trace: true})
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		if err := json.NewEncoder(&buf).Encode(res); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "households/s")
}
