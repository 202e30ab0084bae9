package payment

import "sort"

// clearingRange is one row of Bankgirot's table "Bankernas kontonummer"
// (Bankgirocentralen BGC AB, https://www.bankgirot.se/globalassets/dokument/
// anvandarmanualer/bankernaskontonummeruppbyggnad_anvandarmanual_sv.pdf):
// a series of clearing numbers, the bank, the account number type and the
// "comment" that says how the check digit is computed.
//
//   - Type 1, comment 1: 7-digit account number; mod 11 over the last three
//     digits of the clearing number and the account number.
//   - Type 1, comment 2: 7-digit account number; mod 11 over the whole
//     clearing number and the account number.
//   - Type 2, comment 1: 10-digit account number; mod 10 over it.
//   - Type 2, comment 2: 9-digit account number (Handelsbanken); mod 11 over it.
//   - Type 2, comment 3: 10-digit account number; mod 10 over it (Swedbank
//     8xxx and Plusgirot's bank accounts).
//
// The rows are the union of two independent transcriptions of that document
// (joakimengqvist/swedish-bank-account-validator, dist/data/banks.ts, and
// swantzter/kontonummer, lib/banks.ts), not read from the PDF itself: see
// docs/payments.md. A range present in only one of them is kept, so a bank
// that has left the clearing may still be accepted here (its bank will then
// refuse the payment) and one that has joined since may be refused.
type clearingRange struct {
	from, to int
	bank     string
	kind     uint8 // account number type, 1 or 2
	comment  uint8
}

var clearingTable = func() []clearingRange {
	t := []clearingRange{
		// Type 1, comment 1.
		{1100, 1199, "Nordea", 1, 1},
		{1200, 1399, "Danske Bank", 1, 1},
		{1400, 2099, "Nordea", 1, 1},
		{2400, 2499, "Danske Bank", 1, 1},
		{3000, 3299, "Nordea", 1, 1},
		{3301, 3399, "Nordea", 1, 1},
		{3400, 3409, "Länsförsäkringar Bank", 1, 1},
		{3410, 3781, "Nordea", 1, 1},
		{3783, 3999, "Nordea", 1, 1},
		{5000, 5999, "SEB", 1, 1},
		{7000, 7999, "Swedbank", 1, 1},
		{9060, 9069, "Länsförsäkringar Bank", 1, 1},
		{9070, 9079, "Multitude Bank", 1, 1},
		{9120, 9124, "SEB", 1, 1},
		{9130, 9149, "SEB", 1, 1},
		{9170, 9179, "IKANO Bank", 1, 1},
		{9230, 9239, "Marginalen Bank", 1, 1},
		{9250, 9259, "SBAB", 1, 1},
		{9270, 9279, "ICA Banken", 1, 1},
		{9280, 9289, "Resurs Bank", 1, 1},
		{9400, 9449, "Forex Bank", 1, 1},
		{9460, 9469, "Santander Consumer Bank", 1, 1},
		{9580, 9589, "Aion Bank", 1, 1},
		{9630, 9639, "Lån & Spar Bank Sverige", 1, 1},
		{9680, 9689, "BlueStep Finans", 1, 1},
		// Type 1, comment 2.
		{2300, 2399, "Ålandsbanken", 1, 2},
		{4000, 4999, "Nordea", 1, 2},
		{9020, 9029, "Länsförsäkringar Bank", 1, 2},
		{9040, 9049, "Citibank", 1, 2},
		{9100, 9109, "Nordnet Bank", 1, 2},
		{9150, 9169, "Skandiabanken", 1, 2},
		{9190, 9199, "DNB Bank", 1, 2},
		{9260, 9269, "DNB Bank", 1, 2},
		{9390, 9399, "Landshypotek", 1, 2},
		{9470, 9479, "BNP Paribas", 1, 2},
		{9550, 9569, "Avanza Bank", 1, 2},
		{9590, 9599, "Erik Penser", 1, 2},
		{9640, 9649, "Nordax Bank", 1, 2},
		{9650, 9659, "MedMera Bank", 1, 2},
		{9660, 9669, "Svea Bank", 1, 2},
		{9670, 9679, "JAK Medlemsbank", 1, 2},
		{9700, 9709, "Ekobanken", 1, 2},
		{9710, 9719, "Lunar Bank", 1, 2},
		{9750, 9759, "Northmill Bank", 1, 2},
		{9780, 9789, "Klarna Bank", 1, 2},
		{9880, 9889, "Riksgälden", 1, 2},
		// Type 2.
		{3300, 3300, "Nordea (personkonto)", 2, 1},
		{3782, 3782, "Nordea (personkonto)", 2, 1},
		{6000, 6999, "Handelsbanken", 2, 2},
		{8000, 8999, "Swedbank", 2, 3},
		{9180, 9189, "Danske Bank", 2, 1},
		{9300, 9349, "Swedbank", 2, 1},
		{9500, 9549, "Nordea (Plusgirot)", 2, 3},
		{9570, 9579, "Sparbanken Syd", 2, 1},
		{9890, 9899, "Riksgälden", 2, 1},
		{9960, 9969, "Nordea (Plusgirot)", 2, 3},
	}
	sort.Slice(t, func(i, j int) bool { return t[i].from < t[j].from })
	return t
}()

// lookupClearing returns the row whose series holds the four-digit clearing
// number c.
func lookupClearing(c int) (clearingRange, bool) {
	i := sort.Search(len(clearingTable), func(i int) bool { return clearingTable[i].to >= c })
	if i < len(clearingTable) && clearingTable[i].from <= c {
		return clearingTable[i], true
	}
	return clearingRange{}, false
}
