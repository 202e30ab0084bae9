// Package xsdcheck validates documents against the contract's schema
// (navet/schema/navet-1.xsd) with xmllint, for the tests of navet and
// navet/sim. A missing xmllint fails the test: it is never skipped.
package xsdcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
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

// xmllint returns the path of xmllint, failing the test if it is missing.
func xmllint(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint is required to validate against navet-1.xsd and was not found: %v", err)
	}
	return p
}

// digits masks runs of digits long enough to be (part of) a personnummer in
// xmllint's output before it reaches the test log. The numbers are
// synthetic, but the habit is the point.
var digits = regexp.MustCompile(`[0-9]{6,}`)

// validate runs xmllint over the documents and returns, per document, the
// validation messages ("" if it validates), and whether xmllint ran.
func validate(t testing.TB, docs [][]byte) []string {
	t.Helper()
	if len(docs) == 0 {
		t.Fatal("xsdcheck: no documents")
	}
	lint, schema := xmllint(t), SchemaPath(t)
	dir := t.TempDir()
	files := make([]string, len(docs))
	for i, d := range docs {
		files[i] = filepath.Join(dir, "doc"+strconv.Itoa(i)+".xml")
		if err := os.WriteFile(files[i], d, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := make([]string, len(docs))
	// One xmllint run per batch keeps it fast; messages name the file.
	const batch = 200
	for lo := 0; lo < len(files); lo += batch {
		hi := min(lo+batch, len(files))
		args := append([]string{"--noout", "--nonet", "--schema", schema}, files[lo:hi]...)
		cmd := exec.Command(lint, args...)
		b, err := cmd.CombinedOutput()
		if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
			t.Fatalf("xmllint did not run: %v", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			for i := lo; i < hi; i++ {
				if strings.HasPrefix(line, files[i]) && !strings.HasSuffix(line, " validates") {
					out[i] += digits.ReplaceAllString(strings.TrimPrefix(line, files[i]), "#") + "\n"
				}
			}
		}
		// Exit status 0 means every file validated; trust it over parsing.
		if err == nil {
			for i := lo; i < hi; i++ {
				out[i] = ""
			}
		} else {
			for i := lo; i < hi; i++ {
				if !strings.Contains(string(b), files[i]+" validates") && out[i] == "" {
					out[i] = "did not validate\n"
				}
			}
		}
	}
	return out
}

// Valid fails the test for every document that does not validate against
// navet-1.xsd; names label the documents in the messages.
func Valid(t testing.TB, names []string, docs [][]byte) {
	t.Helper()
	for i, msg := range validate(t, docs) {
		if msg != "" {
			t.Errorf("%s does not validate against navet-1.xsd:\n%s", names[i], msg)
		}
	}
}

// Invalid fails the test for every document that validates against
// navet-1.xsd although it should not.
func Invalid(t testing.TB, names []string, docs [][]byte) {
	t.Helper()
	for i, msg := range validate(t, docs) {
		if msg == "" {
			t.Errorf("%s validates against navet-1.xsd but must not", names[i])
		}
	}
}
