package payment

import (
	"strings"
	"testing"

	"github.com/bistand/bistand/internal/xsdcheck"
)

// The schemas, copied from the official ISO 20022 ones (testdata/README.md).
const (
	pain001XSD = "testdata/pain.001.001.10.xsd"
	pain002XSD = "testdata/pain.002.001.11.xsd"
)

// requireValid fails the test for every document that does not validate.
func requireValid(t testing.TB, schema string, names []string, docs [][]byte) {
	t.Helper()
	xsdcheck.Valid(t, schema, names, docs)
}

// TestXSDCheckCatchesInvalid makes sure the validation above can fail: a
// document missing a required element must not pass.
func TestXSDCheckCatchesInvalid(t *testing.T) {
	bad := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.10"><CstmrCdtTrfInitn><GrpHdr><MsgId>x</MsgId></GrpHdr></CstmrCdtTrfInitn></Document>`)
	badAmount := goldenFile(t)
	badAmount = []byte(strings.Replace(string(badAmount), `Ccy="SEK">`, `Ccy="SEK">-`, 1))
	for i, msg := range xsdcheck.Messages(t, pain001XSD, [][]byte{bad, badAmount}) {
		if msg == "" {
			t.Errorf("invalid document %d validates", i)
		}
	}
}
