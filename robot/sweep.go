package robot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
)

// SweepResult counts what a sweep did.
type SweepResult struct {
	Reminded int // reminders put in the outbox
	Expired  int // supplement requests expired
}

// sweepSystem expires supplement requests: the lifecycle lets only the
// system do that.
var sweepSystem = bistand.Actor{Kind: bistand.ActorSystem, ID: "sweep"}

// sweepLimit is how many applications one sweep looks at.
const sweepLimit = 1_000_000

// Sweep looks at every application waiting for a komplettering on the day
// today. From reminderDays days before the due date until the day before
// it, the applicant gets one reminder (a notification of kind
// supplement_reminder) per application and due date, saying what is asked
// for and by when; reminderDays 0 or less sends none. After the due date
// the request expires: the application moves to expired, as the system,
// with a finding (supplement_expired) so that a caseworker decides on what
// the case holds. A sweep run again the same day does nothing more. An
// application that fails does not stop the others; the errors are
// returned together.
func (r *Robot) Sweep(ctx context.Context, today bistand.Date, reminderDays int) (SweepResult, error) {
	var res SweepResult
	by := today
	if reminderDays > 0 {
		by = today.AddDays(reminderDays)
	}
	apps, err := r.Store.ApplicationsDueBy(ctx, bistand.SupplementRequested, by, sweepLimit)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, a := range apps {
		if err := ctx.Err(); err != nil {
			return res, errors.Join(append(errs, err)...)
		}
		switch {
		case today.After(a.SupplementDue):
			ok, err := r.expire(ctx, a)
			if err != nil {
				errs = append(errs, fmt.Errorf("application %s: expire: %w", a.ID, err))
			} else if ok {
				res.Expired++
			}
		case reminderDays > 0 && today.Before(a.SupplementDue):
			ok, err := r.remind(ctx, a)
			if err != nil {
				errs = append(errs, fmt.Errorf("application %s: reminder: %w", a.ID, err))
			} else if ok {
				res.Reminded++
			}
		}
	}
	return res, errors.Join(errs...)
}

// supplementReason is what the household was asked for: the reason of the
// latest transition to supplement_requested, without anything like a
// personnummer.
func (r *Robot) supplementReason(ctx context.Context, appID string) (string, error) {
	trs, err := r.Store.Transitions(ctx, appID)
	if err != nil {
		return "", err
	}
	reason := ""
	for _, t := range trs {
		if t.To == bistand.SupplementRequested {
			reason = t.Reason
		}
	}
	return sqlstore.RedactPersonnummer(strings.TrimSpace(reason)), nil
}

// remind puts a reminder for the application's current due date in the
// outbox, unless one is there already.
func (r *Robot) remind(ctx context.Context, a bistand.Application) (bool, error) {
	ref := a.SupplementDue.String()
	have, err := r.Store.Notifications(ctx, a.ID)
	if err != nil {
		return false, err
	}
	for _, n := range have {
		if n.Kind == bistand.NotificationSupplementReminder && n.Ref == ref {
			return false, nil
		}
	}
	c, err := r.Store.Case(ctx, Actor, a.CaseID)
	if err != nil {
		return false, err
	}
	applicant := ""
	for _, m := range c.Members {
		if m.Role == "applicant" {
			applicant = m.PersonID
		}
	}
	if applicant == "" {
		return false, fmt.Errorf("case %s has no applicant", a.CaseID)
	}
	reason, err := r.supplementReason(ctx, a.ID)
	if err != nil {
		return false, err
	}
	asked := "Vad vi behöver står i vår begäran om komplettering."
	if reason != "" {
		asked = "Det här behöver vi: " + strings.TrimSuffix(reason, ".") + "."
	}
	due := swedishDate(a.SupplementDue)
	_, err = r.Store.AddNotification(ctx, Actor, bistand.Notification{
		ApplicationID: a.ID, PersonID: applicant, Kind: bistand.NotificationSupplementReminder, Ref: ref,
		Subject: "Påminnelse: komplettera din ansökan senast " + due,
		Body: "Hej!\n\n" +
			"Vi har bett dig komplettera din ansökan om ekonomiskt bistånd för " + swedishMonth(a.Month) + ", men vi har ännu inte fått kompletteringen.\n\n" +
			asked + "\n\n" +
			"Skicka in kompletteringen senast " + due + ". Kommer den inte in i tid prövar vi ansökan på de uppgifter vi redan har.\n\n" +
			"Har du frågor är du välkommen att kontakta din handläggare.\n\n" +
			"Med vänlig hälsning\nSocialtjänsten",
	})
	if errors.Is(err, bistand.ErrConflict) {
		return false, nil // another sweep reminded meanwhile
	}
	if err != nil {
		return false, err
	}
	r.log().Info("supplement reminder", "application", a.ID, "due", ref)
	return true, nil
}

// expire expires the application's supplement request and raises the
// finding, in one transaction.
func (r *Robot) expire(ctx context.Context, a bistand.Application) (bool, error) {
	reason, err := r.supplementReason(ctx, a.ID)
	if err != nil {
		return false, err
	}
	due := swedishDate(a.SupplementDue)
	asked := "den begärda kompletteringen"
	if reason != "" {
		asked = "den begärda kompletteringen (" + strings.TrimSuffix(reason, ".") + ")"
	}
	_, ok, err := r.Store.ExpireSupplement(ctx, sweepSystem, a.ID, a.SupplementDue,
		"Kompletteringen kom inte in senast "+due+"; ansökan har förfallit.",
		sqlstore.FindingInput{
			Kind:    bistand.FindingSupplementExpired,
			Subject: "supplement:" + a.SupplementDue.String(),
			Text:    "Hushållet lämnade inte " + asked + " senast " + due + ". Ansökan har förfallit och ska beslutas av en handläggare på det underlag som finns.",
			Data:    map[string]any{"due": a.SupplementDue.String(), "requested": reason},
		})
	if err != nil {
		return false, err
	}
	if ok {
		r.log().Info("supplement request expired", "application", a.ID, "due", a.SupplementDue.String())
	}
	return ok, nil
}

var swedishMonths = [...]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

// swedishDate writes a date as the household reads it: "31 mars 2026".
func swedishDate(d bistand.Date) string {
	return fmt.Sprintf("%d %s %d", d.Day(), swedishMonths[d.MonthOfYear()-1], d.Year())
}

// swedishMonth writes a month as "mars 2026".
func swedishMonth(m bistand.Month) string {
	return fmt.Sprintf("%s %d", swedishMonths[m.MonthOfYear()-1], m.Year())
}
