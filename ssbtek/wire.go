package ssbtek

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"strconv"
)

// The contract's namespaces.
const (
	nsSOAP = "http://schemas.xmlsoap.org/soap/envelope/"
	nsSSBT = "http://schema.forsakringskassan.se/integration/ssbt/10"
)

// The request types mirror sammansatt_bastjanst_v10.xsd: one Go type per
// complex type, fields in the schema's element order. They are written by
// appendXML (with the ssbt prefix, every element qualified), not by
// encoding/xml, whose namespace handling cannot write unqualified children
// of qualified elements.

// sammansattBastjanstFraga is the hamtaBastjanstInformation element.
type sammansattBastjanstFraga struct {
	generella generellaFrageparametrar
	specifika specifikaFrageparametrar
}

type generellaFrageparametrar struct {
	frageTidpunkt                string // xs:dateTime, optional
	korrelationsid               string // optional
	fraganSkallInkluderasISvaret bool
	ingivare                     ingivare
	personidentitet              string // 12 digits
	arendeidentitet              string // NonEmptyString
	tidsperiod                   tidsperiod
	// personuppgiftsbitrade (0..n) is not sent: bistand uses no processor.
	syfte   string
	lagtext string
}

type ingivare struct {
	organisationsnummer string // [\d]{4}[2-9][\d]{7}
	namn                string
	handlaggare         string
}

type tidsperiod struct {
	fromDatum, tomDatum string // xs:date
}

// specifikaFrageparametrar has one element per source, all required, in
// the order AF, CSN, FK, SKV, SO, TNS, MIV.
type specifikaFrageparametrar struct {
	af, csn, skv, so, tns, miv kallaFraga
	fk                         forsakringskassan
}

// kallaFraga is a source without parameters of its own (Skatteverket,
// Migrationsverket) or with an optional tidsperiod of its own (AF, CSN, SO,
// TNS).
type kallaFraga struct {
	inkludera  bool
	tidsperiod *tidsperiod
}

type forsakringskassan struct {
	inkludera bool
	fraga     *forsakringskassanFraga
}

type forsakringskassanFraga struct {
	version       string // optional; "v9"
	aktorsid      string
	lefiJsonFraga []byte // xs:base64Binary
}

// xmlWriter writes XML without namespace magic: names are written as given.
type xmlWriter struct{ bytes.Buffer }

func (w *xmlWriter) start(name string, attrs ...string) {
	w.WriteByte('<')
	w.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.WriteByte(' ')
		w.WriteString(attrs[i])
		w.WriteString(`="`)
		xml.EscapeText(w, []byte(attrs[i+1]))
		w.WriteByte('"')
	}
	w.WriteByte('>')
}

func (w *xmlWriter) end(name string) {
	w.WriteString("</")
	w.WriteString(name)
	w.WriteByte('>')
}

func (w *xmlWriter) empty(name string, attrs ...string) {
	w.start(name, attrs...)
	w.Truncate(w.Len() - 1)
	w.WriteString("/>")
}

func (w *xmlWriter) elem(name, text string) {
	w.start(name)
	xml.EscapeText(w, []byte(text))
	w.end(name)
}

// envelope writes a SOAP 1.1 envelope around body.
func envelope(body func(w *xmlWriter)) []byte {
	var w xmlWriter
	w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	w.start("soapenv:Envelope", "xmlns:soapenv", nsSOAP)
	w.start("soapenv:Body")
	body(&w)
	w.end("soapenv:Body")
	w.end("soapenv:Envelope")
	return w.Bytes()
}

func (f *sammansattBastjanstFraga) appendXML(w *xmlWriter) {
	w.start("ssbt:hamtaBastjanstInformation", "xmlns:ssbt", nsSSBT)
	g := &f.generella
	w.start("ssbt:generellaFrageparametrar")
	if g.frageTidpunkt != "" {
		w.elem("ssbt:frageTidpunkt", g.frageTidpunkt)
	}
	if g.korrelationsid != "" {
		w.elem("ssbt:korrelationsid", g.korrelationsid)
	}
	w.elem("ssbt:fraganSkallInkluderasISvaret", strconv.FormatBool(g.fraganSkallInkluderasISvaret))
	w.start("ssbt:ingivare")
	w.elem("ssbt:organisationsnummer", g.ingivare.organisationsnummer)
	w.elem("ssbt:namn", g.ingivare.namn)
	w.elem("ssbt:handlaggare", g.ingivare.handlaggare)
	w.end("ssbt:ingivare")
	w.elem("ssbt:personidentitet", g.personidentitet)
	w.elem("ssbt:arendeidentitet", g.arendeidentitet)
	g.tidsperiod.appendXML(w)
	w.elem("ssbt:syfte", g.syfte)
	w.elem("ssbt:lagtext", g.lagtext)
	w.end("ssbt:generellaFrageparametrar")

	s := &f.specifika
	w.start("ssbt:specifikaFrageparametrar")
	s.af.appendXML(w, "ssbt:AF")
	s.csn.appendXML(w, "ssbt:CSN")
	s.fk.appendXML(w)
	s.skv.appendXML(w, "ssbt:SKV")
	s.so.appendXML(w, "ssbt:SO")
	s.tns.appendXML(w, "ssbt:TNS")
	s.miv.appendXML(w, "ssbt:MIV")
	w.end("ssbt:specifikaFrageparametrar")
	w.end("ssbt:hamtaBastjanstInformation")
}

func (t *tidsperiod) appendXML(w *xmlWriter) {
	w.start("ssbt:tidsperiod")
	w.elem("ssbt:fromDatum", t.fromDatum)
	w.elem("ssbt:tomDatum", t.tomDatum)
	w.end("ssbt:tidsperiod")
}

func (k *kallaFraga) appendXML(w *xmlWriter, name string) {
	inc := strconv.FormatBool(k.inkludera)
	if k.tidsperiod == nil {
		w.empty(name, "inkludera", inc)
		return
	}
	w.start(name, "inkludera", inc)
	k.tidsperiod.appendXML(w)
	w.end(name)
}

func (f *forsakringskassan) appendXML(w *xmlWriter) {
	inc := strconv.FormatBool(f.inkludera)
	if f.fraga == nil {
		w.empty("ssbt:FK", "inkludera", inc)
		return
	}
	w.start("ssbt:FK", "inkludera", inc)
	w.start("ssbt:fraga")
	if f.fraga.version != "" {
		w.elem("ssbt:version", f.fraga.version)
	}
	w.elem("ssbt:aktorsid", f.fraga.aktorsid)
	w.elem("ssbt:lefiJsonFraga", base64.StdEncoding.EncodeToString(f.fraga.lefiJsonFraga))
	w.end("ssbt:fraga")
	w.end("ssbt:FK")
}

// appendTestXML writes the testaBastjanstInformation element (an empty
// SammansattBastjanstTestFraga).
func appendTestXML(w *xmlWriter) {
	w.empty("ssbt:testaBastjanstInformation", "xmlns:ssbt", nsSSBT)
}

// The response types mirror the schema too, for encoding/xml to read. The
// ssbt elements are matched with their namespace; the sources' data, whose
// schemas and versions vary (CSN v3.0 and v4.0), by local name only.

type soapEnvelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    soapBody `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

type soapBody struct {
	Fault *soapFault                   `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
	Hamta *sammansattBastjanstSvar     `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 hamtaBastjanstInformationResponse"`
	Testa *sammansattBastjanstTestSvar `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 testaBastjanstInformationResponse"`
}

// soapFault is a SOAP 1.1 Fault: faultcode, faultstring and detail are
// unqualified.
type soapFault struct {
	Code   string `xml:"faultcode"`
	String string `xml:"faultstring"`
	Detail struct {
		Hamta *bastjanstInformationFault `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 hamtaBastjanstInformationFault"`
		Testa *bastjanstInformationFault `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 testaBastjanstInformationFault"`
	} `xml:"detail"`
}

type bastjanstInformationFault struct {
	Felkod        string   `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 felkod"`
	Felmeddelande []string `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 felmeddelande"`
}

// sammansattBastjanstSvar is hamtaBastjanstInformationResponse. The echoed
// fraga is not read (the client never asks for it).
type sammansattBastjanstSvar struct {
	FrageTidpunkt  string                       `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 frageTidpunkt"`
	Korrelationsid *string                      `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 korrelationsid"`
	Svarsdata      *sammansattBastjanstSvarData `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 svarsdata"`
}

type sammansattBastjanstSvarData struct {
	AF  *kallaSvar[afSvarMeddelande] `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 AF"`
	CSN *kallaSvar[csnSvarsData]     `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 CSN"`
	FK  *kallaSvar[fkSvarsData]      `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 FK"`
	SKV *kallaSvar[skvResponse]      `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 SKV"`
	SO  *kallaSvar[soResponse]       `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 SO"`
	TNS *kallaSvar[tnsResponse]      `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 TNS"`
	MIV *kallaSvar[mivFindByPnrResp] `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 MIV"`
}

// kallaSvar is each source's answer: a choice of data and error.
type kallaSvar[T any] struct {
	Data  *T         `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 data"`
	Error *wireError `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 error"`
}

// wireError is the schema's Error type.
type wireError struct {
	Kalla         string   `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 kalla"`
	Felkod        string   `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 felkod"`
	Felmeddelande []string `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 felmeddelande"`
}

type sammansattBastjanstTestSvar struct {
	AF  *testSvar `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 AF"`
	CSN *testSvar `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 CSN"`
	FK  *testSvar `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 FK"`
	SKV *testSvar `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 SKV"`
	SO  *testSvar `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 SO"`
	TNS *testSvar `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 TNS"`
	MIV *testSvar `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 MIV"`
}

type testSvar struct {
	Anropad string     `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 anropad"`
	Error   *wireError `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 error"`
}

// fkSvarsData: lefiJsonSvar, base64 of the LEFI JSON answer.
type fkSvarsData struct {
	LefiJsonSvar *string `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 lefiJsonSvar"`
}

// csnSvarsData: svar, base64 of CSN's CSNSvar XML.
type csnSvarsData struct {
	Svar *string `xml:"http://schema.forsakringskassan.se/integration/ssbt/10 svar"`
}

// skvResponse is skv:BeskattningsuppgifterResponseTYPE: svar (unqualified),
// Skatteverket's answer as an XML string.
type skvResponse struct {
	Svar *string `xml:"svar"`
}

// afSvarMeddelande is af:SvarMeddelande{Fraga, Svar}.
type afSvarMeddelande struct {
	Fraga *struct {
		IdentitetsbeteckningFysiskPerson string `xml:"IdentitetsbeteckningFysiskPerson"`
	} `xml:"Fraga"`
	Svar *afSvar `xml:"Svar"`
}

type afSvar struct {
	Schemaversion                    string `xml:"Schemaversion"`
	Referensnummer                   string `xml:"Referensnummer"`
	IdentitetsbeteckningFysiskPerson string `xml:"IdentitetsbeteckningFysiskPerson"`
	Sekretessmarkering               string `xml:"Sekretessmarkering"`
	ArbetssokandeInfo                *struct {
		Arbetssokande               string `xml:"Arbetssokande"`
		ArbetssokandeSKAT           string `xml:"ArbetssokandeSKAT"`
		ArbetssokandeRegistrerad    string `xml:"ArbetssokandeRegistrerad"`
		ArbetssokandeOmfattning     string `xml:"ArbetssokandeOmfattning"`
		ArbetssokandeAvaktualiserad string `xml:"ArbetssokandeAvaktualiserad"`
		AktivetetsRapportDatum      *struct {
			AktivitetsRapportMeddelande   string `xml:"AktivitetsRapportMeddelande"`
			SenasteAktivitetsRapportDatum string `xml:"SenasteAktivitetsRapportDatum"`
		} `xml:"AktivetetsRapportDatum"`
	} `xml:"ArbetssokandeInfo"`
	Beslut []struct {
		ErsattningTyp string `xml:"ErsattningTyp"`
		Omfattning    string `xml:"Omfattning"`
		BeslutFrom    string `xml:"BeslutFrom"`
		BeslutTom     string `xml:"BeslutTom"`
	} `xml:"BeslutInfo>EkonomiskaBeslut>Beslut"`
	Akassetillhorighet              string `xml:"Akassetillhorighet"`
	StatusSokandeinformationKod     string `xml:"StatusSokandeinformationKod"`
	StatusSokandeinformationKodText string `xml:"StatusSokandeinformationKodText"`
}

// soResponse is so:GetUnemploymentBenefitPaymentResponseType.
type soResponse struct {
	IdentificationNumber string         `xml:"IdentificationNumber"`
	Lista                []soErsattning `xml:"ArbetsloshetsersattningLista>Arbetsloshetsersattning"`
}

type soErsattning struct {
	SvarandeOrganisation       string `xml:"SvarandeOrganisation"`
	StatusSvarandeOrganisation string `xml:"StatusSvarandeOrganisation"`
	Utbetalningar              []struct {
		Utbetalningsdatum string `xml:"Utbetalningsdatum"`
		NettoEfterSkatt   string `xml:"NettoEfterSkatt"`
		NettoEfterAvdrag  string `xml:"NettoEfterAvdrag"`
		Ersattningsdagar  string `xml:"Ersattningsdagar"`
		AvserFrom         string `xml:"AvserFrom"`
		AvserTom          string `xml:"AvserTom"`
	} `xml:"Utbetalningar"`
	Avstangningar []struct {
		AvstangdFrom string `xml:"AvstangdFrom"`
		AvstangdTom  string `xml:"AvstangdTom"`
	} `xml:"Avstangningar"`
	AnsoktOmErsattning *struct {
		BeslutOmRattTillErsattning   string `xml:"BeslutOmRattTillErsattning"`
		AnsokanOmUtbetalningInlamnad string `xml:"AnsokanOmUtbetalningInlamnad"`
	} `xml:"AnsoktOmErsattning"`
}

// tnsResponse is tns:HamtaUppgifterResponseType.
type tnsResponse struct {
	Resultat string `xml:"resultat"`
	Fordon   []struct {
		Regnr             string `xml:"regnr"`
		Fabrikat          string `xml:"fabrikat"`
		Fordonsar         string `xml:"fordonsar"`
		Fordonsslag       string `xml:"fordonsslag"`
		Handelsbeteckning string `xml:"handelsbeteckning"`
	} `xml:"fordonsinnehav>fordon"`
	Felresultat []struct {
		Felkod  string `xml:"felkod"`
		Feltext string `xml:"feltext"`
	} `xml:"felresultat"`
}

// mivFindByPnrResp is miv:findByPersonnummerResponse (unqualified
// elements).
type mivFindByPnrResp struct {
	Response *struct {
		Personnummer string `xml:"personnummer"`
		Svar         []struct {
			Anledning       string `xml:"anledning"`
			AnledningNamn   string `xml:"anledningNamn"`
			Ansokningsdatum string `xml:"ansokningsdatum"`
			ArendeTyp       string `xml:"arendeTyp"`
			ArendeTypNamn   string `xml:"arendeTypNamn"`
			BeslutsKod      string `xml:"beslutsKod"`
			BeslutsKodNamn  string `xml:"beslutsKodNamn"`
			BeslutsTyp      string `xml:"beslutsTyp"`
			BeslutsTypNamn  string `xml:"beslutsTypNamn"`
			Beslutsdatum    string `xml:"beslutsdatum"`
			FromDatum       string `xml:"fromDatum"`
			Giltighetstid   string `xml:"giltighetstid"`
			TomDatum        string `xml:"tomDatum"`
		} `xml:"svarCollection>svar"`
	} `xml:"response"`
}
