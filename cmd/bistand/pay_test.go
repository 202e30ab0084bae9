package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/municipality"
	"github.com/bistand/bistand/payment"
	"github.com/bistand/bistand/queue"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
	"github.com/bistand/bistand/synth"
)

const (
	pain001XSD = "../../payment/testdata/pain.001.001.10.xsd"
	pain002XSD = "../../payment/testdata/pain.002.001.11.xsd"
)

// xmllintValid validates files against an XSD; a missing xmllint fails.
func xmllintValid(t *testing.T, schema string, files ...string) {
	t.Helper()
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint (Debian libxml2-utils) is required: %v", err)
	}
	if len(files) == 0 {
		t.Fatal("nothing to validate")
	}
	if out, err := exec.Command(lint, append([]string{"--noout", "--nonet", "--schema", schema}, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

// payStore opens the database at url with a queue (a household's
// submission enqueues the robot's first step).
func payStore(t *testing.T, url string) (*sqlstore.DB, *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := queue.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	st := sqlstore.NewStore(db, sqlstore.Options{})
	q, err := queue.New(db, nil, queue.Config{})
	if err != nil {
		t.Fatal(err)
	}
	st.SetJobs(q)
	return db, st
}

// households submits n synthetic households, each with last month decided
// by a caseworker: n decisions, paid on the next pay date.
func households(t *testing.T, st *sqlstore.Store, rng *rand.Rand, n int) {
	t.Helper()
	for range n {
		if _, err := synth.SubmitHousehold(context.Background(), st, rng, "demo", bistand.MustMonth(2026, 11), synth.Options{History: true}); err != nil {
			t.Fatal(err)
		}
	}
}

// granted sums what the decisions in force grant, over every application.
func granted(t *testing.T, db *sqlstore.DB) bistand.Money {
	t.Helper()
	var sum int64
	if err := db.QueryRowContext(context.Background(), `SELECT CAST(COALESCE(SUM(amount_ore), 0) AS BIGINT) FROM decisions d
		WHERE outcome <> 'rejected' AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.replaces = d.id)`).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	return bistand.Money(sum)
}

// nextPayDates are the demo municipality's next two pay dates from today.
func nextPayDates() (bistand.Date, bistand.Date) {
	info, err := municipality.Get("demo")
	if err != nil {
		panic(err)
	}
	first := info.Payments.NextPayDate(bistand.DateOf(time.Now()))
	return first, info.Payments.NextPayDate(first)
}

// fileOrders reads the EndToEndIds and amounts of a pain.001 file.
func fileOrders(t *testing.T, path string) map[string]bistand.Money {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Txs []struct {
			ID     string `xml:"PmtId>EndToEndId"`
			Amount string `xml:"Amt>InstdAmt"`
		} `xml:"CstmrCdtTrfInitn>PmtInf>CdtTrfTxInf"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]bistand.Money{}
	for _, tx := range doc.Txs {
		m, err := bistand.ParseKronor(tx.Amount)
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := out[tx.ID]; dup {
			t.Fatalf("%s: order %s twice", path, tx.ID)
		}
		out[tx.ID] = m
	}
	return out
}

func paySummaryOf(t *testing.T, stdout string) paySummary {
	t.Helper()
	var s paySummary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil || strings.Count(strings.TrimSpace(stdout), "\n") != 0 {
		t.Fatalf("not one line of JSON: %v\n%s", err, stdout)
	}
	return s
}

// TestPayCrash kills the real `bistand pay` in the middle of making a file
// (SIGKILL with its transaction open, and exits at the failpoints before
// and after the commit), reruns it, and checks across every file written:
// each order exactly once, and the files add up to what the decisions
// grant.
func TestPayCrash(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		url := sqltest.URL(t, engine)
		db, st := payStore(t, url)
		rng := rand.New(rand.NewPCG(8, 8))
		households(t, st, rng, 12)
		d1, d2 := nextPayDates()
		dir := t.TempDir()
		planned := func() int {
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM payment_orders WHERE status = 'planned'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		files := func() int {
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM payment_files").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		pay := func(date bistand.Date, out string, env ...string) *exec.Cmd {
			cmd := exec.Command(binPath, "pay", "--date", date.String(), "--out", out, "--db", url)
			cmd.Env = append(os.Environ(), env...)
			return cmd
		}
		// SIGKILL with the transaction open, the file made and the orders
		// marked: nothing is kept.
		killMid := func(date bistand.Date, out string) {
			t.Helper()
			cmd := pay(date, out, "BISTAND_TEST_FAILPOINT=payment-file:built", "BISTAND_TEST_FAILPOINT_ACTION=hang")
			stderr := &lockedBuffer{}
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(time.Minute)
			for !strings.Contains(stderr.String(), "failpoint payment-file:built reached") {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("failpoint not reached: %s", stderr)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
		}
		exitAt := func(point string, date bistand.Date, out string) {
			t.Helper()
			cmd := pay(date, out, "BISTAND_TEST_FAILPOINT="+point)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != failpointExit {
				t.Fatalf("pay with failpoint %s: %v %s", point, err, &stderr)
			}
		}
		before := planned()
		if before < 12 {
			t.Fatalf("%d orders planned for 12 households", before)
		}
		out1 := filepath.Join(dir, "d1.xml")
		killMid(d1, out1)
		exitAt("payment-file:built", d1, out1)
		if planned() != before || files() != 0 {
			t.Fatalf("after crashes before the commit: %d planned (want %d), %d files", planned(), before, files())
		}
		if _, err := os.Stat(out1); !os.IsNotExist(err) {
			t.Fatalf("a file was written: %v", err)
		}
		// Exit right after the commit, before writing the file out.
		exitAt("payment-file:committed", d1, out1)
		if planned() != 0 || files() != 1 {
			t.Fatalf("after the commit: %d planned, %d files", planned(), files())
		}
		if _, err := os.Stat(out1); !os.IsNotExist(err) {
			t.Fatalf("a file was written before the crash: %v", err)
		}
		// Meanwhile more decisions: for the same pay date, after its file.
		households(t, st, rng, 5)
		more := planned()
		code, stdout, stderr := runBin(t, "", "pay", "--date", d1.String(), "--out", out1, "--db", url)
		if code != 0 {
			t.Fatalf("rerun: %d %s", code, stderr)
		}
		s1 := paySummaryOf(t, stdout)
		stored, err := st.PaymentFileByID(ctx, s1.File)
		if err != nil {
			t.Fatal(err)
		}
		b1, _ := os.ReadFile(out1)
		if s1.Created || s1.Orders != before || !bytes.Equal(b1, stored.Content) {
			t.Fatalf("rerun after the commit: %+v; bytes equal %v", s1, bytes.Equal(b1, stored.Content))
		}
		if planned() != more {
			t.Fatalf("%d planned, want the %d decided after the file", planned(), more)
		}
		// The next pay date takes them, across one more kill.
		out2 := filepath.Join(dir, "d2.xml")
		killMid(d2, out2)
		code, stdout, stderr = runBin(t, "", "pay", "--date", d2.String(), "--out", out2, "--db", url)
		if code != 0 {
			t.Fatalf("second date: %d %s", code, stderr)
		}
		if s2 := paySummaryOf(t, stdout); !s2.Created || s2.Orders != more {
			t.Fatalf("second date: %+v, want %d orders", s2, more)
		}
		xmllintValid(t, pain001XSD, out1, out2)
		seen := map[string]string{}
		var total bistand.Money
		for _, out := range []string{out1, out2} {
			for id, amount := range fileOrders(t, out) {
				if other, twice := seen[id]; twice {
					t.Errorf("order %s in %s and %s", id, other, out)
				}
				seen[id] = out
				total += amount
			}
		}
		orders, err := st.PaymentOrders(ctx, sqlstore.PaymentOrderFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orders {
			if _, ok := seen[o.ID]; !ok {
				t.Errorf("order %s (%s) in no file", o.ID, o.Status)
			}
		}
		if len(seen) != len(orders) || total != granted(t, db) {
			t.Errorf("%d orders in the files, %d in the database; files pay %s, decisions grant %s", len(seen), len(orders), total, granted(t, db))
		}
		if code, out, errOut := runBin(t, "", "audit", "verify", "--db", url); code != 0 {
			t.Fatalf("audit verify: %s%s", out, errOut)
		}
	})
}

// TestBatchPayments: `bistand batch --out` leaves the month's payment files,
// valid against the schema; `pay` for the date gives the same file; a
// status report with one rejection, imported with `pay-status`, marks the
// rest paid and gives a caseworker a finding.
func TestBatchPayments(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		url := sqltest.URL(t, engine)
		dir := t.TempDir()
		// (Letters' blobs in a directory of the test's, not ./data.)
		batch := exec.Command(binPath, "batch", "--households", "30", "--seed", "5", "--db", url, "--out", dir, "--workers", "8")
		batch.Env = append(os.Environ(), sqlstore.EnvBlobs+"="+t.TempDir())
		var batchOut, batchErr bytes.Buffer
		batch.Stdout, batch.Stderr = &batchOut, &batchErr
		if err := batch.Run(); err != nil {
			t.Fatalf("batch: %v %s", err, &batchErr)
		}
		var rep batchReport
		if err := json.Unmarshal(batchOut.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		paths, _ := filepath.Glob(filepath.Join(dir, "payments", "*.xml"))
		if rep.PaymentFiles == 0 || len(paths) != rep.PaymentFiles || rep.PaymentOrders == 0 {
			t.Fatalf("report %d files, %d orders; files on disk %v", rep.PaymentFiles, rep.PaymentOrders, paths)
		}
		xmllintValid(t, pain001XSD, paths...)
		db, st := payStore(t, url)
		var total bistand.Money
		n := 0
		for _, p := range paths {
			for _, amount := range fileOrders(t, p) {
				total += amount
				n++
			}
		}
		if n != rep.PaymentOrders || total.Decimal() != rep.PaymentSum || total != granted(t, db) {
			t.Errorf("files: %d orders, %s; report %d, %s; decisions grant %s", n, total, rep.PaymentOrders, rep.PaymentSum, granted(t, db))
		}
		// `pay` for the date returns the same file.
		d1, _ := nextPayDates()
		out := filepath.Join(t.TempDir(), "pay.xml")
		code, stdout, stderr := runBin(t, "", "pay", "--date", d1.String(), "--out", out, "--db", url)
		if code != 0 {
			t.Fatalf("pay: %s", stderr)
		}
		s := paySummaryOf(t, stdout)
		fromBatch, err := os.ReadFile(filepath.Join(dir, "payments", s.File+".xml"))
		payFileBytes, _ := os.ReadFile(out)
		if err != nil || s.Created || !bytes.Equal(fromBatch, payFileBytes) {
			t.Fatalf("pay: %+v, same bytes as batch's: %v (%v)", s, bytes.Equal(fromBatch, payFileBytes), err)
		}
		// The bank's answer: all settled but one, rejected (closed account).
		ids := fileOrders(t, out)
		var txs strings.Builder
		var rejected string
		for id := range ids {
			st := "ACSC"
			if rejected == "" {
				rejected, st = id, "RJCT"
			}
			txs.WriteString("<TxInfAndSts><OrgnlEndToEndId>" + id + "</OrgnlEndToEndId><TxSts>" + st + "</TxSts>")
			if st == "RJCT" {
				txs.WriteString("<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>")
			}
			txs.WriteString("</TxInfAndSts>")
		}
		doc := `<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>` +
			`<GrpHdr><MsgId>BANK-1</MsgId><CreDtTm>` + time.Now().UTC().Format("2006-01-02T15:04:05Z") + `</CreDtTm></GrpHdr>` +
			`<OrgnlGrpInfAndSts><OrgnlMsgId>` + s.File + `</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.10</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>` +
			`<OrgnlPmtInfAndSts><OrgnlPmtInfId>` + payment.PaymentInfoID(s.File, d1) + `</OrgnlPmtInfId>` + txs.String() + `</OrgnlPmtInfAndSts>` +
			`</CstmrPmtStsRpt></Document>`
		reportPath := filepath.Join(t.TempDir(), "status.xml")
		if err := os.WriteFile(reportPath, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		xmllintValid(t, pain002XSD, reportPath)
		for i, wantPaid := range []int{len(ids) - 1, 0} { // twice: the second import changes nothing
			code, stdout, stderr = runBin(t, "", "pay-status", reportPath, "--db", url)
			if code != 0 {
				t.Fatalf("pay-status: %s", stderr)
			}
			var imp sqlstore.PaymentImport
			if err := json.Unmarshal([]byte(stdout), &imp); err != nil {
				t.Fatal(err)
			}
			wantFailed := 1
			if i == 1 {
				wantFailed = 0
			}
			if imp.Paid != wantPaid || imp.Failed != wantFailed || imp.File != s.File {
				t.Errorf("import %d: %+v", i+1, imp)
			}
		}
		orders, err := st.PaymentOrders(ctx, sqlstore.PaymentOrderFilter{FileID: s.File, Status: bistand.PaymentFailed})
		if err != nil || len(orders) != 1 || orders[0].ID != rejected {
			t.Fatalf("failed orders %+v %v", orders, err)
		}
		found, err := st.Findings(ctx, orders[0].ApplicationID, bistand.FindingOpen)
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, f := range found {
			ok = ok || (f.Kind == bistand.FindingPaymentFailed && f.Subject == rejected && strings.Contains(f.Text, "kontot är avslutat"))
		}
		if !ok {
			t.Errorf("no payment_failed finding for a caseworker: %+v", found)
		}
		if code, out, errOut := runBin(t, "", "audit", "verify", "--db", url); code != 0 {
			t.Fatalf("audit verify: %s%s", out, errOut)
		}
	})
}

func TestPayUsage(t *testing.T) {
	for _, args := range [][]string{{"pay"}, {"pay", "--date", "2026-12-07"}, {"pay", "--out", "x.xml"}, {"pay", "--date", "7 dec", "--out", "x.xml"}, {"pay-status"}, {"pay-status", "a.xml", "b.xml"}} {
		if code, _, _ := runMain(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	_, out, _ := runMain(t, "", "help")
	if !strings.Contains(out, "bistand pay --date") || !strings.Contains(out, "bistand pay-status") {
		t.Errorf("help lacks pay:\n%s", out)
	}
	// Nothing to pay: no file, and it says so.
	url := "sqlite:" + filepath.Join(t.TempDir(), "empty.db")
	out2 := filepath.Join(t.TempDir(), "x.xml")
	code, stdout, stderr := runMain(t, "", "pay", "--date", "2099-01-05", "--out", out2, "--db", url)
	if code != 0 {
		t.Fatalf("empty: %d %s", code, stderr)
	}
	if s := paySummaryOf(t, stdout); s.File != "" || s.Orders != 0 || s.Created {
		t.Errorf("empty: %+v", s)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Errorf("a file was written with nothing to pay")
	}
	// Not a status report.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(bad, []byte("<Document/>"), 0o600)
	if code, _, stderr := runMain(t, "", "pay-status", bad, "--db", url); code != 1 || !strings.Contains(stderr, "invalid") {
		t.Errorf("bad report: %d %s", code, stderr)
	}
}
