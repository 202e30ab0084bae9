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

// LEFIGroups are the LEFI förmånsgrupper asked for, in the query's payment
// sections (utbetalningar and preliminaraUtbetalningar): barnbidrag,
// bostadsbidrag, underhållsstöd, sjukpenning, föräldrapenning,
// aktivitetsstöd and allmän pension. Nothing else is asked: the query asks
// for what handling försörjningsstöd needs and no more.
var LEFIGroups = []string{"FK:ABB", "FK:BOB", "FK:US", "FK:SJP", "FK:FP", "FK:AS", "PM:AP"}

// lefiFraga is LefiExternFormansinformationFraga.
type lefiFraga struct {
	Personnummer             string     `json:"personnummer"`
	Period                   lefiPeriod `json:"period"`
	PreliminaraUtbetalningar []string   `json:"preliminaraUtbetalningar,omitempty"`
	Utbetalningar            []string   `json:"utbetalningar,omitempty"`
}

type lefiPeriod struct {
	From string `json:"from"`
	Tom  string `json:"tom"`
}

func lefiQuery(pnr string, from, to bistand.Date) []byte {
	b, err := json.Marshal(lefiFraga{
		Personnummer:             pnr,
		Period:                   lefiPeriod{From: from.String(), Tom: to.String()},
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
	} `json:"formansinformation"`
	PreliminaraUtbetalningar []lefiPmUtbetalning `json:"preliminaraUtbetalningar"`
	Utbetalningar            []lefiPmUtbetalning `json:"utbetalningar"`
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
