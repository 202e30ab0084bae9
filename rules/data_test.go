package rules

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// embeddedFS returns the embedded rule data as a writable map.
func embeddedFS(t *testing.T) fstest.MapFS {
	t.Helper()
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEmbeddedDataLoads(t *testing.T) {
	d, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewEngine(d); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.Hash, "sha256:") || len(d.Hash) != 7+64 {
		t.Errorf("hash %q", d.Hash)
	}
	for _, id := range []string{"national", "demo"} {
		if d.Municipality(id) == nil {
			t.Errorf("built-in guideline set %q missing", id)
		}
	}
	if got := Default().Coverage("national"); got != "2014-01–2015-12, 2019-01–2019-12, 2021-01–2021-12, 2023-01–2026-12" {
		t.Errorf("national coverage %q", got)
	}
	// The national set is the law alone: no caps.
	if n := len(d.Municipality("national").CostCaps); n != 0 {
		t.Errorf("national has %d cost caps", n)
	}
}

// TestDataHashChangesWithData: the rule version must change with any byte.
func TestDataHashChangesWithData(t *testing.T) {
	m := embeddedFS(t)
	a, err := Load(m)
	if err != nil {
		t.Fatal(err)
	}
	m["riksnorm.json"] = &fstest.MapFile{Data: append([]byte(nil), append(m["riksnorm.json"].Data, ' ')...)}
	b, err := Load(m)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash == b.Hash {
		t.Error("hash unchanged after editing the data")
	}
}

// TestDataValidation: a mistake in the rule data is refused at load, naming
// the file.
func TestDataValidation(t *testing.T) {
	tests := []struct {
		name, file, old, new, want string
	}{
		{"unknown status", "riksnorm.json", `"1-2": {"amount": 1980, "status": "confirmed"}`, `"1-2": {"amount": 1980, "status": "sure"}`, "unknown status"},
		{"unknown value", "riksnorm.json", `"1-2": {"amount": 1980, "status": "confirmed"}`, `"1-2": {"amount": 1980, "status": "unknown"}`, "rather than invent"},
		{"missing cell", "riksnorm.json", `"3": {"amount": 1730, "status": "confirmed"},`, ``, "children_with_lunch"},
		{"unknown field in data", "riksnorm.json", `"valid_from": "2015-01-01"`, `"valid_from": "2015-01-01", "year_typo": 1`, "unknown field"},
		{"shared not monotone", "riksnorm.json", `"2": {"amount": 1040, "status": "confirmed"}`, `"2": {"amount": 900, "status": "confirmed"}`, "below"},
		{"period outside year", "riksnorm.json", `"valid_to": "2014-12-31"`, `"valid_to": "2015-06-30"`, "within the year"},
		{"unknown source", "rules.json", `"sources": ["sol2001-4-3"]}`, `"sources": ["sol-1999"]}`, "unknown source"},
		{"rule missing", "rules.json", `{"id": "income.jobbstimulans"`, `{"id": "income.jobbstimulans-x"`, "not described"},
		{"exempt earned", "rules.json", `"treatment": "counted", "earned": true`, `"treatment": "exempt", "earned": true`, "earned income must be counted"},
		{"bad kind", "sources.json", `"kind": "regulation"`, `"kind": "decree"`, "unknown kind"},
		{"overlapping jobbstimulans", "national.json", `{"from": "2025-07-01", "share_percent": 25`, `{"from": "2025-06-01", "share_percent": 25`, "overlap"},
		{"share out of range", "national.json", `"share_percent": 25, "qualifying_months": 6, "duration_months": 24, "status": "confirmed"`, `"share_percent": 125, "qualifying_months": 6, "duration_months": 24, "status": "confirmed"`, "share_percent"},
		{"missing price base", "national.json", `{"year": 2026, "amount": 59200`, `{"year": 2027, "amount": 59200`, "no price base amount for 2026"},
		{"cap overlap", "municipalities/demo.json", `"from": "2023-01-01", "to": "2024-12-31"`, `"from": "2022-01-01", "to": "2024-12-31"`, "overlap"},
		{"cap unknown type", "municipalities/demo.json", `"cost_type": "electricity"`, `"cost_type": "gas"`, "unknown cost type"},
		{"cap row for 2 adults missing", "municipalities/demo.json", `{"adults": 2, "children": 0, "amount": 800}`, `{"adults": 1, "children": 2, "amount": 800}`, "no row for 2 adult"},
		{"rounding mode", "municipalities/demo.json", `"mode": "half_up"`, `"mode": "banker"`, "unknown mode"},
		{"id mismatch", "municipalities/demo.json", `"id": "demo"`, `"id": "demo2"`, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := embeddedFS(t)
			f := m[tt.file]
			if f == nil || !strings.Contains(string(f.Data), tt.old) {
				t.Fatalf("%s does not contain %q: the test is stale", tt.file, tt.old)
			}
			m[tt.file] = &fstest.MapFile{Data: []byte(strings.Replace(string(f.Data), tt.old, tt.new, 1))}
			d, err := Load(m)
			if err == nil {
				_, err = NewEngine(d)
			}
			if err == nil {
				t.Fatal("broken data accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// TestGraceDefault: a cap without its own rådrum uses Socialstyrelsen's four
// months and cites it.
func TestGraceDefault(t *testing.T) {
	m := embeddedFS(t)
	f := string(m["municipalities/demo.json"].Data)
	old := `{"cost_type": "rent", "from": "2025-01-01", "grace_months": 4,`
	if !strings.Contains(f, old) {
		t.Fatal("stale test")
	}
	m["municipalities/demo.json"] = &fstest.MapFile{Data: []byte(strings.Replace(f, old, `{"cost_type": "rent", "from": "2025-01-01",`, 1))}
	d, err := Load(m)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(d)
	if err != nil {
		t.Fatal(err)
	}
	h := &Household{Month: mustMonth("2025-05"), Municipality: "demo", Members: []Member{{ID: "a", Role: Applicant}},
		Costs: []Cost{{Type: Rent, Amount: kr("9000"), CapNotified: mustDate("2025-01-20")}}}
	res, err := e.Calculate(h, Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range res.Lines {
		if l.Rule == "cost.cap.grace" {
			found = true
			if g, _ := l.Params.Get("grace_months"); g.Int() != 4 {
				t.Errorf("grace months %d", g.Int())
			}
			if !strings.Contains(l.Source, "Socialstyrelsen") {
				t.Errorf("grace line does not cite Socialstyrelsen: %q", l.Source)
			}
		}
	}
	if !found {
		t.Error("no grace line in the fourth month after the notice")
	}
	h.Month = mustMonth("2025-06")
	res, _ = e.Calculate(h, Options{})
	if res.CostsTotal != kr("5200") {
		t.Errorf("after the default rådrum costs = %s, want the cap 5200", res.CostsTotal.Decimal())
	}
}
