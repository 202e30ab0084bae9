// Package payment writes the municipality's payments as ISO 20022
// pain.001.001.10 credit transfer files and reads the bank's pain.002.001.11
// payment status reports.
//
// It is pure: no storage, no network, no clock. Dates and times are
// arguments, files are written to an io.Writer and reports read from an
// io.Reader, and the same input always gives the same bytes.
//
//   - Accounts: ParseBankgiro, ParseBankAccount and ParseIBAN validate a
//     payee's (or the municipality's) Swedish account; SyntheticBankgiro makes
//     valid made-up bankgiro numbers for tests and the demo.
//   - Files: WritePain001 writes the payment orders of one file, one payment
//     information block per execution date; Split divides an amount between
//     payees to the öre.
//   - Reports: ParsePain002 reads a status report into a StatusReport whose
//     statuses map to an Outcome: Paid, Failed or Pending.
//
// docs/payments.md describes the formats, the conventions of the Swedish
// banks' implementation guides that are followed (and which of them are
// verified), the status mapping, and how exactly-once payment rests on the
// payment order's stable ID.
package payment
