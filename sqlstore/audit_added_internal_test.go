package sqlstore

import "testing"

// TestAddedColumnsKeepOldHashes: a decision recorded before approved_by_kind
// and approved_by_id existed hashes, with them empty, exactly as the audit
// event recorded it then (over the original columns only); an approver
// changes the hash, and which column holds what matters.
func TestAddedColumnsKeepOldHashes(t *testing.T) {
	dec := auditedTableNamed("decisions")
	if len(dec.columns) != 15 || len(dec.added) != 2 {
		t.Fatalf("decisions: %d columns and %d added", len(dec.columns), len(dec.added))
	}
	old := []any{"dec-1", "app-1", "case-1", "2026-03", "approved", int64(1295000), `{"month":"2026-03"}`, "r", "p", `{}`,
		"robot", "robot", "", nil, "2026-03-10T09:00:00.000000Z"}
	withEmpty := append(append([]any(nil), old...), "", []byte{})
	if got, want := dec.hashRow(withEmpty), hashValues(old); got != want {
		t.Errorf("an unapproved decision hashes %s, before the migration %s", got, want)
	}
	approved := append(append([]any(nil), old...), "caseworker", "hl-bo")
	swapped := append(append([]any(nil), old...), "hl-bo", "caseworker")
	onlyID := append(append([]any(nil), old...), "", "hl-bo")
	onlyKind := append(append([]any(nil), old...), "hl-bo", "")
	seen := map[string]string{dec.hashRow(withEmpty): "empty"}
	for name, row := range map[string][]any{"approved": approved, "swapped": swapped, "only id": onlyID, "only kind": onlyKind} {
		h := dec.hashRow(row)
		if other, dup := seen[h]; dup {
			t.Errorf("%s hashes as %s", name, other)
		}
		seen[h] = name
	}
	// A table without added columns hashes as it always did.
	p := auditedTableNamed("persons")
	row := []any{"per-1", "198504021234", int64(0), "2026-03-10T09:00:00.000000Z"}
	if p.hashRow(row) != hashValues(row) {
		t.Error("persons hash differently")
	}
}
