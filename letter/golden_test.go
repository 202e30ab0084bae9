package letter

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// TestGolden renders every golden case and compares the text extracted from
// the PDF, the HTML and the PDF's SHA-256 with testdata/golden. Run with
// -update to rewrite them after an intended change, and read the diff:
//
//	go test ./letter -run TestGolden -update
func TestGolden(t *testing.T) {
	cases := goldenCases(t)
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	slices.Sort(names)
	if *update {
		if err := os.MkdirAll(filepath.Join("testdata", "golden"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			r, err := Render(cases[name])
			if err != nil {
				t.Fatal(err)
			}
			again, err := Render(cases[name])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.PDF, again.PDF) || !bytes.Equal(r.HTML, again.HTML) {
				t.Fatal("rendering twice gave different bytes")
			}
			files := map[string][]byte{
				".txt":        []byte(pdfText(t, r.PDF)),
				".html":       r.HTML,
				".pdf.sha256": []byte(r.PDFSHA256 + "\n"),
			}
			for ext, got := range files {
				path := filepath.Join("testdata", "golden", name+ext)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./letter -run TestGolden -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden file; run with -update and review the diff\n--- got ---\n%s", path, got)
				}
			}
		})
	}
}
