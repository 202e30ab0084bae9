// Package xsdcheck validates documents against the contract's schema
// (navet/schema/navet-1.xsd) with xmllint, for the tests of navet and
// navet/sim (internal/xsdcheck does the validating). A missing xmllint
// fails the test: it is never skipped.
package xsdcheck

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/bistand/bistand/internal/xsdcheck"
)

// SchemaPath returns the path of navet-1.xsd.
func SchemaPath(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("xsdcheck: cannot locate the schema")
	}
	p := filepath.Join(filepath.Dir(file), "..", "..", "schema", "navet-1.xsd")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("xsdcheck: schema missing: %v", err)
	}
	return p
}

// Valid fails the test for every document that does not validate against
// navet-1.xsd; names label the documents in the messages.
func Valid(t testing.TB, names []string, docs [][]byte) {
	t.Helper()
	xsdcheck.Valid(t, SchemaPath(t), names, docs)
}

// Invalid fails the test for every document that validates against
// navet-1.xsd although it should not.
func Invalid(t testing.TB, names []string, docs [][]byte) {
	t.Helper()
	xsdcheck.Invalid(t, SchemaPath(t), names, docs)
}
