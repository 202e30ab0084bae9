package web

// /handlaggning/moten: the caseworker's own meetings ahead, those past
// that are not yet recorded, and follow-ups coming due.

import (
	"context"
	"net/http"
	"strings"

	"github.com/bistand/bistand/sqlstore"
)

type cwMeetingsPage struct {
	Upcoming  []cwMeeting
	ToRecord  []cwMeeting
	FollowUps []cwMeeting
	By        string // the follow-ups' horizon
}

func (s *Server) cwMeetingsData(ctx context.Context, p *Principal) (cwMeetingsPage, error) {
	st := s.cfg.Store
	now := s.localNow()
	by := s.today().AddDays(7)
	page := cwMeetingsPage{By: by.String()}
	staff := s.staffNames(ctx)
	conv := func(ms []sqlstore.Meeting) []cwMeeting {
		var out []cwMeeting
		for _, m := range ms {
			out = append(out, cwMeeting{Meeting: m, Start: strings.Replace(m.StartsAt, "T", " ", 1), Kind: "cw.mkind." + m.Kind,
				Status: "cw.mstatus." + m.Status, Who: nameOr(staff[m.Caseworker], m.Caseworker), Mine: m.Caseworker == p.Staff.ID, Past: m.StartsAt < now})
		}
		return out
	}
	up, err := st.MeetingsOf(ctx, p.Staff.ID, now, 200)
	if err != nil {
		return page, err
	}
	var booked []sqlstore.Meeting
	for _, m := range up {
		if m.Status == sqlstore.MeetingBooked {
			booked = append(booked, m)
		}
	}
	page.Upcoming = conv(booked)
	rec, err := st.MeetingsToRecord(ctx, p.Staff.ID, now, 200)
	if err != nil {
		return page, err
	}
	page.ToRecord = conv(rec)
	fu, err := st.FollowUpsDue(ctx, p.Staff.ID, by, 200)
	if err != nil {
		return page, err
	}
	page.FollowUps = conv(fu)
	return page, nil
}

func (s *Server) cwMeetings(w http.ResponseWriter, r *http.Request, p *Principal) {
	page, err := s.cwMeetingsData(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cw_meetings.html", page)
}
