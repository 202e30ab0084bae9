package ssbtek

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrMalformed is wrapped by every error for a response that cannot be
// read as the contract says. Such an error is not retryable.
var ErrMalformed = errors.New("ssbtek: malformed response")

func malformed(what string) error { return fmt.Errorf("%w: %s", ErrMalformed, what) }

// decodeXML reads one XML document into v with encoding/xml, which
// expands no external entities and bounds the nesting depth. Errors are
// reduced to a fixed text: encoding/xml's messages may quote the input.
func decodeXML(data []byte, v any) error {
	if len(data) > maxBody {
		return errors.New("document too large")
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(v); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("not well-formed XML (line %d)", se.Line)
		}
		return errors.New("not XML of the expected shape")
	}
	return nil
}

// parseEnvelope reads a SOAP 1.1 envelope. A SOAP fault is returned as a
// *Fault error.
func parseEnvelope(data []byte) (*soapBody, error) {
	var env soapEnvelope
	if err := decodeXML(data, &env); err != nil {
		return nil, malformed("SOAP envelope: " + err.Error())
	}
	if f := env.Body.Fault; f != nil {
		fault := &Fault{FaultCode: strings.TrimSpace(f.Code), FaultString: f.String}
		detail := f.Detail.Hamta
		if detail == nil {
			detail = f.Detail.Testa
		}
		if detail != nil {
			fault.Felkod = strings.TrimSpace(detail.Felkod)
			fault.Messages = detail.Felmeddelande
		}
		return nil, fault
	}
	return &env.Body, nil
}

// ParseAnswer reads the SOAP response of hamtaBastjanstInformation (the
// whole HTTP body). A SOAP fault gives a *Fault error; a document that is
// not a response gives an error wrapping ErrMalformed. A source whose own
// data cannot be read gets an error of its own in the Answer (KallaClient,
// CodeMalformed) and never costs the other sources theirs.
//
// ParseAnswer does not know the question: Fetch also checks that the
// correlation id and every source's person are the ones asked about, and
// marks a source asked but not answered. Callers who keep raw responses
// (for the audit) may read them again with ParseAnswer.
func ParseAnswer(body []byte) (*Answer, error) {
	b, err := parseEnvelope(body)
	if err != nil {
		return nil, err
	}
	svar := b.Hamta
	if svar == nil {
		return nil, malformed("no hamtaBastjanstInformationResponse in the SOAP body")
	}
	if svar.Svarsdata == nil {
		return nil, malformed("no svarsdata")
	}
	a := &Answer{Sources: map[Source]*SourceAnswer{}}
	if svar.Korrelationsid != nil {
		a.CorrelationID = strings.TrimSpace(*svar.Korrelationsid)
	}
	d := svar.Svarsdata
	addSource(a, AF, d.AF, mapAF)
	addSource(a, CSN, d.CSN, mapCSN)
	addSource(a, FK, d.FK, mapFK)
	addSource(a, SKV, d.SKV, mapSKV)
	addSource(a, SO, d.SO, mapSO)
	addSource(a, TNS, d.TNS, mapTNS)
	addSource(a, MIV, d.MIV, mapMIV)
	return a, nil
}

// addSource maps one source's answer: its error, or its data with m.
func addSource[T any](a *Answer, src Source, ks *kallaSvar[T], m func(*SourceAnswer, *T) error) {
	if ks == nil {
		return
	}
	sa := &SourceAnswer{Source: src}
	a.Sources[src] = sa
	switch {
	case ks.Error != nil:
		sa.Err = &SourceError{Kalla: strings.TrimSpace(ks.Error.Kalla), Code: strings.TrimSpace(ks.Error.Felkod), Messages: ks.Error.Felmeddelande}
	case ks.Data == nil:
		sa.Err = clientError(CodeMalformed, "neither data nor error")
	default:
		if err := m(sa, ks.Data); err != nil {
			*sa = SourceAnswer{Source: src, Err: clientError(CodeMalformed, err.Error())}
		}
	}
	uniqueReferences(sa.Payments)
	uniqueReferences(sa.Planned)
}

func clientError(code, msg string) *SourceError {
	return &SourceError{Kalla: KallaClient, Code: code, Messages: []string{msg}}
}

func (sa *SourceAnswer) gap(group, code, text string) {
	sa.Gaps = append(sa.Gaps, Gap{Group: group, Code: code, Text: text})
}

func (sa *SourceAnswer) malformedItem(what string, i int, err error) {
	sa.gap(fmt.Sprintf("%s %d", what, i+1), CodeMalformed, err.Error())
}

// uniqueReferences suffixes "#2", "#3", … to repeated references.
func uniqueReferences(ps []Payment) {
	seen := map[string]int{}
	for i := range ps {
		ref := ps[i].Reference
		seen[ref]++
		if n := seen[ref]; n > 1 {
			ps[i].Reference = ref + "#" + strconv.Itoa(n)
		}
	}
}

// decodeBase64 decodes xs:base64Binary, which may hold white space.
func decodeBase64(s string) ([]byte, error) {
	if len(s) > maxBody {
		return nil, errors.New("too large")
	}
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r':
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return nil, errors.New("not base64")
	}
	return b, nil
}

func mapAF(sa *SourceAnswer, d *afSvarMeddelande) error {
	if d.Svar == nil {
		return errors.New("AF: no Svar")
	}
	s := d.Svar
	if d.Fraga != nil {
		sa.ids = append(sa.ids, d.Fraga.IdentitetsbeteckningFysiskPerson)
	}
	sa.ids = append(sa.ids, s.IdentitetsbeteckningFysiskPerson)
	st := &AFStatus{UnemploymentFund: strings.TrimSpace(s.Akassetillhorighet), StatusText: s.StatusSokandeinformationKodText}
	sa.AF = st
	var err error
	bad := func(field string, e error) {
		if e != nil {
			sa.gap("AF "+field, CodeMalformed, e.Error())
		}
	}
	if strings.TrimSpace(s.Sekretessmarkering) != "" {
		st.Protected, err = parseBool(s.Sekretessmarkering)
		if err != nil {
			st.Protected = true // unreadable: assume protected, never the reverse
		}
		bad("Sekretessmarkering", err)
	}
	st.StatusCode, err = parseOptInt(s.StatusSokandeinformationKod)
	bad("StatusSokandeinformationKod", err)
	if i := s.ArbetssokandeInfo; i != nil {
		if strings.TrimSpace(i.Arbetssokande) != "" {
			st.Registered, err = parseBool(i.Arbetssokande)
			bad("Arbetssokande", err)
		}
		st.Category = strings.TrimSpace(i.ArbetssokandeSKAT)
		st.RegisteredOn, err = parseOptDate(i.ArbetssokandeRegistrerad)
		bad("ArbetssokandeRegistrerad", err)
		st.Extent, err = parseOptInt(i.ArbetssokandeOmfattning)
		bad("ArbetssokandeOmfattning", err)
		st.DeregisteredOn, err = parseOptDate(i.ArbetssokandeAvaktualiserad)
		bad("ArbetssokandeAvaktualiserad", err)
		if r := i.AktivetetsRapportDatum; r != nil {
			st.ActivityReportMessage = r.AktivitetsRapportMeddelande
			st.LastActivityReport, err = parseOptDate(r.SenasteAktivitetsRapportDatum)
			bad("SenasteAktivitetsRapportDatum", err)
		}
	}
	for n, b := range s.Beslut {
		dec := AFDecision{Kind: strings.TrimSpace(b.ErsattningTyp)}
		var e1, e2, e3 error
		dec.Extent, e1 = parseOptInt(b.Omfattning)
		dec.From, e2 = parseOptDate(b.BeslutFrom)
		dec.To, e3 = parseOptDate(b.BeslutTom)
		if e := errors.Join(e1, e2, e3); e != nil {
			sa.malformedItem("AF beslut", n, e)
			continue
		}
		st.Decisions = append(st.Decisions, dec)
	}
	return nil
}

func mapFK(sa *SourceAnswer, d *fkSvarsData) error {
	if d.LefiJsonSvar == nil {
		return errors.New("FK: no lefiJsonSvar")
	}
	js, err := decodeBase64(*d.LefiJsonSvar)
	if err != nil {
		return fmt.Errorf("FK: lefiJsonSvar %w", err)
	}
	return parseLEFI(sa, js)
}

func mapCSN(sa *SourceAnswer, d *csnSvarsData) error {
	if d.Svar == nil {
		return errors.New("CSN: no svar")
	}
	x, err := decodeBase64(*d.Svar)
	if err != nil {
		return fmt.Errorf("CSN: svar %w", err)
	}
	return parseCSN(sa, x)
}

func mapSO(sa *SourceAnswer, d *soResponse) error {
	sa.ids = append(sa.ids, d.IdentificationNumber)
	for fi, e := range d.Lista {
		f := Fund{Name: strings.TrimSpace(e.SvarandeOrganisation), Status: strings.TrimSpace(e.StatusSvarandeOrganisation)}
		for n, u := range e.Utbetalningar {
			p := Payment{Source: SO, Benefit: "ALE"}
			var e1, e2, e3, e4 error
			p.PaidOn, e1 = parseDate(u.Utbetalningsdatum)
			p.Net, e2 = parseAmount(u.NettoEfterSkatt)
			p.From, e3 = parseOptDate(u.AvserFrom)
			p.To, e4 = parseOptDate(u.AvserTom)
			if e := errors.Join(e1, e2, e3, e4); e != nil {
				sa.malformedItem(fmt.Sprintf("SO fund %d payment", fi+1), n, e)
				continue
			}
			p.Reference = reference(SO, p.Benefit, p)
			sa.Payments = append(sa.Payments, p)
		}
		for n, s := range e.Avstangningar {
			from, e1 := parseOptDate(s.AvstangdFrom)
			to, e2 := parseOptDate(s.AvstangdTom)
			if e := errors.Join(e1, e2); e != nil {
				sa.malformedItem(fmt.Sprintf("SO fund %d suspension", fi+1), n, e)
				continue
			}
			f.Suspensions = append(f.Suspensions, Period{From: from, To: to})
		}
		if a := e.AnsoktOmErsattning; a != nil {
			var e1, e2 error
			f.EntitlementDecidedOn, e1 = parseOptDate(a.BeslutOmRattTillErsattning)
			if strings.TrimSpace(a.AnsokanOmUtbetalningInlamnad) != "" {
				f.PaymentApplied, e2 = parseBool(a.AnsokanOmUtbetalningInlamnad)
			}
			if e := errors.Join(e1, e2); e != nil {
				sa.gap(fmt.Sprintf("SO fund %d AnsoktOmErsattning", fi+1), CodeMalformed, e.Error())
			}
		}
		sa.Funds = append(sa.Funds, f)
	}
	return nil
}

// reference makes a payment's reference from what identifies it.
func reference(src Source, benefit string, p Payment) string {
	return string(src) + ":" + benefit + ":" + p.PaidOn.String() + ":" + p.From.String() + "/" + p.To.String()
}

func mapTNS(sa *SourceAnswer, d *tnsResponse) error {
	switch strings.TrimSpace(d.Resultat) {
	case "OK":
	case "FEL":
		e := &SourceError{Kalla: KallaBT, Code: "FEL"}
		for i, f := range d.Felresultat {
			if i == 0 {
				e.Code = strings.TrimSpace(f.Felkod)
			}
			e.Messages = append(e.Messages, f.Feltext)
		}
		sa.Err = e
		return nil
	default:
		return errors.New("TNS: resultat is neither OK nor FEL")
	}
	for _, f := range d.Fordon {
		v := Vehicle{RegNr: strings.TrimSpace(f.Regnr), Make: strings.TrimSpace(f.Fabrikat), Model: strings.TrimSpace(f.Handelsbeteckning), Kind: strings.TrimSpace(f.Fordonsslag)}
		if y, err := strconv.Atoi(strings.TrimSpace(f.Fordonsar)); err == nil && y > 0 && y < 10000 {
			v.Year = y
		}
		sa.Vehicles = append(sa.Vehicles, v)
	}
	return nil
}

func mapMIV(sa *SourceAnswer, d *mivFindByPnrResp) error {
	r := d.Response
	if r == nil {
		return nil // no response element: nothing known
	}
	sa.ids = append(sa.ids, r.Personnummer)
	for n, s := range r.Svar {
		p := Permit{
			CaseType: s.ArendeTyp, CaseTypeName: s.ArendeTypNamn,
			DecisionCode: s.BeslutsKod, DecisionCodeName: s.BeslutsKodNamn,
			DecisionType: s.BeslutsTyp, DecisionTypeName: s.BeslutsTypNamn,
			Reason: s.Anledning, ReasonName: s.AnledningNamn,
			Validity: strings.TrimSpace(s.Giltighetstid),
		}
		if p == (Permit{}) && s.Ansokningsdatum == "" && s.Beslutsdatum == "" && s.FromDatum == "" && s.TomDatum == "" {
			continue // a nil svar
		}
		var e1, e2, e3, e4 error
		p.AppliedOn, e1 = parseOptDate(s.Ansokningsdatum)
		p.DecidedOn, e2 = parseOptDate(s.Beslutsdatum)
		p.From, e3 = parseOptDate(s.FromDatum)
		p.To, e4 = parseOptDate(s.TomDatum)
		if e := errors.Join(e1, e2, e3, e4); e != nil {
			sa.malformedItem("MIV svar", n, e)
			continue
		}
		sa.Permits = append(sa.Permits, p)
	}
	return nil
}

// skvSvar is Skatteverket's answer inside svar.
type skvSvar struct {
	XMLName       xml.Name
	Personuppgift []struct {
		Identitet      string `xml:"IdentitetsbeteckningFysiskPerson"`
		Kapitaluppgift []struct {
			Taxeringsar            string `xml:"Taxeringsar"`
			SummaIntakterPaKapital string `xml:"SummaIntakterPaKapital"`
			OverskottPaKapital     string `xml:"OverskottPaKapital"`
		} `xml:"Kapitaluppgift"`
	} `xml:"PersonuppgiftLista>Personuppgift"`
}

func mapSKV(sa *SourceAnswer, d *skvResponse) error {
	if d.Svar == nil {
		return errors.New("SKV: no svar")
	}
	return parseSKV(sa, []byte(*d.Svar))
}

// parseSKV reads Skatteverket's SvarBeskattningsuppgifterEnligtSFS2008-975.
func parseSKV(sa *SourceAnswer, x []byte) error {
	var s skvSvar
	if err := decodeXML(x, &s); err != nil {
		return fmt.Errorf("SKV: %w", err)
	}
	if !strings.HasPrefix(s.XMLName.Local, "SvarBeskattningsuppgifter") {
		return errors.New("SKV: not a SvarBeskattningsuppgifter document")
	}
	for _, p := range s.Personuppgift {
		sa.ids = append(sa.ids, p.Identitet)
		for n, k := range p.Kapitaluppgift {
			ci := CapitalIncome{}
			var e1, e2, e3 error
			ci.TaxYear, e1 = parseOptInt(k.Taxeringsar)
			if strings.TrimSpace(k.SummaIntakterPaKapital) != "" {
				ci.Income, e2 = parseAmount(k.SummaIntakterPaKapital)
			}
			if strings.TrimSpace(k.OverskottPaKapital) != "" {
				ci.Surplus, e3 = parseAmount(k.OverskottPaKapital)
			}
			if e := errors.Join(e1, e2, e3); e != nil {
				sa.malformedItem("SKV Kapitaluppgift", n, e)
				continue
			}
			sa.CapitalIncome = append(sa.CapitalIncome, ci)
		}
	}
	return nil
}
