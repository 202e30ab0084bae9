package web

// Correcting an application in answer to a supplement request: the same
// form as applying, filled in with what the application holds now; the
// confirmed changes are declared (and what is no longer declared is
// retracted) in the same transaction as the answer, so the robot
// calculates again on the corrected facts. A supplement the robot asked
// for (the facts could not be calculated) is answered this way; a paper
// a caseworker asked for, with the message and attachment form.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
)

// minaCorrectBase is what correcting an application starts from: its own
// declaration, compared with itself.
func (s *Server) minaCorrectBase(ctx context.Context, lang string, p *Principal, a bistand.Application) (*minaBase, []bistand.Fact, error) {
	c, err := s.householdCase(ctx, p, a.CaseID)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.cfg.Store.Facts(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	b := &minaBase{Case: c, Month: a.Month, Prev: &a}
	b.Decl, b.Carry, b.Months, b.HasMonths = minaDeclFromFacts(c, all)
	b.People = s.minaPeople(ctx, lang, c, a.ID, a.Month)
	return b, all, nil
}

// minaCorrections are the declared facts that make the application's
// declaration d: each fact whose value differs from the one declared, and
// a retraction of each member, cost, income or dwelling size no longer
// declared.
func minaCorrections(all []bistand.Fact, b *minaBase, d minaDecl) []sqlstore.FactInput {
	var declared []bistand.Fact
	for _, f := range all {
		if f.Provenance == bistand.Declared {
			declared = append(declared, f)
		}
	}
	inForce := sqlstore.Effective(declared)
	cur := map[string]bistand.Fact{}
	for _, f := range inForce {
		cur[f.Key] = f
	}
	var out []sqlstore.FactInput
	seen := map[string]bool{}
	for _, f := range d.facts(b) {
		seen[f.Key] = true
		if old, ok := cur[f.Key]; ok && old.Kind == f.Kind && minaSameValue(f.Kind, old.Value, f.Value) {
			continue
		}
		out = append(out, f)
	}
	for _, f := range inForce {
		switch f.Kind {
		case bistand.FactMember, bistand.FactCost, bistand.FactIncome, bistand.FactDwellingSize:
			if !seen[f.Key] {
				out = append(out, sqlstore.FactInput{Key: f.Key, Kind: f.Kind, Provenance: bistand.Declared})
			}
		}
	}
	return out
}

// minaSameValue reports whether two values of a kind of fact say the same
// (a member's "lunch_elsewhere": false is the same as none).
func minaSameValue(kind bistand.FactKind, a, b json.RawMessage) bool {
	same := func(x, y any) bool {
		if json.Unmarshal(a, x) != nil || json.Unmarshal(b, y) != nil {
			return false
		}
		xb, _ := json.Marshal(x)
		yb, _ := json.Marshal(y)
		return bytes.Equal(xb, yb)
	}
	switch kind {
	case bistand.FactMember:
		return same(&minaMemberValue{}, &minaMemberValue{})
	case bistand.FactCost:
		return same(&minaCostValue{}, &minaCostValue{})
	case bistand.FactIncome:
		return same(&minaIncomeValue{}, &minaIncomeValue{})
	case bistand.FactDwellingSize, bistand.FactMonthsOnAssistance:
		return same(&minaIntValue{}, &minaIntValue{})
	}
	var x, y bytes.Buffer
	return json.Compact(&x, a) == nil && json.Compact(&y, b) == nil && bytes.Equal(x.Bytes(), y.Bytes())
}

// minaCorrectionReason is the answer's text as recorded: the household's
// message and the changes, in Swedish (the records' language).
func minaCorrectionReason(message string, b *minaBase, d minaDecl) string {
	changes, _ := minaChanges("sv", b, d)
	var list []string
	for _, c := range changes {
		list = append(list, c.What+": "+c.From+" → "+c.To)
	}
	text := "Ändrade uppgifter: " + strings.Join(list, "; ") + "."
	if len(message)+len(text)+1 > sqlstore.MaxSupplementMessage {
		text = "Ändrade uppgifter: " + strconv.Itoa(len(list)) + " st."
	}
	return strings.TrimSpace(message + "\n" + text)
}

// minaCorrectApp reads the application the household corrects; one not
// waiting for a supplement is answered with a redirect (false).
func (s *Server) minaCorrectApp(w http.ResponseWriter, r *http.Request, p *Principal) (bistand.Application, bool) {
	a, err := s.householdApplication(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return a, false
	}
	if a.State != bistand.SupplementRequested {
		redirectFlash(w, r, "/mina/ansokan/"+a.ID, "msg.mina.nosupplement")
		return a, false
	}
	return a, true
}

func (s *Server) minaCorrectForm(w http.ResponseWriter, r *http.Request, p *Principal) {
	a, ok := s.minaCorrectApp(w, r, p)
	if !ok {
		return
	}
	lang := langOf(r)
	b, _, err := s.minaCorrectBase(r.Context(), lang, p, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "app_apply.html", s.minaApplyView(lang, p, b, minaMode{AppID: a.ID}, minaDeclValues(b, b.Decl), b.Decl, nil, false))
}

func (s *Server) minaCorrectPost(w http.ResponseWriter, r *http.Request, p *Principal) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errors.Join(bistand.ErrInvalid, err))
		return
	}
	a, ok := s.minaCorrectApp(w, r, p)
	if !ok {
		return
	}
	b, all, err := s.minaCorrectBase(ctx, langOf(r), p, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, ok := s.minaFormSteps(w, r, p, b, minaMode{AppID: a.ID})
	if !ok {
		return
	}
	facts := minaCorrections(all, b, d)
	if len(facts) == 0 {
		redirectFlash(w, r, "/mina/ansokan/"+a.ID, "msg.mina.nochange")
		return
	}
	reason := minaCorrectionReason(strings.TrimSpace(r.PostForm.Get("message")), b, d)
	if _, err := s.cfg.Store.AnswerSupplement(ctx, p.Actor(), a.ID, reason, facts, []sqlstore.Job{robot.Job(robot.StepCollect, a.ID)}); err != nil {
		s.fail(w, r, err)
		return
	}
	redirectFlash(w, r, "/mina/ansokan/"+a.ID, "msg.mina.supplemented")
}
