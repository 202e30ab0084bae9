package sqlstore_test

// Helpers of the payment tests: households with payout facts, pain.002
// reports built from stored files, and schema validation with xmllint.

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/payment"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/synth"
)

const (
	pain001XSD = "../payment/testdata/pain.001.001.10.xsd"
	pain002XSD = "../payment/testdata/pain.002.001.11.xsd"
)

// payDate is the demo municipality's pay date for a decision on the
// fixture's day (Tuesday 2026-03-10): the 15th is a Sunday, so Monday the
// 16th (municipality.TestNextPayDate checks the rule).
var payDate = bistand.MustDate(2026, 3, 16)

// fileTime is when the tests make payment files: before the pay date.
var fileTime = time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)

// payout is a payout fact for person p with the synthetic account numbered
// seed (synth.Account: bank accounts and bankgiro numbers with valid check
// digits, made up).
func payout(p bistand.Person, seed uint64, share int) sqlstore.FactInput {
	return fact(sqlstore.PayoutKey(p.ID), bistand.FactPayout, sqlstore.PayoutValue{
		PersonID: p.ID, Name: "Kontohavare " + strconv.FormatUint(seed, 10), Account: synth.Account(seed), SharePerMille: share})
}

// payHome is an example household of the demo municipality whose draft
// application has the example facts and the payout facts payouts gives,
// walked to assessed.
type payHome struct {
	a, b bistand.Person
	c    bistand.Case
	app  bistand.Application
}

func (f *fixture) payHome(municipality string, payouts func(a, b bistand.Person) []sqlstore.FactInput) payHome {
	f.t.Helper()
	// The example household, born on other days (many households, one
	// personnummer each).
	born := func(from, years int) string {
		return bistand.MustDate(from+f.rng.IntN(years), time.Month(1+f.rng.IntN(12)), 1+f.rng.IntN(28)).String()
	}
	a, b, child := f.person(born(1960, 35)), f.person(born(1960, 35)), f.person(born(2017, 2))
	c := must[bistand.Case](f.t)(f.store.OpenCase(f.ctx, system, municipality, []bistand.CaseMember{
		{PersonID: a.ID, Role: "applicant"}, {PersonID: b.ID, Role: "partner"}, {PersonID: child.ID, Role: "child"}}))
	app := must[bistand.Application](f.t)(f.store.CreateApplication(f.ctx, applicant(a), c.ID, march2026))
	must[[]bistand.Fact](f.t)(f.store.AddFacts(f.ctx, applicant(a), app.ID, exampleFacts(a.ID, b.ID, child.ID)))
	if payouts != nil {
		if fs := payouts(a, b); len(fs) > 0 {
			must[[]bistand.Fact](f.t)(f.store.AddFacts(f.ctx, applicant(a), app.ID, fs))
		}
	}
	f.toAssessed(a, b, app)
	return payHome{a, b, c, f.app(app.ID)}
}

// decide decides the application as a caseworker (amount nil: as
// calculated) and returns the decision.
func (f *fixture) decide(appID string, amount *bistand.Money, replaces string) bistand.Decision {
	f.t.Helper()
	d, ok, err := f.store.Decide(f.ctx, worker, appID, sqlstore.DecideInput{Amount: amount, Replaces: replaces, Motivation: "Prövat av handläggare."})
	if err != nil || !ok {
		f.t.Fatalf("decide: ok=%v %v", ok, err)
	}
	return d
}

func (f *fixture) orders(filter sqlstore.PaymentOrderFilter) []bistand.PaymentOrder {
	f.t.Helper()
	os, err := f.store.PaymentOrders(f.ctx, filter)
	if err != nil {
		f.t.Fatal(err)
	}
	return os
}

func sumOf(os []bistand.PaymentOrder, status ...bistand.PaymentStatus) bistand.Money {
	var s bistand.Money
	for _, o := range os {
		for _, st := range status {
			if o.Status == st {
				s += o.Amount
			}
		}
	}
	return s
}

func (f *fixture) findingsOf(appID string, kind bistand.FindingKind) []bistand.Finding {
	f.t.Helper()
	all, err := f.store.Findings(f.ctx, appID, "")
	if err != nil {
		f.t.Fatal(err)
	}
	var out []bistand.Finding
	for _, x := range all {
		if x.Kind == kind {
			out = append(out, x)
		}
	}
	return out
}

// fatalfer is a testing.TB or a *rapid.T.
type fatalfer interface {
	Helper()
	Fatalf(format string, args ...any)
}

// fileIDs reads the EndToEndIds and amounts (öre) out of a pain.001 file.
func fileIDs(t fatalfer, content []byte) map[string]bistand.Money {
	t.Helper()
	var doc struct {
		Txs []struct {
			ID     string `xml:"PmtId>EndToEndId"`
			Amount string `xml:"Amt>InstdAmt"`
		} `xml:"CstmrCdtTrfInitn>PmtInf>CdtTrfTxInf"`
	}
	if err := xml.Unmarshal(content, &doc); err != nil {
		t.Fatalf("payment file: %v", err)
	}
	out := map[string]bistand.Money{}
	for _, tx := range doc.Txs {
		if _, dup := out[tx.ID]; dup {
			t.Fatalf("order %s twice in one file", tx.ID)
		}
		m, err := bistand.ParseKronor(tx.Amount)
		if err != nil {
			t.Fatalf("amount %q: %v", tx.Amount, err)
		}
		out[tx.ID] = m
	}
	return out
}

// txStatus is one transaction of a pain.002 report.
type txStatus struct {
	id, status, code string
}

// report builds a pain.002.001.11 status report about the file msgID with
// pay date date: the group status (and its reason code, if any) and the
// transactions, in one payment information block.
func report(reportID, msgID string, date bistand.Date, group, groupCode string, txs []txStatus) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>` + reportID + `</MsgId>
      <CreDtTm>2026-03-16T18:00:00Z</CreDtTm>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>` + msgID + `</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.10</OrgnlMsgNmId>
`)
	if group != "" {
		b.WriteString("      <GrpSts>" + group + "</GrpSts>\n")
		if groupCode != "" {
			b.WriteString("      <StsRsnInf>\n        <Rsn>\n          <Cd>" + groupCode + "</Cd>\n        </Rsn>\n      </StsRsnInf>\n")
		}
	}
	b.WriteString("    </OrgnlGrpInfAndSts>\n")
	if len(txs) > 0 {
		b.WriteString("    <OrgnlPmtInfAndSts>\n      <OrgnlPmtInfId>" + payment.PaymentInfoID(msgID, date) + "</OrgnlPmtInfId>\n")
		for _, tx := range txs {
			b.WriteString("      <TxInfAndSts>\n        <OrgnlInstrId>" + tx.id + "</OrgnlInstrId>\n        <OrgnlEndToEndId>" + tx.id + "</OrgnlEndToEndId>\n")
			b.WriteString("        <TxSts>" + tx.status + "</TxSts>\n")
			if tx.code != "" {
				b.WriteString("        <StsRsnInf>\n          <Rsn>\n            <Cd>" + tx.code + "</Cd>\n          </Rsn>\n          <AddtlInf>Bankens text</AddtlInf>\n        </StsRsnInf>\n")
			}
			b.WriteString("      </TxInfAndSts>\n")
		}
		b.WriteString("    </OrgnlPmtInfAndSts>\n")
	}
	b.WriteString("  </CstmrPmtStsRpt>\n</Document>\n")
	return []byte(b.String())
}

// requireValid validates documents against an XSD with xmllint. A missing
// xmllint (Debian libxml2-utils) fails the test: validation is never
// skipped.
func requireValid(t testing.TB, schema string, docs ...[]byte) {
	t.Helper()
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint (Debian package libxml2-utils) is required to validate against %s: %v", schema, err)
	}
	if _, err := os.Stat(schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	if len(docs) == 0 {
		t.Fatal("nothing to validate")
	}
	dir := t.TempDir()
	args := []string{"--noout", "--nonet", "--schema", schema}
	for i, d := range docs {
		p := filepath.Join(dir, fmt.Sprintf("doc%d.xml", i))
		if err := os.WriteFile(p, d, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	if out, err := exec.Command(lint, args...).CombinedOutput(); err != nil {
		t.Fatalf("xmllint against %s: %v\n%s", filepath.Base(schema), err, out)
	}
}

// insertPlannedOrders makes n decided applications of one demo household,
// each with one planned order (many at once: one Apply, two transitions and
// a decision each).
func insertPlannedOrders(t *testing.T, f *fixture, n int) {
	t.Helper()
	a, b, c, _ := f.household("demo")
	var child string
	for _, m := range c.Members {
		if m.Role == "child" {
			child = m.PersonID
		}
	}
	facts := append(exampleFacts(a.ID, b.ID, child), payout(a, 99, 0))
	signed := []sqlstore.Signed{{PersonID: a.ID, Method: "demo", Reference: "s-a"}, {PersonID: b.ID, Method: "demo", Reference: "s-b"}}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				app, err := f.store.Apply(f.ctx, applicant(a), c.ID, march2026, facts, signed, nil)
				if err == nil {
					_, _, err = f.store.Transition(f.ctx, robot, app.ID, bistand.Collecting, "", sqlstore.TransitionOptions{})
				}
				if err == nil {
					_, _, err = f.store.Transition(f.ctx, robot, app.ID, bistand.Assessed, "", sqlstore.TransitionOptions{})
				}
				if err == nil {
					_, _, err = f.store.Decide(f.ctx, robot, app.ID, sqlstore.DecideInput{})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
