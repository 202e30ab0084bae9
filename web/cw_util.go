package web

// Helpers of the caseworker's pages and API: errors a form shows beside its
// fields, amounts and dates typed by people, and the names of things in
// Swedish.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
)

// cwError is a refusal a caseworker can act on: a message (a translation
// key) about a field of the form, or about the form as a whole, with the
// HTTP status it is answered with. Detail is the store's own wording, when
// the refusal came from there.
type cwError struct {
	Status int
	Field  string
	Key    string
	Args   []any
	Detail string
}

func (e *cwError) Error() string { return e.message("sv") }

func (e *cwError) message(lang string) string {
	m := tr(lang, e.Key, e.Args...)
	if e.Detail != "" {
		m += " (" + e.Detail + ")"
	}
	return m
}

// Unwrap makes the refusal one of the domain's errors, so that fail maps
// it to its status.
func (e *cwError) Unwrap() error {
	switch e.Status {
	case http.StatusConflict:
		return bistand.ErrConflict
	case http.StatusForbidden:
		return bistand.ErrForbidden
	}
	return bistand.ErrInvalid
}

// invalid is a refusal of a field's value.
func invalid(field, key string, args ...any) error {
	return &cwError{Status: http.StatusBadRequest, Field: field, Key: key, Args: args}
}

// conflict is a refusal because of the case's state.
func conflict(key string, args ...any) error {
	return &cwError{Status: http.StatusConflict, Key: key, Args: args}
}

// storeErr turns the store's refusal into one the form shows; what is not
// found stays not found (answered 404), anything else is an internal error.
func storeErr(err error, field string) error {
	if err == nil {
		return nil
	}
	var ce *cwError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, bistand.ErrNotFound), errors.Is(err, errHidden):
		return errHidden
	case errors.Is(err, bistand.ErrInvalid), errors.Is(err, bistand.ErrInvalidTransition):
		return &cwError{Status: http.StatusBadRequest, Field: field, Key: "cw.err.refused", Detail: err.Error()}
	case errors.Is(err, bistand.ErrConflict):
		return &cwError{Status: http.StatusConflict, Key: "cw.err.changed", Detail: err.Error()}
	case errors.Is(err, bistand.ErrForbidden):
		return &cwError{Status: http.StatusForbidden, Key: "cw.err.forbidden", Detail: err.Error()}
	}
	return err
}

// cwForm is a form's state when it is shown again after a refusal: which
// form (and for which finding, proposal or meeting), the field in error,
// the message and what was typed.
type cwForm struct {
	Name   string
	Target string
	Field  string
	Msg    string
	Values url.Values
}

// Err is the message for the form, if it is the one refused.
func (f cwForm) Err(name, target string) string {
	if f.Name == name && f.Target == target {
		return f.Msg
	}
	return ""
}

// Bad reports whether field of the form is the one in error.
func (f cwForm) Bad(name, target, field string) bool {
	return f.Name == name && f.Target == target && f.Field == field && f.Msg != ""
}

// Val is what was typed in a field of the refused form, else def.
func (f cwForm) Val(name, target, field, def string) string {
	if f.Name == name && f.Target == target && f.Values != nil {
		if _, ok := f.Values[field]; ok {
			return f.Values.Get(field)
		}
	}
	return def
}

// parseAmount reads an amount of kronor as people type it: "12 950",
// "12950,50", "12 950 kr". Empty is no amount (nil).
func parseAmount(s string) (*bistand.Money, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "kr"))
	if s == "" {
		return nil, nil
	}
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".", "−", "-").Replace(s)
	m, err := bistand.ParseKronor(s)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// today is the civil date in Stockholm.
func (s *Server) today() bistand.Date { return bistand.DateOf(s.cfg.Now().In(stockholm)) }

// localNow is the local time as a meeting's start is written.
func (s *Server) localNow() string { return s.cfg.Now().In(stockholm).Format("2006-01-02T15:04") }

// daysBetween counts the days from a to b.
func daysBetween(a, b bistand.Date) int {
	ta := time.Date(a.Year(), a.MonthOfYear(), a.Day(), 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year(), b.MonthOfYear(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}

// staffNames returns every member of staff's name by id.
func (s *Server) staffNames(ctx context.Context) map[string]string {
	out := map[string]string{}
	list, err := s.cfg.Store.StaffList(ctx)
	if err != nil {
		return out
	}
	for _, st := range list {
		out[st.ID] = st.Name
	}
	return out
}

// actorName names who did something, for a caseworker.
func actorName(lang string, a bistand.Actor, staff, people map[string]string) string {
	switch a.Kind {
	case bistand.ActorCaseworker:
		if n := staff[a.ID]; n != "" {
			return n
		}
		return a.ID
	case bistand.ActorRobot:
		return tr(lang, "cw.actor.robot")
	case bistand.ActorSystem:
		return tr(lang, "cw.actor.system")
	case bistand.ActorApplicant:
		if n := people[a.ID]; n != "" {
			return n
		}
		return tr(lang, "cw.actor.household")
	}
	return ""
}

// findingKinds are the kinds of finding a caseworker may meet, for the
// queue's filter.
var findingKinds = []bistand.FindingKind{
	bistand.FindingFirstApplication, bistand.FindingProtectedIdentity, bistand.FindingNotApproved, bistand.FindingProposal,
	bistand.FindingAmountAboveLimit, bistand.FindingAmountChange, bistand.FindingCostOutsideStandard, bistand.FindingAFNotRegistered,
	bistand.FindingAktivitetskrav, bistand.FindingAutomationPaused, bistand.FindingRandomCheck,
	bistand.FindingMemberAdded, bistand.FindingMemberRemoved, bistand.FindingIncomeTypeNew, bistand.FindingIncomeTypeGone, bistand.FindingRentChanged,
	bistand.FindingIncomeMismatch, bistand.FindingIncomeNotDeclared, bistand.FindingIncomeNotInRegister, bistand.FindingIncomeChange,
	bistand.FindingUnmappedRegisterIncome, bistand.FindingExpectedIncomeMissing, bistand.FindingSourceError, bistand.FindingNotInPopulationReg,
	bistand.FindingSupplementExpired,
	bistand.FindingPaymentAccountMissing, bistand.FindingPaymentNotConfigured, bistand.FindingPaymentOverpaid, bistand.FindingPaymentFailed,
	bistand.FindingPaymentReportConflict,
}

// kindLabel is a finding kind's short name; unknown kinds are shown as
// they are.
func kindLabel(lang string, k bistand.FindingKind) string {
	key := "cw.kind." + string(k)
	if m := tr(lang, key); m != key {
		return m
	}
	return string(k)
}

// stateLabel is a state's name for a caseworker.
func stateLabel(lang string, st bistand.State) string {
	if lang == "en" {
		key := "cw.state." + string(st)
		if m := tr(lang, key); m != key {
			return m
		}
	}
	return st.Swedish()
}

// meetingKinds are the kinds of meeting, as the store names them.
var meetingKinds = sqlstore.MeetingKinds

// fmtDays writes a number of days waiting.
func fmtDays(lang string, n int) string {
	if n == 1 {
		return tr(lang, "cw.day", n)
	}
	return tr(lang, "cw.days", n)
}
