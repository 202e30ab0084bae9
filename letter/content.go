package letter

import (
	"strconv"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

// The content model: what a letter says, built once from the Input and
// rendered by both the PDF and the HTML writer, so the two say the same.

type doc struct {
	Title        string
	Municipality string
	Board        string
	Unit         string
	// Meta is shown beside the address block: letter date and case.
	Meta []pair
	// Recipient is the address block: names, then the address or, for a
	// protected person, only that the letter goes through Skatteverket.
	Recipient []string
	Protected bool
	// Facts are shown under the title.
	Facts    []pair
	Sections []section
	// Footer identifies every page of the PDF.
	Footer string
	// PDF metadata.
	Subject string
	Created time.Time
}

type pair struct{ Key, Value string }

type section struct {
	Heading string
	Blocks  []block
}

// Kinds of block.
const (
	kindPara    = "p"     // a paragraph
	kindLead    = "lead"  // the decision itself, emphasised
	kindBullets = "ul"    // a bulleted list (Items)
	kindSteps   = "ol"    // a numbered list (Items)
	kindFacts   = "dl"    // key–value lines (Pairs)
	kindItem    = "item"  // one thing not granted: Text is its title, Pairs the rest
	kindTable   = "table" // the calculation
	kindSmall   = "small" // a note in small type
)

type block struct {
	Kind  string
	Text  string
	Items []string
	Pairs []pair
	Table *calcTable
}

type calcTable struct {
	Caption string
	Head    [4]string
	Rows    []calcRow
	// Marks are the footnotes for unverified values; Sources the numbered
	// sources the Ref column points to.
	MarksIntro string
	Marks      []string
	Sources    []string
}

// Kinds of row.
const (
	rowSection = "section" // a section heading: Label only
	rowLine    = "line"    // one line of the trace
	rowSum     = "sum"     // a section's sum
	rowTotal   = "total"   // the result rows at the end
)

type calcRow struct {
	Kind                       string
	Label, Person, Amount, Ref string
}

// pronouns: a letter to one applicant says "du", to several "ni".
type pronouns struct{ Du, du, dig, din, ditt, dina string }

var (
	singular = pronouns{"Du", "du", "dig", "din", "ditt", "dina"}
	plural   = pronouns{"Ni", "ni", "er", "er", "ert", "era"}
)

// newSoL is the first month under socialtjänstlagen (2025:400), the day the
// rule data's bases switch (rules/data/rules.json, "forsorjningsstod").
var newSoL = bistand.MustMonth(2025, time.July)

// Legal references, as in rules/data/sources.json (ids in comments) and
// /work/shared/reference/domain.md; TestLegalReferencesMatchRuleData keeps
// them equal to the rule data.
const (
	refSoL2001Right   = "4 kap. 1 § socialtjänstlagen (2001:453)" // sol2001-4-1
	refSoL2001Support = "4 kap. 3 § socialtjänstlagen (2001:453)" // sol2001-4-3
	// The new law's counterpart of 4 kap. 1 § is not verified by bistand
	// (source sol2025): the letter names the law, not a paragraph.
	refSoL2025Right   = "socialtjänstlagen (2025:400)"
	refSoL2025Support = "12 kap. 7 § socialtjänstlagen (2025:400)"       // sol2025-12-7
	refRiksnorm       = "2 kap. 1 § socialtjänstförordningen (2001:937)" // stf-2-1
	refFL             = "förvaltningslagen (2017:900)"
)

// legalBasis returns the references for the right to försörjningsstöd and
// for what it covers, for the month the support is for.
func legalBasis(m bistand.Month) (right, support string) {
	if m < newSoL {
		return refSoL2001Right, refSoL2001Support
	}
	return refSoL2025Right, refSoL2025Support
}

var sectionTitles = map[rules.Section]string{
	rules.SectionNorm:   "Riksnorm",
	rules.SectionCosts:  "Skäliga kostnader",
	rules.SectionIncome: "Inkomster",
	rules.SectionResult: "Resultat",
}

var sectionSums = map[rules.Section]string{
	rules.SectionNorm:   "Summa riksnorm",
	rules.SectionCosts:  "Summa godtagna kostnader",
	rules.SectionIncome: "Summa inkomster som räknas",
}

func build(in *Input) *doc {
	dec := &in.Decision
	res := in.Result
	p := singular
	if len(in.Recipient.Names) > 1 {
		p = plural
	}
	month := monthText(dec.Month)
	d := &doc{
		Title:        "Beslut om ekonomiskt bistånd (försörjningsstöd)",
		Municipality: in.Municipality.Name,
		Board:        in.Municipality.Board,
		Unit:         in.Municipality.Contact.Unit,
		Meta:         []pair{{"Datum", in.Date.String()}, {"Ärendenummer", in.CaseRef}},
		Protected:    in.Recipient.Protected,
		Footer:       "Ärende " + in.CaseRef + " · Beslut " + dec.ID,
		Subject:      "Beslut om försörjningsstöd för " + month + ", ärende " + in.CaseRef,
		Created:      time.Date(in.Date.Year(), in.Date.MonthOfYear(), in.Date.Day(), 0, 0, 0, 0, time.UTC),
	}
	d.Recipient = append(d.Recipient, in.Recipient.Names...)
	if in.Recipient.Protected {
		d.Recipient = append(d.Recipient, "Skickas via Skatteverket (skyddade personuppgifter)")
	} else {
		d.Recipient = append(d.Recipient, in.Recipient.Address...)
	}
	d.Facts = []pair{
		{"Gäller", month},
		{"Beslutsdatum", dec.DecidedAt.String()},
		{"Ärendenummer", in.CaseRef},
		{"Beslutets id", dec.ID},
	}
	if dec.Replaces != "" {
		d.Facts = append(d.Facts, pair{"Ersätter beslut", dec.Replaces})
	}

	d.Sections = append(d.Sections, decisionSection(in, p, month))
	d.Sections = append(d.Sections, deciderSection(in, p))
	if len(in.NotGranted) > 0 {
		d.Sections = append(d.Sections, notGrantedSection(in, p))
	}
	d.Sections = append(d.Sections, reasonsSection(in, p, month))
	d.Sections = append(d.Sections, section{
		Heading: "Så har vi räknat",
		Blocks: []block{
			{Kind: kindPara, Text: "Tabellen visar hur vi har räknat ut " + p.ditt + " behov och " + p.dina + " inkomster för " + month + ". " +
				hushall(res) + " Siffran inom hakparentes, till exempel [1], visar vilken regel beloppet bygger på. Reglerna står under tabellen."},
			{Kind: kindTable, Table: table(in)},
			{Kind: kindSmall, Text: "Regelversion: " + res.RulesVersion + "."},
		},
	})
	d.Sections = append(d.Sections, appealSection(in, p))
	d.Sections = append(d.Sections, contactSection(in, p))
	return d
}

func hushall(res *rules.Result) string {
	s := "Beräkningen gäller " + persons(res.HouseholdSize) + "."
	if res.DwellingSize != res.HouseholdSize {
		s += " Det bor " + persons(res.DwellingSize) + " i bostaden."
	}
	return s
}

func persons(n int) string {
	if n == 1 {
		return "1 person"
	}
	return strconv.Itoa(n) + " personer"
}

func decisionSection(in *Input, p pronouns, month string) section {
	dec := &in.Decision
	var lead string
	var blocks []block
	switch dec.Outcome {
	case bistand.OutcomeApproved:
		lead = p.Du + " får " + kronorShort(dec.Amount) + " i försörjningsstöd för " + month + "."
	case bistand.OutcomePartlyApproved:
		lead = p.Du + " får " + kronorShort(dec.Amount) + " i försörjningsstöd för " + month + "."
		blocks = append(blocks, block{Kind: kindPara, Text: p.Du + " får inte allt som " + p.du + " har ansökt om. " +
			"Under rubriken ”Det här har " + p.du + " inte fått och varför” står vad " + p.du + " inte får och varför."})
	case bistand.OutcomeRejected:
		lead = p.Du + " får inget försörjningsstöd för " + month + "."
		text := "Vi säger nej till " + p.din + " ansökan."
		if res := in.Result; res.Outcome == rules.Rejected && res.Surplus > 0 {
			text += " " + capital(p.dina) + " inkomster är " + kronorShort(res.Surplus) + " högre än " + p.ditt + " behov."
		}
		text += " Under rubriken ”Det här har " + p.du + " inte fått och varför” står varför."
		blocks = append(blocks, block{Kind: kindPara, Text: text})
	}
	blocks = append([]block{{Kind: kindLead, Text: lead}}, blocks...)
	if !in.PaymentDate.IsZero() {
		blocks = append(blocks, block{Kind: kindPara, Text: "Vi betalar ut pengarna den " + dateText(in.PaymentDate) + "."})
	}
	if dec.Replaces != "" {
		blocks = append(blocks, block{Kind: kindPara, Text: "Det här beslutet ersätter beslut " + dec.Replaces +
			". Det tidigare beslutet gäller inte längre."})
	}
	return section{Heading: "Beslut", Blocks: blocks}
}

func deciderSection(in *Input, p pronouns) section {
	dec := &in.Decision
	board := in.Municipality.Board
	var blocks []block
	if dec.Automated {
		blocks = []block{
			{Kind: kindPara, Text: "Beslutet är fattat automatiskt av ett datorprogram på uppdrag av " + board + ". Det kallas automatiserat beslutsfattande (28 § " + refFL + "). " +
				"Programmet följer de regler som står i det här brevet. " +
				"Nämnden har beslutat att sådana beslut får fattas automatiskt (delegation)."},
			{Kind: kindPara, Text: p.Du + " kan be att en handläggare går igenom beslutet. Kontakta oss då, se rubriken ”Kontakt”. " +
				p.Du + " kan också överklaga beslutet, se rubriken ”Om " + p.du + " vill överklaga”."},
		}
	} else {
		text := "Beslutet är fattat av en handläggare på uppdrag av " + board + " (delegation)."
		pairs := []pair{{"Beslutet är fattat av", dec.DecidedBy}}
		if dec.ApprovedBy != "" {
			text += " Ytterligare en handläggare har granskat och godkänt beslutet."
			pairs = append(pairs, pair{"Granskat och godkänt av", dec.ApprovedBy})
		}
		blocks = []block{{Kind: kindPara, Text: text}, {Kind: kindFacts, Pairs: pairs}}
	}
	return section{Heading: "Vem har fattat beslutet", Blocks: blocks}
}

func notGrantedSection(in *Input, p pronouns) section {
	blocks := []block{{Kind: kindPara, Text: "Här står allt som " + p.du + " har ansökt om men inte får, och varför."}}
	for i, n := range in.NotGranted {
		var pairs []pair
		if n.Amount != 0 {
			pairs = append(pairs, pair{"Belopp som " + p.du + " inte får", FormatKronor(n.Amount)})
		}
		pairs = append(pairs, pair{"Varför", n.Reason}, pair{"Lagrum", n.Legal})
		blocks = append(blocks, block{Kind: kindItem, Text: strconv.Itoa(i+1) + ". " + n.What, Pairs: pairs})
	}
	return section{Heading: "Det här har " + p.du + " inte fått och varför", Blocks: blocks}
}

func reasonsSection(in *Input, p pronouns, month string) section {
	dec := &in.Decision
	res := in.Result
	right, support := legalBasis(dec.Month)
	blocks := []block{
		{Kind: kindPara, Text: p.Du + " har rätt till försörjningsstöd om " + p.du + " inte själv kan få " + p.dina +
			" behov tillgodosedda på annat sätt (" + right + "). Försörjningsstödet räknas ut med riksnormen och " + p.dina +
			" skäliga kostnader, till exempel för boende och hushållsel. Från det drar vi " + p.dina + " inkomster (" +
			support + " och " + refRiksnorm + ")."},
	}
	calc := "Enligt beräkningen är " + p.ditt + " behov " + kronorShort(res.NeedsTotal) + " för " + month +
		". Inkomsterna som räknas är " + kronorShort(res.IncomeTotal) + "."
	why := ""
	switch {
	case strings.TrimSpace(dec.Motivation) != "":
		why = " Skälen står i motiveringen nedan."
	case len(in.NotGranted) > 0:
		why = " Skälen står under rubriken ”Det här har " + p.du + " inte fått och varför”."
	}
	rejected := dec.Outcome == bistand.OutcomeRejected
	switch {
	case rejected && res.Outcome == rules.Rejected && res.Surplus > 0:
		calc += " Inkomsterna är alltså " + kronorShort(res.Surplus) + " högre än behovet. Därför har " + p.du +
			" inte rätt till försörjningsstöd för månaden."
	case rejected && res.Outcome == rules.Rejected:
		calc += " Inkomsterna täcker alltså hela behovet. Därför har " + p.du + " inte rätt till försörjningsstöd för månaden."
	case rejected:
		calc += " Det som fattas är " + kronorShort(res.Amount) + ". Ändå får " + p.du + " inget försörjningsstöd." + why
	case res.Outcome == rules.Rejected:
		calc += " Enligt beräkningen täcker inkomsterna alltså behovet. Ändå får " + p.du + " " + kronorShort(dec.Amount) + "." + why
	case dec.Amount == res.Amount:
		calc += " Det som fattas, " + kronorShort(res.Amount) + ", får " + p.du + " i försörjningsstöd."
	default:
		calc += " Det som fattas är " + kronorShort(res.Amount) + ". " + p.Du + " får " + kronorShort(dec.Amount) + "." + why
	}
	blocks = append(blocks, block{Kind: kindPara, Text: calc})
	if strings.TrimSpace(dec.Motivation) != "" {
		blocks = append(blocks, block{Kind: kindPara, Text: "Motivering från den som har beslutat:"})
		for _, para := range paragraphs(dec.Motivation) {
			blocks = append(blocks, block{Kind: kindPara, Text: para})
		}
	}
	blocks = append(blocks, block{Kind: kindPara, Text: "Varje belopp i beräkningen och regeln det bygger på står under rubriken ”Så har vi räknat”. " +
		"Vi ska förklara skälen för beslutet (32 § " + refFL + ")."})
	return section{Heading: "Därför har vi beslutat så här", Blocks: blocks}
}

// paragraphs splits text at line breaks into its non-empty lines.
func paragraphs(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func appealSection(in *Input, p pronouns) section {
	dec := &in.Decision
	board := in.Municipality.Board
	address := strings.Join(in.Municipality.Contact.PostalAddress, ", ")
	names := "ditt namn"
	if p == plural {
		names = "era namn"
	}
	return section{Heading: "Om " + p.du + " vill överklaga", Blocks: []block{
		{Kind: kindPara, Text: "Om " + p.du + " tycker att beslutet är fel kan " + p.du + " överklaga det. Så här gör " + p.du + ":"},
		{Kind: kindSteps, Items: []string{
			"Skriv " + p.ditt + " överklagande. Det ska vara skriftligt.",
			"Skicka det till " + board + ", " + address + ". Skicka det inte direkt till förvaltningsrätten.",
			"Vi måste ha fått " + p.ditt + " överklagande inom tre veckor från den dag " + p.du + " fick beslutet. Annars kan det inte prövas.",
		}},
		{Kind: kindPara, Text: "Skriv i överklagandet:"},
		{Kind: kindBullets, Items: []string{
			"vilket beslut " + p.du + " överklagar: ärendenummer " + in.CaseRef + ", beslut " + dec.ID + " från " + dec.DecidedAt.String(),
			"hur " + p.du + " vill att beslutet ska ändras",
			"varför " + p.du + " tycker att beslutet ska ändras",
			names + " och hur vi kan nå " + p.dig,
		}},
		{Kind: kindPara, Text: p.Du + " kan skicka med papper som stöder det " + p.du + " skriver."},
		{Kind: kindPara, Text: board + " läser " + p.ditt + " överklagande först och kan själv ändra beslutet. " +
			"Annars skickar nämnden överklagandet vidare till förvaltningsrätten, som prövar det."},
		{Kind: kindPara, Text: "Om " + p.du + " vill ha hjälp att överklaga kan " + p.du + " kontakta oss."},
		{Kind: kindSmall, Text: "Regler om överklagande: 33 § och 44 § " + refFL + "."},
	}}
}

func contactSection(in *Input, p pronouns) section {
	c := &in.Municipality.Contact
	pairs := []pair{{"Enhet", c.Unit}}
	if c.Phone != "" {
		pairs = append(pairs, pair{"Telefon", c.Phone})
	}
	if c.Email != "" {
		pairs = append(pairs, pair{"E-post", c.Email})
	}
	pairs = append(pairs, pair{"Postadress", strings.Join(c.PostalAddress, ", ")})
	if c.Web != "" {
		pairs = append(pairs, pair{"Webb", c.Web})
	}
	return section{Heading: "Kontakt", Blocks: []block{
		{Kind: kindPara, Text: "Har " + p.du + " frågor om beslutet? Behöver " + p.du + " tolk eller hjälp att förstå brevet? Kontakta oss."},
		{Kind: kindFacts, Pairs: pairs},
	}}
}

// table builds the calculation table from the trace: the lines by section
// with each section's sum, the result rows, the footnotes for values that
// are not verified and the numbered sources.
func table(in *Input) *calcTable {
	res := in.Result
	dec := &in.Decision
	t := &calcTable{
		Caption: "Beräkning för " + monthText(res.Month),
		Head:    [4]string{"Post", "Person", "Belopp", "Källa"},
	}
	sums := map[rules.Section]bistand.Money{
		rules.SectionNorm: res.NormTotal, rules.SectionCosts: res.CostsTotal, rules.SectionIncome: res.IncomeTotal,
	}
	sourceNo := map[string]int{}
	var section rules.Section
	closeSection := func() {
		if label, ok := sectionSums[section]; ok {
			t.Rows = append(t.Rows, calcRow{Kind: rowSum, Label: label, Amount: FormatKronor(sums[section])})
		}
	}
	for _, l := range res.Lines {
		if l.Section != section {
			closeSection()
			section = l.Section
			t.Rows = append(t.Rows, calcRow{Kind: rowSection, Label: sectionTitles[section]})
		}
		n, ok := sourceNo[l.Source]
		if !ok {
			t.Sources = append(t.Sources, "["+strconv.Itoa(len(t.Sources)+1)+"] "+l.Source+" ("+l.Kind.Swedish()+")")
			n = len(t.Sources)
			sourceNo[l.Source] = n
		}
		ref := "[" + strconv.Itoa(n) + "]"
		if !l.Verified {
			t.Marks = append(t.Marks, "*"+strconv.Itoa(len(t.Marks)+1)+" "+l.Label+": "+l.Status.Swedish())
			ref += " *" + strconv.Itoa(len(t.Marks))
		}
		person := l.Person
		if name, ok := in.PersonNames[person]; ok {
			person = name
		}
		t.Rows = append(t.Rows, calcRow{Kind: rowLine, Label: l.Label, Person: person, Amount: FormatKronor(l.Amount), Ref: ref})
	}
	closeSection()
	total := func(label string, m bistand.Money) {
		t.Rows = append(t.Rows, calcRow{Kind: rowTotal, Label: label, Amount: FormatKronor(m)})
	}
	total("Behov (riksnorm och godtagna kostnader)", res.NeedsTotal)
	total("Inkomster som räknas", res.IncomeTotal)
	if res.Outcome == rules.Rejected {
		total("Överskott: inkomster utöver behovet", res.Surplus)
	} else if dec.Amount != res.Amount {
		total("Beräknat försörjningsstöd", res.Amount)
	}
	total("Beviljat försörjningsstöd", dec.Amount)
	if len(t.Marks) > 0 {
		t.MarksIntro = "Belopp med stjärna (*) bygger på ett värde som vi inte har kunnat kontrollera i den officiella texten:"
	} else {
		t.MarksIntro = "Alla värden i beräkningen är kontrollerade i den officiella texten."
	}
	return t
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
