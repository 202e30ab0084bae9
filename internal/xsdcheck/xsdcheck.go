// Package xsdcheck validates XML documents against an XML schema with
// xmllint (Debian package libxml2-utils), for tests: the register contract
// (navet), the payment files (payment). A missing xmllint or schema fails
// the test: validation is never skipped.
package xsdcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// digits masks runs of digits long enough to be (part of) a personnummer in
// xmllint's output before it reaches the test log. The numbers are
// synthetic, but the habit is the point.
var digits = regexp.MustCompile(`[0-9]{6,}`)

// Messages validates every document against schema and returns, per
// document, xmllint's complaints ("" when it validates).
func Messages(t testing.TB, schema string, docs [][]byte) []string {
	t.Helper()
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint (Debian package libxml2-utils) is required to validate against %s and was not found: %v", filepath.Base(schema), err)
	}
	if _, err := os.Stat(schema); err != nil {
		t.Fatalf("xsdcheck: schema missing: %v", err)
	}
	if len(docs) == 0 {
		t.Fatal("xsdcheck: no documents")
	}
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
		b, err := exec.Command(lint, args...).CombinedOutput()
		if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
			t.Fatalf("xmllint did not run: %v", err)
		}
		text := string(b)
		for i := lo; i < hi; i++ {
			// Exit status 0 means every file validated.
			if err == nil || strings.Contains(text, files[i]+" validates") {
				continue
			}
			for _, line := range strings.Split(text, "\n") {
				if strings.HasPrefix(line, files[i]) {
					out[i] += digits.ReplaceAllString(strings.TrimPrefix(line, files[i]), "#") + "\n"
				}
			}
			if out[i] == "" {
				out[i] = "did not validate\n"
			}
		}
	}
	return out
}

// Valid fails the test for every document that does not validate against
// schema; names label the documents in the messages.
func Valid(t testing.TB, schema string, names []string, docs [][]byte) {
	t.Helper()
	for i, msg := range Messages(t, schema, docs) {
		if msg != "" {
			t.Errorf("%s does not validate against %s:\n%s", names[i], filepath.Base(schema), msg)
		}
	}
}

// Invalid fails the test for every document that validates against schema
// although it should not.
func Invalid(t testing.TB, schema string, names []string, docs [][]byte) {
	t.Helper()
	for i, msg := range Messages(t, schema, docs) {
		if msg == "" {
			t.Errorf("%s validates against %s but must not", names[i], filepath.Base(schema))
		}
	}
}
