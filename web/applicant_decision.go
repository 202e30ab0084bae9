package web

// The decision as the household reads it: outcome, amount, who decided
// (an automated decision said so), the motivation, the calculation line by
// line from the decision's stored trace with each line's source and
// whether its value is verified, and "what would change the outcome":
// statements each computed by running the rules engine again on the
// decision's own household snapshot with one thing changed.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/rules"
)

// minaTrace is a decision's stored calculation (rules.Result as JSON).
type minaTrace struct {
	Month            bistand.Month   `json:"month"`
	MunicipalityName string          `json:"municipality_name"`
	HouseholdSize    int             `json:"household_size"`
	DwellingSize     int             `json:"dwelling_size"`
	NormTotal        bistand.Money   `json:"norm_total"`
	CostsTotal       bistand.Money   `json:"costs_total"`
	IncomeTotal      bistand.Money   `json:"income_total"`
	NeedsTotal       bistand.Money   `json:"needs_total"`
	Amount           bistand.Money   `json:"amount"`
	Surplus          bistand.Money   `json:"surplus"`
	Outcome          string          `json:"outcome"`
	Verified         bool            `json:"verified"`
	UnverifiedLines  int             `json:"unverified_lines"`
	Lines            []minaTraceLine `json:"lines"`
}

type minaTraceLine struct {
	Rule     string                     `json:"rule"`
	Section  string                     `json:"section"`
	Label    string                     `json:"label"`
	Person   string                     `json:"person"`
	Amount   bistand.Money              `json:"amount"`
	Params   map[string]json.RawMessage `json:"params"`
	Source   string                     `json:"source"`
	Kind     string                     `json:"kind"`
	Verified bool                       `json:"verified"`
	Status   string                     `json:"status"`
}

type minaDecisionView struct {
	ID, AppID       string
	Month           bistand.Month
	MonthText       string
	Outcome         bistand.Outcome
	OutcomeText     string
	Amount          bistand.Money
	Automated       bool
	DecidedBy       string
	ApprovedBy      string
	DecidedAt       time.Time
	Motivation      string
	Replaces        string
	ReplacedBy      string
	Calc            minaTrace
	Lines           []minaLineView
	AmountDiffers   bool // a caseworker decided another amount than calculated
	HasTrace        bool
	WhatIf          []minaWhatIf
	WhatIfNote      string
	HasLetter       bool
	LetterURL       string
	Unverified      int
	MunicipalityTxt string
}

type minaLineView struct {
	Rule        string
	Section     string
	SectionText string
	Label       string
	Person      string
	Amount      bistand.Money
	Source      string
	SourceKind  string
	Verified    bool
	StatusText  string
}

// minaWhatIf is one computed "what would change the outcome".
type minaWhatIf struct {
	Kind     string // "income", "cap", "surplus"
	Text     string
	Amount   bistand.Money // the amount the changed calculation grants
	Approved bool
}

// minaDecisionFor returns a decision of the person's household; any other
// is not found.
func (s *Server) minaDecisionFor(ctx context.Context, p *Principal, id string) (bistand.Decision, bistand.Application, error) {
	d, err := s.cfg.Store.Decision(ctx, id)
	if errors.Is(err, bistand.ErrNotFound) {
		return d, bistand.Application{}, errHidden
	}
	if err != nil {
		return d, bistand.Application{}, err
	}
	a, err := s.householdApplication(ctx, p, d.ApplicationID)
	if err != nil {
		return bistand.Decision{}, a, err
	}
	return d, a, nil
}

// minaDecisionData explains a decision.
func (s *Server) minaDecisionData(ctx context.Context, lang string, p *Principal, id string) (minaDecisionView, error) {
	var v minaDecisionView
	d, a, err := s.minaDecisionFor(ctx, p, id)
	if err != nil {
		return v, err
	}
	c, err := s.householdCase(ctx, p, a.CaseID)
	if err != nil {
		return v, err
	}
	people := s.minaPeople(ctx, lang, c, a.ID, d.Month)
	v = minaDecisionView{ID: d.ID, AppID: a.ID, Month: d.Month, MonthText: minaMonthText(lang, d.Month), Outcome: d.Outcome,
		OutcomeText: tr(lang, "mina.outcome."+string(d.Outcome)), Amount: d.Amount, Automated: d.DecidedBy.Kind == bistand.ActorRobot,
		DecidedAt: d.DecidedAt, Motivation: d.Motivation, Replaces: d.Replaces, LetterURL: "/mina/beslut/" + d.ID + "/brev.pdf"}
	v.DecidedBy = s.minaDecider(ctx, lang, d.DecidedBy)
	if d.ApprovedBy.Valid() {
		v.ApprovedBy = s.minaDecider(ctx, lang, d.ApprovedBy)
	}
	all, err := s.cfg.Store.Decisions(ctx, a.ID)
	if err != nil {
		return v, err
	}
	for _, o := range all {
		if o.Replaces == d.ID {
			v.ReplacedBy = o.ID
		}
	}
	if _, err := s.cfg.Store.LetterMeta(ctx, d.ID); err == nil {
		v.HasLetter = true
	} else if !errors.Is(err, bistand.ErrNotFound) {
		return v, err
	}
	if err := json.Unmarshal(d.Trace, &v.Calc); err != nil || len(v.Calc.Lines) == 0 {
		v.WhatIfNote = tr(lang, "mina.whatif.none")
		return v, nil
	}
	v.HasTrace = true
	v.Unverified = v.Calc.UnverifiedLines
	v.AmountDiffers = v.Calc.Amount != d.Amount
	for _, l := range v.Calc.Lines {
		lv := minaLineView{Rule: l.Rule, Section: l.Section, SectionText: tr(lang, "mina.section."+l.Section), Label: l.Label, Amount: l.Amount,
			Source: l.Source, SourceKind: minaKindText(lang, l.Kind), Verified: l.Verified}
		if l.Person != "" {
			lv.Person = minaName(people, lang, l.Person)
		}
		if l.Verified {
			lv.StatusText = tr(lang, "mina.line.verified")
		} else {
			lv.StatusText = tr(lang, "mina.line.estimate", tr(lang, "mina.rstatus."+l.Status))
		}
		v.Lines = append(v.Lines, lv)
	}
	v.WhatIf, v.WhatIfNote = s.minaWhatIfs(lang, d, v.Calc, people)
	return v, nil
}

// minaDecider names who decided: the robot, or a caseworker by name.
func (s *Server) minaDecider(ctx context.Context, lang string, a bistand.Actor) string {
	switch a.Kind {
	case bistand.ActorRobot:
		return tr(lang, "mina.decider.robot")
	case bistand.ActorCaseworker:
		if st, err := s.cfg.Store.StaffMember(ctx, a.ID); err == nil && st.Name != "" {
			return tr(lang, "mina.decider.caseworker.named", st.Name)
		}
		return tr(lang, "mina.decider.caseworker")
	}
	return tr(lang, "mina.who.system")
}

func minaKindText(lang, kind string) string {
	if lang != "en" {
		return rules.Kind(kind).Swedish()
	}
	return tr(lang, "mina.kind."+kind)
}

// minaClone copies a household so that one change leaves the original as
// it was.
func minaClone(h *rules.Household) *rules.Household {
	c := *h
	c.Members = slices.Clone(h.Members)
	c.Costs = slices.Clone(h.Costs)
	c.Incomes = slices.Clone(h.Incomes)
	return &c
}

// minaWhatIfs computes what would change the outcome, each statement by
// the rules engine on the decision's snapshot with one change: an income
// not counted, a capped cost at the municipality's level, and for a
// refusal how much lower an income would have to be for assistance. The
// note says why there are none.
func (s *Server) minaWhatIfs(lang string, d bistand.Decision, calc minaTrace, people map[string]minaPerson) ([]minaWhatIf, string) {
	h, err := rules.ParseHouseholdBytes(d.Snapshot)
	if err != nil {
		return nil, tr(lang, "mina.whatif.none")
	}
	base, err := s.cfg.Rules.Calculate(h, rules.Options{})
	if err != nil || base.Amount != calc.Amount || string(base.Outcome) != calc.Outcome {
		// The rules in force now do not give the decision's calculation
		// (they changed): nothing computed now would be true of it.
		return nil, tr(lang, "mina.whatif.changed")
	}
	run := func(change func(*rules.Household), trace bool) (*rules.Result, bool) {
		c := minaClone(h)
		change(c)
		res, err := s.cfg.Rules.Calculate(c, rules.Options{Trace: trace})
		return res, err == nil
	}
	applicant := ""
	for _, m := range h.Members {
		if m.Role == rules.Applicant {
			applicant = m.ID
		}
	}
	personOf := func(id string) string {
		if id == "" {
			id = applicant
		}
		return minaName(people, lang, id)
	}
	var out []minaWhatIf
	for i, in := range h.Incomes {
		if in.Amount <= 0 {
			continue
		}
		label := minaLowerFirst(tr(lang, "mina.income."+in.Type.String()))
		res, ok := run(func(c *rules.Household) { c.Incomes = slices.Delete(c.Incomes, i, i+1) }, false)
		if !ok || (res.Amount == base.Amount && res.Outcome == base.Outcome) {
			continue // not counted, or it changes nothing
		}
		// Less income never refuses: the changed calculation grants res.Amount.
		out = append(out, minaWhatIf{Kind: "income", Amount: res.Amount, Approved: res.Outcome == rules.Approved,
			Text: tr(lang, "mina.whatif.income", label, personOf(in.Person), formatKronor(in.Amount), formatKronor(res.Amount))})
	}
	for _, l := range calc.Lines {
		if l.Rule != "cost.cap" {
			continue
		}
		var typ string
		var limit, actual bistand.Money
		if json.Unmarshal(l.Params["cost_type"], &typ) != nil || json.Unmarshal(l.Params["cap"], &limit) != nil || json.Unmarshal(l.Params["actual"], &actual) != nil {
			continue
		}
		t, ok := rules.ParseCostType(typ)
		if !ok {
			continue
		}
		res, ok := run(func(c *rules.Household) {
			var kept []rules.Cost
			set := false
			for _, k := range c.Costs {
				if k.Type != t {
					kept = append(kept, k)
				} else if !set {
					k.Amount, set = limit, true
					kept = append(kept, k)
				}
			}
			c.Costs = kept
		}, true)
		if !ok || slices.ContainsFunc(res.Lines, func(x rules.Line) bool {
			p, _ := x.Params.Get("cost_type")
			return x.Rule == "cost.cap" && p.Text() == typ
		}) {
			continue
		}
		out = append(out, minaWhatIf{Kind: "cap", Amount: res.Amount, Approved: res.Outcome == rules.Approved,
			Text: tr(lang, "mina.whatif.cap", minaLowerFirst(tr(lang, "mina.cost."+typ)), formatKronor(limit), formatKronor(actual), formatKronor(res.Amount))})
	}
	if base.Outcome == rules.Rejected {
		for i, in := range h.Incomes {
			if in.Amount <= 0 {
				continue
			}
			lower := func(kr int64) (*rules.Result, bool) {
				return run(func(c *rules.Household) {
					c.Incomes[i].Amount = max(c.Incomes[i].Amount-bistand.Kronor(kr), 0)
				}, false)
			}
			hi := (int64(in.Amount) + 99) / 100
			if res, ok := lower(hi); !ok || res.Outcome != rules.Approved {
				continue // even without this income: no assistance
			}
			lo := int64(0) // lowering by lo kronor is not enough
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if res, ok := lower(mid); ok && res.Outcome == rules.Approved {
					hi = mid
				} else {
					lo = mid
				}
			}
			res, ok := lower(hi)
			if !ok || res.Outcome != rules.Approved {
				continue
			}
			by := bistand.Kronor(hi)
			out = append(out, minaWhatIf{Kind: "surplus", Amount: res.Amount, Approved: true,
				Text: tr(lang, "mina.whatif.surplus", minaLowerFirst(tr(lang, "mina.income."+in.Type.String())), personOf(in.Person), formatKronor(by),
					formatKronor(max(in.Amount-by, 0)), formatKronor(in.Amount), formatKronor(res.Amount))})
		}
	}
	if len(out) == 0 {
		return nil, tr(lang, "mina.whatif.nothing")
	}
	return out, ""
}

func (s *Server) minaDecision(w http.ResponseWriter, r *http.Request, p *Principal) {
	v, err := s.minaDecisionData(r.Context(), langOf(r), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "app_decision.html", v)
}

// minaLetter sends the decision's letter as PDF; not found until it is made.
func (s *Server) minaLetter(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	d, _, err := s.minaDecisionFor(ctx, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, pdf, _, err := s.cfg.Store.Letter(ctx, d.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="beslut-`+d.Month.String()+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(pdf)
}

// minaLowerFirst lowers a label's first letter for use inside a sentence.
func minaLowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
