package navet

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/bistand/bistand/navet/internal/xsdcheck"
)

// TestDocExamplesValidate: the whole-document examples in docs/navet.md
// validate against the schema, and the client reads the response example.
func TestDocExamplesValidate(t *testing.T) {
	b, err := os.ReadFile("../docs/navet.md")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var docs [][]byte
	for i, m := range regexp.MustCompile("(?s)```xml\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		doc := m[1]
		if !strings.HasPrefix(doc, "<?xml") && !strings.HasPrefix(doc, "<Error") {
			continue // a fragment
		}
		names, docs = append(names, fmt.Sprintf("docs/navet.md example %d", i)), append(docs, []byte(doc))
		if strings.Contains(doc, "<LookupResponse") {
			if _, p, err := decodeResponse([]byte(doc)); err != nil || p.Address == nil || len(p.Relations) != 2 {
				t.Errorf("the response example does not read as documented: %v", err)
			}
		}
		if strings.Contains(doc, "<LookupRequest") {
			if _, err := ParseRequest([]byte(doc)); err != nil {
				t.Errorf("the request example does not parse: %v", err)
			}
		}
	}
	if len(docs) != 3 {
		t.Fatalf("found %d whole-document examples, want 3 (request, response, error)", len(docs))
	}
	xsdcheck.Valid(t, names, docs)
}
