package sim

import (
	"fmt"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/population"
)

// The registers' decisions, made from the population's payments so that
// the two always agree: a payment for a month is paid on a decision that
// covers the month with the payment's gross amount.
//
// A decision for a month is made on the 10th of the month before. For
// benefits decided per month (every one but sjukpenning and
// föräldrapenning) consecutive months of the same gross amount share one
// decision (periodicitet 1, månadsvis; PM: beloppsfrekvens MANAD); the
// latest one, which reaches the last month decided, is open (no end). A
// benefit that varies gets a new decision when its amount changes.
// Sjukpenning and föräldrapenning are decided per day: one decision per
// month, with each day's amount (the month's gross amount divided over
// its days, the remainder on the last).

// simDecision is a decision the simulator answers with.
type simDecision struct {
	src      population.Source
	benefit  string
	from, to bistand.Month // to is the last month decided so far when open
	open     bool
	gross    bistand.Money // per month
	decided  bistand.Date
	index    int // the decision's number for the benefit, from 1
}

// perDay reports whether a benefit is decided per day.
func perDay(benefit string) bool {
	return benefit == population.BenefitSickness || benefit == population.BenefitParental
}

// lastDecided is the last month decided by Now: a month's decision is made
// on the 10th of the month before.
func (r *reply) lastDecided() bistand.Month {
	if r.now.Day() >= 10 {
		return r.now.Month().Add(1)
	}
	return r.now.Month()
}

// decisions returns the person's decisions made by Now, benefit by
// benefit in the order the population pays them, whose period overlaps
// [from, to].
func (r *reply) decisions(from, to bistand.Date) []simDecision {
	if !r.found {
		return nil
	}
	pop := r.s.pop
	last := r.lastDecided()
	type key struct {
		src     population.Source
		benefit string
	}
	runs := map[key][]simDecision{}
	var order []key
	for m := pop.Epoch; m <= last; m++ {
		// Every payment for month m, whenever it is (or will be) paid.
		for _, p := range pop.Payments(r.h, r.j, m, m.Add(2).LastDay()) {
			if p.Source != population.FK && p.Source != population.PM {
				continue
			}
			k := key{p.Source, p.Benefit}
			list, seen := runs[k]
			if !seen {
				order = append(order, k)
			}
			if n := len(list); n > 0 && !perDay(p.Benefit) && list[n-1].to == m.Add(-1) && list[n-1].gross == p.Gross {
				list[n-1].to = m
			} else {
				list = append(list, simDecision{src: p.Source, benefit: p.Benefit, from: m, to: m, gross: p.Gross,
					decided: m.Add(-1).FirstDay().AddDays(9), index: len(list) + 1})
			}
			runs[k] = list
		}
	}
	var out []simDecision
	for _, k := range order {
		list := runs[k]
		if n := len(list); n > 0 && !perDay(k.benefit) && list[n-1].to == last {
			list[n-1].open = true
		}
		for _, d := range list {
			if d.from.FirstDay().After(to) || (!d.open && d.to.LastDay().Before(from)) {
				continue
			}
			out = append(out, d)
		}
	}
	return out
}

// The LEFI JSON of Försäkringskassan's ärenden and their beslut, and of
// Pensionsmyndighetens beslut (LEFI 9.0.0's OpenAPI).

type jOmfattning struct {
	Taljare int `json:"taljare"`
	Namnare int `json:"namnare"`
}

type jPeriodFranTill struct {
	Fran string `json:"fran"`
	Till string `json:"till,omitempty"` // none: an open period
}

// jFkBeslut holds the fields of the beslut of the ärenden the simulator
// writes; each benefit's type has some of them (see fkBeslut).
type jFkBeslut struct {
	Fattades             string          `json:"fattades"`
	Definitivt           bool            `json:"definitivt"`
	Forman               jID             `json:"forman"`
	Periodicitet         *jID            `json:"periodicitet,omitempty"`
	Period               jPeriodFranTill `json:"period"`
	BeslutatBruttobelopp *jBelopp        `json:"beslutatBruttobelopp,omitempty"`
	Omfattning           *jOmfattning    `json:"omfattning,omitempty"`
	Dagar                int             `json:"dagar,omitempty"`
	Karens               *bool           `json:"karens,omitempty"`
	Beslutsutfall        string          `json:"beslutsutfall,omitempty"`
	Beslutstyp           string          `json:"beslutstyp,omitempty"`
	Ersattning           any             `json:"ersattning,omitempty"`
	Ersattningsdagar     any             `json:"ersattningsdagar,omitempty"`
}

// jFkArende holds the fields of the ärenden the simulator writes:
// LefiBarnbidragArende has none of startades, aktivt and avslaget, and
// LefiSjukpenningArende no avslaget.
type jFkArende struct {
	Startades string      `json:"startades,omitempty"`
	Aktivt    *bool       `json:"aktivt,omitempty"`
	Avslaget  *bool       `json:"avslaget,omitempty"`
	Beslut    []jFkBeslut `json:"beslut"`
}

type jSjpDag struct {
	Ersattningsdatum  string  `json:"ersattningsdatum"`
	Ersattningsbelopp jBelopp `json:"ersattningsbelopp"`
}

type jFpDag struct {
	Dag          string  `json:"dag"`
	Niva         jID     `json:"niva"`
	Bruttobelopp jBelopp `json:"bruttobelopp"`
}

type jPmBeslutadErsattning struct {
	BeslutatBelopp struct {
		Belopp          int64 `json:"belopp"`
		Beloppsfrekvens jKod  `json:"beloppsfrekvens"`
	} `json:"beslutatBelopp"`
	Period struct {
		From string `json:"from"`
		Tom  string `json:"tom,omitempty"`
	} `json:"period"`
	Ersattningstyp jKod `json:"ersattningstyp"`
}

type jPmBeslut struct {
	Beslutsid          string                  `json:"beslutsid"`
	Beslutsdatum       string                  `json:"beslutsdatum"`
	Formansgrupp       jKod                    `json:"formansgrupp"`
	Beslutsstatus      jKod                    `json:"beslutsstatus"`
	Beslutsutfall      jKod                    `json:"beslutsutfall"`
	BeslutadErsattning []jPmBeslutadErsattning `json:"beslutadErsattning"`
}

// perDayAmounts divides a month's gross amount over its days: whole öre,
// the remainder on the last day.
func perDayAmounts(m bistand.Month, gross bistand.Money) []bistand.Money {
	n := m.LastDay().Day()
	each := gross.MulDivDown(1, int64(n))
	out := make([]bistand.Money, n)
	for i := range out {
		out[i] = each
	}
	out[n-1] += gross - each*bistand.Money(n)
	return out
}

func fkBeslut(d simDecision) jFkBeslut {
	name := benefitNames[d.benefit]
	b := jFkBeslut{
		Fattades:   d.decided.String(),
		Definitivt: true,
		Forman:     jID{ID: d.benefit, Beskrivning: name},
		Period:     jPeriodFranTill{Fran: d.from.FirstDay().String()},
	}
	if !d.open {
		b.Period.Till = d.to.LastDay().String()
	}
	if perDay(d.benefit) {
		amounts := perDayAmounts(d.from, d.gross)
		b.Omfattning = &jOmfattning{Taljare: 1, Namnare: 1}
		b.Dagar = len(amounts)
		if d.benefit == population.BenefitSickness {
			no := false
			b.Karens = &no
			b.Beslutsutfall, b.Beslutstyp = "BEVILJAN", "SLUTLIGT"
			b.Ersattning = "FOREBYGGANDE_SJUKPENNING"
			var days []jSjpDag
			for i, a := range amounts {
				days = append(days, jSjpDag{d.from.FirstDay().AddDays(i).String(), amount(a)})
			}
			b.Ersattningsdagar = days
		} else {
			b.Ersattning = jID{ID: 3, Beskrivning: "Vanliga dagar"}
			var days []jFpDag
			for i, a := range amounts {
				days = append(days, jFpDag{d.from.FirstDay().AddDays(i).String(), jID{ID: "S", Beskrivning: "Sjukpenningsnivå"}, amount(a)})
			}
			b.Ersattningsdagar = days
		}
		return b
	}
	b.Periodicitet = &jID{ID: 1, Beskrivning: "Månadsvis"}
	gross := amount(d.gross)
	b.BeslutatBruttobelopp = &gross
	switch d.benefit {
	case population.BenefitActivitySupport:
		b.Ersattning = jID{ID: 1, Beskrivning: "Aktivitetsstöd"}
	case population.BenefitMaintenanceSupport:
		b.Ersattning = jID{ID: 1, Beskrivning: "Helt"}
	}
	return b
}

// fkArenden writes Försäkringskassan's decisions as ärenden, one per
// benefit, in the formansinformation field of each benefit's type.
func fkArenden(ds []simDecision, fi *jFormansinformation) {
	byBenefit := map[string]*jFkArende{}
	var order []string
	for _, d := range ds {
		a := byBenefit[d.benefit]
		if a == nil {
			a = &jFkArende{}
			if d.benefit != population.BenefitChildAllowance {
				yes, no := true, false
				a.Startades, a.Aktivt = d.decided.AddDays(-14).String(), &yes
				if d.benefit != population.BenefitSickness {
					a.Avslaget = &no
				}
			}
			byBenefit[d.benefit] = a
			order = append(order, d.benefit)
		}
		a.Beslut = append(a.Beslut, fkBeslut(d))
	}
	for _, b := range order {
		a := []jFkArende{*byBenefit[b]}
		switch b {
		case population.BenefitChildAllowance:
			fi.Barnbidragsarende = a
		case population.BenefitHousingAllowance:
			fi.Bostadsbidragsarende = a
		case population.BenefitMaintenanceSupport:
			fi.Underhallsstodsmottag = a
		case population.BenefitSickness:
			fi.Sjukpenningarende = a
		case population.BenefitParental:
			fi.Foraldrapenningarende = a
		case population.BenefitActivitySupport:
			fi.Aktivitetsstodsarende = a
		}
	}
}

// pmBeslut writes one of Pensionsmyndighetens decisions: whole kronor,
// rounded up as its payments' gross amounts are.
func (r *reply) pmBeslut(d simDecision) jPmBeslut {
	e := jPmBeslutadErsattning{Ersattningstyp: jKod{Kod: "PM:IP", Beskrivning: "Inkomstpension"}}
	e.BeslutatBelopp.Belopp = int64(d.gross.MulDivUp(1, 100))
	e.BeslutatBelopp.Beloppsfrekvens = jKod{Kod: "MANAD", Beskrivning: "Månad"}
	e.Period.From = d.from.FirstDay().String()
	if !d.open {
		e.Period.Tom = d.to.LastDay().String()
	}
	return jPmBeslut{
		Beslutsid:          fmt.Sprintf("PM-%06d-%d-%s-%d", r.h.Index, r.j, d.benefit, d.index),
		Beslutsdatum:       d.decided.String(),
		Formansgrupp:       jKod{Kod: "PM:" + d.benefit, Beskrivning: benefitNames[d.benefit]},
		Beslutsstatus:      jKod{Kod: "SLUTLIGT", Beskrivning: "Slutligt"},
		Beslutsutfall:      jKod{Kod: "BIFALL", Beskrivning: "Bifall"},
		BeslutadErsattning: []jPmBeslutadErsattning{e},
	}
}
