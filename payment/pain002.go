package payment

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Pain002Namespace is the XML namespace ParsePain002 accepts.
const Pain002Namespace = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"

// MaxReportBytes bounds a status report: ParsePain002 reads no more than this
// and refuses a longer one.
const MaxReportBytes = 10 << 20

// maxReportDepth bounds the nesting of elements in a status report; the
// schema needs about twenty levels.
const maxReportDepth = 100

var (
	// ErrInvalidReport is wrapped by every error ParsePain002 returns for a
	// document it refuses. The error texts never quote the document.
	ErrInvalidReport = errors.New("invalid pain.002 status report")
	// ErrReportTooLarge is returned for a report over MaxReportBytes.
	ErrReportTooLarge = errors.New("pain.002 status report larger than 10 MiB")
)

type reportError struct{ reason string }

func (e *reportError) Error() string { return "invalid pain.002 status report: " + e.reason }
func (e *reportError) Unwrap() error { return ErrInvalidReport }

func reportErr(reason string) error { return &reportError{reason} }

// Status is an ISO 20022 payment status code (ExternalPaymentGroupStatus1Code
// or ExternalPaymentTransactionStatus1Code), four capital letters.
type Status string

// The status codes bistand names. Others (ACWP, ACFC, BLCK, …) are kept as
// they come and count as pending.
const (
	StatusRCVD Status = "RCVD" // received
	StatusACTC Status = "ACTC" // accepted after technical validation
	StatusACCP Status = "ACCP" // accepted after customer profile checks
	StatusACWC Status = "ACWC" // accepted with change
	StatusACSP Status = "ACSP" // accepted, settlement in process
	StatusACSC Status = "ACSC" // accepted, settlement on the debtor's account completed
	StatusACCC Status = "ACCC" // accepted, settlement on the creditor's account completed
	StatusPDNG Status = "PDNG" // pending
	StatusPART Status = "PART" // some transactions accepted, some not (group level)
	StatusRJCT Status = "RJCT" // rejected
	StatusCANC Status = "CANC" // cancelled
)

// Outcome is what a status means for a payment order.
type Outcome uint8

const (
	// Pending: the bank has the payment but has not (yet) reported it
	// settled or refused. The zero Outcome.
	Pending Outcome = iota
	// Paid: the bank reports the amount settled — debited from the
	// municipality's account (ACSC) or credited to the payee's (ACCC).
	Paid
	// Failed: the payment will not be made — rejected (RJCT) or cancelled
	// (CANC). A new payment needs a new decision by a person.
	Failed
)

// String returns "pending", "paid" or "failed".
func (o Outcome) String() string {
	switch o {
	case Paid:
		return "paid"
	case Failed:
		return "failed"
	}
	return "pending"
}

// Outcome maps a status to an outcome: ACSC and ACCC are Paid, RJCT and
// CANC are Failed, everything else (RCVD, ACTC, ACCP, ACWC, ACSP, PDNG, PART,
// codes bistand does not know) is Pending. See docs/payments.md.
func (s Status) Outcome() Outcome {
	switch s {
	case StatusACSC, StatusACCC:
		return Paid
	case StatusRJCT, StatusCANC:
		return Failed
	}
	return Pending
}

// Reason is one status reason: an ISO external code such as "AC04" (closed
// account) or a bank's proprietary reason, and any additional text.
type Reason struct {
	Code           string   // ExternalStatusReason1Code, "" if none
	Proprietary    string   // the bank's own reason, "" if none
	AdditionalInfo []string // free text from the bank
}

// PaymentInfoStatus is the status of one payment information block (PmtInf)
// of the original file.
type PaymentInfoStatus struct {
	PaymentInfoID string // OrgnlPmtInfId; see PaymentInfoID
	Status        Status // PmtInfSts, "" if the report gives none
	Reasons       []Reason
}

// TransactionStatus is the status of one payment order of the original file.
type TransactionStatus struct {
	PaymentInfoID string // the block the report lists it under
	// EndToEndID is OrgnlEndToEndId (the order's ID), or OrgnlInstrId when
	// the report gives only that (bistand writes the same value to both).
	EndToEndID string
	// Status is the transaction's TxSts or, when it has none, the status of
	// its payment information block, else the group status.
	Status  Status
	Reasons []Reason
	// duplicate: rejected as a duplicate (DU01–DU05) at this or a higher
	// level.
	duplicate bool
}

// Outcome returns what t's status means for the order: Status.Outcome,
// except that a rejection as a duplicate is Pending (see
// RejectedAsDuplicate).
func (t TransactionStatus) Outcome() Outcome {
	if t.duplicate {
		return Pending
	}
	return t.Status.Outcome()
}

// RejectedAsDuplicate reports whether the bank rejected the transaction
// because it already holds one with the same identifier (reason DU01–DU05,
// on the transaction or inherited from its block or group). That says
// nothing about the order itself, which the earlier message carries: it is
// neither paid nor failed by this report.
func (t TransactionStatus) RejectedAsDuplicate() bool { return t.duplicate }

// StatusReport is a parsed pain.002.001.11 CustomerPaymentStatusReport.
type StatusReport struct {
	MessageID string    // the report's own MsgId
	Created   time.Time // its CreDtTm (UTC when the report gives no zone)
	// OriginalMessageID is the MsgId of the pain.001 the report is about.
	OriginalMessageID string
	// OriginalMessageName is that message's name, normally
	// "pain.001.001.10".
	OriginalMessageName string
	// GroupStatus is the status of the whole original message, "" if the
	// report gives none; GroupReasons say why.
	GroupStatus  Status
	GroupReasons []Reason
	PaymentInfos []PaymentInfoStatus
	Transactions []TransactionStatus
}

// WholeMessageRejected reports whether the bank rejected the original
// message as a whole (group status RJCT): every order in it failed, whether
// or not the report lists them. A rejection as a duplicate is not one (see
// RejectedAsDuplicate).
func (r *StatusReport) WholeMessageRejected() bool {
	return r.GroupStatus == StatusRJCT && !r.RejectedAsDuplicate()
}

// RejectedAsDuplicate reports whether the bank rejected the message because
// it already received one with the same message id (group status RJCT with a
// reason DU01–DU05). That is the answer to a resent copy: it says nothing
// about the orders, which the first copy carries, so Outcome reports nothing
// for them.
func (r *StatusReport) RejectedAsDuplicate() bool {
	return isDuplicateRejection(r.GroupStatus, r.GroupReasons)
}

// isDuplicateRejection reports whether status is RJCT for one of the ISO
// duplicate reasons: DU01 duplicate message id, DU02 duplicate payment
// information id, DU03 duplicate transaction, DU04 duplicate EndToEndId,
// DU05 duplicate instruction id. AM05 ("duplication", the bank's own
// judgement that two payments look alike) is not among them: that payment
// was not made.
func isDuplicateRejection(status Status, reasons []Reason) bool {
	if status != StatusRJCT {
		return false
	}
	for _, r := range reasons {
		switch r.Code {
		case "DU01", "DU02", "DU03", "DU04", "DU05":
			return true
		}
	}
	return false
}

// Outcome returns what r says about the order with EndToEndId endToEndID in
// the payment information block paymentInfoID ("" if unknown): the
// transaction's own status if r lists it; else the status of its block if r
// gives one (and it is not PART); else the group status (unless PART). The
// boolean is false when r says nothing that applies to the order — also
// when the status that applies is a rejection as a duplicate, which concerns
// a copy, not the order (Outcome is then Pending).
func (r *StatusReport) Outcome(endToEndID, paymentInfoID string) (Outcome, bool) {
	for _, t := range r.Transactions {
		if t.EndToEndID == endToEndID {
			return t.Outcome(), !t.duplicate
		}
	}
	if paymentInfoID != "" {
		for _, p := range r.PaymentInfos {
			if p.PaymentInfoID == paymentInfoID && p.Status != "" && p.Status != StatusPART {
				if isDuplicateRejection(p.Status, p.Reasons) {
					return Pending, false
				}
				return p.Status.Outcome(), true
			}
		}
	}
	if r.GroupStatus != "" && r.GroupStatus != StatusPART {
		if r.RejectedAsDuplicate() {
			return Pending, false
		}
		return r.GroupStatus.Outcome(), true
	}
	return Pending, false
}

// ParsePain002 reads a pain.002.001.11 payment status report of at most
// MaxReportBytes. It refuses, with an error wrapping ErrInvalidReport, a
// document that is not well-formed XML, that holds a DTD or any other
// directive, whose elements are not in Pain002Namespace (except inside
// SplmtryData's envelope), that misses or repeats what it needs, whose codes
// are malformed, that names one transaction or payment information block
// twice, or that contradicts itself (a final status — paid or failed — for a
// group or block with a different outcome beneath it). Elements it does not
// need are ignored.
func ParsePain002(r io.Reader) (*StatusReport, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxReportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading pain.002 status report: %w", err)
	}
	if len(b) > MaxReportBytes {
		return nil, ErrReportTooLarge
	}
	if err := prescan(b); err != nil {
		return nil, err
	}
	var doc yDoc
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	if err := d.Decode(&doc); err != nil {
		return nil, reportErr("the document element is not a pain.002.001.11 Document")
	}
	return doc.report()
}

// prescan walks the whole document once: well-formed, one root, no
// directive (so no DTD and no entity declarations), bounded depth, and every
// element outside a supplementary-data envelope in Pain002Namespace.
func prescan(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	depth, roots, envelope := 0, 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return reportErr(fmt.Sprintf("malformed XML (line %d)", se.Line))
			}
			return reportErr("malformed XML")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return reportErr("more than one document element")
				}
			}
			depth++
			if depth > maxReportDepth {
				return reportErr("elements nested too deeply")
			}
			if envelope == 0 {
				if t.Name.Space != Pain002Namespace {
					return reportErr("an element is not in the pain.002.001.11 namespace")
				}
				if t.Name.Local == "Envlp" {
					envelope = depth
				}
			}
		case xml.EndElement:
			if envelope == depth {
				envelope = 0
			}
			depth--
		case xml.Directive:
			return reportErr("a DTD or other <!…> directive is refused")
		case xml.CharData:
			if depth == 0 && len(bytes.TrimLeft(t, " \t\r\n")) != 0 {
				return reportErr("text outside the document element")
			}
		}
	}
	if roots == 0 {
		return reportErr("no document element")
	}
	return nil
}

// The parts of pain.002.001.11 ParsePain002 reads. Element names carry no
// namespace here: prescan has checked them all.
type (
	yDoc struct {
		XMLName xml.Name `xml:"urn:iso:std:iso:20022:tech:xsd:pain.002.001.11 Document"`
		Rpt     []yRpt   `xml:"CstmrPmtStsRpt"`
	}
	yRpt struct {
		GrpHdr []yGrpHdr   `xml:"GrpHdr"`
		Orgnl  []yOrgnlGrp `xml:"OrgnlGrpInfAndSts"`
		PmtInf []yPmtInf   `xml:"OrgnlPmtInfAndSts"`
	}
	yGrpHdr struct {
		MsgID   []string `xml:"MsgId"`
		CreDtTm []string `xml:"CreDtTm"`
	}
	yOrgnlGrp struct {
		OrgnlMsgID   []string  `xml:"OrgnlMsgId"`
		OrgnlMsgNmID []string  `xml:"OrgnlMsgNmId"`
		GrpSts       []string  `xml:"GrpSts"`
		StsRsnInf    []yReason `xml:"StsRsnInf"`
	}
	yReason struct {
		Rsn      []yRsn   `xml:"Rsn"`
		AddtlInf []string `xml:"AddtlInf"`
	}
	yRsn struct {
		Cd    []string `xml:"Cd"`
		Prtry []string `xml:"Prtry"`
	}
	yPmtInf struct {
		OrgnlPmtInfID []string  `xml:"OrgnlPmtInfId"`
		PmtInfSts     []string  `xml:"PmtInfSts"`
		StsRsnInf     []yReason `xml:"StsRsnInf"`
		TxInfAndSts   []yTx     `xml:"TxInfAndSts"`
	}
	yTx struct {
		OrgnlInstrID    []string  `xml:"OrgnlInstrId"`
		OrgnlEndToEndID []string  `xml:"OrgnlEndToEndId"`
		TxSts           []string  `xml:"TxSts"`
		StsRsnInf       []yReason `xml:"StsRsnInf"`
	}
)

func (doc *yDoc) report() (*StatusReport, error) {
	if len(doc.Rpt) != 1 {
		return nil, reportErr("need exactly one CstmrPmtStsRpt")
	}
	rpt := doc.Rpt[0]
	if len(rpt.GrpHdr) != 1 {
		return nil, reportErr("need exactly one GrpHdr")
	}
	if len(rpt.Orgnl) != 1 {
		return nil, reportErr("need exactly one OrgnlGrpInfAndSts")
	}
	var r StatusReport
	var err error
	if r.MessageID, err = oneText(rpt.GrpHdr[0].MsgID, "GrpHdr/MsgId", 35); err != nil {
		return nil, err
	}
	created, err := oneText(rpt.GrpHdr[0].CreDtTm, "GrpHdr/CreDtTm", 64)
	if err != nil {
		return nil, err
	}
	if r.Created, err = parseDateTime(created); err != nil {
		return nil, err
	}
	og := rpt.Orgnl[0]
	if r.OriginalMessageID, err = oneText(og.OrgnlMsgID, "OrgnlMsgId", 35); err != nil {
		return nil, err
	}
	if r.OriginalMessageName, err = oneText(og.OrgnlMsgNmID, "OrgnlMsgNmId", 35); err != nil {
		return nil, err
	}
	if r.GroupStatus, err = optStatus(og.GrpSts, "GrpSts"); err != nil {
		return nil, err
	}
	if r.GroupReasons, err = reasons(og.StsRsnInf); err != nil {
		return nil, err
	}

	blocks := make(map[string]bool, len(rpt.PmtInf))
	txs := make(map[string]bool)
	for _, p := range rpt.PmtInf {
		var ps PaymentInfoStatus
		if ps.PaymentInfoID, err = oneText(p.OrgnlPmtInfID, "OrgnlPmtInfId", 35); err != nil {
			return nil, err
		}
		if blocks[ps.PaymentInfoID] {
			return nil, reportErr("a payment information block is listed twice")
		}
		blocks[ps.PaymentInfoID] = true
		if ps.Status, err = optStatus(p.PmtInfSts, "PmtInfSts"); err != nil {
			return nil, err
		}
		if ps.Reasons, err = reasons(p.StsRsnInf); err != nil {
			return nil, err
		}
		if err := covers(r.GroupStatus, ps.Status, "payment information block"); err != nil {
			return nil, err
		}
		r.PaymentInfos = append(r.PaymentInfos, ps)

		for _, x := range p.TxInfAndSts {
			t := TransactionStatus{PaymentInfoID: ps.PaymentInfoID}
			e2e, err := optText(x.OrgnlEndToEndID, "OrgnlEndToEndId", 35)
			if err != nil {
				return nil, err
			}
			instr, err := optText(x.OrgnlInstrID, "OrgnlInstrId", 35)
			if err != nil {
				return nil, err
			}
			switch {
			case e2e != "":
				t.EndToEndID = e2e
			case instr != "":
				t.EndToEndID = instr
			default:
				return nil, reportErr("a transaction has neither OrgnlEndToEndId nor OrgnlInstrId")
			}
			if txs[t.EndToEndID] {
				return nil, reportErr("a transaction is listed twice")
			}
			txs[t.EndToEndID] = true
			if t.Status, err = optStatus(x.TxSts, "TxSts"); err != nil {
				return nil, err
			}
			if t.Reasons, err = reasons(x.StsRsnInf); err != nil {
				return nil, err
			}
			if t.Status == "" {
				t.Status = ps.Status
			}
			if t.Status == "" {
				t.Status = r.GroupStatus
			}
			if t.Status == "" {
				return nil, reportErr("a transaction has no status at any level")
			}
			// Rejected as a duplicate for a reason of its own, of its block or
			// of the group: it belongs to a copy.
			t.duplicate = t.Status == StatusRJCT && (isDuplicateRejection(StatusRJCT, t.Reasons) ||
				isDuplicateRejection(ps.Status, ps.Reasons) || r.RejectedAsDuplicate())
			if err := covers(ps.Status, t.Status, "transaction"); err != nil {
				return nil, err
			}
			if err := covers(r.GroupStatus, t.Status, "transaction"); err != nil {
				return nil, err
			}
			r.Transactions = append(r.Transactions, t)
		}
	}
	return &r, nil
}

// covers refuses a child status whose outcome differs from a final (paid or
// failed) parent status: a rejected group cannot hold a settled transaction.
func covers(parent, child Status, what string) error {
	if parent == "" || child == "" || parent.Outcome() == Pending {
		return nil
	}
	if child.Outcome() != parent.Outcome() {
		return reportErr("a " + what + " contradicts the final status above it")
	}
	return nil
}

func reasons(in []yReason) ([]Reason, error) {
	var out []Reason
	for _, x := range in {
		var r Reason
		if len(x.Rsn) > 1 {
			return nil, reportErr("StsRsnInf has more than one Rsn")
		}
		if len(x.Rsn) == 1 {
			rsn := x.Rsn[0]
			if len(rsn.Cd)+len(rsn.Prtry) != 1 {
				return nil, reportErr("Rsn needs exactly one of Cd and Prtry")
			}
			var err error
			if len(rsn.Cd) == 1 {
				r.Code = xmlTrim(rsn.Cd[0])
				if !reasonCode(r.Code) {
					return nil, reportErr("a reason code is not 1 to 4 capital letters or digits")
				}
			} else if r.Proprietary, err = oneText(rsn.Prtry, "Rsn/Prtry", 35); err != nil {
				return nil, err
			}
		}
		for _, a := range x.AddtlInf {
			s, err := oneText([]string{a}, "AddtlInf", 105)
			if err != nil {
				return nil, err
			}
			r.AdditionalInfo = append(r.AdditionalInfo, s)
		}
		out = append(out, r)
	}
	return out, nil
}

// xmlTrim removes the white space XML allows around a value.
func xmlTrim(s string) string { return strings.Trim(s, " \t\r\n") }

// oneText returns the only value of v, trimmed, 1 to max characters.
func oneText(v []string, field string, max int) (string, error) {
	if len(v) != 1 {
		return "", reportErr("need exactly one " + field)
	}
	s := xmlTrim(v[0])
	if s == "" {
		return "", reportErr(field + " is empty")
	}
	if utf8.RuneCountInString(s) > max {
		return "", reportErr(fmt.Sprintf("%s is longer than %d characters", field, max))
	}
	return s, nil
}

// optText is oneText for an optional element: "" when absent.
func optText(v []string, field string, max int) (string, error) {
	if len(v) == 0 {
		return "", nil
	}
	return oneText(v, field, max)
}

func optStatus(v []string, field string) (Status, error) {
	if len(v) == 0 {
		return "", nil
	}
	if len(v) > 1 {
		return "", reportErr("more than one " + field)
	}
	s := xmlTrim(v[0])
	if len(s) != 4 {
		return "", reportErr(field + " is not four capital letters")
	}
	for i := 0; i < 4; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return "", reportErr(field + " is not four capital letters")
		}
	}
	return Status(s), nil
}

func reasonCode(s string) bool {
	if len(s) < 1 || len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

// parseDateTime parses an xs:dateTime: with a zone (Z or ±hh:mm) as given,
// without one as UTC.
func parseDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, nil
	}
	return time.Time{}, reportErr("GrpHdr/CreDtTm is not a date and time")
}
