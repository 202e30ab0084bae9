package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/municipality"
	"github.com/bistand/bistand/sqlstore"
)

// payments is batch's payment stage: with --out, the payment file of every
// pay date that has planned orders, written to DIR/payments/MSGID.xml,
// counted in the report; without --out, the planned orders are counted and
// no file is made.
func (c *batchCmd) payments(ctx context.Context, st *sqlstore.Store, rep *batchReport) error {
	start := time.Now()
	var sum bistand.Money
	defer func() {
		rep.PaymentSum = sum.Decimal()
		rep.Seconds["payments"] = time.Since(start).Seconds()
	}()
	if c.out == "" {
		orders, err := st.PaymentOrders(ctx, sqlstore.PaymentOrderFilter{Municipality: c.municipality, Status: bistand.PaymentPlanned})
		if err != nil {
			return err
		}
		for _, o := range orders {
			sum += o.Amount
		}
		rep.PaymentOrders = len(orders)
		return nil
	}
	dates, err := st.PlannedPayDates(ctx, c.municipality)
	if err != nil {
		return err
	}
	// A pay date already past (a database of an earlier run) is paid on the
	// next pay date: its orders go into that file.
	today := bistand.DateOf(time.Now())
	var due []bistand.Date
	for _, d := range dates {
		if d.Before(today) {
			info, err := municipality.Get(c.municipality)
			if err != nil {
				return err
			}
			d = info.Payments.NextPayDate(today)
		}
		if !slices.Contains(due, d) {
			due = append(due, d)
		}
	}
	slices.SortFunc(due, bistand.Date.Compare)
	dir := filepath.Join(c.out, "payments")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	for _, d := range due {
		out := filepath.Join(dir, sqlstore.PaymentFileID(c.municipality, d)+".xml")
		s, err := payFile(ctx, st, c.municipality, d, time.Now(), out)
		if err != nil {
			return err
		}
		if s.File == "" {
			continue // taken by an earlier date's file
		}
		f, err := st.PaymentFileByID(ctx, s.File)
		if err != nil {
			return err
		}
		rep.PaymentFiles++
		rep.PaymentOrders += f.Orders
		sum += f.Sum
	}
	return nil
}
