package rules

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The rule register: every rule, parameter and source in the data, with its
// kind, effective period and verification status — what the public may
// inspect. docs/rules.md is generated from it (`bistand rules`).

// RegisterJSON is the register in a stable JSON shape.
type RegisterJSON struct {
	RulesVersion   string                   `json:"rules_version"`
	Sources        []*Source                `json:"sources"`
	Bases          map[string][]basisJSON   `json:"bases"`
	Rules          []*Rule                  `json:"rules"`
	Riksnorm       []riksnormJSON           `json:"riksnorm"`
	PriceBase      []*PriceBaseAmount       `json:"price_base_amount"`
	ChildEarnings  []*ChildEarningsVersion  `json:"child_earnings"`
	Jobbstimulans  []*JobbstimulansVersion  `json:"jobbstimulans"`
	Aktivitetskrav []*AktivitetskravVersion `json:"aktivitetskrav"`
	GraceDefault   GraceDefault             `json:"grace_months_default"`
	Municipalities []*Municipality          `json:"municipalities"`
}

type basisJSON struct {
	Period
	Sources []string `json:"sources"`
}

type riksnormJSON struct {
	Year                 int              `json:"year"`
	Period               Period           `json:"period"`
	Citation             string           `json:"citation"`
	Evidence             []string         `json:"evidence"`
	Note                 string           `json:"note,omitempty"`
	ChildrenWithLunch    map[string]Value `json:"children_with_lunch"`
	ChildrenWithoutLunch map[string]Value `json:"children_without_lunch"`
	Single               Value            `json:"single"`
	Couple               Value            `json:"cohabiting_couple"`
	Shared               map[string]Value `json:"shared_household_costs"`
	ExtraAbove7          Value            `json:"extra_person_above_7"`
}

// Register returns the register as a JSON-ready value.
func (d *Data) Register() *RegisterJSON {
	r := &RegisterJSON{
		RulesVersion: d.Hash, Rules: d.Rules, Bases: map[string][]basisJSON{},
		PriceBase: d.PriceBase, ChildEarnings: d.ChildEarnings, Jobbstimulans: d.Jobbstimulans, Aktivitetskrav: d.Aktivitetskrav,
		GraceDefault: d.GraceDefault, Municipalities: d.Municipalities,
	}
	for _, s := range d.Sources {
		r.Sources = append(r.Sources, s)
	}
	slices.SortFunc(r.Sources, func(a, b *Source) int { return strings.Compare(a.ID, b.ID) })
	for name, bps := range d.Bases {
		for _, bp := range bps {
			bj := basisJSON{Period: bp.Period}
			for _, s := range bp.Sources {
				bj.Sources = append(bj.Sources, s.ID)
			}
			r.Bases[name] = append(r.Bases[name], bj)
		}
	}
	for _, y := range d.Riksnorm {
		yj := riksnormJSON{
			Year: y.Year, Period: y.Period, Citation: y.Citation, Evidence: y.Evidence, Note: y.Note,
			ChildrenWithLunch: map[string]Value{}, ChildrenWithoutLunch: map[string]Value{},
			Single: y.Single, Couple: y.Couple, Shared: map[string]Value{},
		}
		for i, v := range y.WithLunch {
			yj.ChildrenWithLunch[bandNames[i]] = v
		}
		for i, v := range y.WithoutLunch {
			yj.ChildrenWithoutLunch[bandNames[i]] = v
		}
		for n := 1; n <= 7; n++ {
			yj.Shared[fmt.Sprint(n)] = y.Shared[n]
		}
		a8, _ := y.SharedFor(8)
		_, st := y.SharedFor(8)
		yj.ExtraAbove7 = Value{Amount: a8 - y.Shared[7].Amount, Status: Derived, Evidence: "gemensamma[7] − gemensamma[6]; underlagen har status " + string(st)}
		r.Riksnorm = append(r.Riksnorm, yj)
	}
	return r
}

// WriteRegisterJSON writes the register as indented JSON.
func (d *Data) WriteRegisterJSON(w io.Writer) error {
	b, err := json.MarshalIndent(d.Register(), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func cell(v Value) string {
	s := v.Amount.String()
	if !v.Status.Verified() {
		s += " (" + v.Status.Swedish() + ")"
	}
	return s
}

func period(p Period) string {
	if p.To.IsZero() {
		return "från " + p.From.String()
	}
	return p.From.String() + " – " + p.To.String()
}

// WriteRegisterMarkdown writes the register as a Markdown document in Swedish.
func (d *Data) WriteRegisterMarkdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Regelregister för bistand\n\n")
	p("Genererat av `bistand rules --format markdown` ur de regeldata som är inbyggda i programmet; ändra inte för hand.\n")
	p("Regelversion: `%s`.\n\n", d.Hash)
	p("Varje belopp har en status: **bekräftat** (avläst i författning, beslut eller officiell tabell), ")
	p("**sannolikt, ej verifierat** (samstämmiga andrahandsuppgifter), **härlett** (beräknat ur andra värden), ")
	p("**uppskattat** (framräknat, kan avvika) eller **exempel** (påhittad demokommun). Bara bekräftade värden visas som verifierade.\n\n")

	p("## Regler\n\n| Regel | Avsnitt | Benämning | Rättslig grund |\n|---|---|---|---|\n")
	for _, r := range d.Rules {
		var basis []string
		if r.Basis == basisMunicipal {
			basis = append(basis, "kommunens riktlinje (se kommunerna nedan)")
		}
		for _, bp := range d.Bases[r.Basis] {
			basis = append(basis, period(bp.Period)+": "+joinCitations(bp.Sources))
		}
		p("| `%s` | %s | %s | %s |\n", r.ID, sectionTitles[r.Section], r.Label, strings.Join(basis, "<br>"))
	}
	p("\n### Beskrivningar\n\n")
	for _, r := range d.Rules {
		p("- `%s` — %s\n", r.ID, r.Description)
	}

	p("\n## Riksnorm per år\n\nKälla: 2 kap. 1 § socialtjänstförordningen (2001:937). Kronor per månad.\n\n")
	p("| Post |")
	for _, y := range d.Riksnorm {
		p(" %d |", y.Year)
	}
	p("\n|---|")
	for range d.Riksnorm {
		p("---|")
	}
	p("\n")
	rowFn := func(name string, get func(y *RiksnormYear) Value) {
		p("| %s |", name)
		for _, y := range d.Riksnorm {
			p(" %s |", cell(get(y)))
		}
		p("\n")
	}
	for i := range numBands {
		rowFn(childLabels[i], func(y *RiksnormYear) Value { return y.WithLunch[i] })
	}
	for i := range bandsWithoutLunch {
		rowFn(childLabelsWithoutLunch[i], func(y *RiksnormYear) Value { return y.WithoutLunch[i] })
	}
	rowFn("Ensamstående vuxen", func(y *RiksnormYear) Value { return y.Single })
	rowFn("Sammanboende vuxna", func(y *RiksnormYear) Value { return y.Couple })
	for n := 1; n <= 7; n++ {
		rowFn(fmt.Sprintf("Gemensamma, %d pers.", n), func(y *RiksnormYear) Value { return y.Shared[n] })
	}
	rowFn("Per person utöver 7", func(y *RiksnormYear) Value {
		a8, st := y.SharedFor(8)
		return Value{Amount: a8 - y.Shared[7].Amount, Status: weaker(Derived, st)}
	})
	p("\nUnderlag per år:\n\n")
	for _, y := range d.Riksnorm {
		p("- **%d** (%s): %s. %s", y.Year, period(y.Period), y.Citation, strings.Join(y.Evidence, "; "))
		if y.Note != "" {
			p(" *Anm.:* %s", y.Note)
		}
		p("\n")
		for i, v := range y.WithLunch {
			if v.Evidence != "" {
				p("  - %s: %s\n", childLabels[i], v.Evidence)
			}
		}
		for _, x := range []struct {
			name string
			v    Value
		}{{"Ensamstående vuxen", y.Single}, {"Sammanboende vuxna", y.Couple}} {
			if x.v.Evidence != "" {
				p("  - %s: %s\n", x.name, x.v.Evidence)
			}
		}
		for n := 1; n <= 7; n++ {
			if e := y.Shared[n].Evidence; e != "" {
				p("  - Gemensamma, %d pers.: %s\n", n, e)
			}
		}
	}

	p("\n## Prisbasbelopp\n\n| År | Belopp | Status | Källa | Underlag |\n|---|---|---|---|---|\n")
	for _, x := range d.PriceBase {
		p("| %d | %s | %s | %s | %s |\n", x.Year, x.Amount, x.Status.Swedish(), x.Citation, x.Evidence)
	}
	p("\n## Barns arbetsinkomst\n\n| Period | Gräns | Högsta ålder | Status | Källa |\n|---|---|---|---|---|\n")
	for _, x := range d.ChildEarnings {
		p("| %s | %d %% av prisbasbeloppet per kalenderår | %d år | %s | %s — %s |\n", period(x.Period), x.PriceBaseAmountPercent, x.MaxAge, x.Status.Swedish(), x.Source.Citation, x.Evidence)
	}
	p("\n## Jobbstimulans\n\n| Period | Andel som inte räknas | Krav | Varaktighet | Status | Källa |\n|---|---|---|---|---|---|\n")
	for _, x := range d.Jobbstimulans {
		p("| %s | %d %% av lön | %d månader i följd med försörjningsstöd | %d månader | %s | %s — %s |\n",
			period(x.Period), x.SharePercent, x.QualifyingMonths, x.DurationMonths, x.Status.Swedish(), x.Source.Citation, x.Evidence)
	}
	p("\n## Aktivitetskrav\n\n| Period | Gäller stöd från | Efter | Pensionsålder | Status | Källa |\n|---|---|---|---|---|---|\n")
	for _, x := range d.Aktivitetskrav {
		p("| %s | %s | %d månader i följd med försörjningsstöd | %d år | %s | %s — %s |\n", period(x.Period), x.FirstMonth, x.AfterMonths, x.PensionAge, x.Status.Swedish(), x.Source.Citation, x.Evidence)
	}
	g := d.GraceDefault
	p("\n## Rådrum\n\nNär kommunens tak inte anger rådrum: %d månader från beskedet (%s). Källa: %s — %s\n", g.Months, g.Status.Swedish(), g.Source.Citation, g.Evidence)

	p("\n## Kommuner\n")
	for _, m := range d.Municipalities {
		p("\n### %s (`%s`)\n\n%s\n\n", m.Name, m.ID, m.About)
		p("Avrundning:\n\n")
		for _, r := range m.Rounding {
			how := roundingSwedish(r.Mode)
			if r.Mode != RoundNone {
				how += fmt.Sprintf(" till %d kr", r.Unit)
			}
			p("- %s: %s (%s). Källa: %s (%s)\n", period(r.Period), how, r.Status.Swedish(), r.Source.Citation, r.Source.Kind.Swedish())
		}
		p("\nAutomatisering (vad roboten får besluta själv):\n\n")
		for _, a := range m.Automation {
			mode := "roboten föreslår, en person beslutar"
			if a.Mode == ModeDecideApprovals {
				mode = "roboten beviljar fortsatt stöd enligt beräkningen"
				if a.MaxAutoAmount > 0 {
					mode += " upp till " + a.MaxAutoAmount.String()
				}
			}
			p("- %s: %s; ändring mot förra månaden högst %d %%; stickprov %d ‰; fyra ögon över %s; komplettering %d dagar (påminnelse %d dagar före). %s (%s). Källa: %s (%s)\n",
				period(a.Period), mode, a.MaxChangePercent, a.SamplePerMille, a.FourEyesAbove, a.SupplementDays, a.ReminderDays, a.Note, a.Status.Swedish(), a.Source.Citation, a.Source.Kind.Swedish())
		}
		if len(m.CostCaps) == 0 {
			p("\nInga tak för kostnader.\n")
		}
		for _, c := range m.CostCaps {
			grace := "rådrum enligt Socialstyrelsens råd"
			if c.GraceMonths != nil {
				grace = fmt.Sprintf("rådrum %d månader", *c.GraceMonths)
			}
			p("\nTak för %s, %s, %s (%s). Källa: %s (%s)\n\n", capNouns[c.CostType], period(c.Period), grace, c.Status.Swedish(), c.Source.Citation, c.Source.Kind.Swedish())
			p("| Vuxna | Barn (minst) | Högsta godtagbara kostnad |\n|---|---|---|\n")
			for _, r := range c.Table {
				p("| %d | %d | %s |\n", r.Adults, r.Children, r.Amount)
			}
		}
	}
	p("\n## Källor\n\n| Id | Typ | Hänvisning |\n|---|---|---|\n")
	ids := make([]string, 0, len(d.Sources))
	for id := range d.Sources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s := d.Sources[id]
		note := ""
		if s.Note != "" {
			note = " " + s.Note
		}
		p("| `%s` | %s | %s%s |\n", id, s.Kind.Swedish(), s.Citation, note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func roundingSwedish(mode string) string {
	switch mode {
	case RoundNone:
		return "ingen avrundning, belopp i öre"
	case RoundDown:
		return "nedåt"
	case RoundUp:
		return "uppåt"
	case RoundHalfUp:
		return "till närmaste, hälften uppåt"
	}
	return mode
}
