package rules

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/bistand/bistand"
)

var sectionTitles = map[Section]string{
	SectionNorm:   "Riksnorm",
	SectionCosts:  "Skäliga kostnader",
	SectionIncome: "Inkomster",
	SectionResult: "Resultat",
}

// WriteText writes the result as a Swedish plain-text explanation: every
// line with its amount, a mark on every value that is not verified, and the
// numbered sources. The result must have been calculated with a trace.
func WriteText(w io.Writer, r *Result) error {
	var b strings.Builder
	const width = 78
	row := func(label, amount string) {
		pad := width - utf8.RuneCountInString(label) - utf8.RuneCountInString(amount)
		if pad < 2 {
			b.WriteString(label + "\n")
			pad = width - utf8.RuneCountInString(amount)
			label = ""
		}
		b.WriteString(label + strings.Repeat(" ", pad) + amount + "\n")
	}
	fmt.Fprintf(&b, "Beräkning av ekonomiskt bistånd (försörjningsstöd) för %s\n", r.Month)
	fmt.Fprintf(&b, "Regler: %s (%s), regelversion %s\n", r.MunicipalityName, r.Municipality, r.RulesVersion)
	fmt.Fprintf(&b, "Hushåll: %s", persons(r.HouseholdSize))
	if r.DwellingSize != r.HouseholdSize {
		fmt.Fprintf(&b, " av %s i bostaden", persons(r.DwellingSize))
	}
	b.WriteString("\n")
	var sources []string
	sourceNo := map[string]int{}
	var marks []string
	section := Section("")
	totals := map[Section]bistand.Money{
		SectionNorm: r.NormTotal, SectionCosts: r.CostsTotal, SectionIncome: r.IncomeTotal,
	}
	sumLabel := map[Section]string{
		SectionNorm: "Summa riksnorm", SectionCosts: "Summa godtagna kostnader", SectionIncome: "Summa inkomster som räknas",
	}
	closeSection := func() {
		if t, ok := totals[section]; ok {
			row("  "+sumLabel[section], t.String())
		}
	}
	for _, l := range r.Lines {
		if l.Section != section {
			closeSection()
			section = l.Section
			b.WriteString("\n" + sectionTitles[section] + "\n")
		}
		n, ok := sourceNo[l.Source]
		if !ok {
			sources = append(sources, fmt.Sprintf("[%d] %s (%s)", len(sources)+1, l.Source, l.Kind.Swedish()))
			n = len(sources)
			sourceNo[l.Source] = n
		}
		label := "  " + l.Label
		if l.Person != "" {
			label += " (" + l.Person + ")"
		}
		label += fmt.Sprintf(" [%d]", n)
		if !l.Verified {
			marks = append(marks, fmt.Sprintf("*%d %s: %s", len(marks)+1, l.Label, l.Status.Swedish()))
			label += fmt.Sprintf(" *%d", len(marks))
		}
		row(label, l.Amount.String())
	}
	closeSection()
	b.WriteString("\n")
	row("Behov (riksnorm + godtagna kostnader)", r.NeedsTotal.String())
	row("Inkomster som räknas", r.IncomeTotal.String())
	if r.Outcome == Approved {
		row("Beviljas", r.Amount.String())
	} else {
		row("Avslag: inkomsterna täcker behovet, överskott", r.Surplus.String())
	}
	if len(marks) > 0 {
		b.WriteString("\nVärden som inte är verifierade i författning eller beslut:\n")
		for _, m := range marks {
			b.WriteString("  " + m + "\n")
		}
	} else {
		b.WriteString("\nAlla värden i beräkningen är verifierade.\n")
	}
	b.WriteString("\nKällor:\n")
	for _, s := range sources {
		b.WriteString("  " + s + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func persons(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d personer", n)
}
