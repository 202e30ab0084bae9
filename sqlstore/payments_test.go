package sqlstore_test

// Payments on every engine: orders from decisions, the database's guards,
// payment files made exactly once (also across crashes and concurrent
// calls) and the import of the bank's status reports.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/payment"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

func TestPaymentOrdersFromDecisions(t *testing.T) {
	one := func(a, b bistand.Person) []sqlstore.FactInput { return []sqlstore.FactInput{payout(a, 11, 0)} }
	both := func(a, b bistand.Person) []sqlstore.FactInput {
		return []sqlstore.FactInput{payout(a, 12, 0), payout(b, 13, 0)}
	}
	sixtyForty := func(a, b bistand.Person) []sqlstore.FactInput {
		return []sqlstore.FactInput{payout(a, 14, 600), payout(b, 15, 400)}
	}
	badShares := func(a, b bistand.Person) []sqlstore.FactInput {
		return []sqlstore.FactInput{payout(a, 16, 600), payout(b, 17, 300)}
	}
	odd := bistand.Money(1_000_01) // 1 000,01 kr: an öre that does not split evenly
	for _, tt := range []struct {
		name         string
		municipality string
		payouts      func(a, b bistand.Person) []sqlstore.FactInput
		amount       *bistand.Money // nil: as calculated
		outcome      bistand.Outcome
		parts        []bistand.Money // the orders' amounts; nil: one order of the decision's amount
		finding      bistand.FindingKind
	}{
		{name: "approved", municipality: "demo", payouts: one, outcome: bistand.OutcomeApproved},
		{name: "partly approved", municipality: "demo", payouts: one, amount: kr(5000), outcome: bistand.OutcomePartlyApproved},
		{name: "rejected: no order", municipality: "demo", payouts: one, amount: kr(0), outcome: bistand.OutcomeRejected, parts: []bistand.Money{}},
		{name: "split equally between partners", municipality: "demo", payouts: both, amount: &odd, outcome: bistand.OutcomePartlyApproved, parts: []bistand.Money{50001, 50000}},
		{name: "split 600/400", municipality: "demo", payouts: sixtyForty, amount: &odd, outcome: bistand.OutcomePartlyApproved, parts: []bistand.Money{60001, 40000}},
		{name: "shares not adding up: finding", municipality: "demo", payouts: badShares, outcome: bistand.OutcomeApproved, parts: []bistand.Money{}, finding: bistand.FindingPaymentAccountMissing},
		{name: "no payout fact: finding", municipality: "demo", outcome: bistand.OutcomeApproved, parts: []bistand.Money{}, finding: bistand.FindingPaymentAccountMissing},
		{name: "municipality without payment data: finding", municipality: "national", payouts: one, outcome: bistand.OutcomeApproved, parts: []bistand.Money{}, finding: bistand.FindingPaymentNotConfigured},
	} {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
				f := newFixture(t, engine)
				h := f.payHome(tt.municipality, tt.payouts)
				d := f.decide(h.app.ID, tt.amount, "")
				if d.Outcome != tt.outcome {
					t.Fatalf("outcome %s, want %s", d.Outcome, tt.outcome)
				}
				parts := tt.parts
				if parts == nil {
					parts = []bistand.Money{d.Amount}
				}
				os := f.orders(sqlstore.PaymentOrderFilter{ApplicationID: h.app.ID})
				if len(os) != len(parts) {
					t.Fatalf("%d orders, want %d: %+v", len(os), len(parts), os)
				}
				// Applicant first, then partner.
				var total bistand.Money
				for i, o := range os {
					if o.PersonID == h.b.ID && i == 0 && len(os) == 2 {
						os[0], os[1] = os[1], os[0]
					}
				}
				for i, o := range os {
					want := []string{h.a.ID, h.b.ID}[i]
					if o.PersonID != want || o.Amount != parts[i] || o.Status != bistand.PaymentPlanned || o.DecisionID != d.ID ||
						o.PayDate != payDate || o.FileID != "" || o.Municipality != "demo" || o.Remittance != "Ekonomiskt bistånd 2026-03" || len(o.ID) > 35 {
						t.Errorf("order %d: %+v; want %s for %s on %s", i, o, parts[i], want, payDate)
					}
					total += o.Amount
				}
				if len(os) > 0 && total != d.Amount {
					t.Errorf("orders add up to %s, decision %s", total, d.Amount)
				}
				found := f.findingsOf(h.app.ID, tt.finding)
				if tt.finding != "" && (len(found) != 1 || found[0].Subject != d.ID || !strings.Contains(found[0].Text, "kan inte betalas ut")) {
					t.Errorf("%s findings: %+v", tt.finding, found)
				}
				for _, k := range []bistand.FindingKind{bistand.FindingPaymentAccountMissing, bistand.FindingPaymentNotConfigured, bistand.FindingPaymentOverpaid} {
					if k != tt.finding && len(f.findingsOf(h.app.ID, k)) > 0 {
						t.Errorf("unexpected %s finding", k)
					}
				}
				if rep := f.verify(); !rep.OK() {
					t.Fatal(rep.Problem)
				}
			})
		})
	}
}

// TestPaymentReplacement: a decision that replaces another cancels what is
// still planned and pays only what no file holds yet; nothing is ever paid
// twice, and a lower amount after the money left is a finding.
func TestPaymentReplacement(t *testing.T) {
	one := func(a, b bistand.Person) []sqlstore.FactInput { return []sqlstore.FactInput{payout(a, 21, 0)} }
	for _, tt := range []struct {
		name      string
		fileFirst bool          // the first decision's order is in a file before the replacement
		fail      bool          // ... and the bank rejected it
		second    bistand.Money // the replacing decision's amount
		planned   bistand.Money // what the replacement plans
		overpaid  bool
	}{
		{name: "before the file: cancelled and planned anew", second: bistand.Kronor(7000), planned: bistand.Kronor(7000)},
		{name: "before the file, lower", second: bistand.Kronor(100), planned: bistand.Kronor(100)},
		{name: "after the file, higher: the difference", fileFirst: true, second: bistand.Kronor(9000), planned: bistand.Kronor(1000)},
		{name: "after the file, equal: nothing", fileFirst: true, second: bistand.Kronor(8000)},
		{name: "after the file, lower: overpaid finding", fileFirst: true, second: bistand.Kronor(6000), overpaid: true},
		{name: "after the file, rejected: overpaid finding", fileFirst: true, second: 0, overpaid: true},
		{name: "after a failed payment: all of it", fileFirst: true, fail: true, second: bistand.Kronor(8000), planned: bistand.Kronor(8000)},
	} {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
				f := newFixture(t, engine)
				h := f.payHome("demo", one)
				d1 := f.decide(h.app.ID, kr(8000), "")
				first := f.orders(sqlstore.PaymentOrderFilter{DecisionID: d1.ID})
				if len(first) != 1 || first[0].Amount != bistand.Kronor(8000) {
					t.Fatalf("first orders %+v", first)
				}
				var file bistand.PaymentFile
				if tt.fileFirst {
					var err error
					if file, _, err = f.store.PaymentFile(f.ctx, system, "demo", payDate, fileTime); err != nil {
						t.Fatal(err)
					}
				}
				if tt.fail {
					if _, err := f.store.ImportPaymentStatus(f.ctx, system, bytes.NewReader(report("R1", file.ID, payDate, "PART", "", []txStatus{{first[0].ID, "RJCT", "AC04"}}))); err != nil {
						t.Fatal(err)
					}
				}
				second := tt.second
				d2 := f.decide(h.app.ID, &second, d1.ID)
				old := f.orders(sqlstore.PaymentOrderFilter{DecisionID: d1.ID})
				switch {
				case !tt.fileFirst && old[0].Status != bistand.PaymentCancelled:
					t.Errorf("the first decision's planned order is %s, want cancelled", old[0].Status)
				case tt.fileFirst && !tt.fail && old[0].Status != bistand.PaymentInFile:
					t.Errorf("the first decision's order in the file is %s", old[0].Status)
				}
				news := f.orders(sqlstore.PaymentOrderFilter{DecisionID: d2.ID})
				if got := sumOf(news, bistand.PaymentPlanned); got != tt.planned || (tt.planned == 0) != (len(news) == 0) {
					t.Errorf("replacement planned %s in %d orders, want %s", got, len(news), tt.planned)
				}
				all := f.orders(sqlstore.PaymentOrderFilter{ApplicationID: h.app.ID})
				live := sumOf(all, bistand.PaymentPlanned, bistand.PaymentInFile, bistand.PaymentPaid)
				if !tt.overpaid && live != second {
					t.Errorf("live orders add up to %s, the decision in force grants %s", live, second)
				}
				overpaid := f.findingsOf(h.app.ID, bistand.FindingPaymentOverpaid)
				if tt.overpaid != (len(overpaid) == 1) {
					t.Errorf("overpaid findings %+v", overpaid)
				}
				if tt.overpaid && !strings.Contains(overpaid[0].Text, (bistand.Kronor(8000)-second).String()) {
					t.Errorf("overpaid finding does not name the difference: %s", overpaid[0].Text)
				}
				// The next file takes exactly the new orders; nothing is in two files.
				if tt.planned > 0 {
					next, created, err := f.store.PaymentFile(f.ctx, system, "demo", payDate.AddDays(10), fileTime)
					if err != nil || !created {
						t.Fatalf("next file: %v %v", created, err)
					}
					ids := fileIDs(t, next.Content)
					if len(ids) != len(news) || next.Sum != tt.planned {
						t.Errorf("next file %v, want the %d new orders", ids, len(news))
					}
					if tt.fileFirst {
						for id := range fileIDs(t, file.Content) {
							if _, twice := ids[id]; twice {
								t.Errorf("order %s in two files", id)
							}
						}
					}
				}
				if rep := f.verify(); !rep.OK() {
					t.Fatal(rep.Problem)
				}
			})
		})
	}
}

// TestPayoutFacts: payout facts are validated as they are recorded and
// change no calculation.
func TestPayoutFacts(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		a, b, c, app := f.household("demo")
		before, _, err := f.store.Household(f.ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		var child string
		for _, m := range c.Members {
			if m.Role == "child" {
				child = m.PersonID
			}
		}
		good := payout(a, 31, 0)
		bad := func(mut func(v *sqlstore.PayoutValue)) sqlstore.FactInput {
			v := sqlstore.PayoutValue{PersonID: a.ID, Name: "Kontohavare", Account: sqlstore.PayoutAccount{Kind: "bankgiro", Number: payment.SyntheticBankgiro(5).Identifier()}}
			mut(&v)
			return fact(sqlstore.PayoutKey(v.PersonID), bistand.FactPayout, v)
		}
		for name, in := range map[string]sqlstore.FactInput{
			"wrong check digit": bad(func(v *sqlstore.PayoutValue) { v.Account.Number = v.Account.Number[:6] + "0" }),
			"unknown kind":      bad(func(v *sqlstore.PayoutValue) { v.Account.Kind = "plusgiro" }),
			"bank account without clearing": bad(func(v *sqlstore.PayoutValue) {
				v.Account = sqlstore.PayoutAccount{Kind: "bank_account", Number: "1234567"}
			}),
			"no name":         bad(func(v *sqlstore.PayoutValue) { v.Name = "" }),
			"name too long":   bad(func(v *sqlstore.PayoutValue) { v.Name = strings.Repeat("A", 71) }),
			"control in name": bad(func(v *sqlstore.PayoutValue) { v.Name = "A\tB" }),
			"share over 1000": bad(func(v *sqlstore.PayoutValue) { v.SharePerMille = 1001 }),
			"negative share":  bad(func(v *sqlstore.PayoutValue) { v.SharePerMille = -1 }),
			"a child":         bad(func(v *sqlstore.PayoutValue) { v.PersonID = child }),
			"not in the case": bad(func(v *sqlstore.PayoutValue) { v.PersonID = "per-nobody" }),
			"key mismatch":    {Key: sqlstore.PayoutKey(b.ID), Kind: bistand.FactPayout, Value: good.Value, Provenance: bistand.Declared},
			"unknown field":   {Key: good.Key, Kind: bistand.FactPayout, Value: []byte(`{"person_id":"` + a.ID + `","name":"X","account":{"kind":"bankgiro","number":"1000009"},"iban":"x"}`), Provenance: bistand.Declared},
		} {
			_, err := f.store.AddFacts(f.ctx, applicant(a), app.ID, []sqlstore.FactInput{in})
			if !errors.Is(err, bistand.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			} else if acc := synthDigits(in); acc != "" && strings.Contains(err.Error(), acc) {
				t.Errorf("%s: the error repeats the account number: %v", name, err)
			}
		}
		if _, err := f.store.AddFacts(f.ctx, applicant(a), app.ID, []sqlstore.FactInput{good, payout(b, 32, 0)}); err != nil {
			t.Fatal(err)
		}
		after, snap, err := f.store.Household(f.ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(before) != fmt.Sprint(after) || bytes.Contains(snap, []byte("payout")) || bytes.Contains(snap, []byte("Kontohavare")) {
			t.Errorf("payout facts changed the household:\n%v\n%v", before, after)
		}
	})
}

// synthDigits is the account number a payout fact holds, "" if none.
func synthDigits(in sqlstore.FactInput) string {
	var v sqlstore.PayoutValue
	if err := json.Unmarshal(in.Value, &v); err != nil || len(v.Account.Number) < 7 {
		return ""
	}
	return v.Account.Number
}

// TestPaymentGuards: the database itself refuses what would pay an order
// twice, whoever tries it by plain SQL.
func TestPaymentGuards(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h := f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput { return []sqlstore.FactInput{payout(a, 41, 0)} })
		d := f.decide(h.app.ID, nil, "")
		h2 := f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput { return []sqlstore.FactInput{payout(a, 42, 0)} })
		f.decide(h2.app.ID, nil, "")
		file, _, err := f.store.PaymentFile(f.ctx, system, "demo", payDate, fileTime)
		if err != nil {
			t.Fatal(err)
		}
		o := f.orders(sqlstore.PaymentOrderFilter{ApplicationID: h.app.ID})[0]
		// A second file row, to move orders into.
		f.decide(f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput { return []sqlstore.FactInput{payout(a, 43, 0)} }).app.ID, nil, "")
		other, _, err := f.store.PaymentFile(f.ctx, system, "demo", payDate.AddDays(1), fileTime)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name, sql string
			args      []any
		}{
			{"back to planned", "UPDATE payment_orders SET status = 'planned', file_id = NULL WHERE id = $1", []any{o.ID}},
			{"into another file", "UPDATE payment_orders SET file_id = $1 WHERE id = $2", []any{other.ID, o.ID}},
			{"cancelled once in a file", "UPDATE payment_orders SET status = 'cancelled', file_id = NULL WHERE id = $1", []any{o.ID}},
			{"planned with a file", "UPDATE payment_orders SET status = 'planned' WHERE id = $1", []any{o.ID}},
			{"amount changed", "UPDATE payment_orders SET amount_ore = amount_ore + 1 WHERE id = $1", []any{o.ID}},
			{"account changed", "UPDATE payment_orders SET account = '1000009', account_kind = 'bankgiro' WHERE id = $1", []any{o.ID}},
			{"deleted", "DELETE FROM payment_orders WHERE id = $1", []any{o.ID}},
			{"a second live order for the decision and payee", `INSERT INTO payment_orders (id, decision_id, application_id, case_id, person_id, payee_name, account_kind, account, amount_ore, remittance, pay_date, municipality, status, file_id, status_reason, created_at, updated_at)
				SELECT 'pay-copy', decision_id, application_id, case_id, person_id, payee_name, account_kind, account, amount_ore, remittance, pay_date, municipality, 'planned', NULL, '', created_at, updated_at FROM payment_orders WHERE id = $1`, []any{o.ID}},
			{"zero amount", `INSERT INTO payment_orders (id, decision_id, application_id, case_id, person_id, payee_name, account_kind, account, amount_ore, remittance, pay_date, municipality, status, file_id, status_reason, created_at, updated_at)
				SELECT 'pay-zero', $2, application_id, case_id, person_id, payee_name, account_kind, account, 0, remittance, pay_date, municipality, 'planned', NULL, '', created_at, updated_at FROM payment_orders WHERE id = $1`, []any{o.ID, d.ID}},
			{"in_file without a file", `INSERT INTO payment_orders (id, decision_id, application_id, case_id, person_id, payee_name, account_kind, account, amount_ore, remittance, pay_date, municipality, status, file_id, status_reason, created_at, updated_at)
				SELECT 'pay-nofile', decision_id, application_id, case_id, person_id || 'x', payee_name, account_kind, account, 1, remittance, pay_date, municipality, 'in_file', NULL, '', created_at, updated_at FROM payment_orders WHERE id = $1`, []any{o.ID}},
			{"file content changed", "UPDATE payment_files SET content = $1 WHERE id = $2", []any{[]byte("<x/>"), file.ID}},
			{"file deleted", "DELETE FROM payment_files WHERE id = $1", []any{file.ID}},
			{"second file for the date", "INSERT INTO payment_files (id, municipality, pay_date, created_at, sha256, n, ctrl_sum, content, status, updated_at) SELECT 'BST-copy', municipality, pay_date, created_at, sha256, n, ctrl_sum, content, status, updated_at FROM payment_files WHERE id = $1", []any{file.ID}},
		} {
			if _, err := f.db.ExecContext(f.ctx, tt.sql, tt.args...); err == nil {
				t.Errorf("%s: the database accepted it", tt.name)
			}
		}
		// What bistand does is still allowed: in_file → paid.
		if _, err := f.db.ExecContext(f.ctx, "UPDATE payment_orders SET status = 'paid' WHERE id = $1", o.ID); err != nil {
			t.Errorf("in_file → paid refused: %v", err)
		}
		if _, err := f.db.ExecContext(f.ctx, "UPDATE payment_orders SET status = 'failed' WHERE id = $1", o.ID); err == nil {
			t.Error("paid → failed accepted")
		}
	})
}

// TestPaymentFileCrash: a crash before the commit loses nothing and a rerun
// makes the file with every order exactly once; a crash after the commit
// leaves the file, and a rerun returns it byte for byte.
func TestPaymentFileCrash(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		var want []string
		var total bistand.Money
		for i := range 4 {
			h := f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput {
				if i%2 == 1 {
					return []sqlstore.FactInput{payout(a, uint64(50+2*i), 0), payout(b, uint64(51+2*i), 0)}
				}
				return []sqlstore.FactInput{payout(a, uint64(50+2*i), 0)}
			})
			d := f.decide(h.app.ID, nil, "")
			total += d.Amount
			for _, o := range f.orders(sqlstore.PaymentOrderFilter{DecisionID: d.ID}) {
				want = append(want, o.ID)
			}
		}
		crash := errors.New("crash")
		crashAt := func(point string) *sqlstore.Store {
			return sqlstore.NewStore(f.db, sqlstore.Options{Now: time.Now, Failpoint: func(p string) error {
				if p == point {
					return crash
				}
				return nil
			}})
		}
		// Crash before the commit: nothing kept.
		if _, _, err := crashAt("payment-file:built").PaymentFile(f.ctx, system, "demo", payDate, fileTime); !errors.Is(err, crash) {
			t.Fatalf("crash before commit: %v", err)
		}
		if n := f.count("SELECT COUNT(*) FROM payment_files"); n != 0 {
			t.Fatalf("%d files after a crash before the commit", n)
		}
		if n := f.count("SELECT COUNT(*) FROM payment_orders WHERE status = 'planned'"); n != len(want) {
			t.Fatalf("%d orders planned after the crash, want %d", n, len(want))
		}
		// Crash after the commit: the file is there; the rerun returns it.
		if _, _, err := crashAt("payment-file:committed").PaymentFile(f.ctx, system, "demo", payDate, fileTime); !errors.Is(err, crash) {
			t.Fatalf("crash after commit: %v", err)
		}
		stored, err := f.store.PaymentFileByID(f.ctx, sqlstore.PaymentFileID("demo", payDate))
		if err != nil {
			t.Fatal(err)
		}
		again, created, err := f.store.PaymentFile(f.ctx, system, "demo", payDate, fileTime.Add(time.Hour))
		if err != nil || created {
			t.Fatalf("rerun: created=%v %v", created, err)
		}
		if !bytes.Equal(again.Content, stored.Content) || again.SHA256 != stored.SHA256 || again.ID != "BST20260316-demo" {
			t.Fatal("the rerun returned another file")
		}
		ids := fileIDs(t, again.Content)
		if len(ids) != len(want) || again.Orders != len(want) || again.Sum != total {
			t.Fatalf("file has %d orders (%s), want %d (%s)", len(ids), again.Sum, len(want), total)
		}
		for _, id := range want {
			if _, ok := ids[id]; !ok {
				t.Errorf("order %s lost", id)
			}
		}
		requireValid(t, pain001XSD, again.Content)
		if rep := f.verify(); !rep.OK() {
			t.Fatal(rep.Problem)
		}
	})
}

// TestPaymentFileConcurrent: many calls for the same date at once make one
// file, and every caller gets its bytes.
func TestPaymentFileConcurrent(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		var want int
		for i := range 6 {
			h := f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput {
				return []sqlstore.FactInput{payout(a, uint64(60+i), 0)}
			})
			f.decide(h.app.ID, nil, "")
			want++
		}
		// Stores of their own (as separate processes would have).
		const n = 8
		var wg sync.WaitGroup
		files := make([]bistand.PaymentFile, n)
		created := make([]bool, n)
		errs := make([]error, n)
		for i := range n {
			st := sqlstore.NewStore(f.db, sqlstore.Options{})
			wg.Go(func() {
				files[i], created[i], errs[i] = st.PaymentFile(context.Background(), system, "demo", payDate, fileTime.Add(time.Duration(i)*time.Second))
			})
		}
		wg.Wait()
		made := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			if created[i] {
				made++
			}
			if !bytes.Equal(files[i].Content, files[0].Content) {
				t.Errorf("call %d got other bytes", i)
			}
		}
		if made != 1 || f.count("SELECT COUNT(*) FROM payment_files") != 1 {
			t.Errorf("%d calls made a file; %d files", made, f.count("SELECT COUNT(*) FROM payment_files"))
		}
		if ids := fileIDs(t, files[0].Content); len(ids) != want {
			t.Errorf("%d orders in the file, want %d", len(ids), want)
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatal(rep.Problem)
		}
	})
}

// TestPaymentFileRules: nothing to pay, a past date, a later date takes
// what an earlier file missed, only staff or the system make files.
func TestPaymentFileRules(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		if _, _, err := f.store.PaymentFile(f.ctx, system, "demo", payDate, fileTime); !errors.Is(err, sqlstore.ErrNothingToPay) {
			t.Errorf("empty: %v", err)
		}
		h := f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput { return []sqlstore.FactInput{payout(a, 71, 0)} })
		f.decide(h.app.ID, nil, "")
		if _, _, err := f.store.PaymentFile(f.ctx, system, "demo", payDate.AddDays(-1), fileTime); !errors.Is(err, sqlstore.ErrNothingToPay) {
			t.Errorf("a date before the order's: %v", err)
		}
		if _, _, err := f.store.PaymentFile(f.ctx, system, "demo", payDate, time.Date(2026, 3, 17, 8, 0, 0, 0, time.UTC)); !errors.Is(err, bistand.ErrInvalid) {
			t.Errorf("a date passed: %v", err)
		}
		if _, _, err := f.store.PaymentFile(f.ctx, robot, "demo", payDate, fileTime); !errors.Is(err, bistand.ErrForbidden) {
			t.Errorf("the robot: %v", err)
		}
		first, _, err := f.store.PaymentFile(f.ctx, system, "demo", payDate, fileTime)
		if err != nil {
			t.Fatal(err)
		}
		// Planned after the file for its date was made: into the next file.
		h2 := f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput { return []sqlstore.FactInput{payout(a, 72, 0)} })
		d2 := f.decide(h2.app.ID, nil, "")
		late := f.orders(sqlstore.PaymentOrderFilter{DecisionID: d2.ID})[0]
		if late.PayDate != payDate {
			t.Fatalf("late order's pay date %s", late.PayDate)
		}
		same, created, err := f.store.PaymentFile(f.ctx, system, "demo", payDate, fileTime)
		if err != nil || created || !bytes.Equal(same.Content, first.Content) {
			t.Fatalf("the date's file changed: %v %v", created, err)
		}
		next, created, err := f.store.PaymentFile(f.ctx, system, "demo", payDate.AddDays(10), fileTime)
		if err != nil || !created {
			t.Fatal(created, err)
		}
		if ids := fileIDs(t, next.Content); len(ids) != 1 || ids[late.ID] != late.Amount {
			t.Errorf("next file %v", ids)
		}
		if !strings.Contains(string(next.Content), "<Dt>2026-03-26</Dt>") {
			t.Error("the late order is not executed on the next file's date")
		}
		requireValid(t, pain001XSD, first.Content, next.Content)
		for _, id := range []string{sqlstore.PaymentFileID("demo", payDate), sqlstore.PaymentFileID("a-very-long-municipality-name", payDate), sqlstore.PaymentFileID("Åre", payDate)} {
			if len(id) > payment.MaxMessageIDLength {
				t.Errorf("file id %q too long", id)
			}
		}
		if sqlstore.PaymentFileID("Åre", payDate) == sqlstore.PaymentFileID("åre", payDate) {
			t.Error("file ids collide")
		}
	})
}

// TestImportPaymentStatus: reports built from the stored file mark orders
// paid and failed; importing twice changes nothing; contradictions and
// unknown ids are reported; a failure goes to a caseworker.
func TestImportPaymentStatus(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		var homes []payHome
		for i := range 3 {
			h := f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput {
				return []sqlstore.FactInput{payout(a, uint64(80+i), 0)}
			})
			f.decide(h.app.ID, nil, "")
			homes = append(homes, h)
		}
		file, _, err := f.store.PaymentFile(f.ctx, system, "demo", payDate, fileTime)
		if err != nil {
			t.Fatal(err)
		}
		order := func(i int) bistand.PaymentOrder {
			return f.orders(sqlstore.PaymentOrderFilter{ApplicationID: homes[i].app.ID})[0]
		}
		o0, o1, o2 := order(0), order(1), order(2)
		r1 := report("BANK-1", file.ID, payDate, "PART", "", []txStatus{{o0.ID, "ACSC", ""}, {o1.ID, "RJCT", "AC04"}, {"pay-someone-else", "ACSC", ""}})
		r2 := report("BANK-2", file.ID, payDate, "PART", "", []txStatus{{o0.ID, "RJCT", "AC01"}, {o1.ID, "ACSC", ""}, {o2.ID, "ACSC", ""}})
		requireValid(t, pain002XSD, r1, r2)

		imp := func(doc []byte) sqlstore.PaymentImport {
			t.Helper()
			s, err := f.store.ImportPaymentStatus(f.ctx, system, bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		s := imp(r1)
		if s.Paid != 1 || s.Failed != 1 || s.Pending != 1 || s.Unchanged != 0 || len(s.Unknown) != 1 || s.Unknown[0] != "pay-someone-else" || s.ApplicationsPaid != 1 {
			t.Errorf("first import %+v", s)
		}
		if o := order(0); o.Status != bistand.PaymentPaid {
			t.Errorf("o0 %s", o.Status)
		}
		if a := f.app(homes[0].app.ID); a.State != bistand.Paid {
			t.Errorf("application paid in full is %s", a.State)
		}
		failed := order(1)
		if failed.Status != bistand.PaymentFailed || !strings.Contains(failed.StatusReason, "AC04") {
			t.Errorf("o1 %+v", failed)
		}
		fs := f.findingsOf(homes[1].app.ID, bistand.FindingPaymentFailed)
		if len(fs) != 1 || fs[0].Status != bistand.FindingOpen || fs[0].Subject != o1.ID ||
			!strings.Contains(fs[0].Text, "AC04 (kontot är avslutat)") || strings.Contains(fs[0].Text, o1.Account) || strings.Contains(string(fs[0].Data), o1.Account) ||
			!strings.Contains(fs[0].Text, o1.Account[len(o1.Account)-4:]) || strings.Contains(fs[0].Text, "Bankens text") {
			t.Errorf("failure finding %+v", fs)
		}
		if a := f.app(homes[1].app.ID); a.State != bistand.Decided {
			t.Errorf("application with a failed payment is %s", a.State)
		}

		// The same report again: nothing changes, not even the audit log.
		events := f.auditEvents()
		s = imp(r1)
		if s.Paid != 0 || s.Failed != 0 || s.Unchanged != 2 || s.Pending != 1 || s.ApplicationsPaid != 0 {
			t.Errorf("second import %+v", s)
		}
		if f.auditEvents() != events {
			t.Errorf("importing the same report again wrote %d audit events", f.auditEvents()-events)
		}

		// A report contradicting final outcomes is refused for them.
		s = imp(r2)
		if s.Paid != 1 || len(s.Refused) != 2 || s.Pending != 0 {
			t.Errorf("contradicting import %+v", s)
		}
		if order(0).Status != bistand.PaymentPaid || order(1).Status != bistand.PaymentFailed || order(2).Status != bistand.PaymentPaid {
			t.Error("a final status moved")
		}
		if len(f.findingsOf(homes[0].app.ID, bistand.FindingPaymentReportConflict)) != 1 || len(f.findingsOf(homes[1].app.ID, bistand.FindingPaymentReportConflict)) != 1 {
			t.Error("no finding for the contradictions")
		}
		if got, _ := f.store.PaymentFileByID(f.ctx, file.ID); got.Status != bistand.PaymentFileSettled {
			t.Errorf("file %s, want settled", got.Status)
		}

		// A report about a file bistand does not know changes nothing.
		events = f.auditEvents()
		s = imp(report("BANK-3", "BST20990101-demo", payDate, "ACSC", "", nil))
		if len(s.Unknown) != 1 || s.Paid+s.Failed+s.Unchanged+s.Pending != 0 || f.auditEvents() != events {
			t.Errorf("unknown file %+v", s)
		}
		// Not XML: an error, nothing changed.
		if _, err := f.store.ImportPaymentStatus(f.ctx, system, strings.NewReader("<Document/>")); !errors.Is(err, bistand.ErrInvalid) {
			t.Errorf("garbage: %v", err)
		}
		if _, err := f.store.ImportPaymentStatus(f.ctx, worker, bytes.NewReader(r1)); !errors.Is(err, bistand.ErrForbidden) {
			t.Errorf("a caseworker imports: %v", err)
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatal(rep.Problem)
		}
	})
}

// TestImportWholeMessage: a rejected message fails every order in it; a
// rejection as a duplicate changes nothing.
func TestImportWholeMessage(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		h := f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput {
			return []sqlstore.FactInput{payout(a, 91, 0), payout(b, 92, 0)}
		})
		f.decide(h.app.ID, nil, "")
		file, _, err := f.store.PaymentFile(f.ctx, system, "demo", payDate, fileTime)
		if err != nil {
			t.Fatal(err)
		}
		dup := report("BANK-D", file.ID, payDate, "RJCT", "DU01", nil)
		rej := report("BANK-R", file.ID, payDate, "RJCT", "FF01", nil)
		requireValid(t, pain002XSD, dup, rej)
		events := f.auditEvents()
		s, err := f.store.ImportPaymentStatus(f.ctx, system, bytes.NewReader(dup))
		if err != nil || !s.RejectedAsDuplicate || s.WholeMessageRejected || s.Failed != 0 || s.Pending != 2 || f.auditEvents() != events {
			t.Fatalf("duplicate: %+v %v", s, err)
		}
		s, err = f.store.ImportPaymentStatus(f.ctx, system, bytes.NewReader(rej))
		if err != nil || !s.WholeMessageRejected || s.Failed != 2 {
			t.Fatalf("rejected: %+v %v", s, err)
		}
		for _, o := range f.orders(sqlstore.PaymentOrderFilter{FileID: file.ID}) {
			if o.Status != bistand.PaymentFailed || !strings.Contains(o.StatusReason, "FF01") {
				t.Errorf("order %+v", o)
			}
		}
		if got, _ := f.store.PaymentFileByID(f.ctx, file.ID); got.Status != bistand.PaymentFileRejected {
			t.Errorf("file %s", got.Status)
		}
		if n := len(f.findingsOf(h.app.ID, bistand.FindingPaymentFailed)); n != 2 {
			t.Errorf("%d failure findings, want 2", n)
		}
		// A caseworker puts it right: a replacement pays it all again, in a new file.
		d := must[bistand.Decision](t)(f.store.CurrentDecision(f.ctx, h.app.ID))
		amount := d.Amount
		d2 := f.decide(h.app.ID, &amount, d.ID)
		if got := sumOf(f.orders(sqlstore.PaymentOrderFilter{DecisionID: d2.ID}), bistand.PaymentPlanned); got != amount {
			t.Errorf("after the rejection the replacement plans %s, want %s", got, amount)
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatal(rep.Problem)
		}
	})
}

var payOrders = flag.Int("payorders", 200, "orders in TestPaymentFileLarge (5000 for the figures in docs/performance.md)")

// TestPaymentFileLarge makes a file of many orders (-payorders) and
// reports how long making it and importing its status report take.
func TestPaymentFileLarge(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		n := *payOrders
		insertPlannedOrders(t, f, n)
		start := time.Now()
		file, created, err := f.store.PaymentFile(f.ctx, system, "demo", payDate, fileTime)
		took := time.Since(start)
		if err != nil || !created || file.Orders != n {
			t.Fatalf("%v %v %d", created, err, file.Orders)
		}
		t.Logf("%s: payment file of %d orders (%d bytes) made and stored in %v", engine, n, len(file.Content), took)
		requireValid(t, pain001XSD, file.Content)
		start = time.Now()
		var txs []txStatus
		for _, o := range f.orders(sqlstore.PaymentOrderFilter{FileID: file.ID}) {
			txs = append(txs, txStatus{o.ID, "ACSC", ""})
		}
		s, err := f.store.ImportPaymentStatus(f.ctx, system, bytes.NewReader(report("BANK-L", file.ID, payDate, "ACSC", "", txs)))
		if err != nil || s.Paid != n {
			t.Fatalf("%+v %v", s, err)
		}
		t.Logf("%s: status report of %d orders imported in %v", engine, n, time.Since(start))
		if rep := f.verify(); !rep.OK() {
			t.Fatal(rep.Problem)
		}
	})
}

// TestPaymentFileRacesReplacements makes a file while caseworkers replace
// the decisions it pays: whichever commits first, no cancelled order is in
// the file, every file holds exactly its orders, and each application's
// live orders add up to the decision in force.
func TestPaymentFileRacesReplacements(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		var homes []payHome
		for i := range 8 {
			h := f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput {
				return []sqlstore.FactInput{payout(a, uint64(200+2*i), 0), payout(b, uint64(201+2*i), 0)}
			})
			f.decide(h.app.ID, nil, "")
			homes = append(homes, h)
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(homes)+1)
		wg.Go(func() {
			if _, _, err := sqlstore.NewStore(f.db, sqlstore.Options{}).PaymentFile(context.Background(), system, "demo", payDate, fileTime); err != nil {
				errs <- err
			}
		})
		for i, h := range homes {
			st := f.store // the fixture's clock: the new orders are for payDate too
			wg.Go(func() {
				cur, err := st.CurrentDecision(context.Background(), h.app.ID)
				if err == nil {
					amount := bistand.Kronor(int64(5000 + 1000*i))
					_, _, err = st.Decide(context.Background(), worker, h.app.ID, sqlstore.DecideInput{Amount: &amount, Replaces: cur.ID, Motivation: "Omprövat."})
				}
				if err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		next, _, err := f.store.PaymentFile(f.ctx, system, "demo", payDate.AddDays(10), fileTime)
		if err != nil && !errors.Is(err, sqlstore.ErrNothingToPay) {
			t.Fatal(err)
		}
		first, err := f.store.PaymentFileByID(f.ctx, sqlstore.PaymentFileID("demo", payDate))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, file := range []bistand.PaymentFile{first, next} {
			if file.ID == "" {
				continue
			}
			ids := fileIDs(t, file.Content)
			stored := f.orders(sqlstore.PaymentOrderFilter{FileID: file.ID})
			if len(ids) != len(stored) {
				t.Errorf("file %s: %d orders in the bytes, %d marked", file.ID, len(ids), len(stored))
			}
			for _, o := range stored {
				if ids[o.ID] != o.Amount || o.Status != bistand.PaymentInFile || seen[o.ID] {
					t.Errorf("order %s (%s) in file %s: %s in the bytes, seen before %v", o.ID, o.Status, file.ID, ids[o.ID], seen[o.ID])
				}
				seen[o.ID] = true
			}
		}
		for i, h := range homes {
			all := f.orders(sqlstore.PaymentOrderFilter{ApplicationID: h.app.ID})
			want := bistand.Kronor(int64(5000 + 1000*i))
			if live := sumOf(all, bistand.PaymentPlanned, bistand.PaymentInFile, bistand.PaymentPaid); live != want && len(f.findingsOf(h.app.ID, bistand.FindingPaymentOverpaid)) == 0 {
				t.Errorf("application %d: live orders %s, decision %s", i, live, want)
			}
			for _, o := range all {
				if o.Status == bistand.PaymentPlanned {
					t.Errorf("order %s still planned after the second file", o.ID)
				}
			}
		}
		if rep := f.verify(); !rep.OK() {
			t.Fatal(rep.Problem)
		}
	})
}
