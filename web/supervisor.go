package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
)

// The robot supervisor's page: how much the robot decides and why it
// leaves applications for a person, the registers' health, the queues, the
// robot's own counts, and the switch that pauses its automated decisions.
// A supervisor sees numbers, never cases.

// supervisorRoutes are the robot supervisor's pages.
func (s *Server) supervisorRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /robot", s.staff(s.supPage, KindSupervisor))
	mux.HandleFunc("POST /robot/paus", s.staff(s.supPausePost, KindSupervisor))
	s.handleAPI(mux, "GET /api/v1/robot/overview", s.staff(s.supAPIOverview, KindSupervisor))
	s.handleAPI(mux, "POST /api/v1/robot/pause", s.staff(s.supAPIPause, KindSupervisor))
}

// supMaxReason is the longest reason accepted for pausing or resuming.
const supMaxReason = 1000

// supOverview is the supervisor's page and the overview API's answer.
type supOverview struct {
	Pause      supPause               `json:"pause"`
	Today      supPeriod              `json:"today"`
	Month      supPeriod              `json:"month"`
	MonthLabel string                 `json:"-"`
	Reasons    []supReason            `json:"reasons"`
	Registers  []SourceHealth         `json:"registers"` // nil: unknown
	RegKnown   bool                   `json:"-"`
	States     map[bistand.State]int  `json:"applications_by_state"`
	StateRows  []supStateCount        `json:"-"`
	Queue      []supQueueStep         `json:"queue"` // nil: unknown
	Metrics    *robot.MetricsSnapshot `json:"metrics"`
	MetricRows []supReason            `json:"-"` // the metrics' reasons, labelled
	Form       supPauseForm           `json:"-"`
}

// supPause is whether automated decisions are paused, since when, by
// whom and why.
type supPause struct {
	Paused bool      `json:"paused"`
	Since  time.Time `json:"since,omitzero"`
	By     string    `json:"by,omitempty"`
	ByName string    `json:"by_name,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// supPauseForm is the pause form's state after a refused post.
type supPauseForm struct {
	Reason string
	Error  string // message key
}

// supPeriod is what was decided and routed in a period.
type supPeriod struct {
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Decisions int       `json:"decisions"`
	ByRobot   int       `json:"by_robot"`
	ByPeople  int       `json:"by_people"`
	Changes   int       `json:"changes"`
	Routed    int       `json:"routed"`
	RatePM    *int      `json:"automation_rate_per_mille"`
	Rate      string    `json:"-"` // the rate for people, "" without decisions
}

// supReason is one kind of finding with its label and counts.
type supReason struct {
	Kind         bistand.FindingKind `json:"kind"`
	Label        string              `json:"label"`
	Reason       string              `json:"reason,omitempty"`
	Payment      bool                `json:"payment,omitempty"`
	Findings     int                 `json:"findings"`
	Open         int                 `json:"open"`
	Resolved     int                 `json:"resolved"`
	Applications int                 `json:"applications"`
}

type supStateCount struct {
	State bistand.State
	Label string
	N     int
}

type supQueueStep struct {
	Step    string `json:"step"`
	Waiting int    `json:"waiting"`
	Ready   int    `json:"ready"`
}

// supQueueSteps are the background steps whose jobs the supervisor sees.
var supQueueSteps = []string{robot.StepCollect, robot.StepAssess, robot.StepDecide, sqlstore.StepLetter}

// overview gathers the supervisor's numbers, labelled in lang.
func (s *Server) supOverviewFor(r *http.Request, lang string) (supOverview, error) {
	ctx := r.Context()
	var o supOverview
	var err error
	if o.Pause, err = s.supPauseState(r); err != nil {
		return o, err
	}
	now := s.cfg.Now().In(stockholm)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, stockholm)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, stockholm)
	o.MonthLabel = bistand.DateOf(now).Month().String()
	if o.Today, err = s.supPeriodStats(r, lang, day, day.AddDate(0, 0, 1)); err != nil {
		return o, err
	}
	if o.Month, err = s.supPeriodStats(r, lang, month, month.AddDate(0, 1, 0)); err != nil {
		return o, err
	}
	counts, err := s.cfg.Store.FindingCounts(ctx, month, month.AddDate(0, 1, 0))
	if err != nil {
		return o, err
	}
	o.Reasons = []supReason{}
	for _, c := range counts {
		label, reason := supFindingLabel(lang, c.Kind)
		o.Reasons = append(o.Reasons, supReason{Kind: c.Kind, Label: label, Reason: reason, Payment: sqlstore.IsPaymentFinding(c.Kind),
			Findings: c.Findings, Open: c.Open, Resolved: c.Resolved, Applications: c.Applications})
	}
	if s.cfg.Registers != nil {
		o.Registers, o.RegKnown = s.cfg.Registers.Health(), true
		if o.Registers == nil {
			o.Registers = []SourceHealth{}
		}
	}
	if o.States, err = s.cfg.Store.CountByState(ctx); err != nil {
		return o, err
	}
	for _, st := range bistand.States() {
		o.StateRows = append(o.StateRows, supStateCount{State: st, Label: supStateLabel(lang, st), N: o.States[st]})
	}
	if q := s.cfg.Queue; q != nil {
		for _, step := range supQueueSteps {
			waiting, err := q.Waiting(ctx, step)
			if err != nil {
				return o, err
			}
			ready, err := q.Ready(ctx, step)
			if err != nil {
				return o, err
			}
			o.Queue = append(o.Queue, supQueueStep{Step: step, Waiting: len(waiting), Ready: len(ready)})
		}
	}
	if s.cfg.Metrics != nil {
		snap := s.cfg.Metrics.Snapshot()
		o.Metrics = &snap
		for kind, n := range snap.Reasons {
			label, _ := supFindingLabel(lang, bistand.FindingKind(kind))
			o.MetricRows = append(o.MetricRows, supReason{Kind: bistand.FindingKind(kind), Label: label, Applications: n})
		}
		slices.SortFunc(o.MetricRows, func(a, b supReason) int {
			if a.Applications != b.Applications {
				return b.Applications - a.Applications
			}
			return strings.Compare(string(a.Kind), string(b.Kind))
		})
	}
	return o, nil
}

func (s *Server) supPeriodStats(r *http.Request, lang string, from, to time.Time) (supPeriod, error) {
	st, err := s.cfg.Store.AutomationStats(r.Context(), from, to)
	if err != nil {
		return supPeriod{}, err
	}
	p := supPeriod{From: from, To: to, Decisions: st.Decisions, ByRobot: st.ByRobot, ByPeople: st.ByPeople, Changes: st.Changes, Routed: st.Routed}
	if pm, ok := st.RatePerMille(); ok {
		p.RatePM = &pm
		p.Rate = supPercent(lang, pm)
	}
	return p, nil
}

// supPercent writes a per mille share as a percentage with one
// decimal: "33,3 %" in Swedish, "33.3%" in English.
func supPercent(lang string, pm int) string {
	whole, tenth := pm/10, pm%10
	if lang == "en" {
		if tenth == 0 {
			return fmt.Sprintf("%d%%", whole)
		}
		return fmt.Sprintf("%d.%d%%", whole, tenth)
	}
	if tenth == 0 {
		return fmt.Sprintf("%d\u00a0%%", whole)
	}
	return fmt.Sprintf("%d,%d\u00a0%%", whole, tenth)
}

// supPause reads the pause setting.
func (s *Server) supPauseState(r *http.Request) (supPause, error) {
	st, ok, err := s.cfg.Store.Setting(r.Context(), sqlstore.SettingAutomationPaused)
	if err != nil || !ok {
		return supPause{}, err
	}
	p := supPause{Paused: st.Value == "true", Since: st.UpdatedAt, By: st.By.ID, Reason: st.Reason}
	if st.By.Kind == bistand.ActorCaseworker {
		if m, err := s.cfg.Store.StaffMember(r.Context(), st.By.ID); err == nil {
			p.ByName = m.Name
		}
	}
	return p, nil
}

// supSetPause pauses or resumes automated decisions with a reason. Asking for
// the state already in force changes nothing (changed false): a form sent
// twice does not move "since".
func (s *Server) supSetPause(r *http.Request, p *Principal, paused bool, reason string) (changed bool, err error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return false, fmt.Errorf("%w: say why", bistand.ErrInvalid)
	}
	if len([]rune(reason)) > supMaxReason {
		return false, fmt.Errorf("%w: the reason is longer than %d characters", bistand.ErrInvalid, supMaxReason)
	}
	cur, err := s.supPauseState(r)
	if err != nil {
		return false, err
	}
	if cur.Paused == paused {
		return false, nil
	}
	value := "false"
	if paused {
		value = "true"
	}
	if err := s.cfg.Store.SetSetting(r.Context(), p.Actor(), sqlstore.SettingAutomationPaused, value, reason); err != nil {
		return false, err
	}
	s.cfg.Log.Info("automation pause", "paused", paused, "by", p.Staff.ID)
	return true, nil
}

func (s *Server) supPage(w http.ResponseWriter, r *http.Request, p *Principal) {
	s.supRender(w, r, http.StatusOK, supPauseForm{})
}

func (s *Server) supRender(w http.ResponseWriter, r *http.Request, status int, form supPauseForm) {
	o, err := s.supOverviewFor(r, langOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o.Form = form
	s.render(w, r, status, "sup_overview.html", o)
}

// supPausePost is the pause form: paused "true" pauses, "false" resumes.
func (s *Server) supPausePost(w http.ResponseWriter, r *http.Request, p *Principal) {
	var paused bool
	switch r.PostFormValue("paused") {
	case "true":
		paused = true
	case "false":
	default:
		s.fail(w, r, fmt.Errorf("%w: paused is true or false", bistand.ErrInvalid))
		return
	}
	reason := r.PostFormValue("reason")
	changed, err := s.supSetPause(r, p, paused, reason)
	if errors.Is(err, bistand.ErrInvalid) {
		key := "sup.pause.reason.missing"
		if strings.TrimSpace(reason) != "" {
			key = "sup.pause.reason.long"
		}
		s.supRender(w, r, http.StatusBadRequest, supPauseForm{Reason: reason, Error: key})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "msg.sup.unchanged"
	switch {
	case changed && paused:
		msg = "msg.sup.paused"
	case changed:
		msg = "msg.sup.resumed"
	}
	redirectFlash(w, r, "/robot", msg)
}

func (s *Server) supAPIOverview(w http.ResponseWriter, r *http.Request, p *Principal) {
	o, err := s.supOverviewFor(r, langOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) supAPIPause(w http.ResponseWriter, r *http.Request, p *Principal) {
	var in struct {
		Paused *bool  `json:"paused"`
		Reason string `json:"reason"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || in.Paused == nil {
		s.fail(w, r, fmt.Errorf("%w: the body is a JSON object {\"paused\": true or false, \"reason\": \"…\"}", bistand.ErrInvalid))
		return
	}
	if _, err := s.supSetPause(r, p, *in.Paused, in.Reason); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.supPauseState(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// supFindingKinds are the Swedish and English labels of every kind of finding,
// with the English reason; the Swedish reason of the robot's own checks is
// robot.Checks', the others' is here.
var supFindingKinds = map[bistand.FindingKind]struct{ sv, en, whySv, whyEn string }{
	bistand.FindingFirstApplication:    {"Första ansökan", "First application", "", "A first application, or the first after a break, is always assessed by a person."},
	bistand.FindingProtectedIdentity:   {"Skyddade personuppgifter", "Protected personal data", "", "Someone in the household has protected personal data; a person handles the case."},
	bistand.FindingNotApproved:         {"Avslag eller lägre belopp", "Rejection or lower amount", "", "The calculation gives a rejection or a lower amount than applied for; such decisions are always made by a person."},
	bistand.FindingProposal:            {"Roboten får bara föreslå", "The robot may only propose", "", "The board has not delegated the decision to the robot; the robot proposes, a person decides."},
	bistand.FindingAmountAboveLimit:    {"Belopp över robotens gräns", "Amount above the robot's limit", "", "The amount is higher than the robot may grant on its own."},
	bistand.FindingAmountChange:        {"Stor ändring av beloppet", "Large change of the amount", "", "The amount changed more than the limit since last month."},
	bistand.FindingCostOutsideStandard: {"Kostnad utanför standardlistan", "Cost outside the standard list", "", "A cost outside the standard list needs an individual assessment."},
	bistand.FindingAFNotRegistered:     {"Inskrivning hos Arbetsförmedlingen ej bekräftad", "Registration with Arbetsförmedlingen not confirmed", "", "No registration with Arbetsförmedlingen (the Public Employment Service) could be confirmed for an adult of working age."},
	bistand.FindingAktivitetskrav:      {"Aktivitetskravet ej bekräftat", "Activity requirement not confirmed", "", "Participation in a full-time activity (the activity requirement) could not be confirmed for an adult."},
	bistand.FindingAutomationPaused:    {"Automatiska beslut pausade", "Automated decisions paused", "", "Automated decisions are paused by the robot supervisor; a person decides."},
	bistand.FindingRandomCheck:         {"Stickprov", "Random check", "", "The application was drawn for a random check."},
	bistand.FindingMemberAdded:         {"Ny person i hushållet", "New member of the household", "", "A person has joined the household since last month."},
	bistand.FindingMemberRemoved:       {"Person har lämnat hushållet", "Member has left the household", "", "A person who was in the household last month is not included now."},
	bistand.FindingIncomeTypeNew:       {"Ny inkomst", "New income", "", "An income has appeared since last month."},
	bistand.FindingIncomeTypeGone:      {"Inkomst har upphört", "Income has ended", "", "An income counted last month is not included now."},
	bistand.FindingRentChanged:         {"Ändrad boendekostnad", "Changed housing cost", "", "The housing cost has changed since last month."},

	bistand.FindingIncomeMismatch: {"Inkomst skiljer sig från registret", "Income differs from the register",
		"Inkomsten som hushållet har uppgett och den som registret visar skiljer sig mer än vad som godtas.", "The income the household declared and the one the register shows differ by more than is accepted."},
	bistand.FindingIncomeNotDeclared: {"Inkomst i registret som inte uppgetts", "Register income not declared",
		"Ett register visar en inkomst som hushållet inte har uppgett.", "A register shows an income the household did not declare."},
	bistand.FindingIncomeNotInRegister: {"Uppgiven inkomst saknas i registret", "Declared income not in the register",
		"Hushållet har uppgett en inkomst som registret inte visar.", "The household declared an income the register does not show."},
	bistand.FindingIncomeChange: {"Förmån har ändrats", "Benefit has changed",
		"En förmån har ändrats mer än gränsen mellan de två senaste månaderna.", "A benefit changed more than its threshold between the two previous months."},
	bistand.FindingUnmappedRegisterIncome: {"Okänd utbetalning i registret", "Unknown payment in the register",
		"Ett register visar en utbetalning som ingen regel känner igen; en person avgör vad den är.", "A register shows a payment no mapping covers; a person decides what it is."},
	bistand.FindingExpectedIncomeMissing: {"Väntad inkomst har inte kommit", "Expected income missing",
		"En inkomst som räknades förra månaden har inte kommit.", "An income counted last month has not appeared."},
	bistand.FindingSourceError: {"Register svarade inte", "Register did not answer",
		"Ett register svarade inte, så dess uppgifter saknas.", "A register did not answer, so its data is missing."},
	bistand.FindingNotInPopulationReg: {"Finns inte i folkbokföringen", "Not in the population register",
		"En person i hushållet hittades inte i folkbokföringen (Navet).", "A member of the household was not found in the population register (Navet)."},
	bistand.FindingSupplementExpired: {"Komplettering kom inte in", "Supplement not received",
		"En begärd komplettering kom inte in i tid; en person beslutar på det som finns i ärendet.", "A requested supplement did not come in time; a person decides on what the case holds."},
	bistand.FindingPaymentAccountMissing: {"Konto för utbetalning saknas", "No account to pay to",
		"Beslutet beviljar pengar men det finns inget konto att betala till, eller andelarna går inte ihop.", "The decision grants money but there is no account to pay to, or the shares do not add up."},
	bistand.FindingPaymentNotConfigured: {"Utbetalning inte inställd", "Payments not set up",
		"Kommunen har inga uppgifter för utbetalning (bankgiro, utbetalningsdagar) i bistand.", "The municipality has no payment data (bankgiro, payment days) in bistand."},
	bistand.FindingPaymentOverpaid: {"För mycket utbetalt", "Overpaid",
		"Ett beslut med lägre belopp ersatte ett beslut vars pengar redan hade betalats ut.", "A decision with a lower amount replaced one whose money had already been paid."},
	bistand.FindingPaymentFailed: {"Utbetalning misslyckades", "Payment failed",
		"Banken avvisade en betalning.", "The bank rejected a payment order."},
	bistand.FindingPaymentReportConflict: {"Motstridig rapport från banken", "Conflicting bank report",
		"En statusrapport från banken motsäger en betalnings slutliga status; inget ändrades.", "A status report from the bank contradicts a payment's final status; nothing changed."},
}

// supFindingLabel is a finding kind's label and reason in lang; an unknown
// kind is shown by its name.
func supFindingLabel(lang string, k bistand.FindingKind) (label, reason string) {
	f, ok := supFindingKinds[k]
	if !ok {
		return string(k), ""
	}
	if lang == "en" {
		return f.en, f.whyEn
	}
	reason = f.whySv
	if reason == "" {
		for _, c := range robot.Checks {
			if c.Kind == k {
				reason = c.Reason
			}
		}
	}
	return f.sv, reason
}

var supStateEnglish = map[bistand.State]string{
	bistand.Draft: "draft", bistand.Submitted: "submitted", bistand.Collecting: "collecting data",
	bistand.Assessed: "calculated, awaiting a decision", bistand.Decided: "decided", bistand.Paid: "paid",
	bistand.SupplementRequested: "supplement requested", bistand.Supplemented: "supplemented",
	bistand.RandomCheck: "random check", bistand.Withdrawn: "withdrawn", bistand.Expired: "expired",
}

// supStateLabel is an application state in lang.
func supStateLabel(lang string, st bistand.State) string {
	if lang == "en" {
		if s, ok := supStateEnglish[st]; ok {
			return s
		}
		return string(st)
	}
	return st.Swedish()
}

func init() {
	addMessages(map[string][2]string{
		"msg.sup.paused":    {"Automatiska beslut är pausade. Roboten lämnar nu varje ansökan till en handläggare.", "Automated decisions are paused. The robot now leaves every application for a caseworker."},
		"msg.sup.resumed":   {"Automatiska beslut är igång igen.", "Automated decisions have resumed."},
		"msg.sup.unchanged": {"Inget ändrades: inställningen var redan sådan.", "Nothing changed: the setting was already so."},

		"sup.title":                {"Robotöversikt", "Robot overview"},
		"sup.lead":                 {"Hur mycket roboten beslutar, varför den lämnar ansökningar till en handläggare och hur registren mår. Här syns bara siffror, inga ärenden.", "How much the robot decides, why it leaves applications for a caseworker, and how the registers are doing. Only numbers are shown here, no cases."},
		"sup.pause.title":          {"Automatiska beslut", "Automated decisions"},
		"sup.pause.on":             {"Automatiska beslut är PAUSADE.", "Automated decisions are PAUSED."},
		"sup.pause.on.what":        {"Roboten hämtar uppgifter och räknar fortfarande, men lämnar varje ansökan till en handläggare.", "The robot still collects data and calculates, but leaves every application for a caseworker."},
		"sup.pause.off":            {"Automatiska beslut är igång.", "Automated decisions are running."},
		"sup.pause.off.what":       {"Roboten beslutar de ansökningar som kommunens automatiseringsbeslut tillåter; resten lämnas till en handläggare.", "The robot decides the applications the municipality's automation policy allows; the rest are left for a caseworker."},
		"sup.pause.never":          {"Inställningen har aldrig ändrats.", "The setting has never been changed."},
		"sup.pause.since":          {"Sedan", "Since"},
		"sup.pause.by":             {"Ändrad av", "Changed by"},
		"sup.pause.why":            {"Skäl", "Reason"},
		"sup.pause.reason":         {"Varför pausar du?", "Why are you pausing?"},
		"sup.resume.reason":        {"Varför startar du igen?", "Why are you resuming?"},
		"sup.pause.reason.hint":    {"Skälet sparas i granskningsloggen med ditt namn och tiden och visas här.", "The reason is kept in the audit log with your name and the time, and shown here."},
		"sup.pause.reason.missing": {"Skriv varför. Skälet krävs.", "Write why. The reason is required."},
		"sup.pause.reason.long":    {"Skälet får vara högst 1 000 tecken.", "The reason may be at most 1,000 characters."},
		"sup.pause.button":         {"Pausa automatiska beslut", "Pause automated decisions"},
		"sup.resume.button":        {"Starta automatiska beslut igen", "Resume automated decisions"},
		"sup.error.title":          {"Det gick inte att spara", "It could not be saved"},

		"sup.auto.title":     {"Automatiseringsgrad", "Automation rate"},
		"sup.auto.caption":   {"Beslut och ansökningar till handläggare, idag och den här månaden", "Decisions and applications routed to a caseworker, today and this month"},
		"sup.auto.what":      {"Vad", "What"},
		"sup.auto.today":     {"Idag", "Today"},
		"sup.auto.month":     {"Månaden %s", "Month %s"},
		"sup.auto.rate":      {"Andel beslut som roboten fattat", "Share of decisions made by the robot"},
		"sup.auto.decisions": {"Beslut totalt", "Decisions in all"},
		"sup.auto.robot":     {"Beslut av roboten", "Decisions by the robot"},
		"sup.auto.people":    {"Beslut av handläggare", "Decisions by caseworkers"},
		"sup.auto.changes":   {"Varav ändrade beslut", "Of which changed decisions"},
		"sup.auto.routed":    {"Ansökningar lämnade till handläggare", "Applications left for a caseworker"},
		"sup.auto.none":      {"inga beslut", "no decisions"},
		"sup.auto.note":      {"Ändrade beslut räknas med i besluten. En ansökan räknas som lämnad till handläggare när roboten har gjort minst en avklaring på den under perioden.", "Changed decisions count among the decisions. An application counts as left for a caseworker when the robot raised at least one finding on it in the period."},

		"sup.reasons.title":    {"Varför ansökningar lämnades till handläggare", "Why applications were left for a caseworker"},
		"sup.reasons.caption":  {"Avklaringar som roboten gjort månaden %s, per skäl", "Findings the robot raised in %s, by reason"},
		"sup.reasons.reason":   {"Skäl", "Reason"},
		"sup.reasons.apps":     {"Ansökningar", "Applications"},
		"sup.reasons.open":     {"Avklaringar kvar", "Findings open"},
		"sup.reasons.resolved": {"Avklaringar klara", "Findings resolved"},
		"sup.reasons.none":     {"Inga avklaringar den här månaden.", "No findings this month."},
		"sup.reasons.payment":  {"gäller utbetalning", "about payment"},

		"sup.registers.title":    {"Register", "Registers"},
		"sup.registers.caption":  {"Hur registerkällorna mår", "How the register sources are doing"},
		"sup.registers.source":   {"Källa", "Source"},
		"sup.registers.state":    {"Läge", "State"},
		"sup.registers.detail":   {"Mer", "Detail"},
		"sup.registers.unknown":  {"Okänt: programmet rapporterar inte registrens läge här.", "Unknown: the program does not report the registers' state here."},
		"sup.registers.none":     {"Inga register har anropats ännu.", "No register has been called yet."},
		"sup.registers.ok":       {"fungerar", "working"},
		"sup.registers.degraded": {"stört", "degraded"},
		"sup.registers.down":     {"nere", "down"},

		"sup.states.title":   {"Ansökningar per läge", "Applications by state"},
		"sup.states.caption": {"Alla ansökningar per läge", "Every application by state"},
		"sup.states.state":   {"Läge", "State"},
		"sup.states.count":   {"Antal", "Number"},
		"sup.queue.caption":  {"Robotens kö per steg", "The robot's queue by step"},
		"sup.queue.step":     {"Steg", "Step"},
		"sup.queue.waiting":  {"Väntar", "Waiting"},
		"sup.queue.ready":    {"Redo att köras nu", "Ready to run now"},
		"sup.queue.unknown":  {"Kön är inte känd här; antalet ansökningar per läge visar var arbetet står.", "The queue is not known here; the applications by state show where the work stands."},
		"sup.step.collect":   {"hämta uppgifter", "collect data"},
		"sup.step.assess":    {"räkna och kontrollera", "calculate and check"},
		"sup.step.decide":    {"besluta", "decide"},
		"sup.step.letter":    {"skriva beslutsbrev", "write decision letters"},

		"sup.metrics.title":   {"Robotens räkning sedan start", "The robot's count since start"},
		"sup.metrics.unknown": {"Okänt: programmet rapporterar inte robotens räkning här.", "Unknown: the program does not report the robot's count here."},
		"sup.metrics.decided": {"Beslutade", "Decided"},
		"sup.metrics.routed":  {"Lämnade till handläggare", "Left for a caseworker"},
		"sup.metrics.random":  {"Stickprov", "Random checks"},
		"sup.metrics.supp":    {"Kompletteringar begärda", "Supplements requested"},
		"sup.metrics.letters": {"Beslutsbrev som inte gick att skapa", "Decision letters that could not be made"},
		"sup.metrics.caption": {"Skäl sedan start", "Reasons since start"},
	})
}
