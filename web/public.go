package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

// The public rule register at /regler, without login: every rule and
// parameter bistand calculates with, each with its source, the kind of
// source, its effective period and how sure we are of it, earlier versions
// included. An estimated value is always labelled so, never shown as
// confirmed. The rule data is in Swedish; the page around it in both
// languages.

// publicRoutes are the pages without login: the rule register.
func (s *Server) publicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /regler", s.pubIndex)
	mux.HandleFunc("GET /regler/{id}", s.pubEntryPage)
	s.handleAPI(mux, "GET /api/v1/rules", s.pubAPIRules)
}

// pubStatus is a value's verification status, shown as text with a class.
type pubStatus rules.Status

// Class is the status's CSS class: an estimate is class "estimate".
func (s pubStatus) Class() string {
	switch rules.Status(s) {
	case rules.Confirmed:
		return "badge ok"
	case rules.Estimate:
		return "estimate"
	case rules.Unknown:
		return "badge bad"
	}
	return "badge warn"
}

// Key is the status's message key.
func (s pubStatus) Key() string { return "pub.status." + string(s) }

// pubStatusCount is how many values of a table have a status.
type pubStatusCount struct {
	Status pubStatus
	N      int
}

type pubSource struct {
	ID       string
	Citation string
	Kind     rules.Kind
	URL      string
	Note     string
	Muni     string // the municipality's name, for a municipality's own source
}

// KindKey is the source kind's message key.
func (s pubSource) KindKey() string { return "pub.kind." + string(s.Kind) }

type pubRow struct {
	Label  string
	Value  string
	Status pubStatus // "": not a value with a status
}

// pubVersion is one version of a rule or parameter.
type pubVersion struct {
	Label  string // "2026", or the period
	Period string // the effective period for people
	When   string // "now", "past" or "future"
	from   bistand.Date
	Kind   rules.Kind // the kind of the first (deciding) source
	// Sources are what the version rests on.
	Sources []pubSource
	// Status is the value's status, or for a table the weakest of its
	// values (Statuses counts them); "" for a rule's legal basis.
	Status      pubStatus
	Statuses    []pubStatusCount
	Value       string
	Rows        []pubRow
	RowsCaption string
	Evidence    string
	Note        string
}

// KindKey is the version's kind of source as a message key.
func (v pubVersion) KindKey() string { return "pub.kind." + string(v.Kind) }

// WhenKey is the version's place in time as a message key.
func (v pubVersion) WhenKey() string { return "pub.when." + v.When }

// WhenClass is the badge class of the version's place in time.
func (v pubVersion) WhenClass() string {
	switch v.When {
	case "now":
		return "badge ok"
	case "future":
		return "badge warn"
	}
	return "badge"
}

// pubEntry is a rule or parameter with every version, the latest first.
type pubEntry struct {
	ID, Title, About string
	Versions         []pubVersion
	// Shown are the versions the overview shows (the one in force, or all).
	Shown []pubVersion
	// Detailed entries show their versions' tables on the overview too.
	Detailed bool
}

// pubGroup is a section of the register.
type pubGroup struct {
	ID, Title, About string
	Municipality     string // "" for national rules
	Entries          []pubEntry
}

// Tables are the group's entries shown with their tables; Plain the
// others, shown as rows of one table.
func (g pubGroup) Tables() []pubEntry { return g.pick(true) }

// Plain are the group's entries without tables on the overview.
func (g pubGroup) Plain() []pubEntry { return g.pick(false) }

func (g pubGroup) pick(detailed bool) []pubEntry {
	var out []pubEntry
	for _, e := range g.Entries {
		if e.Detailed == detailed {
			out = append(out, e)
		}
	}
	return out
}

// RowStatus reports whether the version's rows are values with a status.
func (v pubVersion) RowStatus() bool {
	for _, r := range v.Rows {
		if r.Status != "" {
			return true
		}
	}
	return false
}

// pubFilter is the overview's choice of kind, municipality and versions.
type pubFilter struct {
	Kind         string // a rules.Kind, or "" for every kind
	Municipality string // a municipality id, or "" for all
	All          bool   // every version, not only the one in force
}

// pubIndexPage is the overview's data.
type pubIndexPage struct {
	Filter         pubFilter
	Kinds          []rules.Kind
	Statuses       []pubStatus
	Municipalities []*rules.Municipality
	Groups         []pubGroup
	Sources        []pubSource
	RulesVersion   string
	Today          string
	Versions       int // versions shown
}

type pubEntryPage struct {
	Entry        pubEntry
	RulesVersion string
}

var pubKinds = []rules.Kind{rules.Law, rules.Regulation, rules.AgencyGuidance, rules.MunicipalGuideline}

// pubExplained are the statuses the overview explains.
var pubExplained = []pubStatus{pubStatus(rules.Confirmed), pubStatus(rules.StrongHint), pubStatus(rules.Derived), pubStatus(rules.Estimate), pubStatus(rules.Illustrative)}

func (s *Server) pubToday() bistand.Date { return bistand.DateOf(s.cfg.Now().In(stockholm)) }

func (s *Server) pubIndex(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := s.cfg.Rules.Data
	f := pubFilter{All: q.Get("visa") == "alla"}
	if k := rules.Kind(q.Get("typ")); slices.Contains(pubKinds, k) {
		f.Kind = string(k)
	}
	if m := q.Get("kommun"); d.Municipality(m) != nil {
		f.Municipality = m
	}
	lang := langOf(r)
	page := pubIndexPage{Filter: f, Kinds: pubKinds, Statuses: pubExplained, Municipalities: d.Municipalities, RulesVersion: d.Hash, Today: s.pubToday().String()}
	for _, g := range pubRegister(d, lang, s.pubToday()) {
		if f.Municipality != "" && g.Municipality != "" && g.Municipality != f.Municipality {
			continue
		}
		var entries []pubEntry
		for _, e := range g.Entries {
			e.Shown = pubShown(e.Versions, f)
			if len(e.Shown) > 0 {
				entries = append(entries, e)
				page.Versions += len(e.Shown)
			}
		}
		if len(entries) > 0 {
			g.Entries = entries
			page.Groups = append(page.Groups, g)
		}
	}
	for _, src := range pubSources(d, lang) {
		if (f.Kind == "" || string(src.Kind) == f.Kind) && (f.Municipality == "" || src.Muni == "" || src.Muni == d.Municipality(f.Municipality).Name) {
			page.Sources = append(page.Sources, src)
		}
	}
	s.render(w, r, http.StatusOK, "rules_index.html", page)
}

// pubShown picks the versions the overview shows: of the kind asked for,
// all of them or the one in force (else the next to come, else the last).
func pubShown(versions []pubVersion, f pubFilter) []pubVersion {
	var match []pubVersion
	for _, v := range versions {
		if f.Kind == "" || string(v.Kind) == f.Kind {
			match = append(match, v)
		}
	}
	if f.All || len(match) == 0 {
		return match
	}
	for _, when := range []string{"now", "future"} {
		// versions are the latest first: the next to come is the last future one.
		var pick []pubVersion
		for _, v := range match {
			if v.When == when {
				pick = []pubVersion{v}
			}
		}
		if pick != nil {
			return pick
		}
	}
	return match[:1]
}

func (s *Server) pubEntryPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, g := range pubRegister(s.cfg.Rules.Data, langOf(r), s.pubToday()) {
		for _, e := range g.Entries {
			if e.ID == id {
				e.Shown = e.Versions
				s.render(w, r, http.StatusOK, "rules_entry.html", pubEntryPage{Entry: e, RulesVersion: s.cfg.Rules.Data.Hash})
				return
			}
		}
	}
	s.fail(w, r, fmt.Errorf("%w: no rule %q", bistand.ErrNotFound, id))
}

// pubAPIRules is the register as JSON, the same as `bistand rules --format json`.
func (s *Server) pubAPIRules(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.cfg.Rules.Data.Register())
}

// pubText picks the Swedish or the English text.
func pubText(lang, sv, en string, args ...any) string {
	t := sv
	if lang == "en" {
		t = en
	}
	if len(args) > 0 {
		return fmt.Sprintf(t, args...)
	}
	return t
}

func pubPeriod(lang string, p rules.Period) string {
	switch {
	case p.From.IsZero():
		return pubText(lang, "tills vidare", "until further notice")
	case p.To.IsZero():
		return pubText(lang, "från och med %s", "from %s", p.From)
	}
	return p.From.String() + " – " + p.To.String()
}

func pubWhen(p rules.Period, today bistand.Date) string {
	switch {
	case p.From.IsZero() || p.Contains(today):
		return "now"
	case today.Before(p.From):
		return "future"
	}
	return "past"
}

// pubRank orders statuses from the surest to the least sure.
func pubRank(s rules.Status) int {
	return slices.Index([]rules.Status{rules.Confirmed, rules.Derived, rules.StrongHint, rules.Illustrative, rules.Estimate, rules.Unknown}, s)
}

// pubStatuses sets a table version's status (the weakest of its rows) and
// counts its statuses.
func (v *pubVersion) pubStatuses() {
	counts := map[rules.Status]int{}
	for _, r := range v.Rows {
		if r.Status != "" {
			counts[rules.Status(r.Status)]++
		}
	}
	v.Statuses = nil
	for st, n := range counts {
		v.Statuses = append(v.Statuses, pubStatusCount{Status: pubStatus(st), N: n})
		if v.Status == "" || pubRank(st) > pubRank(rules.Status(v.Status)) {
			v.Status = pubStatus(st)
		}
	}
	slices.SortFunc(v.Statuses, func(a, b pubStatusCount) int {
		return cmp.Compare(pubRank(rules.Status(a.Status)), pubRank(rules.Status(b.Status)))
	})
}

func pubSrc(s *rules.Source) pubSource {
	if s == nil {
		return pubSource{}
	}
	return pubSource{ID: s.ID, Citation: s.Citation, Kind: s.Kind, URL: s.URL, Note: s.Note}
}

// pubBasis is the version of a legal basis, its first source deciding the
// kind (as in a calculation's lines).
func pubBasis(lang string, bp rules.BasisPeriod, today bistand.Date) pubVersion {
	v := pubVersion{Label: pubPeriod(lang, bp.Period), Period: pubPeriod(lang, bp.Period), When: pubWhen(bp.Period, today), from: bp.From}
	for _, src := range bp.Sources {
		v.Sources = append(v.Sources, pubSrc(src))
	}
	if len(bp.Sources) > 0 {
		v.Kind = bp.Sources[0].Kind
	}
	return v
}

// latestFirst orders versions by their start, the latest first.
func latestFirst(vs []pubVersion) []pubVersion {
	slices.SortStableFunc(vs, func(a, b pubVersion) int { return b.from.Compare(a.from) })
	return vs
}

var pubBands = []struct{ sv, en string }{
	{"Barn under 1 år", "Child under 1"}, {"Barn 1–2 år", "Child aged 1–2"}, {"Barn 3 år", "Child aged 3"},
	{"Barn 4–6 år", "Child aged 4–6"}, {"Barn 7–10 år", "Child aged 7–10"}, {"Barn 11–14 år", "Child aged 11–14"},
	{"Ungdom 15–18 år", "Young person aged 15–18"}, {"Ungdom 19–20 år som går i skolan", "Young person aged 19–20 in school"},
}

// pubRegister is the whole register in lang, each version placed in time
// against today.
func pubRegister(d *rules.Data, lang string, today bistand.Date) []pubGroup {
	L := func(sv, en string, args ...any) string { return pubText(lang, sv, en, args...) }
	var groups []pubGroup

	// The riksnorm, a table per year.
	norm := pubEntry{ID: "riksnorm", Title: L("Riksnormen", "The national standard amounts (riksnorm)"), Detailed: true,
		About: L("Riksnormen är de belopp regeringen bestämmer för det alla behöver varje månad: mat, kläder och skor, lek och fritid, hygien, telefon, dagstidning och liknande. Beloppen gäller ett kalenderår i taget och räknas per person och för hushållet gemensamt.",
			"The riksnorm is the amounts the government sets for what everyone needs each month: food, clothes and shoes, play and leisure, hygiene, telephone, newspaper and the like. The amounts apply one calendar year at a time, per person and for the household in common.")}
	for _, y := range d.Riksnorm {
		v := pubVersion{Label: fmt.Sprint(y.Year), Period: pubPeriod(lang, y.Period), When: pubWhen(y.Period, today), from: y.Period.From,
			RowsCaption: L("Riksnormen %d, kronor per månad", "The riksnorm %d, kronor a month", y.Year), Note: y.Note}
		for _, bp := range d.Bases["riksnorm"] {
			if bp.Contains(y.Period.From) {
				b := pubBasis(lang, bp, today)
				v.Kind, v.Sources = b.Kind, b.Sources
			}
		}
		v.Evidence = strings.Join(append([]string{y.Citation}, y.Evidence...), "; ")
		add := func(label string, val rules.Value) {
			v.Rows = append(v.Rows, pubRow{Label: label, Value: formatKronor(val.Amount), Status: pubStatus(val.Status)})
		}
		for i, b := range pubBands {
			add(L(b.sv, b.en), y.WithLunch[i])
		}
		for i, b := range pubBands[:len(y.WithoutLunch)] {
			add(L(b.sv+", äter lunch i förskola eller skola", b.en+", has lunch at preschool or school"), y.WithoutLunch[i])
		}
		add(L("Ensamstående vuxen", "Single adult"), y.Single)
		add(L("Sammanboende vuxna (tillsammans)", "Cohabiting adults (together)"), y.Couple)
		for n := 1; n <= 7; n++ {
			label := L("Gemensamma hushållskostnader, %d personer", "Shared household costs, %d people", n)
			if n == 1 {
				label = L("Gemensamma hushållskostnader, 1 person", "Shared household costs, 1 person")
			}
			add(label, y.Shared[n])
		}
		a8, st8 := y.SharedFor(8)
		extra := rules.Value{Amount: a8 - y.Shared[7].Amount, Status: rules.Derived}
		if pubRank(st8) > pubRank(extra.Status) {
			extra.Status = st8
		}
		add(L("Gemensamma hushållskostnader, för varje person utöver 7", "Shared household costs, for each person beyond 7"), extra)
		v.pubStatuses()
		v.Value = L("Ensamstående vuxen %s; sammanboende vuxna %s", "Single adult %s; cohabiting adults %s", formatKronor(y.Single.Amount), formatKronor(y.Couple.Amount))
		norm.Versions = append(norm.Versions, v)
	}
	norm.Versions = latestFirst(norm.Versions)
	groups = append(groups, pubGroup{ID: "riksnormen", Title: L("Riksnormen", "The riksnorm"), Entries: []pubEntry{norm}})

	// National amounts and rules beyond the riksnorm.
	national := pubGroup{ID: "nationellt", Title: L("Nationella belopp och regler", "National amounts and rules"),
		About: L("Belopp och regler som gäller i hela landet.", "Amounts and rules that apply in the whole country.")}
	pbb := pubEntry{ID: "prisbasbelopp", Title: L("Prisbasbelopp", "Price base amount (prisbasbelopp)"),
		About: L("Prisbasbeloppet bestäms av regeringen för varje år. Här styr det hur mycket ett barn får tjäna under året utan att det räknas som inkomst.",
			"The government sets the price base amount for each year. Here it decides how much a child may earn in a year without it counting as income.")}
	for _, x := range d.PriceBase {
		p := rules.Period{From: bistand.MustDate(x.Year, time.January, 1), To: bistand.MustDate(x.Year, time.December, 31)}
		kind := rules.Law
		if strings.Contains(strings.ToLower(x.Citation), "förordning") {
			kind = rules.Regulation
		}
		pbb.Versions = append(pbb.Versions, pubVersion{Label: fmt.Sprint(x.Year), Period: pubPeriod(lang, p), When: pubWhen(p, today), from: p.From,
			Kind: kind, Sources: []pubSource{{Citation: x.Citation, Kind: kind}}, Status: pubStatus(x.Status), Value: formatKronor(x.Amount), Evidence: x.Evidence})
	}
	pbb.Versions = latestFirst(pbb.Versions)
	ruleAbout := func(id string) string {
		if r := d.Rule(id); r != nil {
			return r.Description
		}
		return ""
	}
	child := pubEntry{ID: "barns-arbetsinkomst", Title: L("Barns arbetsinkomst", "Children's earnings"), About: ruleAbout("income.child_earnings")}
	for _, x := range d.ChildEarnings {
		child.Versions = append(child.Versions, pubVersion{Label: pubPeriod(lang, x.Period), Period: pubPeriod(lang, x.Period), When: pubWhen(x.Period, today), from: x.From,
			Kind: x.Source.Kind, Sources: []pubSource{pubSrc(x.Source)}, Status: pubStatus(x.Status), Evidence: x.Evidence,
			Value: L("Inkomst av eget arbete upp till %d %% av prisbasbeloppet per kalenderår räknas inte, för barn och skolungdomar till och med %d år",
				"Earnings from own work up to %d%% of the price base amount per calendar year do not count, for children and pupils up to and including age %d", x.PriceBaseAmountPercent, x.MaxAge)})
	}
	child.Versions = latestFirst(child.Versions)
	jobb := pubEntry{ID: "jobbstimulans", Title: L("Jobbstimulans", "Job incentive (jobbstimulans)"), About: ruleAbout("income.jobbstimulans")}
	for _, x := range d.Jobbstimulans {
		jobb.Versions = append(jobb.Versions, pubVersion{Label: pubPeriod(lang, x.Period), Period: pubPeriod(lang, x.Period), When: pubWhen(x.Period, today), from: x.From,
			Kind: x.Source.Kind, Sources: []pubSource{pubSrc(x.Source)}, Status: pubStatus(x.Status), Evidence: x.Evidence,
			Value: L("%d %% av lönen räknas inte, för den som har haft försörjningsstöd %d månader i följd, under %d månader",
				"%d%% of the wage does not count, for whoever has had försörjningsstöd %d months in a row, for %d months", x.SharePercent, x.QualifyingMonths, x.DurationMonths)})
	}
	jobb.Versions = latestFirst(jobb.Versions)
	akt := pubEntry{ID: "aktivitetskrav", Title: L("Aktivitetskrav", "Activity requirement (aktivitetskrav)"),
		About: L("Den som har haft försörjningsstöd en tid ska delta i en heltidsaktivitet som är anpassad efter vad personen klarar, till exempel arbetsträning eller studier. Det finns undantag, till exempel för den som är sjuk eller arbetar heltid.",
			"Whoever has had försörjningsstöd for a while is to take part in a full-time activity suited to what they can do, such as work training or studies. There are exceptions, for instance for someone who is ill or works full time.")}
	for _, x := range d.Aktivitetskrav {
		akt.Versions = append(akt.Versions, pubVersion{Label: pubPeriod(lang, x.Period), Period: pubPeriod(lang, x.Period), When: pubWhen(x.Period, today), from: x.From,
			Kind: x.Source.Kind, Sources: []pubSource{pubSrc(x.Source)}, Status: pubStatus(x.Status), Evidence: x.Evidence,
			Value: L("Heltidsaktivitet efter %d månader i följd med försörjningsstöd, till pensionsåldern %d år; gäller stöd från och med %s",
				"Full-time activity after %d months in a row of försörjningsstöd, until the pension age of %d; applies to support from %s", x.AfterMonths, x.PensionAge, x.FirstMonth)})
	}
	akt.Versions = latestFirst(akt.Versions)
	g := d.GraceDefault
	grace := pubEntry{ID: "radrum", Title: L("Rådrum", "Time to adjust (rådrum)"),
		About: L("När en kostnad, till exempel hyran, är högre än kommunens riktlinje får hushållet tid att ordna en billigare lösning. Under den tiden godtas hela kostnaden.",
			"When a cost, such as the rent, is higher than the municipality's guideline, the household gets time to find a cheaper solution. During that time the whole cost is accepted."),
		Versions: []pubVersion{{Label: pubPeriod(lang, rules.Period{}), Period: pubPeriod(lang, rules.Period{}), When: "now",
			Kind: g.Source.Kind, Sources: []pubSource{pubSrc(g.Source)}, Status: pubStatus(g.Status), Evidence: g.Evidence,
			Value: L("%d månader från beskedet, när kommunens riktlinje inte anger något annat", "%d months from the notice, unless the municipality's guideline says otherwise", g.Months)}}}
	national.Entries = []pubEntry{pbb, child, jobb, akt, grace}
	groups = append(groups, national)

	// The rules every line of a calculation cites.
	catalogue := pubGroup{ID: "regler", Title: L("Regler i beräkningen", "Rules of the calculation"),
		About: L("Varje rad i en uträkning hänvisar till en av de här reglerna. Den rättsliga grunden anges för varje tidsperiod.",
			"Every line of a calculation refers to one of these rules. The legal basis is given for each period.")}
	for _, r := range d.Rules {
		e := pubEntry{ID: "regel-" + r.ID, Title: r.Label, About: r.Description}
		if r.Basis == "kommun" {
			e.Versions = []pubVersion{{Label: pubPeriod(lang, rules.Period{}), Period: pubPeriod(lang, rules.Period{}), When: "now", Kind: rules.MunicipalGuideline,
				Sources: []pubSource{{Citation: L("Kommunens riktlinjer; se kommunens avsnitt", "The municipality's guidelines; see the municipality's section"), Kind: rules.MunicipalGuideline}}}}
		}
		for _, bp := range d.Bases[r.Basis] {
			e.Versions = append(e.Versions, pubBasis(lang, bp, today))
		}
		e.Versions = latestFirst(e.Versions)
		catalogue.Entries = append(catalogue.Entries, e)
	}
	groups = append(groups, catalogue)

	// Each municipality's guidelines.
	costLabel := func(t string) string {
		if r := d.Rule("cost." + t); r != nil {
			return r.Label
		}
		return t
	}
	lower := func(s string) string {
		r, n := utf8.DecodeRuneInString(s)
		return string(unicode.ToLower(r)) + s[n:]
	}
	for _, m := range d.Municipalities {
		mg := pubGroup{ID: "kommun-" + m.ID, Title: m.Name, About: m.About, Municipality: m.ID}
		round := pubEntry{ID: m.ID + "-avrundning", Title: L("Avrundning av beviljat belopp", "Rounding of the amount granted"), About: ruleAbout("result.rounding")}
		for _, x := range m.Rounding {
			round.Versions = append(round.Versions, pubVersion{Label: pubPeriod(lang, x.Period), Period: pubPeriod(lang, x.Period), When: pubWhen(x.Period, today), from: x.From,
				Kind: x.Source.Kind, Sources: []pubSource{pubSrc(x.Source)}, Status: pubStatus(x.Status), Value: pubRounding(lang, x)})
		}
		round.Versions = latestFirst(round.Versions)
		auto := pubEntry{ID: m.ID + "-automatisering", Title: L("Vad roboten får besluta", "What the robot may decide"),
			About: L("Ett automatiserat beslut kräver att socialnämnden har delegerat det. Här står vad nämnden har bestämt att roboten får besluta själv och när en person alltid beslutar.",
				"An automated decision requires the social welfare board to have delegated it. This says what the board has decided the robot may decide on its own, and when a person always decides.")}
		for _, x := range m.Automation {
			v := pubVersion{Label: pubPeriod(lang, x.Period), Period: pubPeriod(lang, x.Period), When: pubWhen(x.Period, today), from: x.From,
				Kind: x.Source.Kind, Sources: []pubSource{pubSrc(x.Source)}, Status: pubStatus(x.Status), Note: x.Note,
				RowsCaption: L("Robotens gränser, %s", "The robot's limits, %s", pubPeriod(lang, x.Period))}
			v.Value = L("Roboten räknar och föreslår; en person beslutar", "The robot calculates and proposes; a person decides")
			if x.Mode == rules.ModeDecideApprovals {
				v.Value = L("Roboten beviljar fortsatt försörjningsstöd enligt beräkningen; allt annat beslutar en person", "The robot grants continued försörjningsstöd as calculated; a person decides everything else")
			}
			row := func(label, value string) { v.Rows = append(v.Rows, pubRow{Label: label, Value: value}) }
			if x.Mode == rules.ModeDecideApprovals {
				lim := L("ingen gräns", "no limit")
				if x.MaxAutoAmount > 0 {
					lim = formatKronor(x.MaxAutoAmount)
				}
				row(L("Högsta belopp roboten får bevilja", "Highest amount the robot may grant"), lim)
			}
			change := L("kontrolleras inte", "not checked")
			if x.MaxChangePercent > 0 {
				change = fmt.Sprintf("%d %%", x.MaxChangePercent)
			}
			row(L("Största ändring mot förra månaden innan en person ser på ärendet", "Largest change from last month before a person looks at the case"), change)
			four := L("aldrig", "never")
			if x.FourEyesAbove > 0 {
				four = L("över %s", "above %s", formatKronor(x.FourEyesAbove))
			}
			row(L("En andra handläggare godkänner en handläggares beslut", "A second caseworker approves a caseworker's decision"), four)
			row(L("Stickprov", "Random checks"), L("%d av 1 000 ansökningar", "%d in 1,000 applications", x.SamplePerMille))
			var costs []string
			for _, c := range x.StandardCosts {
				costs = append(costs, lower(costLabel(c)))
			}
			row(L("Kostnader roboten godtar utan en persons bedömning", "Costs the robot accepts without a person's assessment"), strings.Join(costs, ", "))
			af := L("nej", "no")
			if x.RequireAFRegistration {
				af = L("ja", "yes")
			}
			row(L("Vuxna i arbetsför ålder ska vara inskrivna hos Arbetsförmedlingen", "Adults of working age must be registered with Arbetsförmedlingen"), af)
			row(L("Tid att komplettera en ansökan", "Time to complete an application"), L("%d dagar; påminnelse %d dagar före", "%d days; reminder %d days before", x.SupplementDays, x.ReminderDays))
			row(L("Godtagen skillnad mot registrens uppgifter", "Accepted difference from the registers' data"), formatKronor(x.Tolerance))
			auto.Versions = append(auto.Versions, v)
		}
		auto.Versions = latestFirst(auto.Versions)
		mg.Entries = append(mg.Entries, auto, round)
		byType := map[string]*pubEntry{}
		var order []string
		for _, c := range m.CostCaps {
			e, ok := byType[c.CostTypeName]
			if !ok {
				e = &pubEntry{ID: m.ID + "-tak-" + c.CostTypeName, Title: L("Högsta godtagbara kostnad: %s", "Highest accepted cost: %s", lower(costLabel(c.CostTypeName))),
					About: ruleAbout("cost.cap")}
				byType[c.CostTypeName] = e
				order = append(order, c.CostTypeName)
			}
			v := pubVersion{Label: pubPeriod(lang, c.Period), Period: pubPeriod(lang, c.Period), When: pubWhen(c.Period, today), from: c.From,
				Kind: c.Source.Kind, Sources: []pubSource{pubSrc(c.Source)}, Status: pubStatus(c.Status),
				RowsCaption: L("%s, högsta godtagbara kostnad per månad, %s", "%s, highest accepted cost a month, %s", costLabel(c.CostTypeName), pubPeriod(lang, c.Period))}
			lo, hi := bistand.Money(0), bistand.Money(0)
			maxChildren := map[int]int{}
			for _, row := range c.Table {
				maxChildren[row.Adults] = max(maxChildren[row.Adults], row.Children)
			}
			for i, row := range c.Table {
				if i == 0 || row.Amount < lo {
					lo = row.Amount
				}
				hi = max(hi, row.Amount)
				adults := L("%d vuxna", "%d adults", row.Adults)
				if row.Adults == 1 {
					adults = L("1 vuxen", "1 adult")
				}
				children := L("%d barn", "%d children", row.Children)
				if row.Children == 1 {
					children = L("1 barn", "1 child")
				}
				if row.Children == maxChildren[row.Adults] {
					children += L(" eller fler", " or more")
				}
				v.Rows = append(v.Rows, pubRow{Label: adults + ", " + children, Value: formatKronor(row.Amount), Status: pubStatus(c.Status)})
			}
			graceText := L("rådrum enligt Socialstyrelsens råd", "time to adjust as Socialstyrelsen advises")
			if c.GraceMonths != nil {
				graceText = L("rådrum %d månader", "%d months to adjust", *c.GraceMonths)
				if *c.GraceMonths == 0 {
					graceText = L("inget rådrum", "no time to adjust")
				}
			}
			v.Value = L("%s – %s beroende på hushållet; %s", "%s – %s depending on the household; %s", formatKronor(lo), formatKronor(hi), graceText)
			e.Versions = append(e.Versions, v)
		}
		for _, t := range order {
			e := byType[t]
			e.Versions = latestFirst(e.Versions)
			mg.Entries = append(mg.Entries, *e)
		}
		groups = append(groups, mg)
	}
	return groups
}

func pubRounding(lang string, r *rules.RoundingVersion) string {
	unit := pubText(lang, "hel krona", "whole krona")
	if r.Unit != 1 {
		unit = pubText(lang, "jämnt %d-tal kronor", "multiple of %d kronor", r.Unit)
	}
	switch r.Mode {
	case rules.RoundNone:
		return pubText(lang, "Ingen avrundning; beloppet räknas på öret", "No rounding; the amount is exact to the öre")
	case rules.RoundDown:
		return pubText(lang, "Avrundas nedåt till %s", "Rounded down to a %s", unit)
	case rules.RoundUp:
		return pubText(lang, "Avrundas uppåt till %s", "Rounded up to a %s", unit)
	case rules.RoundHalfUp:
		return pubText(lang, "Avrundas till närmaste %s (hälften uppåt)", "Rounded to the nearest %s (half up)", unit)
	}
	return r.Mode
}

// pubSources lists every source: the national ones by id, then each
// municipality's own.
func pubSources(d *rules.Data, lang string) []pubSource {
	var out []pubSource
	for _, s := range d.Sources {
		out = append(out, pubSrc(s))
	}
	slices.SortFunc(out, func(a, b pubSource) int { return strings.Compare(a.ID, b.ID) })
	for _, m := range d.Municipalities {
		for _, s := range m.Sources {
			src := pubSrc(s)
			src.Muni = m.Name
			out = append(out, src)
		}
	}
	return out
}

func init() {
	addMessages(map[string][2]string{
		"pub.title":                   {"Regler och belopp", "Rules and amounts"},
		"pub.lead":                    {"Här finns alla regler och belopp som används när ekonomiskt bistånd räknas ut, var de kommer ifrån och när de gäller. När en regel ändras finns den tidigare versionen kvar här, så att du kan se vad som gällde när ditt beslut fattades.", "Here are all the rules and amounts used when financial assistance is calculated, where they come from and when they apply. When a rule changes, the earlier version stays here, so that you can see what applied when your decision was made."},
		"pub.data.sv":                 {"", "The rules themselves are written in Swedish, as the law and the municipality's guidelines are."},
		"pub.version":                 {"Regelversion: %s. Varje beslut sparar vilken regelversion det räknades med.", "Rule version: %s. Every decision records the rule version it was calculated with."},
		"pub.today":                   {"Visar vad som gäller %s.", "Showing what applies on %s."},
		"pub.how.title":               {"Så läser du registret", "How to read the register"},
		"pub.how.kinds":               {"Typ av källa", "Kind of source"},
		"pub.how.status":              {"Hur säkert beloppet är", "How sure the amount is"},
		"pub.how.law":                 {"beslutad av riksdagen, till exempel socialtjänstlagen.", "decided by Parliament, such as the Social Services Act."},
		"pub.how.regulation":          {"beslutad av regeringen, till exempel socialtjänstförordningen där riksnormen står.", "decided by the government, such as the Social Services Ordinance where the riksnorm is."},
		"pub.how.agency_guidance":     {"Socialstyrelsens allmänna råd och handbok: hur lagen bör tillämpas.", "Socialstyrelsen's general advice and handbook: how the law should be applied."},
		"pub.how.municipal_guideline": {"beslutad av kommunens socialnämnd, till exempel högsta godtagbara hyra.", "decided by the municipality's social welfare board, such as the highest accepted rent."},
		"pub.how.confirmed":           {"läst i den officiella texten eller tabellen.", "read in the official text or table."},
		"pub.how.strong_hint":         {"flera andra källor säger samma sak, men den officiella texten är inte läst.", "several other sources agree, but the official text has not been read."},
		"pub.how.derived":             {"räknat fram ur andra belopp enligt en angiven regel.", "calculated from other amounts by a stated rule."},
		"pub.how.estimate":            {"uppskattat, till exempel förra årets belopp uppräknat. Det kan skilja sig något från det officiella beloppet.", "estimated, for instance last year's amount raised. It may differ somewhat from the official amount."},
		"pub.how.illustrative":        {"exempel från en påhittad kommun i demon, inte något verkligt beslut.", "an example from a made-up municipality in the demo, not a real decision."},
		"pub.how.only":                {"Bara belopp som är lästa i den officiella texten visas som bekräftade.", "Only amounts read in the official text are shown as confirmed."},

		"pub.filter.title":  {"Välj vad som visas", "Choose what is shown"},
		"pub.filter.kind":   {"Typ av källa", "Kind of source"},
		"pub.filter.muni":   {"Kommun", "Municipality"},
		"pub.filter.any":    {"Alla", "All"},
		"pub.filter.all":    {"Visa även tidigare och kommande versioner", "Also show earlier and coming versions"},
		"pub.filter.submit": {"Visa", "Show"},
		"pub.filter.none":   {"Inga regler passar valet.", "No rules match the choice."},
		"pub.count":         {"%d versioner visas.", "%d versions shown."},

		"pub.col.rule":        {"Regel eller belopp", "Rule or amount"},
		"pub.col.value":       {"Vad som gäller", "What applies"},
		"pub.col.period":      {"Gäller", "Applies"},
		"pub.col.source":      {"Källa", "Source"},
		"pub.col.status":      {"Status", "Status"},
		"pub.col.post":        {"Post", "Item"},
		"pub.col.amount":      {"Belopp", "Amount"},
		"pub.col.id":          {"Id", "Id"},
		"pub.col.kind":        {"Typ", "Kind"},
		"pub.col.muni":        {"Kommun", "Municipality"},
		"pub.caption.rows":    {"%s: %s", "%s: %s"},
		"pub.versions":        {"alla versioner (%d)", "all versions (%d)"},
		"pub.table":           {"se tabellen", "see the table"},
		"pub.sources":         {"Källor", "Sources"},
		"pub.sources.caption": {"Alla källor som reglerna hänvisar till", "Every source the rules refer to"},
		"pub.back":            {"Till alla regler och belopp", "To all rules and amounts"},
		"pub.entry.versions":  {"Versioner, den senaste först", "Versions, the latest first"},
		"pub.version.h":       {"Version %s", "Version %s"},
		"pub.f.period":        {"Gäller", "Applies"},
		"pub.f.value":         {"Vad som gäller", "What applies"},
		"pub.f.kind":          {"Typ av källa", "Kind of source"},
		"pub.f.sources":       {"Källa", "Source"},
		"pub.f.status":        {"Status", "Status"},
		"pub.f.statuses":      {"Beloppens status", "The amounts' status"},
		"pub.f.evidence":      {"Underlag", "Evidence"},
		"pub.f.note":          {"Anmärkning", "Note"},
		"pub.nostatus":        {"–", "–"},

		"pub.when.now":    {"gäller nu", "in force"},
		"pub.when.past":   {"tidigare version", "earlier version"},
		"pub.when.future": {"kommande", "coming"},

		"pub.kind.law":                 {"lag", "law"},
		"pub.kind.regulation":          {"förordning", "ordinance"},
		"pub.kind.agency_guidance":     {"myndighetsråd eller vägledning", "agency guidance"},
		"pub.kind.municipal_guideline": {"kommunal riktlinje", "municipal guideline"},

		"pub.status.confirmed":    {"bekräftat", "confirmed"},
		"pub.status.strong_hint":  {"sannolikt, ej verifierat", "likely, not verified"},
		"pub.status.derived":      {"härlett", "derived"},
		"pub.status.estimate":     {"uppskattat", "estimate"},
		"pub.status.unknown":      {"okänt", "unknown"},
		"pub.status.illustrative": {"exempel (påhittad kommun)", "example (made-up municipality)"},
	})
}
