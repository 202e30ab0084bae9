package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/ssbtek/internal/contracttest"
)

const (
	contractDir = "../testdata/contract"
	csnStub     = "../testdata/csn-stub/SBNUppgEkBistandBegar_v1_0.xsd"
)

var (
	pop      = population.New(1, 2000)
	testNow  = bistand.MustDate(2024, 3, 20)
	allSrc   = []string{"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"}
	fromDate = "2024-01-01"
	toDate   = "2024-03-31"
)

func ssbtSchema() string { return filepath.Join(contractDir, contracttest.SSBTSchema) }

// params describe a request the tests write by hand: the simulator's tests
// know no client.
type params struct {
	pnr         string
	corr        *string
	when        string
	org         string
	from, to    string
	include     map[string]bool
	periods     map[string][2]string
	lefi        string // the LEFI JSON; "" means the usual query
	lefiVersion string
	omit        string // an element of generellaFrageparametrar to leave out
	noSource    string // a source element to leave out
}

func defaults(pnr string) params {
	corr := "corr-1"
	inc := map[string]bool{}
	for _, s := range allSrc {
		inc[s] = true
	}
	return params{pnr: pnr, corr: &corr, when: "2024-03-20T10:00:00.000+01:00", org: "162120002411", from: fromDate, to: toDate, include: inc}
}

func lefiQueryJSON(pnr, from, to string) string {
	return fmt.Sprintf(`{"personnummer":%q,"period":{"from":%q,"tom":%q},`+
		`"formansinformation":["FK:ABB","FK:BOB","FK:US","FK:SJP","FK:FP","FK:AS"],"beslut":["PM:AP"],`+
		`"utbetalningar":["FK:ABB","FK:BOB","FK:US","FK:SJP","FK:FP","FK:AS","PM:AP"],`+
		`"preliminaraUtbetalningar":["FK:ABB","FK:BOB","FK:US","FK:SJP","FK:FP","FK:AS","PM:AP"]}`, pnr, from, to)
}

func (p params) xml() string {
	var b strings.Builder
	el := func(name, text string) {
		if name != p.omit {
			fmt.Fprintf(&b, "<s:%s>%s</s:%s>", name, text, name)
		}
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/><soapenv:Body>`)
	b.WriteString(`<s:hamtaBastjanstInformation xmlns:s="http://schema.forsakringskassan.se/integration/ssbt/10"><s:generellaFrageparametrar>`)
	if p.when != "" {
		el("frageTidpunkt", p.when)
	}
	if p.corr != nil {
		el("korrelationsid", *p.corr)
	}
	el("fraganSkallInkluderasISvaret", "false")
	if p.omit != "ingivare" {
		fmt.Fprintf(&b, "<s:ingivare><s:organisationsnummer>%s</s:organisationsnummer><s:namn>Demo kommun</s:namn><s:handlaggare>robot</s:handlaggare></s:ingivare>", p.org)
	}
	el("personidentitet", p.pnr)
	el("arendeidentitet", "case-42")
	if p.omit != "tidsperiod" {
		fmt.Fprintf(&b, "<s:tidsperiod><s:fromDatum>%s</s:fromDatum><s:tomDatum>%s</s:tomDatum></s:tidsperiod>", p.from, p.to)
	}
	el("syfte", "Handläggning av ekonomiskt bistånd (försörjningsstöd)")
	el("lagtext", "11 kap. 11 a § socialtjänstlagen (2001:453)")
	b.WriteString("</s:generellaFrageparametrar><s:specifikaFrageparametrar>")
	for _, src := range allSrc {
		if src == p.noSource {
			continue
		}
		fmt.Fprintf(&b, `<s:%s inkludera="%t">`, src, p.include[src])
		if per, ok := p.periods[src]; ok {
			fmt.Fprintf(&b, "<s:tidsperiod><s:fromDatum>%s</s:fromDatum><s:tomDatum>%s</s:tomDatum></s:tidsperiod>", per[0], per[1])
		}
		if src == "FK" && p.include["FK"] {
			q := p.lefi
			if q == "" {
				q = lefiQueryJSON(p.pnr, p.from, p.to)
			}
			v := p.lefiVersion
			if v == "" {
				v = "v9"
			}
			fmt.Fprintf(&b, "<s:fraga><s:version>%s</s:version><s:aktorsid>demo-aktor</s:aktorsid><s:lefiJsonFraga>%s</s:lefiJsonFraga></s:fraga>", v, base64.StdEncoding.EncodeToString([]byte(q)))
		}
		fmt.Fprintf(&b, "</s:%s>", src)
	}
	b.WriteString("</s:specifikaFrageparametrar></s:hamtaBastjanstInformation></soapenv:Body></soapenv:Envelope>")
	return b.String()
}

func newSim(opt Options) http.Handler {
	if opt.Now == nil {
		opt.Now = func() bistand.Date { return testNow }
	}
	return NewSSBTEK(pop, opt)
}

func post(h http.Handler, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/ssbtek", strings.NewReader(body))
	r.Header.Set("Content-Type", "text/xml; charset=utf-8")
	r.Header.Set("SOAPAction", `""`)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// The test's own reading of a response, by local names.
type tEnvelope struct {
	Body struct {
		Resp *struct {
			When      *string `xml:"frageTidpunkt"`
			Korr      *string `xml:"korrelationsid"`
			Svarsdata struct {
				AF  *tSource `xml:"AF"`
				CSN *tSource `xml:"CSN"`
				FK  *tSource `xml:"FK"`
				SKV *tSource `xml:"SKV"`
				SO  *tSource `xml:"SO"`
				TNS *tSource `xml:"TNS"`
				MIV *tSource `xml:"MIV"`
			} `xml:"svarsdata"`
		} `xml:"hamtaBastjanstInformationResponse"`
		Test  *tTest  `xml:"testaBastjanstInformationResponse"`
		Fault *tFault `xml:"Fault"`
	} `xml:"Body"`
}

type tFault struct {
	Code   string   `xml:"faultcode"`
	String string   `xml:"faultstring"`
	Felkod string   `xml:"detail>hamtaBastjanstInformationFault>felkod"`
	TFel   string   `xml:"detail>testaBastjanstInformationFault>felkod"`
	Msgs   []string `xml:"detail>hamtaBastjanstInformationFault>felmeddelande"`
}

type tError struct {
	Kalla         string   `xml:"kalla"`
	Felkod        string   `xml:"felkod"`
	Felmeddelande []string `xml:"felmeddelande"`
}

type tSource struct {
	Data *struct {
		Inner string `xml:",innerxml"`
		LEFI  string `xml:"lefiJsonSvar"`
		Svar  string `xml:"svar"`
		// AF
		FragaPnr string `xml:"Fraga>IdentitetsbeteckningFysiskPerson"`
		Sekretes string `xml:"Svar>Sekretessmarkering"`
		Arbets   string `xml:"Svar>ArbetssokandeInfo>Arbetssokande"`
		AFOrg    string `xml:"Fraga>OrganisationsnummerForIngivare"`
		AFFrom   string `xml:"Fraga>From"`
		AFSyfte  string `xml:"Fraga>SyfteMedFraga"`
		// SO
		SOOrg    string   `xml:"OrganisationsnummerIngivare"`
		SORef    string   `xml:"Referensnummer"`
		SOFrom   string   `xml:"From"`
		SOTom    string   `xml:"Tom"`
		SOSyfte  string   `xml:"Syfte"`
		SOPar    string   `xml:"Paragraf"`
		SOPaid   []string `xml:"ArbetsloshetsersattningLista>Arbetsloshetsersattning>Utbetalningar>Utbetalningsdatum"`
		SONet    []string `xml:"ArbetsloshetsersattningLista>Arbetsloshetsersattning>Utbetalningar>NettoEfterSkatt"`
		Fordon   []string `xml:"fordonsinnehav>fordon>regnr"`
		Resultat string   `xml:"resultat"`
		// MIV
		MIVSvar []string `xml:"response>svarCollection>svar>beslutsTyp"`
	} `xml:"data"`
	Error *tError `xml:"error"`
}

type tTest struct {
	Sources []struct {
		XMLName xml.Name
		Anropad string  `xml:"anropad"`
		Error   *tError `xml:"error"`
	} `xml:",any"`
}

func (e *tEnvelope) source(name string) *tSource {
	d := &e.Body.Resp.Svarsdata
	return map[string]*tSource{"AF": d.AF, "CSN": d.CSN, "FK": d.FK, "SKV": d.SKV, "SO": d.SO, "TNS": d.TNS, "MIV": d.MIV}[name]
}

func decode(t *testing.T, body []byte) *tEnvelope {
	t.Helper()
	var e tEnvelope
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("response is not XML: %v\n%s", err, body)
	}
	return &e
}

// validate checks a response's SOAP body payload, and the CSN payload in
// it, against the contract's schemas, and the LEFI JSON against the
// OpenAPI description.
func validate(t *testing.T, body []byte, what string) {
	t.Helper()
	payload, err := contracttest.BodyPayload(body)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	contracttest.Validate(t, ssbtSchema(), payload, what)
	e := decode(t, body)
	if e.Body.Resp == nil {
		return
	}
	if s := e.Body.Resp.Svarsdata.CSN; s != nil && s.Data != nil {
		x, err := base64.StdEncoding.DecodeString(s.Data.Svar)
		if err != nil {
			t.Fatalf("%s: CSN svar is not base64", what)
		}
		contracttest.Validate(t, contracttest.CSNSchema(t, contractDir, csnStub), x, what+" (CSNSvar)")
	}
	if s := e.Body.Resp.Svarsdata.FK; s != nil && s.Data != nil {
		js, err := base64.StdEncoding.DecodeString(s.Data.LEFI)
		if err != nil {
			t.Fatalf("%s: lefiJsonSvar is not base64", what)
		}
		checkLEFI(t, js, what)
	}
}

// The OpenAPI's LefiExternFormansinformationSvar, as far as the simulator
// writes it: decoded with unknown fields refused.
type oaSvar struct {
	Utlamnare []struct {
		Utlamnare struct {
			Kod  string `json:"kod"`
			Namn string `json:"namn"`
		} `json:"utlamnare"`
		Tillstand struct {
			Kod         string `json:"kod"`
			Beskrivning string `json:"beskrivning"`
		} `json:"tillstand"`
	} `json:"utlamnare"`
	Avvikelser         map[string][]json.RawMessage `json:"avvikelser"`
	Formansinformation *struct {
		Utbetalningsuppgift      []oaUppgift `json:"utbetalningsuppgift"`
		Preliminarautbetalningar []oaUppgift `json:"preliminarautbetalningar"`
		// The ärenden: checked against the OpenAPI by lefiSchema.
		Barnbidragsarende     []oaArende `json:"barnbidragsarende"`
		Bostadsbidragsarende  []oaArende `json:"bostadsbidragsarende"`
		Underhallsstodsmottag []oaArende `json:"underhallsstodsmottag"`
		Sjukpenningarende     []oaArende `json:"sjukpenningarende"`
		Foraldrapenningarende []oaArende `json:"foraldrapenningarende"`
		Aktivitetsstodsarende []oaArende `json:"aktivitetsstodsarende"`
	} `json:"formansinformation"`
	Beslut                   []oaPmBeslut `json:"beslut"`
	Utbetalningar            []oaPm       `json:"utbetalningar"`
	PreliminaraUtbetalningar []oaPm       `json:"preliminaraUtbetalningar"`
}

// oaArende is what the tests read of FK's ärenden: their decisions.
type oaArende struct {
	Startades string `json:"startades"`
	Aktivt    *bool  `json:"aktivt"`
	Avslaget  *bool  `json:"avslaget"`
	Beslut    []struct {
		Fattades     string `json:"fattades"`
		Definitivt   bool   `json:"definitivt"`
		Forman       oaKod  `json:"forman"`
		Periodicitet *oaKod `json:"periodicitet"`
		Period       struct {
			Fran string `json:"fran"`
			Till string `json:"till"`
		} `json:"period"`
		BeslutatBruttobelopp *oaBelopp      `json:"beslutatBruttobelopp"`
		Omfattning           map[string]int `json:"omfattning"`
		Dagar                int            `json:"dagar"`
		Karens               *bool          `json:"karens"`
		Beslutsutfall        string         `json:"beslutsutfall"`
		Beslutstyp           string         `json:"beslutstyp"`
		Ersattning           any            `json:"ersattning"`
		Ersattningsdagar     []struct {
			Ersattningsdatum  string    `json:"ersattningsdatum"`
			Ersattningsbelopp *oaBelopp `json:"ersattningsbelopp"`
			Dag               string    `json:"dag"`
			Niva              *oaKod    `json:"niva"`
			Bruttobelopp      *oaBelopp `json:"bruttobelopp"`
		} `json:"ersattningsdagar"`
	} `json:"beslut"`
}

// oaPmBeslut is LefiPmFormanBeslut as far as the simulator writes it.
type oaPmBeslut struct {
	Beslutsid          string  `json:"beslutsid"`
	Beslutsdatum       string  `json:"beslutsdatum"`
	Formansgrupp       oaPmKod `json:"formansgrupp"`
	Beslutsstatus      oaPmKod `json:"beslutsstatus"`
	Beslutsutfall      oaPmKod `json:"beslutsutfall"`
	BeslutadErsattning []struct {
		BeslutatBelopp struct {
			Belopp          json.Number `json:"belopp"`
			Beloppsfrekvens oaPmKod     `json:"beloppsfrekvens"`
		} `json:"beslutatBelopp"`
		Period struct {
			From string `json:"from"`
			Tom  string `json:"tom"`
		} `json:"period"`
		Ersattningstyp oaPmKod `json:"ersattningstyp"`
	} `json:"beslutadErsattning"`
}

type oaKod struct {
	ID          any    `json:"id"`
	Beskrivning string `json:"beskrivning"`
}

type oaBelopp struct {
	Summa  json.Number `json:"summa"`
	Valuta string      `json:"valuta"`
}

type oaFranTill struct {
	Fran string `json:"fran"`
	Till string `json:"till"`
}

type oaUppgift struct {
	Typ                oaKod      `json:"typ"`
	Foretag            oaKod      `json:"foretag"`
	Formansfamilj      oaKod      `json:"formansfamilj"`
	Datum              string     `json:"datum"`
	Period             oaFranTill `json:"period"`
	Bruttobelopp       oaBelopp   `json:"bruttobelopp"`
	Skattebelopp       oaBelopp   `json:"skattebelopp"`
	Avdragsbelopp      oaBelopp   `json:"avdragsbelopp"`
	Nettobelopp        oaBelopp   `json:"nettobelopp"`
	Utbetalningsdetalj []struct {
		Forman       oaKod      `json:"forman"`
		Period       oaFranTill `json:"period"`
		Beloppstyp   oaKod      `json:"beloppstyp"`
		Bruttobelopp *oaBelopp  `json:"bruttobelopp"`
		Skattebelopp *oaBelopp  `json:"skattebelopp"`
	} `json:"utbetalningsdetalj"`
}

type oaPmKod struct {
	Kod         string `json:"kod"`
	Beskrivning string `json:"beskrivning"`
}

type oaPm struct {
	Utbetalningsdatum  string `json:"utbetalningsdatum"`
	Utbetalningsperiod struct {
		From string `json:"from"`
		Tom  string `json:"tom"`
	} `json:"utbetalningsperiod"`
	Bruttobelopp json.Number `json:"bruttobelopp"`
	Nettobelopp  json.Number `json:"nettobelopp"`
	Avdrag       []struct {
		Belopp     json.Number `json:"belopp"`
		Avdragstyp oaPmKod     `json:"avdragstyp"`
	} `json:"avdrag"`
	Utbetalningsrader []struct {
		Formansgrupp       oaPmKod     `json:"formansgrupp"`
		Belopp             json.Number `json:"belopp"`
		Utbetalningsforman oaPmKod     `json:"utbetalningsforman"`
		Beloppstyp         oaPmKod     `json:"beloppstyp"`
	} `json:"utbetalningsrader"`
}

var (
	lefiOnce sync.Once
	lefiOA   *contracttest.OpenAPI
)

// lefiSchema is LEFI's OpenAPI description, read once.
func lefiSchema(t *testing.T) *contracttest.OpenAPI {
	lefiOnce.Do(func() { lefiOA = contracttest.LoadOpenAPI(t, contractDir) })
	if lefiOA == nil {
		t.Fatal("LEFI's OpenAPI description could not be read")
	}
	return lefiOA
}

func checkLEFI(t *testing.T, js []byte, what string) *oaSvar {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(js))
	d.DisallowUnknownFields()
	d.UseNumber()
	var s oaSvar
	if err := d.Decode(&s); err != nil {
		t.Fatalf("%s: LEFI answer does not follow the OpenAPI description: %v\n%s", what, err, js)
	}
	date := func(s string) {
		if _, err := bistand.ParseDate(s); err != nil {
			t.Errorf("%s: LEFI date %q", what, s)
		}
	}
	for _, u := range s.Utlamnare {
		if u.Utlamnare.Kod != "FK" && u.Utlamnare.Kod != "PM" || !member([]string{"OK", "FELANDE", "OTILLGANGLIG"}, u.Tillstand.Kod) {
			t.Errorf("%s: utlamnare %+v not in the OpenAPI's enums", what, u)
		}
	}
	if f := s.Formansinformation; f != nil {
		for _, u := range append(append([]oaUppgift{}, f.Utbetalningsuppgift...), f.Preliminarautbetalningar...) {
			date(u.Datum)
			date(u.Period.Fran)
			date(u.Period.Till)
			for _, b := range []oaBelopp{u.Bruttobelopp, u.Skattebelopp, u.Avdragsbelopp, u.Nettobelopp} {
				if _, err := b.Summa.Float64(); err != nil || b.Valuta != "SEK" {
					t.Errorf("%s: belopp %+v", what, b)
				}
			}
		}
	}
	// Every property, type and enum value as the OpenAPI describes it.
	for _, err := range lefiSchema(t).JSONCheck(js, "LefiExternFormansinformationSvar") {
		t.Errorf("%s: LEFI answer: %v", what, err)
	}
	if f := s.Formansinformation; f != nil {
		for _, list := range [][]oaArende{f.Barnbidragsarende, f.Bostadsbidragsarende, f.Underhallsstodsmottag, f.Sjukpenningarende, f.Foraldrapenningarende, f.Aktivitetsstodsarende} {
			for _, a := range list {
				if a.Startades != "" {
					date(a.Startades)
				}
				for _, b := range a.Beslut {
					date(b.Fattades)
					date(b.Period.Fran)
					if b.Period.Till != "" {
						date(b.Period.Till)
					}
					for _, d := range b.Ersattningsdagar {
						date(d.Ersattningsdatum + d.Dag)
					}
				}
			}
		}
	}
	for _, b := range s.Beslut {
		date(b.Beslutsdatum)
		for _, e := range b.BeslutadErsattning {
			date(e.Period.From)
			if e.Period.Tom != "" {
				date(e.Period.Tom)
			}
		}
	}
	for _, u := range append(append([]oaPm{}, s.Utbetalningar...), s.PreliminaraUtbetalningar...) {
		date(u.Utbetalningsdatum)
		date(u.Utbetalningsperiod.From)
		date(u.Utbetalningsperiod.Tom)
		for _, n := range []json.Number{u.Bruttobelopp, u.Nettobelopp} {
			if _, err := n.Int64(); err != nil {
				t.Errorf("%s: PM amount %q is not an integer", what, n)
			}
		}
		for _, r := range u.Utbetalningsrader {
			if !checkCodes([]string{r.Formansgrupp.Kod}, false, true) {
				t.Errorf("%s: PM formansgrupp %q", what, r.Formansgrupp.Kod)
			}
		}
	}
	return &s
}

// find returns the first member of the population for which ok holds.
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

func profile(p string) func(population.Household, int, population.Person) bool {
	return func(h population.Household, j int, m population.Person) bool {
		return m.Profile == p && !m.Protected && h.FailsSource == "" && !m.Number.IsCoordination()
	}
}

// outsider returns a valid personnummer that is not in the population.
func outsider(t *testing.T) personnummer.Number {
	t.Helper()
	for i := 1; i < 999; i += 2 {
		n, err := personnummer.ParseCanonical(fmt.Sprintf("19750505%03d%d", i, 0))
		if err != nil {
			continue
		}
		if _, _, ok := pop.Lookup(n); !ok {
			return n
		}
	}
	for i := 1; i < 999; i++ {
		for c := 0; c < 10; c++ {
			if n, err := personnummer.ParseCanonical(fmt.Sprintf("19750505%03d%d", i, c)); err == nil {
				if _, _, ok := pop.Lookup(n); !ok {
					return n
				}
			}
		}
	}
	t.Fatal("no outsider")
	return personnummer.Number{}
}

// people are the people whose answers the tests validate.
func people(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	add := func(name string, h population.Household, j int) { out[name] = h.Members[j].Number.String() }
	for _, p := range []string{"unemployed", "student", "pension", "sick", "parental", "activity", "salary", "none"} {
		h, j := find(t, p, profile(p))
		add(p, h, j)
	}
	h, j := find(t, "a parent with allowances", func(h population.Household, j int, m population.Person) bool {
		return j == 0 && len(h.Members) > 2 && h.FailsSource == "" && !m.Protected
	})
	add("parent", h, j)
	h, j = find(t, "a late FK payer's parent", func(h population.Household, j int, m population.Person) bool {
		return j == 0 && h.Late && len(h.Members) > 2 && h.FailsSource == ""
	})
	add("late", h, j)
	h, j = find(t, "a vehicle owner", func(h population.Household, j int, m population.Person) bool {
		return len(m.Vehicles) > 0 && h.FailsSource == ""
	})
	add("vehicle", h, j)
	h, j = find(t, "someone with capital income", func(h population.Household, j int, m population.Person) bool {
		return m.CapitalIncome > 0 && h.FailsSource == ""
	})
	add("capital", h, j)
	h, j = find(t, "a permit holder", func(h population.Household, j int, m population.Person) bool {
		return m.Permit != nil && h.FailsSource == ""
	})
	add("permit", h, j)
	h, j = find(t, "a student with a samordningsnummer", func(h population.Household, j int, m population.Person) bool {
		return m.Number.IsCoordination() && m.Profile == "student"
	})
	add("coordination-student", h, j)
	h, j = find(t, "a protected person", func(h population.Household, j int, m population.Person) bool {
		return m.Protected && h.FailsSource == ""
	})
	add("protected", h, j)
	h, j = find(t, "a child", func(h population.Household, j int, m population.Person) bool { return m.Role == "child" })
	add("child", h, j)
	for _, src := range population.Sources {
		h, j = find(t, "in a household failing "+string(src), func(h population.Household, j int, m population.Person) bool { return h.FailsSource == src })
		add("fails-"+string(src), h, j)
	}
	out["outsider"] = outsider(t).String()
	return out
}

func TestResponsesValidate(t *testing.T) {
	h := newSim(Options{})
	for name, pnr := range people(t) {
		t.Run(name, func(t *testing.T) {
			w := post(h, defaults(pnr).xml())
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			validate(t, w.Body.Bytes(), name)
		})
	}
}

func TestEverySourceFailingValidates(t *testing.T) {
	h := newSim(Options{SourceFailureRate: 1000})
	pnr := people(t)["unemployed"]
	w := post(h, defaults(pnr).xml())
	validate(t, w.Body.Bytes(), "all sources failing")
	e := decode(t, w.Body.Bytes())
	for _, src := range allSrc {
		s := e.source(src)
		if s == nil || s.Error == nil || s.Error.Kalla != "SSBT" || s.Error.Felkod != codeTimeout || s.Data != nil {
			t.Errorf("%s: %+v, want error kalla SSBT", src, s)
		}
	}
}

func TestSubsetAndSourcePeriods(t *testing.T) {
	h := newSim(Options{})
	pnr := people(t)["unemployed"]
	p := defaults(pnr)
	p.include = map[string]bool{"SO": true, "AF": true}
	p.periods = map[string][2]string{"SO": {"2024-02-01", "2024-02-29"}, "AF": {"2024-02-01", "2024-02-29"}, "TNS": {"2024-01-01", "2024-01-31"}}
	w := post(h, p.xml())
	validate(t, w.Body.Bytes(), "subset")
	e := decode(t, w.Body.Bytes())
	for _, src := range allSrc {
		if got := e.source(src) != nil; got != p.include[src] {
			t.Errorf("%s answered %v, asked %v", src, got, p.include[src])
		}
	}
	so := e.source("SO").Data
	if so.SOFrom != "2024-02-01" || so.SOTom != "2024-02-29" || e.source("AF").Data.AFFrom != "2024-02-01" {
		t.Errorf("the sources' own periods were not used: SO %s–%s, AF %s", so.SOFrom, so.SOTom, e.source("AF").Data.AFFrom)
	}
	for _, d := range so.SOPaid {
		if d < "2024-02-01" || d > "2024-02-29" {
			t.Errorf("SO payment on %s outside SO's own period", d)
		}
	}
	if len(so.SOPaid) != 1 {
		t.Errorf("SO payments %v, want the one of February", so.SOPaid)
	}
}

func TestEchoes(t *testing.T) {
	h := newSim(Options{})
	pnr := people(t)["unemployed"]
	p := defaults(pnr)
	w := post(h, p.xml())
	e := decode(t, w.Body.Bytes())
	r := e.Body.Resp
	if r.Korr == nil || *r.Korr != "corr-1" || r.When == nil || *r.When != p.when {
		t.Errorf("korrelationsid/frageTidpunkt not echoed: %v %v", r.Korr, r.When)
	}
	so := e.source("SO").Data
	if so.SOOrg != p.org || so.SORef != "case-42" || so.SOFrom != fromDate || so.SOTom != toDate || !strings.HasPrefix(so.SOSyfte, "Handläggning") || !strings.HasPrefix(so.SOPar, "11 kap.") {
		t.Errorf("SO echo: %+v", so)
	}
	af := e.source("AF").Data
	if af.AFOrg != p.org || af.FragaPnr != pnr || !strings.HasPrefix(af.AFSyfte, "Handläggning") {
		t.Errorf("AF echo: %+v", af)
	}
	// Without korrelationsid and frageTidpunkt nothing is echoed.
	p.corr, p.when = nil, ""
	e = decode(t, post(h, p.xml()).Body.Bytes())
	if e.Body.Resp.Korr != nil || e.Body.Resp.When != nil {
		t.Error("echoed what was not asked")
	}
}

func TestFailsSource(t *testing.T) {
	h := newSim(Options{})
	ppl := people(t)
	for _, src := range population.Sources {
		w := post(h, defaults(ppl["fails-"+string(src)]).xml())
		validate(t, w.Body.Bytes(), "fails "+string(src))
		e := decode(t, w.Body.Bytes())
		for _, other := range allSrc {
			s := e.source(other)
			if other == string(src) {
				if s.Error == nil || s.Error.Kalla != "BT" || s.Error.Felkod != codeSourceFailed || len(s.Error.Felmeddelande) == 0 {
					t.Errorf("%s should fail with kalla BT: %+v", src, s)
				}
			} else if s.Data == nil || s.Error != nil {
				t.Errorf("%s failing made %s fail too", src, other)
			}
		}
	}
}

func TestProtected(t *testing.T) {
	h := newSim(Options{})
	pnr := people(t)["protected"]
	n, _ := personnummer.ParseCanonical(pnr)
	hh, j, _ := pop.Lookup(n)
	per := hh.Members[j]
	body := post(h, defaults(pnr).xml()).Body.Bytes()
	e := decode(t, body)
	if got := e.source("AF").Data.Sekretes; got != "true" {
		t.Errorf("AF Sekretessmarkering %q, want true", got)
	}
	csn, _ := base64.StdEncoding.DecodeString(e.source("CSN").Data.Svar)
	if !n.IsCoordination() && !bytes.Contains(csn, []byte(`sekretess="J"`)) {
		t.Errorf("CSN does not mark the person protected: %s", csn)
	}
	all := string(body) + string(csn) + e.source("SKV").Data.Svar
	for _, name := range []string{per.GivenName, per.FamilyName} {
		if strings.Contains(all, name) {
			t.Errorf("the protected person's name %q is in the answer", name)
		}
	}
}

func TestOutsidePopulation(t *testing.T) {
	h := newSim(Options{})
	pnr := outsider(t).String()
	body := post(h, defaults(pnr).xml()).Body.Bytes()
	validate(t, body, "outsider")
	e := decode(t, body)
	if len(e.source("SO").Data.SOPaid) != 0 || len(e.source("TNS").Data.Fordon) != 0 || e.source("AF").Data.Arbets != "" || len(e.source("MIV").Data.MIVSvar) != 0 {
		t.Errorf("an outsider has data: %s", body)
	}
	js, _ := base64.StdEncoding.DecodeString(e.source("FK").Data.LEFI)
	if s := checkLEFI(t, js, "outsider"); s.Formansinformation != nil || len(s.Utbetalningar) != 0 {
		t.Errorf("an outsider has LEFI payments: %s", js)
	}
	csn, _ := base64.StdEncoding.DecodeString(e.source("CSN").Data.Svar)
	if !bytes.Contains(csn, []byte(`Status="Ej träff"`)) {
		t.Errorf("CSN knows the outsider: %s", csn)
	}
}

func TestPaymentsFollowNow(t *testing.T) {
	pnr := people(t)["unemployed"]
	n, _ := personnummer.ParseCanonical(pnr)
	hh, j, _ := pop.Lookup(n)
	// The March payment of the a-kassa.
	var march population.Payment
	for _, p := range pop.Payments(hh, j, bistand.MustMonth(2024, 3), bistand.MustDate(2024, 12, 31)) {
		if p.Source == population.SO {
			march = p
		}
	}
	if march.PaidOn.IsZero() {
		t.Fatal("no March payment")
	}
	for _, c := range []struct {
		now  bistand.Date
		want int
	}{{march.PaidOn.AddDays(-1), 2}, {march.PaidOn, 3}} {
		h := newSim(Options{Now: func() bistand.Date { return c.now }})
		e := decode(t, post(h, defaults(pnr).xml()).Body.Bytes())
		so := e.source("SO").Data
		if len(so.SOPaid) != c.want {
			t.Errorf("on %s: %d SO payments %v, want %d", c.now, len(so.SOPaid), so.SOPaid, c.want)
		}
		if c.want == 3 && (so.SOPaid[2] != march.PaidOn.String() || so.SONet[2] != march.Net.Decimal()) {
			t.Errorf("March payment %s %s, want %s %s", so.SOPaid[2], so.SONet[2], march.PaidOn, march.Net.Decimal())
		}
	}
}

// Every payment of FK and PM — made, planned, late or varying — is paid
// on a decision that covers its month with its gross amount; decisions are
// answered only for the groups asked for them, and made by Now.
func TestLEFIDecisionsAgreeWithPayments(t *testing.T) {
	h := newSim(Options{})
	ppl := people(t)
	varying, _ := find(t, "a varying household with housing allowance", func(h population.Household, j int, m population.Person) bool {
		return j == 0 && h.Varying && h.FailsSource == "" && len(pop.Payments(h, 0, bistand.MustMonth(2024, 2), bistand.MustDate(2024, 4, 30))) > 1
	})
	ppl["varying"] = varying.Members[0].Number.String()
	maintained, _ := find(t, "a household with maintenance support", func(h population.Household, j int, m population.Person) bool {
		for _, p := range pop.Payments(h, j, bistand.MustMonth(2024, 2), bistand.MustDate(2024, 4, 30)) {
			if p.Benefit == population.BenefitMaintenanceSupport && h.FailsSource == "" {
				return true
			}
		}
		return false
	})
	ppl["maintenance"] = maintained.Members[0].Number.String()
	seen := map[string]bool{}
	for _, name := range []string{"sick", "parental", "activity", "pension", "parent", "late", "varying", "maintenance", "unemployed", "outsider"} {
		pnr := ppl[name]
		e := decode(t, post(h, defaults(pnr).xml()).Body.Bytes())
		js, _ := base64.StdEncoding.DecodeString(e.source("FK").Data.LEFI)
		s := checkLEFI(t, js, name)
		type covered struct {
			from, to string // to "": open
			gross    string
		}
		decided := map[string][]covered{} // by FK:/PM: group
		if f := s.Formansinformation; f != nil {
			for _, a := range [][]oaArende{f.Barnbidragsarende, f.Bostadsbidragsarende, f.Underhallsstodsmottag, f.Sjukpenningarende, f.Foraldrapenningarende, f.Aktivitetsstodsarende} {
				for _, ar := range a {
					for _, b := range ar.Beslut {
						if b.Fattades > testNow.String() || !b.Definitivt {
							t.Errorf("%s: decision %+v made after now or not final", name, b)
						}
						c := covered{from: b.Period.Fran, to: b.Period.Till}
						switch {
						case b.BeslutatBruttobelopp != nil:
							c.gross = b.BeslutatBruttobelopp.Summa.String()
							if b.Periodicitet == nil || fmt.Sprint(b.Periodicitet.ID) != "1" {
								t.Errorf("%s: a monthly amount without periodicitet 1: %+v", name, b)
							}
						default:
							var sum bistand.Money
							for _, d := range b.Ersattningsdagar {
								a := d.Ersattningsbelopp
								if a == nil {
									a = d.Bruttobelopp
								}
								m, err := bistand.ParseKronor(a.Summa.String())
								if err != nil {
									t.Fatal(err)
								}
								sum += m
							}
							if b.Dagar != len(b.Ersattningsdagar) || b.Dagar == 0 {
								t.Errorf("%s: %d days, dagar %d", name, len(b.Ersattningsdagar), b.Dagar)
							}
							c.gross = sum.Decimal()
						}
						decided["FK:"+fmt.Sprint(b.Forman.ID)] = append(decided["FK:"+fmt.Sprint(b.Forman.ID)], c)
					}
				}
			}
		}
		for _, b := range s.Beslut {
			if b.Beslutsdatum > testNow.String() || b.Beslutsstatus.Kod != "SLUTLIGT" || b.Beslutsutfall.Kod != "BIFALL" || b.Beslutsid == "" {
				t.Errorf("%s: PM decision %+v", name, b)
			}
			for _, e := range b.BeslutadErsattning {
				if e.BeslutatBelopp.Beloppsfrekvens.Kod != "MANAD" {
					t.Errorf("%s: PM amount per %s", name, e.BeslutatBelopp.Beloppsfrekvens.Kod)
				}
				decided[b.Formansgrupp.Kod] = append(decided[b.Formansgrupp.Kod], covered{e.Period.From, e.Period.Tom, e.BeslutatBelopp.Belopp.String()})
			}
		}
		n, _ := personnummer.ParseCanonical(pnr)
		hh, j, found := pop.Lookup(n)
		if !found {
			if len(decided) > 0 {
				t.Errorf("an outsider has decisions: %s", js)
			}
			continue
		}
		// Every payment the person gets for a month of the period, paid
		// or not yet.
		payments := 0
		for m := bistand.MustMonth(2024, 1); m <= bistand.MustMonth(2024, 3); m++ {
			for _, p := range pop.Payments(hh, j, m, bistand.MustDate(2030, 1, 1)) {
				if p.Source != population.FK && p.Source != population.PM {
					continue
				}
				payments++
				gross := p.Gross.Decimal()
				if p.Source == population.PM {
					gross = fmt.Sprint(int64(p.Gross.MulDivUp(1, 100)))
				}
				ok := false
				for _, c := range decided[string(p.Source)+":"+p.Benefit] {
					if c.from <= p.From.String() && (c.to == "" || c.to >= p.To.String()) && c.gross == gross {
						ok = true
					}
				}
				if !ok {
					t.Errorf("%s: the payment %s %s for %s (gross %s) has no decision: %+v", name, p.Source, p.Benefit, m, gross, decided)
				}
				seen[p.Benefit] = true
			}
		}
		if name != "unemployed" && payments == 0 {
			t.Errorf("%s: no FK or PM payment to check", name)
		}
		// Decisions only for what is asked.
		p := defaults(pnr)
		p.lefi = `{"personnummer":"` + pnr + `","period":{"from":"2024-01-01","tom":"2024-03-31"},"utbetalningar":["FK:BOB","PM:AP"]}`
		e = decode(t, post(h, p.xml()).Body.Bytes())
		js, _ = base64.StdEncoding.DecodeString(e.source("FK").Data.LEFI)
		if s := checkLEFI(t, js, name+" payments only"); len(s.Beslut) > 0 || (s.Formansinformation != nil && len(s.Formansinformation.Bostadsbidragsarende)+len(s.Formansinformation.Sjukpenningarende) > 0) {
			t.Errorf("%s: decisions not asked for: %s", name, js)
		}
	}
	for _, b := range []string{"ABB", "BOB", "US", "SJP", "FP", "AS", "AP"} {
		if !seen[b] {
			t.Errorf("no %s payment checked against its decision", b)
		}
	}
}

func TestPlannedLEFIPayments(t *testing.T) {
	pnr := people(t)["parent"]
	n, _ := personnummer.ParseCanonical(pnr)
	hh, j, _ := pop.Lookup(n)
	// Now is before the month's FK payments: they are preliminary.
	now := bistand.MustDate(2024, 3, 5)
	h := newSim(Options{Now: func() bistand.Date { return now }})
	e := decode(t, post(h, defaults(pnr).xml()).Body.Bytes())
	js, _ := base64.StdEncoding.DecodeString(e.source("FK").Data.LEFI)
	s := checkLEFI(t, js, "planned")
	var made, planned int
	for m := bistand.MustMonth(2023, 12); m <= bistand.MustMonth(2024, 3); m++ {
		for _, p := range pop.Payments(hh, j, m, bistand.MustDate(2025, 1, 1)) {
			if p.Source != population.FK || p.PaidOn.Before(bistand.MustDate(2024, 1, 1)) || p.PaidOn.After(bistand.MustDate(2024, 3, 31)) {
				continue
			}
			if p.PaidOn.After(now) {
				planned++
			} else {
				made++
			}
		}
	}
	if s.Formansinformation == nil || len(s.Formansinformation.Utbetalningsuppgift) != made || len(s.Formansinformation.Preliminarautbetalningar) != planned || planned == 0 {
		t.Errorf("LEFI made/planned payments do not match the population's %d/%d: %s", made, planned, js)
	}
}

func TestLEFIRefusals(t *testing.T) {
	h := newSim(Options{})
	pnr := people(t)["parent"]
	other := people(t)["student"]
	for name, mod := range map[string]func(*params){
		"unknown group": func(p *params) {
			p.lefi = `{"personnummer":"` + p.pnr + `","period":{"from":"2024-01-01","tom":"2024-03-31"},"utbetalningar":["FK:XYZ"]}`
		},
		"no group": func(p *params) {
			p.lefi = `{"personnummer":"` + p.pnr + `","period":{"from":"2024-01-01","tom":"2024-03-31"}}`
		},
		"long period":     func(p *params) { p.lefi = lefiQueryJSON(p.pnr, "2021-01-01", "2024-03-31") },
		"no period":       func(p *params) { p.lefi = `{"personnummer":"` + p.pnr + `","utbetalningar":["FK:BOB"]}` },
		"another person":  func(p *params) { p.lefi = lefiQueryJSON(other, "2024-01-01", "2024-03-31") },
		"not JSON":        func(p *params) { p.lefi = `<xml/>` },
		"unknown version": func(p *params) { p.lefiVersion = "v7" },
		"PM code in FK": func(p *params) {
			p.lefi = `{"personnummer":"` + p.pnr + `","period":{"from":"2024-01-01","tom":"2024-03-31"},"formansinformation":["PM:AP"]}`
		},
		"unknown ovrig": func(p *params) {
			p.lefi = `{"personnummer":"` + p.pnr + `","period":{"from":"2024-01-01","tom":"2024-03-31"},"ovrigInformation":["FK:XX"]}`
		},
	} {
		p := defaults(pnr)
		mod(&p)
		body := post(h, p.xml()).Body.Bytes()
		validate(t, body, name)
		e := decode(t, body)
		if fk := e.source("FK"); fk.Error == nil || fk.Error.Kalla != "BT" {
			t.Errorf("%s: FK %+v, want an error from BT", name, fk)
		}
		if e.source("SO").Data == nil {
			t.Errorf("%s: SO lost its answer", name)
		}
	}
}

func TestFaults(t *testing.T) {
	h := newSim(Options{})
	pnr := people(t)["unemployed"]
	ok := defaults(pnr).xml()
	for name, c := range map[string]struct {
		body, code string
	}{
		"not XML":            {"hello", codeBadCall},
		"SOAP 1.2":           {strings.ReplaceAll(ok, "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"), codeBadCall},
		"empty body":         {`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>`, codeBadCall},
		"wrong namespace":    {strings.ReplaceAll(ok, "http://schema.forsakringskassan.se/integration/ssbt/10", "http://schema.forsakringskassan.se/integration/ssbt/9"), codeBadOperation},
		"bad check digit":    {defaults(pnr[:11] + string('0'+(pnr[11]-'0'+1)%10)).xml(), codeBadPerson},
		"ten digits":         {defaults(pnr[2:]).xml(), codeBadPerson},
		"no personidentitet": {func() string { p := defaults(pnr); p.omit = "personidentitet"; return p.xml() }(), codeBadPerson},
		"no syfte":           {func() string { p := defaults(pnr); p.omit = "syfte"; return p.xml() }(), codeBadQuestion},
		"no lagtext":         {func() string { p := defaults(pnr); p.omit = "lagtext"; return p.xml() }(), codeBadQuestion},
		"no case":            {func() string { p := defaults(pnr); p.omit = "arendeidentitet"; return p.xml() }(), codeBadQuestion},
		"no ingivare":        {func() string { p := defaults(pnr); p.omit = "ingivare"; return p.xml() }(), codeBadQuestion},
		"no period":          {func() string { p := defaults(pnr); p.omit = "tidsperiod"; return p.xml() }(), codeBadQuestion},
		"bad org":            {func() string { p := defaults(pnr); p.org = "161110002411"; return p.xml() }(), codeBadQuestion},
		"from after to":      {func() string { p := defaults(pnr); p.from, p.to = "2024-04-01", "2024-03-01"; return p.xml() }(), codeBadQuestion},
		"bad time":           {func() string { p := defaults(pnr); p.when = "yesterday"; return p.xml() }(), codeBadQuestion},
		"no SKV element":     {func() string { p := defaults(pnr); p.noSource = "SKV"; return p.xml() }(), codeBadQuestion},
		"MIV period": {func() string {
			p := defaults(pnr)
			p.periods = map[string][2]string{"MIV": {fromDate, toDate}}
			return p.xml()
		}(), codeBadQuestion},
		"bad inkludera": {strings.Replace(ok, `<s:SO inkludera="true">`, `<s:SO inkludera="ja">`, 1), codeBadQuestion},
	} {
		w := post(h, c.body)
		if w.Code != http.StatusInternalServerError {
			t.Errorf("%s: status %d, want 500", name, w.Code)
			continue
		}
		e := decode(t, w.Body.Bytes())
		f := e.Body.Fault
		if f == nil || f.Felkod != c.code || f.Code != "soap:Client" || len(f.Msgs) == 0 {
			t.Errorf("%s: fault %+v, want felkod %s from soap:Client", name, f, c.code)
			continue
		}
		// The fault's detail validates, and never carries the number.
		detail := regexpDetail(t, w.Body.String())
		contracttest.Validate(t, ssbtSchema(), []byte(detail), name+" fault detail")
		if strings.Contains(w.Body.String(), pnr[2:]) {
			t.Errorf("%s: the fault carries the personnummer", name)
		}
	}

	// Not text/xml, no SOAPAction, not POST.
	for name, mod := range map[string]func(*http.Request){
		"JSON":          func(r *http.Request) { r.Header.Set("Content-Type", "application/json") },
		"no SOAPAction": func(r *http.Request) { r.Header.Del("SOAPAction") },
	} {
		r := httptest.NewRequest(http.MethodPost, "/ssbtek", strings.NewReader(ok))
		r.Header.Set("Content-Type", "text/xml")
		r.Header.Set("SOAPAction", `""`)
		mod(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if f := decode(t, w.Body.Bytes()).Body.Fault; w.Code != 500 || f == nil || f.Felkod != codeBadCall {
			t.Errorf("%s: %d %s", name, w.Code, w.Body)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/ssbtek", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", w.Code)
	}
}

// regexpDetail returns the fault element inside detail, standalone.
func regexpDetail(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, "<detail>")
	j := strings.Index(body, "</detail>")
	if i < 0 || j < i {
		t.Fatalf("no detail: %s", body)
	}
	return body[i+len("<detail>") : j]
}

func TestFailureRate(t *testing.T) {
	pnr := people(t)["unemployed"]
	h := newSim(Options{FailureRate: 250, Seed: 9})
	kinds := map[int]int{}
	for i := range 400 {
		p := defaults(pnr)
		c := fmt.Sprintf("corr-%d", i)
		p.corr = &c
		body := p.xml()
		w := post(h, body)
		kinds[w.Code]++
		if w2 := post(h, body); w2.Code != w.Code {
			t.Fatalf("the same request was decided differently: %d then %d", w.Code, w2.Code)
		}
		switch w.Code {
		case http.StatusOK:
		case http.StatusServiceUnavailable:
		case http.StatusInternalServerError:
			f := decode(t, w.Body.Bytes()).Body.Fault
			if f == nil || f.Code != "soap:Server" || f.Felkod != codeTechnical {
				t.Fatalf("injected fault %+v", f)
			}
			contracttest.Validate(t, ssbtSchema(), []byte(regexpDetail(t, w.Body.String())), "injected fault")
		default:
			t.Fatalf("status %d", w.Code)
		}
	}
	failed := kinds[500] + kinds[503]
	if failed < 60 || failed > 140 || kinds[500] == 0 || kinds[503] == 0 {
		t.Errorf("failures %v of 400 at 250 ‰", kinds)
	}
	for _, rate := range []int{0, 1000} {
		h := newSim(Options{FailureRate: rate})
		for i := range 50 {
			p := defaults(pnr)
			c := fmt.Sprintf("corr-%d", i)
			p.corr = &c
			if code := post(h, p.xml()).Code; (code == http.StatusOK) != (rate == 0) {
				t.Errorf("rate %d: status %d", rate, code)
			}
		}
	}
}

func TestSourceFailureRate(t *testing.T) {
	pnr := people(t)["unemployed"]
	h := newSim(Options{SourceFailureRate: 300, Seed: 3})
	failed, total := 0, 0
	for i := range 100 {
		p := defaults(pnr)
		c := fmt.Sprintf("corr-%d", i)
		p.corr = &c
		e := decode(t, post(h, p.xml()).Body.Bytes())
		for _, src := range allSrc {
			s := e.source(src)
			total++
			if s.Error != nil {
				failed++
				if s.Error.Kalla != "SSBT" || s.Data != nil {
					t.Fatalf("%s: %+v", src, s)
				}
			} else if s.Data == nil {
				t.Fatalf("%s: neither data nor error", src)
			}
		}
	}
	if failed < 150 || failed > 270 {
		t.Errorf("%d of %d sources failed at 300 ‰", failed, total)
	}
}

func TestTesta(t *testing.T) {
	body := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><s:testaBastjanstInformation xmlns:s="http://schema.forsakringskassan.se/integration/ssbt/10"/></soapenv:Body></soapenv:Envelope>`
	for _, rate := range []int{0, 1000} {
		w := post(newSim(Options{SourceFailureRate: rate}), body)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		validate(t, w.Body.Bytes(), "testa")
		e := decode(t, w.Body.Bytes())
		if e.Body.Test == nil || len(e.Body.Test.Sources) != 7 {
			t.Fatalf("test answer %s", w.Body)
		}
		for _, s := range e.Body.Test.Sources {
			if s.Anropad != "true" || (s.Error != nil) != (rate == 1000) {
				t.Errorf("rate %d: %s %+v", rate, s.XMLName.Local, s)
			}
		}
	}
	w := post(newSim(Options{FailureRate: 1000}), body)
	if w.Code == http.StatusInternalServerError {
		f := decode(t, w.Body.Bytes()).Body.Fault
		if f == nil || f.TFel != codeTechnical {
			t.Errorf("testa fault %+v", f)
		}
		contracttest.Validate(t, ssbtSchema(), []byte(regexpDetail(t, w.Body.String())), "testa fault")
	} else if w.Code != http.StatusServiceUnavailable {
		t.Errorf("testa at 1000 ‰: %d", w.Code)
	}
}

func TestLatency(t *testing.T) {
	h := newSim(Options{Latency: 80 * time.Millisecond})
	srv := httptest.NewServer(h)
	defer srv.Close()
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/ssbtek", strings.NewReader(defaults(people(t)["unemployed"]).xml()))
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("SOAPAction", `""`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(start); d < 80*time.Millisecond || resp.StatusCode != 200 {
		t.Errorf("answered in %v with %d, want at least 80 ms", d, resp.StatusCode)
	}
}

// The validation above can fail: a response the schema refuses is refused.
func TestValidationCanFail(t *testing.T) {
	body := post(newSim(Options{}), defaults(people(t)["unemployed"]).xml()).Body.Bytes()
	payload, err := contracttest.BodyPayload(body)
	if err != nil {
		t.Fatal(err)
	}
	for name, broken := range map[string][]byte{
		"kalla not in the enum": bytes.Replace(post(newSim(Options{SourceFailureRate: 1000}), defaults(people(t)["unemployed"]).xml()).Body.Bytes(), []byte("<ssbt:kalla>SSBT<"), []byte("<ssbt:kalla>XX<"), 1),
		"SO echo out of order":  bytes.Replace(payload, []byte("<so:Syfte>"), []byte("<so:Paragraf>x</so:Paragraf><so:Syfte>"), 1),
		"unqualified svarsdata": bytes.Replace(bytes.Replace(payload, []byte("<ssbt:svarsdata>"), []byte("<svarsdata>"), 1), []byte("</ssbt:svarsdata>"), []byte("</svarsdata>"), 1),
	} {
		if p, err := contracttest.BodyPayload(broken); err == nil {
			broken = p
		}
		if err := contracttest.Check(t, ssbtSchema(), broken); err == nil {
			t.Errorf("%s: validates", name)
		}
	}
	if err := contracttest.Check(t, ssbtSchema(), payload); err != nil {
		t.Errorf("the unbroken payload does not validate: %v", err)
	}
}
