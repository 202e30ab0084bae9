// Package robot is the automated handling of submitted applications as
// idempotent background steps: collect → assess → decide, or leave the case
// for a caseworker. Each step acts only if the application is still in the
// state the step expects, so a step that runs twice (after a crash) changes
// nothing the second time.
//
// This is the pipeline's skeleton: register collection (issue 4) and the
// municipality's checks and automation policy (issue 5) plug into it.
package robot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/letters"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
)

// Steps.
const (
	StepCollect = "collect"
	StepAssess  = "assess"
	StepDecide  = "decide"
)

// Args of every step.
type Args struct {
	ApplicationID string `json:"application_id"`
}

// Actor is the robot as it appears in records.
var Actor = bistand.Actor{Kind: bistand.ActorRobot, ID: "robot"}

// Robot runs the steps against a store.
type Robot struct {
	Store *sqlstore.Store
	Log   *slog.Logger
	Now   func() time.Time
	// SupplementDays is how long a household has to answer a supplement
	// request the robot makes.
	SupplementDays int
	// Collector gathers register data; nil collects nothing (the household's
	// declarations are all there is).
	Collector Collector
	// PollInterval is how long to wait before asking the registers again
	// for data that is expected but has not arrived.
	PollInterval time.Duration
	// Rules is the rule engine whose automation policies the robot follows;
	// nil means rules.Default().
	Rules *rules.Engine
	// Metrics, if set, counts what the robot does.
	Metrics *Metrics
}

func (r *Robot) rules() *rules.Engine {
	if r.Rules != nil {
		return r.Rules
	}
	return rules.Default()
}

// Collection is what gathering register data for an application concluded.
type Collection struct {
	Facts     []sqlstore.FactInput
	Findings  []sqlstore.FindingInput
	Protected []string // person ids the population register marks as protected
	// Waiting: expected data has not arrived; ask again after PollInterval.
	Waiting bool
}

// Collector gathers and compares register data for an application that is
// being collected; since is when collecting began.
type Collector interface {
	Collect(ctx context.Context, app bistand.Application, since time.Time) (Collection, error)
}

func (r *Robot) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Job returns the job for a step.
func Job(step, appID string) sqlstore.Job {
	return sqlstore.Job{Kind: step, Args: Args{ApplicationID: appID}}
}

// Handlers returns the queue handlers of every step.
func (r *Robot) Handlers() map[string]queue.Handler {
	wrap := func(name string, fn func(context.Context, string) error) queue.Handler {
		return func(ctx context.Context, raw json.RawMessage) error {
			var a Args
			if err := json.Unmarshal(raw, &a); err != nil || a.ApplicationID == "" {
				return fmt.Errorf("bad step arguments")
			}
			start := time.Now()
			err := fn(ctx, a.ApplicationID)
			r.Metrics.step(name, time.Since(start))
			return err
		}
	}
	return map[string]queue.Handler{
		StepCollect:         wrap(StepCollect, r.collect),
		StepAssess:          wrap(StepAssess, r.assess),
		StepDecide:          wrap(StepDecide, func(ctx context.Context, appID string) error { return r.decide(ctx, appID, nil) }),
		sqlstore.StepLetter: r.letter,
	}
}

// letter is the letter step: every recorded decision enqueues it (see
// package letters). A letter that cannot be made from the records (no name
// or address from the population register, no organisational data for the
// municipality) is not retried: the job ends with a warning naming the
// decision, and `bistand letter` makes the letter once the records allow.
// Nor is a letter that differs from the one stored (ErrConflict): letters
// are deterministic, so that needs a person to look.
func (r *Robot) letter(ctx context.Context, raw json.RawMessage) error {
	var a sqlstore.LetterArgs
	if err := json.Unmarshal(raw, &a); err != nil || a.DecisionID == "" {
		return fmt.Errorf("bad letter arguments")
	}
	start := time.Now()
	err := (&letters.Writer{Store: r.Store, Log: r.log()}).Write(ctx, a.DecisionID)
	r.Metrics.step(sqlstore.StepLetter, time.Since(start))
	if errors.Is(err, letters.ErrNoRecipient) || errors.Is(err, bistand.ErrInvalid) || errors.Is(err, bistand.ErrNotFound) ||
		errors.Is(err, bistand.ErrConflict) || errors.Is(err, sqlstore.ErrNoBlobStore) {
		r.log().Warn("no letter", "decision", a.DecisionID, "err", sqlstore.RedactPersonnummer(err.Error()))
		r.Metrics.letterFailed()
		return queue.Cancel(err)
	}
	return err
}

func (r *Robot) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// collect gathers register data for a submitted or supplemented
// application and moves it to collecting together with what the registers
// said (one change); when everything expected is there (or the polling
// window has closed) the assessment follows, otherwise collect runs again
// after PollInterval, from collecting. Without a Collector it moves
// straight on.
func (r *Robot) collect(ctx context.Context, appID string) error {
	app, err := r.Store.Application(ctx, Actor, appID)
	if err != nil {
		return err
	}
	from := app.State
	switch from {
	case bistand.Submitted, bistand.Supplemented, bistand.Collecting:
	default:
		return nil // done already, or taken out of the robot's hands
	}
	// start moves the application to collecting, unless it is there
	// already; ok false: its state changed meanwhile, and the step stops.
	start := func(c *sqlstore.Change) (bool, error) {
		if from == bistand.Collecting {
			return true, nil
		}
		_, ok, err := c.Transition(appID, bistand.Collecting, "", sqlstore.TransitionOptions{IfState: from})
		return ok, err
	}
	if r.Collector == nil {
		ok := false
		if err := r.Store.Change(ctx, Actor, func(c *sqlstore.Change) (err error) { ok, err = start(c); return err }); err != nil || !ok {
			return err
		}
		return r.assess(ctx, appID)
	}
	// The polling window runs from when the application was handed to the
	// robot (submitted or supplemented: its last change), or, collecting
	// again, from the move to collecting.
	since := app.UpdatedAt
	if from == bistand.Collecting {
		if trs, err := r.Store.Transitions(ctx, appID); err == nil {
			for _, t := range trs {
				if t.To == bistand.Collecting {
					since = t.At
				}
			}
		}
	}
	c, err := r.Collector.Collect(ctx, app, since)
	if err != nil {
		return err
	}
	for _, p := range c.Protected {
		if err := r.Store.MarkProtected(ctx, Actor, p, true, "Folkbokföringen: skyddad identitet"); err != nil {
			return err
		}
	}
	var next []sqlstore.Job
	if c.Waiting {
		poll := r.PollInterval
		if poll == 0 {
			poll = 6 * time.Hour
		}
		job := Job(StepCollect, appID)
		job.RunAt = r.now().Add(poll)
		next = append(next, job)
	}
	started := false
	if err := r.Store.Change(ctx, Actor, func(ch *sqlstore.Change) error {
		var err error
		if started, err = start(ch); err != nil || !started {
			return err
		}
		return ch.RecordCollection(appID, c.Facts, c.Findings, next)
	}); err != nil || !started {
		return err
	}
	r.log().Info("collected", "application", appID, "facts", len(c.Facts), "findings", len(c.Findings), "waiting", c.Waiting)
	if c.Waiting {
		return nil
	}
	// Go straight on within this job: should the process die before the
	// job completes, the queue runs the job again and every step finds
	// what is already done.
	return r.assess(ctx, appID)
}

// assess checks that the facts describe a household that can be calculated.
// If not, it asks the household for a supplement (komplettering) naming the
// field; otherwise the checks and the decision follow at once, and the
// application is assessed together with their outcome.
func (r *Robot) assess(ctx context.Context, appID string) error {
	h, _, herr := r.Store.Household(ctx, appID)
	var res *rules.Result
	if herr == nil {
		// Parsing checks the form of the facts; calculating checks the rest
		// (ages, roles, a month the rules cover).
		res, herr = r.rules().Calculate(h, rules.Options{})
	}
	var fe *rules.FieldError
	if errors.As(herr, &fe) {
		return r.requestSupplement(ctx, appID, fe)
	}
	if herr != nil {
		return herr
	}
	// The move to assessed is recorded with the checks' outcome (decide).
	return r.decide(ctx, appID, &calculated{h: h, res: res})
}

// calculated is the household an application's facts describe and its
// calculation, as the assessment has just read them, so that the checks
// that follow at once in the same job need not read and calculate them
// again. (Reading again a moment later would not close the window for a
// person's change either; the decision itself is calculated again, in its
// own transaction, from the facts recorded then.)
type calculated struct {
	h   *rules.Household
	res *rules.Result
}

// decide runs the checks (checks.go) on an assessed application and, if
// none stops it and the municipality has delegated the decision, draws for a
// random check and decides as calculated. Otherwise the findings say why a
// person must take over. The robot never rejects and never grants less than
// calculated.
func (r *Robot) decide(ctx context.Context, appID string, pre *calculated) error {
	app, err := r.Store.Application(ctx, Actor, appID)
	if err != nil {
		return err
	}
	// From assess (pre set), the application is still collecting and is
	// moved to assessed in the change that records the outcome; a decide
	// job finds it assessed.
	from := app.State
	if from != bistand.Assessed && (from != bistand.Collecting || pre == nil) {
		return nil
	}
	if pre == nil {
		h, _, err := r.Store.Household(ctx, appID)
		if err != nil {
			return err
		}
		res, err := r.rules().Calculate(h, rules.Options{})
		if err != nil {
			return err
		}
		pre = &calculated{h: h, res: res}
	}
	h, res := pre.h, pre.res
	c, err := r.Store.Case(ctx, Actor, app.CaseID)
	if err != nil {
		return err
	}
	policy, err := r.rules().Policy(c.Municipality, app.Month)
	if err != nil {
		return err
	}
	previous, err := r.previousDecision(ctx, app)
	if err != nil {
		return err
	}
	all, err := r.Store.Facts(ctx, appID)
	if err != nil {
		return err
	}
	facts := sqlstore.Effective(all)
	persons := map[string]bistand.Person{}
	for _, m := range h.Members {
		p, err := r.Store.Person(ctx, m.ID)
		if err != nil {
			return err
		}
		persons[m.ID] = p
	}
	r.Metrics.outcome(string(res.Outcome))
	found := runChecks(checkInput{app: app, h: h, res: res, policy: policy, aktivitetskrav: r.rules().Aktivitetskrav(app.Month),
		previous: previous, facts: facts, persons: persons})
	// What the checks concluded is one change: the move to assessed, and
	// the findings, the random-check draw or the decision. Everything it
	// needs is read first (reads inside it would hold up the one writer).
	var (
		routed   []string
		selected bool
		draw     *sqlstore.FactInput
	)
	if len(found) > 0 {
		routed = kinds(found)
	} else if open, err := r.Store.Findings(ctx, appID, bistand.FindingOpen); err != nil {
		return err
	} else if len(open) > 0 {
		routed = findingKinds(open) // raised while collecting
	} else if paused, err := r.Store.AutomationPaused(ctx); err != nil {
		return err
	} else if paused {
		// A supervisor may pause automated decisions: everything else runs,
		// and the case is left for a caseworker saying so.
		found = []sqlstore.FindingInput{{Kind: bistand.FindingAutomationPaused, Subject: "paus",
			Text: reason(bistand.FindingAutomationPaused) + fmt.Sprintf(" Förslag enligt beräkningen: %s.", res.Amount), Data: map[string]any{"amount": res.Amount}}}
		routed = kinds(found)
	} else if policy.SamplePerMille > 0 {
		if selected, draw, err = r.draw(facts, policy.SamplePerMille); err != nil {
			return err
		}
	}
	var decision bistand.Decision
	recorded := false
	err = r.Store.Change(ctx, Actor, func(c *sqlstore.Change) error {
		decision, recorded = bistand.Decision{}, false
		if from == bistand.Collecting {
			if _, ok, err := c.Transition(appID, bistand.Assessed, "", sqlstore.TransitionOptions{IfState: bistand.Collecting}); err != nil || !ok {
				return err // !ok: someone else moved it meanwhile
			}
		}
		recorded = true
		if routed != nil {
			_, err := c.AddFindings(appID, found) // none: raised while collecting
			return err
		}
		if draw != nil {
			if _, err := c.AddFacts(appID, []sqlstore.FactInput{*draw}); err != nil {
				return err
			}
		}
		if selected {
			if _, _, err := c.Transition(appID, bistand.RandomCheck, reason(bistand.FindingRandomCheck),
				sqlstore.TransitionOptions{IfState: bistand.Assessed}); err != nil {
				return err
			}
			_, err := c.AddFindings(appID, []sqlstore.FindingInput{{Kind: bistand.FindingRandomCheck, Subject: "stickprov",
				Text: reason(bistand.FindingRandomCheck) + " Begär underlag (till exempel kontoutdrag) och bedöm ansökan.", Data: map[string]any{"per_mille": policy.SamplePerMille}}})
			return err
		}
		d, ok, err := c.Decide(appID, sqlstore.DecideInput{IfState: bistand.Assessed,
			Motivation: "Beviljas enligt beräkningen; automatiserat beslut enligt nämndens delegation."})
		if ok {
			decision = d
		}
		return err
	})
	if err != nil || !recorded {
		return err
	}
	switch {
	case routed != nil:
		r.log().Info("left for a caseworker", "application", appID, "reasons", routed)
		r.Metrics.routed(routed)
	case selected:
		r.log().Info("drawn for a random check", "application", appID)
		r.Metrics.randomCheck()
	case decision.ID != "":
		r.log().Info("decided", "application", appID, "decision", decision.ID)
		r.Metrics.decided()
	}
	return nil
}

// requestSupplement asks the household to complete an application whose
// facts cannot be calculated, due in the municipality's supplement days, and
// tells the applicant.
func (r *Robot) requestSupplement(ctx context.Context, appID string, fe *rules.FieldError) error {
	app, err := r.Store.Application(ctx, Actor, appID)
	if err != nil {
		return err
	}
	c, err := r.Store.Case(ctx, Actor, app.CaseID)
	if err != nil {
		return err
	}
	days := r.SupplementDays
	if p, err := r.rules().Policy(c.Municipality, app.Month); err == nil && days == 0 {
		days = p.SupplementDays
	}
	if days == 0 {
		days = 14
	}
	due := bistand.DateOf(r.now()).AddDays(days)
	text := fmt.Sprintf("Uppgifterna i ansökan räcker inte för att räkna fram ett belopp (%s: %s). Komplettera ansökan senast %s.", fe.Field, fe.Msg, due)
	app, ok, err := r.Store.Transition(ctx, Actor, appID, bistand.SupplementRequested, text,
		sqlstore.TransitionOptions{IfState: bistand.Collecting, SupplementDue: due})
	if err != nil {
		return err
	}
	if ok {
		r.log().Info("supplement requested", "application", appID, "field", fe.Field)
		r.Metrics.supplement()
	}
	if app.State != bistand.SupplementRequested {
		return nil
	}
	// Tell the applicant (also when an earlier run requested the supplement
	// but stopped before telling: the notification is one per due date).
	if !ok {
		trs, err := r.Store.Transitions(ctx, appID)
		if err != nil || len(trs) == 0 {
			return err
		}
		text = trs[len(trs)-1].Reason
	}
	applicant := ""
	for _, m := range c.Members {
		if m.Role == "applicant" {
			applicant = m.PersonID
		}
	}
	_, err = r.Store.AddNotification(ctx, Actor, bistand.Notification{ApplicationID: appID, CaseID: app.CaseID, PersonID: applicant,
		Kind: "supplement_request", Ref: app.SupplementDue.String(), Subject: "Din ansökan behöver kompletteras", Body: text})
	if errors.Is(err, bistand.ErrConflict) {
		return nil // already told (the step ran before)
	}
	return err
}

func kinds(fs []sqlstore.FindingInput) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Kind))
	}
	return out
}

func findingKinds(fs []bistand.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Kind))
	}
	return out
}

// Resume enqueues the next step of every application that is part-way
// through the pipeline and has no job waiting for that step, and the letter
// step of every decision without a letter and without one ready to run. This gets work
// moving at once after a crash instead of waiting for the queue to rescue
// the jobs the dead process held; should such a job run later too, the step
// finds the application moved on and does nothing.
func (r *Robot) Resume(ctx context.Context, q *queue.Queue) (int, error) {
	n := 0
	collecting := StepAssess
	if r.Collector != nil {
		collecting = StepCollect // collect again: it may not have finished
	}
	for _, s := range []struct {
		state bistand.State
		step  string
	}{{bistand.Submitted, StepCollect}, {bistand.Supplemented, StepCollect}, {bistand.Collecting, collecting}, {bistand.Assessed, StepDecide}} {
		waiting, err := q.Waiting(ctx, s.step)
		if err != nil {
			return n, err
		}
		queued := map[string]bool{}
		for _, raw := range waiting {
			var a Args
			if json.Unmarshal(raw, &a) == nil {
				queued[a.ApplicationID] = true
			}
		}
		ids, err := r.Store.ApplicationsInState(ctx, s.state, 1_000_000)
		if err != nil {
			return n, err
		}
		var jobs []sqlstore.Job
		for _, id := range ids {
			if !queued[id] {
				jobs = append(jobs, Job(s.step, id))
			}
		}
		for len(jobs) > 0 {
			batch := jobs[:min(len(jobs), 1000)]
			jobs = jobs[len(batch):]
			if err := r.Store.Enqueue(ctx, batch); err != nil {
				return n, err
			}
			n += len(batch)
		}
	}
	// Letters: every decision without one and without a letter step ready
	// to run gets a step now — also one whose step a dead process holds,
	// or that waits out a retry's backoff (a step killed several times may
	// wait minutes). A step that then runs twice stores and tells once.
	waiting, err := q.Ready(ctx, sqlstore.StepLetter)
	if err != nil {
		return n, err
	}
	queued := map[string]bool{}
	for _, raw := range waiting {
		var a sqlstore.LetterArgs
		if json.Unmarshal(raw, &a) == nil {
			queued[a.DecisionID] = true
		}
	}
	ids, err := r.Store.DecisionsWithoutLetter(ctx, 1_000_000)
	if err != nil {
		return n, err
	}
	var jobs []sqlstore.Job
	for _, id := range ids {
		if !queued[id] {
			jobs = append(jobs, sqlstore.LetterJob(id))
		}
	}
	for len(jobs) > 0 {
		batch := jobs[:min(len(jobs), 1000)]
		jobs = jobs[len(batch):]
		if err := r.Store.Enqueue(ctx, batch); err != nil {
			return n, err
		}
		n += len(batch)
	}
	return n, nil
}
