package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// FuzzImportPaymentStatus feeds status reports (seeded with reports about
// the stored file, and mutations of them) to the importer of one database:
// it never panics, refuses what it cannot read as ErrInvalid, and never
// moves an order out of a final status or out of its file.
func FuzzImportPaymentStatus(f *testing.F) {
	ctx := context.Background()
	db := sqltest.Open(f, sqlstore.SQLite)
	if _, err := db.Exec("CREATE TABLE test_jobs (kind TEXT NOT NULL, args TEXT NOT NULL)"); err != nil {
		f.Fatal(err)
	}
	clock := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	st := sqlstore.NewStore(db, sqlstore.Options{Jobs: &recordingJobs{}, Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 3 {
		var people []bistand.Person
		for _, born := range []bistand.Date{bistand.MustDate(1980, 1, 1+i), bistand.MustDate(1982, 2, 1+i), bistand.MustDate(2018, 3, 1+i)} {
			p, err := st.CreatePerson(ctx, system, personnummer.Generate(rng, born, false, rng.IntN(2) == 0), false)
			if err != nil {
				f.Fatal(err)
			}
			people = append(people, p)
		}
		a, b, child := people[0], people[1], people[2]
		c, err := st.OpenCase(ctx, system, "demo", []bistand.CaseMember{{PersonID: a.ID, Role: "applicant"}, {PersonID: b.ID, Role: "partner"}, {PersonID: child.ID, Role: "child"}})
		if err != nil {
			f.Fatal(err)
		}
		facts := append(exampleFacts(a.ID, b.ID, child.ID), payout(a, uint64(100+i), 0), payout(b, uint64(110+i), 0))
		app, err := st.Apply(ctx, applicant(a), c.ID, march2026, facts,
			[]sqlstore.Signed{{PersonID: a.ID, Method: "demo", Reference: "a"}, {PersonID: b.ID, Method: "demo", Reference: "b"}}, nil)
		if err != nil {
			f.Fatal(err)
		}
		for _, to := range []bistand.State{bistand.Collecting, bistand.Assessed} {
			if _, _, err := st.Transition(ctx, robot, app.ID, to, "", sqlstore.TransitionOptions{}); err != nil {
				f.Fatal(err)
			}
		}
		if _, _, err := st.Decide(ctx, robot, app.ID, sqlstore.DecideInput{}); err != nil {
			f.Fatal(err)
		}
	}
	file, _, err := st.PaymentFile(ctx, system, "demo", payDate, fileTime)
	if err != nil {
		f.Fatal(err)
	}
	orders, err := st.PaymentOrders(ctx, sqlstore.PaymentOrderFilter{FileID: file.ID})
	if err != nil || len(orders) != 6 {
		f.Fatalf("%d orders: %v", len(orders), err)
	}
	id := func(i int) string { return orders[i].ID }
	f.Add(report("B1", file.ID, payDate, "PART", "", []txStatus{{id(0), "ACSC", ""}, {id(1), "RJCT", "AC04"}, {id(2), "PDNG", ""}}))
	f.Add(report("B2", file.ID, payDate, "ACSC", "", []txStatus{{id(3), "ACSC", ""}, {id(4), "ACCC", ""}}))
	f.Add(report("B3", file.ID, payDate, "RJCT", "FF01", nil))
	f.Add(report("B4", file.ID, payDate, "RJCT", "DU01", nil))
	f.Add(report("B5", file.ID, payDate, "PART", "", []txStatus{{id(0), "RJCT", "AC01"}, {"pay-unknown", "ACSC", ""}}))
	f.Add(report("B6", "BST20990101-demo", payDate, "ACSC", "", nil))
	f.Add([]byte("<Document/>"))

	status := map[string]bistand.PaymentStatus{}
	for _, o := range orders {
		status[o.ID] = o.Status
	}
	runs := 0
	f.Fuzz(func(t *testing.T, doc []byte) {
		runs++
		_, err := st.ImportPaymentStatus(ctx, system, bytes.NewReader(doc))
		if err != nil && !errors.Is(err, bistand.ErrInvalid) {
			t.Fatalf("import: %v", err)
		}
		now, err := st.PaymentOrders(ctx, sqlstore.PaymentOrderFilter{FileID: file.ID})
		if err != nil || len(now) != len(orders) {
			t.Fatalf("%d orders in the file after the import: %v", len(now), err)
		}
		for _, o := range now {
			was := status[o.ID]
			if was != bistand.PaymentInFile && o.Status != was {
				t.Fatalf("order %s moved from %s to %s", o.ID, was, o.Status)
			}
			if o.Status != bistand.PaymentInFile && o.Status != bistand.PaymentPaid && o.Status != bistand.PaymentFailed {
				t.Fatalf("order %s is %s", o.ID, o.Status)
			}
			status[o.ID] = o.Status
		}
		if runs%50 == 1 {
			if rep, err := db.Verify(ctx); err != nil || !rep.OK() {
				t.Fatalf("verify: %v %+v", err, rep)
			}
		}
	})
}
