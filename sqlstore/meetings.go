package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bistand/bistand"
)

// Meeting statuses.
const (
	MeetingBooked    = "booked"
	MeetingHeld      = "held"
	MeetingCancelled = "cancelled"
	MeetingMissed    = "missed"
)

// Meeting kinds.
var MeetingKinds = []string{"visit", "phone", "video", "home"}

// Meeting is a meeting with a household: the reason the robot exists is to
// give caseworkers time for these.
type Meeting struct {
	ID         string
	CaseID     string
	StartsAt   string // local civil time YYYY-MM-DDTHH:MM
	Minutes    int
	Kind       string // visit, phone, video, home
	Purpose    string
	Status     string
	Notes      string
	FollowUp   bistand.Date // zero: none
	Caseworker string       // staff id
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const meetingColumns = "id, case_id, starts_at, minutes, kind, purpose, status, notes, follow_up, caseworker_id, created_at, updated_at"

// meetingTimeLayout is how a meeting's local start time is written.
const meetingTimeLayout = "2006-01-02T15:04"

// BookMeeting books a meeting with a case's household.
func (s *Store) BookMeeting(ctx context.Context, actor bistand.Actor, m Meeting) (Meeting, error) {
	if !actor.Staff() {
		return m, fmt.Errorf("%w: staff book meetings", bistand.ErrForbidden)
	}
	if _, err := time.Parse(meetingTimeLayout, m.StartsAt); err != nil {
		return m, fmt.Errorf("%w: a meeting's start is YYYY-MM-DDTHH:MM", bistand.ErrInvalid)
	}
	if m.Minutes <= 0 || m.Minutes > 8*60 {
		return m, fmt.Errorf("%w: a meeting lasts 1 to 480 minutes", bistand.ErrInvalid)
	}
	if !validKind(m.Kind) {
		return m, fmt.Errorf("%w: meeting kind %q", bistand.ErrInvalid, m.Kind)
	}
	if strings.TrimSpace(m.Purpose) == "" {
		return m, fmt.Errorf("%w: say what the meeting is for", bistand.ErrInvalid)
	}
	if m.Caseworker == "" {
		m.Caseworker = actor.ID
	}
	m.Status = MeetingBooked
	err := s.write(ctx, actor, func(w *wtx) error {
		if _, err := s.caseByID(ctx, w, m.CaseID); err != nil {
			return err
		}
		m.ID = bistand.NewID("mtg", parseTime(w.at))
		m.CreatedAt, m.UpdatedAt = parseTime(w.at), parseTime(w.at)
		return w.insert("meetings", m.CaseID, "", "INSERT INTO meetings ("+meetingColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
			m.ID, m.CaseID, m.StartsAt, m.Minutes, m.Kind, m.Purpose, m.Status, "", "", m.Caseworker, w.at, w.at)
	})
	return m, err
}

func validKind(k string) bool {
	for _, v := range MeetingKinds {
		if v == k {
			return true
		}
	}
	return false
}

// RecordMeeting records how a booked meeting went: held (with notes and
// perhaps a follow-up date), cancelled or missed. A meeting is recorded once.
func (s *Store) RecordMeeting(ctx context.Context, actor bistand.Actor, id, status, notes string, followUp bistand.Date) (Meeting, error) {
	var m Meeting
	if !actor.Staff() {
		return m, fmt.Errorf("%w: staff record meetings", bistand.ErrForbidden)
	}
	switch status {
	case MeetingHeld, MeetingCancelled, MeetingMissed:
	default:
		return m, fmt.Errorf("%w: a meeting is recorded as held, cancelled or missed", bistand.ErrInvalid)
	}
	if status == MeetingHeld && strings.TrimSpace(notes) == "" {
		return m, fmt.Errorf("%w: write what the meeting was about", bistand.ErrInvalid)
	}
	err := s.write(ctx, actor, func(w *wtx) error {
		var err error
		m, err = meetingByID(ctx, w, id)
		if err != nil {
			return err
		}
		if m.Status != MeetingBooked {
			return fmt.Errorf("%w: the meeting is already recorded as %s", bistand.ErrConflict, m.Status)
		}
		before, err := rowHash(ctx, w, "meetings", id)
		if err != nil {
			return err
		}
		fu := ""
		if !followUp.IsZero() {
			fu = followUp.String()
		}
		if _, err := w.ExecContext(ctx, "UPDATE meetings SET status = $1, notes = $2, follow_up = $3, updated_at = $4 WHERE id = $5",
			status, notes, fu, w.at, id); err != nil {
			return err
		}
		m.Status, m.Notes, m.FollowUp, m.UpdatedAt = status, notes, followUp, parseTime(w.at)
		return w.audit(ActionUpdate, "meetings", id, m.CaseID, status, before)
	})
	return m, err
}

// Meeting returns a meeting by id.
func (s *Store) Meeting(ctx context.Context, id string) (Meeting, error) {
	return meetingByID(ctx, s.r(), id)
}

func meetingByID(ctx context.Context, q queryer, id string) (Meeting, error) {
	m, err := scanMeeting(q.QueryRowContext(ctx, "SELECT "+meetingColumns+" FROM meetings WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("meeting", id)
	}
	return m, err
}

func scanMeeting(row interface{ Scan(...any) error }) (Meeting, error) {
	var m Meeting
	var fu, created, updated string
	if err := row.Scan(&m.ID, &m.CaseID, &m.StartsAt, &m.Minutes, &m.Kind, &m.Purpose, &m.Status, &m.Notes, &fu, &m.Caseworker, &created, &updated); err != nil {
		return m, err
	}
	if fu != "" {
		m.FollowUp, _ = bistand.ParseDate(fu)
	}
	m.CreatedAt, m.UpdatedAt = parseTime(created), parseTime(updated)
	return m, nil
}

// Meetings returns a case's meetings, the latest first.
func (s *Store) Meetings(ctx context.Context, caseID string) ([]Meeting, error) {
	return s.meetings(ctx, "SELECT "+meetingColumns+" FROM meetings WHERE case_id = $1 ORDER BY starts_at DESC, id DESC", caseID)
}

// MeetingsOf returns a caseworker's meetings starting from from (local
// time YYYY-MM-DDTHH:MM), the earliest first, up to limit.
func (s *Store) MeetingsOf(ctx context.Context, caseworker, from string, limit int) ([]Meeting, error) {
	return s.meetings(ctx, "SELECT "+meetingColumns+" FROM meetings WHERE caseworker_id = $1 AND starts_at >= $2 ORDER BY starts_at, id LIMIT $3", caseworker, from, limit)
}

func (s *Store) meetings(ctx context.Context, query string, args ...any) ([]Meeting, error) {
	rows, err := s.r().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// LastMet returns when the household of a case was last met (the latest
// held meeting's start), ok false if never.
func (s *Store) LastMet(ctx context.Context, caseID string) (startsAt string, ok bool, err error) {
	err = s.r().QueryRowContext(ctx, "SELECT starts_at FROM meetings WHERE case_id = $1 AND status = $2 ORDER BY starts_at DESC LIMIT 1", caseID, MeetingHeld).Scan(&startsAt)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return startsAt, err == nil, err
}
