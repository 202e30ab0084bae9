package rules_test

// Native Go fuzz tests of the JSON input and the engine behind it:
//
//	go test -run='^$' -fuzz=FuzzCalcJSON -fuzztime=20s ./rules/
//	go test -run='^$' -fuzz=FuzzHouseholdRoundTrip -fuzztime=20s ./rules/
//
// Inputs the fuzzer finds failing are kept in testdata/fuzz/<FuzzName>/ and
// replayed by every plain `go test`.

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

// exampleJSON is a copy of cmd/bistand/example.json, so the seed does not
// depend on the working directory.
const exampleJSON = `{
  "month": "2026-11",
  "municipality": "demo",
  "members": [
    {"id": "vuxen1", "role": "applicant", "birth_date": "1988-05-14"},
    {"id": "vuxen2", "role": "partner", "birth_date": "1990-02-03"},
    {"id": "barn1", "role": "child", "birth_date": "2022-08-30", "lunch_elsewhere": true},
    {"id": "barn2", "role": "child", "birth_date": "2015-01-09"}
  ],
  "costs": [
    {"type": "rent", "amount": 9400, "cap_notified": "2026-05-12"},
    {"type": "electricity", "amount": 450},
    {"type": "home_insurance", "amount": 189},
    {"type": "childcare", "amount": 320}
  ],
  "incomes": [
    {"type": "salary", "person": "vuxen2", "amount": 6150},
    {"type": "child_allowance", "amount": 2650},
    {"type": "housing_allowance", "amount": 1400}
  ],
  "months_on_assistance": 9,
  "jobbstimulans_since": "2026-04"
}`

var validSeeds = []string{
	exampleJSON,
	`{"month":"2021-09","municipality":"national","members":[{"id":"a","role":"applicant"}]}`,
	`{"month":"2014-01","members":[{"id":"a","role":"applicant","birth_date":"1970-12-31"}],"dwelling_size":3,
	  "costs":[{"type":"rent","amount":4300.01,"cap_notified":"2013-09-30"},{"type":"other","amount":12.5,"motivation":"Resa till begravning","person":"a"}]}`,
	`{"month":"2025-03","municipality":"demo","members":[
	   {"id":"mamma","role":"applicant"},{"id":"tonåring","role":"child","birth_date":"2008-03-01"},
	   {"id":"skolungdom","role":"child","birth_date":"2005-03-02","in_school":true},
	   {"id":"bebis","role":"child","birth_date":"2025-03-31","lunch_elsewhere":true}],
	 "incomes":[{"type":"salary","person":"tonåring","amount":9000,"earned_this_year":55000},
	   {"type":"salary","person":"tonåring","amount":2000},{"type":"salary","amount":15000.75},
	   {"type":"study_aid_extra","person":"skolungdom","amount":300},{"type":"disability_allowance","amount":1000}],
	 "months_on_assistance":6}`,
	`{"month":"2019-12","municipality":"national","members":[{"id":"a","role":"applicant"},{"id":"b","role":"partner","birth_date":null}],
	  "incomes":[{"type":"pension","amount":40000}],"costs":[],"jobbstimulans_since":null}`,
	`{"month":"2023-06","members":[{"id":"a","role":"applicant"},{"id":"b","role":"partner"},{"id":"c","role":"child","birth_date":"2020-06-01"}],
	  "dwelling_size":100,"costs":[{"type":"electricity","amount":1300,"cap_notified":"2023-06-30"},{"type":"rent","amount":20000}],
	  "incomes":[{"type":"salary","person":"b","amount":0.49}],"months_on_assistance":40,"jobbstimulans_since":"2021-07"}`,
	// Escapes and unusual characters in the free text a line repeats.
	`{"month":"2024-02","municipality":"national","members":[{"id":"a \"b\"","role":"applicant"}],
	  "costs":[{"type":"other","amount":100,"person":"a \"b\"","motivation":"Läkarintyg\t§ 4\u00ad \\ \"akut\" \u2028 😀"}]}`,
}

var invalidSeeds = []string{
	``,
	`{`,
	`null`,
	`[]`,
	`{}`,
	`"month"`,
	`{"month":"2026-13","members":[]}`,
	`{"month":"2026-01","members":[]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"shoe_size":42}`,
	`{"month":"2026-01","month":"2026-02","members":[{"id":"a","role":"applicant"}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"costs":[{"type":"rent","amount":-1}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"incomes":[{"type":"salary","amount":1.234}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"incomes":[{"type":"salary","amount":1e3}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}]} {}`,
	strings.Repeat("[", 40) + strings.Repeat("]", 40),
	`{"month":"2026-01","municipality":"atlantis","members":[{"id":"a","role":"applicant"}]}`,
	`{"month":"2030-01","members":[{"id":"a","role":"applicant"}]}`,
	`{"month":"2017-05","municipality":"national","members":[{"id":"a","role":"applicant"}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"},{"id":"c","role":"child","birth_date":"2001-01-01"}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"},{"id":"c","role":"child","birth_date":"2006-01-01"}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"},{"id":"b","role":"applicant"}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"partner"}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"},{"id":"a","role":"partner"}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"},{"id":"b","role":"partner"}],"dwelling_size":1}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"months_on_assistance":-1}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"jobbstimulans_since":"2026-02"}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"incomes":[{"type":"salary","amount":1,"earned_this_year":5}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"costs":[{"type":"other","amount":1}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"costs":[{"type":"rent","amount":1,"cap_notified":"2026-02-01"}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"dog"}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant","in_school":true}]}`,
	// Invalid UTF-8 inside strings (a Go string, so the bytes are raw); it
	// parses, as U+FFFD, and exercises the escaping of the output.
	"{\"month\":\"2026-01\",\"members\":[{\"id\":\"\xff\xfe\",\"role\":\"applicant\"}],\"costs\":[{\"type\":\"other\",\"amount\":1,\"motivation\":\"\xc3\"}]}",
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"incomes":[{"type":"salary","person":"nobody","amount":1}]}`,
	`{"month":"2026-01","members":[{"id":"a","role":"applicant"}],"costs":[{"type":"rent","amount":10000000000001}]}`,
}

func fuzzSeeds(f *testing.F) {
	for _, s := range validSeeds {
		f.Add([]byte(s))
	}
	for _, s := range invalidSeeds {
		f.Add([]byte(s))
	}
	boundarySeeds(f)
	// The shipped example and the hand-written cases, when present.
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	files = append(files, filepath.Join("..", "cmd", "bistand", "example.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

// boundarySeeds adds variants of some valid seeds whose income falls within
// a krona of the needs, where the outcome turns and rounding may bring the
// amount to zero.
func boundarySeeds(f *testing.F) {
	for _, s := range []string{validSeeds[0], validSeeds[1], validSeeds[3]} {
		h, err := rules.ParseHouseholdBytes([]byte(s))
		if err != nil {
			f.Fatalf("seed: %v", err)
		}
		r, err := rules.Default().Calculate(h, rules.Options{})
		if err != nil {
			f.Fatalf("seed: %v", err)
		}
		net := r.NeedsTotal - r.IncomeTotal
		for _, d := range []bistand.Money{-100, -1, 0, 1, 49, 50, 51, 100} {
			extra := net - d
			if extra < 0 {
				continue
			}
			h2 := cloneHousehold(h)
			h2.Incomes = append(h2.Incomes, rules.Income{Type: rules.OtherIncome, Amount: extra})
			b, err := h2.MarshalJSON()
			if err != nil {
				f.Fatalf("seed: %v", err)
			}
			f.Add(b)
		}
	}
}

// checkFieldError fails unless err is a *rules.FieldError naming a field.
func checkFieldError(t *testing.T, what string, err error) {
	t.Helper()
	var fe *rules.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("%s: error %T is not a *rules.FieldError: %v", what, err, err)
	}
	if fe == nil || fe.Field == "" || fe.Msg == "" {
		t.Fatalf("%s: FieldError without field or message: %#v", what, fe)
	}
}

func FuzzCalcJSON(f *testing.F) {
	fuzzSeeds(f)
	e := rules.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := rules.ParseHouseholdBytes(data)
		if err != nil {
			if h != nil {
				t.Fatalf("ParseHouseholdBytes returned a household and an error")
			}
			checkFieldError(t, "parse", err)
			return
		}
		if h == nil {
			t.Fatalf("ParseHouseholdBytes returned neither a household nor an error")
		}
		hb, err := h.MarshalJSON()
		if err != nil {
			t.Fatalf("parsed household does not marshal: %v", err)
		}
		on, errOn := e.Calculate(h, rules.Options{Trace: true})
		off, errOff := e.Calculate(h, rules.Options{Trace: false})
		if hb2, _ := h.MarshalJSON(); !bytes.Equal(hb, hb2) {
			t.Fatalf("Calculate changed the household:\n%s\n%s", hb, hb2)
		}
		if (errOn == nil) != (errOff == nil) || (errOn != nil && errOn.Error() != errOff.Error()) {
			t.Fatalf("trace changed the error: %v / %v", errOn, errOff)
		}
		if errOn != nil {
			if on != nil || off != nil {
				t.Fatalf("Calculate returned a result and an error")
			}
			checkFieldError(t, "calculate", errOn)
			return
		}
		if on == nil || off == nil {
			t.Fatalf("Calculate returned neither a result nor an error")
		}
		if err := checkResult(on, true); err != nil {
			t.Fatalf("traced result: %v\ninput: %s", err, hb)
		}
		if err := checkResult(off, false); err != nil {
			t.Fatalf("untraced result: %v\ninput: %s", err, hb)
		}
		stripped := *on
		stripped.Lines = nil
		if !reflect.DeepEqual(&stripped, off) {
			t.Fatalf("trace changed the result\ninput: %s", hb)
		}
		if on.Month != h.Month || on.HouseholdSize != len(h.Members) {
			t.Fatalf("result for %s with %d members, input %s with %d", on.Month, on.HouseholdSize, h.Month, len(h.Members))
		}
		for _, r := range []*rules.Result{on, off} {
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatalf("result does not marshal to JSON: %v\ninput: %s", err, hb)
			}
			if !json.Valid(b) {
				t.Fatalf("result marshals to invalid JSON: %s", b)
			}
		}
	})
}

func FuzzHouseholdRoundTrip(f *testing.F) {
	fuzzSeeds(f)
	e := rules.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := rules.ParseHouseholdBytes(data)
		if err != nil {
			return
		}
		hb, err := h.MarshalJSON()
		if err != nil {
			t.Fatalf("parsed household does not marshal: %v", err)
		}
		h2, err := rules.ParseHouseholdBytes(hb)
		if err != nil {
			t.Fatalf("marshalled household does not parse: %v\n%s", err, hb)
		}
		hb2, err := h2.MarshalJSON()
		if err != nil || !bytes.Equal(hb, hb2) {
			t.Fatalf("household JSON not stable (%v):\n%s\n%s", err, hb, hb2)
		}
		r1, err1 := e.Calculate(h, rules.Options{Trace: true})
		r2, err2 := e.Calculate(h2, rules.Options{Trace: true})
		if err1 != nil || err2 != nil {
			if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
				t.Fatalf("round trip changed the error: %v / %v\n%s", err1, err2, hb)
			}
			return
		}
		b1, m1 := json.Marshal(r1)
		b2, m2 := json.Marshal(r2)
		if m1 != nil || m2 != nil {
			// A result that does not marshal is FuzzCalcJSON's finding;
			// here only the round trip is checked, on the values.
			if m1 == nil || m2 == nil || m1.Error() != m2.Error() || !reflect.DeepEqual(r1, r2) {
				t.Fatalf("round trip changed the result (%v / %v)\n%s", m1, m2, hb)
			}
			return
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("round trip changed the result\ninput:    %s\nreplayed: %s\noriginal result: %s\nreplayed result: %s", data, hb, b1, b2)
		}
	})
}
