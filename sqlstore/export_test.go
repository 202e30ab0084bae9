package sqlstore

import (
	"context"

	"github.com/bistand/bistand"
)

// WriteForTest runs fn as a change of its own (with no rows), so tests can
// make a change fail or panic in the middle of a group commit.
func (s *Store) WriteForTest(ctx context.Context, actor bistand.Actor, fn func() error) error {
	return s.write(ctx, actor, func(*wtx) error { return fn() })
}

// Every hash insertRow computes from the values written is checked against
// the row read back, in every test of the package, on both engines.
func init() { checkWrittenHashes = true }
