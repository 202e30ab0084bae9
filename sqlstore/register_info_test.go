package sqlstore

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/bistand/bistand"
)

// The registers' information facts are checked like every other kind: the
// key names the person (and what the fact is about), the value has the
// documented shape and nothing else, and an empty list is a retraction,
// not a value.
func TestRegisterInfoFacts(t *testing.T) {
	reg := func(key string, kind bistand.FactKind, v string) FactInput {
		in := FactInput{Key: key, Kind: kind, Provenance: bistand.Register, Source: "X", Reference: "r"}
		if v != "" {
			in.Value = json.RawMessage(v)
		}
		return in
	}
	good := []FactInput{
		reg("vehicle:p1:ABC123", bistand.FactVehicle, `{"person":"p1","regnr":"ABC123","make":"Volvo","model":"V70","kind":"PERSONBIL","year":2012}`),
		reg("permit:p1", bistand.FactPermit, `{"person":"p1","permits":[{"case_type":"UAT","decision_code":"BEV","decision_type":"TUT","applied_on":"2023-01-01","decided_on":"2023-04-01","from":"2023-04-01","to":"2025-04-01","validity":"TIDBEGRANSAT"}]}`),
		reg("tax:p1", bistand.FactTax, `{"person":"p1","capital_income":[{"tax_year":2025,"income":1234.50,"surplus":-10}]}`),
		reg("csn:p1", bistand.FactCSN, `{"person":"p1","result_code":"0","kinds":{"studiemedel":"1"},"cases":[{"kind":"Studiemedel","number":"1","form":"GRUND","status":"BESLUTAD","granted":[{"from":"2024-01-01","to":"2026-06-28","pace":"100","total":120000}]}]}`),
		reg("fund:p1", bistand.FactFund, `{"person":"p1","funds":[{"name":"Demokassan","status":"OK","suspensions":[{"from":"2026-01-01","to":"2026-01-10"}],"payment_applied":true}]}`),
		reg("planned_payments:p1:FK", bistand.FactPlannedPayments, `{"person":"p1","source":"FK","payments":[{"benefit":"BOB","reference":"FK:BOB:x","paid_on":"2026-11-26","from":"2026-11-01","to":"2026-11-30","gross":1500,"tax":0,"net":1500}]}`),
		reg("benefit_decision:p1:PM:AP", bistand.FactBenefitDecision, `{"person":"p1","source":"PM","benefit":"AP","decisions":[{"id":"B1","decided_on":"2023-12-10","final":true,"status":"SLUTLIGT","outcome":"BIFALL","amounts":[{"kind":"IP","from":"2024-01-01","gross":9000,"frequency":"MANAD"}]}]}`),
		reg("benefit_decision:p1:FK:BOB", bistand.FactBenefitDecision, `{"person":"p1","source":"FK","benefit":"BOB","decisions":[{"final":false,"amounts":[{"kind":"BOB","from":"2024-01-01","to":"2024-01-31","gross":900,"frequency":"MANAD"}]}]}`),
		reg("vehicle:p1:ABC123", bistand.FactVehicle, ""), // a retraction
		reg("benefit_decision:p1:FK:BOB", bistand.FactBenefitDecision, ""),
	}
	for _, in := range good {
		if err := checkFactValue(in); err != nil {
			t.Errorf("%s: %v", in.Key, err)
		}
	}
	bad := []FactInput{
		reg("vehicle:p1:ABC123", bistand.FactVehicle, `{"person":"p2","regnr":"ABC123"}`),            // another person
		reg("vehicle:p1:ABC123", bistand.FactVehicle, `{"person":"p1","regnr":"XYZ999"}`),            // another vehicle
		reg("vehicle:p1", bistand.FactVehicle, `{"person":"p1","regnr":""}`),                         // no regnr
		reg("vehicle:", bistand.FactVehicle, `{"person":"","regnr":"A"}`),                            // no person
		reg("vehicles:p1:A", bistand.FactVehicle, `{"person":"p1","regnr":"A"}`),                     // wrong prefix
		reg("vehicle:p1:ABC123", bistand.FactVehicle, `{"person":"p1","regnr":"ABC123","colour":1}`), // unknown field
		reg("permit:p1", bistand.FactPermit, `{"person":"p1","permits":[]}`),                         // empty: retract instead
		reg("permit:p1:x", bistand.FactPermit, `{"person":"p1","permits":[{"case_type":"UAT"}]}`),    // extra key part
		reg("tax:p1", bistand.FactTax, `{"person":"p1","capital_income":[{"income":"many"}]}`),       // not an amount
		reg("csn:p1", bistand.FactCSN, `{"person":"p1","cases":[]}`),
		reg("fund:p1", bistand.FactFund, `{"person":"p1"}`),
		reg("planned_payments:p1:SO", bistand.FactPlannedPayments, `{"person":"p1","source":"SO","payments":[{"benefit":"ALE","reference":"r","paid_on":"2026-11-26","gross":1,"tax":0,"net":1}]}`),
		reg("planned_payments:p1:FK", bistand.FactPlannedPayments, `{"person":"p1","source":"PM","payments":[{"benefit":"AP","reference":"r","paid_on":"2026-11-26","gross":1,"tax":0,"net":1}]}`),
		reg("planned_payments:p1:FK", bistand.FactPlannedPayments, `{"person":"p1","source":"FK","payments":[{"benefit":"BOB","reference":"r","gross":1,"tax":0,"net":1}]}`),
		reg("benefit_decision:p1:BOB", bistand.FactBenefitDecision, `{"person":"p1","source":"FK","benefit":"BOB","decisions":[{"final":true,"amounts":[]}]}`),
		reg("benefit_decision:p1:FK:BOB", bistand.FactBenefitDecision, `{"person":"p1","source":"FK","benefit":"BOB","decisions":[{"final":true,"amounts":[{"from":"2024-02-01","to":"2024-01-31","gross":1}]}]}`),
		reg("benefit_decision:p1:FK:BOB", bistand.FactBenefitDecision, `{"person":"p1","source":"FK","benefit":"BOB","decisions":[]}`),
		reg("benefit_decision:p1 x:FK:BOB", bistand.FactBenefitDecision, ""),
	}
	for _, in := range bad {
		if err := checkFactValue(in); !errors.Is(err, bistand.ErrInvalid) {
			t.Errorf("%s %s: %v", in.Key, in.Value, err)
		}
	}
}
