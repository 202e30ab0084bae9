package payment

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The schemas, copied from the official ISO 20022 ones (testdata/README.md).
const (
	pain001XSD = "testdata/pain.001.001.10.xsd"
	pain002XSD = "testdata/pain.002.001.11.xsd"
)

// xsdMessages validates every document against schema with xmllint and
// returns, per document, xmllint's complaints ("" when it validates). A
// missing xmllint fails the test: validation is never skipped.
func xsdMessages(t testing.TB, schema string, docs [][]byte) []string {
	t.Helper()
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint (Debian package libxml2-utils) is required to validate against %s and was not found: %v", schema, err)
	}
	if _, err := os.Stat(schema); err != nil {
		t.Fatalf("schema missing: %v", err)
	}
	if len(docs) == 0 {
		t.Fatal("no documents to validate")
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
			if strings.Contains(text, files[i]+" validates") {
				continue
			}
			for _, line := range strings.Split(text, "\n") {
				if strings.HasPrefix(line, files[i]) {
					out[i] += strings.TrimPrefix(line, files[i]) + "\n"
				}
			}
			if out[i] == "" {
				out[i] = "did not validate\n"
			}
		}
	}
	return out
}

// requireValid fails the test for every document that does not validate.
func requireValid(t testing.TB, schema string, names []string, docs [][]byte) {
	t.Helper()
	for i, msg := range xsdMessages(t, schema, docs) {
		if msg != "" {
			t.Errorf("%s does not validate against %s:\n%s", names[i], filepath.Base(schema), msg)
		}
	}
}

// TestXSDCheckCatchesInvalid makes sure the validation above can fail: a
// document missing a required element must not pass.
func TestXSDCheckCatchesInvalid(t *testing.T) {
	bad := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.10"><CstmrCdtTrfInitn><GrpHdr><MsgId>x</MsgId></GrpHdr></CstmrCdtTrfInitn></Document>`)
	badAmount := goldenFile(t)
	badAmount = []byte(strings.Replace(string(badAmount), `Ccy="SEK">`, `Ccy="SEK">-`, 1))
	for i, msg := range xsdMessages(t, pain001XSD, [][]byte{bad, badAmount}) {
		if msg == "" {
			t.Errorf("invalid document %d validates", i)
		}
	}
}
