package rules

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/bistand/bistand"
)

// Result is a calculated household-month. Amounts are öre.
type Result struct {
	Month            bistand.Month `json:"month"`
	Municipality     string        `json:"municipality"`
	MunicipalityName string        `json:"municipality_name"`
	// RulesVersion identifies the exact rule data used (see Data.Hash).
	RulesVersion string `json:"rules_version"`
	// ParamsHash identifies the values and sources in force for this
	// municipality and month (see Engine.ParamsHash).
	ParamsHash    string `json:"params_hash"`
	HouseholdSize int    `json:"household_size"`
	DwellingSize  int    `json:"dwelling_size"`

	NormTotal   bistand.Money `json:"norm_total"`
	CostsTotal  bistand.Money `json:"costs_total"`  // approved reasonable costs
	IncomeTotal bistand.Money `json:"income_total"` // income counted against the needs
	NeedsTotal  bistand.Money `json:"needs_total"`  // norm + approved costs
	Amount      bistand.Money `json:"amount"`       // granted, after rounding
	Surplus     bistand.Money `json:"surplus"`      // income beyond the needs when rejected
	Outcome     Outcome       `json:"outcome"`

	// Verified is false when any value used is not confirmed; the lines say
	// which and how sure we are of each.
	Verified        bool   `json:"verified"`
	UnverifiedLines int    `json:"unverified_lines"`
	Lines           []Line `json:"lines"`
}

// Options control a calculation.
type Options struct {
	// Trace records the explanation (Result.Lines). Totals are the same
	// either way.
	Trace bool
}

var childLabels = [numBands]string{
	"Barn under 1 år", "Barn 1–2 år", "Barn 3 år", "Barn 4–6 år",
	"Barn 7–10 år", "Barn 11–14 år", "Ungdom 15–18 år", "Ungdom 19–20 år i skolan",
}

var childLabelsWithoutLunch = [bandsWithoutLunch]string{
	"Barn under 1 år, äter lunch utanför hemmet", "Barn 1–2 år, äter lunch utanför hemmet",
	"Barn 3 år, äter lunch utanför hemmet", "Barn 4–6 år, äter lunch utanför hemmet",
}

var costRuleIDs, incomeRuleIDs = func() (c [numCostTypes]string, in [numIncomeTypes]string) {
	for _, t := range CostTypes() {
		c[t] = "cost." + t.String()
	}
	for _, t := range IncomeTypes() {
		in[t] = "income." + t.String()
	}
	return
}()

// engineRuleIDs lists every rule id the engine can put on a line.
func engineRuleIDs() []string {
	ids := []string{
		"riksnorm.adult.single", "riksnorm.adult.couple", "riksnorm.child",
		"riksnorm.shared", "riksnorm.shared.dwelling",
		"cost.cap", "cost.cap.grace", "cost.cap.not_informed",
		"income.child_earnings", "income.jobbstimulans", "result.rounding",
	}
	ids = append(ids, costRuleIDs[:]...)
	return append(ids, incomeRuleIDs[:]...)
}

// calc is the state of one calculation.
type calc struct {
	res     *Result
	trace   bool
	params  []Param // arena the lines' Params are cut from
	costSum [numCostTypes]bistand.Money
}

// line records one explanation line. Without a trace it only keeps count of
// unverified values, so totals and verification agree in both modes.
func (c *calc) line(section Section, rule, label, person string, amount bistand.Money, st Status, src ref, evidence string, ps ...Param) {
	verified := st == "" || st.Verified()
	if !verified {
		c.res.UnverifiedLines++
	}
	if !c.trace {
		return
	}
	start := len(c.params)
	c.params = append(c.params, ps...)
	c.res.Lines = append(c.res.Lines, Line{
		Rule: rule, Section: section, Label: label, Person: person, Amount: amount,
		Params: c.params[start:len(c.params):len(c.params)],
		Source: src.text, Kind: src.kind, Verified: verified, Status: st, Evidence: evidence,
	})
}

// Calculate computes the need for one household-month. Invalid input gives
// a *FieldError naming the field; nothing else fails.
func (e *Engine) Calculate(h *Household, opt Options) (*Result, error) {
	var infoBuf [MaxMembers]memberInfo
	n := min(len(h.Members), MaxMembers)
	applicant, err := h.validate(infoBuf[:n])
	if err != nil {
		return nil, err
	}
	infos := infoBuf[:n]
	id := h.Municipality
	if id == "" {
		id = DefaultMunicipality
	}
	mr, err := e.rulesFor(id, h.Month)
	if err != nil {
		return nil, err
	}
	dwelling := h.DwellingSize
	if dwelling == 0 {
		dwelling = n
	}
	res := &Result{
		Month: h.Month, Municipality: id, MunicipalityName: mr.muni.Name, RulesVersion: e.Hash, ParamsHash: mr.paramsHash,
		HouseholdSize: n, DwellingSize: dwelling,
	}
	c := &calc{res: res, trace: opt.Trace}
	if c.trace {
		res.Lines = make([]Line, 0, n+len(h.Costs)+2*len(h.Incomes)+4)
		c.params = make([]Param, 0, 4*n+2*len(h.Costs)+4*len(h.Incomes)+8)
	}
	e.norm(c, mr, h, infos, applicant, dwelling)
	e.costs(c, mr, h, infos)
	e.income(c, mr, h, infos, applicant)

	res.NeedsTotal = res.NormTotal + res.CostsTotal
	net := res.NeedsTotal - res.IncomeTotal
	if net > 0 {
		r := mr.rounding
		res.Amount = r.Apply(net)
		c.line(SectionResult, "result.rounding", "Avrundning", "", res.Amount-net, r.Status, mr.roundingSrc, "",
			StringParam("mode", r.Mode), IntParam("unit", int(r.Unit)), MoneyParam("before", net), MoneyParam("after", res.Amount))
	}
	if res.Amount > 0 {
		res.Outcome = Approved
	} else {
		res.Outcome = Rejected
		res.Surplus = max(-net, 0)
	}
	res.Verified = res.UnverifiedLines == 0
	if res.Lines == nil && opt.Trace {
		res.Lines = []Line{}
	}
	return res, nil
}

func (e *Engine) norm(c *calc, mr *monthRules, h *Household, infos []memberInfo, applicant, dwelling int) {
	y := mr.year
	res := c.res
	partner := -1
	for i, m := range h.Members {
		if m.Role == Partner {
			partner = i
		}
	}
	if partner >= 0 {
		res.NormTotal += y.Couple.Amount
		c.line(SectionNorm, "riksnorm.adult.couple", "Sammanboende vuxna", "", y.Couple.Amount, y.Couple.Status, mr.normSrc, y.Couple.Evidence,
			IntParam("year", y.Year))
	} else {
		res.NormTotal += y.Single.Amount
		c.line(SectionNorm, "riksnorm.adult.single", "Ensamstående vuxen", h.Members[applicant].ID, y.Single.Amount, y.Single.Status, mr.normSrc, y.Single.Evidence,
			IntParam("year", y.Year))
	}
	for i, m := range h.Members {
		if m.Role != Child {
			continue
		}
		b := infos[i].band
		v, label := y.WithLunch[b], childLabels[b]
		lunch := m.LunchElsewhere && b < bandsWithoutLunch
		if lunch {
			v, label = y.WithoutLunch[b], childLabelsWithoutLunch[b]
		}
		res.NormTotal += v.Amount
		c.line(SectionNorm, "riksnorm.child", label, m.ID, v.Amount, v.Status, mr.normSrc, v.Evidence,
			IntParam("year", y.Year), IntParam("age", infos[i].age), StringParam("band", bandNames[b]), BoolParam("lunch_elsewhere", lunch))
	}
	size := len(h.Members)
	if dwelling == size {
		amount, st := y.SharedFor(size)
		res.NormTotal += amount
		if size <= 7 {
			c.line(SectionNorm, "riksnorm.shared", e.sharedLabels[size], "", amount, st, mr.normSrc, y.Shared[size].Evidence,
				IntParam("year", y.Year), IntParam("household_size", size))
		} else {
			c.line(SectionNorm, "riksnorm.shared", e.sharedLabels[size], "", amount, st, mr.normSrc, "",
				IntParam("year", y.Year), IntParam("household_size", size),
				MoneyParam("shared_7", y.Shared[7].Amount), MoneyParam("per_person_above_7", y.Shared[7].Amount-y.Shared[6].Amount))
		}
		return
	}
	full, st := y.SharedFor(dwelling)
	share := full.MulDivUp(int64(size), int64(dwelling))
	res.NormTotal += share
	label := ""
	if c.trace {
		label = "Gemensamma hushållskostnader, andel för " + strconv.Itoa(size) + " av " + strconv.Itoa(dwelling) + " personer i bostaden"
	}
	c.line(SectionNorm, "riksnorm.shared.dwelling", label, "", share, st, mr.dwellSrc, "",
		IntParam("year", y.Year), IntParam("dwelling_size", dwelling), IntParam("applying", size), MoneyParam("shared_for_dwelling", full))
}

var costLabels = func() (l [numCostTypes]string) {
	l = [numCostTypes]string{
		Rent: "Boendekostnad", Electricity: "Hushållsel", HomeInsurance: "Hemförsäkring",
		UnionFee: "Fackföreningsavgift", UnemploymentFundFee: "Avgift till arbetslöshetskassa",
		WorkTravel: "Arbetsresor", Childcare: "Barnomsorgsavgift", Medical: "Läkarvård",
		Medicine: "Medicin", DentalAcute: "Akut tandvård", Glasses: "Glasögon", OtherCost: "Övrig kostnad",
	}
	return
}()

// capNouns name each cost in definite form for the cap lines
// ("boendekostnaden", "kostnaden för hushållsel").
var capNouns = func() (l [numCostTypes]string) {
	for i, s := range costLabels {
		r, n := utf8.DecodeRuneInString(s)
		l[i] = "kostnaden för " + string(unicode.ToLower(r)) + s[n:]
	}
	l[Rent] = "boendekostnaden"
	l[OtherCost] = "den övriga kostnaden"
	return
}()

func capitalized(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func (e *Engine) costs(c *calc, mr *monthRules, h *Household, infos []memberInfo) {
	res := c.res
	var notified [numCostTypes]bistand.Date
	for _, k := range h.Costs {
		c.costSum[k.Type] += k.Amount
		res.CostsTotal += k.Amount
		if !k.CapNotified.IsZero() && (notified[k.Type].IsZero() || k.CapNotified.Before(notified[k.Type])) {
			notified[k.Type] = k.CapNotified
		}
		if k.Type == OtherCost {
			c.line(SectionCosts, costRuleIDs[k.Type], costLabels[k.Type], k.Person, k.Amount, "", mr.cost[k.Type], "",
				StringParam("motivation", k.Motivation))
		} else {
			c.line(SectionCosts, costRuleIDs[k.Type], costLabels[k.Type], k.Person, k.Amount, "", mr.cost[k.Type], "")
		}
	}
	adults, children := 0, 0
	for _, m := range h.Members {
		if m.Role == Child {
			children++
		} else {
			adults++
		}
	}
	for t := range numCostTypes {
		capv := mr.caps[t]
		actual := c.costSum[t]
		if capv == nil || actual == 0 {
			continue
		}
		limit, ok := capv.Lookup(adults, children)
		if !ok || actual <= limit {
			continue
		}
		ps := [...]Param{
			StringParam("cost_type", t.String()), MoneyParam("actual", actual), MoneyParam("cap", limit),
			IntParam("adults", adults), IntParam("children", children), IntParam("grace_months", mr.grace[t]),
			DateParam("notified", notified[t]), MonthParam("grace_until", 0),
		}
		if notified[t].IsZero() {
			label := ""
			if c.trace {
				label = "Hela " + capNouns[t] + " godtas: hushållet har inte fått besked om kommunens nivå " + limit.String()
			}
			c.line(SectionCosts, "cost.cap.not_informed", label, "", 0, mr.graceStatus[t], mr.graceSrc[t], "", ps[:6]...)
			continue
		}
		until := notified[t].Month().Add(mr.grace[t])
		ps[7] = MonthParam("grace_until", until)
		if h.Month <= until {
			label := ""
			if c.trace {
				label = "Rådrum: hela " + capNouns[t] + " godtas till och med " + until.String() + " (kommunens nivå " + limit.String() + ")"
			}
			c.line(SectionCosts, "cost.cap.grace", label, "", 0, mr.graceStatus[t], mr.graceSrc[t], "", ps[:]...)
			continue
		}
		cut := actual - limit
		res.CostsTotal -= cut
		label := ""
		if c.trace {
			label = capitalized(capNouns[t]) + " godtas upp till kommunens nivå " + limit.String() + " (rådrum till och med " + until.String() + ")"
		}
		c.line(SectionCosts, "cost.cap", label, "", -cut, capv.Status, mr.capSrc[t], "", ps[:]...)
	}
}

func (e *Engine) income(c *calc, mr *monthRules, h *Household, infos []memberInfo, applicant int) {
	res := c.res
	// What is left of each child's yearly exemption, by member index.
	var childLeft [MaxMembers]bistand.Money
	var childInit [MaxMembers]bool
	for i, in := range h.Incomes {
		p := h.earner(in, applicant)
		person := h.Members[p].ID
		t := in.Type
		if mr.exempt[t] {
			c.line(SectionIncome, incomeRuleIDs[t], e.incomeLabel(t)+", räknas inte", person, 0, "", mr.income[t], "",
				MoneyParam("received", in.Amount))
			continue
		}
		res.IncomeTotal += in.Amount
		c.line(SectionIncome, incomeRuleIDs[t], e.incomeLabel(t), person, in.Amount, "", mr.income[t], "")
		if !mr.earned[t] || in.Amount == 0 {
			continue
		}
		if h.Members[p].Role == Child {
			if mr.child == nil || infos[p].age > mr.child.MaxAge {
				continue
			}
			if !childInit[p] {
				childInit[p] = true
				var before bistand.Money
				for _, o := range h.Incomes {
					if o.Type == t && h.earner(o, applicant) == p {
						before += o.EarnedThisYear
					}
				}
				childLeft[p] = max(mr.childLimit-before, 0)
			}
			left := childLeft[p]
			free := min(in.Amount, left)
			childLeft[p] -= free
			res.IncomeTotal -= free
			c.line(SectionIncome, "income.child_earnings", mr.childLabel, person, -free, mr.childSt, mr.childSrc, mr.pbb.Evidence,
				MoneyParam("price_base_amount", mr.pbb.Amount), MoneyParam("yearly_limit", mr.childLimit),
				MoneyParam("earned_this_year", in.EarnedThisYear), MoneyParam("limit_left", left), IntParam("age", infos[p].age), StringParam("input", "incomes["+strconv.Itoa(i)+"]"))
			continue
		}
		e.jobbstimulans(c, mr, h, in, person)
	}
}

func (e *Engine) jobbstimulans(c *calc, mr *monthRules, h *Household, in Income, person string) {
	j := mr.jobb
	if j == nil {
		return
	}
	since := h.JobbstimulansSince
	if since.IsZero() && h.MonthsOnAssistance >= j.QualifyingMonths {
		since = h.Month
	}
	if since.IsZero() {
		label := ""
		if c.trace {
			label = "Jobbstimulans gäller inte ännu: " + strconv.Itoa(h.MonthsOnAssistance) + " av " + strconv.Itoa(j.QualifyingMonths) + " månader i följd med försörjningsstöd"
		}
		c.line(SectionIncome, "income.jobbstimulans", label, person, 0, j.Status, mr.jobbSrc, j.Evidence,
			IntParam("months_on_assistance", h.MonthsOnAssistance), IntParam("qualifying_months", j.QualifyingMonths))
		return
	}
	until := since.Add(j.DurationMonths - 1)
	if h.Month > until {
		label := ""
		if c.trace {
			label = "Jobbstimulans har upphört: " + strconv.Itoa(j.DurationMonths) + " månader från " + since.String() + " har gått"
		}
		c.line(SectionIncome, "income.jobbstimulans", label, person, 0, j.Status, mr.jobbSrc, j.Evidence,
			MonthParam("since", since), MonthParam("until", until), IntParam("months_on_assistance", h.MonthsOnAssistance))
		return
	}
	free := in.Amount.MulDivUp(j.SharePercent, 100)
	c.res.IncomeTotal -= free
	c.line(SectionIncome, "income.jobbstimulans", mr.jobbLabel, person, -free, j.Status, mr.jobbSrc, j.Evidence,
		MoneyParam("salary", in.Amount), IntParam("share_percent", int(j.SharePercent)),
		MonthParam("since", since), MonthParam("until", until), IntParam("months_on_assistance", h.MonthsOnAssistance))
}

func (e *Engine) incomeLabel(t IncomeType) string { return e.rulesByID[incomeRuleIDs[t]].Label }
