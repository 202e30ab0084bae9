package ssbtek

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"github.com/bistand/bistand"
)

func TestParseLEFI(t *testing.T) {
	js := `{
	 "utlamnare":[{"utlamnare":{"kod":"FK","namn":"Försäkringskassan"},"tillstand":{"kod":"OK","beskrivning":"Tillgänglig"}},
	              {"utlamnare":{"kod":"PM","namn":"Pensionsmyndigheten"},"tillstand":{"kod":"OTILLGANGLIG","beskrivning":"Ej tillgänglig"}}],
	 "avvikelser":{"utbetalningar":[{"avvikelse":{"kod":"OBEHORIG","beskrivning":"Ej behörig"},"formansgrupp":{"kod":"FK:US","beskrivning":"Underhållsstöd"}}]},
	 "formansinformation":{
	  "utbetalningsuppgift":[
	   {"typ":{"id":1,"beskrivning":"Månad"},"foretag":{"id":1001,"beskrivning":"Försäkringskassan"},"formansfamilj":{"id":"SJP","beskrivning":"Sjukpenning"},
	    "datum":"2024-03-25","period":{"fran":"2024-03-01","till":"2024-03-31"},
	    "bruttobelopp":{"summa":14285.72,"valuta":"SEK"},"skattebelopp":{"summa":4285.72,"valuta":"SEK"},"avdragsbelopp":{"summa":4285.72,"valuta":"SEK"},"nettobelopp":{"summa":10000,"valuta":"SEK"}},
	   {"typ":{"id":3,"beskrivning":"Retro"},"foretag":{"id":1003,"beskrivning":"Pensionsmyndigheten"},"formansfamilj":{"id":"AP","beskrivning":"Allmän pension"},
	    "datum":"2024-03-19","period":{"fran":"2024-02","till":"2024-02"},"nettobelopp":{"summa":1.25e2,"valuta":"SEK"}},
	   {"formansfamilj":{"id":"BOB"},"datum":"2024-03-26","nettobelopp":{"summa":100.005,"valuta":"SEK"}},
	   {"formansfamilj":{"id":"BOB"},"datum":"2024-03-26","nettobelopp":{"summa":100,"valuta":"EUR"}},
	   {"formansfamilj":{"id":"BOB"},"nettobelopp":{"summa":100}}
	  ],
	  "preliminarautbetalningar":[{"formansfamilj":{"id":"BOB"},"datum":"2024-04-26","nettobelopp":{"summa":3000}}]
	 },
	 "utbetalningar":[{"utbetalningsdatum":"2024-03-19","utbetalningsperiod":{"from":"2024-03-01","tom":"2024-03-31"},"bruttobelopp":12966,"nettobelopp":9076,
	   "avdrag":[{"belopp":3800,"avdragstyp":{"kod":"PM:PS","beskrivning":"Preliminär skatt"}},{"belopp":90,"avdragstyp":{"kod":"PM:SS","beskrivning":"Särskild inkomstskatt"}},{"belopp":50,"avdragstyp":{"kod":"PM:UTMATNING","beskrivning":"Utmätning"}}],
	   "utbetalningsrader":[{"formansgrupp":{"kod":"PM:BTI","beskrivning":"Bostadstillägg"},"belopp":966},{"formansgrupp":{"kod":"PM:AP","beskrivning":"Allmän pension"},"belopp":12000}]}],
	 "preliminaraUtbetalningar":[{"utbetalningsdatum":"2024-04-19","nettobelopp":9076,"utbetalningsrader":[{"formansgrupp":{"kod":"PM:AP"}}]}]
	}`
	sa := &SourceAnswer{Source: FK}
	if err := parseLEFI(sa, []byte(js)); err != nil {
		t.Fatal(err)
	}
	d := func(y, m, day int) bistand.Date { return bistand.MustDate(y, timeMonth(m), day) }
	want := []Payment{
		{Source: FK, Benefit: "SJP", Reference: "FK:SJP:1:2024-03-25:2024-03-01/2024-03-31", PaidOn: d(2024, 3, 25), From: d(2024, 3, 1), To: d(2024, 3, 31), Gross: 1428572, Tax: 428572, Net: 1000000},
		{Source: PM, Benefit: "AP", Reference: "PM:AP:3:2024-03-19:2024-02-01/2024-02-29", PaidOn: d(2024, 3, 19), From: d(2024, 2, 1), To: d(2024, 2, 29), Net: 12500},
		{Source: PM, Benefit: "AP", Reference: "PM:AP:2024-03-19:2024-03-01/2024-03-31", PaidOn: d(2024, 3, 19), From: d(2024, 3, 1), To: d(2024, 3, 31), Gross: 1296600, Tax: 389000, Net: 907600},
	}
	if !reflect.DeepEqual(sa.Payments, want) {
		t.Errorf("payments\n%+v\nwant\n%+v", sa.Payments, want)
	}
	if len(sa.Planned) != 2 || sa.Planned[0].Benefit != "BOB" || sa.Planned[0].Net != 300000 || sa.Planned[1].Source != PM || sa.Planned[1].Net != 907600 {
		t.Errorf("planned %+v", sa.Planned)
	}
	var gaps []string
	for _, g := range sa.Gaps {
		gaps = append(gaps, g.Group+"/"+g.Code)
	}
	wantGaps := []string{"PM/OTILLGANGLIG", "FK:US/OBEHORIG", "FK utbetalningsuppgift 3/MALFORMED", "FK utbetalningsuppgift 4/MALFORMED", "FK utbetalningsuppgift 5/MALFORMED"}
	if !reflect.DeepEqual(gaps, wantGaps) {
		t.Errorf("gaps %v, want %v", gaps, wantGaps)
	}

	for name, c := range map[string]struct {
		js   string
		err  bool
		gaps int
	}{
		"empty":                 {`{}`, false, 0},
		"avvikelser as example": {`{"avvikelser":[]}`, false, 0},
		"avvikelser list":       {`{"avvikelser":[{"x":1}]}`, false, 1},
		"trailing data":         {`{} {}`, true, 0},
		"not JSON":              {`<x/>`, true, 0},
		"amount as text":        {`{"utbetalningar":[{"nettobelopp":"abc"}]}`, true, 0},
		"float exponent":        {`{"utbetalningar":[{"utbetalningsdatum":"2024-01-01","nettobelopp":1e400,"utbetalningsrader":[{"formansgrupp":{"kod":"PM:AP"}}]}]}`, false, 1},
		"no group":              {`{"utbetalningar":[{"utbetalningsdatum":"2024-01-01","nettobelopp":1}]}`, false, 1},
	} {
		sa := &SourceAnswer{}
		err := parseLEFI(sa, []byte(c.js))
		if (err != nil) != c.err || len(sa.Gaps) != c.gaps {
			t.Errorf("%s: err %v gaps %v", name, err, sa.Gaps)
		}
	}
}

func csnDoc(ns string, body string) string {
	return `<CSNSvar schemaVersion="4.0" xmlns="http://schema.csn.se/` + ns + `/kommunfraga" xmlns:p="http://schema.csn.se/` + ns + `/person" xmlns:t="http://schema.csn.se/` + ns + `/csntyper" xmlns:sm="http://schema.csn.se/` + ns + `/studiemedel">` +
		`<GemensamtSvarEkbistand><Resultat><ResultatKod>0</ResultatKod><ResultatText>OK</ResultatText></Resultat></GemensamtSvarEkbistand><GemensamtFragaEkbistand/>` +
		`<Personer>` + body + `</Personer></CSNSvar>`
}

func TestParseCSN(t *testing.T) {
	utb := func(date, status, amount string) string {
		return `<sm:Utbetalning><t:utbetdatum>` + date + `</t:utbetdatum><t:utbetstatus>` + status + `</t:utbetstatus><t:Utbetaldatider>` +
			`<t:Utbetaldtid><t:startvecka>202409</t:startvecka><t:slutvecka>202411</t:slutvecka><t:Beloppen/><t:totbelopp>` + amount + `</t:totbelopp></t:Utbetaldtid>` +
			`<t:Utbetaldtid><t:startvecka>202412</t:startvecka><t:slutvecka>202413</t:slutvecka><t:Beloppen/><t:totbelopp>1</t:totbelopp></t:Utbetaldtid>` +
			`</t:Utbetaldatider><t:totbelopp>` + amount + `</t:totbelopp></sm:Utbetalning>`
	}
	person := `<Person personnummer="9602178155" Status="          " sekretess="J " sekel="19"><p:Studiestodstypforteckning><t:studiemedel>1</t:studiemedel><t:studiehjalp>1</t:studiehjalp><t:hemutrustningslan>0</t:hemutrustningslan><t:studiestartsstod>0</t:studiestartsstod><t:omstallningsstudiestod>0</t:omstallningsstudiestod></p:Studiestodstypforteckning>` +
		`<p:Studiemedel><p:Arenden><p:Arende lopnummer="7"><sm:stodform>GRUND</sm:stodform><sm:klartext>Studiemedel</sm:klartext><sm:status>BESLUTAD</sm:status><sm:soktaTider/>` +
		`<sm:BeviljadeTider><sm:BeviljadTid><t:starttid>202402</t:starttid><t:sluttid>202423</t:sluttid><t:takt>100</t:takt><t:Beloppen/><t:totbelopp>52000</t:totbelopp></sm:BeviljadTid></sm:BeviljadeTider>` +
		`<sm:UtbetalningsPlan>` + utb("20240225", "Utbetald", "7856") + utb("20240325", "Planerad", "7856") + utb("20240425", "Okänd", "1") + utb("2024-04-25", "Utbetald", "1") + `</sm:UtbetalningsPlan></p:Arende></p:Arenden></p:Studiemedel>` +
		`<p:Studiehjalp><p:Arenden><p:Arende lopnummer="2"><sm:stodform>SB</sm:stodform><sm:klartext>Studiebidrag</sm:klartext><sm:status>BESLUTAD</sm:status><sm:soktaTider/><sm:BeviljadeTider/><sm:UtbetalningsPlan>` + utb("20240228", "UTBETALAD", "1250") + `</sm:UtbetalningsPlan></p:Arende></p:Arenden></p:Studiehjalp>` +
		`<p:HemutrustningsLan/><p:Studiestartsstod/><p:Omstallningsstudiestod/></Person>`
	for _, ns := range []string{"v4.0", "v3.0"} {
		sa := &SourceAnswer{Source: CSN}
		if err := parseCSN(sa, []byte(csnDoc(ns, person))); err != nil {
			t.Fatal(err)
		}
		d := func(y, m, day int) bistand.Date { return bistand.MustDate(y, timeMonth(m), day) }
		wantPaid := []Payment{
			{Source: CSN, Benefit: "SM", Reference: "CSN:SM:7:2024-02-25:2024-02-26/2024-03-31", PaidOn: d(2024, 2, 25), From: d(2024, 2, 26), To: d(2024, 3, 31), Gross: 785600, Net: 785600},
			{Source: CSN, Benefit: "SH", Reference: "CSN:SH:2:2024-02-28:2024-02-26/2024-03-31", PaidOn: d(2024, 2, 28), From: d(2024, 2, 26), To: d(2024, 3, 31), Gross: 125000, Net: 125000},
		}
		if !reflect.DeepEqual(sa.Payments, wantPaid) {
			t.Errorf("%s payments\n%+v\nwant\n%+v", ns, sa.Payments, wantPaid)
		}
		if len(sa.Planned) != 1 || sa.Planned[0].PaidOn != d(2024, 3, 25) {
			t.Errorf("%s planned %+v", ns, sa.Planned)
		}
		st := sa.CSN
		if !st.Found || !st.Protected || st.Kinds["studiehjalp"] != "1" || len(st.Cases) != 2 || st.Cases[0].Number != "7" ||
			!reflect.DeepEqual(st.Cases[0].Granted, []CSNGrant{{From: d(2024, 1, 8), To: d(2024, 6, 9), Pace: "100", Total: bistand.Kronor(52000)}}) {
			t.Errorf("%s status %+v", ns, st)
		}
		if len(sa.Gaps) != 2 {
			t.Errorf("%s gaps %+v, want the unknown status and the bad date", ns, sa.Gaps)
		}
	}
	sa := &SourceAnswer{}
	if err := parseCSN(sa, []byte(csnDoc("v4.0", `<Person personnummer="9602178155" Status="Ej träff" sekel="19"/>`))); err != nil || sa.CSN.Found || sa.CSN.Protected {
		t.Errorf("Ej träff: %v %+v", err, sa.CSN)
	}
	sa = &SourceAnswer{}
	if err := parseCSN(sa, []byte(csnDoc("v4.0", ``))); err != nil || sa.CSN.Found {
		t.Errorf("no person: %v %+v", err, sa.CSN)
	}
	for _, bad := range []string{`<Other/>`, `not xml`, `<CSNSvar><`} {
		if err := parseCSN(&SourceAnswer{}, []byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func envelopeOf(svarsdata string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		`<ssbt:hamtaBastjanstInformationResponse xmlns:ssbt="http://schema.forsakringskassan.se/integration/ssbt/10" xmlns:so="http://INT014.UBPService.Schemas" xmlns:tns="http://schema.transportstyrelsen.se/ssbtek/hamtauppgifterresponder/1">` +
		`<ssbt:korrelationsid>k-1</ssbt:korrelationsid><ssbt:svarsdata>` + svarsdata + `</ssbt:svarsdata></ssbt:hamtaBastjanstInformationResponse></soap:Body></soap:Envelope>`)
}

func TestParseAnswerSources(t *testing.T) {
	so := `<ssbt:SO><ssbt:data><so:IdentificationNumber>199602178155</so:IdentificationNumber><so:ArbetsloshetsersattningLista><so:Arbetsloshetsersattning>` +
		`<so:SvarandeOrganisation>Demokassan</so:SvarandeOrganisation><so:StatusSvarandeOrganisation>OK</so:StatusSvarandeOrganisation>` +
		`<so:Utbetalningar><so:Utbetalningsdatum>2024-03-15</so:Utbetalningsdatum><so:NettoEfterSkatt>1250.500</so:NettoEfterSkatt><so:NettoEfterAvdrag>1200</so:NettoEfterAvdrag><so:Ersattningsdagar>5</so:Ersattningsdagar><so:AvserFrom>2024-03-04</so:AvserFrom><so:AvserTom>2024-03-08</so:AvserTom></so:Utbetalningar>` +
		`<so:Utbetalningar><so:Utbetalningsdatum>2024-03-15</so:Utbetalningsdatum><so:NettoEfterSkatt>1250.500</so:NettoEfterSkatt><so:NettoEfterAvdrag>1200</so:NettoEfterAvdrag><so:Ersattningsdagar>5</so:Ersattningsdagar><so:AvserFrom>2024-03-04</so:AvserFrom><so:AvserTom>2024-03-08</so:AvserTom></so:Utbetalningar>` +
		`<so:Utbetalningar><so:Utbetalningsdatum>2024-03-22</so:Utbetalningsdatum><so:NettoEfterSkatt>12,505</so:NettoEfterSkatt><so:NettoEfterAvdrag>1</so:NettoEfterAvdrag><so:Ersattningsdagar>5</so:Ersattningsdagar><so:AvserFrom>2024-03-11</so:AvserFrom><so:AvserTom>2024-03-15</so:AvserTom></so:Utbetalningar>` +
		`<so:Avstangningar><so:AvstangdFrom>2024-02-01</so:AvstangdFrom><so:AvstangdTom>2024-02-10</so:AvstangdTom></so:Avstangningar>` +
		`<so:AnsoktOmErsattning><so:BeslutOmRattTillErsattning xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/><so:AnsokanOmUtbetalningInlamnad>true</so:AnsokanOmUtbetalningInlamnad></so:AnsoktOmErsattning>` +
		`</so:Arbetsloshetsersattning></so:ArbetsloshetsersattningLista></ssbt:data></ssbt:SO>`
	tns := `<ssbt:TNS><ssbt:data><tns:resultat>FEL</tns:resultat><tns:felresultat><tns:felkod>17</tns:felkod><tns:feltext>Tekniskt fel</tns:feltext></tns:felresultat></ssbt:data></ssbt:TNS>`
	fk := `<ssbt:FK><ssbt:data><ssbt:lefiJsonSvar>` + base64.StdEncoding.EncodeToString([]byte("{not json")) + `</ssbt:lefiJsonSvar></ssbt:data></ssbt:FK>`
	af := `<ssbt:AF><ssbt:error><ssbt:kalla>BT</ssbt:kalla><ssbt:felkod>X1</ssbt:felkod><ssbt:felmeddelande>a</ssbt:felmeddelande><ssbt:felmeddelande>b</ssbt:felmeddelande></ssbt:error></ssbt:AF>`
	csn := `<ssbt:CSN></ssbt:CSN>`
	a, err := ParseAnswer(envelopeOf(af + csn + fk + so + tns))
	if err != nil {
		t.Fatal(err)
	}
	if a.CorrelationID != "k-1" || len(a.Sources) != 5 {
		t.Fatalf("answer %+v", a)
	}
	if e := a.Sources[AF].Err; !reflect.DeepEqual(e, &SourceError{Kalla: "BT", Code: "X1", Messages: []string{"a", "b"}}) {
		t.Errorf("AF %+v", e)
	}
	if e := a.Sources[CSN].Err; e == nil || e.Code != CodeMalformed || e.Kalla != KallaClient {
		t.Errorf("CSN without data or error: %+v", a.Sources[CSN])
	}
	if e := a.Sources[FK].Err; e == nil || e.Code != CodeMalformed {
		t.Errorf("FK with bad JSON: %+v", a.Sources[FK])
	}
	if e := a.Sources[TNS].Err; e == nil || e.Kalla != KallaBT || e.Code != "17" || e.Messages[0] != "Tekniskt fel" {
		t.Errorf("TNS FEL: %+v", a.Sources[TNS])
	}
	s := a.Sources[SO]
	if s.Err != nil || len(s.Payments) != 2 || s.Payments[0].Net != 125050 || s.Payments[1].Reference != s.Payments[0].Reference+"#2" || len(s.Gaps) != 1 {
		t.Errorf("SO %+v", s)
	}
	f := s.Funds[0]
	if f.Name != "Demokassan" || !f.PaymentApplied || !f.EntitlementDecidedOn.IsZero() || len(f.Suspensions) != 1 || f.Suspensions[0].To != bistand.MustDate(2024, 2, 10) {
		t.Errorf("fund %+v", f)
	}
	if a.Complete() {
		t.Error("complete despite errors")
	}
	if msg := (&SourceError{Kalla: "BT", Code: "X", Messages: []string{"Person 199602178155 saknas"}}).Error(); strings.Contains(msg, "8155") {
		t.Errorf("source error carries the number: %s", msg)
	}
}

func TestParseLEFIDecisions(t *testing.T) {
	js := `{
	 "formansinformation":{
	  "bostadsbidragsarende":[{"startades":"2023-12-01","aktivt":true,"avslaget":false,"beslut":[
	    {"fattades":"2023-12-10","definitivt":true,"forman":{"id":"BOB","beskrivning":"Bostadsbidrag"},"delforman":{"id":"BTB","beskrivning":"Barntillägg"},
	     "periodicitet":{"id":1,"beskrivning":"Månadsvis"},"period":{"fran":"2024-01","till":"2024-02"},"beslutatBruttobelopp":{"summa":1250.5,"valuta":"SEK"}},
	    {"fattades":"2024-02-10","definitivt":false,"forman":{"id":"BOB"},"periodicitet":{"id":1},"period":{"fran":"2024-03-01"},"beslutatBruttobelopp":{"summa":1300,"valuta":"SEK"}},
	    {"fattades":"2024-02-31","forman":{"id":"BOB"}},
	    {"fattades":"2024-02-10","periodicitet":{"id":9}},
	    {"fattades":"2024-02-10","period":{"fran":"2024-03-31","till":"2024-03-01"}}
	  ]}],
	  "barnbidragsarende":[{"beslut":[{"fattades":"2023-12-10","definitivt":true,"forman":{"id":"ABB"},"periodicitet":{"id":1},"period":{"fran":"2024-01-01"},"beslutatBruttobelopp":{"summa":1250}}]}],
	  "underhallsstodsmottag":[{"avslaget":true,"beslut":[{"fattades":"2024-01-05","definitivt":true,"period":{"fran":"2024-01-01","till":"2024-01-31"}}]}],
	  "sjukpenningarende":[{"aktivt":true,"beslut":[{"fattades":"2024-02-01","definitivt":true,"forman":{"id":"SJP"},"period":{"fran":"2024-02-01","till":"2024-02-03"},
	    "dagar":3,"beslutsutfall":"BEVILJAN","beslutstyp":"SLUTLIGT","ersattning":"FOREBYGGANDE_SJUKPENNING",
	    "ersattningsdagar":[{"ersattningsdatum":"2024-02-01","ersattningsbelopp":{"summa":100.33,"valuta":"SEK"}},{"ersattningsdatum":"2024-02-02","ersattningsbelopp":{"summa":100.33}},{"ersattningsdatum":"2024-02-03","ersattningsbelopp":{"summa":100.34}}]}]}],
	  "foraldrapenningarende":[{"beslut":[{"fattades":"2024-02-01","forman":{"id":"FP"},"period":{"fran":"2024-02-01","till":"2024-02-01"},"dagar":-1}]}],
	  "aktivitetsstodsarende":[{"beslut":[{"fattades":"2024-02-01","beslutatBruttobelopp":{"summa":1,"valuta":"EUR"}}]}]
	 },
	 "beslut":[
	  {"beslutsid":"B-1","beslutsdatum":"2023-12-10","formansgrupp":{"kod":"PM:AP","beskrivning":"Allmän pension"},"beslutsstatus":{"kod":"SLUTLIGT","beskrivning":"Slutligt"},
	   "beslutsutfall":{"kod":"BIFALL","beskrivning":"Bifall"},"beslutadErsattning":[
	    {"beslutatBelopp":{"belopp":9000,"beloppsfrekvens":{"kod":"MANAD","beskrivning":"Månad"}},"period":{"from":"2024-01-01"},"ersattningstyp":{"kod":"PM:IP","beskrivning":"Inkomstpension"}},
	    {"beslutatBelopp":{"belopp":3000,"beloppsfrekvens":{"kod":"MANAD","beskrivning":"Månad"}},"period":{"from":"2024-01-01","tom":"2024-12-31"},"ersattningstyp":{"kod":"PM:GARP","beskrivning":"Garantipension"}}]},
	  {"beslutsid":"B-2","formansgrupp":{"kod":"PM:AP"},"beslutsstatus":{"kod":"PRELIMINART"},"beslutsutfall":{"kod":"AVSLAG"}},
	  {"beslutsid":"B-3","formansgrupp":{"kod":"PM:AP"},"beslutadErsattning":[{"beslutatBelopp":{"belopp":1,"beloppsfrekvens":{"kod":"SEKUND"}}}]},
	  {"beslutsid":"B-4","beslutsdatum":"2023-12-10"}
	 ]
	}`
	sa := &SourceAnswer{Source: FK}
	if err := parseLEFI(sa, []byte(js)); err != nil {
		t.Fatal(err)
	}
	d := func(y, m, day int) bistand.Date { return bistand.MustDate(y, timeMonth(m), day) }
	want := []Decision{
		{Source: FK, Benefit: "ABB", DecidedOn: d(2023, 12, 10), Final: true, Amounts: []DecidedAmount{{Kind: "ABB", From: d(2024, 1, 1), Gross: 125000, Frequency: "MANAD"}}},
		{Source: FK, Benefit: "BOB", DecidedOn: d(2023, 12, 10), Final: true, Amounts: []DecidedAmount{{Kind: "BOB/BTB", From: d(2024, 1, 1), To: d(2024, 2, 29), Gross: 125050, Frequency: "MANAD"}}},
		{Source: FK, Benefit: "BOB", DecidedOn: d(2024, 2, 10), Amounts: []DecidedAmount{{Kind: "BOB", From: d(2024, 3, 1), Gross: 130000, Frequency: "MANAD"}}},
		{Source: FK, Benefit: "US", DecidedOn: d(2024, 1, 5), Final: true, Outcome: "AVSLAG", Amounts: []DecidedAmount{{Kind: "US", From: d(2024, 1, 1), To: d(2024, 1, 31)}}},
		{Source: FK, Benefit: "SJP", DecidedOn: d(2024, 2, 1), Final: true, Status: "SLUTLIGT", Outcome: "BEVILJAN", Amounts: []DecidedAmount{{Kind: "SJP", From: d(2024, 2, 1), To: d(2024, 2, 3), Gross: 30100, Days: 3}}},
		{Source: PM, Benefit: "AP", ID: "B-1", DecidedOn: d(2023, 12, 10), Final: true, Status: "SLUTLIGT", Outcome: "BIFALL", Amounts: []DecidedAmount{
			{Kind: "IP", From: d(2024, 1, 1), Gross: 900000, Frequency: "MANAD"}, {Kind: "GARP", From: d(2024, 1, 1), To: d(2024, 12, 31), Gross: 300000, Frequency: "MANAD"}}},
		{Source: PM, Benefit: "AP", ID: "B-2", Status: "PRELIMINART", Outcome: "AVSLAG"},
	}
	if !reflect.DeepEqual(sa.Decisions, want) {
		t.Errorf("decisions\n%+v\nwant\n%+v", sa.Decisions, want)
	}
	var gaps []string
	for _, g := range sa.Gaps {
		gaps = append(gaps, g.Group+"/"+g.Code)
	}
	wantGaps := []string{"FK beslut BOB 3/MALFORMED", "FK beslut BOB 4/MALFORMED", "FK beslut BOB 5/MALFORMED", "FK beslut FP 1/MALFORMED", "FK beslut AS 1/MALFORMED",
		"PM beslut 3/MALFORMED", "PM beslut 4/MALFORMED"}
	if !reflect.DeepEqual(gaps, wantGaps) {
		t.Errorf("gaps %v, want %v", gaps, wantGaps)
	}
	// A value of the wrong JSON type makes the whole answer unreadable,
	// never a decision read wrongly.
	if err := parseLEFI(&SourceAnswer{}, []byte(`{"beslut":[{"beslutsstatus":"SLUTLIGT"}]}`)); err == nil {
		t.Error("a status as text was read")
	}
}
