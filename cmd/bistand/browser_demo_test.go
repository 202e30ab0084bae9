package main

import (
	"testing"

	"github.com/bistand/bistand/population"
)

// TestDemoUnapplied: the demo leaves six households unapplied, three of
// them of one adult with nothing that stops the robot (so the demo and the
// browser tests have applicants whose applications the robot grants) and
// three others, for any seed; the same population gives the same choice.
func TestDemoUnapplied(t *testing.T) {
	for _, tc := range []struct {
		seed       uint64
		households int
	}{{1, 40}, {2, 40}, {3, 40}, {7, 40}, {42, 40}, {1, 200}, {5, 12}} {
		pop := population.New(tc.seed, tc.households)
		got := demoUnapplied(pop)
		if len(got) != demoApplicants {
			t.Errorf("seed %d, %d households: %d unapplied, want %d", tc.seed, tc.households, len(got), demoApplicants)
		}
		clean := 0
		for i := range got {
			if i < 0 || i >= pop.Size() {
				t.Fatalf("seed %d: household %d is outside the population", tc.seed, i)
			}
			if h := pop.Household(i); demoAdults(h) == 1 && len(demoReasons(h)) == 0 {
				clean++
			}
		}
		if clean != demoApplicants/2 {
			t.Errorf("seed %d, %d households: %d unapplied households of one adult the robot may grant, want %d", tc.seed, tc.households, clean, demoApplicants/2)
		}
		again := demoUnapplied(population.New(tc.seed, tc.households))
		for i := range got {
			if !again[i] {
				t.Errorf("seed %d: the choice changed between two runs", tc.seed)
			}
		}
	}
}
