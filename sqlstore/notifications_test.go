package sqlstore_test

// The notifications outbox, on every engine, and its personnummer guard.

import (
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

func TestNotifications(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		app = f.to(h, app, bistand.Assessed)
		n := bistand.Notification{ApplicationID: app.ID, PersonID: h.a.ID, Kind: "information", Subject: "Din ansökan är mottagen",
			Body: "Vi har tagit emot din ansökan om ekonomiskt bistånd för mars 2026: 12 950 kr enligt beräkningen, svar senast 2026-03-31. Ring 08-123 45 67."}
		got, err := f.store.AddNotification(f.ctx, robot, n)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(got.ID, "ntf-") || got.CaseID != h.c.ID || got.CreatedAt.IsZero() || !got.SentAt.IsZero() || got.Subject != n.Subject || got.Body != n.Body {
			t.Errorf("notification %+v", got)
		}
		// By the system and a caseworker too, with a reference, to the partner.
		second := bistand.Notification{ApplicationID: app.ID, CaseID: h.c.ID, PersonID: h.b.ID, Kind: "reminder", Ref: "2026-03-31", Subject: "Påminnelse", Body: "Kom ihåg att komplettera."}
		s2 := must[bistand.Notification](t)(f.store.AddNotification(f.ctx, system, second))
		third := second
		third.Ref = "2026-04-30"
		s3 := must[bistand.Notification](t)(f.store.AddNotification(f.ctx, worker, third))
		// The same kind and reference twice is a conflict.
		_, err = f.store.AddNotification(f.ctx, robot, second)
		wantErr(t, err, bistand.ErrConflict)

		for _, c := range []struct {
			name  string
			actor bistand.Actor
			n     func(*bistand.Notification)
			want  error
		}{
			{"by the applicant", applicant(h.a), func(*bistand.Notification) {}, bistand.ErrForbidden},
			{"no subject", robot, func(n *bistand.Notification) { n.Subject = " " }, bistand.ErrInvalid},
			{"no body", robot, func(n *bistand.Notification) { n.Body = "" }, bistand.ErrInvalid},
			{"no kind", robot, func(n *bistand.Notification) { n.Kind = "" }, bistand.ErrInvalid},
			{"no person", robot, func(n *bistand.Notification) { n.PersonID = "" }, bistand.ErrInvalid},
			{"to a child", robot, func(n *bistand.Notification) { n.PersonID = h.child.ID }, bistand.ErrInvalid},
			{"to someone outside the household", robot, func(n *bistand.Notification) { n.PersonID = f.person("1970-01-01").ID }, bistand.ErrInvalid},
			{"another case", robot, func(n *bistand.Notification) { n.CaseID = "case-other" }, bistand.ErrInvalid},
			{"no such application", robot, func(n *bistand.Notification) { n.ApplicationID = "app-nothing" }, bistand.ErrNotFound},
		} {
			x := n
			c.n(&x)
			_, err := f.store.AddNotification(f.ctx, c.actor, x)
			if !errClassIs(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}

		all, err := f.store.Notifications(f.ctx, app.ID)
		if err != nil || len(all) != 3 || all[0] != got || all[1] != s2 || all[2] != s3 {
			t.Fatalf("Notifications: %+v %v", all, err)
		}
		unsent, err := f.store.Unsent(f.ctx, 10)
		if err != nil || len(unsent) != 3 || unsent[0].ID != got.ID {
			t.Fatalf("Unsent: %v %v", unsent, err)
		}
		if unsent, _ := f.store.Unsent(f.ctx, 2); len(unsent) != 2 {
			t.Errorf("Unsent(2): %d", len(unsent))
		}

		sentAt := time.Date(2026, 3, 10, 12, 0, 0, 123456789, time.UTC)
		wantErr(t, f.store.MarkSent(f.ctx, applicant(h.a), got.ID, sentAt), bistand.ErrForbidden)
		wantErr(t, f.store.MarkSent(f.ctx, system, got.ID, time.Time{}), bistand.ErrInvalid)
		wantErr(t, f.store.MarkSent(f.ctx, system, "ntf-nothing", sentAt), bistand.ErrNotFound)
		if err := f.store.MarkSent(f.ctx, system, got.ID, sentAt); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.store.MarkSent(f.ctx, system, got.ID, sentAt.Add(time.Hour)), bistand.ErrConflict)
		all, _ = f.store.Notifications(f.ctx, app.ID)
		if !all[0].SentAt.Equal(sentAt.Truncate(time.Microsecond)) || !all[1].SentAt.IsZero() {
			t.Errorf("sent at %v and %v", all[0].SentAt, all[1].SentAt)
		}
		unsent, _ = f.store.Unsent(f.ctx, 10)
		if len(unsent) != 2 || unsent[0].ID != s2.ID || unsent[1].ID != s3.ID {
			t.Errorf("Unsent after one was sent: %v", unsent)
		}
		// Created and sent: two events in the chain.
		if n := f.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'notifications' AND entity_id = $1", got.ID); n != 2 {
			t.Errorf("%d audit events for a sent notification", n)
		}
		f.mustVerify()
		f.exec("UPDATE notifications SET sent_at = '' WHERE id = $1", got.ID)
		if rep := f.verify(); rep.OK() {
			t.Error("a notification marked unsent by hand verified")
		}
	})
}

func errClassIs(err, target error) bool { return errClass(err) == errClass(target) }

// TestNotificationNeverCarriesPersonnummer: a personnummer or samordningsnummer
// in any form, in the subject or the body, is refused.
func TestNotificationNeverCarriesPersonnummer(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h, app := f.home()
		pnr := h.a.Personnummer // 12 digits, YYYYMMDDNNNC
		if len(pnr) != 12 {
			t.Fatalf("personnummer %q", pnr)
		}
		forms := []string{
			pnr,                           // 198504021234
			pnr[:8] + "-" + pnr[8:],       // 19850402-1234
			pnr[2:],                       // 8504021234
			pnr[2:8] + "-" + pnr[8:],      // 850402-1234
			pnr[2:8] + "+" + pnr[8:],      // 850402+1234 (100 or older)
			pnr[:8] + "+" + pnr[8:],       // 19850402+1234
			pnr[2:8] + "\u2013" + pnr[8:], // with an en dash from a word processor
		}
		for _, form := range forms {
			for _, n := range []bistand.Notification{
				{ApplicationID: app.ID, PersonID: h.a.ID, Kind: "information", Subject: "Gäller " + form, Body: "Hej!"},
				{ApplicationID: app.ID, PersonID: h.a.ID, Kind: "information", Subject: "Hej", Body: "Ditt personnummer är " + form + "."},
				{ApplicationID: app.ID, PersonID: h.a.ID, Kind: "information", Subject: "Hej", Body: "(" + form + ")"},
				{ApplicationID: app.ID, PersonID: h.a.ID, Kind: "information", Subject: "Hej", Body: "Hej", Ref: form},
			} {
				_, err := f.store.AddNotification(f.ctx, robot, n)
				wantErr(t, err, bistand.ErrInvalid)
			}
			if !sqlstore.LooksLikePersonnummer("x " + form + " y") {
				t.Errorf("%q does not look like a personnummer", form)
			}
			if red := sqlstore.RedactPersonnummer("Intyg för " + form + " saknas."); red != "Intyg för [nummer] saknas." {
				t.Errorf("redacted %q", red)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM notifications"); n != 0 {
			t.Errorf("%d notifications stored", n)
		}
		// Numbers that are not personnummer pass: amounts, dates, a
		// telephone number written with spaces, 9, 11 and 13 digits.
		for _, s := range []string{"12 950 kr", "1295000", "2026-03-31", "20260301-20260331", "08-123 45 67", "123456789", "12345678901", "1234567890123", "850402-12345", "Rum 4, 2 tr"} {
			if sqlstore.LooksLikePersonnummer(s) {
				t.Errorf("%q looks like a personnummer", s)
			}
			if _, err := f.store.AddNotification(f.ctx, robot, bistand.Notification{ApplicationID: app.ID, PersonID: h.a.ID, Kind: "information", Subject: "Hej", Body: s}); err != nil {
				t.Errorf("%q: %v", s, err)
			}
		}
		f.mustVerify()
	})
}
