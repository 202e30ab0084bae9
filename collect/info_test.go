package collect

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/ssbtek"
)

// answerOf is an SSBTEK answer in which every source tells something.
func answerOf() *ssbtek.Answer {
	d := day
	return &ssbtek.Answer{CorrelationID: "corr-1", Sources: map[ssbtek.Source]*ssbtek.SourceAnswer{
		ssbtek.AF:  {Source: ssbtek.AF, AF: &ssbtek.AFStatus{Registered: true}},
		ssbtek.TNS: {Source: ssbtek.TNS, Vehicles: []ssbtek.Vehicle{{RegNr: "ABC123", Make: "Volvo", Model: "V70", Kind: "PERSONBIL", Year: 2012}, {RegNr: "MC001", Kind: "MOTORCYKEL"}}},
		ssbtek.MIV: {Source: ssbtek.MIV, Permits: []ssbtek.Permit{{CaseType: "UAT", DecisionCode: "BEV", DecisionType: "TUT", AppliedOn: d("2024-01-02"), DecidedOn: d("2024-05-02"), From: d("2024-05-02"), To: d("2026-05-01"), Validity: "TIDBEGRANSAT"}}},
		ssbtek.SKV: {Source: ssbtek.SKV, CapitalIncome: []ssbtek.CapitalIncome{{TaxYear: 2025, Income: kr(1200), Surplus: kr(900)}}},
		ssbtek.CSN: {Source: ssbtek.CSN, CSN: &ssbtek.CSNStatus{ResultCode: "0", Found: true, Kinds: map[string]string{"studiemedel": "1"},
			Cases: []ssbtek.CSNCase{{Kind: "Studiemedel", Number: "1", Form: "GRUND", Status: "BESLUTAD", Granted: []ssbtek.CSNGrant{{From: d("2026-01-05"), To: d("2026-06-07"), Pace: "100", Total: kr(60000)}}}}},
			Planned: []ssbtek.Payment{{Source: ssbtek.CSN, Benefit: "SM", Reference: "CSN:SM:1:2026-11-25", PaidOn: d("2026-11-25"), Gross: kr(10000), Net: kr(10000)}}},
		ssbtek.SO: {Source: ssbtek.SO, Funds: []ssbtek.Fund{{Name: "Demokassan", Status: "OK", Suspensions: []ssbtek.Period{{From: d("2026-09-01"), To: d("2026-09-05")}}}}},
		ssbtek.FK: {Source: ssbtek.FK,
			Planned: []ssbtek.Payment{
				{Source: ssbtek.FK, Benefit: "BOB", Reference: "FK:BOB:1:2026-11-26", PaidOn: d("2026-11-26"), From: d("2026-11-01"), To: d("2026-11-30"), Gross: kr(2000), Net: kr(2000)},
				{Source: ssbtek.PM, Benefit: "AP", Reference: "PM:AP:2026-11-19", PaidOn: d("2026-11-19"), Gross: kr(9000), Tax: kr(2000), Net: kr(7000)}},
			Decisions: []ssbtek.Decision{
				{Source: ssbtek.FK, Benefit: "BOB", DecidedOn: d("2026-09-10"), Final: true, Amounts: []ssbtek.DecidedAmount{{Kind: "BOB", From: d("2026-10-01"), To: d("2026-10-31"), Gross: kr(1800), Frequency: "MANAD"}}},
				{Source: ssbtek.PM, Benefit: "AP", ID: "B1", DecidedOn: d("2023-12-10"), Final: true, Status: "SLUTLIGT", Outcome: "BIFALL", Amounts: []ssbtek.DecidedAmount{{Kind: "IP", From: d("2024-01-01"), Gross: kr(9000), Frequency: "MANAD"}}},
				{Source: ssbtek.FK, Benefit: "BOB", DecidedOn: d("2026-10-10"), Final: true, Amounts: []ssbtek.DecidedAmount{{Kind: "BOB", From: d("2026-11-01"), Gross: kr(2000), Frequency: "MANAD"}}},
			}},
	}}
}

// recorded turns the facts to record into the facts in force, as the store
// would keep them.
func recorded(before []bistand.Fact, ins []sqlstore.FactInput) []bistand.Fact {
	byKey := map[string]int{}
	out := append([]bistand.Fact(nil), before...)
	for i, f := range out {
		byKey[f.Key] = i
	}
	for _, in := range ins {
		f := bistand.Fact{Key: in.Key, Kind: in.Kind, Value: in.Value, Provenance: in.Provenance, Source: in.Source, Reference: in.Reference, ObservedAt: in.ObservedAt}
		if i, ok := byKey[in.Key]; ok {
			out[i] = f
		} else {
			byKey[in.Key] = len(out)
			out = append(out, f)
		}
	}
	return sqlstore.Effective(out)
}

func TestInformationFacts(t *testing.T) {
	now := time.Date(2026, 11, 6, 9, 0, 0, 0, time.UTC)
	facts := informationFacts("p1", answerOf(), nil, now)
	var keys []string
	for _, f := range facts {
		keys = append(keys, f.Key+" "+string(f.Kind)+" "+f.Source)
		if f.Provenance != bistand.Register || f.Reference != "SSBTEK corr-1" || !f.ObservedAt.Equal(now) || f.Value == nil {
			t.Errorf("provenance of %+v", f)
		}
	}
	want := []string{
		"vehicle:p1:ABC123 vehicle TNS", "vehicle:p1:MC001 vehicle TNS", "permit:p1 permit MIV", "tax:p1 tax SKV", "csn:p1 csn CSN",
		"fund:p1 fund SO", "planned_payments:p1:CSN planned_payments CSN", "planned_payments:p1:FK planned_payments FK",
		"planned_payments:p1:PM planned_payments PM", "benefit_decision:p1:FK:BOB benefit_decision FK", "benefit_decision:p1:PM:AP benefit_decision PM",
	}
	if !slices.Equal(keys, want) {
		t.Fatalf("facts\n%s\nwant\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}
	value := func(key string) string {
		for _, f := range facts {
			if f.Key == key {
				return string(f.Value)
			}
		}
		return ""
	}
	for key, v := range map[string]string{
		"vehicle:p1:ABC123":      `{"person":"p1","regnr":"ABC123","make":"Volvo","model":"V70","kind":"PERSONBIL","year":2012}`,
		"vehicle:p1:MC001":       `{"person":"p1","regnr":"MC001","kind":"MOTORCYKEL"}`,
		"tax:p1":                 `{"person":"p1","capital_income":[{"tax_year":2025,"income":1200,"surplus":900}]}`,
		"planned_payments:p1:PM": `{"person":"p1","source":"PM","payments":[{"benefit":"AP","reference":"PM:AP:2026-11-19","paid_on":"2026-11-19","gross":9000,"tax":2000,"net":7000}]}`,
		"benefit_decision:p1:FK:BOB": `{"person":"p1","source":"FK","benefit":"BOB","decisions":[` +
			`{"decided_on":"2026-09-10","final":true,"amounts":[{"kind":"BOB","from":"2026-10-01","to":"2026-10-31","gross":1800,"frequency":"MANAD"}]},` +
			`{"decided_on":"2026-10-10","final":true,"amounts":[{"kind":"BOB","from":"2026-11-01","gross":2000,"frequency":"MANAD"}]}]}`,
	} {
		if got := value(key); got != v {
			t.Errorf("%s\n got %s\nwant %s", key, got, v)
		}
	}
	// Every value names its person (the store checks the shapes: the
	// end-to-end tests record them).
	for _, f := range facts {
		var m map[string]any
		if err := json.Unmarshal(f.Value, &m); err != nil || m["person"] != "p1" {
			t.Errorf("%s: %s", f.Key, f.Value)
		}
	}

	inForce := recorded(nil, facts)
	// Collecting again changes nothing.
	if again := informationFacts("p1", answerOf(), inForce, now.Add(time.Hour)); len(again) != 0 {
		t.Errorf("collecting again records %d facts", len(again))
	}
	// A complete answer without the motorcycle, the permit and the PM
	// decision retracts those facts; the others stand.
	a := answerOf()
	a.Sources[ssbtek.TNS].Vehicles = a.Sources[ssbtek.TNS].Vehicles[:1]
	a.Sources[ssbtek.MIV].Permits = nil
	a.Sources[ssbtek.FK].Decisions = a.Sources[ssbtek.FK].Decisions[:1]
	var changed []string
	for _, f := range informationFacts("p1", a, inForce, now) {
		changed = append(changed, f.Key+map[bool]string{true: " retracted", false: " changed"}[f.Value == nil])
		if f.Value == nil && f.Reason == "" {
			t.Errorf("retraction without a reason: %+v", f)
		}
	}
	if want := []string{"benefit_decision:p1:FK:BOB changed", "vehicle:p1:MC001 retracted", "permit:p1 retracted", "benefit_decision:p1:PM:AP retracted"}; !slices.Equal(changed, want) {
		t.Errorf("changes %v, want %v", changed, want)
	}
	// A source that failed, or answered in part, retracts nothing.
	a = answerOf()
	a.Sources[ssbtek.TNS] = &ssbtek.SourceAnswer{Source: ssbtek.TNS, Err: &ssbtek.SourceError{Kalla: "SSBT", Code: "SSBT_TIMEOUT"}}
	a.Sources[ssbtek.MIV].Permits = nil
	a.Sources[ssbtek.MIV].Gaps = []ssbtek.Gap{{Group: "MIV svar 1", Code: ssbtek.CodeMalformed}}
	delete(a.Sources, ssbtek.FK) // not asked (its circuit open)
	if got := informationFacts("p1", a, inForce, now); len(got) != 0 {
		t.Errorf("a failing or partial source changed %+v", got)
	}
	// Another person's facts are never touched.
	if got := informationFacts("p2", &ssbtek.Answer{Sources: map[ssbtek.Source]*ssbtek.SourceAnswer{ssbtek.TNS: {Source: ssbtek.TNS}, ssbtek.MIV: {Source: ssbtek.MIV}}}, inForce, now); len(got) != 0 {
		t.Errorf("p2's answer changed p1's facts: %+v", got)
	}
}
