package main

import (
	"context"
	"fmt"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/collect"
	"github.com/bistand/bistand/population"
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
// for the month: their applicants are the demo's applicant logins.
const demoApplicants = 6

var demoSetupActor = bistand.Actor{Kind: bistand.ActorSystem, ID: "demo-setup"}

// setUpDemo sets up the demo municipality on an empty database: staff, the
// population's households with last month decided by a caseworker, this
// month's applications of all but the first few households (which the robot
// then works), some meetings. On a database already set up it only lists
// the demo logins.
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
		for i := range pop.Size() {
			p, err := synth.PrepareFromPopulation(ctx, st, pop, table, i, "demo", month, synth.Options{History: true})
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
				first := month.Add(-1).FirstDay().AddDays(3 + i%7)
				m, err := st.BookMeeting(ctx, anna, sqlstore.Meeting{CaseID: p.CaseID(), StartsAt: first.String() + "T10:00", Minutes: 60, Kind: "visit", Purpose: "Nybesök: första ansökan"})
				if err != nil {
					return nil, err
				}
				if _, err := st.RecordMeeting(ctx, anna, m.ID, sqlstore.MeetingHeld, "Gick igenom ansökan och underlag. Planering: kontakt med Arbetsförmedlingen.", month.FirstDay().AddDays(20)); err != nil {
					return nil, err
				}
			}
			if i >= demoApplicants {
				if _, err := p.Submit(ctx, st); err != nil {
					return nil, err
				}
			}
		}
	}
	var logins []web.DemoLogin
	for i := range min(demoApplicants, pop.Size()) {
		h := pop.Household(i)
		a := h.Members[0]
		p, err := st.PersonByNumber(ctx, a.Number)
		if err != nil {
			return nil, fmt.Errorf("demo applicant %d: %w", i, err)
		}
		adults, children := 0, 0
		for _, m := range h.Members {
			if m.Role == "child" {
				children++
			} else {
				adults++
			}
		}
		note := fmt.Sprintf("%d vuxen, %d barn", adults, children)
		if adults == 2 {
			note = fmt.Sprintf("%d vuxna, %d barn", adults, children)
		}
		logins = append(logins, web.DemoLogin{Kind: web.KindApplicant, Subject: p.ID, Name: a.GivenName + " " + a.FamilyName, Note: note})
	}
	for _, s := range demoStaff {
		logins = append(logins, web.DemoLogin{Kind: "staff", Subject: s.ID, Name: s.Name, Note: demoStaffNotes[s.ID]})
	}
	return logins, nil
}
