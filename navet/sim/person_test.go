package sim

import (
	"testing"

	"github.com/bistand/bistand/population"
)

// TestPersonKeepsNoAddressWhenProtected: the simulator itself gives a
// protected person no address, independently of the encoder, which would
// drop one anyway.
func TestPersonKeepsNoAddressWhenProtected(t *testing.T) {
	pop := population.New(42, 1500)
	protected, open := 0, 0
	for i := range pop.Size() {
		h := pop.Household(i)
		for j, m := range h.Members {
			p := person(h, j)
			if p.Protected() != m.Protected {
				t.Fatalf("household %d member %d: Protected %v, population says %v", i, j, p.Protected(), m.Protected)
			}
			switch {
			case p.Protected() && p.Address != nil:
				t.Fatalf("household %d member %d: a protected person with an address", i, j)
			case p.Protected():
				protected++
			case p.Address == nil:
				t.Fatalf("household %d member %d: an unprotected person without an address", i, j)
			default:
				open++
			}
		}
	}
	if protected == 0 || open == 0 {
		t.Fatalf("%d protected and %d unprotected people: the population lacks one kind", protected, open)
	}
}
