package sqlstore_test

// A property test (rapid) of payments: random sequences of decisions,
// replacements, payment files, status reports and days passing. After every
// step: no order is in two files and every file holds exactly its orders;
// the live orders (planned, in a file, paid) of a decision never add up to
// more than it grants; and the decision in force on every application is
// covered exactly: what is live plus what failed since it was made is what
// it grants (or what had already been sent, when that was more).

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/municipality"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	"pgregory.net/rapid"
)

// payClock is the store's clock: a second per call, and jumps.
type payClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *payClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *payClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// payApp is what the model knows of an application.
type payApp struct {
	id       string
	a, b     bistand.Person
	decision bistand.Decision // in force
	// cover is what the decision in force must be covered with: what it
	// grants, or what had already been sent when that was more (or all of
	// it could not be paid: no payout fact).
	cover bistand.Money
	// lost is what failed since the decision in force was made.
	lost     bistand.Money
	payable  bool // a payout fact is in force
	decided  bool // decided, not yet paid in full
	sentThen bistand.Money
}

type payModel struct {
	f     *fixture
	clock *payClock
	start time.Time
	apps  []*payApp
	files map[string][]byte // this run's files: id → bytes as first made
	seed  uint64
	stats map[string]int
}

func (m *payModel) today() bistand.Date { return bistand.DateOf(m.clock.now()) }

// live sums an application's orders by status.
func (m *payModel) orders(t *rapid.T, filter sqlstore.PaymentOrderFilter) []bistand.PaymentOrder {
	os, err := m.f.store.PaymentOrders(m.f.ctx, filter)
	if err != nil {
		t.Fatal(err)
	}
	return os
}

func (m *payModel) Decide(t *rapid.T) {
	if len(m.apps) >= 8 {
		t.Skip("enough applications")
	}
	kind := rapid.SampledFrom([]string{"one", "one", "halves", "600/400", "none"}).Draw(t, "payout")
	m.seed += 2
	seed := m.seed
	h := m.f.payHome("demo", func(a, b bistand.Person) []sqlstore.FactInput {
		switch kind {
		case "one":
			return []sqlstore.FactInput{payout(a, seed, 0)}
		case "halves":
			return []sqlstore.FactInput{payout(a, seed, 0), payout(b, seed+1, 0)}
		case "600/400":
			return []sqlstore.FactInput{payout(a, seed, 600), payout(b, seed+1, 400)}
		}
		return nil
	})
	var amount *bistand.Money
	if rapid.Bool().Draw(t, "other amount") {
		a := bistand.Money(rapid.Int64Range(0, 1_500_000).Draw(t, "amount"))
		amount = &a
	}
	d, ok, err := m.f.store.Decide(m.f.ctx, worker, h.app.ID, sqlstore.DecideInput{Amount: amount, Motivation: "Prövat."})
	if err != nil || !ok {
		t.Fatalf("decide: %v", err)
	}
	app := &payApp{id: h.app.ID, a: h.a, b: h.b, decision: d, payable: kind != "none", decided: true}
	app.cover = granted(d)
	if !app.payable {
		app.cover = 0
	}
	m.apps = append(m.apps, app)
	m.stats["decide"]++
}

func granted(d bistand.Decision) bistand.Money {
	if d.Outcome == bistand.OutcomeRejected {
		return 0
	}
	return d.Amount
}

func (m *payModel) Replace(t *rapid.T) {
	var open []*payApp
	for _, a := range m.apps {
		if a.decided {
			open = append(open, a)
		}
	}
	if len(open) == 0 {
		t.Skip("nothing decided")
	}
	app := rapid.SampledFrom(open).Draw(t, "application")
	if !app.payable && rapid.Bool().Draw(t, "add payout") {
		in := payout(app.a, 9000+m.seed, 0)
		in.Provenance, in.Reason = bistand.Caseworker, "Kontouppgift från hushållet."
		if _, err := m.f.store.AddFacts(m.f.ctx, worker, app.id, []sqlstore.FactInput{in}); err != nil {
			t.Fatal(err)
		}
		app.payable = true
	}
	before := m.orders(t, sqlstore.PaymentOrderFilter{ApplicationID: app.id})
	sent := sumOf(before, bistand.PaymentInFile, bistand.PaymentPaid)
	amount := bistand.Money(rapid.Int64Range(0, 1_500_000).Draw(t, "amount"))
	d, ok, err := m.f.store.Decide(m.f.ctx, worker, app.id, sqlstore.DecideInput{Amount: &amount, Replaces: app.decision.ID, Motivation: "Omprövat."})
	if err != nil || !ok {
		t.Fatalf("replace: %v", err)
	}
	app.decision, app.lost, app.sentThen = d, 0, sent
	app.cover = max(granted(d), sent)
	if !app.payable {
		app.cover = sent
	}
	after := m.orders(t, sqlstore.PaymentOrderFilter{ApplicationID: app.id})
	for _, o := range after {
		if o.DecisionID != d.ID && o.Status == bistand.PaymentPlanned {
			t.Fatalf("order %s of a replaced decision still planned", o.ID)
		}
	}
	news := m.orders(t, sqlstore.PaymentOrderFilter{DecisionID: d.ID})
	want := bistand.Money(0)
	if app.payable && granted(d) > sent {
		want = granted(d) - sent
	}
	if got := sumOf(news, bistand.PaymentPlanned); got != want {
		t.Fatalf("replacement of %s after %s sent planned %s, want %s", granted(d), sent, got, want)
	}
	overpaid := len(m.f.findingsOfT(t, app.id, bistand.FindingPaymentOverpaid, d.ID)) > 0
	if overpaid != (granted(d) < sent) {
		t.Fatalf("overpaid finding %v, granted %s, sent %s", overpaid, granted(d), sent)
	}
	m.stats["replace"]++
	if sent > 0 {
		m.stats["replace after a file"]++
	}
}

func (m *payModel) Pay(t *rapid.T) {
	info, err := municipality.Get("demo")
	if err != nil {
		t.Fatal(err)
	}
	now := m.clock.now()
	date := info.Payments.NextPayDate(bistand.DateOf(now)).AddDays(rapid.IntRange(0, 3).Draw(t, "later"))
	planned := map[string]bistand.Money{}
	for _, o := range m.orders(t, sqlstore.PaymentOrderFilter{Municipality: "demo", Status: bistand.PaymentPlanned}) {
		if !o.PayDate.After(date) {
			planned[o.ID] = o.Amount
		}
	}
	file, created, err := m.f.store.PaymentFile(m.f.ctx, system, "demo", date, now)
	switch {
	case err != nil && len(planned) == 0:
		if _, exists := m.files[sqlstore.PaymentFileID("demo", date)]; exists {
			t.Fatalf("an existing file not returned: %v", err)
		}
		return
	case err != nil:
		t.Fatal(err)
	}
	if prev, ok := m.files[file.ID]; ok {
		if created || !bytes.Equal(prev, file.Content) {
			t.Fatalf("file %s made again or changed (created %v)", file.ID, created)
		}
		m.stats["pay again"]++
		return
	}
	if !created {
		t.Fatalf("file %s not made by this run but returned as existing", file.ID)
	}
	ids := fileIDs(t, file.Content)
	if len(ids) != len(planned) {
		t.Fatalf("file holds %d orders, %d were planned", len(ids), len(planned))
	}
	for id, amount := range planned {
		if ids[id] != amount {
			t.Fatalf("order %s: %s in the file, planned %s", id, ids[id], amount)
		}
	}
	m.files[file.ID] = file.Content
	m.stats["pay"]++
}

func (m *payModel) Import(t *rapid.T) {
	var candidates []string
	for id := range m.files {
		candidates = append(candidates, id)
	}
	if len(candidates) == 0 {
		t.Skip("no file")
	}
	slices.Sort(candidates)
	fileID := rapid.SampledFrom(candidates).Draw(t, "file")
	file, err := m.f.store.PaymentFileByID(m.f.ctx, fileID)
	if err != nil {
		t.Fatal(err)
	}
	orders := m.orders(t, sqlstore.PaymentOrderFilter{FileID: fileID})
	kind := rapid.SampledFrom([]string{"transactions", "transactions", "transactions", "whole rejected", "duplicate"}).Draw(t, "report")
	var txs []txStatus
	group, code := "PART", ""
	switch kind {
	case "whole rejected":
		group, code = "RJCT", "FF01"
	case "duplicate":
		group, code = "RJCT", "DU01"
	default:
		for _, o := range orders {
			switch rapid.IntRange(0, 4).Draw(t, "outcome") {
			case 0, 1:
				txs = append(txs, txStatus{o.ID, "ACSC", ""})
			case 2:
				txs = append(txs, txStatus{o.ID, "RJCT", rapid.SampledFrom([]string{"AC01", "AC04", "MS03"}).Draw(t, "code")})
			case 3:
				txs = append(txs, txStatus{o.ID, "PDNG", ""})
			}
		}
	}
	m.seed++
	doc := report(fmt.Sprintf("BANK-%d", m.seed), fileID, file.PayDate, group, code, txs)
	want := map[string]bistand.PaymentStatus{} // what each in-file order becomes
	for _, o := range orders {
		want[o.ID] = o.Status
	}
	for _, o := range orders {
		if o.Status != bistand.PaymentInFile {
			continue
		}
		switch kind {
		case "whole rejected":
			want[o.ID] = bistand.PaymentFailed
		case "transactions":
			for _, tx := range txs {
				if tx.id == o.ID && tx.status == "ACSC" {
					want[o.ID] = bistand.PaymentPaid
				} else if tx.id == o.ID && tx.status == "RJCT" {
					want[o.ID] = bistand.PaymentFailed
				}
			}
		}
	}
	if _, err := m.f.store.ImportPaymentStatus(m.f.ctx, system, bytes.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	for _, o := range m.orders(t, sqlstore.PaymentOrderFilter{FileID: fileID}) {
		if o.Status != want[o.ID] {
			t.Fatalf("order %s is %s, want %s", o.ID, o.Status, want[o.ID])
		}
		if o.Status == bistand.PaymentFailed && want[o.ID] != statusOf(orders, o.ID) {
			for _, a := range m.apps {
				if a.id == o.ApplicationID {
					a.lost += o.Amount
				}
			}
			if len(m.f.findingsOfT(t, o.ApplicationID, bistand.FindingPaymentFailed, o.ID)) != 1 {
				t.Fatalf("no finding for the failed order %s", o.ID)
			}
			m.stats["failed"]++
		}
		if o.Status == bistand.PaymentPaid {
			m.stats["paid"]++
		}
	}
	// Importing it again changes nothing.
	s, err := m.f.store.ImportPaymentStatus(m.f.ctx, system, bytes.NewReader(doc))
	if err != nil || s.Paid != 0 || s.Failed != 0 || s.ApplicationsPaid != 0 {
		t.Fatalf("second import %+v %v", s, err)
	}
	for _, a := range m.apps {
		st := m.f.app(a.id).State
		a.decided = st == bistand.Decided
	}
}

func statusOf(os []bistand.PaymentOrder, id string) bistand.PaymentStatus {
	for _, o := range os {
		if o.ID == id {
			return o.Status
		}
	}
	return ""
}

func (m *payModel) Wait(t *rapid.T) {
	if m.clock.now().Sub(m.start) > 150*24*time.Hour {
		t.Skip("long enough")
	}
	m.clock.add(time.Duration(rapid.IntRange(1, 9).Draw(t, "days")) * 24 * time.Hour)
}

// Check is the invariant, after every step.
func (m *payModel) Check(t *rapid.T) {
	inFile := map[string]string{}
	for id, content := range m.files {
		stored := m.orders(t, sqlstore.PaymentOrderFilter{FileID: id})
		ids := fileIDs(t, content)
		if len(ids) != len(stored) {
			t.Fatalf("file %s: %d orders in the bytes, %d in the database", id, len(ids), len(stored))
		}
		for _, o := range stored {
			if ids[o.ID] != o.Amount || o.Status == bistand.PaymentPlanned || o.Status == bistand.PaymentCancelled {
				t.Fatalf("file %s: order %s (%s) differs from the file", id, o.ID, o.Status)
			}
			if other, twice := inFile[o.ID]; twice {
				t.Fatalf("order %s in files %s and %s", o.ID, other, id)
			}
			inFile[o.ID] = id
		}
	}
	for _, a := range m.apps {
		all := m.orders(t, sqlstore.PaymentOrderFilter{ApplicationID: a.id})
		perDecision := map[string]bistand.Money{}
		for _, o := range all {
			if o.Status.Live() {
				perDecision[o.DecisionID] += o.Amount
			}
			if (o.FileID != "") != (o.Status != bistand.PaymentPlanned && o.Status != bistand.PaymentCancelled) {
				t.Fatalf("order %s is %s with file %q", o.ID, o.Status, o.FileID)
			}
			if o.FileID != "" && inFile[o.ID] != o.FileID {
				t.Fatalf("order %s says file %s, found in %q", o.ID, o.FileID, inFile[o.ID])
			}
		}
		ds, err := m.f.store.Decisions(m.f.ctx, a.id)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if perDecision[d.ID] > granted(d) {
				t.Fatalf("decision %s grants %s, its live orders add up to %s", d.ID, granted(d), perDecision[d.ID])
			}
		}
		live := sumOf(all, bistand.PaymentPlanned, bistand.PaymentInFile, bistand.PaymentPaid)
		if live+a.lost != a.cover {
			t.Fatalf("application %s: live %s + failed since %s ≠ %s (decision grants %s, %s sent before it)",
				a.id, live, a.lost, a.cover, granted(a.decision), a.sentThen)
		}
	}
}

// findingsOfT is findingsOf for a rapid.T, for one subject.
func (f *fixture) findingsOfT(t *rapid.T, appID string, kind bistand.FindingKind, subject string) []bistand.Finding {
	all, err := f.store.Findings(f.ctx, appID, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []bistand.Finding
	for _, x := range all {
		if x.Kind == kind && x.Subject == subject {
			out = append(out, x)
		}
	}
	return out
}

func TestPaymentProperties(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newFixture(t, engine)
		clock := &payClock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
		f.store = sqlstore.NewStore(f.db, sqlstore.Options{Jobs: f.jobs, Now: clock.now})
		if engine == sqlstore.Postgres {
			defer shortRapidRuns(t, pgChecks)()
		}
		stats := map[string]int{}
		runs := 0
		rapid.Check(t, func(rt *rapid.T) {
			runs++
			// Each run starts a year after the last, with whatever an
			// earlier (failed) run left planned put into a file first.
			clock.add(365 * 24 * time.Hour)
			drain := bistand.DateOf(clock.now()).AddDays(1)
			if _, _, err := f.store.PaymentFile(f.ctx, system, "demo", drain, clock.now()); err != nil && !errors.Is(err, sqlstore.ErrNothingToPay) {
				rt.Fatal(err)
			}
			m := &payModel{f: f, clock: clock, start: clock.now(), files: map[string][]byte{}, seed: uint64(runs) * 1000, stats: stats}
			rt.Repeat(map[string]func(*rapid.T){
				"decide":  m.Decide,
				"replace": m.Replace,
				"pay":     m.Pay,
				"import":  m.Import,
				"wait":    m.Wait,
				"":        m.Check,
			})
		})
		if rep := f.verify(); !rep.OK() {
			t.Fatalf("verify after every run: %s", rep.Problem)
		}
		t.Logf("%d runs: %v", runs, stats)
		if !t.Failed() && runs >= pgChecks {
			for _, k := range []string{"decide", "replace", "replace after a file", "pay", "pay again", "paid", "failed"} {
				if stats[k] == 0 {
					t.Errorf("no run reached %q", k)
				}
			}
		}
	})
}
