package payment

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/bistand/bistand"
)

// Pain001Namespace is the XML namespace of the files WritePain001 writes.
const Pain001Namespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.10"

// Limits of WritePain001's input.
const (
	// MaxIDLength bounds an order's ID: EndToEndId is an ISO Max35Text.
	MaxIDLength = 35
	// MaxMessageIDLength bounds the file's message id, which is also the
	// prefix of each PmtInfId (see PaymentInfoID, also a Max35Text).
	MaxMessageIDLength = MaxIDLength - 9
	// MaxNameLength bounds the payee's and the debtor's names. The schema
	// allows 140 characters; 70 is what the CGI guidelines recommend and
	// what is safe to assume a bank passes on. Longer names are refused,
	// never truncated: cutting a name is a decision for a person.
	MaxNameLength = 70
	// MaxRemittanceLength bounds the remittance text (one Ustrd).
	MaxRemittanceLength = 140
	// maxCtrlSum is the largest control sum the schema's DecimalNumber
	// (18 digits in all) holds with two decimals, in öre.
	maxCtrlSum = bistand.Money(999_999_999_999_999_999)
)

// Debtor is the paying municipality.
type Debtor struct {
	// Name is the municipality's name, at most MaxNameLength characters.
	Name string
	// OrgNumber is its organisationsnummer, ten digits ("2120000001" or
	// "212000-0001"), with a valid mod-10 check digit and a third digit of at
	// least 2 (which tells it from a personnummer).
	OrgNumber string
	// Account is the account the payments are drawn from: a bankgiro number
	// or an IBAN.
	Account Account
	// BIC identifies the municipality's bank (the debtor agent), a Swedish
	// BIC of 8 or 11 characters such as "ESSESESS".
	BIC string
}

// Order is one payment.
type Order struct {
	// ID identifies the payment order for good: it is written as InstrId and
	// EndToEndId and comes back in the bank's status reports. 1 to
	// MaxIDLength characters of A–Z a–z 0–9 - . / : ? ( ) , ' + (no space),
	// unique within a file. The same payment must always get the same ID
	// (see docs/payments.md on exactly-once payment).
	ID string
	// Amount is what is paid, in öre; more than zero and at most
	// bistand.MaxMoney.
	Amount bistand.Money
	// PayeeName is the payee's name, 1 to MaxNameLength characters.
	PayeeName string
	// Payee is the payee's account.
	Payee Account
	// Remittance is the text the payee sees, such as "Försörjningsstöd
	// 2026-11"; at most MaxRemittanceLength characters, or empty for none.
	Remittance string
	// ExecutionDate is the requested execution (payment) date; not before
	// the file's creation date.
	ExecutionDate bistand.Date
}

// PaymentInfoID returns the PmtInfId WritePain001 gives the payment
// information block of msgID that holds the orders executed on date:
// msgID, "-" and the date as YYYYMMDD. A status report names blocks by it.
func PaymentInfoID(msgID string, date bistand.Date) string {
	b := make([]byte, 0, len(msgID)+9)
	b = append(b, msgID...)
	b = append(b, '-')
	d := date.AppendText(nil) // YYYY-MM-DD
	b = append(b, d[0:4]...)
	b = append(b, d[5:7]...)
	return string(append(b, d[8:10]...))
}

// WritePain001 writes one ISO 20022 pain.001.001.10 credit transfer file:
// the payments of orders, drawn from debtor's account, as message msgID
// created at created. It refuses invalid input with a *FieldError before
// writing anything. See docs/payments.md for the elements and the
// conventions followed.
//
// The orders are grouped into one payment information block (PmtInf) per
// execution date and ordered by execution date, then ID; the output depends
// on nothing but the arguments, so the same input gives the same bytes.
// msgID must be 1 to MaxMessageIDLength identifier characters and unique per
// debtor for good (banks refuse a message id they have seen).
func WritePain001(w io.Writer, msgID string, created time.Time, debtor Debtor, orders []Order) error {
	b, err := buildPain001(msgID, created, debtor, orders)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func buildPain001(msgID string, created time.Time, debtor Debtor, orders []Order) ([]byte, error) {
	if err := checkID("msg_id", msgID, MaxMessageIDLength); err != nil {
		return nil, err
	}
	if created.IsZero() || created.Year() < bistand.MinYear || created.Year() > bistand.MaxYear {
		return nil, fieldErr("created", "is not a time between the years 1850 and 9999")
	}
	org, err := checkDebtor(debtor)
	if err != nil {
		return nil, err
	}
	if len(orders) == 0 {
		return nil, fieldErr("orders", "is empty: a file holds at least one payment")
	}
	createdOn := bistand.DateOf(created)
	seen := make(map[string]int, len(orders))
	var total bistand.Money
	for i, o := range orders {
		f := "orders[" + strconv.Itoa(i) + "]."
		if err := checkID(f+"id", o.ID, MaxIDLength); err != nil {
			return nil, err
		}
		if j, dup := seen[o.ID]; dup {
			return nil, fieldErr(f+"id", "repeats the id of orders["+strconv.Itoa(j)+"]")
		}
		seen[o.ID] = i
		if o.Amount <= 0 {
			return nil, fieldErr(f+"amount", "is not more than zero")
		}
		if o.Amount > bistand.MaxMoney {
			return nil, fieldErr(f+"amount", "is larger than bistand.MaxMoney")
		}
		if err := checkText(f+"payee_name", o.PayeeName, MaxNameLength); err != nil {
			return nil, err
		}
		if o.Payee.IsZero() {
			return nil, fieldErr(f+"payee", "has no account")
		}
		if o.Remittance != "" {
			if err := checkText(f+"remittance", o.Remittance, MaxRemittanceLength); err != nil {
				return nil, err
			}
		}
		if o.ExecutionDate.IsZero() {
			return nil, fieldErr(f+"execution_date", "is missing")
		}
		if o.ExecutionDate.Before(createdOn) {
			return nil, fieldErr(f+"execution_date", "is before the file's creation date")
		}
		total += o.Amount // cannot overflow: each is at most 10^15, the sum at most 10^18 below
		if total > maxCtrlSum {
			return nil, fieldErr("orders", "add up to more than a control sum can hold")
		}
	}

	sorted := slices.Clone(orders)
	slices.SortFunc(sorted, func(a, b Order) int {
		if c := a.ExecutionDate.Compare(b.ExecutionDate); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})

	party := xParty{Nm: debtor.Name, ID: &xPartyID{OrgID: xOrgID{Othr: xGenericID{
		ID: org, SchmeNm: &xScheme{Cd: "BANK"},
	}}}}
	doc := xPain001{Initn: xInitn{GrpHdr: xGrpHdr{
		MsgID:    msgID,
		CreDtTm:  created.Format("2006-01-02T15:04:05Z07:00"),
		NbOfTxs:  strconv.Itoa(len(sorted)),
		CtrlSum:  formatAmount(total),
		InitgPty: party,
	}}}
	for start := 0; start < len(sorted); {
		date := sorted[start].ExecutionDate
		end := start
		var sum bistand.Money
		for end < len(sorted) && sorted[end].ExecutionDate == date {
			sum += sorted[end].Amount
			end++
		}
		p := xPmtInf{
			PmtInfID:    PaymentInfoID(msgID, date),
			PmtMtd:      "TRF",
			NbOfTxs:     strconv.Itoa(end - start),
			CtrlSum:     formatAmount(sum),
			ReqdExctnDt: xDate{Dt: date.String()},
			Dbtr:        party,
			DbtrAcct:    account(debtor.Account),
			DbtrAgt:     xAgent{FinInstnID: xFinInstn{BICFI: debtor.BIC}},
		}
		for _, o := range sorted[start:end] {
			tx := xTx{
				PmtID:    xPmtID{InstrID: o.ID, EndToEndID: o.ID},
				Amt:      xAmt{InstdAmt: xMoney{Ccy: "SEK", Value: formatAmount(o.Amount)}},
				Cdtr:     xParty{Nm: o.PayeeName},
				CdtrAcct: account(o.Payee),
			}
			if o.Payee.Kind() == KindBankAccount {
				tx.CdtrAgt = &xAgent{FinInstnID: xFinInstn{ClrSysMmbID: &xClrSys{
					ClrSysID: xScheme{Cd: "SESBA"},
					MmbID:    o.Payee.Clearing(),
				}}}
			}
			if o.Remittance != "" {
				tx.RmtInf = &xRmtInf{Ustrd: o.Remittance}
			}
			p.CdtTrfTxInf = append(p.CdtTrfTxInf, tx)
		}
		doc.Initn.PmtInf = append(doc.Initn.PmtInf, p)
		start = end
	}

	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// checkDebtor validates d and returns its organisation number's ten digits.
func checkDebtor(d Debtor) (string, error) {
	if err := checkText("debtor.name", d.Name, MaxNameLength); err != nil {
		return "", err
	}
	org, ok := orgNumber(d.OrgNumber)
	if !ok {
		return "", fieldErr("debtor.org_number", "is not an organisationsnummer (ten digits, mod-10 check digit, third digit at least 2)")
	}
	switch d.Account.Kind() {
	case KindBankgiro, KindIBAN:
	case 0:
		return "", fieldErr("debtor.account", "is missing")
	default:
		return "", fieldErr("debtor.account", "is not a bankgiro number or an IBAN")
	}
	if !swedishBIC(d.BIC) {
		return "", fieldErr("debtor.bic", "is not a Swedish BIC (8 or 11 characters, country SE)")
	}
	return org, nil
}

// orgNumber returns the ten digits of an organisationsnummer written as
// NNNNNNNNNN or NNNNNN-NNNN, if it has a valid check digit and a third digit
// of at least 2.
func orgNumber(s string) (string, bool) {
	if len(s) == 11 && s[6] == '-' {
		s = s[:6] + s[7:]
	}
	if len(s) != 10 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, s[2] >= '2' && luhnValid(s)
}

// swedishBIC reports whether s is a BIC (the schema's BICFIDec2014Identifier
// pattern) of a bank in Sweden.
func swedishBIC(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'A' && c <= 'Z'
		if !letter && !(c >= '0' && c <= '9') {
			return false
		}
		if (i == 4 || i == 5) && !letter {
			return false
		}
	}
	return s[4:6] == "SE"
}

// account returns the CashAccount38 of a.
func account(a Account) xAccount {
	switch a.Kind() {
	case KindIBAN:
		return xAccount{ID: xAccountID{IBAN: a.Identifier()}}
	case KindBankgiro:
		return xAccount{ID: xAccountID{Othr: &xGenericID{ID: a.Identifier(), SchmeNm: &xScheme{Prtry: "BGNR"}}}}
	default: // KindBankAccount
		return xAccount{ID: xAccountID{Othr: &xGenericID{ID: a.Identifier(), SchmeNm: &xScheme{Cd: "BBAN"}}}}
	}
}

// The pain.001.001.10 elements WritePain001 writes, in schema order.
type (
	xPain001 struct {
		XMLName xml.Name `xml:"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10 Document"`
		Initn   xInitn   `xml:"CstmrCdtTrfInitn"`
	}
	xInitn struct {
		GrpHdr xGrpHdr   `xml:"GrpHdr"`
		PmtInf []xPmtInf `xml:"PmtInf"`
	}
	xGrpHdr struct {
		MsgID    string `xml:"MsgId"`
		CreDtTm  string `xml:"CreDtTm"`
		NbOfTxs  string `xml:"NbOfTxs"`
		CtrlSum  string `xml:"CtrlSum"`
		InitgPty xParty `xml:"InitgPty"`
	}
	xParty struct {
		Nm string    `xml:"Nm"`
		ID *xPartyID `xml:"Id,omitempty"`
	}
	xPartyID struct {
		OrgID xOrgID `xml:"OrgId"`
	}
	xOrgID struct {
		Othr xGenericID `xml:"Othr"`
	}
	xGenericID struct {
		ID      string   `xml:"Id"`
		SchmeNm *xScheme `xml:"SchmeNm,omitempty"`
	}
	xScheme struct {
		Cd    string `xml:"Cd,omitempty"`
		Prtry string `xml:"Prtry,omitempty"`
	}
	xPmtInf struct {
		PmtInfID    string   `xml:"PmtInfId"`
		PmtMtd      string   `xml:"PmtMtd"`
		NbOfTxs     string   `xml:"NbOfTxs"`
		CtrlSum     string   `xml:"CtrlSum"`
		ReqdExctnDt xDate    `xml:"ReqdExctnDt"`
		Dbtr        xParty   `xml:"Dbtr"`
		DbtrAcct    xAccount `xml:"DbtrAcct"`
		DbtrAgt     xAgent   `xml:"DbtrAgt"`
		CdtTrfTxInf []xTx    `xml:"CdtTrfTxInf"`
	}
	xDate struct {
		Dt string `xml:"Dt"`
	}
	xAccount struct {
		ID xAccountID `xml:"Id"`
	}
	xAccountID struct {
		IBAN string      `xml:"IBAN,omitempty"`
		Othr *xGenericID `xml:"Othr,omitempty"`
	}
	xAgent struct {
		FinInstnID xFinInstn `xml:"FinInstnId"`
	}
	xFinInstn struct {
		BICFI       string   `xml:"BICFI,omitempty"`
		ClrSysMmbID *xClrSys `xml:"ClrSysMmbId,omitempty"`
	}
	xClrSys struct {
		ClrSysID xScheme `xml:"ClrSysId"`
		MmbID    string  `xml:"MmbId"`
	}
	xTx struct {
		PmtID    xPmtID   `xml:"PmtId"`
		Amt      xAmt     `xml:"Amt"`
		CdtrAgt  *xAgent  `xml:"CdtrAgt,omitempty"`
		Cdtr     xParty   `xml:"Cdtr"`
		CdtrAcct xAccount `xml:"CdtrAcct"`
		RmtInf   *xRmtInf `xml:"RmtInf,omitempty"`
	}
	xPmtID struct {
		InstrID    string `xml:"InstrId"`
		EndToEndID string `xml:"EndToEndId"`
	}
	xAmt struct {
		InstdAmt xMoney `xml:"InstdAmt"`
	}
	xMoney struct {
		Ccy   string `xml:"Ccy,attr"`
		Value string `xml:",chardata"`
	}
	xRmtInf struct {
		Ustrd string `xml:"Ustrd"`
	}
)
