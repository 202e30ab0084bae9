package payment

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// The demo municipality and its payments. Every name and number is
// synthetic: the organisation number and the account numbers are made up
// with valid check digits.
var (
	demoCreated = time.Date(2026, 11, 20, 14, 5, 0, 0, time.FixedZone("CET", 3600))
	demoMsgID   = "BST-20261120-001"
	demoDebtor  = Debtor{
		Name:      "Demoköpings kommun",
		OrgNumber: "212000-0001",
		Account:   SyntheticBankgiro(4711),
		BIC:       "DEMOSESS",
	}
	nov25 = bistand.MustDate(2026, 11, 25)
	nov27 = bistand.MustDate(2026, 11, 27)
)

// demoOrders are the golden file's payments: every kind of payee, two
// execution dates, a decision split between partners, and names that need
// escaping.
func demoOrders() []Order {
	half := Split(1_234_501, 2) // 6 172.51 + 6 172.50 kr
	return []Order{
		{ID: "po-0005", Amount: 99_900, PayeeName: "Demoköpings Elbolag AB", Payee: mustIBAN(syntheticIBAN("99900000000000012345")),
			Remittance: "Elräkning 2026-11 kund 4711", ExecutionDate: nov27},
		{ID: "po-0001", Amount: 850_000, PayeeName: "Demo Hyresvärd AB", Payee: SyntheticBankgiro(900_042),
			Remittance: "Hyra 2026-12 Storgatan 1", ExecutionDate: nov25},
		{ID: "po-0002", Amount: 512_345, PayeeName: "Anna Andersson", Payee: mustBankAccount("5000", syntheticAccount("5000", 100)),
			Remittance: "Försörjningsstöd 2026-12", ExecutionDate: nov25},
		{ID: "po-0003-1", Amount: half[0], PayeeName: "Åsa Öberg & Söner <Test>", Payee: mustBankAccount("8327-9", syntheticAccount("8327", 4200)),
			Remittance: "Försörjningsstöd 2026-12 (1/2)", ExecutionDate: nov25},
		{ID: "po-0003-2", Amount: half[1], PayeeName: "Erik \"Ärlig\" Öst", Payee: mustBankAccount("6000", syntheticAccount("6000", 4200)),
			Remittance: "Försörjningsstöd 2026-12 (2/2)", ExecutionDate: nov25},
		{ID: "po-0004", Amount: 1, PayeeName: "Bo Ek", Payee: mustBankAccount("7000", syntheticAccount("7000", 7)),
			ExecutionDate: nov27},
	}
}

func write(t testing.TB, msgID string, created time.Time, d Debtor, orders []Order) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePain001(&buf, msgID, created, d, orders); err != nil {
		t.Fatalf("WritePain001: %v", err)
	}
	return buf.Bytes()
}

func goldenFile(t testing.TB) []byte {
	return write(t, demoMsgID, demoCreated, demoDebtor, demoOrders())
}

// TestGolden compares the demo file with testdata/golden/demo.xml. Run with
// -update to rewrite it after an intended change, and read the diff.
func TestGolden(t *testing.T) {
	got := goldenFile(t)
	path := filepath.Join("testdata", "golden", "demo.xml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./payment -run TestGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run with -update and review the diff\n--- got ---\n%s", path, got)
	}
	requireValid(t, pain001XSD, []string{path}, [][]byte{want})
}

// TestDeterministic: the same input gives the same bytes, whatever the
// order of the orders.
func TestDeterministic(t *testing.T) {
	a := goldenFile(t)
	orders := demoOrders()
	for i, j := 0, len(orders)-1; i < j; i, j = i+1, j-1 {
		orders[i], orders[j] = orders[j], orders[i]
	}
	b := write(t, demoMsgID, demoCreated, demoDebtor, orders)
	if !bytes.Equal(a, b) {
		t.Fatal("the order of the input changed the file")
	}
	// And the caller's slice is left as it was.
	orders2 := demoOrders()
	write(t, demoMsgID, demoCreated, demoDebtor, orders2)
	if orders2[0].ID != "po-0005" {
		t.Fatal("WritePain001 reordered the caller's slice")
	}
}

// TestFilesValidate writes files for many kinds of input and validates each
// against pain.001.001.10.xsd with xmllint, and checks what each says.
func TestFilesValidate(t *testing.T) {
	many := make([]Order, 0, 500)
	for i := range 500 {
		many = append(many, Order{
			ID:            fmt.Sprintf("many-%04d", i),
			Amount:        bistand.Money(1 + i*9973),
			PayeeName:     fmt.Sprintf("Mottagare %d", i),
			Payee:         SyntheticBankgiro(uint64(i * 7919)),
			Remittance:    "Försörjningsstöd 2026-12",
			ExecutionDate: bistand.MustDate(2026, 11, 21+i%5),
		})
	}
	ibanDebtor := demoDebtor
	ibanDebtor.Account = mustIBAN(syntheticIBAN("99900000000000000017"))
	ibanDebtor.BIC = "DEMOSESSXXX"
	one := func(p Account, name string) []Order {
		return []Order{{ID: "x1", Amount: 100, PayeeName: name, Payee: p, Remittance: "Försörjningsstöd 2026-11", ExecutionDate: nov25}}
	}
	cases := []struct {
		name    string
		debtor  Debtor
		orders  []Order
		pmtInfs int
		want    []string // substrings the file must contain
	}{
		{"bankgiro payee", demoDebtor, one(SyntheticBankgiro(3), "Hyresvärden AB"), 1,
			[]string{"<Id>1000033</Id>", "<Prtry>BGNR</Prtry>"}},
		{"eight-digit bankgiro", demoDebtor, one(SyntheticBankgiro(900_000), "Hyresvärden AB"), 1,
			[]string{"<Id>" + SyntheticBankgiro(900_000).Identifier() + "</Id>"}},
		{"bank account payee", demoDebtor, one(mustBankAccount("5000", syntheticAccount("5000", 1)), "Anna Andersson"), 1,
			[]string{"<Cd>SESBA</Cd>", "<MmbId>5000</MmbId>", "<Cd>BBAN</Cd>", "<Id>5000" + syntheticAccount("5000", 1) + "</Id>"}},
		{"Swedbank five-digit clearing", demoDebtor, one(mustBankAccount("8327-9", syntheticAccount("8327", 5)), "Bo Ek"), 1,
			[]string{"<MmbId>8327</MmbId>", "<Id>8327" + syntheticAccount("8327", 5) + "</Id>"}},
		{"Handelsbanken short account padded", demoDebtor, one(mustBankAccount("6789", strings.TrimLeft(syntheticAccount("6789", 12345), "0")), "Cecilia"), 1,
			[]string{"<MmbId>6789</MmbId>", "<Id>6789" + syntheticAccount("6789", 12345) + "</Id>"}},
		{"IBAN payee and IBAN debtor", ibanDebtor, one(mustIBAN(syntheticIBAN("99900000000000000025")), "Dan"), 1,
			[]string{"<IBAN>" + syntheticIBAN("99900000000000000025") + "</IBAN>", "<BICFI>DEMOSESSXXX</BICFI>"}},
		{"names to escape", demoDebtor, one(SyntheticBankgiro(9), `Åsa & Öst <"ÄÖ"> 'å'`), 1,
			[]string{"&amp;", "&lt;", "&gt;", "Åsa", "Öst"}},
		{"longest name and remittance", demoDebtor, []Order{{ID: strings.Repeat("A", 35), Amount: bistand.MaxMoney, PayeeName: strings.Repeat("Ö", 70),
			Payee: SyntheticBankgiro(1), Remittance: strings.Repeat("å", 140), ExecutionDate: nov25}}, 1,
			[]string{"<InstdAmt Ccy=\"SEK\">10000000000000.00</InstdAmt>"}},
		{"several dates", demoDebtor, demoOrders(), 2, []string{"<PmtInfId>BST-20261120-001-20261127</PmtInfId>"}},
		{"many orders", demoDebtor, many, 5, []string{"<NbOfTxs>500</NbOfTxs>"}},
	}
	var names []string
	var docs [][]byte
	for _, c := range cases {
		b := write(t, demoMsgID, demoCreated, c.debtor, c.orders)
		for _, w := range c.want {
			if !bytes.Contains(b, []byte(w)) {
				t.Errorf("%s: file lacks %q", c.name, w)
			}
		}
		if n := bytes.Count(b, []byte("<PmtInf>")); n != c.pmtInfs {
			t.Errorf("%s: %d PmtInf, want %d", c.name, n, c.pmtInfs)
		}
		f := readPain001(t, b)
		checkFile(t, f, c.orders)
		names = append(names, c.name)
		docs = append(docs, b)
	}
	requireValid(t, pain001XSD, names, docs)
}

// TestWriteRefuses checks every refusal with a *FieldError naming the field.
func TestWriteRefuses(t *testing.T) {
	ok := func() []Order { return demoOrders() }
	with := func(f func(o *Order)) []Order {
		o := ok()
		f(&o[1])
		return o
	}
	debtorWith := func(f func(d *Debtor)) Debtor {
		d := demoDebtor
		f(&d)
		return d
	}
	cases := []struct {
		name    string
		msgID   string
		created time.Time
		debtor  Debtor
		orders  []Order
		field   string
	}{
		{"empty orders", demoMsgID, demoCreated, demoDebtor, nil, "orders"},
		{"zero amount", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.Amount = 0 }), "orders[1].amount"},
		{"negative amount", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.Amount = -100 }), "orders[1].amount"},
		{"too large amount", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.Amount = bistand.MaxMoney + 1 }), "orders[1].amount"},
		{"duplicate id", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.ID = "po-0005" }), "orders[1].id"},
		{"id too long", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.ID = strings.Repeat("a", 36) }), "orders[1].id"},
		{"id with space", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.ID = "po 1" }), "orders[1].id"},
		{"id with å", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.ID = "på-1" }), "orders[1].id"},
		{"id with &", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.ID = "a&b" }), "orders[1].id"},
		{"id with //", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.ID = "a//b" }), "orders[1].id"},
		{"id starting with /", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.ID = "/ab" }), "orders[1].id"},
		{"empty id", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.ID = "" }), "orders[1].id"},
		{"name too long", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.PayeeName = strings.Repeat("Ä", 71) }), "orders[1].payee_name"},
		{"empty name", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.PayeeName = "" }), "orders[1].payee_name"},
		{"name with newline", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.PayeeName = "Anna\nBo" }), "orders[1].payee_name"},
		{"name with NUL", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.PayeeName = "Anna\x00" }), "orders[1].payee_name"},
		{"name not UTF-8", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.PayeeName = "Anna \xe5" }), "orders[1].payee_name"},
		{"name with trailing space", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.PayeeName = "Anna " }), "orders[1].payee_name"},
		{"remittance too long", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.Remittance = strings.Repeat("x", 141) }), "orders[1].remittance"},
		{"no payee account", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.Payee = Account{} }), "orders[1].payee"},
		{"no date", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.ExecutionDate = bistand.Date{} }), "orders[1].execution_date"},
		{"date before creation", demoMsgID, demoCreated, demoDebtor, with(func(o *Order) { o.ExecutionDate = bistand.MustDate(2026, 11, 19) }), "orders[1].execution_date"},
		{"empty msg id", "", demoCreated, demoDebtor, ok(), "msg_id"},
		{"msg id too long", strings.Repeat("M", 27), demoCreated, demoDebtor, ok(), "msg_id"},
		{"zero created", demoMsgID, time.Time{}, demoDebtor, ok(), "created"},
		{"debtor name empty", demoMsgID, demoCreated, debtorWith(func(d *Debtor) { d.Name = "" }), ok(), "debtor.name"},
		{"org number check digit", demoMsgID, demoCreated, debtorWith(func(d *Debtor) { d.OrgNumber = "2120000002" }), ok(), "debtor.org_number"},
		{"org number is a personnummer shape", demoMsgID, demoCreated, debtorWith(func(d *Debtor) { d.OrgNumber = "8112189876" }), ok(), "debtor.org_number"},
		{"org number short", demoMsgID, demoCreated, debtorWith(func(d *Debtor) { d.OrgNumber = "212000001" }), ok(), "debtor.org_number"},
		{"debtor bank account", demoMsgID, demoCreated, debtorWith(func(d *Debtor) { d.Account = mustBankAccount("5000", syntheticAccount("5000", 1)) }), ok(), "debtor.account"},
		{"debtor no account", demoMsgID, demoCreated, debtorWith(func(d *Debtor) { d.Account = Account{} }), ok(), "debtor.account"},
		{"BIC lower case", demoMsgID, demoCreated, debtorWith(func(d *Debtor) { d.BIC = "demosess" }), ok(), "debtor.bic"},
		{"BIC foreign", demoMsgID, demoCreated, debtorWith(func(d *Debtor) { d.BIC = "DEMODEFF" }), ok(), "debtor.bic"},
		{"BIC length", demoMsgID, demoCreated, debtorWith(func(d *Debtor) { d.BIC = "DEMOSESSX" }), ok(), "debtor.bic"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WritePain001(&buf, c.msgID, c.created, c.debtor, c.orders)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FieldError", err)
			}
			if fe.Field != c.field {
				t.Errorf("field %q, want %q (%v)", fe.Field, c.field, err)
			}
			if buf.Len() != 0 {
				t.Error("wrote output despite the error")
			}
		})
	}
}

// TestPaymentInfoID pins the PmtInfId convention the status reports refer to.
func TestPaymentInfoID(t *testing.T) {
	if got := PaymentInfoID("BST-1", bistand.MustDate(2026, 1, 5)); got != "BST-1-20260105" {
		t.Fatalf("got %q", got)
	}
	if got := PaymentInfoID(strings.Repeat("M", MaxMessageIDLength), nov25); len(got) != 35 {
		t.Fatalf("longest PmtInfId has %d characters, want 35", len(got))
	}
}

func TestFormatAmount(t *testing.T) {
	for m, want := range map[bistand.Money]string{
		1: "0.01", 10: "0.10", 99: "0.99", 100: "1.00", 123456: "1234.56", 720000: "7200.00",
		bistand.MaxMoney: "10000000000000.00", maxCtrlSum: "9999999999999999.99",
	} {
		if got := formatAmount(m); got != want {
			t.Errorf("formatAmount(%d) = %q, want %q", m, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		total bistand.Money
		parts int
		want  []bistand.Money
	}{
		{1001, 2, []bistand.Money{501, 500}},
		{1000, 2, []bistand.Money{500, 500}},
		{1, 3, []bistand.Money{1, 0, 0}},
		{0, 2, []bistand.Money{0, 0}},
		{-5, 2, []bistand.Money{-2, -3}},
		{100, 1, []bistand.Money{100}},
		{11, 4, []bistand.Money{3, 3, 3, 2}},
	}
	for _, c := range cases {
		got := Split(c.total, c.parts)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Split(%d, %d) = %v, want %v", c.total, c.parts, got, c.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Split(1, 0) did not panic")
		}
	}()
	Split(1, 0)
}
