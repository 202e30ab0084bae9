package ssbtek

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/bistand/bistand"
)

// LEFIVersion is the LEFI version asked for (ForsakringskassanFraga.version).
const LEFIVersion = "v9"

// LEFIGroups are the LEFI förmånsgrupper asked for: barnbidrag,
// bostadsbidrag, underhållsstöd, sjukpenning, föräldrapenning,
// aktivitetsstöd and allmän pension. They are asked in the query's payment
// sections (utbetalningar and preliminaraUtbetalningar) and for their
// decisions: Försäkringskassan's groups in formansinformation (its ärenden,
// which carry the beslut), Pensionsmyndigheten's in beslut (LEFI 9 asks
// decisions of PM there only). Nothing else is asked: the query asks for
// what handling försörjningsstöd needs and no more.
var LEFIGroups = []string{"FK:ABB", "FK:BOB", "FK:US", "FK:SJP", "FK:FP", "FK:AS", "PM:AP"}

// lefiFraga is LefiExternFormansinformationFraga.
type lefiFraga struct {
	Personnummer             string     `json:"personnummer"`
	Period                   lefiPeriod `json:"period"`
	Formansinformation       []string   `json:"formansinformation,omitempty"`
	Beslut                   []string   `json:"beslut,omitempty"`
	PreliminaraUtbetalningar []string   `json:"preliminaraUtbetalningar,omitempty"`
	Utbetalningar            []string   `json:"utbetalningar,omitempty"`
}

// lefiGroupsOf returns the groups of LEFIGroups with a prefix ("FK:").
func lefiGroupsOf(prefix string) []string {
	var out []string
	for _, g := range LEFIGroups {
		if strings.HasPrefix(g, prefix) {
			out = append(out, g)
		}
	}
	return out
}

type lefiPeriod struct {
	From string `json:"from"`
	Tom  string `json:"tom"`
}

func lefiQuery(pnr string, from, to bistand.Date) []byte {
	b, err := json.Marshal(lefiFraga{
		Personnummer:             pnr,
		Period:                   lefiPeriod{From: from.String(), Tom: to.String()},
		Formansinformation:       lefiGroupsOf("FK:"),
		Beslut:                   lefiGroupsOf("PM:"),
		PreliminaraUtbetalningar: LEFIGroups,
		Utbetalningar:            LEFIGroups,
	})
	if err != nil {
		panic(err) // strings and slices of strings always marshal
	}
	return b
}

// lefiSvar is the part of LefiExternFormansinformationSvar read here.
// Amounts are json.Number: never a float.
type lefiSvar struct {
	Utlamnare []struct {
		Utlamnare lefiKod `json:"utlamnare"`
		Tillstand lefiKod `json:"tillstand"`
	} `json:"utlamnare"`
	// Avvikelser is an object (LefiExternFormansinformationAvvikelser);
	// the OpenAPI's example writes an empty array, which is read as none.
	Avvikelser         json.RawMessage `json:"avvikelser"`
	Formansinformation *struct {
		Utbetalningsuppgift      []lefiUtbetalningUppgift `json:"utbetalningsuppgift"`
		Preliminarautbetalningar []lefiUtbetalningUppgift `json:"preliminarautbetalningar"`
		// The ärenden of the groups asked (LEFIGroups), with their beslut.
		Barnbidragsarende     []lefiFkArende `json:"barnbidragsarende"`
		Bostadsbidragsarende  []lefiFkArende `json:"bostadsbidragsarende"`
		Underhallsstodsmottag []lefiFkArende `json:"underhallsstodsmottag"`
		Sjukpenningarende     []lefiFkArende `json:"sjukpenningarende"`
		Foraldrapenningarende []lefiFkArende `json:"foraldrapenningarende"`
		Aktivitetsstodsarende []lefiFkArende `json:"aktivitetsstodsarende"`
	} `json:"formansinformation"`
	Beslut                   []lefiPmBeslut      `json:"beslut"`
	PreliminaraUtbetalningar []lefiPmUtbetalning `json:"preliminaraUtbetalningar"`
	Utbetalningar            []lefiPmUtbetalning `json:"utbetalningar"`
}

// lefiFkArende is what is read of Försäkringskassan's ärenden
// (LefiBarnbidragArende, LefiBostadsbidragArende, LefiUnderhallsstodArende,
// LefiSjukpenningArende, LefiForaldrapenningArende,
// LefiAktivitetsstodArende): whether it was rejected, and its beslut.
type lefiFkArende struct {
	Avslaget *bool          `json:"avslaget"`
	Beslut   []lefiFkBeslut `json:"beslut"`
}

// lefiFkBeslut is the union of the fields read of the beslut of those
// ärenden (each type has some of them).
type lefiFkBeslut struct {
	Fattades     string          `json:"fattades"`
	Definitivt   *bool           `json:"definitivt"`
	Forman       *lefiBokstavkod `json:"forman"`
	Delforman    *lefiBokstavkod `json:"delforman"`
	Periodicitet *lefiSifferkod  `json:"periodicitet"`
	Period       *struct {
		Fran string `json:"fran"`
		Till string `json:"till"`
	} `json:"period"`
	BeslutatBruttobelopp *lefiBelopp `json:"beslutatBruttobelopp"`
	Dagar                json.Number `json:"dagar"`
	Beslutsutfall        string      `json:"beslutsutfall"` // sjukpenning
	Beslutstyp           string      `json:"beslutstyp"`    // sjukpenning
	// Ersattningsdagar are the days of sjukpenning (ersattningsbelopp) and
	// föräldrapenning (bruttobelopp).
	Ersattningsdagar []struct {
		Ersattningsbelopp *lefiBelopp `json:"ersattningsbelopp"`
		Bruttobelopp      *lefiBelopp `json:"bruttobelopp"`
	} `json:"ersattningsdagar"`
}

// lefiBokstavkod is LefiBokstavskod.
type lefiBokstavkod struct {
	ID          string `json:"id"`
	Beskrivning string `json:"beskrivning"`
}

// lefiPmBeslut is LefiPmFormanBeslut (Pensionsmyndighetens model).
type lefiPmBeslut struct {
	Beslutsid          string   `json:"beslutsid"`
	Beslutsdatum       string   `json:"beslutsdatum"`
	Formansgrupp       lefiKod  `json:"formansgrupp"`
	Beslutsstatus      *lefiKod `json:"beslutsstatus"`
	Beslutsutfall      *lefiKod `json:"beslutsutfall"`
	BeslutadErsattning []struct {
		BeslutatBelopp *struct {
			Belopp          json.Number `json:"belopp"`
			Beloppsfrekvens *lefiKod    `json:"beloppsfrekvens"`
		} `json:"beslutatBelopp"`
		Period *struct {
			From string `json:"from"`
			Tom  string `json:"tom"`
		} `json:"period"`
		Ersattningstyp *lefiKod `json:"ersattningstyp"`
	} `json:"beslutadErsattning"`
}

// lefiKod is any of LEFI's {kod, namn/beskrivning} objects.
type lefiKod struct {
	Kod         string `json:"kod"`
	Namn        string `json:"namn"`
	Beskrivning string `json:"beskrivning"`
}

type lefiAvvikelser struct {
	Formansinformation       []lefiAvvikelseGrupp `json:"formansinformation"`
	Ansprak                  []lefiAvvikelseGrupp `json:"ansprak"`
	Beslut                   []lefiAvvikelseGrupp `json:"beslut"`
	PreliminaraUtbetalningar []lefiAvvikelseGrupp `json:"preliminaraUtbetalningar"`
	Utbetalningar            []lefiAvvikelseGrupp `json:"utbetalningar"`
	OvrigInformation         []struct {
		Avvikelse            lefiKod `json:"avvikelse"`
		OvrigInformationstyp lefiKod `json:"ovrigInformationstyp"`
	} `json:"ovrigInformation"`
}

type lefiAvvikelseGrupp struct {
	Avvikelse    lefiKod `json:"avvikelse"`
	Formansgrupp lefiKod `json:"formansgrupp"`
}

// lefiUtbetalningUppgift is LefiUtbetalningUppgift (Försäkringskassan's
// model).
type lefiUtbetalningUppgift struct {
	Typ           *lefiSifferkod `json:"typ"`
	Foretag       *lefiSifferkod `json:"foretag"`
	Formansfamilj *struct {
		ID          string `json:"id"`
		Beskrivning string `json:"beskrivning"`
	} `json:"formansfamilj"`
	Datum  string `json:"datum"`
	Period *struct {
		Fran string `json:"fran"`
		Till string `json:"till"`
	} `json:"period"`
	Bruttobelopp *lefiBelopp `json:"bruttobelopp"`
	Skattebelopp *lefiBelopp `json:"skattebelopp"`
	Nettobelopp  *lefiBelopp `json:"nettobelopp"`
}

type lefiSifferkod struct {
	ID          json.Number `json:"id"`
	Beskrivning string      `json:"beskrivning"`
}

type lefiBelopp struct {
	Summa  json.Number `json:"summa"`
	Valuta string      `json:"valuta"`
}

// lefiPmUtbetalning is LefiPmFormanUtbetalning (Pensionsmyndighetens
// model): amounts are integers of kronor.
type lefiPmUtbetalning struct {
	Utbetalningsdatum  string `json:"utbetalningsdatum"`
	Utbetalningsperiod *struct {
		From string `json:"from"`
		Tom  string `json:"tom"`
	} `json:"utbetalningsperiod"`
	Bruttobelopp json.Number `json:"bruttobelopp"`
	Nettobelopp  json.Number `json:"nettobelopp"`
	Avdrag       []struct {
		Belopp     json.Number `json:"belopp"`
		Avdragstyp lefiKod     `json:"avdragstyp"`
	} `json:"avdrag"`
	Utbetalningsrader []struct {
		Formansgrupp lefiKod     `json:"formansgrupp"`
		Belopp       json.Number `json:"belopp"`
	} `json:"utbetalningsrader"`
}

// pmTaxCodes are Pensionsmyndigheten's deductions that are tax.
var pmTaxCodes = map[string]bool{"PM:PS": true, "PM:PST": true, "PM:SS": true, "PM:SST": true}

// parseLEFI reads a LEFI answer into sa: FK's payments (Source FK, or PM
// when the paying company is 1003) from formansinformation, PM's from
// utbetalningar, the preliminary ones of both into Planned, and every
// utlämnare that is not OK and every avvikelse as a Gap.
func parseLEFI(sa *SourceAnswer, js []byte) error {
	if len(js) > maxBody {
		return errors.New("FK: LEFI answer too large")
	}
	var s lefiSvar
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	if err := d.Decode(&s); err != nil {
		return errors.New("FK: LEFI answer is not the JSON of LefiExternFormansinformationSvar")
	}
	if d.More() {
		return errors.New("FK: LEFI answer has data after the JSON object")
	}
	for _, u := range s.Utlamnare {
		if k := strings.TrimSpace(u.Tillstand.Kod); k != "OK" {
			sa.gap(u.Utlamnare.Kod, k, u.Tillstand.Beskrivning)
		}
	}
	if a, err := avvikelser(s.Avvikelser); err != nil {
		sa.gap("FK", CodeMalformed, err.Error())
	} else if a != nil {
		for _, list := range [][]lefiAvvikelseGrupp{a.Formansinformation, a.Ansprak, a.Beslut, a.PreliminaraUtbetalningar, a.Utbetalningar} {
			for _, g := range list {
				sa.gap(g.Formansgrupp.Kod, g.Avvikelse.Kod, g.Avvikelse.Beskrivning)
			}
		}
		for _, g := range a.OvrigInformation {
			sa.gap(g.OvrigInformationstyp.Kod, g.Avvikelse.Kod, g.Avvikelse.Beskrivning)
		}
	}
	if f := s.Formansinformation; f != nil {
		for n, u := range f.Utbetalningsuppgift {
			if p, err := fkPayment(u); err != nil {
				sa.malformedItem("FK utbetalningsuppgift", n, err)
			} else {
				sa.Payments = append(sa.Payments, p)
			}
		}
		for n, u := range f.Preliminarautbetalningar {
			if p, err := fkPayment(u); err != nil {
				sa.malformedItem("FK preliminarautbetalning", n, err)
			} else {
				sa.Planned = append(sa.Planned, p)
			}
		}
	}
	if f := s.Formansinformation; f != nil {
		for _, g := range []struct {
			benefit string
			arenden []lefiFkArende
		}{
			{"ABB", f.Barnbidragsarende}, {"BOB", f.Bostadsbidragsarende}, {"US", f.Underhallsstodsmottag},
			{"SJP", f.Sjukpenningarende}, {"FP", f.Foraldrapenningarende}, {"AS", f.Aktivitetsstodsarende},
		} {
			for _, a := range g.arenden {
				rejected := a.Avslaget != nil && *a.Avslaget
				for n, b := range a.Beslut {
					if d, err := fkDecision(g.benefit, rejected, b); err != nil {
						sa.malformedItem("FK beslut "+g.benefit, n, err)
					} else {
						sa.Decisions = append(sa.Decisions, d)
					}
				}
			}
		}
	}
	for n, b := range s.Beslut {
		if d, err := pmDecision(b); err != nil {
			sa.malformedItem("PM beslut", n, err)
		} else {
			sa.Decisions = append(sa.Decisions, d)
		}
	}
	for n, u := range s.Utbetalningar {
		if p, err := pmPayment(u); err != nil {
			sa.malformedItem("PM utbetalning", n, err)
		} else {
			sa.Payments = append(sa.Payments, p)
		}
	}
	for n, u := range s.PreliminaraUtbetalningar {
		if p, err := pmPayment(u); err != nil {
			sa.malformedItem("PM preliminar utbetalning", n, err)
		} else {
			sa.Planned = append(sa.Planned, p)
		}
	}
	return nil
}

// avvikelser reads LEFI's avvikelser: an object, null, absent, or (as in
// the OpenAPI's example) an empty array.
func avvikelser(raw json.RawMessage) (*lefiAvvikelser, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil, nil
	}
	if t[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(t, &list); err != nil || len(list) > 0 {
			return nil, errors.New("avvikelser in an unknown form")
		}
		return nil, nil
	}
	var a lefiAvvikelser
	if err := json.Unmarshal(t, &a); err != nil {
		return nil, errors.New("avvikelser in an unknown form")
	}
	return &a, nil
}

func fkPayment(u lefiUtbetalningUppgift) (Payment, error) {
	p := Payment{Source: FK}
	if u.Foretag != nil && strings.TrimSpace(string(u.Foretag.ID)) == "1003" {
		p.Source = PM
	}
	if u.Formansfamilj == nil || strings.TrimSpace(u.Formansfamilj.ID) == "" {
		return p, errors.New("no formansfamilj")
	}
	p.Benefit = strings.TrimSpace(u.Formansfamilj.ID)
	var err error
	if p.PaidOn, err = parseDate(u.Datum); err != nil {
		return p, fmt.Errorf("datum: %w", err)
	}
	if u.Period != nil {
		var e1, e2 error
		if strings.TrimSpace(u.Period.Fran) != "" {
			p.From, e1 = parseDayOrMonth(u.Period.Fran, false)
		}
		if strings.TrimSpace(u.Period.Till) != "" {
			p.To, e2 = parseDayOrMonth(u.Period.Till, true)
		}
		if e := errors.Join(e1, e2); e != nil {
			return p, fmt.Errorf("period: %w", e)
		}
	}
	if u.Nettobelopp == nil {
		return p, errors.New("no nettobelopp")
	}
	var e1, e2, e3 error
	p.Net, e1 = u.Nettobelopp.money()
	if u.Bruttobelopp != nil {
		p.Gross, e2 = u.Bruttobelopp.money()
	}
	if u.Skattebelopp != nil {
		p.Tax, e3 = u.Skattebelopp.money()
	}
	if e := errors.Join(e1, e2, e3); e != nil {
		return p, e
	}
	typ := ""
	if u.Typ != nil {
		typ = strings.TrimSpace(string(u.Typ.ID))
	}
	p.Reference = reference(p.Source, p.Benefit+":"+typ, p)
	return p, nil
}

func (b *lefiBelopp) money() (bistand.Money, error) {
	if v := strings.TrimSpace(b.Valuta); v != "" && v != "SEK" {
		return 0, errors.New("amount not in SEK")
	}
	if b.Summa == "" {
		return 0, errors.New("amount without summa")
	}
	return parseAmount(string(b.Summa))
}

func pmPayment(u lefiPmUtbetalning) (Payment, error) {
	p := Payment{Source: PM}
	// The benefit is the förmånsgrupp of the rows, the one with the largest
	// sum if the rows name several.
	sums := map[string]bistand.Money{}
	var order []string
	for _, r := range u.Utbetalningsrader {
		g := strings.TrimPrefix(strings.TrimSpace(r.Formansgrupp.Kod), "PM:")
		if g == "" {
			continue
		}
		if _, ok := sums[g]; !ok {
			order = append(order, g)
		}
		if r.Belopp != "" {
			m, err := parseAmount(string(r.Belopp))
			if err != nil {
				return p, fmt.Errorf("utbetalningsrad: %w", err)
			}
			sums[g] += m
			if sums[g] > bistand.MaxMoney || sums[g] < -bistand.MaxMoney {
				return p, bistand.ErrMoneyRange
			}
		}
	}
	for _, g := range order {
		if p.Benefit == "" || sums[g] > sums[p.Benefit] {
			p.Benefit = g
		}
	}
	if p.Benefit == "" {
		return p, errors.New("no formansgrupp")
	}
	var err error
	if p.PaidOn, err = parseDate(u.Utbetalningsdatum); err != nil {
		return p, fmt.Errorf("utbetalningsdatum: %w", err)
	}
	if q := u.Utbetalningsperiod; q != nil {
		var e1, e2 error
		p.From, e1 = parseOptDate(q.From)
		p.To, e2 = parseOptDate(q.Tom)
		if e := errors.Join(e1, e2); e != nil {
			return p, fmt.Errorf("utbetalningsperiod: %w", e)
		}
	}
	if u.Nettobelopp == "" {
		return p, errors.New("no nettobelopp")
	}
	var e1, e2 error
	p.Net, e1 = parseAmount(string(u.Nettobelopp))
	if u.Bruttobelopp != "" {
		p.Gross, e2 = parseAmount(string(u.Bruttobelopp))
	}
	if e := errors.Join(e1, e2); e != nil {
		return p, e
	}
	for _, a := range u.Avdrag {
		if !pmTaxCodes[strings.TrimSpace(a.Avdragstyp.Kod)] {
			continue
		}
		m, err := parseAmount(string(a.Belopp))
		if err != nil {
			return p, fmt.Errorf("avdrag: %w", err)
		}
		p.Tax += m
		if p.Tax > bistand.MaxMoney || p.Tax < -bistand.MaxMoney {
			return p, bistand.ErrMoneyRange
		}
	}
	p.Reference = reference(PM, p.Benefit, p)
	return p, nil
}

// fkPeriodicity names FK's periodicitet codes as PM's beloppsfrekvens does
// (0, none, is "").
var fkPeriodicity = map[int64]string{0: "", 1: "MANAD", 2: "KVARTAL", 3: "HALVAR", 4: "AR"}

// pmFrequencies are the codes of LefiPmFormanBeslutatBeloppFrekvensKod.
var pmFrequencies = map[string]bool{"AR": true, "HALVAR": true, "KVARTAL": true, "MANAD": true, "VECKA": true, "DAG": true, "ENGANGS": true}

// fkDecision reads one of Försäkringskassan's beslut of an ärende of a
// benefit.
func fkDecision(benefit string, rejected bool, b lefiFkBeslut) (Decision, error) {
	d := Decision{Source: FK, Benefit: benefit, Status: strings.TrimSpace(b.Beslutstyp), Outcome: strings.TrimSpace(b.Beslutsutfall)}
	if d.Outcome == "" && rejected {
		d.Outcome = "AVSLAG"
	}
	var err error
	if d.DecidedOn, err = parseOptDate(b.Fattades); err != nil {
		return d, fmt.Errorf("fattades: %w", err)
	}
	d.Final = b.Definitivt != nil && *b.Definitivt
	a := DecidedAmount{Kind: benefit}
	if b.Forman != nil && strings.TrimSpace(b.Forman.ID) != "" {
		a.Kind = strings.TrimSpace(b.Forman.ID)
	}
	if b.Delforman != nil && strings.TrimSpace(b.Delforman.ID) != "" {
		a.Kind += "/" + strings.TrimSpace(b.Delforman.ID)
	}
	if p := b.Period; p != nil {
		var e1, e2 error
		if strings.TrimSpace(p.Fran) != "" {
			a.From, e1 = parseDayOrMonth(p.Fran, false)
		}
		if strings.TrimSpace(p.Till) != "" {
			a.To, e2 = parseDayOrMonth(p.Till, true)
		}
		if e := errors.Join(e1, e2); e != nil {
			return d, fmt.Errorf("period: %w", e)
		}
		if !a.From.IsZero() && !a.To.IsZero() && a.To.Before(a.From) {
			return d, errors.New("period ends before it starts")
		}
	}
	if p := b.Periodicitet; p != nil && p.ID != "" {
		n, err := p.ID.Int64()
		f, ok := fkPeriodicity[n]
		if err != nil || !ok {
			return d, errors.New("periodicitet: unknown code")
		}
		a.Frequency = f
	}
	if b.Dagar != "" {
		n, err := b.Dagar.Int64()
		if err != nil || n < 0 || n > 1<<20 {
			return d, errors.New("dagar: not a number of days")
		}
		a.Days = int(n)
	}
	switch {
	case b.BeslutatBruttobelopp != nil:
		if a.Gross, err = b.BeslutatBruttobelopp.money(); err != nil {
			return d, fmt.Errorf("beslutatBruttobelopp: %w", err)
		}
	case len(b.Ersattningsdagar) > 0:
		// Decided per day: the amount is the days' sum, for the period.
		a.Frequency = ""
		for _, day := range b.Ersattningsdagar {
			m := day.Ersattningsbelopp
			if m == nil {
				m = day.Bruttobelopp
			}
			if m == nil {
				continue
			}
			v, err := m.money()
			if err != nil {
				return d, fmt.Errorf("ersattningsdag: %w", err)
			}
			a.Gross += v
			if a.Gross > bistand.MaxMoney || a.Gross < -bistand.MaxMoney {
				return d, bistand.ErrMoneyRange
			}
		}
	}
	d.Amounts = []DecidedAmount{a}
	return d, nil
}

// pmDecision reads one of Pensionsmyndighetens beslut.
func pmDecision(b lefiPmBeslut) (Decision, error) {
	d := Decision{Source: PM, ID: strings.TrimSpace(b.Beslutsid)}
	d.Benefit = strings.TrimPrefix(strings.TrimSpace(b.Formansgrupp.Kod), "PM:")
	if d.Benefit == "" {
		return d, errors.New("no formansgrupp")
	}
	var err error
	if d.DecidedOn, err = parseOptDate(b.Beslutsdatum); err != nil {
		return d, fmt.Errorf("beslutsdatum: %w", err)
	}
	if s := b.Beslutsstatus; s != nil {
		d.Status = strings.TrimSpace(s.Kod)
		d.Final = d.Status == "SLUTLIGT"
	}
	if u := b.Beslutsutfall; u != nil {
		d.Outcome = strings.TrimSpace(u.Kod)
	}
	for _, e := range b.BeslutadErsattning {
		var a DecidedAmount
		if t := e.Ersattningstyp; t != nil {
			a.Kind = strings.TrimPrefix(strings.TrimSpace(t.Kod), "PM:")
		}
		if p := e.Period; p != nil {
			var e1, e2 error
			a.From, e1 = parseOptDate(p.From)
			a.To, e2 = parseOptDate(p.Tom)
			if e := errors.Join(e1, e2); e != nil {
				return d, fmt.Errorf("period: %w", e)
			}
			if !a.From.IsZero() && !a.To.IsZero() && a.To.Before(a.From) {
				return d, errors.New("period ends before it starts")
			}
		}
		if b := e.BeslutatBelopp; b != nil {
			if b.Belopp != "" {
				if a.Gross, err = parseAmount(string(b.Belopp)); err != nil {
					return d, fmt.Errorf("beslutatBelopp: %w", err)
				}
			}
			if f := b.Beloppsfrekvens; f != nil {
				a.Frequency = strings.TrimSpace(f.Kod)
				if !pmFrequencies[a.Frequency] {
					return d, errors.New("beloppsfrekvens: unknown code")
				}
			}
		}
		d.Amounts = append(d.Amounts, a)
	}
	return d, nil
}
