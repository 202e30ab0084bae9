package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// Many changes at once: on SQLite they share transactions (group commit),
// yet each is kept or refused on its own. A change that fails (a person
// already known) or panics takes nothing else with it; a change whose
// caller has given up before its turn is not made; everything kept is in
// the audit chain, which verifies.
func TestConcurrentChangesEachKeptOrRefusedAlone(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		rng := rand.New(rand.NewPCG(7, 8))
		birth, _ := bistand.ParseDate("1980-01-01")
		known := personnummer.Generate(rng, birth, false, true)
		if _, err := f.store.CreatePerson(f.ctx, system, known, false); err != nil {
			t.Fatal(err)
		}
		const n = 240
		numbers := make([]personnummer.Number, n)
		seen := map[personnummer.Number]bool{known: true}
		for i := range numbers {
			for {
				d := birth.AddDays(rng.IntN(9000))
				numbers[i] = personnummer.Generate(rng, d, false, rng.IntN(2) == 0)
				if !seen[numbers[i]] {
					seen[numbers[i]] = true
					break
				}
			}
		}
		cancelled, cancel := context.WithCancel(f.ctx)
		cancel()
		type outcome struct {
			err      error
			panicked any
		}
		out := make([]outcome, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				defer func() { out[i].panicked = recover() }()
				switch i % 8 {
				case 3: // a person already known: refused
					_, out[i].err = f.store.CreatePerson(f.ctx, system, known, false)
				case 5: // a change that panics
					out[i].err = f.store.WriteForTest(f.ctx, system, func() error { panic(fmt.Sprint("change ", i)) })
				case 6: // a change that fails
					out[i].err = f.store.WriteForTest(f.ctx, system, func() error { return errBoom })
				case 7: // the caller has given up
					_, out[i].err = f.store.CreatePerson(cancelled, system, numbers[i], false)
				default:
					_, out[i].err = f.store.CreatePerson(f.ctx, system, numbers[i], false)
				}
			})
		}
		wg.Wait()
		for i, o := range out {
			_, err := f.store.PersonByNumber(f.ctx, numbers[i])
			exists := err == nil
			switch i % 8 {
			case 3:
				if o.err == nil {
					t.Errorf("%d: a known person was created again", i)
				}
			case 5:
				if o.panicked != fmt.Sprint("change ", i) {
					t.Errorf("%d: the caller got panic %v, err %v", i, o.panicked, o.err)
				}
			case 6:
				if !errors.Is(o.err, errBoom) {
					t.Errorf("%d: %v, want the change's own error", i, o.err)
				}
			case 7:
				if !errors.Is(o.err, context.Canceled) || exists {
					t.Errorf("%d: given up: err %v, created %v", i, o.err, exists)
				}
			default:
				if o.err != nil || o.panicked != nil || !exists {
					t.Errorf("%d: err %v, panic %v, created %v", i, o.err, o.panicked, exists)
				}
			}
		}
		rep, err := f.db.Verify(f.ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
		// The person created first and the n/8*4 created here: one event each.
		if want := int64(1 + n/8*4); rep.Events != want {
			t.Errorf("%d audit events, want %d", rep.Events, want)
		}
		txs, changes := f.store.GroupCommits()
		t.Logf("%s: %d changes in %d transactions", engine, changes, txs)
		if engine == sqlstore.SQLite && changes <= txs {
			t.Errorf("SQLite: %d changes in %d transactions: nothing was committed together", changes, txs)
		}
	})
}

var errBoom = errors.New("boom")
