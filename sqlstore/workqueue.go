package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bistand/bistand"
)

// The caseworker's work queue: the applications of a unit that need a
// person, in views (new, mine, findings, overdue supplements, random checks,
// four eyes) with a count for each. The candidates are the applications in
// a state that can need a caseworker (the index on applications' state)
// and those with an open finding; findings and proposals are then looked
// up by application. (Open findings are found by reading the findings'
// status: a partial index on findings (application_id) WHERE status =
// 'open' would make that an index scan as findings accumulate.)

// WorkView is one view of the work queue.
type WorkView string

// Views of the work queue.
const (
	// ViewNew: assessed (or routed: random check, expired supplement) with
	// open findings, and no caseworker assigned.
	ViewNew WorkView = "new"
	// ViewMine: the case is assigned to me and the application is open.
	ViewMine WorkView = "mine"
	// ViewFindings: open findings to resolve.
	ViewFindings WorkView = "findings"
	// ViewOverdue: a supplement request whose due date has passed, or an
	// expired one with its supplement_expired finding open.
	ViewOverdue WorkView = "overdue"
	// ViewRandom: drawn for a random check (stickprov).
	ViewRandom WorkView = "random"
	// ViewFourEyes: a decision proposed by a caseworker waits for a second.
	ViewFourEyes WorkView = "foureyes"
)

// WorkViews lists the views in the order they are shown.
var WorkViews = []WorkView{ViewNew, ViewMine, ViewFindings, ViewOverdue, ViewRandom, ViewFourEyes}

// WorkQueueFilter says whose queue, which view and which applications.
type WorkQueueFilter struct {
	// Unit is the caseworker's unit; DefaultUnit the unit of a case never
	// assigned (Config.DefaultUnit).
	Unit, DefaultUnit string
	// Me is the caseworker's staff id (ViewMine).
	Me   string
	View WorkView
	// Month and Kind, if set, keep applications of that month, and with an
	// open finding of that kind. They apply to the counts too.
	Month bistand.Month
	Kind  bistand.FindingKind
	// Today is the civil date a supplement's due date is compared with
	// (default: the store's clock's date in UTC; give the local date).
	Today bistand.Date
	// Limit (default 50, at most 500) and Offset page through the view.
	Limit, Offset int
}

// WorkItem is one application in the queue.
type WorkItem struct {
	ApplicationID string
	CaseID        string
	Month         bistand.Month
	State         bistand.State
	SubmittedAt   time.Time
	UpdatedAt     time.Time
	SupplementDue bistand.Date
	Assignee      string // staff id, or ""
	Members       int
	// OpenFindings are the kinds of the application's open findings, in the
	// order they were raised (each kind once).
	OpenFindings []bistand.FindingKind
	// The pending proposal, if any.
	ProposalID     string
	ProposedBy     string
	ProposalAmount bistand.Money
}

// WorkCounts is how many applications each view holds.
type WorkCounts map[WorkView]int

// openStates are the states in which an application may need a caseworker.
// An expired draft (never submitted) needs nobody and is left out. A
// decided or paid application is in the queue only while it has an open
// finding (a payment the bank refused, say); a withdrawn one never is.
const openStates = "'submitted', 'collecting', 'assessed', 'random_check', 'supplement_requested', 'supplemented', 'expired'"

// workBase is the FROM and WHERE every view shares, and its arguments:
// the unit's open applications, filtered.
func workBase(f WorkQueueFilter) (string, []any) {
	args := []any{f.Unit, f.DefaultUnit}
	q := `FROM (SELECT id FROM applications WHERE state IN (` + openStates + `)
			UNION SELECT application_id FROM findings WHERE status = 'open') cand
		JOIN applications a ON a.id = cand.id
		LEFT JOIN case_assignments ca ON ca.id = a.case_id
		LEFT JOIN decision_proposals p ON p.application_id = a.id AND p.status = 'pending'
		WHERE a.state IN (` + openStates + `, 'decided', 'paid')
		AND NOT (a.state = 'expired' AND a.submitted_at = '')
		AND COALESCE(ca.unit, $2) = $1`
	if !f.Month.IsZero() {
		args = append(args, f.Month.String())
		q += fmt.Sprintf(" AND a.month = $%d", len(args))
	}
	if f.Kind != "" {
		args = append(args, string(f.Kind))
		q += fmt.Sprintf(" AND EXISTS (SELECT 1 FROM findings fk WHERE fk.application_id = a.id AND fk.status = 'open' AND fk.kind = $%d)", len(args))
	}
	return q, args
}

// workPredicate is a view's condition; it may add arguments.
func workPredicate(v WorkView, f WorkQueueFilter, args *[]any) (string, error) {
	const hasOpen = "EXISTS (SELECT 1 FROM findings f WHERE f.application_id = a.id AND f.status = 'open')"
	arg := func(v any) string {
		*args = append(*args, v)
		return fmt.Sprintf("$%d", len(*args))
	}
	switch v {
	case ViewNew:
		return "(a.state IN ('assessed', 'random_check', 'expired') AND " + hasOpen + " AND COALESCE(ca.assignee_id, '') = '')", nil
	case ViewMine:
		return "(ca.assignee_id = " + arg(f.Me) + ")", nil
	case ViewFindings:
		return hasOpen, nil
	case ViewOverdue:
		return "((a.state = 'supplement_requested' AND a.supplement_due <> '' AND a.supplement_due < " + arg(f.Today.String()) + ")" +
			" OR (a.state = 'expired' AND EXISTS (SELECT 1 FROM findings fe WHERE fe.application_id = a.id AND fe.status = 'open' AND fe.kind = '" +
			string(bistand.FindingSupplementExpired) + "')))", nil
	case ViewRandom:
		return "(a.state = 'random_check')", nil
	case ViewFourEyes:
		return "(p.id IS NOT NULL)", nil
	}
	return "", fmt.Errorf("%w: no work queue view %q", bistand.ErrInvalid, v)
}

// WorkQueue returns a page of the view's applications, the longest
// waiting first (overdue supplements: the earliest due first), and the
// count of every view under the same filter.
func (s *Store) WorkQueue(ctx context.Context, f WorkQueueFilter) ([]WorkItem, WorkCounts, error) {
	if f.Unit == "" {
		return nil, nil, fmt.Errorf("%w: a work queue is a unit's", bistand.ErrInvalid)
	}
	if f.View == "" {
		f.View = ViewNew
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	f.Offset = max(f.Offset, 0)
	if f.Today.IsZero() {
		f.Today = bistand.DateOf(s.now())
	}

	// The counts: one pass over the unit's open applications.
	base, args := workBase(f)
	var sums []string
	for _, v := range WorkViews {
		p, err := workPredicate(v, f, &args)
		if err != nil {
			return nil, nil, err
		}
		sums = append(sums, "COALESCE(SUM(CASE WHEN "+p+" THEN 1 ELSE 0 END), 0)")
	}
	row := s.r().QueryRowContext(ctx, "SELECT "+strings.Join(sums, ", ")+" "+base, args...)
	n := make([]int64, len(WorkViews))
	dest := make([]any, len(n))
	for i := range n {
		dest[i] = &n[i]
	}
	if err := row.Scan(dest...); err != nil {
		return nil, nil, err
	}
	counts := WorkCounts{}
	for i, v := range WorkViews {
		counts[v] = int(n[i])
	}

	// The view's page.
	base, args = workBase(f)
	p, err := workPredicate(f.View, f, &args)
	if err != nil {
		return nil, nil, err
	}
	order := "a.submitted_at, a.id"
	if f.View == ViewOverdue {
		order = "a.supplement_due, a.submitted_at, a.id"
	}
	args = append(args, f.Limit, f.Offset)
	q := `SELECT a.id, a.case_id, a.month, a.state, a.submitted_at, a.updated_at, a.supplement_due,
		COALESCE(ca.assignee_id, ''), (SELECT COUNT(*) FROM case_members m WHERE m.case_id = a.case_id),
		COALESCE(p.id, ''), COALESCE(p.proposed_by_id, ''), COALESCE(p.amount_ore, 0) ` +
		base + " AND " + p + " ORDER BY " + order + fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(args)-1, len(args))
	rows, err := s.r().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var items []WorkItem
	for rows.Next() {
		var it WorkItem
		var month, state, submitted, updated, due string
		var members, amount int64
		if err := rows.Scan(&it.ApplicationID, &it.CaseID, &month, &state, &submitted, &updated, &due,
			&it.Assignee, &members, &it.ProposalID, &it.ProposedBy, &amount); err != nil {
			return nil, nil, err
		}
		it.Month, _ = bistand.ParseMonth(month)
		it.State, it.Members, it.ProposalAmount = bistand.State(state), int(members), bistand.Money(amount)
		it.SubmittedAt, it.UpdatedAt = parseTime(submitted), parseTime(updated)
		if due != "" {
			it.SupplementDue, _ = bistand.ParseDate(due)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	if err := s.openFindingKinds(ctx, items); err != nil {
		return nil, nil, err
	}
	return items, counts, nil
}

// kindChunk is how many applications one query of open finding kinds
// covers: a fixed number of placeholders, so one prepared statement serves.
const kindChunk = 50

// openFindingKinds fills in the items' open finding kinds.
func (s *Store) openFindingKinds(ctx context.Context, items []WorkItem) error {
	at := map[string]int{}
	for i, it := range items {
		at[it.ApplicationID] = i
	}
	ph := make([]string, kindChunk)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	q := "SELECT application_id, kind FROM findings WHERE status = 'open' AND application_id IN (" + strings.Join(ph, ", ") + ") ORDER BY created_at, id"
	for start := 0; start < len(items); start += kindChunk {
		args := make([]any, kindChunk)
		for i := range args {
			args[i] = ""
			if start+i < len(items) {
				args[i] = items[start+i].ApplicationID
			}
		}
		rows, err := s.r().QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var app, kind string
			if err := rows.Scan(&app, &kind); err != nil {
				rows.Close()
				return err
			}
			it := &items[at[app]]
			k := bistand.FindingKind(kind)
			if !containsKind(it.OpenFindings, k) {
				it.OpenFindings = append(it.OpenFindings, k)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func containsKind(ks []bistand.FindingKind, k bistand.FindingKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// FindingByID returns a finding by id.
func (s *Store) FindingByID(ctx context.Context, id string) (bistand.Finding, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT "+findingColumns+" FROM findings WHERE id = $1", id)
	if err != nil {
		return bistand.Finding{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return bistand.Finding{}, err
		}
		return bistand.Finding{}, notFound("finding", id)
	}
	var f bistand.Finding
	var kind, data, ak, created, rk, resolved string
	if err := rows.Scan(&f.ID, &f.ApplicationID, &f.CaseID, &kind, &f.Subject, &f.Text, &data, &f.Status, &ak, &f.CreatedBy.ID, &created, &rk, &f.ResolvedBy.ID, &f.Resolution, &resolved); err != nil {
		return f, err
	}
	f.Kind, f.Data = bistand.FindingKind(kind), []byte(data)
	f.CreatedBy.Kind, f.ResolvedBy.Kind = bistand.ActorKind(ak), bistand.ActorKind(rk)
	f.CreatedAt, f.ResolvedAt = parseTime(created), parseTime(resolved)
	return f, nil
}

// FollowUpsDue returns a caseworker's held meetings whose follow-up date
// is on or before by and after which nothing has been booked or held with
// the household, the earliest follow-up first.
func (s *Store) FollowUpsDue(ctx context.Context, caseworker string, by bistand.Date, limit int) ([]Meeting, error) {
	cols := "m." + strings.ReplaceAll(meetingColumns, ", ", ", m.")
	return s.meetings(ctx, "SELECT "+cols+` FROM meetings m
		WHERE m.caseworker_id = $1 AND m.status = $2 AND m.follow_up <> '' AND m.follow_up <= $3
		AND NOT EXISTS (SELECT 1 FROM meetings n WHERE n.case_id = m.case_id AND n.starts_at > m.starts_at AND n.status IN ($4, $2))
		ORDER BY m.follow_up, m.id LIMIT $5`, caseworker, MeetingHeld, by.String(), MeetingBooked, limit)
}

// MeetingsToRecord returns a caseworker's booked meetings that started
// before before (local time YYYY-MM-DDTHH:MM) and are not yet recorded as
// held, cancelled or missed, the earliest first.
func (s *Store) MeetingsToRecord(ctx context.Context, caseworker, before string, limit int) ([]Meeting, error) {
	return s.meetings(ctx, "SELECT "+meetingColumns+" FROM meetings WHERE caseworker_id = $1 AND status = $2 AND starts_at < $3 ORDER BY starts_at, id LIMIT $4",
		caseworker, MeetingBooked, before, limit)
}
