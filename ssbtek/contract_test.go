package ssbtek

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/internal/testpki"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/ssbtek/internal/contracttest"
	"github.com/bistand/bistand/ssbtek/sim"
)

var (
	pop     = population.New(1, 2000)
	simNow  = bistand.MustDate(2024, 3, 20)
	qFrom   = bistand.MustDate(2024, 1, 1)
	qTo     = bistand.MustDate(2024, 3, 31)
	baseCfg = Config{OrgNumber: "212000-2411", OrgName: "Demo kommun", AktorsID: "9255f428-4ba0-63ce-5407-e65d469fac0f"}
)

// recorder keeps every request body the simulator received.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (rec *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.bodies = append(rec.bodies, b)
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		h.ServeHTTP(w, r)
	})
}

func (rec *recorder) last(t *testing.T) []byte {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.bodies) == 0 {
		t.Fatal("the simulator received nothing")
	}
	return rec.bodies[len(rec.bodies)-1]
}

// startSim serves the simulator over HTTP and returns a client for it.
func startSim(t *testing.T, opt sim.Options) (*Client, *recorder) {
	t.Helper()
	if opt.Now == nil {
		opt.Now = func() bistand.Date { return simNow }
	}
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(sim.NewSSBTEK(pop, opt)))
	t.Cleanup(srv.Close)
	cfg := baseCfg
	cfg.URL = srv.URL + "/ssbtek"
	cfg.HTTPClient = srv.Client()
	return NewClient(cfg), rec
}

func find(t *testing.T, what string, ok func(h population.Household, j int, m population.Person) bool) (population.Household, int) {
	t.Helper()
	for i := range pop.Size() {
		h := pop.Household(i)
		for j, m := range h.Members {
			if ok(h, j, m) {
				return h, j
			}
		}
	}
	t.Fatalf("no one in the population is %s", what)
	return population.Household{}, 0
}

func plain(p string) func(population.Household, int, population.Person) bool {
	return func(h population.Household, j int, m population.Person) bool {
		return m.Profile == p && h.FailsSource == "" && !m.Protected && !m.Number.IsCoordination()
	}
}

func request(n personnummer.Number) Request {
	return Request{Person: n, CaseID: "case-4711", Caseworker: "robot", From: qFrom, To: qTo, CorrelationID: "corr-" + n.BirthDate().String()}
}

// key identifies a payment for comparison.
type key struct {
	Source  Source
	Benefit string
	PaidOn  bistand.Date
	Net     bistand.Money
}

// expected are the payments the population holds for member j of h in the
// query's period: made by simNow, and planned (after simNow, by the end of
// the next month).
func expected(h population.Household, j int) (made, planned []population.Payment) {
	limit := simNow.Month().Add(1).LastDay()
	for m := qFrom.Month().Add(-1); m <= qTo.Month(); m++ {
		for _, p := range pop.Payments(h, j, m, limit) {
			if p.PaidOn.Before(qFrom) || p.PaidOn.After(qTo) {
				continue
			}
			if p.Source == population.CSN && h.Members[j].Number.IsCoordination() {
				continue // CSN's schema cannot carry a samordningsnummer
			}
			if p.Source == population.SO && p.PaidOn.After(simNow) {
				continue // the a-kassa has no planned payments
			}
			if p.PaidOn.After(simNow) {
				planned = append(planned, p)
			} else {
				made = append(made, p)
			}
		}
	}
	return made, planned
}

func keys[T any](ps []T, k func(T) key) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%+v", k(p)))
	}
	sort.Strings(out)
	return out
}

func popKey(p population.Payment) key {
	return key{Source(p.Source), p.Benefit, p.PaidOn, p.Net}
}

func ansKey(p Payment) key { return key{p.Source, p.Benefit, p.PaidOn, p.Net} }

// checkAmounts checks gross, tax and period as each source carries them.
func checkAmounts(t *testing.T, got Payment, pop []population.Payment) {
	t.Helper()
	for _, w := range pop {
		if popKey(w) != ansKey(got) {
			continue
		}
		var gross, tax bistand.Money
		from, to := w.From, w.To
		switch got.Source {
		case FK:
			gross, tax = w.Gross, w.Tax
		case PM:
			gross = w.Gross.MulDivUp(1, 100) * 100
			tax = gross - w.Net
		case SO:
		case CSN:
			gross = w.Net
			from, _ = parseWeek(isoWeekOf(w.From), false)
			_, to = isoWeekBounds(w.To)
		}
		if got.Gross != gross || got.Tax != tax || got.From != from || got.To != to || got.Reference == "" {
			t.Errorf("payment %+v, want gross %d tax %d period %s–%s", got, gross, tax, from, to)
		}
		return
	}
	t.Errorf("payment %+v is not the population's", got)
}

func isoWeekOf(d bistand.Date) string {
	y, w := time.Date(d.Year(), d.MonthOfYear(), d.Day(), 12, 0, 0, 0, time.UTC).ISOWeek()
	return fmt.Sprintf("%04d%02d", y, w)
}

func isoWeekBounds(d bistand.Date) (bistand.Date, bistand.Date) {
	s := isoWeekOf(d)
	a, _ := parseWeek(s, false)
	b, _ := parseWeek(s, true)
	return a, b
}

func TestFetchAgainstSimulator(t *testing.T) {
	c, _ := startSim(t, sim.Options{})
	type who struct {
		name string
		ok   func(population.Household, int, population.Person) bool
	}
	cases := []who{
		{"unemployed", plain("unemployed")}, {"student", plain("student")}, {"pension", plain("pension")},
		{"sick", plain("sick")}, {"parental", plain("parental")}, {"activity", plain("activity")}, {"salary", plain("salary")},
		{"parent", func(h population.Household, j int, m population.Person) bool {
			return j == 0 && len(h.Members) > 2 && h.FailsSource == "" && !m.Protected
		}},
		{"late", func(h population.Household, j int, m population.Person) bool {
			return j == 0 && h.Late && len(h.Members) > 2 && h.FailsSource == ""
		}},
		{"varying", func(h population.Household, j int, m population.Person) bool {
			return h.Varying && m.Profile == "unemployed" && h.FailsSource == ""
		}},
		{"vehicle", func(h population.Household, j int, m population.Person) bool {
			return len(m.Vehicles) > 0 && h.FailsSource == ""
		}},
		{"capital", func(h population.Household, j int, m population.Person) bool {
			return m.CapitalIncome > 0 && h.FailsSource == ""
		}},
		{"permit", func(h population.Household, j int, m population.Person) bool {
			return m.Permit != nil && h.FailsSource == ""
		}},
		{"coordination student", func(h population.Household, j int, m population.Person) bool {
			return m.Number.IsCoordination() && m.Profile == "student" && h.FailsSource == ""
		}},
		{"protected", func(h population.Household, j int, m population.Person) bool {
			return m.Protected && h.FailsSource == ""
		}},
		{"child", func(h population.Household, j int, m population.Person) bool {
			return m.Role == "child" && h.FailsSource == ""
		}},
	}
	for _, w := range cases {
		t.Run(w.name, func(t *testing.T) {
			h, j := find(t, w.name, w.ok)
			m := h.Members[j]
			a, err := c.Fetch(context.Background(), request(m.Number))
			if err != nil {
				t.Fatal(err)
			}
			if a.CorrelationID != "corr-"+m.Number.BirthDate().String() || len(a.Sources) != 7 || !a.Complete() {
				t.Fatalf("answer %+v", a)
			}
			made, planned := expected(h, j)
			var gotPlanned []Payment
			for _, s := range Sources {
				gotPlanned = append(gotPlanned, a.Sources[s].Planned...)
			}
			if g, w := keys(a.Payments(), ansKey), keys(made, popKey); !slices.Equal(g, w) {
				t.Errorf("payments\n got %v\nwant %v", g, w)
			}
			if g, w := keys(gotPlanned, ansKey), keys(planned, popKey); !slices.Equal(g, w) {
				t.Errorf("planned\n got %v\nwant %v", g, w)
			}
			for _, p := range append(a.Payments(), gotPlanned...) {
				checkAmounts(t, p, append(made, planned...))
			}
			af := a.Sources[AF].AF
			if af.Registered != m.RegisteredAtAF || af.Protected != m.Protected || (m.RegisteredAtAF && (af.RegisteredOn.IsZero() || af.Extent != 100)) {
				t.Errorf("AF %+v for %+v", af, m)
			}
			if (m.Profile == "activity") != (len(af.Decisions) == 1) {
				t.Errorf("AF decisions %+v", af.Decisions)
			}
			if (m.Profile == "unemployed") != (len(a.Sources[SO].Funds) == 1) {
				t.Errorf("SO funds %+v", a.Sources[SO].Funds)
			}
			if a.Protected() != m.Protected {
				t.Errorf("Protected() = %v", a.Protected())
			}
			csn := a.Sources[CSN].CSN
			if csn.Found == m.Number.IsCoordination() || csn.Protected != (m.Protected && !m.Number.IsCoordination()) || csn.ResultCode != "0" {
				t.Errorf("CSN %+v", csn)
			}
			if m.Profile == "student" && !m.Number.IsCoordination() && (len(csn.Cases) != 1 || csn.Cases[0].Form != "GRUND" || len(csn.Cases[0].Granted) != 1) {
				t.Errorf("CSN cases %+v", csn.Cases)
			}
			var veh []Vehicle
			for _, v := range m.Vehicles {
				veh = append(veh, Vehicle{RegNr: v.RegNr, Make: v.Make, Model: "Demomodell", Kind: v.Kind, Year: v.Year})
			}
			if !slices.Equal(a.Sources[TNS].Vehicles, veh) {
				t.Errorf("vehicles %+v, want %+v", a.Sources[TNS].Vehicles, veh)
			}
			var capital []CapitalIncome
			if m.CapitalIncome != 0 {
				capital = []CapitalIncome{{TaxYear: 2023, Income: m.CapitalIncome, Surplus: m.CapitalIncome}}
			}
			if !slices.Equal(a.Sources[SKV].CapitalIncome, capital) {
				t.Errorf("capital income %+v, want %+v", a.Sources[SKV].CapitalIncome, capital)
			}
			checkDecisions(t, a.Sources[FK].Decisions, append(made, planned...))
			permits := a.Sources[MIV].Permits
			if (m.Permit != nil) != (len(permits) == 1) || (m.Permit != nil && (permits[0].DecidedOn != m.Permit.Decided || permits[0].To != m.Permit.ValidUntil || permits[0].AppliedOn != m.Permit.Applied)) {
				t.Errorf("permits %+v, want %+v", permits, m.Permit)
			}
		})
	}
}

// checkDecisions checks that every FK and PM payment of the query's
// period is paid on a decision the client read: of its benefit, covering
// its period, of its gross amount (per month, or for the days of the
// month: sjukpenning and föräldrapenning; PM in whole kronor).
func checkDecisions(t *testing.T, ds []Decision, pays []population.Payment) {
	t.Helper()
	for _, d := range ds {
		if d.DecidedOn.IsZero() || d.DecidedOn.After(simNow) || !d.Final || len(d.Amounts) != 1 || (d.Source != FK && d.Source != PM) {
			t.Errorf("decision %+v", d)
		}
	}
	for _, p := range pays {
		if (p.Source != population.FK && p.Source != population.PM) || p.From.Before(qFrom) || p.To.After(qTo) {
			continue
		}
		gross := p.Gross
		if p.Source == population.PM {
			gross = bistand.Kronor(int64(p.Gross.MulDivUp(1, 100)))
		}
		ok := false
		for _, d := range ds {
			for _, a := range d.Amounts {
				perMonth := a.Frequency == "MANAD"
				perDays := a.Frequency == "" && a.From == p.From && a.To == p.To && a.Days == p.To.Day()
				if string(d.Source) == string(p.Source) && d.Benefit == p.Benefit && !a.From.After(p.From) && (a.To.IsZero() || !a.To.Before(p.To)) &&
					a.Gross == gross && (perMonth || perDays) {
					ok = true
				}
			}
		}
		if !ok {
			t.Errorf("the payment %s %s for %s–%s (gross %s) has no decision among %+v", p.Source, p.Benefit, p.From, p.To, gross, ds)
		}
	}
}

func TestOutsider(t *testing.T) {
	c, _ := startSim(t, sim.Options{})
	var n personnummer.Number
	for i := 1; ; i++ {
		x, err := personnummer.ParseCanonical(fmt.Sprintf("19800229%03d%d", i/10, i%10))
		if err != nil {
			continue
		}
		if _, _, ok := pop.Lookup(x); !ok {
			n = x
			break
		}
	}
	a, err := c.Fetch(context.Background(), request(n))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Complete() || len(a.Payments()) != 0 || len(a.Sources[FK].Decisions) != 0 || a.Sources[CSN].CSN.Found || a.Sources[AF].AF.Registered || len(a.Sources[TNS].Vehicles) != 0 {
		t.Errorf("outsider answer %+v", a.Sources)
	}
}

// received is what the test reads of a request the simulator received.
type received struct {
	G struct {
		Korr    string `xml:"korrelationsid"`
		When    string `xml:"frageTidpunkt"`
		Org     string `xml:"ingivare>organisationsnummer"`
		OrgName string `xml:"ingivare>namn"`
		Worker  string `xml:"ingivare>handlaggare"`
		Pnr     string `xml:"personidentitet"`
		Case    string `xml:"arendeidentitet"`
		From    string `xml:"tidsperiod>fromDatum"`
		To      string `xml:"tidsperiod>tomDatum"`
		Syfte   string `xml:"syfte"`
		Lagtext string `xml:"lagtext"`
	} `xml:"Body>hamtaBastjanstInformation>generellaFrageparametrar"`
	S struct {
		Sources []struct {
			XMLName   xml.Name
			Inkludera string `xml:"inkludera,attr"`
			Version   string `xml:"fraga>version"`
			Aktorsid  string `xml:"fraga>aktorsid"`
			LEFI      string `xml:"fraga>lefiJsonFraga"`
		} `xml:",any"`
	} `xml:"Body>hamtaBastjanstInformation>specifikaFrageparametrar"`
}

// lefiCodes reads an enum of the LEFI OpenAPI description.
func lefiCodes(t *testing.T, schema string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(contractDir, "se/forsakringskassan/schema/lefi/lefi-formansinformation-v9.openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var codes []string
	in := false
	item := regexp.MustCompile(`^      - (\S+)$`)
	for s := bufio.NewScanner(f); s.Scan(); {
		line := s.Text()
		switch {
		case line == "    "+schema+":":
			in = true
		case in && item.MatchString(line):
			codes = append(codes, item.FindStringSubmatch(line)[1])
		case in && strings.TrimSpace(line) == "type: string":
			return codes
		}
	}
	t.Fatalf("no enum %s", schema)
	return nil
}

func TestRequestsCarryTheQuestion(t *testing.T) {
	c, rec := startSim(t, sim.Options{})
	h, j := find(t, "anyone", plain("unemployed"))
	n := h.Members[j].Number
	req := request(n)
	req.Caseworker = `Åsa <handläggare> & "robot"`
	if _, err := c.Fetch(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	var r received
	if err := xml.Unmarshal(rec.last(t), &r); err != nil {
		t.Fatal(err)
	}
	g := r.G
	if g.Org != "162120002411" || g.OrgName != "Demo kommun" || g.Worker != req.Caseworker || g.Pnr != n.String() || g.Case != "case-4711" ||
		g.From != "2024-01-01" || g.To != "2024-03-31" || g.Syfte != DefaultPurpose || g.Lagtext != DefaultLegalBasis || g.Korr != req.CorrelationID {
		t.Errorf("the simulator received %+v", g)
	}
	if _, err := time.Parse(time.RFC3339, g.When); err != nil {
		t.Errorf("frageTidpunkt %q", g.When)
	}
	var names []string
	for _, s := range r.S.Sources {
		names = append(names, s.XMLName.Local)
		if s.Inkludera != "true" {
			t.Errorf("%s inkludera=%q", s.XMLName.Local, s.Inkludera)
		}
		if s.XMLName.Local != "FK" {
			continue
		}
		if s.Version != "v9" || s.Aktorsid != baseCfg.AktorsID {
			t.Errorf("FK fraga %+v", s)
		}
		js, err := base64.StdEncoding.DecodeString(s.LEFI)
		if err != nil {
			t.Fatal(err)
		}
		var q map[string]any
		dec := json.NewDecoder(bytes.NewReader(js))
		if err := dec.Decode(&q); err != nil {
			t.Fatal(err)
		}
		period, _ := q["period"].(map[string]any)
		if q["personnummer"] != n.String() || period["from"] != "2024-01-01" || period["tom"] != "2024-03-31" {
			t.Errorf("LEFI query %s", js)
		}
		enum := lefiCodes(t, "LefiExternFormanGruppKod")
		for _, section := range []string{"utbetalningar", "preliminaraUtbetalningar"} {
			list, _ := q[section].([]any)
			var got []string
			for _, c := range list {
				got = append(got, c.(string))
				if !slices.Contains(enum, c.(string)) {
					t.Errorf("%s: %v is not in LefiExternFormanGruppKod", section, c)
				}
			}
			if !slices.Equal(got, LEFIGroups) {
				t.Errorf("%s asks %v", section, got)
			}
		}
		// Decisions: FK's groups in formansinformation, PM's in beslut.
		for section, want := range map[string][]string{"formansinformation": {"FK:ABB", "FK:BOB", "FK:US", "FK:SJP", "FK:FP", "FK:AS"}, "beslut": {"PM:AP"}} {
			list, _ := q[section].([]any)
			var got []string
			for _, c := range list {
				got = append(got, c.(string))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s asks %v, want %v", section, got, want)
			}
		}
		for k := range q {
			if !slices.Contains([]string{"personnummer", "period", "formansinformation", "beslut", "utbetalningar", "preliminaraUtbetalningar"}, k) {
				t.Errorf("the LEFI query asks %s too", k)
			}
		}
		for _, err := range contracttest.LoadOpenAPI(t, contractDir).JSONCheck(js, "LefiExternFormansinformationFraga") {
			t.Errorf("LEFI query %s: %v", js, err)
		}
	}
	if !slices.Equal(names, []string{"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"}) {
		t.Errorf("source elements %v", names)
	}

	// A subset: the others are sent with inkludera="false".
	req.Sources = []Source{SO, CSN}
	req.CorrelationID = ""
	a, err := c.Fetch(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Sources) != 2 || a.Sources[SO] == nil || a.Sources[CSN] == nil || a.CorrelationID == "" {
		t.Errorf("subset answer %+v", a)
	}
	r = received{}
	xml.Unmarshal(rec.last(t), &r)
	if r.G.Korr != a.CorrelationID || len(r.G.Korr) != 36 {
		t.Errorf("generated korrelationsid %q, answer's %q", r.G.Korr, a.CorrelationID)
	}
	for _, s := range r.S.Sources {
		if want := s.XMLName.Local == "SO" || s.XMLName.Local == "CSN"; (s.Inkludera == "true") != want || (s.XMLName.Local == "FK" && s.LEFI != "") {
			t.Errorf("%s inkludera=%s", s.XMLName.Local, s.Inkludera)
		}
	}
}

// Every request the client sends validates against the contract.
func TestRequestsValidate(t *testing.T) {
	c, rec := startSim(t, sim.Options{})
	h, j := find(t, "a samordningsnummer holder", func(h population.Household, j int, m population.Person) bool { return m.Number.IsCoordination() })
	coord := h.Members[j].Number
	h, j = find(t, "anyone", plain("student"))
	n := h.Members[j].Number
	for name, req := range map[string]Request{
		"all":          request(n),
		"subset":       {Person: n, CaseID: "c", Caseworker: "w", From: qFrom, To: qTo, Sources: []Source{SO, TNS}},
		"FK only":      {Person: n, CaseID: "c", Caseworker: "w", From: qFrom, To: qFrom, Sources: []Source{FK}},
		"coordination": request(coord),
		"awkward text": {Person: n, CaseID: "ärende <1> & \"2\"", Caseworker: "Åsa\tÖberg ]]> \x01", From: qFrom, To: qTo},
	} {
		if _, err := c.Fetch(context.Background(), req); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		payload, err := contracttest.BodyPayload(rec.last(t))
		if err != nil {
			t.Fatal(err)
		}
		contracttest.Validate(t, ssbtSchema(), payload, "request "+name)
	}
	if _, err := c.Test(context.Background()); err != nil {
		t.Fatal(err)
	}
	payload, err := contracttest.BodyPayload(rec.last(t))
	if err != nil {
		t.Fatal(err)
	}
	contracttest.Validate(t, ssbtSchema(), payload, "test request")
}

func TestPartialAnswer(t *testing.T) {
	c, _ := startSim(t, sim.Options{})
	for _, src := range Sources {
		h, j := find(t, "failing "+string(src), func(h population.Household, j int, m population.Person) bool {
			return h.FailsSource == population.Source(src)
		})
		a, err := c.Fetch(context.Background(), request(h.Members[j].Number))
		if err != nil {
			t.Fatalf("%s failing failed the call: %v", src, err)
		}
		if a.Complete() {
			t.Errorf("%s failing: the answer is complete", src)
		}
		for _, other := range Sources {
			sa := a.Sources[other]
			if other == src {
				if sa.Err == nil || sa.Err.Kalla != KallaBT || sa.Err.Code != "BT_TEKNISKT_FEL" || len(sa.Err.Messages) == 0 || sa.Payments != nil {
					t.Errorf("%s: %+v, want its error", src, sa)
				}
			} else if sa.Err != nil {
				t.Errorf("%s failing made %s fail: %v", src, other, sa.Err)
			}
		}
		// The other sources' data is all there.
		made, _ := expected(h, j)
		var want []population.Payment
		for _, p := range made {
			if p.Source == population.PM && src == FK || Source(p.Source) == src {
				continue
			}
			want = append(want, p)
		}
		if g, w := keys(a.Payments(), ansKey), keys(want, popKey); !slices.Equal(g, w) {
			t.Errorf("%s failing: payments %v, want %v", src, g, w)
		}
	}

	c, _ = startSim(t, sim.Options{SourceFailureRate: 1000})
	h, j := find(t, "anyone", plain("unemployed"))
	a, err := c.Fetch(context.Background(), request(h.Members[j].Number))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Sources {
		if e := a.Sources[s].Err; e == nil || e.Kalla != KallaSSBT || e.Code != "SSBT_TIMEOUT" {
			t.Errorf("%s: %+v", s, a.Sources[s])
		}
	}
}

func TestWholeCallFailuresAreRetryable(t *testing.T) {
	c, _ := startSim(t, sim.Options{FailureRate: 1000})
	h, j := find(t, "anyone", plain("unemployed"))
	seen := map[string]int{}
	for i := range 30 {
		req := request(h.Members[j].Number)
		req.CorrelationID = fmt.Sprintf("retry-%d", i)
		_, err := c.Fetch(context.Background(), req)
		var f *Fault
		var he *HTTPError
		switch {
		case errors.As(err, &f):
			seen["fault"]++
			if f.Felkod != "SSBT_TEKNISKT_FEL" || !strings.HasSuffix(f.FaultCode, "Server") || len(f.Messages) == 0 {
				t.Errorf("fault %+v", f)
			}
		case errors.As(err, &he):
			seen["503"]++
			if he.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("status %d", he.StatusCode)
			}
		default:
			t.Fatalf("error %v", err)
		}
		if !IsRetryable(err) {
			t.Errorf("%v is not retryable", err)
		}
	}
	if seen["fault"] == 0 || seen["503"] == 0 {
		t.Errorf("failure kinds %v", seen)
	}
	if _, err := c.Test(context.Background()); !IsRetryable(err) {
		t.Errorf("Test: %v", err)
	}

	// At 500 ‰ a retry with a new frageTidpunkt can succeed.
	c, _ = startSim(t, sim.Options{FailureRate: 500})
	ok := false
	for i := 0; i < 20 && !ok; i++ {
		_, err := c.Fetch(context.Background(), request(h.Members[j].Number))
		ok = err == nil
		if err != nil && !IsRetryable(err) {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if !ok {
		t.Error("twenty retries never succeeded at 500 ‰")
	}
}

// serve answers every call with status and body.
func serve(t *testing.T, status int, body []byte) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	cfg := baseCfg
	cfg.URL = srv.URL
	return NewClient(cfg)
}

// tolvan is the contract examples' person, 199001011234 — whose check
// digit is wrong — with the right check digit: retarget puts it into the
// examples.
var tolvan = func() personnummer.Number {
	for c := '0'; c <= '9'; c++ {
		if n, err := personnummer.ParseCanonical("19900101123" + string(c)); err == nil {
			return n
		}
	}
	panic("no check digit")
}()

// retarget replaces the examples' invalid personnummer by tolvan's, in the
// XML and in CSN's base64 payload.
func retarget(t *testing.T, b []byte) []byte {
	t.Helper()
	b = bytes.ReplaceAll(b, []byte("199001011234"), []byte(tolvan.String()))
	re := regexp.MustCompile(`<ssbt:svar>([^<]*)</ssbt:svar>`)
	return re.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := re.FindSubmatch(m)
		x, err := base64.StdEncoding.DecodeString(string(sub[1]))
		if err != nil {
			t.Fatal(err)
		}
		x = bytes.ReplaceAll(x, []byte(`"9001011234"`), []byte(`"`+tolvan.String()[2:]+`"`))
		return []byte("<ssbt:svar>" + base64.StdEncoding.EncodeToString(x) + "</ssbt:svar>")
	})
}

func TestFaultsAndMalformed(t *testing.T) {
	clientFault := []byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Ogiltig fråga för 199001011234</faultstring><detail><ssbt:hamtaBastjanstInformationFault xmlns:ssbt="http://schema.forsakringskassan.se/integration/ssbt/10"><ssbt:felkod>OGILTIG</ssbt:felkod><ssbt:felmeddelande>Personen 19900101-1234 finns inte</ssbt:felmeddelande><ssbt:felmeddelande>andra raden</ssbt:felmeddelande></ssbt:hamtaBastjanstInformationFault></detail></soap:Fault></soap:Body></soap:Envelope>`)
	_, err := serve(t, 500, clientFault).Fetch(context.Background(), request(tolvan))
	var f *Fault
	if !errors.As(err, &f) || f.Felkod != "OGILTIG" || len(f.Messages) != 2 || IsRetryable(err) {
		t.Fatalf("client fault: %v", err)
	}
	if strings.Contains(err.Error(), "1234") {
		t.Errorf("the error message carries the personnummer: %s", err)
	}
	// A fault sent with 200 is a fault too.
	if _, err := serve(t, 200, clientFault).Fetch(context.Background(), request(tolvan)); !errors.As(err, &f) {
		t.Errorf("fault with 200: %v", err)
	}
	for name, c := range map[string]struct {
		status    int
		body      []byte
		malformed bool
		retry     bool
	}{
		"garbage":            {200, []byte("not xml"), true, false},
		"empty body":         {200, []byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`), true, false},
		"SOAP 1.2":           {200, bytes.ReplaceAll(fixture(t, "so-response.xml"), []byte("http://schemas.xmlsoap.org/soap/envelope/"), []byte("http://www.w3.org/2003/05/soap-envelope")), true, false},
		"wrong namespace":    {200, bytes.ReplaceAll(fixture(t, "so-response.xml"), []byte("ssbt/10"), []byte("ssbt/9")), true, false},
		"no svarsdata":       {200, []byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ssbt:hamtaBastjanstInformationResponse xmlns:ssbt="http://schema.forsakringskassan.se/integration/ssbt/10"/></soap:Body></soap:Envelope>`), true, false},
		"other korrelations": {200, bytes.Replace(fixture(t, "tns-response.xml"), []byte("<ssbt:svarsdata>"), []byte("<ssbt:korrelationsid>someone-else</ssbt:korrelationsid><ssbt:svarsdata>"), 1), true, false},
		"500 without fault":  {500, []byte("oops"), false, true},
		"404":                {404, nil, false, false},
		"502":                {502, nil, false, true},
		"too large":          {200, bytes.Repeat([]byte(" "), maxBody+10), true, false},
	} {
		_, err := serve(t, c.status, c.body).Fetch(context.Background(), request(tolvan))
		var he *HTTPError
		if err == nil || errors.Is(err, ErrMalformed) != c.malformed || IsRetryable(err) != c.retry || (!c.malformed && !errors.As(err, &he)) {
			t.Errorf("%s: %v (malformed %v, retryable %v)", name, err, errors.Is(err, ErrMalformed), IsRetryable(err))
		}
	}
}

func TestWrongPersonAndMissingSources(t *testing.T) {
	// The AF example is about 199001011234; ask about someone else.
	h, j := find(t, "anyone", plain("unemployed"))
	req := request(h.Members[j].Number)
	req.Sources = []Source{AF, SO}
	a, err := serve(t, 200, fixture(t, "af-response.xml")).Fetch(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if e := a.Sources[AF].Err; e == nil || e.Code != CodeWrongPerson || a.Sources[AF].AF != nil {
		t.Errorf("AF about another person: %+v", a.Sources[AF])
	}
	if e := a.Sources[SO].Err; e == nil || e.Code != CodeMissing || e.Kalla != KallaSSBT && e.Kalla != KallaClient {
		t.Errorf("SO not answered: %+v", a.Sources[SO])
	}
	// Asked about the right person, every example is read.
	for _, name := range []string{"af", "csn", "fk", "miv", "skv", "so", "tns"} {
		req := request(tolvan)
		req.Sources = []Source{Source(strings.ToUpper(name))}
		a, err := serve(t, 200, retarget(t, fixture(t, name+"-response.xml"))).Fetch(context.Background(), req)
		if err != nil || !a.Complete() || len(a.Sources) != 1 {
			t.Errorf("%s: %v %+v", name, err, a)
		}
	}
}

func TestInvalidRequests(t *testing.T) {
	called := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	defer srv.Close()
	ok := request(tolvan)
	for name, c := range map[string]struct {
		cfg func(*Config)
		req func(*Request)
	}{
		"no person":     {nil, func(r *Request) { r.Person = personnummer.Number{} }},
		"no case":       {nil, func(r *Request) { r.CaseID = " " }},
		"no caseworker": {nil, func(r *Request) { r.Caseworker = "" }},
		"no period":     {nil, func(r *Request) { r.From = bistand.Date{} }},
		"reversed":      {nil, func(r *Request) { r.From, r.To = r.To, r.From }},
		"PM":            {nil, func(r *Request) { r.Sources = []Source{PM} }},
		"unknown":       {nil, func(r *Request) { r.Sources = []Source{"XYZ"} }},
		"bad org":       {func(c *Config) { c.OrgNumber = "161110002411" }, nil},
		"no org name":   {func(c *Config) { c.OrgName = "" }, nil},
		"no aktorsid":   {func(c *Config) { c.AktorsID = "" }, nil},
		"no URL":        {func(c *Config) { c.URL = "" }, nil},
	} {
		cfg := baseCfg
		cfg.URL = srv.URL
		if c.cfg != nil {
			c.cfg(&cfg)
		}
		req := ok
		if c.req != nil {
			c.req(&req)
		}
		_, err := NewClient(cfg).Fetch(context.Background(), req)
		if !errors.Is(err, ErrInvalidRequest) || IsRetryable(err) || strings.Contains(err.Error(), tolvan.String()) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Without FK the actor id is not needed.
	cfg := baseCfg
	cfg.URL, cfg.AktorsID = srv.URL, ""
	req := ok
	req.Sources = []Source{SO}
	if _, err := NewClient(cfg).Fetch(context.Background(), req); errors.Is(err, ErrInvalidRequest) {
		t.Errorf("SO without an actor id: %v", err)
	}
	called = false
	if _, err := NewClient(cfg).Fetch(context.Background(), ok); err == nil || called {
		t.Error("an invalid request was sent")
	}
}

func TestTestOperation(t *testing.T) {
	c, _ := startSim(t, sim.Options{})
	res, err := c.Test(context.Background())
	if err != nil || len(res) != 7 {
		t.Fatalf("%v %v", res, err)
	}
	for s, e := range res {
		if e != nil {
			t.Errorf("%s: %v", s, e)
		}
	}
	c, _ = startSim(t, sim.Options{SourceFailureRate: 1000})
	res, err = c.Test(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Sources {
		var se *SourceError
		if !errors.As(res[s], &se) || se.Kalla != KallaSSBT {
			t.Errorf("%s: %v", s, res[s])
		}
	}
}

func TestContextEnds(t *testing.T) {
	c, _ := startSim(t, sim.Options{Latency: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Fetch(ctx, request(tolvan))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("%v after %v", err, time.Since(start))
	}
}

func TestMutualTLS(t *testing.T) {
	// TLS 1.3 (the default) and 1.2: under 1.3 the server checks the
	// client's certificate after the client has finished its handshake, so
	// a refusal may reach the client as a broken connection; under 1.2 it
	// is always the server's alert, which is not retryable.
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(version), func(t *testing.T) { testMutualTLS(t, version) })
	}
}

func testMutualTLS(t *testing.T, version uint16) {
	p := testpki.New(t)
	srv := httptest.NewUnstartedServer(sim.NewSSBTEK(pop, sim.Options{Now: func() bistand.Date { return simNow }}))
	srv.TLS = p.ServerTLS(version)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below
	srv.StartTLS()
	defer srv.Close()
	h, j := find(t, "anyone", plain("unemployed"))
	req := request(h.Members[j].Number)

	client := func(tc *tls.Config) *Client {
		cfg := baseCfg
		cfg.URL = srv.URL + "/ssbtek"
		cfg.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 10 * time.Second}
		return NewClient(cfg)
	}
	tc, err := TLSConfig(p.ClientCert, p.ClientKey, p.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	if tc.MinVersion < tls.VersionTLS12 || len(tc.Certificates) != 1 || tc.RootCAs == nil {
		t.Errorf("TLS config %+v", tc)
	}
	a, err := client(tc).Fetch(context.Background(), req)
	if err != nil || !a.Complete() {
		t.Fatalf("with the client certificate: %v", err)
	}
	if _, err := client(tc).Test(context.Background()); err != nil {
		t.Fatalf("Test with the client certificate: %v", err)
	}

	refused := func(name string, tc *tls.Config, retryable bool) {
		_, err := client(tc).Fetch(context.Background(), req)
		var te *TransportError
		if !errors.As(err, &te) {
			t.Errorf("%s: %v, want a refused connection", name, err)
			return
		}
		if !retryable && IsRetryable(err) {
			t.Errorf("%s: retryable: %v", name, err)
		}
	}
	determined := version == tls.VersionTLS12
	refused("no client certificate", &tls.Config{RootCAs: p.CAPool, MinVersion: tls.VersionTLS12}, !determined)
	foreign, err := TLSConfig(p.ForeignCert, p.ForeignKey, p.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	refused("a certificate of another CA", foreign, !determined)
	noCA, err := TLSConfig(p.ClientCert, p.ClientKey, "")
	if err != nil {
		t.Fatal(err)
	}
	refused("a server the client does not trust", noCA, false)

	if _, err := TLSConfig(p.ClientCert, p.ClientKey, p.ClientKey); err == nil {
		t.Error("a CA file without certificates was accepted")
	}
	if _, err := TLSConfig(p.CAFile, p.ClientKey, p.CAFile); err == nil {
		t.Error("a key that is not the certificate's was accepted")
	}
}
