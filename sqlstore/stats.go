package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/bistand/bistand"
)

// This file counts what the robot supervisor watches: how many decisions
// the robot made in a period, how many applications it left for a person,
// and why. Times are stored as fixed-width UTC text (timeFormat), so a
// period is a comparison of strings and the same SQL serves both engines.

// AutomationStats is what was decided and routed in a period [From, To).
type AutomationStats struct {
	From, To time.Time
	// Decisions counts every decision recorded in the period, changes of
	// earlier decisions included; ByRobot and ByPeople split it by who
	// decided (a caseworker's decision approved by a second caseworker
	// counts once, for the proposer).
	Decisions, ByRobot, ByPeople int
	// Changes counts the decisions that replace an earlier one.
	Changes int
	// Routed counts the applications on which the robot (or the program)
	// raised at least one finding in the period, findings about payments
	// aside (those come after a decision): applications left for a person.
	Routed int
}

// paymentKinds are the findings about paying a decision: work for a person
// after the decision, not a reason the robot did not decide.
var paymentKinds = "'" + strings.Join([]string{
	string(bistand.FindingPaymentAccountMissing), string(bistand.FindingPaymentNotConfigured), string(bistand.FindingPaymentOverpaid),
	string(bistand.FindingPaymentFailed), string(bistand.FindingPaymentReportConflict)}, "', '") + "'"

// IsPaymentFinding reports whether a finding kind is about paying a
// decision rather than a reason the robot left an application for a person.
func IsPaymentFinding(k bistand.FindingKind) bool {
	return strings.Contains(paymentKinds, "'"+string(k)+"'")
}

// RatePerMille is the robot's share of the period's decisions in per mille
// (‰), rounded down; ok is false when there were no decisions.
func (a AutomationStats) RatePerMille() (rate int, ok bool) {
	if a.Decisions == 0 {
		return 0, false
	}
	return a.ByRobot * 1000 / a.Decisions, true
}

// AutomationStats counts the decisions recorded and the applications routed
// to a person in [from, to).
func (s *Store) AutomationStats(ctx context.Context, from, to time.Time) (AutomationStats, error) {
	st := AutomationStats{From: from, To: to}
	rows, err := s.r().QueryContext(ctx, `SELECT actor_kind, COUNT(*), COUNT(replaces) FROM decisions
		WHERE decided_at >= $1 AND decided_at < $2 GROUP BY actor_kind`, fmtTime(from), fmtTime(to))
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n, changes int
		if err := rows.Scan(&kind, &n, &changes); err != nil {
			return st, err
		}
		st.Decisions += n
		st.Changes += changes
		if bistand.ActorKind(kind) == bistand.ActorRobot {
			st.ByRobot += n
		} else {
			st.ByPeople += n
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	err = s.r().QueryRowContext(ctx, `SELECT COUNT(DISTINCT application_id) FROM findings
		WHERE created_at >= $1 AND created_at < $2 AND actor_kind IN ('robot', 'system')
		AND kind NOT IN (`+paymentKinds+`)`, fmtTime(from), fmtTime(to)).Scan(&st.Routed)
	return st, err
}

// FindingCount is how many findings of one kind the robot (or the program)
// raised in a period, how many of them are still open, and on how many
// applications.
type FindingCount struct {
	Kind           bistand.FindingKind
	Findings       int
	Open, Resolved int
	Applications   int
}

// FindingCounts counts the findings the robot (or the program) raised in
// [from, to) by kind, open and resolved: why applications were left for a
// person, and (IsPaymentFinding) what stopped a payment. The most frequent
// kind comes first.
func (s *Store) FindingCounts(ctx context.Context, from, to time.Time) ([]FindingCount, error) {
	rows, err := s.r().QueryContext(ctx, `SELECT kind, COUNT(*),
		COUNT(CASE WHEN status = 'open' THEN 1 END), COUNT(CASE WHEN status = 'resolved' THEN 1 END),
		COUNT(DISTINCT application_id)
		FROM findings WHERE created_at >= $1 AND created_at < $2 AND actor_kind IN ('robot', 'system')
		GROUP BY kind`, fmtTime(from), fmtTime(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FindingCount
	for rows.Next() {
		var c FindingCount
		var kind string
		if err := rows.Scan(&kind, &c.Findings, &c.Open, &c.Resolved, &c.Applications); err != nil {
			return nil, err
		}
		c.Kind = bistand.FindingKind(kind)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b FindingCount) int {
		return cmp.Or(cmp.Compare(b.Applications, a.Applications), cmp.Compare(b.Findings, a.Findings), cmp.Compare(a.Kind, b.Kind))
	})
	return out, nil
}
