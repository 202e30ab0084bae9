package payment

import "github.com/bistand/bistand"

// Split divides total into parts amounts that add up to total exactly and
// differ by at most one öre, the larger ones first: the remainder of the
// division goes one öre each to the first parts. Use it when one decision is
// paid to several payees, for instance half to each partner:
// Split(1001, 2) is [501 500].
//
// For a negative total the division rounds down, so the amounts still add
// up and the first ones are the larger (less negative). Split panics if
// parts is not positive, which is a programming error.
func Split(total bistand.Money, parts int) []bistand.Money {
	if parts <= 0 {
		panic("payment: Split into a non-positive number of parts")
	}
	n := bistand.Money(parts)
	q, r := total/n, total%n
	if r < 0 { // Go truncates towards zero; floor instead
		q--
		r += n
	}
	out := make([]bistand.Money, parts)
	for i := range out {
		out[i] = q
		if bistand.Money(i) < r {
			out[i]++
		}
	}
	return out
}
