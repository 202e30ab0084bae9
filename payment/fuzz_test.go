package payment

// Fuzz tests of the parsers and of the writer's handling of text. Run longer
// with, for instance,
//
//	go test -run='^$' -fuzz='^FuzzParsePain002$' -fuzztime=50000x ./payment

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bistand/bistand"
)

// FuzzParsePain002 feeds ParsePain002 arbitrary documents, seeded with the
// example reports and hostile variants. It must never panic; it returns a
// report or an error wrapping ErrInvalidReport, never both; and a report it
// accepts is consistent: the identifiers it needs are there and within
// their limits, every transaction is listed once with a well-formed status,
// Outcome agrees with the transactions, and a rejected message fails every
// order.
func FuzzParsePain002(f *testing.F) {
	_, docs := reportFiles(f)
	for _, d := range docs {
		f.Add(d)
	}
	settled := string(docs[1])
	f.Add([]byte(strings.Replace(settled, "<Document", `<!DOCTYPE Document [<!ENTITY x "ACSC">]><Document`, 1)))
	f.Add([]byte(strings.Replace(settled, "pain.002.001.11", "pain.002.001.03", 1)))
	f.Add([]byte(minimal("<GrpSts>RJCT</GrpSts>", block("B1", "", txXML("a", "RJCT")))))
	f.Add([]byte(minimal("<GrpSts>PART</GrpSts>", block("B1", "PART", txXML("a", "ACSC")+txXML("b", "")))))
	f.Add([]byte(minimal("", "<SplmtryData><Envlp><x:a xmlns:x=\"urn:x\"/></Envlp></SplmtryData>")))
	f.Add([]byte(strings.Repeat("<a>", 50)))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, doc []byte) {
		r, err := ParsePain002(bytes.NewReader(doc))
		if (r == nil) == (err == nil) {
			t.Fatalf("report %v and error %v", r, err)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidReport) {
				t.Fatalf("error %v does not wrap ErrInvalidReport", err)
			}
			return
		}
		for _, s := range []string{r.MessageID, r.OriginalMessageID, r.OriginalMessageName} {
			if s == "" || utf8.RuneCountInString(s) > 35 {
				t.Fatalf("identifier %q empty or too long", s)
			}
		}
		if r.Created.IsZero() {
			t.Fatal("no creation time")
		}
		if r.GroupStatus != "" && !wellFormedStatus(r.GroupStatus) {
			t.Fatalf("group status %q", r.GroupStatus)
		}
		blocks := map[string]bool{}
		for _, p := range r.PaymentInfos {
			if p.PaymentInfoID == "" || blocks[p.PaymentInfoID] {
				t.Fatalf("payment information id %q empty or repeated", p.PaymentInfoID)
			}
			blocks[p.PaymentInfoID] = true
		}
		seen := map[string]bool{}
		for _, x := range r.Transactions {
			if x.EndToEndID == "" || utf8.RuneCountInString(x.EndToEndID) > 35 || seen[x.EndToEndID] {
				t.Fatalf("EndToEndId %q empty, too long or repeated", x.EndToEndID)
			}
			seen[x.EndToEndID] = true
			if !wellFormedStatus(x.Status) {
				t.Fatalf("transaction status %q", x.Status)
			}
			if !blocks[x.PaymentInfoID] {
				t.Fatalf("transaction in unknown block %q", x.PaymentInfoID)
			}
			if o, known := r.Outcome(x.EndToEndID, x.PaymentInfoID); known == x.RejectedAsDuplicate() || o != x.Outcome() {
				t.Fatalf("Outcome(%q) = %v %v, status %q", x.EndToEndID, o, known, x.Status)
			}
			if x.RejectedAsDuplicate() {
				if x.Status != StatusRJCT || x.Outcome() != Pending {
					t.Fatalf("%q rejected as a duplicate with status %q, outcome %v", x.EndToEndID, x.Status, x.Outcome())
				}
			} else if x.Outcome() != x.Status.Outcome() {
				t.Fatalf("%q: outcome %v for status %q", x.EndToEndID, x.Outcome(), x.Status)
			}
			for _, rs := range x.Reasons {
				if rs.Code != "" && rs.Proprietary != "" {
					t.Fatal("a reason with both a code and a proprietary reason")
				}
			}
		}
		if r.WholeMessageRejected() != (r.GroupStatus == StatusRJCT && !r.RejectedAsDuplicate()) {
			t.Fatal("WholeMessageRejected disagrees with the group status")
		}
		if r.RejectedAsDuplicate() {
			for _, x := range r.Transactions {
				if x.Outcome() == Paid {
					t.Fatalf("%q is paid in a copy rejected as a duplicate", x.EndToEndID)
				}
			}
			if o, known := r.Outcome("\x00not-listed", ""); o != Pending || known {
				t.Fatal("a copy rejected as a duplicate says something about an unlisted order")
			}
		}
		if r.WholeMessageRejected() {
			for _, x := range r.Transactions {
				if x.Outcome() != Failed && !x.RejectedAsDuplicate() {
					t.Fatalf("%q is %v in a rejected message", x.EndToEndID, x.Outcome())
				}
			}
			if o, known := r.Outcome("\x00not-listed", ""); o != Failed || !known {
				t.Fatal("an unlisted order of a rejected message is not failed")
			}
		}
	})
}

func wellFormedStatus(s Status) bool {
	if len(s) != 4 {
		return false
	}
	for i := range 4 {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// digitRun finds runs of digits long enough to be part of an account number.
var digitRun = regexp.MustCompile(`[0-9]{5,}`)

// checkAccountErr: errors wrap ErrInvalidAccount and never repeat digits of
// the input.
func checkAccountErr(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalidAccount) {
		t.Fatalf("error %v does not wrap ErrInvalidAccount", err)
	}
	if digitRun.MatchString(err.Error()) {
		t.Fatalf("error text holds a run of digits: %q", err.Error())
	}
}

// FuzzParseBankgiro: never panics; an accepted number is 7 or 8 digits with
// a valid check digit and survives its display form unchanged.
func FuzzParseBankgiro(f *testing.F) {
	for _, s := range []string{"123-4567", "1234-5678", "160-9908", SyntheticBankgiro(5).String(), SyntheticBankgiro(950_000).String(), "0123-4566", "", "-", "12 34 56 78"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseBankgiro(s)
		if err != nil {
			checkAccountErr(t, err)
			return
		}
		d := a.Identifier()
		if a.Kind() != KindBankgiro || (len(d) != 7 && len(d) != 8) || !luhnValid(d) || d[0] == '0' {
			t.Fatalf("accepted %q as %q", s, d)
		}
		if b, err := ParseBankgiro(a.String()); err != nil || b != a {
			t.Fatalf("%q does not survive its display form %q: %v", s, a.String(), err)
		}
	})
}

// FuzzParseBankAccount: never panics; an accepted account has a clearing
// number of a known bank, a BBAN of digits only and survives being parsed
// again from its parts.
func FuzzParseBankAccount(f *testing.F) {
	f.Add("5000", syntheticAccount("5000", 1))
	f.Add("8327-9", syntheticAccount("8327", 2))
	f.Add("6000", syntheticAccount("6000", 3))
	f.Add("3300", syntheticAccount("3300", 990_000_000))
	f.Add("9960", "12")
	f.Add("", "")
	f.Add("83279", "0")
	f.Fuzz(func(t *testing.T, clearing, number string) {
		a, err := ParseBankAccount(clearing, number)
		if err != nil {
			checkAccountErr(t, err)
			return
		}
		id := a.Identifier()
		if a.Kind() != KindBankAccount || a.Bank() == "" || len(id) < 11 || len(id) > 14 || strings.Trim(id, "0123456789") != "" {
			t.Fatalf("accepted (%q, %q) as %q at %q", clearing, number, id, a.Bank())
		}
		b, err := ParseBankAccount(a.Clearing(), a.Number())
		if err != nil || b.Identifier() != id || b.Bank() != a.Bank() {
			t.Fatalf("(%q, %q) does not survive being parsed from its parts: %v", clearing, number, err)
		}
	})
}

// FuzzParseIBAN: never panics; an accepted IBAN is SE and 22 digits with
// valid check digits and survives its display form.
func FuzzParseIBAN(f *testing.F) {
	f.Add(syntheticIBAN("99912345678901234567"))
	f.Add("se00 0000 0000 0000 0000 0000")
	f.Add("GB82WEST12345698765432")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseIBAN(s)
		if err != nil {
			checkAccountErr(t, err)
			return
		}
		id := a.Identifier()
		if len(id) != 24 || id[:2] != "SE" || strings.Trim(id[2:], "0123456789") != "" || ibanMod97([]byte(id)) != 1 {
			t.Fatalf("accepted %q as %q", s, id)
		}
		if b, err := ParseIBAN(a.String()); err != nil || b != a {
			t.Fatalf("%q does not survive its display form: %v", s, err)
		}
	})
}

// FuzzWritePain001Text gives the writer arbitrary ids, names and remittance
// texts: it refuses them with a *FieldError or writes a file that reads
// back with exactly the same text.
func FuzzWritePain001Text(f *testing.F) {
	f.Add("po-1", "Åsa & <Öberg>", "Försörjningsstöd 2026-11")
	f.Add("a//b", "\x00", "")
	f.Add("x", "]]>", "&amp;")
	f.Add("x", "\u2028", "\xff")
	f.Fuzz(func(t *testing.T, id, name, remittance string) {
		o := Order{ID: id, Amount: 100, PayeeName: name, Payee: SyntheticBankgiro(1), Remittance: remittance, ExecutionDate: bistand.MustDate(2026, 11, 25)}
		var buf bytes.Buffer
		err := WritePain001(&buf, demoMsgID, demoCreated, demoDebtor, []Order{o})
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FieldError", err)
			}
			if buf.Len() != 0 {
				t.Fatal("wrote output despite the error")
			}
			return
		}
		checkFile(t, readPain001(t, buf.Bytes()), []Order{o})
	})
}
