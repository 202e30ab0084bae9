package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/robot"
	"github.com/bistand/bistand/sqlstore"
)

// The batch's letters stage: every decision of the run gets its letter from
// the letter step (package letters), which the queue runs behind the
// robot's steps; with --out the month's letters are written as PDF.

// letterBaseline is what the database held before the run: decisions
// without a letter, and letters.
type letterBaseline struct{ missing, letters int }

func lettersBefore(ctx context.Context, st *sqlstore.Store) (letterBaseline, error) {
	d, l, err := st.LetterCounts(ctx)
	return letterBaseline{d - l, l}, err
}

// waitLetters waits until every decision has its letter, except those
// without one before the run, and returns how many letters the run stored.
// A letter the letter step gave up on fails the run.
func waitLetters(ctx context.Context, st *sqlstore.Store, metrics *robot.Metrics, base letterBaseline) (int, error) {
	for {
		d, l, err := st.LetterCounts(ctx)
		if err != nil {
			return 0, err
		}
		failed := metrics.Snapshot().LettersFailed
		left := d - l - base.missing - failed // letters still to come
		if left <= 0 {
			if failed > 0 {
				return 0, fmt.Errorf("batch: %d decisions got no letter (see the log of the letter step)", failed)
			}
			return l - base.letters, nil
		}
		// Counting is a scan of both tables on PostgreSQL: while many
		// letters are still to come, once a second is often enough.
		wait := 100 * time.Millisecond
		if left > 1000 {
			wait = time.Second
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// writeLetters writes every letter of the month as PDF to
// DIR/letters/<decision id>.pdf, with --out.
func (c *batchCmd) writeLetters(ctx context.Context, st *sqlstore.Store, month bistand.Month) error {
	if c.out == "" {
		return nil
	}
	dir := filepath.Join(c.out, "letters")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	ids, err := st.MonthLetters(ctx, month)
	if err != nil {
		return err
	}
	for _, id := range ids {
		_, pdf, _, err := st.Letter(ctx, id)
		if err != nil {
			return err
		}
		if err := writeLetterFile(filepath.Join(dir, id+".pdf"), pdf); err != nil {
			return err
		}
	}
	return nil
}
