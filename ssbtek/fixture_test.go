package ssbtek

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/ssbtek/internal/contracttest"
)

const contractDir = "testdata/contract"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(contractDir, "fixture", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ssbtSchema() string { return filepath.Join(contractDir, contracttest.SSBTSchema) }

// The contract's examples: the schema decides which are valid (the README
// says AF and SO are not), and every one is read as it says.
func TestFixturesAgainstSchema(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(contractDir, "fixture", "*.xml"))
	if len(files) != 7 {
		t.Fatalf("%d fixtures, want 7", len(files))
	}
	invalid := map[string]bool{"af-response.xml": true, "so-response.xml": true}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		payload, err := contracttest.BodyPayload(b)
		if err != nil {
			t.Fatal(err)
		}
		err = contracttest.Check(t, ssbtSchema(), payload)
		if name := filepath.Base(f); (err == nil) == invalid[name] {
			t.Errorf("%s: valid = %v, the contract's README says %v (%v)", name, err == nil, !invalid[name], err)
		}
	}
}

func parseFixture(t *testing.T, name string, src Source) *SourceAnswer {
	t.Helper()
	a, err := ParseAnswer(fixture(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(a.Sources) != 1 || a.Sources[src] == nil {
		t.Fatalf("%s: sources %v", name, a.Sources)
	}
	sa := a.Sources[src]
	if sa.Err != nil || len(sa.Gaps) != 0 {
		t.Fatalf("%s: error %v gaps %v", name, sa.Err, sa.Gaps)
	}
	return sa
}

func d(y, m, day int) bistand.Date { return bistand.MustDate(y, timeMonth(m), day) }

func TestFixtureAF(t *testing.T) {
	sa := parseFixture(t, "af-response.xml", AF)
	want := &AFStatus{
		Registered: true, Category: "Anställd", RegisteredOn: d(2016, 11, 18), Extent: 100,
		UnemploymentFund: "Test ak", StatusCode: 0,
		StatusText: "Frågan har behandlats normalt och ett giltigt svar har returnerats.",
	}
	if !reflect.DeepEqual(sa.AF, want) {
		t.Errorf("AF %+v\nwant %+v", sa.AF, want)
	}
	if !reflect.DeepEqual(sa.ids, []string{"199001011234"}) {
		t.Errorf("ids %v", sa.ids)
	}
}

func TestFixtureCSN(t *testing.T) {
	sa := parseFixture(t, "csn-response.xml", CSN)
	want := &CSNStatus{
		ResultCode: "0", ResultText: "Allt OK, inget att rapportera", Found: true,
		Kinds: map[string]string{"studiemedel": "0", "studiehjalp": "0", "hemutrustningslan": "0", "studiestartsstod": "0"},
	}
	if !reflect.DeepEqual(sa.CSN, want) || len(sa.Payments)+len(sa.Planned) != 0 {
		t.Errorf("CSN %+v\nwant %+v", sa.CSN, want)
	}
	if !reflect.DeepEqual(sa.ids, []string{"9001011234"}) {
		t.Errorf("ids %v", sa.ids)
	}
}

func TestFixtureFK(t *testing.T) {
	sa := parseFixture(t, "fk-response.xml", FK)
	if len(sa.Payments)+len(sa.Planned) != 0 {
		t.Errorf("FK payments %v", sa.Payments)
	}
}

func TestFixtureMIV(t *testing.T) {
	sa := parseFixture(t, "miv-response.xml", MIV)
	want := []Permit{{
		CaseType: "UAT", CaseTypeName: "UPPEHÅLLS- OCH ARBETSTILLSTÅND", DecisionCode: "BEV", DecisionCodeName: "ANSÖKAN BEVILJAS",
		DecisionType: "PUT", DecisionTypeName: "PERMANENT UPPEHÅLLSTILLSTÅND", AppliedOn: d(1997, 9, 12), DecidedOn: d(1998, 5, 12),
		Validity: "PERMANENT",
	}}
	if !reflect.DeepEqual(sa.Permits, want) {
		t.Errorf("MIV %+v\nwant %+v", sa.Permits, want)
	}
}

func TestFixtureSKV(t *testing.T) {
	sa := parseFixture(t, "skv-response.xml", SKV)
	want := []CapitalIncome{{TaxYear: 2001, Income: bistand.Kronor(12345), Surplus: bistand.Kronor(666)}}
	if !reflect.DeepEqual(sa.CapitalIncome, want) {
		t.Errorf("SKV %+v", sa.CapitalIncome)
	}
}

func TestFixtureSO(t *testing.T) {
	sa := parseFixture(t, "so-response.xml", SO)
	want := []Payment{{
		Source: SO, Benefit: "ALE", Reference: "SO:ALE:2013-11-23:2013-11-03/2013-11-03",
		PaidOn: d(2013, 11, 23), From: d(2013, 11, 3), To: d(2013, 11, 3), Net: 125050,
	}}
	if !reflect.DeepEqual(sa.Payments, want) {
		t.Errorf("SO %+v\nwant %+v", sa.Payments, want)
	}
	if !reflect.DeepEqual(sa.Funds, []Fund{{Name: "Testorganisation", Status: "all clear"}}) {
		t.Errorf("funds %+v", sa.Funds)
	}
}

func TestFixtureTNS(t *testing.T) {
	sa := parseFixture(t, "tns-response.xml", TNS)
	want := []Vehicle{
		{RegNr: "ABC001", Make: "Volvo", Model: "V70", Kind: "PERSONBIL", Year: 2012},
		{RegNr: "ABC002", Make: "HONDA", Model: "SH300A", Kind: "MOTORCYKEL", Year: 2001},
	}
	if !reflect.DeepEqual(sa.Vehicles, want) {
		t.Errorf("TNS %+v", sa.Vehicles)
	}
}
