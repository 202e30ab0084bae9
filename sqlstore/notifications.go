package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/bistand/bistand"
)

// The notifications outbox: messages to the household, in Swedish, kept
// until something sends them (by e-mail, later) and marks them sent. A
// notification never carries a personnummer.

const notificationColumns = "id, application_id, case_id, person_id, kind, ref, subject, body, created_at, sent_at"

// AddNotification puts a notification to an adult of the application's
// household in the outbox. The robot, the system or a caseworker adds
// them; Kind, Subject and Body (in Swedish) are required, and neither the
// subject nor the body may hold anything like a personnummer. CaseID is the
// application's (a different one given is ErrInvalid). A second
// notification of the same application, Kind and non-empty Ref is
// ErrConflict.
func (s *Store) AddNotification(ctx context.Context, actor bistand.Actor, n bistand.Notification) (bistand.Notification, error) {
	if err := checkNotification(actor, n); err != nil {
		return n, err
	}
	err := s.write(ctx, actor, func(w *wtx) error { return w.addNotification(&n) })
	if err != nil {
		return bistand.Notification{}, err
	}
	return n, nil
}

// checkNotification checks who adds a notification and what it holds.
func checkNotification(actor bistand.Actor, n bistand.Notification) error {
	switch actor.Kind {
	case bistand.ActorRobot, bistand.ActorSystem, bistand.ActorCaseworker:
	default:
		return fmt.Errorf("%w: %s may not add notifications", bistand.ErrForbidden, actor.Kind)
	}
	if n.ApplicationID == "" || n.PersonID == "" || n.Kind == "" {
		return fmt.Errorf("%w: a notification needs an application, a person and a kind", bistand.ErrInvalid)
	}
	if strings.TrimSpace(n.Subject) == "" || strings.TrimSpace(n.Body) == "" {
		return fmt.Errorf("%w: a notification needs a subject and a body", bistand.ErrInvalid)
	}
	if LooksLikePersonnummer(n.Subject) || LooksLikePersonnummer(n.Body) || LooksLikePersonnummer(n.Ref) {
		return fmt.Errorf("%w: a notification never carries a personnummer (or anything like one)", bistand.ErrInvalid)
	}
	return nil
}

// addNotification puts a checked notification in the outbox within w.
func (w *wtx) addNotification(n *bistand.Notification) error {
	ctx := w.ctx
	a, err := w.lockedApp(n.ApplicationID)
	if err != nil {
		return err
	}
	if n.CaseID != "" && n.CaseID != a.CaseID {
		return fmt.Errorf("%w: application %s is not in case %s", bistand.ErrInvalid, a.ID, n.CaseID)
	}
	var role string
	err = w.QueryRowContext(ctx, "SELECT role FROM case_members WHERE case_id = $1 AND person_id = $2", a.CaseID, n.PersonID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role == "child") {
		return fmt.Errorf("%w: a notification is for an adult of the household", bistand.ErrInvalid)
	}
	if err != nil {
		return err
	}
	n.ID, n.CaseID, n.CreatedAt, n.SentAt = bistand.NewID("ntf", w.now), a.CaseID, w.now, time.Time{}
	return w.insertRow("notifications", a.CaseID, "",
		n.ID, n.ApplicationID, n.CaseID, n.PersonID, n.Kind, n.Ref, n.Subject, n.Body, w.at, "")
}

// MarkSent records when a notification was sent. A notification is sent
// once: marking it again is ErrConflict.
func (s *Store) MarkSent(ctx context.Context, actor bistand.Actor, id string, at time.Time) error {
	switch actor.Kind {
	case bistand.ActorRobot, bistand.ActorSystem, bistand.ActorCaseworker:
	default:
		return fmt.Errorf("%w: %s may not mark notifications sent", bistand.ErrForbidden, actor.Kind)
	}
	if at.IsZero() {
		return fmt.Errorf("%w: when was it sent?", bistand.ErrInvalid)
	}
	return s.write(ctx, actor, func(w *wtx) error {
		var appID, caseID string
		err := w.QueryRowContext(ctx, "SELECT application_id, case_id FROM notifications WHERE id = $1", id).Scan(&appID, &caseID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("notification", id)
		}
		if err != nil {
			return err
		}
		if _, err := w.lockedApp(appID); err != nil {
			return err
		}
		before, err := rowHash(ctx, w, "notifications", id)
		if err != nil {
			return err
		}
		res, err := w.ExecContext(ctx, "UPDATE notifications SET sent_at = $1 WHERE id = $2 AND sent_at = ''", fmtTime(at.UTC().Truncate(time.Microsecond)), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: notification %s is already sent", bistand.ErrConflict, id)
		}
		return w.audit(ActionUpdate, "notifications", id, caseID, "sent", before)
	})
}

// Notifications returns an application's notifications, oldest first.
func (s *Store) Notifications(ctx context.Context, appID string) ([]bistand.Notification, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT "+notificationColumns+" FROM notifications WHERE application_id = $1 ORDER BY created_at, id", appID)
	if err != nil {
		return nil, err
	}
	return scanNotifications(rows)
}

// Unsent returns up to limit notifications not yet sent, oldest first.
func (s *Store) Unsent(ctx context.Context, limit int) ([]bistand.Notification, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT "+notificationColumns+" FROM notifications WHERE sent_at = '' ORDER BY created_at, id LIMIT $1", limit)
	if err != nil {
		return nil, err
	}
	return scanNotifications(rows)
}

// UnsentAfter returns up to limit notifications not yet sent whose id comes
// after after ("" for the first), in id order (ids sort by when they were
// made): a sender pages through the outbox with it past those it cannot
// deliver yet.
func (s *Store) UnsentAfter(ctx context.Context, after string, limit int) ([]bistand.Notification, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT "+notificationColumns+" FROM notifications WHERE sent_at = '' AND id > $1 ORDER BY id LIMIT $2", after, limit)
	if err != nil {
		return nil, err
	}
	return scanNotifications(rows)
}

func scanNotifications(rows *sql.Rows) ([]bistand.Notification, error) {
	defer rows.Close()
	var out []bistand.Notification
	for rows.Next() {
		var n bistand.Notification
		var created, sent string
		if err := rows.Scan(&n.ID, &n.ApplicationID, &n.CaseID, &n.PersonID, &n.Kind, &n.Ref, &n.Subject, &n.Body, &created, &sent); err != nil {
			return nil, err
		}
		n.CreatedAt, n.SentAt = parseTime(created), parseTime(sent)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

var digitRuns = regexp.MustCompile(`[0-9]+`)

// pnrSeparators are what may stand before a personnummer's last four
// digits: "-" or "+", and the dashes a word processor makes of "-".
var pnrSeparators = map[string]bool{"-": true, "+": true, "\u2010": true, "\u2011": true, "\u2013": true, "\u2212": true}

// personnummerSpans returns where s holds something like a personnummer or
// samordningsnummer: 10 or 12 digits in a row, or 6 or 8 digits, a "-" or
// "+" (or a dash), and 4 digits (each run of digits taken whole).
func personnummerSpans(s string) [][2]int {
	runs := digitRuns.FindAllStringIndex(s, -1)
	var out [][2]int
	for i := 0; i < len(runs); i++ {
		r := runs[i]
		n := r[1] - r[0]
		if i+1 < len(runs) {
			next := runs[i+1]
			if (n == 6 || n == 8) && pnrSeparators[s[r[1]:next[0]]] && next[1]-next[0] == 4 {
				out = append(out, [2]int{r[0], next[1]})
				i++
				continue
			}
		}
		if n == 10 || n == 12 {
			out = append(out, [2]int{r[0], r[1]})
		}
	}
	return out
}

// LooksLikePersonnummer reports whether s holds something like a
// personnummer: 10 or 12 digits, with an optional "-" or "+" before the
// last four. (A ten-digit telephone number written without spaces looks
// like one too.)
func LooksLikePersonnummer(s string) bool { return len(personnummerSpans(s)) > 0 }

// RedactPersonnummer replaces everything in s that LooksLikePersonnummer
// would refuse by "[nummer]".
func RedactPersonnummer(s string) string {
	spans := personnummerSpans(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString("[nummer]")
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
