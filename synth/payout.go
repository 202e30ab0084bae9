package synth

import (
	"fmt"
	"math/rand/v2"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/payment"
	"github.com/bistand/bistand/sqlstore"
)

// Payout accounts of synthetic households. They are made up: bank account
// numbers found by counting from a seed until payment.ParseBankAccount
// accepts one (valid clearing series and check digit), or
// payment.SyntheticBankgiro. Never derived from a personnummer. Any of them
// may exist in reality, so nothing may ever be paid to one.

// accountSeries are clearing series the synthetic accounts are drawn from,
// with the length of their account numbers: ordinary accounts (type 1) and
// the long type 2 numbers of Handelsbanken and Swedbank. Nordea's
// personkonto (3300, 3782), whose numbers are personnummer, is not among them.
var accountSeries = []struct {
	from, to int
	digits   int
}{
	{5000, 5999, 7},  // SEB
	{7000, 7999, 7},  // Swedbank
	{3000, 3299, 7},  // Nordea
	{6000, 6999, 9},  // Handelsbanken
	{8000, 8999, 10}, // Swedbank
}

// Account returns the synthetic account numbered seed: a bankgiro number
// for one seed in eight, a bank account otherwise. The same seed always
// gives the same account.
func Account(seed uint64) sqlstore.PayoutAccount {
	r := rand.New(rand.NewPCG(seed, 0x7061796f7574))
	if r.IntN(8) == 0 {
		return sqlstore.PayoutAccount{Kind: sqlstore.AccountBankgiro, Number: payment.SyntheticBankgiro(r.Uint64N(9_900_000)).Identifier()}
	}
	s := accountSeries[r.IntN(len(accountSeries))]
	clearing := fmt.Sprint(s.from + r.IntN(s.to-s.from+1))
	limit := uint64(1)
	for range s.digits {
		limit *= 10
	}
	start := r.Uint64N(limit)
	for k := uint64(0); ; k++ {
		number := fmt.Sprintf("%0*d", s.digits, (start+k)%limit)
		if _, err := payment.ParseBankAccount(clearing, number); err == nil {
			return sqlstore.PayoutAccount{Kind: sqlstore.AccountBankAccount, Clearing: clearing, Number: number}
		}
	}
}

// givenNames and familyNames name synthetic account holders.
var (
	givenNames  = []string{"Astrid", "Bertil", "Dagny", "Erland", "Frida", "Gunnar", "Hedda", "Ivar", "Jenny", "Kalle", "Linnea", "Måns", "Nora", "Olle", "Petra", "Rune", "Sigrid", "Tage", "Ulla", "Vilgot"}
	familyNames = []string{"Alm", "Berglund", "Dahlqvist", "Ek", "Forsgren", "Hägg", "Lind", "Nyström", "Sandberg", "Åkerlund", "Öhman"}
)

// syntheticName returns a made-up name for seed.
func syntheticName(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 0x6e616d65))
	return givenNames[r.IntN(len(givenNames))] + " " + familyNames[r.IntN(len(familyNames))]
}

// payoutFacts are a household's declared payout facts: the applicant's
// account; or, when split, an account for each adult with shares per mille
// (nil: equal halves).
func payoutFacts(adults []bistand.Person, names []string, seed uint64, split bool, shares []int) []sqlstore.FactInput {
	n := 1
	if split && len(adults) > 1 {
		n = 2
	}
	var out []sqlstore.FactInput
	for i := range n {
		v := sqlstore.PayoutValue{PersonID: adults[i].ID, Name: names[i], Account: Account(seed*2 + uint64(i))}
		if n == 2 && shares != nil {
			v.SharePerMille = shares[i]
		}
		out = append(out, declared(sqlstore.PayoutKey(adults[i].ID), bistand.FactPayout, v))
	}
	return out
}
