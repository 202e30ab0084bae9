package payment

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/bistand/bistand"
	"pgregory.net/rapid"
)

// A small reader of the files WritePain001 writes, independent of the
// writer's own types.
type (
	rDoc struct {
		XMLName xml.Name  `xml:"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10 Document"`
		GrpHdr  rGrpHdr   `xml:"CstmrCdtTrfInitn>GrpHdr"`
		PmtInf  []rPmtInf `xml:"CstmrCdtTrfInitn>PmtInf"`
	}
	rGrpHdr struct {
		MsgID   string `xml:"MsgId"`
		CreDtTm string `xml:"CreDtTm"`
		NbOfTxs string `xml:"NbOfTxs"`
		CtrlSum string `xml:"CtrlSum"`
		OrgID   string `xml:"InitgPty>Id>OrgId>Othr>Id"`
	}
	rPmtInf struct {
		PmtInfID string `xml:"PmtInfId"`
		PmtMtd   string `xml:"PmtMtd"`
		NbOfTxs  string `xml:"NbOfTxs"`
		CtrlSum  string `xml:"CtrlSum"`
		Dt       string `xml:"ReqdExctnDt>Dt"`
		Tx       []rTx  `xml:"CdtTrfTxInf"`
	}
	rTx struct {
		InstrID  string `xml:"PmtId>InstrId"`
		E2E      string `xml:"PmtId>EndToEndId"`
		Amt      rAmt   `xml:"Amt>InstdAmt"`
		MmbID    string `xml:"CdtrAgt>FinInstnId>ClrSysMmbId>MmbId"`
		Nm       string `xml:"Cdtr>Nm"`
		IBAN     string `xml:"CdtrAcct>Id>IBAN"`
		OthrID   string `xml:"CdtrAcct>Id>Othr>Id"`
		Prtry    string `xml:"CdtrAcct>Id>Othr>SchmeNm>Prtry"`
		SchemeCd string `xml:"CdtrAcct>Id>Othr>SchmeNm>Cd"`
		Ustrd    string `xml:"RmtInf>Ustrd"`
	}
	rAmt struct {
		Ccy   string `xml:"Ccy,attr"`
		Value string `xml:",chardata"`
	}
)

// tb is what the helpers need of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
	Fatal(args ...any)
}

func readPain001(t tb, b []byte) rDoc {
	t.Helper()
	var d rDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("reading the file back: %v", err)
	}
	return d
}

var twoDecimals = regexp.MustCompile(`^(0|[1-9][0-9]*)\.[0-9]{2}$`)

func amount(t tb, s string) bistand.Money {
	t.Helper()
	if !twoDecimals.MatchString(s) {
		t.Fatalf("amount %q does not have exactly two decimals", s)
	}
	// Not bistand.ParseKronor: a control sum may exceed bistand.MaxMoney.
	dot := len(s) - 3
	whole, err1 := strconv.ParseInt(s[:dot], 10, 64)
	frac, err2 := strconv.ParseInt(s[dot+1:], 10, 64)
	if err1 != nil || err2 != nil || whole > (1<<63-1-99)/100 {
		t.Fatalf("amount %q does not fit", s)
	}
	return bistand.Money(whole*100 + frac)
}

// checkFile checks that the file f holds exactly orders: counts and control
// sums at both levels, each EndToEndId exactly once with its order's data,
// blocks per date in date order, transactions in ID order.
func checkFile(t tb, f rDoc, orders []Order) {
	t.Helper()
	byID := make(map[string]Order, len(orders))
	var total bistand.Money
	for _, o := range orders {
		byID[o.ID] = o
		total += o.Amount
	}
	if f.GrpHdr.NbOfTxs != strconv.Itoa(len(orders)) {
		t.Fatalf("GrpHdr NbOfTxs %s, want %d", f.GrpHdr.NbOfTxs, len(orders))
	}
	if got := amount(t, f.GrpHdr.CtrlSum); got != total {
		t.Fatalf("GrpHdr CtrlSum %d öre, want %d", got, total)
	}
	seen := map[string]bool{}
	lastDate := ""
	for _, p := range f.PmtInf {
		if p.Dt <= lastDate {
			t.Fatalf("payment blocks not in date order: %s after %s", p.Dt, lastDate)
		}
		lastDate = p.Dt
		if p.PmtMtd != "TRF" {
			t.Fatalf("PmtMtd %q", p.PmtMtd)
		}
		d, err := bistand.ParseDate(p.Dt)
		if err != nil {
			t.Fatal(err)
		}
		if p.PmtInfID != PaymentInfoID(f.GrpHdr.MsgID, d) {
			t.Fatalf("PmtInfId %q", p.PmtInfID)
		}
		if p.NbOfTxs != strconv.Itoa(len(p.Tx)) {
			t.Fatalf("PmtInf NbOfTxs %s for %d transactions", p.NbOfTxs, len(p.Tx))
		}
		var sum bistand.Money
		lastID := ""
		for _, x := range p.Tx {
			if x.E2E <= lastID {
				t.Fatalf("transactions not in ID order: %q after %q", x.E2E, lastID)
			}
			lastID = x.E2E
			if seen[x.E2E] {
				t.Fatalf("EndToEndId %q twice", x.E2E)
			}
			seen[x.E2E] = true
			o, ok := byID[x.E2E]
			if !ok {
				t.Fatalf("EndToEndId %q is no order's", x.E2E)
			}
			if x.InstrID != o.ID {
				t.Fatalf("InstrId %q for %q", x.InstrID, o.ID)
			}
			if x.Amt.Ccy != "SEK" || amount(t, x.Amt.Value) != o.Amount {
				t.Fatalf("%s: amount %s %s, want %d öre", o.ID, x.Amt.Ccy, x.Amt.Value, o.Amount)
			}
			sum += o.Amount
			if x.Nm != o.PayeeName || x.Ustrd != o.Remittance {
				t.Fatalf("%s: name %q / remittance %q changed on the way", o.ID, x.Nm, x.Ustrd)
			}
			if o.ExecutionDate != d {
				t.Fatalf("%s: in the block of %s, wants %s", o.ID, d, o.ExecutionDate)
			}
			switch o.Payee.Kind() {
			case KindBankgiro:
				if x.OthrID != o.Payee.Identifier() || x.Prtry != "BGNR" || x.MmbID != "" {
					t.Fatalf("%s: bankgiro written as %+v", o.ID, x)
				}
			case KindBankAccount:
				if x.OthrID != o.Payee.Identifier() || x.SchemeCd != "BBAN" || x.MmbID != o.Payee.Clearing() {
					t.Fatalf("%s: bank account written as %+v", o.ID, x)
				}
			case KindIBAN:
				if x.IBAN != o.Payee.Identifier() || x.OthrID != "" {
					t.Fatalf("%s: IBAN written as %+v", o.ID, x)
				}
			}
		}
		if got := amount(t, p.CtrlSum); got != sum {
			t.Fatalf("PmtInf CtrlSum %d öre, want %d", got, sum)
		}
	}
	if len(seen) != len(orders) {
		t.Fatalf("%d transactions in the file, %d orders", len(seen), len(orders))
	}
}

var nameRunes = []rune("abcxyzABCXYZ åäöÅÄÖéü&<>\"'-.0123456789ØæßŁ中")

func genName(max int) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		s := rapid.StringOfN(rapid.SampledFrom(nameRunes), 1, max, -1).Draw(t, "text")
		r := []rune(s)
		if r[0] == ' ' {
			r[0] = 'A'
		}
		if r[len(r)-1] == ' ' {
			r[len(r)-1] = 'z'
		}
		return string(r)
	})
}

// genAccount draws a synthetic account of any kind.
func genAccount() *rapid.Generator[Account] {
	return rapid.Custom(func(t *rapid.T) Account {
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			return SyntheticBankgiro(rapid.Uint64().Draw(t, "bg"))
		case 1:
			row := rapid.SampledFrom(clearingTable).Draw(t, "bank")
			c := strconv.Itoa(rapid.IntRange(row.from, row.to).Draw(t, "clearing"))
			n := syntheticAccount(c, rapid.Uint64().Draw(t, "seed"))
			a, err := ParseBankAccount(c, n)
			if err != nil {
				t.Fatalf("synthetic account %s %s refused: %v", c, n, err)
			}
			return a
		default:
			bban := fmt.Sprintf("%020d", rapid.Uint64Range(0, 99_999_999_999_999_999).Draw(t, "bban"))
			return mustIBAN(syntheticIBAN(bban))
		}
	})
}

func genOrders() *rapid.Generator[[]Order] {
	order := rapid.Custom(func(t *rapid.T) Order {
		o := Order{
			ID:            rapid.StringMatching(`[A-Za-z0-9][A-Za-z0-9.:?(),'+-]{0,34}`).Draw(t, "id"),
			Amount:        bistand.Money(rapid.Int64Range(1, int64(bistand.MaxMoney)).Draw(t, "amount")),
			PayeeName:     genName(MaxNameLength).Draw(t, "name"),
			Payee:         genAccount().Draw(t, "payee"),
			ExecutionDate: bistand.DateOf(demoCreated).AddDays(rapid.IntRange(0, 60).Draw(t, "days")),
		}
		if rapid.Bool().Draw(t, "has remittance") {
			o.Remittance = genName(MaxRemittanceLength).Draw(t, "remittance")
		}
		return o
	})
	return rapid.SliceOfNDistinct(order, 1, 40, func(o Order) string { return o.ID })
}

// TestPropertyFileReadsBack: for random valid orders the file reads back
// with the right counts, sums and transactions, and a sample of the files
// validates against the schema.
func TestPropertyFileReadsBack(t *testing.T) {
	var docs [][]byte
	var names []string
	rapid.Check(t, func(t *rapid.T) {
		orders := genOrders().Draw(t, "orders")
		msgID := rapid.StringMatching(`[A-Z0-9][A-Z0-9-]{0,25}`).Draw(t, "msg id")
		var buf bytes.Buffer
		if err := WritePain001(&buf, msgID, demoCreated, demoDebtor, orders); err != nil {
			t.Fatalf("valid orders refused: %v", err)
		}
		checkFile(t, readPain001(t, buf.Bytes()), orders)
		var again bytes.Buffer
		if err := WritePain001(&again, msgID, demoCreated, demoDebtor, orders); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
			t.Fatalf("not deterministic (%v)", err)
		}
		if len(docs) < 150 {
			docs = append(docs, buf.Bytes())
			names = append(names, fmt.Sprintf("random file %d", len(docs)))
		}
	})
	requireValid(t, pain001XSD, names, docs)
}

// TestPropertySplit: the parts add up exactly, differ by at most one öre and
// the larger come first.
func TestPropertySplit(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		total := bistand.Money(rapid.Int64Range(-int64(bistand.MaxMoney), int64(bistand.MaxMoney)).Draw(t, "total"))
		parts := rapid.IntRange(1, 50).Draw(t, "parts")
		got := Split(total, parts)
		if len(got) != parts {
			t.Fatalf("%d parts, want %d", len(got), parts)
		}
		var sum bistand.Money
		for i, p := range got {
			sum += p
			if d := got[0] - p; d < 0 || d > 1 {
				t.Fatalf("part %d is %d, first is %d", i, p, got[0])
			}
			if i > 0 && p > got[i-1] {
				t.Fatalf("part %d larger than part %d", i, i-1)
			}
		}
		if sum != total {
			t.Fatalf("parts add up to %d, want %d", sum, total)
		}
	})
}

// TestPropertyAmountRoundTrip: every amount formats with exactly two
// decimals and parses back to the same öre.
func TestPropertyAmountRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := bistand.Money(rapid.Int64Range(1, int64(bistand.MaxMoney)).Draw(t, "öre"))
		if got := amount(t, formatAmount(m)); got != m {
			t.Fatalf("%d öre formats as %s and reads back as %d", m, formatAmount(m), got)
		}
	})
}

// TestPropertyAccountDigitChange: a synthetic valid account parses, and
// changing any one digit of its account number makes it refused (the check
// digits catch every single-digit error).
func TestPropertyAccountDigitChange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genAccount().Draw(t, "account")
		var num string
		var parse func(string) error
		switch a.Kind() {
		case KindBankgiro:
			num = a.Identifier()
			parse = func(s string) error { _, err := ParseBankgiro(s); return err }
		case KindBankAccount:
			num = a.Number()
			parse = func(s string) error { _, err := ParseBankAccount(a.Clearing(), s); return err }
		case KindIBAN:
			num = a.Identifier()
			parse = func(s string) error { _, err := ParseIBAN(s); return err }
		}
		if err := parse(num); err != nil {
			t.Fatalf("%s refused: %v", a, err)
		}
		i := rapid.IntRange(0, len(num)-1).Draw(t, "position")
		if num[i] < '0' || num[i] > '9' {
			return // the SE of an IBAN
		}
		d := byte(rapid.IntRange(0, 9).Filter(func(v int) bool { return byte('0'+v) != num[i] }).Draw(t, "digit"))
		changed := num[:i] + string('0'+d) + num[i+1:]
		if err := parse(changed); err == nil {
			t.Fatalf("%s with digit %d changed (%s) is accepted", a, i, changed)
		}
	})
}
