package payment

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bistand/bistand"
)

// TestCheckPayeeNameAgrees: CheckPayeeName accepts exactly the names
// WritePain001 accepts, so a name the store took never fails a file.
func TestCheckPayeeNameAgrees(t *testing.T) {
	debtor := Debtor{Name: "Demoköpings kommun", OrgNumber: "2120009994", Account: SyntheticBankgiro(0), BIC: "SWEDSESS"}
	for _, name := range []string{"Astrid Öhman", "A", strings.Repeat("Å", 70), strings.Repeat("a", 71), "", " Astrid", "Astrid ", "A\tB", "A\u2028B", "A\ufffdB", "Ä & <Ö>", "Ηλέκτρα"} {
		o := Order{ID: "p1", Amount: 100, PayeeName: name, Payee: SyntheticBankgiro(1), ExecutionDate: bistand.MustDate(2026, 12, 7)}
		werr := WritePain001(io.Discard, "M1", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), debtor, []Order{o})
		cerr := CheckPayeeName(name)
		if (werr == nil) != (cerr == nil) {
			t.Errorf("%q: CheckPayeeName %v, WritePain001 %v", name, cerr, werr)
		}
	}
}

func TestReasonSwedish(t *testing.T) {
	if ReasonSwedish("AC04") != "kontot är avslutat" || ReasonSwedish("AC01") == "" || ReasonSwedish("XX99") != "" {
		t.Error("reason meanings")
	}
	for code := range reasonsSwedish {
		if !reasonCode(code) {
			t.Errorf("%q is not a reason code", code)
		}
	}
}
