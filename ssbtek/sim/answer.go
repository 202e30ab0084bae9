package sim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/population"
)

// reply is what the simulator knows while answering one question.
type reply struct {
	s     *server
	q     *question
	now   bistand.Date
	found bool
	h     population.Household
	j     int
	per   population.Person
	pnr   string
}

// srcError is a source's error element.
type srcError struct{ kalla, code, msg string }

func (s *server) answer(q *question, key string) []byte {
	r := &reply{s: s, q: q, now: s.opt.Now(), pnr: q.person.String()}
	r.h, r.j, r.found = s.pop.Lookup(q.person)
	if r.found {
		r.per = r.h.Members[r.j]
	}
	var x xw
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>`)
	x.start("soap:Envelope", "xmlns:soap", nsSOAP)
	x.start("soap:Body")
	x.start("ssbt:hamtaBastjanstInformationResponse", "xmlns:ssbt", nsSSBT, "xmlns:af", nsAF, "xmlns:so", nsSO, "xmlns:tns", nsTNS, "xmlns:fordon", nsFordon)
	if q.frageTidpunkt != "" {
		x.elem("ssbt:frageTidpunkt", q.frageTidpunkt)
	}
	if q.hasKorrelationsid {
		x.elem("ssbt:korrelationsid", q.korrelationsid)
	}
	x.start("ssbt:svarsdata")
	for _, src := range population.Sources {
		if !q.asked[src] {
			continue
		}
		name := "ssbt:" + string(src)
		x.start(name)
		var e *srcError
		switch {
		case r.found && r.h.FailsSource == src:
			e = &srcError{"BT", codeSourceFailed, "Bastjänsten kunde inte besvara frågan (tekniskt fel)"}
		case s.roll(key, "source:"+string(src)) < s.opt.SourceFailureRate:
			e = &srcError{"SSBT", codeTimeout, "Tidsgränsen överskreds i anropet till bastjänsten"}
		}
		var data xw
		if e == nil {
			e = r.source(&data, src)
		}
		if e != nil {
			writeError(&x, e.kalla, e.code, e.msg)
		} else {
			x.start("ssbt:data")
			x.Write(data.Bytes())
			x.end("ssbt:data")
		}
		x.end(name)
	}
	x.end("ssbt:svarsdata")
	x.end("ssbt:hamtaBastjanstInformationResponse")
	x.end("soap:Body")
	x.end("soap:Envelope")
	return x.Bytes()
}

func (r *reply) source(x *xw, src population.Source) *srcError {
	p := r.q.periods[src]
	switch src {
	case population.AF:
		r.af(x, p[0], p[1])
	case population.CSN:
		r.csn(x, p[0], p[1])
	case population.FK:
		return r.fk(x)
	case population.SKV:
		r.skv(x)
	case population.SO:
		r.so(x, p[0], p[1])
	case population.TNS:
		r.tns(x)
	case population.MIV:
		r.miv(x)
	}
	return nil
}

// payments returns the person's payments from src paid in [from, to]:
// made ones (paid on or before Now) or planned ones (paid after Now, by
// the end of the month after Now's).
func (r *reply) payments(src population.Source, from, to bistand.Date, planned bool) []population.Payment {
	if !r.found {
		return nil
	}
	pop := r.s.pop
	first, last := from.Month().Add(-1), to.Month() // a late payment falls in the next month
	if first < pop.Epoch {
		first = pop.Epoch
	}
	limit := r.now.Month().Add(1)
	if last > limit {
		last = limit
	}
	asOf := r.now
	if planned {
		asOf = limit.LastDay()
	}
	var out []population.Payment
	for m := first; m <= last; m++ {
		for _, p := range pop.Payments(r.h, r.j, m, asOf) {
			if p.Source != src || p.PaidOn.Before(from) || p.PaidOn.After(to) || p.PaidOn.After(r.now) != planned {
				continue
			}
			out = append(out, p)
		}
	}
	return out
}

func (r *reply) named() bool { return r.found && !r.per.Protected }

func (r *reply) af(x *xw, from, to bistand.Date) {
	q := r.q
	x.start("af:Fraga")
	x.elem("af:OrganisationsnummerForIngivare", q.org)
	x.elem("af:NamnPaIngivare", q.orgName)
	x.elem("af:KontonamnForHandlaggare", q.caseworker)
	x.elem("af:Referensnummer", q.caseID)
	x.elem("af:From", from.String())
	x.elem("af:Tom", to.String())
	x.elem("af:SyfteMedFraga", q.purpose)
	x.elem("af:LagParagraf", q.legalBasis)
	x.elem("af:IdentitetsbeteckningFysiskPerson", r.pnr)
	x.end("af:Fraga")
	x.start("af:Svar")
	x.elem("af:Schemaversion", "4.0")
	x.elem("af:Referensnummer", q.caseID)
	x.elem("af:LagParagraf", q.legalBasis)
	x.elem("af:IdentitetsbeteckningFysiskPerson", r.pnr)
	if r.named() {
		x.elem("af:Fornamn", r.per.GivenName)
		x.elem("af:Efternamn", r.per.FamilyName)
	}
	if r.found {
		x.elem("af:Sekretessmarkering", strconv.FormatBool(r.per.Protected))
	}
	if r.found && r.per.RegisteredAtAF {
		registered := r.s.pop.Epoch.FirstDay().AddDays(-(r.h.Index%200 + 3*r.j))
		report := r.now.Month().FirstDay().AddDays(11)
		if r.now.Day() < 12 {
			report = r.now.Month().Add(-1).FirstDay().AddDays(11)
		}
		x.start("af:ArbetssokandeInfo")
		x.elem("af:Arbetssokande", "true")
		if r.per.Profile == "activity" {
			x.elem("af:ArbetssokandeSKAT", "I program med aktivitetsstöd")
		} else {
			x.elem("af:ArbetssokandeSKAT", "Öppet arbetslös")
		}
		x.elem("af:ArbetssokandeRegistrerad", registered.String())
		x.elem("af:ArbetssokandeOmfattning", "100")
		x.start("af:AktivetetsRapportDatum")
		x.elem("af:AktivitetsRapportMeddelande", "Aktivitetsrapport inlämnad")
		x.elem("af:SenasteAktivitetsRapportDatum", report.String())
		x.end("af:AktivetetsRapportDatum")
		x.end("af:ArbetssokandeInfo")
		if r.per.Profile == "activity" {
			x.start("af:BeslutInfo")
			x.start("af:EkonomiskaBeslut")
			x.start("af:Beslut")
			x.elem("af:ErsattningTyp", "Aktivitetsstöd")
			x.elem("af:Omfattning", "100")
			x.elem("af:BeslutFrom", registered.String())
			x.elem("af:BeslutTom", r.now.Month().Add(6).LastDay().String())
			x.end("af:Beslut")
			x.end("af:EkonomiskaBeslut")
			x.end("af:BeslutInfo")
		}
		if r.per.Profile == "unemployed" {
			x.elem("af:Akassetillhorighet", "Demokassan")
		}
	}
	x.elem("af:StatusSokandeinformationKod", "0")
	x.elem("af:StatusSokandeinformationKodText", "Frågan har behandlats normalt och ett giltigt svar har returnerats.")
	x.end("af:Svar")
}

// isoWeek writes d's ISO 8601 week as CSN's "vecka": YYYYWW.
func isoWeek(d bistand.Date) string {
	y, w := time.Date(d.Year(), d.MonthOfYear(), d.Day(), 12, 0, 0, 0, time.UTC).ISOWeek()
	return fmt.Sprintf("%04d%02d", y, w)
}

func compact(d bistand.Date) string { return strings.ReplaceAll(d.String(), "-", "") }

// kronor writes a whole number of kronor (CSN's belopp), rounded down.
func kronor(m bistand.Money) string { return strconv.FormatInt(int64(m.MulDivDown(1, 100)), 10) }

const (
	nsCSNKommun = "http://schema.csn.se/v4.0/kommunfraga"
	nsCSNPerson = "http://schema.csn.se/v4.0/person"
	nsCSNTyper  = "http://schema.csn.se/v4.0/csntyper"
	nsCSNSM     = "http://schema.csn.se/v4.0/studiemedel"
)

func (r *reply) csn(x *xw, from, to bistand.Date) {
	made := r.payments(population.CSN, from, to, false)
	planned := r.payments(population.CSN, from, to, true)
	var c xw
	c.raw(`<?xml version="1.0" encoding="UTF-8"?>`)
	c.start("CSNSvar", "xmlns", nsCSNKommun, "xmlns:p", nsCSNPerson, "xmlns:t", nsCSNTyper, "xmlns:sm", nsCSNSM, "schemaVersion", "4.0")
	c.start("GemensamtSvarEkbistand")
	c.start("Resultat")
	c.elem("ResultatKod", "0")
	c.elem("ResultatText", "Allt OK, inget att rapportera")
	c.end("Resultat")
	c.end("GemensamtSvarEkbistand")
	c.raw("<GemensamtFragaEkbistand/>")
	c.start("Personer")
	if !r.q.person.IsCoordination() {
		status, secret := "          ", ""
		if !r.found {
			status = "Ej träff"
		} else if r.per.Protected {
			secret = "J"
		}
		attrs := []string{"personnummer", r.pnr[2:], "Status", status}
		if secret != "" {
			attrs = append(attrs, "sekretess", secret)
		}
		attrs = append(attrs, "sekel", r.pnr[0:2])
		c.start("Person", attrs...)
		student := r.found && r.per.Profile == "student"
		count := "0"
		if student {
			count = "1"
		}
		c.start("p:Studiestodstypforteckning")
		c.elem("t:studiemedel", count)
		c.elem("t:studiehjalp", "0")
		c.elem("t:hemutrustningslan", "0")
		c.elem("t:studiestartsstod", "0")
		c.elem("t:omstallningsstudiestod", "0")
		c.end("p:Studiestodstypforteckning")
		c.start("p:Studiemedel")
		if student {
			c.start("p:Arenden")
			c.start("p:Arende", "lopnummer", "1")
			c.elem("sm:stodform", "GRUND")
			c.elem("sm:klartext", "Studiemedel för studier i Sverige")
			c.elem("sm:status", "BESLUTAD")
			c.raw("<sm:soktaTider/>")
			grantFrom, grantTo := r.s.pop.Epoch.FirstDay(), r.now.Month().Add(6).LastDay()
			months := int64(grantTo.Month().Since(grantFrom.Month()) + 1)
			c.start("sm:BeviljadeTider")
			c.start("sm:BeviljadTid")
			c.elem("t:starttid", isoWeek(grantFrom))
			c.elem("t:sluttid", isoWeek(grantTo))
			c.elem("t:takt", "100")
			c.start("t:Beloppen")
			c.end("t:Beloppen")
			c.elem("t:totbelopp", kronor(r.benefit()*bistand.Money(months)))
			c.end("sm:BeviljadTid")
			c.end("sm:BeviljadeTider")
			c.start("sm:UtbetalningsPlan")
			for _, p := range made {
				csnPayment(&c, p, "Utbetald")
			}
			for _, p := range planned {
				csnPayment(&c, p, "Planerad")
			}
			c.end("sm:UtbetalningsPlan")
			c.end("p:Arende")
			c.end("p:Arenden")
		}
		c.end("p:Studiemedel")
		c.raw("<p:Studiehjalp/><p:HemutrustningsLan/><p:Studiestartsstod/><p:Omstallningsstudiestod/>")
		c.end("Person")
	}
	c.end("Personer")
	c.end("CSNSvar")
	x.elem("ssbt:svar", base64Encode(c.Bytes()))
}

// benefit is the person's monthly benefit, read from a month's payments
// (the population keeps it to itself).
func (r *reply) benefit() bistand.Money {
	for m := r.s.pop.Epoch; m <= r.s.pop.Epoch.Add(2); m++ {
		for _, p := range r.s.pop.Payments(r.h, r.j, m, m.Add(2).LastDay()) {
			if p.Source == population.CSN {
				return p.Net
			}
		}
	}
	return 0
}

func csnPayment(c *xw, p population.Payment, status string) {
	c.start("sm:Utbetalning")
	c.elem("t:utbetdatum", compact(p.PaidOn))
	c.elem("t:utbetstatus", status)
	c.start("t:Utbetaldatider")
	c.start("t:Utbetaldtid")
	c.elem("t:startvecka", isoWeek(p.From))
	c.elem("t:slutvecka", isoWeek(p.To))
	c.start("t:Beloppen")
	c.start("t:Belopp")
	c.elem("t:beloppstyp", "GRUNDB")
	c.elem("t:klartext", "Bidrag")
	c.elem("t:belopp", kronor(p.Net))
	c.elem("t:totbelopp", kronor(p.Net))
	c.end("t:Belopp")
	c.end("t:Beloppen")
	c.elem("t:totbelopp", kronor(p.Net))
	c.end("t:Utbetaldtid")
	c.end("t:Utbetaldatider")
	c.elem("t:totbelopp", kronor(p.Net))
	c.end("sm:Utbetalning")
}

func (r *reply) skv(x *xw) {
	var s xw
	s.raw(`<?xml version="1.0" encoding="UTF-8"?>`)
	s.start("SvarBeskattningsuppgifterEnligtSFS2008-975",
		"xmlns", "http://xmls.skatteverket.se/se/skatteverket/zg/instans/standardiseradInformation/1.0",
		"xmlns:besko", "http://xmls.skatteverket.se/se/skatteverket/zg/komponent/infoForBeskattning/1.0",
		"xmlns:folko", "http://xmls.skatteverket.se/se/skatteverket/zg/komponent/infoForFolkbokforing/1.0")
	s.start("PersonuppgiftLista")
	s.start("Personuppgift")
	s.elem("folko:IdentitetsbeteckningFysiskPerson", r.pnr)
	if r.named() {
		s.elem("folko:Fornamn", r.per.GivenName)
		s.elem("folko:Efternamn", r.per.FamilyName)
	}
	if r.found && r.per.CapitalIncome != 0 {
		s.start("Kapitaluppgift")
		s.elem("besko:Taxeringsar", strconv.Itoa(r.now.Year()-1))
		s.elem("besko:SummaIntakterPaKapital", r.per.CapitalIncome.Decimal())
		s.elem("besko:OverskottPaKapital", r.per.CapitalIncome.Decimal())
		s.end("Kapitaluppgift")
	}
	s.end("Personuppgift")
	s.end("PersonuppgiftLista")
	s.end("SvarBeskattningsuppgifterEnligtSFS2008-975")
	x.start("svar")
	x.cdata(s.String())
	x.end("svar")
}

// weekdays counts Monday–Friday in [from, to].
func weekdays(from, to bistand.Date) int {
	n := 0
	for d := from; !d.After(to); d = d.AddDays(1) {
		if wd := time.Date(d.Year(), d.MonthOfYear(), d.Day(), 12, 0, 0, 0, time.UTC).Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

func (r *reply) so(x *xw, from, to bistand.Date) {
	q := r.q
	x.elem("so:OrganisationsnummerIngivare", q.org)
	x.elem("so:NamnIngivare", q.orgName)
	x.elem("so:KontonamnHandlaggare", q.caseworker)
	x.elem("so:Referensnummer", q.caseID)
	x.elem("so:From", from.String())
	x.elem("so:Tom", to.String())
	x.elem("so:Syfte", q.purpose)
	x.elem("so:Paragraf", q.legalBasis)
	x.elem("so:IdentificationNumber", r.pnr)
	x.start("so:ArbetsloshetsersattningLista")
	if r.found && r.per.Profile == "unemployed" {
		x.start("so:Arbetsloshetsersattning")
		x.elem("so:SvarandeOrganisation", "Demokassan")
		x.elem("so:StatusSvarandeOrganisation", "OK")
		for _, p := range r.payments(population.SO, from, to, false) {
			x.start("so:Utbetalningar")
			x.elem("so:Utbetalningsdatum", p.PaidOn.String())
			x.elem("so:NettoEfterSkatt", p.Net.Decimal())
			x.elem("so:NettoEfterAvdrag", p.Net.Decimal())
			x.elem("so:Ersattningsdagar", strconv.Itoa(weekdays(p.From, p.To)))
			x.elem("so:AvserFrom", p.From.String())
			x.elem("so:AvserTom", p.To.String())
			x.end("so:Utbetalningar")
		}
		x.end("so:Arbetsloshetsersattning")
	}
	x.end("so:ArbetsloshetsersattningLista")
}

func (r *reply) tns(x *xw) {
	x.elem("tns:resultat", "OK")
	x.start("tns:fordonsinnehav")
	if r.found {
		for _, v := range r.per.Vehicles {
			x.start("fordon:fordon")
			x.elem("fordon:regnr", v.RegNr)
			x.elem("fordon:fabrikat", v.Make)
			x.elem("fordon:fordonsar", strconv.Itoa(v.Year))
			x.elem("fordon:fordonsslag", v.Kind)
			x.elem("fordon:handelsbeteckning", "Demomodell")
			x.end("fordon:fordon")
		}
	}
	x.end("tns:fordonsinnehav")
}

func (r *reply) miv(x *xw) {
	x.start("response")
	if r.q.hasKorrelationsid {
		x.elem("korrelationsid", r.q.korrelationsid)
	}
	corr := r.q.korrelationsid
	if corr == "" {
		corr = "00000000-0000-0000-0000-000000000000"
	}
	x.elem("correlationid", corr)
	if r.named() {
		x.elem("efternamn", r.per.FamilyName)
		x.elem("fornamn", r.per.GivenName)
	}
	x.elem("personnummer", r.pnr)
	if r.found && r.per.Permit != nil {
		p := r.per.Permit
		x.start("svarCollection")
		x.start("svar")
		x.elem("ansokningsdatum", p.Applied.String())
		x.elem("arendeTyp", "UAT")
		x.elem("arendeTypNamn", "UPPEHÅLLS- OCH ARBETSTILLSTÅND")
		x.elem("beslutsKod", "BEV")
		x.elem("beslutsKodNamn", "ANSÖKAN BEVILJAS")
		x.elem("beslutsTyp", "TUT")
		x.elem("beslutsTypNamn", strings.ToUpper(p.Kind))
		x.elem("beslutsdatum", p.Decided.String())
		x.elem("fromDatum", p.Decided.String())
		x.elem("giltighetstid", "TIDBEGRANSAT")
		x.elem("tomDatum", p.ValidUntil.String())
		x.end("svar")
		x.end("svarCollection")
	}
	x.end("response")
}

// The LEFI part: the query LEFI reads and the answer it gives.

type lefiQuery struct {
	Personnummer *string `json:"personnummer"`
	Period       *struct {
		From *string `json:"from"`
		Tom  *string `json:"tom"`
	} `json:"period"`
	Formansinformation       []string `json:"formansinformation"`
	Ansprak                  []string `json:"ansprak"`
	Beslut                   []string `json:"beslut"`
	PreliminaraUtbetalningar []string `json:"preliminaraUtbetalningar"`
	Utbetalningar            []string `json:"utbetalningar"`
	OvrigInformation         []string `json:"ovrigInformation"`
}

// The code lists of LEFI 9.0.0's OpenAPI.
var (
	lefiFKGroups = strings.Fields("ABB AP AS BOB BST BTI DPE EJO ET FP FSJP GP HE MABB MEK NP OMV PJOB PROG RBE SA SBP SJP TFP US VB YL")
	lefiPMGroups = strings.Fields("AP BTI EF")
	lefiOvrig    = strings.Fields("FK:GEPI FK:PANV FK:SGI FK:SKUP FK:STAV PM:LINT PM:PBH PM:PU")
)

func member(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkCodes checks that every code is of the prefixes allowed and in
// LEFI's lists.
func checkCodes(codes []string, fk, pm bool) bool {
	for _, c := range codes {
		switch {
		case fk && strings.HasPrefix(c, "FK:") && member(lefiFKGroups, c[3:]):
		case pm && strings.HasPrefix(c, "PM:") && member(lefiPMGroups, c[3:]):
		default:
			return false
		}
	}
	return true
}

var benefitNames = map[string]string{
	"ABB": "Barnbidrag", "BOB": "Bostadsbidrag", "US": "Underhållsstöd", "SJP": "Sjukpenning",
	"FP": "Föräldrapenning", "AS": "Aktivitetsstöd", "AP": "Allmän pension",
}

type jKod struct {
	Kod         string `json:"kod"`
	Namn        string `json:"namn,omitempty"`
	Beskrivning string `json:"beskrivning,omitempty"`
}

type jID struct {
	ID          any    `json:"id"`
	Beskrivning string `json:"beskrivning"`
}

type jBelopp struct {
	Summa  json.Number `json:"summa"`
	Valuta string      `json:"valuta"`
}

type jFranTill struct {
	Fran string `json:"fran"`
	Till string `json:"till"`
}

type jDetalj struct {
	Forman       jID       `json:"forman"`
	Period       jFranTill `json:"period"`
	Beloppstyp   jID       `json:"beloppstyp"`
	Bruttobelopp *jBelopp  `json:"bruttobelopp,omitempty"`
	Skattebelopp *jBelopp  `json:"skattebelopp,omitempty"`
}

type jUppgift struct {
	Typ                jID       `json:"typ"`
	Foretag            jID       `json:"foretag"`
	Formansfamilj      jID       `json:"formansfamilj"`
	Datum              string    `json:"datum"`
	Period             jFranTill `json:"period"`
	Bruttobelopp       jBelopp   `json:"bruttobelopp"`
	Skattebelopp       jBelopp   `json:"skattebelopp"`
	Avdragsbelopp      jBelopp   `json:"avdragsbelopp"`
	Nettobelopp        jBelopp   `json:"nettobelopp"`
	Utbetalningsdetalj []jDetalj `json:"utbetalningsdetalj"`
}

type jPeriod struct {
	From string `json:"from"`
	Tom  string `json:"tom"`
}

type jPmUtbetalning struct {
	Utbetalningsdatum  string  `json:"utbetalningsdatum"`
	Utbetalningsperiod jPeriod `json:"utbetalningsperiod"`
	Bruttobelopp       int64   `json:"bruttobelopp"`
	Nettobelopp        int64   `json:"nettobelopp"`
	Avdrag             []struct {
		Belopp     int64 `json:"belopp"`
		Avdragstyp jKod  `json:"avdragstyp"`
	} `json:"avdrag"`
	Utbetalningsrader []struct {
		Formansgrupp       jKod  `json:"formansgrupp"`
		Belopp             int64 `json:"belopp"`
		Utbetalningsforman jKod  `json:"utbetalningsforman"`
		Beloppstyp         jKod  `json:"beloppstyp"`
	} `json:"utbetalningsrader"`
}

type jUtlamnare struct {
	Utlamnare jKod `json:"utlamnare"`
	Tillstand jKod `json:"tillstand"`
}

type jFormansinformation struct {
	Aktivitetsstodsarende    []jFkArende `json:"aktivitetsstodsarende,omitempty"`
	Barnbidragsarende        []jFkArende `json:"barnbidragsarende,omitempty"`
	Bostadsbidragsarende     []jFkArende `json:"bostadsbidragsarende,omitempty"`
	Foraldrapenningarende    []jFkArende `json:"foraldrapenningarende,omitempty"`
	Preliminarautbetalningar []jUppgift  `json:"preliminarautbetalningar,omitempty"`
	Sjukpenningarende        []jFkArende `json:"sjukpenningarende,omitempty"`
	Underhallsstodsmottag    []jFkArende `json:"underhallsstodsmottag,omitempty"`
	Utbetalningsuppgift      []jUppgift  `json:"utbetalningsuppgift,omitempty"`
}

func (f *jFormansinformation) empty() bool {
	return len(f.Aktivitetsstodsarende)+len(f.Barnbidragsarende)+len(f.Bostadsbidragsarende)+len(f.Foraldrapenningarende)+
		len(f.Preliminarautbetalningar)+len(f.Sjukpenningarende)+len(f.Underhallsstodsmottag)+len(f.Utbetalningsuppgift) == 0
}

type jSvar struct {
	Utlamnare                []jUtlamnare         `json:"utlamnare"`
	Avvikelser               struct{}             `json:"avvikelser"`
	Formansinformation       *jFormansinformation `json:"formansinformation,omitempty"`
	Beslut                   []jPmBeslut          `json:"beslut,omitempty"`
	PreliminaraUtbetalningar []jPmUtbetalning     `json:"preliminaraUtbetalningar,omitempty"`
	Utbetalningar            []jPmUtbetalning     `json:"utbetalningar,omitempty"`
}

func lefi400(msg string) *srcError { return &srcError{"BT", "400", "Felaktiga indata: " + msg} }

func (r *reply) fk(x *xw) *srcError {
	if r.q.lefiVersion != "v9" {
		return &srcError{"BT", "OGILTIG_VERSION", "Versionen av Lefi finns inte eller är inte implementerad"}
	}
	var lq lefiQuery
	if err := json.Unmarshal(r.q.lefi, &lq); err != nil {
		return lefi400("frågan är inte JSON enligt LefiExternFormansinformationFraga")
	}
	if lq.Personnummer == nil || (*lq.Personnummer != r.pnr && *lq.Personnummer != r.pnr[2:]) {
		return lefi400("personnummer saknas eller är inte personidentitet")
	}
	if lq.Period == nil || lq.Period.From == nil || lq.Period.Tom == nil {
		return lefi400("period krävs")
	}
	from, err1 := bistand.ParseDate(*lq.Period.From)
	to, err2 := bistand.ParseDate(*lq.Period.Tom)
	if err1 != nil || err2 != nil || to.Before(from) {
		return lefi400("period är ogiltig")
	}
	if from.AddMonths(24).Before(to) {
		return lefi400("period längre än två år")
	}
	if !checkCodes(lq.Formansinformation, true, false) || !checkCodes(lq.Ansprak, false, true) || !checkCodes(lq.Beslut, false, true) ||
		!checkCodes(lq.PreliminaraUtbetalningar, true, true) || !checkCodes(lq.Utbetalningar, true, true) {
		return lefi400("okänd förmånsgrupp")
	}
	for _, c := range lq.OvrigInformation {
		if !member(lefiOvrig, c) {
			return lefi400("okänd typ av övrig information")
		}
	}
	all := [][]string{lq.Formansinformation, lq.Ansprak, lq.Beslut, lq.PreliminaraUtbetalningar, lq.Utbetalningar, lq.OvrigInformation}
	var askFK, askPM, anyCode bool
	for _, l := range all {
		for _, c := range l {
			anyCode = true
			askFK = askFK || strings.HasPrefix(c, "FK:")
			askPM = askPM || strings.HasPrefix(c, "PM:")
		}
	}
	if !anyCode {
		return lefi400("ingen förmånsgrupp eller typ av övrig information")
	}
	var s jSvar
	if askFK {
		s.Utlamnare = append(s.Utlamnare, jUtlamnare{jKod{Kod: "FK", Namn: "Försäkringskassan"}, jKod{Kod: "OK", Beskrivning: "Tillgänglig"}})
	}
	if askPM {
		s.Utlamnare = append(s.Utlamnare, jUtlamnare{jKod{Kod: "PM", Namn: "Pensionsmyndigheten"}, jKod{Kod: "OK", Beskrivning: "Tillgänglig"}})
	}
	fi := &jFormansinformation{}
	for _, planned := range []bool{false, true} {
		codes := lq.Utbetalningar
		if planned {
			codes = lq.PreliminaraUtbetalningar
		}
		for _, p := range r.payments(population.FK, from, to, planned) {
			if !member(codes, "FK:"+p.Benefit) {
				continue
			}
			if planned {
				fi.Preliminarautbetalningar = append(fi.Preliminarautbetalningar, fkUppgift(p))
			} else {
				fi.Utbetalningsuppgift = append(fi.Utbetalningsuppgift, fkUppgift(p))
			}
		}
		for _, p := range r.payments(population.PM, from, to, planned) {
			if !member(codes, "PM:"+p.Benefit) {
				continue
			}
			if planned {
				s.PreliminaraUtbetalningar = append(s.PreliminaraUtbetalningar, pmUtbetalning(p))
			} else {
				s.Utbetalningar = append(s.Utbetalningar, pmUtbetalning(p))
			}
		}
	}
	// Decisions: FK's in the ärenden of the groups asked in
	// formansinformation, PM's in beslut.
	var fkDecisions []simDecision
	for _, d := range r.decisions(from, to) {
		switch {
		case d.src == population.FK && member(lq.Formansinformation, "FK:"+d.benefit):
			fkDecisions = append(fkDecisions, d)
		case d.src == population.PM && member(lq.Beslut, "PM:"+d.benefit):
			s.Beslut = append(s.Beslut, r.pmBeslut(d))
		}
	}
	fkArenden(fkDecisions, fi)
	if !fi.empty() {
		s.Formansinformation = fi
	}
	js, err := json.Marshal(s)
	if err != nil {
		return &srcError{"SSBT", codeTechnical, "Tekniskt fel"}
	}
	x.elem("ssbt:lefiJsonSvar", base64Encode(js))
	return nil
}

func amount(m bistand.Money) jBelopp { return jBelopp{Summa: json.Number(m.Decimal()), Valuta: "SEK"} }

func fkUppgift(p population.Payment) jUppgift {
	name := benefitNames[p.Benefit]
	period := jFranTill{Fran: p.From.String(), Till: p.To.String()}
	u := jUppgift{
		Typ:           jID{ID: 1, Beskrivning: "Månad"},
		Foretag:       jID{ID: 1001, Beskrivning: "Försäkringskassan"},
		Formansfamilj: jID{ID: p.Benefit, Beskrivning: name},
		Datum:         p.PaidOn.String(),
		Period:        period,
		Bruttobelopp:  amount(p.Gross),
		Skattebelopp:  amount(p.Tax),
		Avdragsbelopp: amount(p.Tax),
		Nettobelopp:   amount(p.Net),
	}
	gross := amount(p.Gross)
	u.Utbetalningsdetalj = append(u.Utbetalningsdetalj, jDetalj{Forman: jID{ID: p.Benefit, Beskrivning: name}, Period: period, Beloppstyp: jID{ID: p.Benefit, Beskrivning: name}, Bruttobelopp: &gross})
	if p.Tax != 0 {
		tax := amount(p.Tax)
		u.Utbetalningsdetalj = append(u.Utbetalningsdetalj, jDetalj{Forman: jID{ID: p.Benefit, Beskrivning: name}, Period: period, Beloppstyp: jID{ID: "PS", Beskrivning: "Preliminär skatt"}, Skattebelopp: &tax})
	}
	return u
}

// pmUtbetalning writes a PM payment in whole kronor: net rounded down,
// gross rounded up, tax the difference.
func pmUtbetalning(p population.Payment) jPmUtbetalning {
	net := int64(p.Net.MulDivDown(1, 100))
	gross := int64(p.Gross.MulDivUp(1, 100))
	u := jPmUtbetalning{
		Utbetalningsdatum:  p.PaidOn.String(),
		Utbetalningsperiod: jPeriod{From: p.From.String(), Tom: p.To.String()},
		Bruttobelopp:       gross,
		Nettobelopp:        net,
	}
	u.Avdrag = append(u.Avdrag, struct {
		Belopp     int64 `json:"belopp"`
		Avdragstyp jKod  `json:"avdragstyp"`
	}{gross - net, jKod{Kod: "PM:PS", Beskrivning: "Preliminär skatt"}})
	u.Utbetalningsrader = append(u.Utbetalningsrader, struct {
		Formansgrupp       jKod  `json:"formansgrupp"`
		Belopp             int64 `json:"belopp"`
		Utbetalningsforman jKod  `json:"utbetalningsforman"`
		Beloppstyp         jKod  `json:"beloppstyp"`
	}{jKod{Kod: "PM:" + p.Benefit, Beskrivning: benefitNames[p.Benefit]}, gross, jKod{Kod: "PM:AL", Beskrivning: "Allmän ålderspension"}, jKod{Kod: "PM:IP", Beskrivning: "Inkomstpension"}})
	return u
}
