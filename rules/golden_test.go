package rules

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// calcFile parses and calculates one case file with the trace.
func calcFile(t *testing.T, path string) *Result {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseHouseholdBytes(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	res, err := Default().Calculate(h, Options{Trace: true})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return res
}

func marshalResult(t *testing.T, res *Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGolden calculates every case in testdata/cases and compares the JSON
// result and the Swedish text explanation with testdata/golden. Run with
// -update to rewrite them after an intended change, and read the diff.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/cases/*.json")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	if *update {
		os.MkdirAll("testdata/golden", 0o755)
	}
	for _, c := range cases {
		name := strings.TrimSuffix(filepath.Base(c), ".json")
		t.Run(name, func(t *testing.T) {
			res := calcFile(t, c)
			var text bytes.Buffer
			if err := WriteText(&text, res); err != nil {
				t.Fatal(err)
			}
			for ext, got := range map[string][]byte{".json": marshalResult(t, res), ".txt": text.Bytes()} {
				path := filepath.Join("testdata/golden", name+ext)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./rules -run TestGolden -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden file; run with -update and review the diff\n--- got ---\n%s", path, got)
				}
			}
		})
	}
}
