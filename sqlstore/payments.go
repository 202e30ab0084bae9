package sqlstore

// Payments (docs/payments.md): payment orders from decisions, payment files
// made exactly once per municipality and pay date, and the bank's status
// reports.
//
// Exactly once, in short: an order is created in the transaction that
// records its decision; it is put into a file in the transaction that
// stores the file's bytes, so a file exists (and is returned again, byte for
// byte) exactly when its orders are marked in it; an order leaves "planned"
// once, and the database refuses to change its file afterwards (guards.go).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/municipality"
	"github.com/bistand/bistand/payment"
)

// --- the payout fact ---

// PayoutValue is the value of a payout fact (bistand.FactPayout): where a
// member of the household wants the assistance paid. The account holder's
// Name is what the payment file names the payee. SharePerMille, when the
// household is paid to two accounts, is each one's share (they add up to
// 1000); without it the amount is split equally.
type PayoutValue struct {
	PersonID      string        `json:"person_id"`
	Name          string        `json:"name"`
	Account       PayoutAccount `json:"account"`
	SharePerMille int           `json:"share_per_mille,omitempty"`
}

// PayoutAccount is a payout fact's account: {"kind": "bank_account",
// "clearing", "number"}, {"kind": "bankgiro", "number"} or {"kind": "iban",
// "number"}.
type PayoutAccount struct {
	Kind     string `json:"kind"`
	Clearing string `json:"clearing,omitempty"`
	Number   string `json:"number"`
}

// Account kinds of a payout fact and a payment order.
const (
	AccountBankgiro    = "bankgiro"
	AccountBankAccount = "bank_account"
	AccountIBAN        = "iban"
)

// PayoutKey is the key of a person's payout fact.
func PayoutKey(personID string) string { return "payout:" + personID }

// Parse validates the account with the payment package's parsers. Its
// errors never repeat the number.
func (a PayoutAccount) Parse() (payment.Account, error) {
	switch a.Kind {
	case AccountBankAccount:
		return payment.ParseBankAccount(a.Clearing, a.Number)
	case AccountBankgiro, AccountIBAN:
		if a.Clearing != "" {
			return payment.Account{}, fmt.Errorf("a %s has no clearing number", a.Kind)
		}
		if a.Kind == AccountBankgiro {
			return payment.ParseBankgiro(a.Number)
		}
		return payment.ParseIBAN(a.Number)
	}
	return payment.Account{}, fmt.Errorf("account kind must be %s, %s or %s", AccountBankAccount, AccountBankgiro, AccountIBAN)
}

// parsePayout decodes and validates a payout fact's value.
func parsePayout(key string, raw json.RawMessage) (PayoutValue, error) {
	var v PayoutValue
	if err := decodeStrictly(raw, &v); err != nil {
		return v, err
	}
	if v.PersonID == "" || key != PayoutKey(v.PersonID) {
		return v, fmt.Errorf("a payout needs person_id (also in the key)")
	}
	if err := payment.CheckPayeeName(v.Name); err != nil {
		return v, fmt.Errorf("the account holder's name: %v", err)
	}
	if _, err := v.Account.Parse(); err != nil {
		return v, err
	}
	if v.SharePerMille < 0 || v.SharePerMille > 1000 {
		return v, fmt.Errorf("share_per_mille is 1–1000")
	}
	return v, nil
}

// checkPayoutFact refuses a payout to anyone but an adult of the household.
func (w *wtx) checkPayoutFact(caseID string, in FactInput) error {
	if in.Kind != bistand.FactPayout || in.Value == nil {
		return nil
	}
	personID := strings.TrimPrefix(in.Key, "payout:")
	var role string
	err := w.QueryRowContext(w.ctx, "SELECT role FROM case_members WHERE case_id = $1 AND person_id = $2", caseID, personID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role == "child") {
		return fmt.Errorf("%w: a payout goes to an adult of the household", bistand.ErrInvalid)
	}
	return err
}

// --- municipalities ---

var municipalities sync.Map // id → municipalityEntry

type municipalityEntry struct {
	info municipality.Info
	err  error
}

// municipalityInfo returns a municipality's organisational data (its
// payment days and debtor), read once per process.
func municipalityInfo(id string) (municipality.Info, error) {
	if v, ok := municipalities.Load(id); ok {
		e := v.(municipalityEntry)
		return e.info, e.err
	}
	info, err := municipality.Get(id)
	municipalities.Store(id, municipalityEntry{info, err})
	return info, err
}

// debtor is the municipality as the payer of its files.
func debtor(info municipality.Info) (payment.Debtor, error) {
	acc, err := payment.ParseBankgiro(info.Payments.Bankgiro)
	if err != nil {
		return payment.Debtor{}, fmt.Errorf("municipality %s: bankgiro: %w", info.ID, err)
	}
	return payment.Debtor{Name: info.Payments.DebtorName, OrgNumber: info.Payments.OrgNumber, Account: acc, BIC: info.Payments.BIC}, nil
}

// --- payment orders from decisions ---

const paymentOrderColumns = "id, decision_id, application_id, case_id, person_id, payee_name, account_kind, account, amount_ore, remittance, pay_date, municipality, status, file_id, status_reason, created_at, updated_at"

// payee is one payout fact in force.
type payee struct {
	v       PayoutValue
	account payment.Account
}

// planPayments turns a decision, in the transaction that records it, into
// payment orders: what it grants minus what earlier decisions on the
// application already put into a file (or paid), to the payees of the
// payout facts in force, on the municipality's next pay date. A decision
// that replaces another first cancels the orders still planned. What
// cannot be paid (no payout fact, no payment data, more already sent than
// now granted) becomes a finding for a caseworker.
func (w *wtx) planPayments(a *bistand.Application, d bistand.Decision) error {
	if d.Replaces != "" {
		if err := w.cancelPlanned(a, "Ersatt av beslut "+d.ID); err != nil {
			return err
		}
	}
	var sent int64
	if err := w.QueryRowContext(w.ctx, "SELECT CAST(COALESCE(SUM(amount_ore), 0) AS BIGINT) FROM payment_orders WHERE application_id = $1 AND status IN ('in_file', 'paid')", a.ID).Scan(&sent); err != nil {
		return err
	}
	due := d.Amount
	if d.Outcome == bistand.OutcomeRejected {
		due = 0
	}
	rest := due - bistand.Money(sent)
	finding := func(kind bistand.FindingKind, text string, data map[string]any) error {
		data["decision_id"] = d.ID
		_, err := w.addFindings(a.ID, []FindingInput{{Kind: kind, Subject: d.ID, Text: text, Data: data}})
		return err
	}
	switch {
	case rest < 0:
		return finding(bistand.FindingPaymentOverpaid, fmt.Sprintf(
			"Det ändrade beslutet beviljar %s, men %s har redan skickats till banken eller betalats ut för ansökan. Mellanskillnaden %s kan inte dras tillbaka av bistand: pröva om den ska återkrävas eller räknas av.",
			due, bistand.Money(sent), -rest), map[string]any{"granted": due, "sent": bistand.Money(sent), "overpaid": -rest})
	case rest == 0:
		return nil
	}
	c, err := w.s.caseByID(w.ctx, w, a.CaseID)
	if err != nil {
		return err
	}
	info, err := municipalityInfo(c.Municipality)
	if errors.Is(err, bistand.ErrNotFound) {
		return finding(bistand.FindingPaymentNotConfigured, fmt.Sprintf(
			"Beslutet beviljar %s men kan inte betalas ut: kommunen %q har inga betalningsuppgifter (bankgiro och utbetalningsdagar) i bistand.", rest, c.Municipality),
			map[string]any{"amount": rest, "municipality": c.Municipality})
	}
	if err != nil {
		return err
	}
	payees, problem, err := w.payees(a.ID, c)
	if err != nil {
		return err
	}
	if problem != "" {
		return finding(bistand.FindingPaymentAccountMissing, fmt.Sprintf(
			"Beslutet beviljar %s men kan inte betalas ut: %s. Ta in betalningsuppgifter (konto och kontohavarens namn) och fatta ett ändrat beslut, så betalas beloppet ut.", rest, problem),
			map[string]any{"amount": rest})
	}
	shares := make([]int, len(payees))
	for i, p := range payees {
		shares[i] = p.v.SharePerMille
	}
	amounts := splitShares(rest, shares)
	pay := info.Payments.NextPayDate(bistand.DateOf(d.DecidedAt))
	for i, p := range payees {
		if amounts[i] <= 0 {
			continue
		}
		o := bistand.PaymentOrder{
			ID: bistand.NewID("pay", w.now), DecisionID: d.ID, ApplicationID: a.ID, CaseID: a.CaseID, PersonID: p.v.PersonID,
			PayeeName: p.v.Name, AccountKind: p.v.Account.Kind, Account: p.account.Identifier(), Amount: amounts[i],
			Remittance: "Ekonomiskt bistånd " + a.Month.String(), PayDate: pay, Municipality: c.Municipality,
		}
		if err := w.insert("payment_orders", a.CaseID, "", "INSERT INTO payment_orders ("+paymentOrderColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'planned', NULL, '', $13, $13)",
			o.ID, o.DecisionID, o.ApplicationID, o.CaseID, o.PersonID, o.PayeeName, o.AccountKind, o.Account, int64(o.Amount), o.Remittance,
			o.PayDate.String(), o.Municipality, w.at); err != nil {
			return err
		}
	}
	return nil
}

// payees returns the payout facts in force on an application, in the
// order of the case's members; or, in Swedish, why they cannot be paid.
func (w *wtx) payees(appID string, c bistand.Case) ([]payee, string, error) {
	all, err := facts(w.ctx, w, appID)
	if err != nil {
		return nil, "", err
	}
	var out []payee
	for _, f := range Effective(all) {
		if f.Kind != bistand.FactPayout {
			continue
		}
		v, err := parsePayout(f.Key, f.Value)
		if err != nil {
			return nil, "betalningsuppgifterna går inte att använda (" + err.Error() + ")", nil
		}
		acc, _ := v.Account.Parse()
		out = append(out, payee{v, acc})
	}
	if len(out) == 0 {
		return nil, "hushållet har inte angett något konto för utbetalning", nil
	}
	position := map[string]int{}
	for i, m := range c.Members {
		if m.Role != "child" {
			position[m.PersonID] = i + 1
		}
	}
	for _, p := range out {
		if position[p.v.PersonID] == 0 {
			return nil, "betalningsuppgifterna gäller någon som inte är vuxen i hushållet", nil
		}
	}
	slices.SortFunc(out, func(x, y payee) int { return position[x.v.PersonID] - position[y.v.PersonID] })
	given, sum := 0, 0
	for _, p := range out {
		if p.v.SharePerMille > 0 {
			given++
			sum += p.v.SharePerMille
		}
	}
	switch {
	case given == 0:
	case given != len(out) || sum != 1000:
		return nil, "andelarna i betalningsuppgifterna (share_per_mille) är inte angivna för alla eller blir inte 1000 tillsammans", nil
	}
	return out, "", nil
}

// splitShares divides total between payees with the given shares per
// mille (all 0: equally), to the öre: equal shares with payment.Split,
// others rounded down with the öre left over one each to the first.
func splitShares(total bistand.Money, shares []int) []bistand.Money {
	equal := true
	for _, s := range shares {
		equal = equal && s == shares[0]
	}
	if equal {
		return payment.Split(total, len(shares))
	}
	out := make([]bistand.Money, len(shares))
	left := total
	for i, s := range shares {
		out[i] = total * bistand.Money(s) / 1000 // at most 10^15 × 1000: fits
		left -= out[i]
	}
	for i := 0; left > 0; i++ {
		out[i%len(out)]++
		left--
	}
	return out
}

// cancelPlanned cancels the application's orders that are still planned.
// An order a concurrent file took meanwhile is left alone (and counted as
// sent by the caller, which reads after this).
func (w *wtx) cancelPlanned(a *bistand.Application, reason string) error {
	rows, err := w.QueryContext(w.ctx, "SELECT id FROM payment_orders WHERE application_id = $1 AND status = 'planned' ORDER BY id", a.ID)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		before, err := rowHash(w.ctx, w, "payment_orders", id)
		if err != nil {
			return err
		}
		res, err := w.ExecContext(w.ctx, "UPDATE payment_orders SET status = 'cancelled', status_reason = $1, updated_at = $2 WHERE id = $3 AND status = 'planned'", reason, w.at, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // in a file now
		}
		if err := w.audit(ActionUpdate, "payment_orders", id, a.CaseID, reason, before); err != nil {
			return err
		}
	}
	return nil
}

// --- payment files ---

// ErrNothingToPay is returned by PaymentFile when no file exists for the
// date and no order is planned for it. It wraps bistand.ErrNotFound.
var ErrNothingToPay = fmt.Errorf("%w: no payment order is planned for the date", bistand.ErrNotFound)

// PaymentFileID is the MsgId of a municipality's file for a pay date:
// "BST", the date as YYYYMMDD, "-" and the municipality's id (or, if that is
// longer than 14 characters or holds anything but a–z, 0–9 and "-", "h" and
// 13 letters of its hash): at most 26 characters, unique per municipality
// and date, and the same every time it is asked for.
func PaymentFileID(municipalityID string, date bistand.Date) string {
	code := municipalityID
	ok := len(code) > 0 && len(code) <= 14
	for i := 0; i < len(code) && ok; i++ {
		c := code[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
	}
	if !ok {
		sum := sha256.Sum256([]byte(municipalityID))
		b := []byte{'h'}
		for _, x := range sum[:7] {
			b = append(b, 'a'+x>>4, 'a'+x&0xf)
		}
		code = string(b[:14])
	}
	d := date.String()
	return "BST" + d[0:4] + d[5:7] + d[8:10] + "-" + code
}

// pain001Name is the message name a status report gives for our files.
const pain001Name = "pain.001.001.10"

const paymentFileColumns = "id, municipality, pay_date, created_at, sha256, n, ctrl_sum, content, status, updated_at"

func scanPaymentFile(row interface{ Scan(...any) error }) (bistand.PaymentFile, error) {
	var f bistand.PaymentFile
	var date, created, updated string
	var n, sum int64
	if err := row.Scan(&f.ID, &f.Municipality, &date, &created, &f.SHA256, &n, &sum, &f.Content, &f.Status, &updated); err != nil {
		return f, err
	}
	f.PayDate, _ = bistand.ParseDate(date)
	f.CreatedAt, f.Orders, f.Sum = parseTime(created), int(n), bistand.Money(sum)
	return f, nil
}

func paymentFileWhere(ctx context.Context, q queryer, where string, args ...any) (bistand.PaymentFile, error) {
	f, err := scanPaymentFile(q.QueryRowContext(ctx, "SELECT "+paymentFileColumns+" FROM payment_files WHERE "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return f, notFound("payment file", "")
	}
	return f, err
}

// PaymentFileByID returns a stored payment file by its id (MsgId).
func (s *Store) PaymentFileByID(ctx context.Context, id string) (bistand.PaymentFile, error) {
	return paymentFileWhere(ctx, s.r(), "id = $1", id)
}

// PaymentFile returns the payment file of a municipality's pay date,
// making it if there is none yet (created true). Making it is one
// transaction: every order of the municipality still planned for the date
// or earlier is written into a pain.001 (executed on date, created at
// created), the file's bytes and hash are stored, and the orders are marked
// as in the file. So a crash before the commit leaves every order planned
// and no file, and after it the file exists with its orders: asked again,
// PaymentFile returns the stored file, byte for byte, and an order is
// never put into a second file. Orders planned after a date's file was made
// go into the next date's file. With nothing to pay and no file, the error
// is ErrNothingToPay.
func (s *Store) PaymentFile(ctx context.Context, actor bistand.Actor, municipalityID string, date bistand.Date, created time.Time) (bistand.PaymentFile, bool, error) {
	if actor.Kind != bistand.ActorSystem && actor.Kind != bistand.ActorCaseworker {
		return bistand.PaymentFile{}, false, fmt.Errorf("%w: %s does not make payment files", bistand.ErrForbidden, actor.Kind)
	}
	if date.IsZero() || created.IsZero() {
		return bistand.PaymentFile{}, false, fmt.Errorf("%w: a payment file needs a date and a creation time", bistand.ErrInvalid)
	}
	// CreDtTm to the second, in UTC: what is stored is what is written.
	created = created.UTC().Truncate(time.Second)
	for attempt := 0; ; attempt++ {
		f, err := paymentFileWhere(ctx, s.r(), "municipality = $1 AND pay_date = $2", municipalityID, date.String())
		if err == nil {
			return f, false, nil
		}
		if !errors.Is(err, bistand.ErrNotFound) {
			return f, false, err
		}
		if date.Before(bistand.DateOf(created)) {
			return f, false, fmt.Errorf("%w: the pay date %s has passed", bistand.ErrInvalid, date)
		}
		info, err := municipalityInfo(municipalityID)
		if err != nil {
			return f, false, err
		}
		deb, err := debtor(info)
		if err != nil {
			return f, false, err
		}
		var made, existing bistand.PaymentFile
		err = s.write(ctx, actor, func(w *wtx) error {
			var err error
			made, existing, err = w.makePaymentFile(municipalityID, date, created, deb)
			return err
		})
		switch {
		case err == nil && existing.ID != "":
			return existing, false, nil
		case err == nil:
			if s.failpoint != nil {
				if err := s.failpoint("payment-file:committed"); err != nil {
					return bistand.PaymentFile{}, false, err
				}
			}
			return made, true, nil
		case errors.Is(err, bistand.ErrConflict) && attempt < 10:
			// Another process made the file, or took or cancelled one of
			// the orders, meanwhile: look again.
			continue
		case errors.Is(err, ErrNothingToPay):
			// On PostgreSQL each statement sees what was committed when it
			// began: another process may have committed the file (and so
			// taken every planned order) between this transaction's look
			// for a file and its look for orders. That file is the answer.
			if f, ferr := paymentFileWhere(ctx, s.r(), "municipality = $1 AND pay_date = $2", municipalityID, date.String()); ferr == nil {
				return f, false, nil
			}
		}
		return bistand.PaymentFile{}, false, err
	}
}

// makePaymentFile makes and stores the file inside w; if one exists for
// the date already (made since the caller looked), it returns that as
// existing and changes nothing.
func (w *wtx) makePaymentFile(municipalityID string, date bistand.Date, created time.Time, deb payment.Debtor) (made, existing bistand.PaymentFile, err error) {
	existing, err = paymentFileWhere(w.ctx, w, "municipality = $1 AND pay_date = $2", municipalityID, date.String())
	if err == nil || !errors.Is(err, bistand.ErrNotFound) {
		return made, existing, err
	}
	existing = bistand.PaymentFile{}
	orders, err := queryOrders(w.ctx, w, "municipality = $1 AND status = 'planned' AND pay_date <= $2 ORDER BY id", municipalityID, date.String())
	if err != nil {
		return made, existing, err
	}
	if len(orders) == 0 {
		return made, existing, ErrNothingToPay
	}
	id := PaymentFileID(municipalityID, date)
	po := make([]payment.Order, len(orders))
	var sum bistand.Money
	for i, o := range orders {
		acc, err := o.account()
		if err != nil {
			return made, existing, fmt.Errorf("payment order %s: %w", o.ID, err)
		}
		po[i] = payment.Order{ID: o.ID, Amount: o.Amount, PayeeName: o.PayeeName, Payee: acc, Remittance: o.Remittance, ExecutionDate: date}
		sum += o.Amount
	}
	var buf bytes.Buffer
	if err := payment.WritePain001(&buf, id, created, deb, po); err != nil {
		return made, existing, fmt.Errorf("payment file %s: %w", id, err)
	}
	hash := sha256.Sum256(buf.Bytes())
	made = bistand.PaymentFile{ID: id, Municipality: municipalityID, PayDate: date, CreatedAt: created, SHA256: hex.EncodeToString(hash[:]),
		Orders: len(orders), Sum: sum, Content: buf.Bytes(), Status: bistand.PaymentFileCreated}
	if err := w.insert("payment_files", "", "", "INSERT INTO payment_files ("+paymentFileColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
		made.ID, municipalityID, date.String(), fmtTime(created), made.SHA256, int64(made.Orders), int64(sum), made.Content, made.Status, w.at); err != nil {
		return made, existing, err
	}
	// The orders read above, and only they, go into the file, by id: on
	// PostgreSQL an order cancelled or taken by another file since it was
	// read makes the count differ, and the caller tries again.
	if err := w.markInFile(orders, id); err != nil {
		return made, existing, err
	}
	for _, o := range orders {
		w.auditHashed("payment_orders", o.ID, o.CaseID, "", o.hash(), o.hashWith(bistand.PaymentInFile, id, o.StatusReason, w.at))
	}
	if w.s.failpoint != nil {
		if err := w.s.failpoint("payment-file:built"); err != nil {
			return made, existing, err
		}
	}
	return made, existing, nil
}

// markInFile marks the orders as in file id, in statements of up to 500
// ids, each order only if it is still planned; if any is not, the error is
// ErrConflict.
func (w *wtx) markInFile(orders []storedOrder, id string) error {
	const chunk = 500
	for lo := 0; lo < len(orders); lo += chunk {
		part := orders[lo:min(lo+chunk, len(orders))]
		var q strings.Builder
		q.WriteString("UPDATE payment_orders SET status = 'in_file', file_id = $1, updated_at = $2 WHERE status = 'planned' AND id IN (")
		args := []any{id, w.at}
		for i, o := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			args = append(args, o.ID)
			fmt.Fprintf(&q, "$%d", len(args))
		}
		q.WriteString(")")
		res, err := w.ExecContext(w.ctx, q.String(), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != int64(len(part)) {
			return fmt.Errorf("%w: payment orders changed meanwhile (%d of %d still planned)", bistand.ErrConflict, n, len(part))
		}
	}
	return nil
}

// account parses an order's stored account again.
func (o storedOrder) account() (payment.Account, error) {
	switch o.AccountKind {
	case AccountBankAccount:
		if len(o.Account) < 5 {
			return payment.Account{}, fmt.Errorf("stored bank account too short")
		}
		return payment.ParseBankAccount(o.Account[:4], o.Account[4:])
	case AccountBankgiro:
		return payment.ParseBankgiro(o.Account)
	case AccountIBAN:
		return payment.ParseIBAN(o.Account)
	}
	return payment.Account{}, fmt.Errorf("unknown account kind %q", o.AccountKind)
}

// storedOrder is an order as read, with its row's text as stored, so that
// its audit hash can be computed without reading the row again.
type storedOrder struct {
	bistand.PaymentOrder
	rawDate, rawCreated, rawUpdated string
}

// hashWith returns the order's row hash (as rowHash would read it) with
// status, file, reason and update time as given.
func (o storedOrder) hashWith(status bistand.PaymentStatus, file, reason, updated string) string {
	var fileID any
	if file != "" {
		fileID = file
	}
	return auditedTableNamed("payment_orders").hashRow([]any{o.ID, o.DecisionID, o.ApplicationID, o.CaseID, o.PersonID, o.PayeeName, o.AccountKind, o.Account,
		int64(o.Amount), o.Remittance, o.rawDate, o.Municipality, string(status), fileID, reason, o.rawCreated, updated})
}

// hash is the order's row hash as read.
func (o storedOrder) hash() string {
	return o.hashWith(o.Status, o.FileID, o.StatusReason, o.rawUpdated)
}

// auditHashed records a change whose row hashes the caller computed from
// the values it read and wrote (Verify checks them like any other).
func (w *wtx) auditHashed(entity, id, caseID, reason, before, after string) {
	k, a := actorOf(w.actor)
	w.events = append(w.events, event{At: w.at, ActorKind: k, ActorID: a, Action: ActionUpdate, Entity: entity, EntityID: id,
		CaseID: caseID, Reason: reason, BeforeHash: before, AfterHash: after})
}

func queryOrders(ctx context.Context, q queryer, where string, args ...any) ([]storedOrder, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+paymentOrderColumns+" FROM payment_orders WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedOrder
	for rows.Next() {
		var o storedOrder
		var amount int64
		var status string
		var file sql.NullString
		if err := rows.Scan(&o.ID, &o.DecisionID, &o.ApplicationID, &o.CaseID, &o.PersonID, &o.PayeeName, &o.AccountKind, &o.Account, &amount, &o.Remittance,
			&o.rawDate, &o.Municipality, &status, &file, &o.StatusReason, &o.rawCreated, &o.rawUpdated); err != nil {
			return nil, err
		}
		o.Amount, o.Status, o.FileID = bistand.Money(amount), bistand.PaymentStatus(status), file.String
		o.PayDate, _ = bistand.ParseDate(o.rawDate)
		o.CreatedAt, o.UpdatedAt = parseTime(o.rawCreated), parseTime(o.rawUpdated)
		out = append(out, o)
	}
	return out, rows.Err()
}

// PaymentOrderFilter selects payment orders; empty fields select all.
type PaymentOrderFilter struct {
	ApplicationID string
	DecisionID    string
	FileID        string
	Municipality  string
	Status        bistand.PaymentStatus
}

// PaymentOrders returns the payment orders the filter selects, by id.
func (s *Store) PaymentOrders(ctx context.Context, f PaymentOrderFilter) ([]bistand.PaymentOrder, error) {
	var where []string
	var args []any
	add := func(col, v string) {
		if v != "" {
			args = append(args, v)
			where = append(where, fmt.Sprintf("%s = $%d", col, len(args)))
		}
	}
	add("application_id", f.ApplicationID)
	add("decision_id", f.DecisionID)
	add("file_id", f.FileID)
	add("municipality", f.Municipality)
	add("status", string(f.Status))
	if len(where) == 0 {
		where = append(where, "1 = 1")
	}
	stored, err := queryOrders(ctx, s.r(), strings.Join(where, " AND ")+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	out := make([]bistand.PaymentOrder, len(stored))
	for i, o := range stored {
		out[i] = o.PaymentOrder
	}
	return out, nil
}

// PlannedPayDates returns the pay dates that have planned orders in a
// municipality, in order.
func (s *Store) PlannedPayDates(ctx context.Context, municipalityID string) ([]bistand.Date, error) {
	rows, err := s.r().QueryContext(ctx, "SELECT DISTINCT pay_date FROM payment_orders WHERE municipality = $1 AND status = 'planned' ORDER BY pay_date", municipalityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bistand.Date
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		d, err := bistand.ParseDate(s)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// --- status reports ---

// PaymentImport is what importing a status report did.
type PaymentImport struct {
	Report string `json:"report"` // the report's MsgId
	File   string `json:"file"`   // the payment file (MsgId) it is about
	// Paid and Failed count the orders this import marked; Unchanged those
	// the report confirms as they already were; Pending those of the file
	// still waiting for an outcome.
	Paid      int `json:"paid"`
	Failed    int `json:"failed"`
	Unchanged int `json:"unchanged"`
	Pending   int `json:"pending"`
	// Unknown lists what the report names that bistand does not know: the
	// original message, or EndToEndIds not in it. Nothing is changed for them.
	Unknown []string `json:"unknown,omitempty"`
	// Refused lists orders whose final status (paid or failed) the report
	// contradicts: left as they were, with a finding for a caseworker.
	Refused []string `json:"refused,omitempty"`
	// WholeMessageRejected: the bank rejected the file; every order in it
	// failed. RejectedAsDuplicate: the bank rejected a copy of a file it
	// already has; that says nothing about the orders and changes nothing.
	WholeMessageRejected bool `json:"whole_message_rejected,omitempty"`
	RejectedAsDuplicate  bool `json:"rejected_as_duplicate,omitempty"`
	// ApplicationsPaid counts applications that became paid: every order
	// of their decision paid.
	ApplicationsPaid int `json:"applications_paid"`
}

// ImportPaymentStatus reads a bank's pain.002 status report and records
// what it says about the orders of the file it answers, in one
// transaction: settled orders become paid; rejected ones failed, with the
// reason and a finding for a caseworker on the application; pending ones
// stay as they are. An application whose every order is paid becomes paid.
// Importing the same report again changes nothing. Unknown ids are
// reported, not an error; a report that would move a paid order to failed
// or back is refused for that order and reported. A rejection of the whole
// message fails every order in the file; a rejection as a duplicate (DU01–
// DU05) changes nothing (docs/payments.md). Only the system imports.
func (s *Store) ImportPaymentStatus(ctx context.Context, actor bistand.Actor, r io.Reader) (PaymentImport, error) {
	var sum PaymentImport
	if actor.Kind != bistand.ActorSystem {
		return sum, fmt.Errorf("%w: the system imports the bank's status reports", bistand.ErrForbidden)
	}
	rep, err := payment.ParsePain002(r)
	if err != nil {
		return sum, fmt.Errorf("%w: %v", bistand.ErrInvalid, err)
	}
	err = s.write(ctx, actor, func(w *wtx) error {
		sum = PaymentImport{Report: rep.MessageID, File: rep.OriginalMessageID,
			WholeMessageRejected: rep.WholeMessageRejected(), RejectedAsDuplicate: rep.RejectedAsDuplicate()}
		return w.importStatus(rep, &sum)
	})
	return sum, err
}

func (w *wtx) importStatus(rep *payment.StatusReport, sum *PaymentImport) error {
	f, err := paymentFileWhere(w.ctx, w, "id = $1", rep.OriginalMessageID)
	if errors.Is(err, bistand.ErrNotFound) || (err == nil && rep.OriginalMessageName != pain001Name) {
		sum.Unknown = append(sum.Unknown, rep.OriginalMessageID)
		return nil
	}
	if err != nil {
		return err
	}
	orders, err := queryOrders(w.ctx, w, "file_id = $1 ORDER BY id", f.ID)
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(orders))
	for _, o := range orders {
		known[o.ID] = true
	}
	for _, t := range rep.Transactions {
		if !known[t.EndToEndID] {
			sum.Unknown = append(sum.Unknown, t.EndToEndID)
		}
	}
	block := payment.PaymentInfoID(f.ID, f.PayDate)
	paidApps := map[string]bool{}
	final := 0
	for _, o := range orders {
		outcome, ok := rep.Outcome(o.ID, block)
		if !ok || outcome == payment.Pending {
			if o.Status == bistand.PaymentInFile {
				sum.Pending++
			} else {
				final++
			}
			continue
		}
		want := bistand.PaymentPaid
		if outcome == payment.Failed {
			want = bistand.PaymentFailed
		}
		switch o.Status {
		case want:
			sum.Unchanged++
			final++
			continue
		case bistand.PaymentPaid, bistand.PaymentFailed:
			sum.Refused = append(sum.Refused, o.ID)
			final++
			if _, err := w.addFindings(o.ApplicationID, []FindingInput{{Kind: bistand.FindingPaymentReportConflict, Subject: o.ID,
				Text: fmt.Sprintf("Bankens statusrapport %s säger att utbetalningen %s (%s, fil %s) är %s, men den är redan registrerad som %s. Ingenting har ändrats: kontrollera med banken vad som gäller.",
					rep.MessageID, o.ID, o.Amount, f.ID, swedishStatus(want), swedishStatus(o.Status)),
				Data: map[string]any{"order_id": o.ID, "file_id": f.ID, "report": rep.MessageID, "reported": want, "recorded": o.Status}}}); err != nil {
				return err
			}
			continue
		}
		reason := ""
		if want == bistand.PaymentFailed {
			reason = failureReason(rep, o.ID, block)
		}
		res, err := w.ExecContext(w.ctx, "UPDATE payment_orders SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4 AND status = 'in_file'",
			string(want), reason, w.at, o.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: payment order %s changed meanwhile", bistand.ErrConflict, o.ID)
		}
		w.auditHashed("payment_orders", o.ID, o.CaseID, "status report "+rep.MessageID, o.hash(), o.hashWith(want, o.FileID, reason, w.at))
		final++
		if want == bistand.PaymentPaid {
			sum.Paid++
			paidApps[o.ApplicationID] = true
			continue
		}
		sum.Failed++
		if _, err := w.addFindings(o.ApplicationID, []FindingInput{{Kind: bistand.FindingPaymentFailed, Subject: o.ID,
			Text: fmt.Sprintf("Utbetalningen av %s (%s, fil %s, betaldag %s) till %s som slutar på %s gick inte igenom: %s. Kontrollera betalningsuppgifterna med hushållet; en ny utbetalning görs genom ett ändrat beslut.",
				o.Amount, o.ID, f.ID, f.PayDate, accountNoun(o.AccountKind), lastDigits(o.Account), reason),
			Data: map[string]any{"order_id": o.ID, "file_id": f.ID, "report": rep.MessageID, "amount": o.Amount, "reason": reason}}}); err != nil {
			return err
		}
	}
	status := f.Status
	switch {
	case sum.WholeMessageRejected:
		status = bistand.PaymentFileRejected
	case final == len(orders):
		status = bistand.PaymentFileSettled
	}
	if f.Status == bistand.PaymentFileCreated && status != f.Status {
		before, err := rowHash(w.ctx, w, "payment_files", f.ID)
		if err != nil {
			return err
		}
		if _, err := w.ExecContext(w.ctx, "UPDATE payment_files SET status = $1, updated_at = $2 WHERE id = $3", status, w.at, f.ID); err != nil {
			return err
		}
		if err := w.audit(ActionUpdate, "payment_files", f.ID, "", "status report "+rep.MessageID, before); err != nil {
			return err
		}
	}
	if len(paidApps) == 0 {
		return nil
	}
	// The applications of the file with nothing left planned or in a file
	// may now be paid in full.
	rows, err := w.QueryContext(w.ctx, `SELECT application_id FROM payment_orders
		WHERE application_id IN (SELECT application_id FROM payment_orders WHERE file_id = $1)
		GROUP BY application_id HAVING COUNT(CASE WHEN status IN ('planned', 'in_file') THEN 1 END) = 0 ORDER BY application_id`, f.ID)
	if err != nil {
		return err
	}
	var apps []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		if paidApps[id] {
			apps = append(apps, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range apps {
		ok, err := w.markPaid(id, rep.MessageID)
		if err != nil {
			return err
		}
		if ok {
			sum.ApplicationsPaid++
		}
	}
	return nil
}

// markPaid moves a decided application to paid when its decision in force
// is paid in full: nothing planned or in a file, and paid orders covering
// the amount.
func (w *wtx) markPaid(appID, report string) (bool, error) {
	a, err := w.lockedApp(appID)
	if err != nil || a.State != bistand.Decided {
		return false, err
	}
	var open int
	var paid int64
	if err := w.QueryRowContext(w.ctx, `SELECT COUNT(CASE WHEN status IN ('planned', 'in_file') THEN 1 END),
		CAST(COALESCE(SUM(CASE WHEN status = 'paid' THEN amount_ore ELSE 0 END), 0) AS BIGINT)
		FROM payment_orders WHERE application_id = $1`, appID).Scan(&open, &paid); err != nil {
		return false, err
	}
	if open > 0 {
		return false, nil
	}
	var amount int64
	if err := w.QueryRowContext(w.ctx, `SELECT amount_ore FROM decisions d WHERE application_id = $1
		AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.replaces = d.id)`, appID).Scan(&amount); err != nil {
		return false, err
	}
	if amount <= 0 || paid < amount {
		return false, nil
	}
	return true, w.transition(&a, bistand.Paid, "Utbetald enligt bankens statusrapport "+report+".", bistand.Date{})
}

// failureReason is why the report rejected an order: the first reason
// given for its transaction, else its block's, else the whole message's,
// as "CODE (meaning)". The bank's free text is not kept: it may repeat
// personal data.
func failureReason(rep *payment.StatusReport, orderID, block string) string {
	var reasons []payment.Reason
	for _, t := range rep.Transactions {
		if t.EndToEndID == orderID {
			reasons = t.Reasons
		}
	}
	if len(reasons) == 0 {
		for _, p := range rep.PaymentInfos {
			if p.PaymentInfoID == block {
				reasons = p.Reasons
			}
		}
	}
	if len(reasons) == 0 {
		reasons = rep.GroupReasons
	}
	for _, r := range reasons {
		switch {
		case r.Code != "":
			if m := payment.ReasonSwedish(r.Code); m != "" {
				return r.Code + " (" + m + ")"
			}
			return r.Code + " (okänd orsakskod)"
		case r.Proprietary != "":
			return "bankens egen kod " + r.Proprietary
		}
	}
	return "banken har inte angett orsak"
}

func swedishStatus(s bistand.PaymentStatus) string {
	switch s {
	case bistand.PaymentPaid:
		return "utbetald"
	case bistand.PaymentFailed:
		return "misslyckad"
	case bistand.PaymentInFile:
		return "skickad"
	case bistand.PaymentPlanned:
		return "planerad"
	case bistand.PaymentCancelled:
		return "återkallad"
	}
	return string(s)
}

func accountNoun(kind string) string {
	switch kind {
	case AccountBankgiro:
		return "bankgironummer"
	case AccountIBAN:
		return "IBAN"
	}
	return "bankkonto"
}

// lastDigits shows the end of an account number, never the whole.
func lastDigits(account string) string {
	if len(account) <= 4 {
		return "…"
	}
	return "…" + account[len(account)-4:]
}
