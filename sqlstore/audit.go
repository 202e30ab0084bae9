package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bistand/bistand"
)

// The audit log is an append-only chain of events, written in the same
// transaction as the change each describes. Every event carries the hash of
// the row it changed as it was before and after; the event's own hash covers
// its fields and the previous event's hash. So
//
//   - editing, inserting or deleting an audit event breaks the chain, and
//   - editing, inserting or deleting an audited row by hand leaves a row
//     whose hash no longer matches the last event about it.
//
// Verify checks both. A truncated tail is caught by the head row
// (audit_head) unless that is rewritten too; the head hash printed by
// `bistand audit verify` can be recorded outside the database to close that gap.

// auditedTables lists every audited table with its columns in hashing order
// (first the column that identifies a row: "id", or the letters' decision_id).
// added are columns a later migration added to a table
// whose rows were already audited, each defaulting to the empty string: a
// row's hash covers such a column (by name and value) only when it holds
// something, so rows recorded before the migration keep the hash their
// events recorded.
var auditedTables = []auditedTable{
	{"persons", []string{"id", "personnummer", "protected_identity", "created_at"}, nil},
	{"cases", []string{"id", "municipality", "status", "created_at"}, nil},
	{"case_members", []string{"id", "case_id", "person_id", "role", "position", "added_at"}, nil},
	{"applications", []string{"id", "case_id", "month", "state", "version", "created_at", "updated_at", "submitted_at", "supplement_due"}, nil},
	{"facts", []string{"id", "application_id", "seq", "fact_key", "kind", "value", "provenance", "source", "reference", "observed_at", "actor_kind", "actor_id", "reason", "recorded_at"}, nil},
	{"attachments", []string{"id", "application_id", "sha256", "filename", "content_type", "size", "actor_kind", "actor_id", "uploaded_at"}, nil},
	{"signatures", []string{"id", "application_id", "person_id", "method", "reference", "signed_at"}, nil},
	{"transitions", []string{"id", "application_id", "seq", "from_state", "to_state", "actor_kind", "actor_id", "reason", "at"}, nil},
	{"findings", []string{"id", "application_id", "case_id", "kind", "subject", "text", "data", "status", "actor_kind", "actor_id", "created_at", "resolved_by_kind", "resolved_by_id", "resolution", "resolved_at"}, nil},
	{"decisions", []string{"id", "application_id", "case_id", "month", "outcome", "amount_ore", "snapshot", "rules_version", "params_hash", "trace", "actor_kind", "actor_id", "motivation", "replaces", "decided_at"},
		[]string{"approved_by_kind", "approved_by_id"}},
	{"decision_proposals", []string{"id", "application_id", "case_id", "outcome", "amount_ore", "motivation", "replaces", "app_version", "basis_hash", "proposed_by_kind", "proposed_by_id", "created_at", "status", "reviewed_by_kind", "reviewed_by_id", "review_note", "reviewed_at", "decision_id"}, nil},
	{"notifications", []string{"id", "application_id", "case_id", "person_id", "kind", "ref", "subject", "body", "created_at", "sent_at"}, nil},
	// A decision's letter (letters.go), keyed by the decision: the bytes are
	// in the BlobStore, the row holds their hashes.
	{"letters", []string{"decision_id", "case_id", "pdf_sha256", "html_sha256", "pdf_size", "created_at"}, nil},
	// Payments (payments.go): the file's bytes are hashed with its row.
	{"payment_files", []string{"id", "municipality", "pay_date", "created_at", "sha256", "n", "ctrl_sum", "content", "status", "updated_at"}, nil},
	{"payment_orders", []string{"id", "decision_id", "application_id", "case_id", "person_id", "payee_name", "account_kind", "account", "amount_ore", "remittance", "pay_date", "municipality", "status", "file_id", "status_reason", "created_at", "updated_at"}, nil},
	// The web application's records (web.go, meetings.go).
	{"staff", []string{"id", "name", "role", "unit", "active", "created_at"}, nil},
	{"case_assignments", []string{"id", "unit", "assignee_id", "updated_at"}, nil},
	{"meetings", []string{"id", "case_id", "starts_at", "minutes", "kind", "purpose", "status", "notes", "follow_up", "caseworker_id", "created_at", "updated_at"}, nil},
	{"settings", []string{"id", "value", "reason", "actor_kind", "actor_id", "updated_at"}, nil},
}

type auditedTable struct {
	name    string
	columns []string
	added   []string
}

// selectList is the columns a row's hash is computed from, in order.
func (t auditedTable) selectList() string {
	return strings.Join(append(slices.Clone(t.columns), t.added...), ", ")
}

// hashRow hashes a row read with selectList.
func (t auditedTable) hashRow(vals []any) string {
	b := appendValues(nil, vals[:len(t.columns)])
	for i, name := range t.added {
		v := vals[len(t.columns)+i]
		if isEmpty(v) {
			continue
		}
		b = canon(b, name)
		b = append(b, '=')
		b = canon(b, v)
		b = append(b, '|')
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []byte:
		return len(x) == 0
	}
	return false
}

func auditedTableNamed(name string) auditedTable {
	for _, t := range auditedTables {
		if t.name == name {
			return t
		}
	}
	panic("sqlstore: not an audited table: " + name)
}

// Audit actions.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionRead   = "read"
)

// canon appends a value as canonical text: the same row gives the same bytes
// on SQLite and PostgreSQL.
func canon(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'N')
	case int64:
		b = append(b, 'i')
		return strconv.AppendInt(b, x, 10)
	case bool: // not used by the schema; kept canonical anyway
		if x {
			return append(b, 'i', '1')
		}
		return append(b, 'i', '0')
	case string:
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, ':')
		return append(b, x...)
	case []byte:
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, ':')
		return append(b, x...)
	}
	return fmt.Appendf(b, "?%T:%v", v, v)
}

func appendValues(b []byte, vals []any) []byte {
	for _, v := range vals {
		b = canon(b, v)
		b = append(b, '|')
	}
	return b
}

func hashValues(vals []any) string {
	sum := sha256.Sum256(appendValues(nil, vals))
	return hex.EncodeToString(sum[:])
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// rowHash returns the hash of one audited row, or "" if it does not exist.
func rowHash(ctx context.Context, q queryer, table, id string) (string, error) {
	t := auditedTableNamed(table)
	n := len(t.columns) + len(t.added)
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := q.QueryRowContext(ctx, "SELECT "+t.selectList()+" FROM "+table+" WHERE "+t.columns[0]+" = $1", id).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return t.hashRow(vals), nil
}

// event is one audit event.
type event struct {
	Seq        int64
	At         string
	ActorKind  string
	ActorID    string
	Action     string
	Entity     string
	EntityID   string
	CaseID     string
	Reason     string
	BeforeHash string
	AfterHash  string
	PrevHash   string
	Hash       string
}

func (e *event) computeHash() string {
	return hashValues([]any{e.Seq, e.At, e.ActorKind, e.ActorID, e.Action, e.Entity, e.EntityID, e.CaseID, e.Reason, e.BeforeHash, e.AfterHash, e.PrevHash})
}

// chain appends a transaction's events to the chain: one update of the
// head (which takes its row lock, serialising appenders until commit on
// both engines), the events, each linked to the one before, inserted
// maxInsertRows to a statement, and the head's new hash.
func chain(ctx context.Context, engine Engine, tx queryer, events []event) error {
	if len(events) == 0 {
		return nil
	}
	var last int64
	var prev string
	if err := tx.QueryRowContext(ctx, "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash", int64(len(events))).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	seq := last - int64(len(events)) + 1
	for i := range events {
		e := &events[i]
		e.Seq, e.PrevHash = seq, prev
		e.Hash = e.computeHash()
		prev = e.Hash
		seq++
	}
	if err := insertMany(ctx, tx, engine, "audit_events", auditColumns, len(events), func(i int) []any {
		e := &events[i]
		return []any{e.Seq, e.At, e.ActorKind, e.ActorID, e.Action, e.Entity, e.EntityID, e.CaseID, e.Reason, e.BeforeHash, e.AfterHash, e.PrevHash, e.Hash}
	}); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE audit_head SET hash = $1 WHERE id = 1", prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// auditColumns are audit_events' columns, in the order chain gives them.
var auditColumns = []string{"seq", "at", "actor_kind", "actor_id", "action", "entity", "entity_id", "case_id", "reason", "before_hash", "after_hash", "prev_hash", "hash"}

// VerifyReport is the result of walking the audit chain.
type VerifyReport struct {
	Events   int64  // events walked
	HeadSeq  int64  // last sequence number
	HeadHash string // hash of the last event: record it elsewhere to detect truncation
	Rows     int64  // audited rows checked
	// Problem is the first broken link, or "" when everything verifies.
	Problem string
}

// OK reports whether the audit verified.
func (r *VerifyReport) OK() bool { return r.Problem == "" }

// Verify walks the whole audit chain and checks every audited row against
// the last event about it. It stops at the first problem.
func (db *DB) Verify(ctx context.Context) (*VerifyReport, error) {
	// One snapshot for the whole walk: changes committed meanwhile are not
	// half seen. (SQLite: a read transaction in WAL mode; PostgreSQL:
	// repeatable read.)
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.Reader().BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return verify(ctx, tx)
}

func verify(ctx context.Context, db *sql.Tx) (*VerifyReport, error) {
	rep := &VerifyReport{}
	rows, err := db.QueryContext(ctx, `SELECT seq, at, actor_kind, actor_id, action, entity, entity_id, case_id, reason, before_hash, after_hash, prev_hash, hash
		FROM audit_events ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	type last struct {
		seq  int64
		hash string
	}
	latest := map[string]last{}
	prev := "genesis"
	var seq int64
	for rows.Next() {
		var e event
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorKind, &e.ActorID, &e.Action, &e.Entity, &e.EntityID, &e.CaseID, &e.Reason, &e.BeforeHash, &e.AfterHash, &e.PrevHash, &e.Hash); err != nil {
			rows.Close()
			return nil, err
		}
		rep.Events++
		seq++
		switch {
		case e.Seq != seq:
			rep.Problem = fmt.Sprintf("audit event %d: expected sequence number %d (an event is missing or was inserted)", e.Seq, seq)
		case e.PrevHash != prev:
			rep.Problem = fmt.Sprintf("audit event %d: does not link to event %d (previous hash differs)", e.Seq, e.Seq-1)
		case e.computeHash() != e.Hash:
			rep.Problem = fmt.Sprintf("audit event %d: its content does not match its hash (the event was edited)", e.Seq)
		}
		if rep.Problem != "" {
			rows.Close()
			return rep, nil
		}
		prev = e.Hash
		if e.Action != ActionRead {
			// Each change must start from the row as the log last left it:
			// otherwise a change made outside bistand was laundered by a
			// later change through bistand.
			key := e.Entity + "\x00" + e.EntityID
			l, seen := latest[key]
			switch {
			case !seen && (e.Action != ActionCreate || e.BeforeHash != ""):
				rep.Problem = fmt.Sprintf("audit event %d: %s %s changes a row the log never created", e.Seq, e.Entity, e.EntityID)
			case seen && e.Action == ActionCreate:
				rep.Problem = fmt.Sprintf("audit event %d: creates %s %s a second time (after event %d)", e.Seq, e.Entity, e.EntityID, l.seq)
			case seen && e.BeforeHash != l.hash:
				rep.Problem = fmt.Sprintf("%s %s: audit event %d found the row different from what event %d recorded (changed outside bistand in between)", e.Entity, e.EntityID, e.Seq, l.seq)
			}
			if rep.Problem != "" {
				rows.Close()
				return rep, nil
			}
			latest[key] = last{e.Seq, e.AfterHash}
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rep.HeadSeq, rep.HeadHash = seq, prev
	var headSeq int64
	var headHash string
	if err := db.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
		return nil, err
	}
	if headSeq != seq || headHash != prev {
		rep.Problem = fmt.Sprintf("audit head: says event %d but the chain ends at event %d (events were removed or the head was edited)", headSeq, seq)
		return rep, nil
	}
	for _, t := range auditedTables {
		rows, err := db.QueryContext(ctx, "SELECT "+t.selectList()+" FROM "+t.name+" ORDER BY "+t.columns[0])
		if err != nil {
			return nil, err
		}
		n := len(t.columns) + len(t.added)
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			rep.Rows++
			id := fmt.Sprint(vals[0])
			if b, ok := vals[0].([]byte); ok {
				id = string(b)
			}
			key := t.name + "\x00" + id
			l, ok := latest[key]
			switch {
			case !ok:
				rep.Problem = fmt.Sprintf("%s %s: no audit event records this row (inserted outside bistand)", t.name, id)
			case t.hashRow(vals) != l.hash:
				rep.Problem = fmt.Sprintf("%s %s: the row differs from what audit event %d recorded (changed outside bistand)", t.name, id, l.seq)
			}
			if rep.Problem != "" {
				rows.Close()
				return rep, nil
			}
			delete(latest, key)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	// Rows the log says exist but the tables do not hold: name the one
	// recorded earliest.
	first, firstKey := int64(-1), ""
	for key, l := range latest {
		if first < 0 || l.seq < first {
			first, firstKey = l.seq, key
		}
	}
	if first >= 0 {
		entity, id, _ := strings.Cut(firstKey, "\x00")
		rep.Problem = fmt.Sprintf("%s %s: recorded by audit event %d but missing (deleted outside bistand)", entity, id, first)
	}
	return rep, nil
}

// actorOf splits an actor for storage.
func actorOf(a bistand.Actor) (string, string) { return string(a.Kind), a.ID }
