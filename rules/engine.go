package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bistand/bistand"
)

// Engine calculates household-months with a loaded rule data set. It is
// safe for concurrent use; everything it needs per month is resolved once,
// when it is built.
type Engine struct {
	*Data
	munis map[string]*muniTable
	// labels for shared household costs by household size.
	sharedLabels [MaxDwellingSize + 1]string
}

type muniTable struct {
	muni   *Municipality
	first  bistand.Month // month of months[0]
	months []*monthRules // nil where no rules cover the month
}

// ref is the source a line cites: a composed citation and the kind of the
// source that sets the value.
type ref struct {
	text string
	kind Kind
}

// MarshalJSON lets the parameter digest cover citations.
func (r ref) MarshalJSON() ([]byte, error) { return json.Marshal([2]string{r.text, string(r.kind)}) }

// monthRules is everything in force for one municipality and month.
type monthRules struct {
	month    bistand.Month
	muni     *Municipality
	year     *RiksnormYear
	normSrc  ref
	dwellSrc ref
	cost     [numCostTypes]ref
	income   [numIncomeTypes]ref
	exempt   [numIncomeTypes]bool
	earned   [numIncomeTypes]bool

	caps        [numCostTypes]*CapVersion
	capSrc      [numCostTypes]ref
	graceSrc    [numCostTypes]ref
	grace       [numCostTypes]int
	graceStatus [numCostTypes]Status

	rounding    *RoundingVersion
	roundingSrc ref

	jobb       *JobbstimulansVersion // nil when not in force
	jobbSrc    ref
	jobbLabel  string
	child      *ChildEarningsVersion // nil when not in force
	pbb        *PriceBaseAmount
	childSrc   ref
	childLabel string
	childLimit bistand.Money
	childSt    Status

	// paramsHash identifies every value and source in force this month for
	// this municipality (see ParamsHash).
	paramsHash string

	automation     *AutomationVersion     // nil when none is in force
	aktivitetskrav *AktivitetskravVersion // nil when not in force
}

var defaultEngine = sync.OnceValues(func() (*Engine, error) {
	d, err := LoadEmbedded()
	if err != nil {
		return nil, err
	}
	return NewEngine(d)
})

// Default returns the engine for the rule data compiled into bistand. The
// embedded data is validated by the tests, so an error here means a broken
// build.
func Default() *Engine {
	e, err := defaultEngine()
	if err != nil {
		panic(err)
	}
	return e
}

func joinCitations(srcs []*Source, extra ...string) string {
	parts := make([]string, 0, len(srcs)+len(extra))
	for _, s := range srcs {
		parts = append(parts, s.Citation)
	}
	for _, x := range extra {
		if x != "" {
			parts = append(parts, x)
		}
	}
	return strings.Join(parts, "; ")
}

func (d *Data) basisAt(name string, day bistand.Date) (BasisPeriod, bool) {
	for _, bp := range d.Bases[name] {
		if bp.Contains(day) {
			return bp, true
		}
	}
	return BasisPeriod{}, false
}

// NewEngine resolves the rules for every municipality and every month the
// riksnorm covers.
func NewEngine(d *Data) (*Engine, error) {
	e := &Engine{Data: d, munis: map[string]*muniTable{}}
	for n := 1; n <= MaxDwellingSize; n++ {
		if n == 1 {
			e.sharedLabels[n] = "Gemensamma hushållskostnader, 1 person"
		} else {
			e.sharedLabels[n] = "Gemensamma hushållskostnader, " + strconv.Itoa(n) + " personer"
		}
	}
	if len(d.Riksnorm) == 0 {
		return nil, fmt.Errorf("rule data: no riksnorm years")
	}
	first := d.Riksnorm[0].Period.From.Month()
	last := d.Riksnorm[len(d.Riksnorm)-1].Period.To.Month()
	for _, m := range d.Municipalities {
		t := &muniTable{muni: m, first: first, months: make([]*monthRules, last.Since(first)+1)}
		for i := range t.months {
			mr, err := e.resolve(m, first.Add(i))
			if err != nil {
				return nil, fmt.Errorf("rule data: %s %s: %w", m.ID, first.Add(i), err)
			}
			t.months[i] = mr
		}
		e.munis[m.ID] = t
	}
	return e, nil
}

// resolve gathers the rules in force for municipality m in month mo, or nil
// if the riksnorm does not cover it. Every value must be in force for the
// whole month: a rule that changes mid-month is applied from the next month.
func (e *Engine) resolve(m *Municipality, mo bistand.Month) (*monthRules, error) {
	day := mo.FirstDay()
	mr := &monthRules{month: mo, muni: m}
	for _, y := range e.Riksnorm {
		if y.Period.Contains(day) {
			mr.year = y
		}
	}
	if mr.year == nil {
		return nil, nil
	}
	for _, r := range m.Rounding {
		if r.Contains(day) {
			mr.rounding = r
			mr.roundingSrc = ref{r.Source.Citation, r.Source.Kind}
		}
	}
	if mr.rounding == nil {
		return nil, nil // the municipality has no rules this month
	}
	basis := func(name string, extra ...string) (ref, error) {
		bp, ok := e.basisAt(name, day)
		if !ok {
			return ref{}, fmt.Errorf("basis %q has no period covering %s", name, day)
		}
		return ref{joinCitations(bp.Sources, extra...), bp.Sources[0].Kind}, nil
	}
	var err error
	if mr.normSrc, err = basis("riksnorm", mr.year.Citation); err != nil {
		return nil, err
	}
	if mr.dwellSrc, err = basis("riksnorm-delad-bostad", mr.year.Citation); err != nil {
		return nil, err
	}
	for _, t := range CostTypes() {
		r := e.Rule("cost." + t.String())
		if mr.cost[t], err = basis(r.Basis); err != nil {
			return nil, err
		}
	}
	for _, t := range IncomeTypes() {
		r := e.Rule("income." + t.String())
		if mr.income[t], err = basis(r.Basis); err != nil {
			return nil, err
		}
		mr.exempt[t] = r.Treatment == "exempt"
		mr.earned[t] = r.Earned
	}
	for _, c := range m.CostCaps {
		if !c.Contains(day) {
			continue
		}
		t := c.CostType
		mr.caps[t] = c
		mr.capSrc[t] = ref{c.Source.Citation, c.Source.Kind}
		if c.GraceMonths != nil {
			mr.grace[t] = *c.GraceMonths
			mr.graceStatus[t] = c.Status
			mr.graceSrc[t] = mr.capSrc[t]
		} else {
			g := e.GraceDefault
			mr.grace[t] = g.Months
			mr.graceStatus[t] = weaker(c.Status, g.Status)
			mr.graceSrc[t] = ref{c.Source.Citation + "; rådrum: " + g.Source.Citation, c.Source.Kind}
		}
	}
	for _, j := range e.Jobbstimulans {
		if j.Contains(day) {
			mr.jobb = j
			if mr.jobbSrc, err = basis("jobbstimulans"); err != nil {
				return nil, err
			}
			mr.jobbLabel = "Jobbstimulans: " + strconv.FormatInt(j.SharePercent, 10) + " % av lönen räknas inte"
		}
	}
	for _, c := range e.ChildEarnings {
		if !c.Contains(day) {
			continue
		}
		for _, p := range e.PriceBase {
			if p.Year == mo.Year() {
				mr.pbb = p
			}
		}
		if mr.pbb == nil {
			return nil, fmt.Errorf("no price base amount for %d, which the exemption of children's earnings needs", mo.Year())
		}
		mr.child = c
		mr.childLimit = mr.pbb.Amount.MulDivDown(c.PriceBaseAmountPercent, 100)
		mr.childSt = weaker(c.Status, mr.pbb.Status)
		if mr.childSrc, err = basis("barns-inkomst", "prisbasbelopp: "+mr.pbb.Citation); err != nil {
			return nil, err
		}
		amount := "ett prisbasbelopp"
		if c.PriceBaseAmountPercent != 100 {
			amount = strconv.FormatInt(c.PriceBaseAmountPercent, 10) + " % av ett prisbasbelopp"
		}
		mr.childLabel = "Barns arbetsinkomst upp till " + amount + " per år räknas inte"
	}
	mr.paramsHash = mr.digest()
	for _, a := range m.Automation {
		if a.Contains(day) {
			mr.automation = a
		}
	}
	mr.aktivitetskrav = e.Aktivitetskrav(mo)
	return mr, nil
}

// Policy returns the municipality's automation policy for a month.
func (e *Engine) Policy(municipality string, mo bistand.Month) (*AutomationVersion, error) {
	mr, err := e.rulesFor(municipality, mo)
	if err != nil {
		return nil, err
	}
	if mr.automation == nil {
		return nil, fieldErr("month", "%s has no automation policy for %s", municipality, mo)
	}
	return mr.automation, nil
}

// Aktivitetskrav returns the activity requirement in force for a month, or nil.
func (e *Engine) Aktivitetskrav(mo bistand.Month) *AktivitetskravVersion {
	for _, a := range e.Data.Aktivitetskrav {
		if a.Contains(mo.FirstDay()) {
			return a
		}
	}
	return nil
}

// digest hashes the values and sources in force: a rule data change that
// touches none of them leaves a month's decisions' parameter hash alone.
func (mr *monthRules) digest() string {
	b, err := json.Marshal(struct {
		Municipality string
		Year         *RiksnormYear
		Sources      []ref
		Costs        [numCostTypes]ref
		Income       [numIncomeTypes]ref
		Exempt       [numIncomeTypes]bool
		Earned       [numIncomeTypes]bool
		Caps         [numCostTypes]*CapVersion
		Grace        [numCostTypes]int
		GraceStatus  [numCostTypes]Status
		GraceSources [numCostTypes]ref
		Rounding     *RoundingVersion
		Jobb         *JobbstimulansVersion
		Child        *ChildEarningsVersion
		PBB          *PriceBaseAmount
		Labels       []string
	}{mr.muni.ID, mr.year, []ref{mr.normSrc, mr.dwellSrc, mr.roundingSrc, mr.jobbSrc, mr.childSrc, {mr.muni.Name, ""}},
		mr.cost, mr.income, mr.exempt, mr.earned, mr.caps, mr.grace, mr.graceStatus, mr.graceSrc,
		mr.rounding, mr.jobb, mr.child, mr.pbb, []string{mr.jobbLabel, mr.childLabel}})
	if err != nil {
		panic(err) // plain data; cannot fail
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ParamsHash returns the hash of every rule value and source in force for a
// municipality in a month: what a decision records beside the rule version.
func (e *Engine) ParamsHash(municipality string, mo bistand.Month) (string, error) {
	mr, err := e.rulesFor(municipality, mo)
	if err != nil {
		return "", err
	}
	return mr.paramsHash, nil
}

// rulesFor returns the rules in force for municipality id in month mo.
func (e *Engine) rulesFor(id string, mo bistand.Month) (*monthRules, error) {
	t := e.munis[id]
	if t == nil {
		ids := make([]string, 0, len(e.munis))
		for k := range e.munis {
			ids = append(ids, k)
		}
		slices.Sort(ids)
		return nil, fieldErr("municipality", "unknown %q; known: %s", id, strings.Join(ids, ", "))
	}
	i := mo.Since(t.first)
	if i < 0 || i >= len(t.months) || t.months[i] == nil {
		return nil, fieldErr("month", "no rules cover %s for %s; covered: %s", mo, id, e.Coverage(id))
	}
	return t.months[i], nil
}

// Coverage describes the months municipality id has rules for, e.g.
// "2014-01–2015-12, 2019-01–2019-12".
func (e *Engine) Coverage(id string) string {
	t := e.munis[id]
	if t == nil {
		return ""
	}
	var parts []string
	start := -1
	for i := 0; i <= len(t.months); i++ {
		on := i < len(t.months) && t.months[i] != nil
		switch {
		case on && start < 0:
			start = i
		case !on && start >= 0:
			parts = append(parts, t.first.Add(start).String()+"–"+t.first.Add(i-1).String())
			start = -1
		}
	}
	return strings.Join(parts, ", ")
}

// Covers reports whether municipality id has rules for month mo.
func (e *Engine) Covers(id string, mo bistand.Month) bool {
	_, err := e.rulesFor(id, mo)
	return err == nil
}
