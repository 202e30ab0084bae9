package rules

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/bistand/bistand"
)

// The rule data shipped with bistand. See docs/rules.md and docs/calc.md.
//
//go:embed data
var embedded embed.FS

// Source is a document a rule or a value rests on.
type Source struct {
	ID       string `json:"id"`
	Kind     Kind   `json:"kind"`
	Citation string `json:"citation"`
	URL      string `json:"url,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Value is one parameter value (an amount) with how sure we are of it.
type Value struct {
	Amount   bistand.Money `json:"amount"`
	Status   Status        `json:"status"`
	Evidence string        `json:"evidence,omitempty"`
}

// Period is an effective period of civil dates; a zero To means open-ended.
type Period struct {
	From bistand.Date `json:"from"`
	To   bistand.Date `json:"to,omitzero"`
}

// Contains reports whether d lies within p.
func (p Period) Contains(d bistand.Date) bool {
	return !d.Before(p.From) && (p.To.IsZero() || !d.After(p.To))
}

func (p Period) valid() bool { return !p.From.IsZero() && (p.To.IsZero() || !p.To.Before(p.From)) }

func (p Period) String() string {
	if p.To.IsZero() {
		return p.From.String() + "–"
	}
	return p.From.String() + "–" + p.To.String()
}

// Child age bands of the riksnorm, indexed 0…7.
const numBands = 8

var bandNames = [numBands]string{"0", "1-2", "3", "4-6", "7-10", "11-14", "15-18", "19-20"}

// bandsWithoutLunch is how many of the youngest bands have a lower amount
// when the child eats weekday lunch elsewhere (0, 1–2, 3 and 4–6).
const bandsWithoutLunch = 4

// bandOf returns the band of a child of the given age, or -1 if none.
func bandOf(age int) int {
	switch {
	case age < 1:
		return 0
	case age <= 2:
		return 1
	case age == 3:
		return 2
	case age <= 6:
		return 3
	case age <= 10:
		return 4
	case age <= 14:
		return 5
	case age <= 18:
		return 6
	case age <= 20:
		return 7
	}
	return -1
}

// RiksnormYear is the riksnorm table in force for one calendar year.
type RiksnormYear struct {
	Year         int
	Period       Period
	Citation     string
	Evidence     []string
	Note         string
	WithLunch    [numBands]Value
	WithoutLunch [bandsWithoutLunch]Value
	Single       Value
	Couple       Value
	Shared       [8]Value // index 1…7 (household size); index 0 unused
}

// SharedFor returns the shared household costs for n people (n ≥ 1): the
// table for 1–7, and for each person beyond seven the difference between
// seven and six. The status is the weakest of the cells used.
func (y *RiksnormYear) SharedFor(n int) (bistand.Money, Status) {
	if n <= 7 {
		return y.Shared[n].Amount, y.Shared[n].Status
	}
	step := y.Shared[7].Amount - y.Shared[6].Amount
	return y.Shared[7].Amount + bistand.Money(n-7)*step, weaker(y.Shared[7].Status, y.Shared[6].Status)
}

// Rule is an entry in the rule catalogue.
type Rule struct {
	ID          string  `json:"id"`
	Section     Section `json:"section"`
	Basis       string  `json:"basis"`
	Label       string  `json:"label"`
	Description string  `json:"description"`
	Treatment   string  `json:"treatment,omitempty"` // income rules: "counted" or "exempt"
	Earned      bool    `json:"earned,omitempty"`    // income rules: income from employment
}

// BasisPeriod is the legal basis of a group of rules during a period.
type BasisPeriod struct {
	Period
	Sources []*Source
}

// PriceBaseAmount is the prisbasbelopp of one year.
type PriceBaseAmount struct {
	Year     int           `json:"year"`
	Amount   bistand.Money `json:"amount"`
	Status   Status        `json:"status"`
	Citation string        `json:"citation"`
	Evidence string        `json:"evidence"`
}

// ChildEarningsVersion is the exemption of a child's earnings in force during a period.
type ChildEarningsVersion struct {
	Period
	PriceBaseAmountPercent int64   `json:"price_base_amount_percent"`
	MaxAge                 int     `json:"max_age"`
	Status                 Status  `json:"status"`
	SourceID               string  `json:"source"`
	Evidence               string  `json:"evidence"`
	Source                 *Source `json:"-"`
}

// JobbstimulansVersion holds the jobbstimulans parameters in force during a period.
type JobbstimulansVersion struct {
	Period
	SharePercent     int64   `json:"share_percent"`
	QualifyingMonths int     `json:"qualifying_months"`
	DurationMonths   int     `json:"duration_months"`
	Status           Status  `json:"status"`
	SourceID         string  `json:"source"`
	Evidence         string  `json:"evidence"`
	Source           *Source `json:"-"`
}

// GraceDefault is the rådrum used when a municipality's cap does not set one.
type GraceDefault struct {
	Months   int     `json:"months"`
	Status   Status  `json:"status"`
	SourceID string  `json:"source"`
	Evidence string  `json:"evidence"`
	Source   *Source `json:"-"`
}

// Rounding modes for the amount granted.
const (
	RoundNone   = "none"
	RoundDown   = "down"
	RoundUp     = "up"
	RoundHalfUp = "half_up"
)

// RoundingVersion is a municipality's rounding rule during a period.
type RoundingVersion struct {
	Period
	Mode     string  `json:"mode"`
	Unit     int64   `json:"unit"` // whole kronor
	Status   Status  `json:"status"`
	SourceID string  `json:"source"`
	Source   *Source `json:"-"`
}

// Apply rounds m (öre) by the rule.
func (r *RoundingVersion) Apply(m bistand.Money) bistand.Money {
	u := bistand.Money(r.Unit * 100)
	switch r.Mode {
	case RoundDown:
		return m.MulDivDown(1, int64(u)) * u
	case RoundUp:
		return m.MulDivUp(1, int64(u)) * u
	case RoundHalfUp:
		return (m+u/2).MulDivDown(1, int64(u)) * u
	}
	return m
}

// CapRow is one row of a cap table: the highest accepted cost for a
// household of that many adults and at least that many children.
type CapRow struct {
	Adults   int           `json:"adults"`
	Children int           `json:"children"`
	Amount   bistand.Money `json:"amount"`
}

// CapVersion is a municipal guideline capping one cost type during a period.
type CapVersion struct {
	Period
	CostTypeName string   `json:"cost_type"`
	GraceMonths  *int     `json:"grace_months"`
	Status       Status   `json:"status"`
	SourceID     string   `json:"source"`
	Table        []CapRow `json:"table"`

	CostType CostType `json:"-"`
	Source   *Source  `json:"-"`
}

// Lookup returns the cap for a household of the given composition: the row
// for that many adults with the most children not exceeding children.
func (c *CapVersion) Lookup(adults, children int) (bistand.Money, bool) {
	best := -1
	for i, r := range c.Table {
		if r.Adults == adults && r.Children <= children && (best < 0 || r.Children > c.Table[best].Children) {
			best = i
		}
	}
	if best < 0 {
		return 0, false
	}
	return c.Table[best].Amount, true
}

// Automation modes: what the municipality's board has delegated to the
// robot (an automated decision needs the board's delegation).
const (
	// ModeDecideApprovals: the robot grants recurring applications as
	// calculated, within the limits; everything else goes to a person.
	ModeDecideApprovals = "decide_approvals"
	// ModeProposeOnly: the robot calculates and checks, a person decides.
	ModeProposeOnly = "propose_only"
)

// AutomationVersion is a municipality's automation policy during a period:
// what the robot may decide alone and the thresholds of its checks.
type AutomationVersion struct {
	Period
	Mode string `json:"mode"`
	// MaxAutoAmount: the robot decides only up to this amount (0: no limit).
	MaxAutoAmount bistand.Money `json:"max_auto_amount"`
	// MaxChangePercent: a change of the amount from last month's beyond
	// this goes to a person (0: no check).
	MaxChangePercent int64 `json:"max_change_percent"`
	// FourEyesAbove: a caseworker's decision above this needs a second
	// caseworker's approval (0: never).
	FourEyesAbove bistand.Money `json:"four_eyes_above"`
	// SamplePerMille: the share of applications drawn for a random check
	// (stickprov).
	SamplePerMille int `json:"sample_per_mille"`
	// StandardCosts are the cost types the robot accepts; any other goes
	// to a person.
	StandardCosts []string `json:"standard_costs"`
	// RequireAFRegistration: adults of working age must be registered at
	// Arbetsförmedlingen.
	RequireAFRegistration bool          `json:"require_af_registration"`
	SupplementDays        int           `json:"supplement_days"`
	ReminderDays          int           `json:"reminder_days"`
	PollDays              int           `json:"poll_days"`
	Tolerance             bistand.Money `json:"tolerance"`
	Status                Status        `json:"status"`
	SourceID              string        `json:"source"`
	Note                  string        `json:"note"`
	Source                *Source       `json:"-"`
}

// Standard reports whether a cost type is on the standard list.
func (a *AutomationVersion) Standard(t CostType) bool {
	for _, s := range a.StandardCosts {
		if s == t.String() {
			return true
		}
	}
	return false
}

// AktivitetskravVersion holds the activity requirement's parameters.
type AktivitetskravVersion struct {
	Period
	FirstMonth  bistand.Month `json:"first_month"` // the first month of support it applies to
	AfterMonths int           `json:"after_months"`
	PensionAge  int           `json:"pension_age"`
	Status      Status        `json:"status"`
	SourceID    string        `json:"source"`
	Evidence    string        `json:"evidence"`
	Source      *Source       `json:"-"`
}

// Municipality is one municipality's guideline set.
type Municipality struct {
	ID         string               `json:"id"`
	Name       string               `json:"name"`
	About      string               `json:"about"`
	Sources    []*Source            `json:"sources"`
	Rounding   []*RoundingVersion   `json:"rounding"`
	CostCaps   []*CapVersion        `json:"cost_caps"`
	Automation []*AutomationVersion `json:"automation"`
}

// Data is the whole rule data: every rule, parameter and source, as loaded
// and validated. It is read-only after Load.
type Data struct {
	Sources        map[string]*Source
	Rules          []*Rule
	rulesByID      map[string]*Rule
	Bases          map[string][]BasisPeriod
	Riksnorm       []*RiksnormYear
	PriceBase      []*PriceBaseAmount
	ChildEarnings  []*ChildEarningsVersion
	Jobbstimulans  []*JobbstimulansVersion
	GraceDefault   GraceDefault
	Aktivitetskrav []*AktivitetskravVersion
	Municipalities []*Municipality // sorted by ID
	// Hash is "sha256:" and the hex SHA-256 over every data file's path and
	// bytes: the rule version a decision records.
	Hash string
}

// Rule returns the catalogue entry with the given id, or nil.
func (d *Data) Rule(id string) *Rule { return d.rulesByID[id] }

// Municipality returns the guideline set with the given id, or nil.
func (d *Data) Municipality(id string) *Municipality {
	for _, m := range d.Municipalities {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

type rawCells map[string]Value

type rawYear struct {
	Year         int          `json:"year"`
	ValidFrom    bistand.Date `json:"valid_from"`
	ValidTo      bistand.Date `json:"valid_to"`
	Citation     string       `json:"citation"`
	Evidence     []string     `json:"evidence"`
	Note         string       `json:"note"`
	WithLunch    rawCells     `json:"children_with_lunch"`
	WithoutLunch rawCells     `json:"children_without_lunch"`
	Adults       rawCells     `json:"adults"`
	Shared       rawCells     `json:"shared_household_costs"`
}

type rawBasis struct {
	Period
	Sources []string `json:"sources"`
}

// EmbeddedFS returns the rule data compiled into bistand, laid out as Load
// reads it (for tools and tests that derive variants of it).
func EmbeddedFS() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the directory is embedded
	}
	return sub
}

// LoadEmbedded loads the rule data compiled into bistand.
func LoadEmbedded() (*Data, error) { return Load(EmbeddedFS()) }

// Load reads and validates rule data from fsys, laid out as rules/data is:
// sources.json, rules.json, riksnorm.json, national.json and
// municipalities/*.json. Any inconsistency is an error naming the file.
func Load(fsys fs.FS) (*Data, error) {
	files := map[string][]byte{}
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() || path.Ext(p) != ".json" {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[p] = b
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(files[n]))
		h.Write(files[n])
	}
	d := &Data{
		Sources:   map[string]*Source{},
		rulesByID: map[string]*Rule{},
		Bases:     map[string][]BasisPeriod{},
		Hash:      "sha256:" + hex.EncodeToString(h.Sum(nil)),
	}
	need := func(name string) ([]byte, error) {
		b, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("rule data: %s is missing", name)
		}
		return b, nil
	}
	steps := []struct {
		file string
		fn   func([]byte) error
	}{
		{"sources.json", d.loadSources},
		{"rules.json", d.loadRules},
		{"riksnorm.json", d.loadRiksnorm},
		{"national.json", d.loadNational},
	}
	for _, s := range steps {
		b, err := need(s.file)
		if err != nil {
			return nil, err
		}
		if err := s.fn(b); err != nil {
			return nil, fmt.Errorf("rule data: %s: %w", s.file, err)
		}
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "municipalities/") {
			continue
		}
		m, err := d.loadMunicipality(files[n])
		if err != nil {
			return nil, fmt.Errorf("rule data: %s: %w", n, err)
		}
		if want := strings.TrimSuffix(path.Base(n), ".json"); m.ID != want {
			return nil, fmt.Errorf("rule data: %s: id %q does not match the file name", n, m.ID)
		}
		d.Municipalities = append(d.Municipalities, m)
	}
	if len(d.Municipalities) == 0 {
		return nil, fmt.Errorf("rule data: no municipalities")
	}
	return d, nil
}

func checkSource(s *Source) error {
	if s.ID == "" || s.Citation == "" {
		return fmt.Errorf("source %q: id and citation are required", s.ID)
	}
	if !s.Kind.valid() {
		return fmt.Errorf("source %q: unknown kind %q", s.ID, s.Kind)
	}
	return nil
}

func (d *Data) loadSources(b []byte) error {
	var raw struct {
		About   string    `json:"about"`
		Sources []*Source `json:"sources"`
	}
	if err := decodeStrict(b, &raw); err != nil {
		return err
	}
	for _, s := range raw.Sources {
		if err := checkSource(s); err != nil {
			return err
		}
		if d.Sources[s.ID] != nil {
			return fmt.Errorf("source %q defined twice", s.ID)
		}
		d.Sources[s.ID] = s
	}
	return nil
}

// checkPeriods verifies each period is valid and none overlaps another.
func checkPeriods(what string, ps []Period) error {
	for i, p := range ps {
		if !p.valid() {
			return fmt.Errorf("%s: invalid period %s", what, p)
		}
		for _, q := range ps[:i] {
			if p.Contains(q.From) || q.Contains(p.From) {
				return fmt.Errorf("%s: periods %s and %s overlap", what, q, p)
			}
		}
	}
	return nil
}

func (d *Data) loadRules(b []byte) error {
	var raw struct {
		About string                `json:"about"`
		Bases map[string][]rawBasis `json:"bases"`
		Rules []*Rule               `json:"rules"`
	}
	if err := decodeStrict(b, &raw); err != nil {
		return err
	}
	for name, periods := range raw.Bases {
		var ps []Period
		for _, rp := range periods {
			bp := BasisPeriod{Period: rp.Period}
			if len(rp.Sources) == 0 {
				return fmt.Errorf("basis %q: a period without sources", name)
			}
			for _, id := range rp.Sources {
				s := d.Sources[id]
				if s == nil {
					return fmt.Errorf("basis %q: unknown source %q", name, id)
				}
				bp.Sources = append(bp.Sources, s)
			}
			ps = append(ps, rp.Period)
			d.Bases[name] = append(d.Bases[name], bp)
		}
		if err := checkPeriods("basis "+name, ps); err != nil {
			return err
		}
	}
	for _, r := range raw.Rules {
		if r.ID == "" || r.Label == "" || r.Description == "" {
			return fmt.Errorf("rule %q: id, label and description are required", r.ID)
		}
		if d.rulesByID[r.ID] != nil {
			return fmt.Errorf("rule %q defined twice", r.ID)
		}
		switch r.Section {
		case SectionNorm, SectionCosts, SectionIncome, SectionResult:
		default:
			return fmt.Errorf("rule %q: unknown section %q", r.ID, r.Section)
		}
		if _, ok := d.Bases[r.Basis]; !ok && r.Basis != basisMunicipal {
			return fmt.Errorf("rule %q: unknown basis %q", r.ID, r.Basis)
		}
		d.rulesByID[r.ID] = r
		d.Rules = append(d.Rules, r)
	}
	// Every rule the engine uses must be in the catalogue, with the
	// treatment the engine expects for income types.
	for _, id := range engineRuleIDs() {
		if d.rulesByID[id] == nil {
			return fmt.Errorf("rule %q is used by the engine but not described", id)
		}
	}
	for _, t := range IncomeTypes() {
		r := d.rulesByID["income."+t.String()]
		if r.Treatment != "counted" && r.Treatment != "exempt" {
			return fmt.Errorf("rule %q: treatment must be counted or exempt", r.ID)
		}
		if r.Earned && r.Treatment != "counted" {
			return fmt.Errorf("rule %q: earned income must be counted", r.ID)
		}
	}
	return nil
}

// basisMunicipal marks rules whose source is the municipality's guideline
// in force (a cap, a grace period, a rounding rule).
const basisMunicipal = "kommun"

func checkValue(what string, v Value) error {
	if !v.Status.valid() {
		return fmt.Errorf("%s: unknown status %q", what, v.Status)
	}
	if v.Status == Unknown {
		return fmt.Errorf("%s: status unknown: leave a value out rather than invent it", what)
	}
	if v.Amount < 0 {
		return fmt.Errorf("%s: negative amount", what)
	}
	return nil
}

func (d *Data) loadRiksnorm(b []byte) error {
	var raw struct {
		About string    `json:"about"`
		Years []rawYear `json:"years"`
	}
	if err := decodeStrict(b, &raw); err != nil {
		return err
	}
	var ps []Period
	for _, ry := range raw.Years {
		y := &RiksnormYear{
			Year:     ry.Year,
			Period:   Period{From: ry.ValidFrom, To: ry.ValidTo},
			Citation: ry.Citation,
			Evidence: ry.Evidence,
			Note:     ry.Note,
		}
		what := fmt.Sprintf("year %d", ry.Year)
		if y.Period.From.Year() != ry.Year || y.Period.To.Year() != ry.Year || y.Period.To.IsZero() {
			return fmt.Errorf("%s: the period %s must lie within the year", what, y.Period)
		}
		if ry.Citation == "" || len(ry.Evidence) == 0 {
			return fmt.Errorf("%s: citation and evidence are required", what)
		}
		cells := func(sec string, m rawCells, keys []string, dst []Value) error {
			if len(m) != len(keys) {
				return fmt.Errorf("%s: %s must have exactly %v", what, sec, keys)
			}
			for i, k := range keys {
				v, ok := m[k]
				if !ok {
					return fmt.Errorf("%s: %s[%s] is missing", what, sec, k)
				}
				if err := checkValue(fmt.Sprintf("%s: %s[%s]", what, sec, k), v); err != nil {
					return err
				}
				dst[i] = v
			}
			return nil
		}
		if err := cells("children_with_lunch", ry.WithLunch, bandNames[:], y.WithLunch[:]); err != nil {
			return err
		}
		if err := cells("children_without_lunch", ry.WithoutLunch, bandNames[:bandsWithoutLunch], y.WithoutLunch[:]); err != nil {
			return err
		}
		var adults [2]Value
		if err := cells("adults", ry.Adults, []string{"single", "cohabiting_couple"}, adults[:]); err != nil {
			return err
		}
		y.Single, y.Couple = adults[0], adults[1]
		if err := cells("shared_household_costs", ry.Shared, []string{"1", "2", "3", "4", "5", "6", "7"}, y.Shared[1:]); err != nil {
			return err
		}
		// The engine's monotonicity (a larger household never gets a lower
		// norm) rests on these; a typo in the data would break it.
		for n := 2; n <= 7; n++ {
			if y.Shared[n].Amount < y.Shared[n-1].Amount {
				return fmt.Errorf("%s: shared costs for %d people are below those for %d", what, n, n-1)
			}
		}
		if y.Couple.Amount < y.Single.Amount {
			return fmt.Errorf("%s: the couple amount is below the single amount", what)
		}
		ps = append(ps, y.Period)
		d.Riksnorm = append(d.Riksnorm, y)
	}
	if err := checkPeriods("riksnorm", ps); err != nil {
		return err
	}
	slices.SortFunc(d.Riksnorm, func(a, b *RiksnormYear) int { return a.Year - b.Year })
	return nil
}

func (d *Data) source(id string) (*Source, error) {
	s := d.Sources[id]
	if s == nil {
		return nil, fmt.Errorf("unknown source %q", id)
	}
	return s, nil
}

func (d *Data) loadNational(b []byte) error {
	var raw struct {
		About          string                   `json:"about"`
		PriceBase      []*PriceBaseAmount       `json:"price_base_amount"`
		ChildEarnings  []*ChildEarningsVersion  `json:"child_earnings"`
		Jobbstimulans  []*JobbstimulansVersion  `json:"jobbstimulans"`
		Aktivitetskrav []*AktivitetskravVersion `json:"aktivitetskrav"`
		GraceDefault   GraceDefault             `json:"grace_months_default"`
	}
	if err := decodeStrict(b, &raw); err != nil {
		return err
	}
	seen := map[int]bool{}
	for _, p := range raw.PriceBase {
		if seen[p.Year] {
			return fmt.Errorf("price_base_amount: year %d twice", p.Year)
		}
		seen[p.Year] = true
		if err := checkValue(fmt.Sprintf("price_base_amount %d", p.Year), Value{Amount: p.Amount, Status: p.Status}); err != nil {
			return err
		}
		if p.Amount == 0 || p.Citation == "" {
			return fmt.Errorf("price_base_amount %d: amount and citation are required", p.Year)
		}
	}
	d.PriceBase = raw.PriceBase
	var ps []Period
	for _, v := range raw.ChildEarnings {
		var err error
		if v.Source, err = d.source(v.SourceID); err != nil {
			return fmt.Errorf("child_earnings: %w", err)
		}
		if !v.Status.valid() || v.PriceBaseAmountPercent <= 0 || v.MaxAge <= 0 {
			return fmt.Errorf("child_earnings %s: status, price_base_amount_percent and max_age are required", v.Period)
		}
		ps = append(ps, v.Period)
	}
	if err := checkPeriods("child_earnings", ps); err != nil {
		return err
	}
	d.ChildEarnings = raw.ChildEarnings
	ps = ps[:0]
	for _, v := range raw.Jobbstimulans {
		var err error
		if v.Source, err = d.source(v.SourceID); err != nil {
			return fmt.Errorf("jobbstimulans: %w", err)
		}
		if !v.Status.valid() || v.SharePercent <= 0 || v.SharePercent > 100 || v.QualifyingMonths <= 0 || v.DurationMonths <= 0 {
			return fmt.Errorf("jobbstimulans %s: status, share_percent (1–100), qualifying_months and duration_months are required", v.Period)
		}
		ps = append(ps, v.Period)
	}
	if err := checkPeriods("jobbstimulans", ps); err != nil {
		return err
	}
	d.Jobbstimulans = raw.Jobbstimulans
	ps = ps[:0]
	for _, v := range raw.Aktivitetskrav {
		var err error
		if v.Source, err = d.source(v.SourceID); err != nil {
			return fmt.Errorf("aktivitetskrav: %w", err)
		}
		if !v.Status.valid() || v.AfterMonths <= 0 || v.PensionAge <= 0 || v.FirstMonth.IsZero() {
			return fmt.Errorf("aktivitetskrav %s: status, first_month, after_months and pension_age are required", v.Period)
		}
		ps = append(ps, v.Period)
	}
	if err := checkPeriods("aktivitetskrav", ps); err != nil {
		return err
	}
	d.Aktivitetskrav = raw.Aktivitetskrav
	d.GraceDefault = raw.GraceDefault
	var err error
	if d.GraceDefault.Source, err = d.source(d.GraceDefault.SourceID); err != nil {
		return fmt.Errorf("grace_months_default: %w", err)
	}
	if !d.GraceDefault.Status.valid() || d.GraceDefault.Months < 0 {
		return fmt.Errorf("grace_months_default: status and months are required")
	}
	return nil
}

func (d *Data) loadMunicipality(b []byte) (*Municipality, error) {
	m := &Municipality{}
	if err := decodeStrict(b, m); err != nil {
		return nil, err
	}
	if m.ID == "" || m.Name == "" {
		return nil, fmt.Errorf("id and name are required")
	}
	local := map[string]*Source{}
	for _, s := range m.Sources {
		if err := checkSource(s); err != nil {
			return nil, err
		}
		if d.Sources[s.ID] != nil || local[s.ID] != nil {
			return nil, fmt.Errorf("source %q defined twice", s.ID)
		}
		local[s.ID] = s
	}
	find := func(id string) (*Source, error) {
		if s := local[id]; s != nil {
			return s, nil
		}
		return d.source(id)
	}
	var ps []Period
	for _, r := range m.Rounding {
		var err error
		if r.Source, err = find(r.SourceID); err != nil {
			return nil, fmt.Errorf("rounding: %w", err)
		}
		switch r.Mode {
		case RoundNone, RoundDown, RoundUp, RoundHalfUp:
		default:
			return nil, fmt.Errorf("rounding %s: unknown mode %q", r.Period, r.Mode)
		}
		if r.Unit < 1 || r.Unit > 1000 || !r.Status.valid() {
			return nil, fmt.Errorf("rounding %s: unit (1–1000 kronor) and status are required", r.Period)
		}
		ps = append(ps, r.Period)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("rounding: at least one period is required")
	}
	if err := checkPeriods("rounding", ps); err != nil {
		return nil, err
	}
	ps = ps[:0]
	for _, a := range m.Automation {
		var err error
		if a.Source, err = find(a.SourceID); err != nil {
			return nil, fmt.Errorf("automation: %w", err)
		}
		if a.Mode != ModeDecideApprovals && a.Mode != ModeProposeOnly {
			return nil, fmt.Errorf("automation %s: unknown mode %q", a.Period, a.Mode)
		}
		if !a.Status.valid() || a.MaxAutoAmount < 0 || a.FourEyesAbove < 0 || a.SamplePerMille < 0 || a.SamplePerMille > 1000 ||
			a.SupplementDays <= 0 || a.ReminderDays < 0 || a.PollDays < 0 || a.Tolerance < 0 || a.MaxChangePercent < 0 {
			return nil, fmt.Errorf("automation %s: status, supplement_days and non-negative limits are required (sample_per_mille 0–1000)", a.Period)
		}
		for _, c := range a.StandardCosts {
			if _, ok := ParseCostType(c); !ok {
				return nil, fmt.Errorf("automation %s: unknown cost type %q", a.Period, c)
			}
		}
		if a.Mode == ModeDecideApprovals && a.Period.From.Before(bistand.MustDate(2022, 7, 1)) {
			return nil, fmt.Errorf("automation %s: automated decisions may be delegated only from 2022-07-01", a.Period)
		}
		ps = append(ps, a.Period)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("automation: at least one period is required")
	}
	if err := checkPeriods("automation", ps); err != nil {
		return nil, err
	}
	byType := map[CostType][]Period{}
	for _, c := range m.CostCaps {
		ct, ok := ParseCostType(c.CostTypeName)
		if !ok {
			return nil, fmt.Errorf("cost_caps: unknown cost type %q", c.CostTypeName)
		}
		c.CostType = ct
		var err error
		if c.Source, err = find(c.SourceID); err != nil {
			return nil, fmt.Errorf("cost_caps %s: %w", ct, err)
		}
		if !c.Status.valid() || len(c.Table) == 0 {
			return nil, fmt.Errorf("cost_caps %s %s: status and table are required", ct, c.Period)
		}
		if c.GraceMonths != nil && (*c.GraceMonths < 0 || *c.GraceMonths > 60) {
			return nil, fmt.Errorf("cost_caps %s %s: grace_months must be 0–60", ct, c.Period)
		}
		for _, a := range []int{1, 2} {
			if _, ok := c.Lookup(a, 0); !ok {
				return nil, fmt.Errorf("cost_caps %s %s: no row for %d adult(s) without children", ct, c.Period, a)
			}
		}
		for _, r := range c.Table {
			if r.Adults < 1 || r.Adults > 2 || r.Children < 0 || r.Amount <= 0 {
				return nil, fmt.Errorf("cost_caps %s %s: rows need adults 1–2, children ≥ 0 and a positive amount", ct, c.Period)
			}
		}
		byType[ct] = append(byType[ct], c.Period)
	}
	for ct, ps := range byType {
		if err := checkPeriods("cost_caps "+ct.String(), ps); err != nil {
			return nil, err
		}
	}
	return m, nil
}
