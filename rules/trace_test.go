package rules_test

// Regression tests for string parameters in the trace, found by
// FuzzCalcJSON (testdata/fuzz/FuzzCalcJSON/bb4241ab6cec4af1): they were
// once written with Go escapes (\x00), which are not JSON.

import (
	"encoding/json"
	"testing"

	"github.com/bistand/bistand/rules"
)

func TestResultJSONWithControlCharactersInMotivation(t *testing.T) {
	for _, motivation := range []string{"\x00", "a\ab", "x\x7f", "\U000E0001", "\u001b[31m"} {
		in, _ := json.Marshal(motivation)
		input := `{"month":"2026-01","members":[{"id":"a","role":"applicant"}],` +
			`"costs":[{"type":"other","amount":100,"motivation":` + string(in) + `}]}`
		h, err := rules.ParseHouseholdBytes([]byte(input))
		if err != nil {
			t.Fatalf("%s: %v", input, err)
		}
		r, err := rules.Default().Calculate(h, rules.Options{Trace: true})
		if err != nil {
			t.Fatalf("%s: %v", input, err)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Errorf("motivation %q: the result does not marshal: %v", motivation, err)
		}
	}
}

// A string parameter must marshal to valid JSON
// that decodes back to the string.
func TestStringParamMarshalsToValidJSON(t *testing.T) {
	for _, s := range []string{"\x00", "\a", "\x7f", "\U000E0001", "\xff"} {
		b, err := rules.Params{rules.StringParam("motivation", s)}.MarshalJSON()
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if !json.Valid(b) {
			t.Errorf("StringParam(%q) marshals to invalid JSON %s", s, b)
			continue
		}
		var back map[string]string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("%q: %s: %v", s, b, err)
		} else if s != "\xff" && back["motivation"] != s {
			t.Errorf("StringParam(%q) decodes back as %q", s, back["motivation"])
		}
	}
}
