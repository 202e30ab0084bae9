package bistand

import "time"

// Payments: a decision that grants money becomes payment orders, which are
// put into the municipality's payment files (pain.001) and marked paid or
// failed from the bank's status reports (pain.002). docs/payments.md.

// PaymentStatus is where a payment order is. An order moves only
// planned → in_file → paid or failed, or planned → cancelled; the database
// refuses any other change.
type PaymentStatus string

// Payment order statuses.
const (
	PaymentPlanned   PaymentStatus = "planned"   // waiting for its pay date's file
	PaymentInFile    PaymentStatus = "in_file"   // in a payment file (sent, or about to be): never put in another
	PaymentPaid      PaymentStatus = "paid"      // the bank reports it settled
	PaymentFailed    PaymentStatus = "failed"    // the bank reports it rejected: a caseworker decides what follows
	PaymentCancelled PaymentStatus = "cancelled" // withdrawn before any file, by a decision that replaced its own
)

// Live reports whether an order in this status is, or may become, money
// paid: planned, in a file, or paid.
func (s PaymentStatus) Live() bool {
	return s == PaymentPlanned || s == PaymentInFile || s == PaymentPaid
}

// PaymentOrder is one payment of (part of) a decision's amount to one payee.
// Its ID is the payment's EndToEndId for good: it is written into exactly
// one payment file and comes back in the bank's status reports.
type PaymentOrder struct {
	ID            string // "pay-…", at most 35 characters
	DecisionID    string
	ApplicationID string
	CaseID        string
	PersonID      string // the payee, an adult of the household
	PayeeName     string
	// AccountKind is "bankgiro", "bank_account" or "iban"; Account is the
	// account as written in a payment file (bankgiro digits; clearing number
	// and account number; compact IBAN). Never logged.
	AccountKind  string
	Account      string
	Amount       Money
	Remittance   string // what the payee sees, "Försörjningsstöd 2026-11"
	PayDate      Date   // the payment day it is planned for
	Municipality string
	Status       PaymentStatus
	FileID       string // the payment file it is in, "" before
	StatusReason string // why it was cancelled or failed
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Payment file statuses.
const (
	PaymentFileCreated  = "created"  // made; waiting for the bank's answer
	PaymentFileRejected = "rejected" // the bank rejected the whole message: every order in it failed
	PaymentFileSettled  = "settled"  // every order in it is paid or failed
)

// PaymentFile is one pain.001 credit transfer file: a municipality's
// payments on one pay date, stored byte for byte with its hash. Its ID is
// the file's MsgId.
type PaymentFile struct {
	ID           string
	Municipality string
	PayDate      Date
	CreatedAt    time.Time // the file's CreDtTm
	SHA256       string    // of Content
	Orders       int
	Sum          Money
	Content      []byte
	Status       string
}

// Findings about payments, for a caseworker.
const (
	// FindingPaymentAccountMissing: a decision grants money but no payout
	// fact says where to pay it (or the shares do not add up).
	FindingPaymentAccountMissing FindingKind = "payment_account_missing"
	// FindingPaymentNotConfigured: the case's municipality has no payment
	// data (bankgiro, payment days) in bistand.
	FindingPaymentNotConfigured FindingKind = "payment_not_configured"
	// FindingPaymentOverpaid: a decision replaced one whose money had
	// already gone to the bank, with a lower amount.
	FindingPaymentOverpaid FindingKind = "payment_overpaid"
	// FindingPaymentFailed: the bank rejected a payment order.
	FindingPaymentFailed FindingKind = "payment_failed"
	// FindingPaymentReportConflict: a status report contradicts an order's
	// final status (paid reported failed, or the other way); nothing changed.
	FindingPaymentReportConflict FindingKind = "payment_report_conflict"
)
