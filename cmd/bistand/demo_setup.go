package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/collect"
	"github.com/bistand/bistand/population"
	"github.com/bistand/bistand/rules"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/synth"
	"github.com/bistand/bistand/web"
)

// The demo's staff: two caseworkers of the unit that has the demo's cases
// (two, so that one can approve the other's decisions: four eyes), one of
// another unit (who sees none of them) and a robot supervisor.
var demoStaff = []sqlstore.Staff{
	{ID: "hl-anna", Name: "Anna Handläggare", Role: sqlstore.RoleCaseworker, Unit: "forsorjningsstod", Active: true},
	{ID: "hl-bo", Name: "Bo Handläggare", Role: sqlstore.RoleCaseworker, Unit: "forsorjningsstod", Active: true},
	{ID: "hl-cecilia", Name: "Cecilia Handläggare", Role: sqlstore.RoleCaseworker, Unit: "forsorjningsstod-vast", Active: true},
	{ID: "rs-dana", Name: "Dana Robotansvarig", Role: sqlstore.RoleSupervisor, Unit: "forsorjningsstod", Active: true},
}

var demoStaffNotes = map[string]string{
	"hl-anna":    "Handläggare, enhet Försörjningsstöd: arbetskö, ärenden, möten.",
	"hl-bo":      "Handläggare i samma enhet (kan godkänna Annas beslut, fyra ögon).",
	"hl-cecilia": "Handläggare i en annan enhet: ser inte enhetens ärenden.",
	"rs-dana":    "Robotansvarig: automatiseringsgrad, orsaker, registerhälsa, paus.",
}

// demoApplicants is how many of the demo's households have not yet applied
// for the month: their applicants are the demo's applicant logins
// (demoUnapplied chooses which).
const demoApplicants = 6

// demoUnapplied chooses the households that have not applied for the month:
// the first three (by index) whose one adult can send the application alone
// and whose traits give the robot no reason to stop (demoReasons), so that
// the demo shows automated decisions, and the first three others, which
// show a caseworker's. It depends only on the population, so a restarted
// demo lists the same logins.
func demoUnapplied(pop *population.Population) map[int]bool {
	out := map[int]bool{}
	clean, other := 0, 0
	for i := range pop.Size() {
		if clean+other == demoApplicants {
			break
		}
		h := pop.Household(i)
		if demoAdults(h) == 1 && len(demoReasons(h)) == 0 {
			if clean < demoApplicants/2 {
				clean++
				out[i] = true
			}
		} else if other < demoApplicants-demoApplicants/2 {
			other++
			out[i] = true
		}
	}
	// A population with too few of one kind: the lowest other indices.
	for i := 0; len(out) < min(demoApplicants, pop.Size()); i++ {
		out[i] = true
	}
	return out
}

func demoAdults(h population.Household) int {
	n := 0
	for _, m := range h.Members {
		if m.Role != "child" {
			n++
		}
	}
	return n
}

// demoReasons are the reasons, as the household's traits in the population
// tell them, why the robot leaves the household's application for a
// caseworker even when it applies with last month's answers unchanged
// (robot/checks.go and the registers' findings).
func demoReasons(h population.Household) []string {
	var out []string
	for _, m := range h.Members {
		if m.Protected {
			out = append(out, "Har skyddade personuppgifter: handläggs alltid av en person.")
			break
		}
	}
	if h.FailsSource != "" {
		out = append(out, "Ett register svarar inte för hushållet: en handläggare tar över.")
	}
	if h.Late {
		out = append(out, "Försäkringskassan betalar sent, så inkomsten syns inte i registret: en handläggare tar över.")
	}
	if h.Varying {
		out = append(out, "Inkomsten ändras från månad till månad: en handläggare tar över.")
	}
	if h.Contradicts {
		out = append(out, "Uppger mindre inkomst än registren visar: en handläggare tar över.")
	}
	for _, m := range h.Members {
		if m.Role == "child" || m.RegisteredAtAF {
			continue
		}
		switch m.Profile {
		case "sick", "parental", "student", "pension":
			continue // not required to be registered
		}
		out = append(out, "Inte inskriven hos Arbetsförmedlingen: en handläggare tar över.")
		break
	}
	return out
}

// demoNote tells what happens when the household applies with last month's
// answers unchanged: the traits' reasons, and for the others whether last
// month's calculation is one the robot may grant (approved, within the
// municipality's limit for automated decisions).
func demoNote(ctx context.Context, st *sqlstore.Store, h population.Household, personID string, month bistand.Month) (string, error) {
	adults, children := demoAdults(h), len(h.Members)-demoAdults(h)
	note := fmt.Sprintf("%d vuxen, %d barn.", adults, children)
	if adults == 2 {
		note = fmt.Sprintf("%d vuxna, %d barn. Ansökan skickas in när båda vuxna har skrivit under: logga sedan in som medsökande och skriv under.", adults, children)
	}
	if reasons := demoReasons(h); len(reasons) > 0 {
		return note + " " + strings.Join(reasons, " "), nil
	}
	if adults != 1 {
		return note, nil
	}
	cases, err := st.CasesOfPerson(ctx, personID)
	if err != nil || len(cases) == 0 {
		return note, err
	}
	prev, err := st.CaseDecisionFor(ctx, cases[0], month.Add(-1))
	if errors.Is(err, bistand.ErrNotFound) {
		return note + " Första ansökan: en handläggare beslutar.", nil
	}
	if err != nil {
		return "", err
	}
	policy, err := rules.Default().Policy("demo", month)
	if err != nil {
		return "", err
	}
	switch {
	case prev.Outcome != bistand.OutcomeApproved:
		return note + " Beräkningen ger inget bistånd: en handläggare beslutar.", nil
	case policy.Mode != rules.ModeDecideApprovals || (policy.MaxAutoAmount > 0 && prev.Amount > policy.MaxAutoAmount):
		return note + " Beloppet är högre än roboten får bevilja: en handläggare beslutar.", nil
	}
	return note + " " + demoAutoNote, nil
}

// demoAutoNote is the note of an applicant whose unchanged application the
// robot grants (the browser tests choose their applicant by it).
const demoAutoNote = "Beviljas automatiskt av roboten om inget ändras (utom om ansökan lottas till stickprov)."

// demoHistoryMonths is how many months before this one the demo's
// households applied, each decided by a caseworker.
const demoHistoryMonths = 3

var demoSetupActor = bistand.Actor{Kind: bistand.ActorSystem, ID: "demo-setup"}

// setUpDemo sets up the demo municipality on an empty database: staff, the
// population's households with last month decided by a caseworker, this
// month's applications of all but six households (demoUnapplied; the robot
// then works them), some meetings. On a database already set up it only
// lists the demo logins. Each applicant login's note says what happens when
// the household applies unchanged (demoNote).
func setUpDemo(ctx context.Context, sys *system, pop *population.Population, month bistand.Month) ([]web.DemoLogin, error) {
	st := sys.store
	existing, err := st.StaffList(ctx)
	if err != nil {
		return nil, err
	}
	fresh := len(existing) == 0
	if fresh {
		for _, s := range demoStaff {
			if _, err := st.PutStaff(ctx, demoSetupActor, s); err != nil {
				return nil, err
			}
		}
		table := collect.DefaultTable()
		anna := demoStaff[0].Actor()
		unapplied := demoUnapplied(pop)
		for i := range pop.Size() {
			p, err := synth.PrepareFromPopulation(ctx, st, pop, table, i, "demo", month, synth.Options{History: true, Months: demoHistoryMonths})
			if err != nil {
				return nil, err
			}
			unit, assignee := "forsorjningsstod", ""
			switch {
			case i%10 == 9:
				unit = "forsorjningsstod-vast"
			case i%3 == 0:
				assignee = "hl-anna"
			}
			if err := st.Assign(ctx, demoSetupActor, p.CaseID(), unit, assignee); err != nil {
				return nil, err
			}
			if unit == "forsorjningsstod" && i%2 == 0 {
				// The first meeting, when last month's application was
				// assessed.
				first := month.Add(-demoHistoryMonths).FirstDay().AddDays(3 + i%7)
				m, err := st.BookMeeting(ctx, anna, sqlstore.Meeting{CaseID: p.CaseID(), StartsAt: first.String() + "T10:00", Minutes: 60, Kind: "visit", Purpose: "Nybesök: första ansökan"})
				if err != nil {
					return nil, err
				}
				if _, err := st.RecordMeeting(ctx, anna, m.ID, sqlstore.MeetingHeld, "Gick igenom ansökan och underlag. Planering: kontakt med Arbetsförmedlingen.", month.FirstDay().AddDays(20)); err != nil {
					return nil, err
				}
			}
			if !unapplied[i] {
				if _, err := p.Submit(ctx, st); err != nil {
					return nil, err
				}
			}
		}
	}
	var logins []web.DemoLogin
	unapplied := demoUnapplied(pop)
	for i := range pop.Size() {
		if !unapplied[i] {
			continue
		}
		h := pop.Household(i)
		a := h.Members[0]
		p, err := st.PersonByNumber(ctx, a.Number)
		if err != nil {
			return nil, fmt.Errorf("demo applicant %d: %w", i, err)
		}
		note, err := demoNote(ctx, st, h, p.ID, month)
		if err != nil {
			return nil, fmt.Errorf("demo applicant %d: %w", i, err)
		}
		logins = append(logins, web.DemoLogin{Kind: web.KindApplicant, Subject: p.ID, Name: a.GivenName + " " + a.FamilyName, Note: note})
		// A partner signs separately, with a login of their own.
		for _, m := range h.Members[1:] {
			if m.Role != "partner" {
				continue
			}
			pp, err := st.PersonByNumber(ctx, m.Number)
			if err != nil {
				return nil, fmt.Errorf("demo partner %d: %w", i, err)
			}
			logins = append(logins, web.DemoLogin{Kind: web.KindApplicant, Subject: pp.ID, Name: m.GivenName + " " + m.FamilyName,
				Note: "Medsökande till " + a.GivenName + " " + a.FamilyName + ": skriver under ansökan efter att den skickats."})
		}
	}
	for _, s := range demoStaff {
		logins = append(logins, web.DemoLogin{Kind: "staff", Subject: s.ID, Name: s.Name, Note: demoStaffNotes[s.ID]})
	}
	return logins, nil
}
