package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// binPath is the real binary, built once by TestMain for the end-to-end tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bistand-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "TestMain: temp dir:", err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "bistand")
	build := exec.Command("go", "build", "-o", binPath, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "TestMain: go build failed: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// exampleHH is the household of the external contract: a couple with a child
// of 2 eating lunch at förskola and a youth of 18 in school, 2021 riksnorm.
const exampleHH = `{"month":"2021-03","municipality":"national","members":[{"id":"a","role":"applicant","birth_date":"1985-04-02"},{"id":"b","role":"partner","birth_date":"1987-01-20"},{"id":"c","role":"child","birth_date":"2018-10-01","lunch_elsewhere":true},{"id":"d","role":"child","birth_date":"2002-09-01","in_school":true}],"dwelling_size":4,"costs":[{"type":"rent","amount":7200},{"type":"electricity","amount":300}],"incomes":[{"type":"salary","person":"b","amount":8000},{"type":"child_allowance","person":"a","amount":2500}],"months_on_assistance":8,"jobbstimulans_since":"2020-12"}`

// Hand-computed from the 2021 riksnorm: couple 5700, child 1–2 without
// lunch 2240, youth 15–18 3970, shared for 4 persons 1610; costs 7200 + 300;
// income 8000 − 25 % jobbstimulans (2000) + 2500 child allowance.
var exampleWant = map[string]float64{
	"norm_total":   13520,
	"costs_total":  7500,
	"income_total": 8500,
	"needs_total":  21020,
	"amount":       12520,
}

// mutate returns exampleHH with old replaced by new, failing if old is absent
// so that a case cannot silently test the valid example.
func mutate(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(exampleHH, old) {
		t.Fatalf("mutate: %q not in the example", old)
	}
	return strings.Replace(exampleHH, old, new, 1)
}

// runMain runs the program in-process.
func runMain(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain()
	m.Stdin = strings.NewReader(stdin)
	m.Stdout = &out
	m.Stderr = &errb
	code = m.Main(context.Background(), args)
	return code, out.String(), errb.String()
}

// runBin runs the built binary.
func runBin(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		code = 0
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running %s: %v", binPath, err)
	}
	return code, out.String(), errb.String()
}

// decodeJSON decodes one JSON document keeping numbers as json.Number, and
// fails on anything after it.
func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, s)
	}
	if _, err := dec.Token(); err == nil {
		t.Fatalf("output has data after the JSON object:\n%s", s)
	}
	return v
}

// num returns v[key] as a float, failing unless it is a JSON number.
func num(t *testing.T, v map[string]any, key string) float64 {
	t.Helper()
	raw, ok := v[key]
	if !ok {
		t.Fatalf("field %q missing", key)
	}
	n, ok := raw.(json.Number)
	if !ok {
		t.Fatalf("field %q = %#v (%T), want a JSON number", key, raw, raw)
	}
	f, err := n.Float64()
	if err != nil {
		t.Fatalf("field %q = %s: %v", key, n, err)
	}
	return f
}

func ore(f float64) int64 { return int64(math.Round(f * 100)) }

// checkExample asserts the figures of the contract example in calc JSON output.
func checkExample(t *testing.T, out string, wantLines bool) map[string]any {
	t.Helper()
	v := decodeJSON(t, out)
	if v["month"] != "2021-03" {
		t.Errorf("month = %v, want 2021-03", v["month"])
	}
	if v["outcome"] != "approved" {
		t.Errorf("outcome = %v, want approved", v["outcome"])
	}
	for k, want := range exampleWant {
		if got := num(t, v, k); ore(got) != ore(want) {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	lines, _ := v["lines"].([]any)
	if !wantLines {
		if len(lines) != 0 {
			t.Errorf("got %d lines, want none", len(lines))
		}
		return v
	}
	if len(lines) == 0 {
		t.Fatalf("no lines in traced output")
	}
	sums := map[string]int64{}
	rules := map[string]bool{}
	for i, raw := range lines {
		l, ok := raw.(map[string]any)
		if !ok {
			t.Fatalf("lines[%d] is %T, want an object", i, raw)
		}
		for _, k := range []string{"rule", "label", "source"} {
			if s, _ := l[k].(string); strings.TrimSpace(s) == "" {
				t.Errorf("lines[%d].%s = %#v, want a non-empty string", i, k, l[k])
			}
		}
		if _, ok := l["verified"].(bool); !ok {
			t.Errorf("lines[%d].verified = %#v, want a bool", i, l["verified"])
		}
		sec, _ := l["section"].(string)
		sums[sec] += ore(num(t, l, "amount"))
		r, _ := l["rule"].(string)
		rules[r] = true
	}
	// The lines explain every krona: each section adds up to its total.
	for sec, key := range map[string]string{"norm": "norm_total", "costs": "costs_total", "income": "income_total"} {
		if got, want := sums[sec], ore(num(t, v, key)); got != want {
			t.Errorf("lines of section %s sum to %d öre, %s is %d öre", sec, got, key, want)
		}
	}
	if got, want := ore(num(t, v, "needs_total"))-ore(num(t, v, "income_total"))+sums["result"], ore(num(t, v, "amount")); got != want {
		t.Errorf("needs − income + result lines = %d öre, amount = %d öre", got, want)
	}
	for _, r := range []string{"riksnorm.adult.couple", "riksnorm.child", "riksnorm.shared", "income.jobbstimulans"} {
		if !rules[r] {
			t.Errorf("no line with rule %s", r)
		}
	}
	return v
}

func TestCalcExample(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "household.json")
	if err := os.WriteFile(file, []byte(exampleHH), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"stdin implicit", exampleHH, []string{"calc"}},
		{"stdin dash", exampleHH, []string{"calc", "-"}},
		{"file", "", []string{"calc", file}},
		{"file with stdin ignored", "not json", []string{"calc", file}},
		{"format json explicit", exampleHH, []string{"calc", "--format", "json"}},
		{"format json flag=value", exampleHH, []string{"calc", "-format=json", "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMain(t, tt.stdin, tt.args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errOut)
			}
			checkExample(t, out, true)
		})
	}
}

func TestCalcAmountsAreNumbers(t *testing.T) {
	_, out, _ := runMain(t, exampleHH, "calc")
	// The raw text, not only the decoded value: amounts are bare numbers.
	for _, want := range []string{`"norm_total": 13520,`, `"amount": 12520,`, `"outcome": "approved"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	if regexp.MustCompile(`"(amount|norm_total|costs_total|income_total)": "`).MatchString(out) {
		t.Errorf("an amount is written as a string:\n%s", out)
	}
}

func TestCalcText(t *testing.T) {
	code, out, errOut := runMain(t, exampleHH, "calc", "--format", "text")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if json.Valid([]byte(out)) {
		t.Errorf("--format text printed JSON")
	}
	found := false
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Beviljas") {
			found = true
			if !strings.HasSuffix(l, " 12 520 kr") {
				t.Errorf("Beviljas line = %q, want it to end with 12 520 kr", l)
			}
		}
	}
	if !found {
		t.Errorf("no line starting with Beviljas in:\n%s", out)
	}
	for _, want := range []string{"2021-03", "13 520 kr", "−2 000 kr", "Källor:"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func TestCalcNoTrace(t *testing.T) {
	_, traced, _ := runMain(t, exampleHH, "calc")
	code, out, errOut := runMain(t, exampleHH, "calc", "--no-trace")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	v := checkExample(t, out, false)
	w := decodeJSON(t, traced)
	delete(v, "lines")
	delete(w, "lines")
	vb, _ := json.Marshal(v)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(vb, wb) {
		t.Errorf("--no-trace changes the result apart from lines:\n no-trace %s\n traced   %s", vb, wb)
	}
	if len(out) >= len(traced)/2 {
		t.Errorf("--no-trace output (%d bytes) is not much shorter than the traced one (%d)", len(out), len(traced))
	}
}

func TestCalcCompact(t *testing.T) {
	code, out, errOut := runMain(t, exampleHH, "calc", "--compact")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("--compact printed %d lines, want exactly one:\n%s", strings.Count(out, "\n"), out)
	}
	checkExample(t, out, true)
	_, indented, _ := runMain(t, exampleHH, "calc")
	var a, b any
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(indented), &b); err != nil {
		t.Fatal(err)
	}
	ab, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	if !bytes.Equal(ab, bb) {
		t.Errorf("--compact and indented output differ in content")
	}
}

func TestDeterminism(t *testing.T) {
	for _, args := range [][]string{
		{"calc"}, {"calc", "--format", "text"}, {"calc", "--compact", "--no-trace"},
		{"rules"}, {"rules", "--format", "json"}, {"example"}, {"version"},
	} {
		t.Run(strings.Join(append([]string{"bistand"}, args...), " "), func(t *testing.T) {
			code, first, _ := runMain(t, exampleHH, args...)
			if code != 0 || first == "" {
				t.Fatalf("exit %d, %d bytes of output", code, len(first))
			}
			for i := range 5 {
				if _, again, _ := runMain(t, exampleHH, args...); again != first {
					t.Fatalf("run %d differs from the first run", i+2)
				}
			}
		})
	}
}

// checkOneErrorLine asserts the invalid-input contract: exit 1, nothing on
// stdout, exactly one line on stderr, "bistand: PATH: message".
func checkOneErrorLine(t *testing.T, code int, stdout, stderr, path string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want empty", stdout)
	}
	if !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr has %d lines, want exactly one: %q", strings.Count(stderr, "\n"), stderr)
	}
	if want := "bistand: " + path + ": "; !strings.HasPrefix(stderr, want) {
		t.Errorf("stderr = %q, want it to start with %q", stderr, want)
	}
}

func TestCalcBadInput(t *testing.T) {
	const single = `{"month":"2021-03","municipality":"national","members":[{"id":"a","role":"applicant","birth_date":"1985-04-02"}]}`
	tests := []struct {
		name  string
		input string
		path  string // the field the one stderr line must name
	}{
		{"not JSON", "this is not json", "input"},
		{"not an object", `[1, 2]`, "input"},
		{"empty input", "", "input"},
		{"only whitespace", " \n\t ", "input"},
		{"trailing garbage", exampleHH + " garbage", "input"},
		{"second object", exampleHH + "{}", "input"},
		{"truncated", exampleHH[:len(exampleHH)-10], "input"},
		{"unknown cost type", mutate(t, `{"type":"rent"`, `{"type":"yacht"`), "costs[0].type"},
		{"unknown income type", mutate(t, `{"type":"child_allowance"`, `{"type":"lottery"`), "incomes[1].type"},
		{"child without birth date", mutate(t, `"role":"child","birth_date":"2018-10-01",`, `"role":"child",`), "members[2].birth_date"},
		{"negative cost amount", mutate(t, `"amount":7200`, `"amount":-7200`), "costs[0].amount"},
		{"negative income amount", mutate(t, `"amount":2500`, `"amount":-2500`), "incomes[1].amount"},
		{"amount with three decimals", mutate(t, `"amount":7200`, `"amount":7200.125`), "costs[0].amount"},
		{"amount as a string", mutate(t, `"amount":300`, `"amount":"300"`), "costs[1].amount"},
		{"month no rules cover", strings.Replace(single, "2021-03", "2017-03", 1), "month"},
		{"month missing", strings.Replace(single, `"month":"2021-03",`, "", 1), "month"},
		{"partner without applicant", `{"month":"2021-03","municipality":"national","members":[{"id":"b","role":"partner","birth_date":"1987-01-20"}]}`, "members[0].role"},
		{"partner without applicant after a child", `{"month":"2021-03","municipality":"national","members":[{"id":"c","role":"child","birth_date":"2018-10-01"},{"id":"b","role":"partner","birth_date":"1987-01-20"}]}`, "members[1].role"},
		{"unknown top-level field", mutate(t, `"dwelling_size":4,`, `"dwelling_size":4,"pets":2,`), "pets"},
		{"unknown member field", mutate(t, `"in_school":true}`, `"in_school":true,"shoe_size":42}`), "members[3].shoe_size"},
		{"jobbstimulans_since after the month", mutate(t, `"jobbstimulans_since":"2020-12"`, `"jobbstimulans_since":"2021-04"`), "jobbstimulans_since"},
		{"19-year-old child not in school", mutate(t, `"birth_date":"2002-09-01","in_school":true`, `"birth_date":"2001-09-01"`), "members[3].in_school"},
		{"unknown municipality", mutate(t, `"municipality":"national"`, `"municipality":"atlantis"`), "municipality"},
		{"income for an unknown person", mutate(t, `"person":"b"`, `"person":"x"`), "incomes[0].person"},
		{"cost for an unknown person", mutate(t, `{"type":"rent","amount":7200}`, `{"type":"rent","amount":7200,"person":"x"}`), "costs[0].person"},
		{"duplicate member id", mutate(t, `"id":"b"`, `"id":"a"`), "members[1].id"},
		{"dwelling smaller than household", mutate(t, `"dwelling_size":4`, `"dwelling_size":3`), "dwelling_size"},

		// Fields given twice and odd keys are named by their path, on one line.
		{"duplicate top-level field", mutate(t, `"month":"2021-03",`, `"month":"2021-03","month":"2021-04",`), "month"},
		{"duplicate nested field", mutate(t, `{"type":"rent","amount":7200}`, `{"type":"rent","amount":7200,"amount":7300}`), "costs[0].amount"},
		{"unknown field with newline in its name", mutate(t, `"in_school":true}`, `"in_school":true,"x\ny":1}`), `members[3]["x\ny"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMain(t, tt.input, "calc")
			checkOneErrorLine(t, code, out, errOut, tt.path)
		})
	}
}

func TestCalcBadInputFromFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(mutate(t, `{"type":"rent"`, `{"type":"yacht"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runMain(t, exampleHH, "calc", bad)
	checkOneErrorLine(t, code, out, errOut, "costs[0].type")

	code, out, errOut = runMain(t, exampleHH, "calc", filepath.Join(dir, "missing.json"))
	if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "bistand: ") {
		t.Errorf("missing file: exit %d, stdout %q, stderr %q; want 1, empty, one bistand: line", code, out, errOut)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"unknown command", []string{"frobnicate"}, 2},
		{"unknown calc flag", []string{"calc", "--bogus"}, 2},
		{"unknown rules flag", []string{"rules", "--bogus"}, 2},
		{"two files", []string{"calc", "a.json", "b.json"}, 2},
		{"unknown calc format", []string{"calc", "--format", "xml"}, 2},
		{"no-trace with text", []string{"calc", "--format", "text", "--no-trace"}, 2},
		{"unknown rules format", []string{"rules", "--format", "html"}, 2},
		{"rules with an argument", []string{"rules", "extra"}, 2},
		{"help", []string{"help"}, 0},
		{"--help", []string{"--help"}, 0},
		{"calc -h", []string{"calc", "-h"}, 0},
		{"rules -h", []string{"rules", "-h"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMain(t, exampleHH, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tt.code, out, errOut)
			}
			if code == 2 {
				if out != "" {
					t.Errorf("stdout = %q, want empty on a usage error", out)
				}
				if !strings.Contains(errOut, "bistand: ") {
					t.Errorf("stderr %q lacks a bistand: message", errOut)
				}
			} else if !strings.Contains(out+errOut, "Usage") {
				t.Errorf("help shows no usage: stdout %q, stderr %q", out, errOut)
			}
		})
	}
	_, out, _ := runMain(t, "", "help")
	if !strings.Contains(out, "bistand calc") {
		t.Errorf("help output lacks the calc command:\n%s", out)
	}
	_, _, errOut := runMain(t, "", "calc", "-h")
	for _, f := range []string{"-format", "-no-trace", "-compact"} {
		if !strings.Contains(errOut, f) {
			t.Errorf("calc -h does not list %s:\n%s", f, errOut)
		}
	}
}

var hashLine = regexp.MustCompile(`(?m)^rules (sha256:[0-9a-f]{64})$`)

func TestVersion(t *testing.T) {
	code, out, errOut := runMain(t, "", "version")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	m := hashLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("version output has no line \"rules sha256:<64 hex>\":\n%s", out)
	}
	// The version names the same rule data a calculation reports.
	_, calcOut, _ := runMain(t, exampleHH, "calc", "--no-trace")
	if got := decodeJSON(t, calcOut)["rules_version"]; got != m[1] {
		t.Errorf("calc rules_version = %v, version says %s", got, m[1])
	}
}

func TestExample(t *testing.T) {
	code, out, errOut := runMain(t, "", "example")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"Beviljas", "Källor:", "Usage:"} {
		if !strings.Contains(out, want) {
			t.Errorf("example output lacks %q:\n%s", want, out)
		}
	}
}

func TestRulesDoc(t *testing.T) {
	code, out, errOut := runMain(t, "", "rules", "--format", "markdown")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.HasPrefix(out, "# ") || !strings.Contains(out, "riksnorm.adult.couple") {
		t.Fatalf("rules markdown does not look like the register:\n%.300s", out)
	}
	golden := filepath.Join("..", "..", "docs", "rules.md")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run: go test ./cmd/bistand -run TestRulesDoc -update)", err)
	}
	if out != string(want) {
		t.Errorf("docs/rules.md is out of date with `bistand rules --format markdown`; run: go test ./cmd/bistand -run TestRulesDoc -update")
	}
}

func TestRulesJSON(t *testing.T) {
	code, out, errOut := runMain(t, "", "rules", "--format", "json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	v := decodeJSON(t, out)
	rv, _ := v["rules_version"].(string)
	if !strings.HasPrefix(rv, "sha256:") {
		t.Errorf("rules_version = %#v, want sha256:…", v["rules_version"])
	}
	_, ver, _ := runMain(t, "", "version")
	if m := hashLine.FindStringSubmatch(ver); m == nil || m[1] != rv {
		t.Errorf("rules --format json rules_version %q does not match version output %q", rv, ver)
	}
	if rs, _ := v["rules"].([]any); len(rs) == 0 {
		t.Errorf("rules --format json lists no rules")
	}
}

// End-to-end: the real binary, built by TestMain.

func TestBinaryCalc(t *testing.T) {
	file := filepath.Join(t.TempDir(), "household.json")
	if err := os.WriteFile(file, []byte(exampleHH), 0o644); err != nil {
		t.Fatal(err)
	}
	_, inProcess, _ := runMain(t, exampleHH, "calc")
	for _, tc := range []struct {
		name, stdin string
		args        []string
	}{
		{"stdin", exampleHH, []string{"calc"}},
		{"file", "", []string{"calc", file}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runBin(t, tc.stdin, tc.args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			checkExample(t, out, true)
			if out != inProcess {
				t.Errorf("binary output differs from in-process Main output")
			}
		})
	}
}

func TestBinaryBadInput(t *testing.T) {
	for _, tc := range []struct{ name, input, path string }{
		{"child without birth date", mutate(t, `"role":"child","birth_date":"2018-10-01",`, `"role":"child",`), "members[2].birth_date"},
		{"not JSON", "{not json", "input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runBin(t, tc.input, "calc")
			checkOneErrorLine(t, code, out, errOut, tc.path)
		})
	}
	if code, _, _ := runBin(t, "", "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}
