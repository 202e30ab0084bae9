package payment

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// reportFiles returns the hand-written example reports in testdata/pain002.
func reportFiles(t testing.TB) (names []string, docs [][]byte) {
	t.Helper()
	paths, err := filepath.Glob("testdata/pain002/*.xml")
	if err != nil || len(paths) < 5 {
		t.Fatalf("example reports missing: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, p)
		docs = append(docs, b)
	}
	return names, docs
}

func TestExampleReportsValidate(t *testing.T) {
	names, docs := reportFiles(t)
	requireValid(t, pain002XSD, names, docs)
}

func parseFile(t *testing.T, name string) *StatusReport {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "pain002", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ParsePain002(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

// The orders of the golden file and their payment information blocks.
var demoBlocks = map[string]string{
	"po-0001": "BST-20261120-001-20261125", "po-0002": "BST-20261120-001-20261125",
	"po-0003-1": "BST-20261120-001-20261125", "po-0003-2": "BST-20261120-001-20261125",
	"po-0004": "BST-20261120-001-20261127", "po-0005": "BST-20261120-001-20261127",
}

type want struct {
	outcome Outcome
	known   bool
}

func TestExampleReports(t *testing.T) {
	P, F, W, N := want{Paid, true}, want{Failed, true}, want{Pending, true}, want{Pending, false}
	cases := []struct {
		file        string
		msgID       string
		group       Status
		wholeReject bool
		txs         int
		outcomes    map[string]want
	}{
		{"all-settled.xml", "DEMOBANK-20261125-0001", StatusACSC, false, 6,
			map[string]want{"po-0001": P, "po-0002": P, "po-0003-1": P, "po-0003-2": P, "po-0004": P, "po-0005": P}},
		{"one-rejected.xml", "DEMOBANK-20261125-0002", StatusPART, false, 4,
			map[string]want{"po-0001": P, "po-0002": F, "po-0003-1": F, "po-0003-2": P, "po-0004": W, "po-0005": W}},
		{"group-rejected.xml", "DEMOBANK-20261120-0003", StatusRJCT, true, 0,
			map[string]want{"po-0001": F, "po-0002": F, "po-0003-1": F, "po-0003-2": F, "po-0004": F, "po-0005": F}},
		{"duplicate-message.xml", "DEMOBANK-20261120-0006", StatusRJCT, false, 0,
			map[string]want{"po-0001": N, "po-0002": N, "po-0003-1": N, "po-0003-2": N, "po-0004": N, "po-0005": N}},
		{"pending.xml", "DEMOBANK-20261121-0004", StatusACTC, false, 4,
			map[string]want{"po-0001": W, "po-0002": W, "po-0003-1": W, "po-0003-2": W, "po-0004": W, "po-0005": W}},
		{"accepted.xml", "DEMOBANK-20261120-0005", StatusACCP, false, 0,
			map[string]want{"po-0001": W, "po-0005": W}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			r := parseFile(t, c.file)
			if r.MessageID != c.msgID || r.OriginalMessageID != demoMsgID || r.OriginalMessageName != "pain.001.001.10" {
				t.Errorf("ids %q %q %q", r.MessageID, r.OriginalMessageID, r.OriginalMessageName)
			}
			if r.GroupStatus != c.group || r.WholeMessageRejected() != c.wholeReject || len(r.Transactions) != c.txs {
				t.Errorf("group %q, whole rejected %v, %d transactions", r.GroupStatus, r.WholeMessageRejected(), len(r.Transactions))
			}
			for id, w := range c.outcomes {
				o, known := r.Outcome(id, demoBlocks[id])
				if o != w.outcome || known != w.known {
					t.Errorf("%s: %v %v, want %v %v", id, o, known, w.outcome, w.known)
				}
			}
		})
	}

	r := parseFile(t, "one-rejected.xml")
	var rejected []TransactionStatus
	for _, x := range r.Transactions {
		if x.Outcome() == Failed {
			rejected = append(rejected, x)
		}
	}
	if len(rejected) != 2 || rejected[0].EndToEndID != "po-0002" || rejected[0].Reasons[0].Code != "AC04" ||
		rejected[0].Reasons[0].AdditionalInfo[0] != "Mottagarens konto är avslutat" || rejected[1].Reasons[0].Code != "AC01" {
		t.Errorf("rejections %+v", rejected)
	}
	// Without the block id, a transaction the report does not list falls
	// back to the group status: PART says nothing.
	if _, known := r.Outcome("po-0004", ""); known {
		t.Error("po-0004 known without its block")
	}
	g := parseFile(t, "group-rejected.xml")
	if len(g.GroupReasons) != 1 || g.GroupReasons[0].Code != "FF01" || g.RejectedAsDuplicate() {
		t.Errorf("group reasons %+v", g.GroupReasons)
	}
	if d := parseFile(t, "duplicate-message.xml"); !d.RejectedAsDuplicate() || d.WholeMessageRejected() {
		t.Error("a rejection of a resent copy (DU01) is taken for a rejection of the orders")
	}
	if o, known := g.Outcome("any-order-of-that-file", ""); o != Failed || !known {
		t.Error("a rejected message does not fail every order")
	}
	if !parseFile(t, "accepted.xml").Created.Equal(time.Date(2026, 11, 20, 14, 6, 0, 0, time.UTC)) {
		t.Error("CreDtTm without a zone is not read as UTC")
	}
	if !parseFile(t, "group-rejected.xml").Created.Equal(time.Date(2026, 11, 20, 13, 7, 12, 500_000_000, time.UTC)) {
		t.Error("CreDtTm with a zone and fraction misread")
	}
}

// TestDuplicateRejections: a transaction rejected because the bank already
// holds one with its id (DU01–DU05, at any level) is neither paid nor
// failed by the report; AM05, the bank's judgement that it looks like
// another payment, is a failure.
func TestDuplicateRejections(t *testing.T) {
	rej := func(id, code string) string {
		return "<TxInfAndSts><OrgnlEndToEndId>" + id + "</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>" + code + "</Cd></Rsn></StsRsnInf></TxInfAndSts>"
	}
	doc := minimal("<GrpSts>PART</GrpSts>",
		block("B1", "", rej("a", "DU04")+rej("b", "AM05")+rej("c", "AC04")+rej("d", "DU05"))+
			block("B2", "RJCT", txXML("e", ""))+
			"<OrgnlPmtInfAndSts><OrgnlPmtInfId>B3</OrgnlPmtInfId><PmtInfSts>RJCT</PmtInfSts><StsRsnInf><Rsn><Cd>DU02</Cd></Rsn></StsRsnInf>"+txXML("f", "")+"</OrgnlPmtInfAndSts>")
	r, err := ParsePain002(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	for id, w := range map[string]want{
		"a": {Pending, false}, "b": {Failed, true}, "c": {Failed, true}, "d": {Pending, false},
		"e": {Failed, true}, "f": {Pending, false},
	} {
		if o, known := r.Outcome(id, ""); o != w.outcome || known != w.known {
			t.Errorf("%s: %v %v, want %v %v", id, o, known, w.outcome, w.known)
		}
	}
	if o, known := r.Outcome("unlisted", "B3"); o != Pending || known {
		t.Errorf("an unlisted order of a block rejected as a duplicate: %v %v", o, known)
	}
	if o, known := r.Outcome("unlisted", "B2"); o != Failed || !known {
		t.Errorf("an unlisted order of a rejected block: %v %v", o, known)
	}
}

func TestStatusOutcome(t *testing.T) {
	for s, o := range map[Status]Outcome{
		StatusACSC: Paid, StatusACCC: Paid, StatusRJCT: Failed, StatusCANC: Failed,
		StatusRCVD: Pending, StatusACTC: Pending, StatusACCP: Pending, StatusACWC: Pending,
		StatusACSP: Pending, StatusPDNG: Pending, StatusPART: Pending, "ACWP": Pending, "BLCK": Pending, "": Pending,
	} {
		if s.Outcome() != o {
			t.Errorf("%q → %v, want %v", s, s.Outcome(), o)
		}
	}
	if Paid.String() != "paid" || Failed.String() != "failed" || Pending.String() != "pending" {
		t.Error("Outcome.String")
	}
}

// minimal returns a small valid report with body inside CstmrPmtStsRpt after
// the group header, for the refusal cases.
func minimal(orgnl, rest string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-20T10:00:00Z</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>BST-1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.10</OrgnlMsgNmId>` + orgnl + `</OrgnlGrpInfAndSts>` + rest + `
</CstmrPmtStsRpt></Document>`
}

func block(id, sts, txs string) string {
	if sts != "" {
		sts = "<PmtInfSts>" + sts + "</PmtInfSts>"
	}
	return "<OrgnlPmtInfAndSts><OrgnlPmtInfId>" + id + "</OrgnlPmtInfId>" + sts + txs + "</OrgnlPmtInfAndSts>"
}

func txXML(e2e, sts string) string {
	if sts != "" {
		sts = "<TxSts>" + sts + "</TxSts>"
	}
	return "<TxInfAndSts><OrgnlEndToEndId>" + e2e + "</OrgnlEndToEndId>" + sts + "</TxInfAndSts>"
}

func TestParseRefuses(t *testing.T) {
	_, docs := reportFiles(t)
	settled := string(docs[1]) // all-settled.xml (sorted by name)
	if !strings.Contains(settled, "DEMOBANK-20261125-0001") {
		t.Fatal("unexpected example order")
	}
	cases := map[string]string{
		"empty":                        "",
		"not XML":                      "hello",
		"wrong namespace":              strings.Replace(settled, "pain.002.001.11", "pain.002.001.10", 1),
		"pain.001 document":            string(goldenFile(t)),
		"no namespace":                 strings.Replace(settled, ` xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"`, "", 1),
		"child in other namespace":     strings.Replace(settled, "<GrpSts>", `<GrpSts xmlns="urn:evil">`, 1),
		"doctype":                      strings.Replace(settled, "<Document", "<!DOCTYPE Document>\n<Document", 1),
		"internal entity":              strings.Replace(strings.Replace(settled, "<Document", `<!DOCTYPE Document [<!ENTITY x "ACSC">]>`+"\n<Document", 1), "<GrpSts>ACSC", "<GrpSts>&x;", 1),
		"external entity":              strings.Replace(strings.Replace(settled, "<Document", `<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>`+"\n<Document", 1), "<GrpSts>ACSC", "<GrpSts>&x;", 1),
		"undeclared entity":            strings.Replace(settled, "<GrpSts>ACSC", "<GrpSts>&x;", 1),
		"two roots":                    settled + "<Document/>",
		"text after root":              settled + "x",
		"latin-1 declared":             strings.Replace(settled, `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1),
		"invalid UTF-8":                strings.Replace(settled, "DEMOBANK", "DEMO\xffBANK", 1),
		"deep nesting":                 minimal("", "<SplmtryData><Envlp>"+strings.Repeat("<a>", 200)+strings.Repeat("</a>", 200)+"</Envlp></SplmtryData>"),
		"no MsgId":                     strings.Replace(settled, "<MsgId>DEMOBANK-20261125-0001</MsgId>", "", 1),
		"two MsgId":                    strings.Replace(settled, "<MsgId>", "<MsgId>A</MsgId><MsgId>", 1),
		"MsgId too long":               strings.Replace(settled, "DEMOBANK-20261125-0001", strings.Repeat("M", 36), 1),
		"bad CreDtTm":                  strings.Replace(settled, "2026-11-25T18:00:00+01:00", "25/11/2026", 1),
		"no OrgnlMsgId":                strings.Replace(settled, "<OrgnlMsgId>BST-20261120-001</OrgnlMsgId>", "", 1),
		"lower-case status":            strings.Replace(settled, "<GrpSts>ACSC", "<GrpSts>acsc", 1),
		"five-letter status":           strings.Replace(settled, "<GrpSts>ACSC", "<GrpSts>ACSCX", 1),
		"bad reason code":              minimal("<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>ac04</Cd></Rsn></StsRsnInf>", ""),
		"reason with Cd and Prtry":     minimal("<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>AC04</Cd><Prtry>X</Prtry></Rsn></StsRsnInf>", ""),
		"AddtlInf too long":            minimal("<GrpSts>RJCT</GrpSts><StsRsnInf><AddtlInf>"+strings.Repeat("x", 106)+"</AddtlInf></StsRsnInf>", ""),
		"transaction twice":            minimal("<GrpSts>PART</GrpSts>", block("B1", "", txXML("a", "ACSC")+txXML("a", "RJCT"))),
		"transaction twice (2 blocks)": minimal("<GrpSts>PART</GrpSts>", block("B1", "", txXML("a", "ACSC"))+block("B2", "", txXML("a", "ACSC"))),
		"block twice":                  minimal("<GrpSts>PART</GrpSts>", block("B1", "ACSC", "")+block("B1", "ACSC", "")),
		"transaction without id":       minimal("<GrpSts>PART</GrpSts>", block("B1", "", "<TxInfAndSts><TxSts>ACSC</TxSts></TxInfAndSts>")),
		"transaction without status":   minimal("", block("B1", "", txXML("a", ""))),
		"settled in rejected group":    minimal("<GrpSts>RJCT</GrpSts>", block("B1", "", txXML("a", "ACSC"))),
		"pending in rejected block":    minimal("<GrpSts>PART</GrpSts>", block("B1", "RJCT", txXML("a", "ACSP"))),
		"rejected in settled group":    minimal("<GrpSts>ACSC</GrpSts>", block("B1", "RJCT", "")),
		"no report":                    `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"/>`,
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := ParsePain002(strings.NewReader(doc))
			if err == nil {
				t.Fatalf("accepted: %+v", r)
			}
			if !errors.Is(err, ErrInvalidReport) {
				t.Fatalf("%v does not wrap ErrInvalidReport", err)
			}
			if strings.Contains(err.Error(), "DEMOBANK") || strings.Contains(err.Error(), "passwd") {
				t.Fatalf("error quotes the document: %v", err)
			}
		})
	}
	// The cases' building blocks are fine in themselves.
	for _, doc := range []string{
		minimal("<GrpSts>PART</GrpSts>", block("B1", "", txXML("a", "ACSC"))+block("B2", "RJCT", txXML("b", "RJCT"))),
		minimal("", block("B1", "ACSP", txXML("a", ""))),
		minimal("<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Prtry>Filen saknar underskrift</Prtry></Rsn></StsRsnInf>", ""),
		minimal("", "<SplmtryData><Envlp><x:any xmlns:x=\"urn:bank\"><x:y/></x:any></Envlp></SplmtryData>"),
	} {
		if _, err := ParsePain002(strings.NewReader(doc)); err != nil {
			t.Errorf("valid report refused: %v\n%s", err, doc)
		}
	}
}

// TestParseSizeLimit: a report of exactly MaxReportBytes is read, one byte
// more is refused with ErrReportTooLarge, and no more than that is read.
func TestParseSizeLimit(t *testing.T) {
	_, docs := reportFiles(t)
	doc := docs[0]
	pad := func(n int) io.Reader {
		return io.MultiReader(bytes.NewReader(doc), strings.NewReader(strings.Repeat(" ", n-len(doc))))
	}
	if _, err := ParsePain002(pad(MaxReportBytes)); err != nil {
		t.Fatalf("a report of exactly the limit: %v", err)
	}
	if _, err := ParsePain002(pad(MaxReportBytes + 1)); !errors.Is(err, ErrReportTooLarge) {
		t.Fatalf("one byte over the limit: %v", err)
	}
	cr := &countingReader{r: pad(3 * MaxReportBytes)}
	if _, err := ParsePain002(cr); !errors.Is(err, ErrReportTooLarge) || cr.n > MaxReportBytes+1 {
		t.Fatalf("read %d bytes of an oversized report (%v)", cr.n, err)
	}
	if _, err := ParsePain002(io.MultiReader(bytes.NewReader(doc[:20]), errReader{})); err == nil || errors.Is(err, ErrInvalidReport) {
		t.Fatalf("a read error is not passed on: %v", err)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }
